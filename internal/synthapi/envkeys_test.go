package synthapi

import (
	"crypto/rand"
	"encoding/base64"
	"errors"
	"net/http"
	"strings"
	"testing"

	"golang.org/x/crypto/nacl/box"
)

func TestSealEnvKeyRoundTrip(t *testing.T) {
	pub, priv, err := box.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	for _, value := range []string{"env_0123456789abcdef", "ünïcødé key", strings.Repeat("k", MaxEnvKeyBytes)} {
		sealed, err := SealEnvKey(&PublicKey{Key: *pub, Alg: SealedBoxAlg}, value)
		if err != nil {
			t.Fatalf("SealEnvKey(%d bytes): %v", len(value), err)
		}
		ciphertext, err := base64.StdEncoding.DecodeString(sealed)
		if err != nil {
			t.Fatalf("not standard base64: %v", err)
		}
		opened, ok := box.OpenAnonymous(nil, ciphertext, pub, priv)
		if !ok {
			t.Fatal("box.OpenAnonymous failed")
		}
		if string(opened) != value {
			t.Errorf("opened %q, want %q", opened, value)
		}
	}
}

func TestSealEnvKeyRefuses(t *testing.T) {
	pub, _, err := box.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	good := &PublicKey{Key: *pub, Alg: SealedBoxAlg}
	tests := []struct {
		name  string
		pub   *PublicKey
		value string
		want  string
	}{
		{"other algorithm", &PublicKey{Key: *pub, Alg: "rsa-oaep"}, "k", `algorithm "rsa-oaep"`},
		{"no algorithm", &PublicKey{Key: *pub}, "k", `algorithm ""`},
		{"too long", good, strings.Repeat("k", MaxEnvKeyBytes+1), "8193 bytes"},
		{"empty", good, "", "empty"},
		{"no key", nil, "k", "no public key"},
	}
	for _, tt := range tests {
		sealed, err := SealEnvKey(tt.pub, tt.value)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: SealEnvKey = %q, %v; want an error containing %q", tt.name, sealed, err, tt.want)
		}
	}
}

func TestCryptoPublicKey(t *testing.T) {
	raw := make([]byte, 32)
	for i := range raw {
		raw[i] = byte(i)
	}
	tests := []struct {
		name    string
		body    string
		wantErr bool
	}{
		{"standard base64", `{"public_key":"` + base64.StdEncoding.EncodeToString(raw) + `","alg":"libsodium.sealedbox.v1"}`, false},
		{"unpadded url base64", `{"public_key":"` + base64.RawURLEncoding.EncodeToString(raw) + `","alg":"libsodium.sealedbox.v1"}`, false},
		{"wrong length", `{"public_key":"` + base64.StdEncoding.EncodeToString(raw[:16]) + `","alg":"x"}`, true},
		{"not base64", `{"public_key":"!!!","alg":"x"}`, true},
		{"html", `<html>login</html>`, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := newBackend(t, func(w http.ResponseWriter, r *http.Request, _ int) { writeJSON(w, 200, tt.body) })
			pub, err := b.client().CryptoPublicKey(t.Context())
			if got := b.recorded()[0].Path; got != "/api/v1/crypto/public-key" {
				t.Errorf("path = %s", got)
			}
			if tt.wantErr {
				if err == nil {
					t.Fatalf("want an error, got %+v", pub)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if string(pub.Key[:]) != string(raw) || pub.Alg != SealedBoxAlg {
				t.Errorf("got %+v", pub)
			}
		})
	}
}

func TestUploadEnvKey(t *testing.T) {
	b := newBackend(t, func(w http.ResponseWriter, r *http.Request, _ int) {
		writeJSON(w, 201, `{"id":17,"name":"ENVIRONMENT_API_KEY","updated_at":"2025-03-01T10:00:00+00:00"}`)
	})
	rec, err := b.client().UploadEnvKey(t.Context(), EnvKeyName, "c2VhbGVk")
	if err != nil {
		t.Fatal(err)
	}
	if *rec != (EnvKeyRecord{ID: "17", Name: EnvKeyName, UpdatedAt: "2025-03-01T10:00:00Z"}) {
		t.Errorf("record = %+v", rec)
	}
	h := b.recorded()[0]
	if h.Method != "POST" || h.Path != "/api/v1/env-keys" || h.Body != `{"ciphertext_b64":"c2VhbGVk","name":"ENVIRONMENT_API_KEY"}` {
		t.Errorf("request = %s %s %s", h.Method, h.Path, h.Body)
	}
}

func TestEnvKeyPresent(t *testing.T) {
	tests := []struct {
		body    string
		want    bool
		wantErr bool
	}{
		{`{"present":true}`, true, false},
		{`{"present":false,"name":"ENVIRONMENT_API_KEY"}`, false, false},
		{`{}`, false, true},
		{`<html></html>`, false, true},
	}
	for _, tt := range tests {
		b := newBackend(t, func(w http.ResponseWriter, r *http.Request, _ int) { writeJSON(w, 200, tt.body) })
		got, err := b.client().EnvKeyPresent(t.Context())
		if (err != nil) != tt.wantErr || got != tt.want {
			t.Errorf("%s: EnvKeyPresent = %v, %v", tt.body, got, err)
		}
		if p := b.recorded()[0].Path; p != "/api/v1/env-keys/verify" {
			t.Errorf("path = %s", p)
		}
	}
}

func TestEnvKeyPresentUnauthorised(t *testing.T) {
	b := newBackend(t, func(w http.ResponseWriter, r *http.Request, _ int) {
		writeJSON(w, 401, `{"detail":"Invalid API key"}`)
	})
	_, err := b.client().EnvKeyPresent(t.Context())
	var apiErr *APIError
	if !errors.As(err, &apiErr) || apiErr.StatusCode != 401 || apiErr.Message != "Invalid API key" {
		t.Errorf("err = %v", err)
	}
}
