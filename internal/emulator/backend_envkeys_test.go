package emulator

import (
	"crypto/rand"
	"encoding/base64"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"golang.org/x/crypto/nacl/box"
)

// sealAnonymous seals message for recipientPublic, the client's half of §7.
func sealAnonymous(t *testing.T, message []byte, recipientPublic []byte) []byte {
	t.Helper()
	var pk [32]byte
	if copy(pk[:], recipientPublic) != 32 {
		t.Fatalf("public key of %d bytes", len(recipientPublic))
	}
	sealed, err := box.SealAnonymous(nil, message, &pk, rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return sealed
}

func (h *harness) backendPublicKey() []byte {
	h.t.Helper()
	r := h.api("GET", "/api/v1/crypto/public-key", nil)
	wantStatus(h.t, r, http.StatusOK)
	m := r.object(h.t)
	if m["alg"] != "libsodium.sealedbox.v1" {
		h.t.Fatalf("alg = %v", m["alg"])
	}
	pk, err := base64.StdEncoding.DecodeString(m["public_key"].(string))
	if err != nil || len(pk) != 32 {
		h.t.Fatalf("public_key %v: %v", m["public_key"], err)
	}
	return pk
}

func (h *harness) storeKey(name, value string) response {
	h.t.Helper()
	sealed := sealAnonymous(h.t, []byte(value), h.backendPublicKey())
	return h.api("POST", "/api/v1/env-keys", map[string]any{
		"name": name, "ciphertext_b64": base64.StdEncoding.EncodeToString(sealed),
	})
}

func TestEnvKeySealedBoxRoundTrip(t *testing.T) {
	t.Parallel()
	h := newHarness(t, Options{})
	if present := h.api("GET", "/api/v1/env-keys/verify", nil).object(t)["present"]; present != false {
		t.Errorf("present before upload: %v", present)
	}

	r := h.storeKey("ENVIRONMENT_API_KEY", "env_secret_ü_1")
	wantStatus(t, r, http.StatusOK)
	m := r.object(t)
	id, _ := m["id"].(string)
	if id == "" || m["name"] != "ENVIRONMENT_API_KEY" || m["updated_at"] != "2025-11-01T12:00:00Z" {
		t.Errorf("stored: %v", m)
	}
	if got := h.emu.StoredEnvKeys()["ENVIRONMENT_API_KEY"]; got != "env_secret_ü_1" {
		t.Errorf("backend holds %q", got)
	}
	if present := h.api("GET", "/api/v1/env-keys/verify", nil).object(t)["present"]; present != true {
		t.Errorf("present after upload: %v", present)
	}

	// Replacing keeps the id.
	if again := h.storeKey("ENVIRONMENT_API_KEY", "env_secret_2").object(t); again["id"] != id {
		t.Errorf("id changed: %v", again)
	}
	if got := h.emu.StoredEnvKeys()["ENVIRONMENT_API_KEY"]; got != "env_secret_2" {
		t.Errorf("backend holds %q", got)
	}
	// The largest secret allowed passes.
	wantStatus(t, h.storeKey("BIG", strings.Repeat("k", 8192)), http.StatusOK)
}

func TestEnvKeyRejectsBadCiphertext(t *testing.T) {
	t.Parallel()
	h := newHarness(t, Options{})
	pk := h.backendPublicKey()
	otherPublic, _, err := box.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tampered := sealAnonymous(t, []byte("secret"), pk)
	tampered[40] ^= 1

	b64 := base64.StdEncoding.EncodeToString
	for name, c := range map[string]struct {
		body any
		want int
	}{
		"bad base64":          {map[string]any{"name": "ENVIRONMENT_API_KEY", "ciphertext_b64": "%%%"}, 400},
		"too short":           {map[string]any{"name": "ENVIRONMENT_API_KEY", "ciphertext_b64": b64([]byte("short"))}, 400},
		"tampered":            {map[string]any{"name": "ENVIRONMENT_API_KEY", "ciphertext_b64": b64(tampered)}, 400},
		"for another key":     {map[string]any{"name": "ENVIRONMENT_API_KEY", "ciphertext_b64": b64(sealAnonymous(t, []byte("s"), otherPublic[:]))}, 400},
		"over 8 KiB":          {map[string]any{"name": "ENVIRONMENT_API_KEY", "ciphertext_b64": b64(sealAnonymous(t, make([]byte, 8193), pk))}, 400},
		"not UTF-8":           {map[string]any{"name": "ENVIRONMENT_API_KEY", "ciphertext_b64": b64(sealAnonymous(t, []byte{0xff, 0xfe}, pk))}, 400},
		"plaintext is no box": {map[string]any{"name": "ENVIRONMENT_API_KEY", "ciphertext_b64": b64([]byte(strings.Repeat("env_plain_key_", 5)))}, 400},
		"no name":             {map[string]any{"ciphertext_b64": b64(sealAnonymous(t, []byte("s"), pk))}, 422},
		"no ciphertext":       {map[string]any{"name": "ENVIRONMENT_API_KEY"}, 422},
		"not JSON":            {"nope", 422},
	} {
		r := h.api("POST", "/api/v1/env-keys", c.body)
		if r.status != c.want {
			t.Errorf("%s: status %d, want %d: %s", name, r.status, c.want, r.raw)
			continue
		}
		if _, ok := r.detail(t).(string); !ok {
			t.Errorf("%s: detail %s", name, r.raw)
		}
	}
	if keys := h.emu.StoredEnvKeys(); len(keys) != 0 {
		t.Errorf("stored %v", keys)
	}
}

// The vector was made with libsodium 1.0.18 (crypto_box_seed_keypair over the
// seed 00 01 .. 1f, then crypto_box_seal): what the backend announces as
// libsodium.sealedbox.v1 is what libsodium clients seal.
func TestSealedBoxFromLibsodium(t *testing.T) {
	t.Parallel()
	decode := func(s string) []byte {
		b, err := base64.StdEncoding.DecodeString(s)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	var pub, priv [32]byte
	copy(pub[:], decode("RwHQhIhFH1RaQJ+1iuPlhYHKQKw/fxFGmM1x3qxzygE="))
	copy(priv[:], decode("PZTupJxYCu+BaTV2K+BJVZ1tFEDe3hLmoSXxhB//jm8="))
	sealed := decode("YgsyDJT1r0JXtitX7BFgUoVmGmnrhdEp3xVenacNPgI8HDS+r/YTu+tGesm4MNWj8p6qZJ04bE9K0VfsEFa+4qntt9LAkQ==")

	h := newHarness(t, Options{})
	h.emu.boxPublic, h.emu.boxPrivate = &pub, &priv // before any request, so no race
	r := h.api("POST", "/api/v1/env-keys", map[string]any{"name": "ENVIRONMENT_API_KEY", "ciphertext_b64": base64.StdEncoding.EncodeToString(sealed)})
	wantStatus(t, r, http.StatusOK)
	if got := h.emu.StoredEnvKeys()["ENVIRONMENT_API_KEY"]; got != "env_kat_key_0123456789" {
		t.Errorf("opened %q", got)
	}
}

func TestVerifyTaskApp(t *testing.T) {
	t.Parallel()
	h := newHarness(t, Options{})
	verify := func(url string) map[string]any {
		t.Helper()
		r := h.api("POST", "/api/rl/verify_task_app", map[string]any{"endpoint_base_url": url})
		wantStatus(t, r, http.StatusOK)
		return r.object(t)
	}

	// No stored key: nothing to try.
	m := verify(h.taskApp.URL)
	if m["any_ok"] != false || len(m["attempts"].([]any)) != 0 {
		t.Errorf("without keys: %v", m)
	}
	if n := h.emu.Count(TargetTaskApp, "", ""); n != 0 {
		t.Errorf("the task app was called %d times", n)
	}

	wantStatus(t, h.storeKey("ENVIRONMENT_API_KEY", h.emu.opts.EnvironmentAPIKey), http.StatusOK)
	wantStatus(t, h.storeKey("OPENAI_API_KEY", "sk-never-sent"), http.StatusOK)
	m = verify(h.taskApp.URL + "/")
	attempts := m["attempts"].([]any)
	if m["any_ok"] != true || len(attempts) != 1 {
		t.Fatalf("with the key: %v", m)
	}
	if a := attempts[0].(map[string]any); a["status"] != 200.0 || a["key_name"] != "ENVIRONMENT_API_KEY" {
		t.Errorf("attempt: %v", a)
	}
	health := h.emu.Requests()
	last := health[len(health)-1]
	if last.Target != TargetTaskApp || last.Path != "/health" || last.Header.Get("X-API-Key") != h.emu.opts.EnvironmentAPIKey ||
		last.Header.Get("Authorization") != "Bearer "+h.emu.opts.EnvironmentAPIKey || last.Header.Get("X-API-Keys") == "" {
		t.Errorf("health call: %+v", last)
	}

	// A task app expecting another key answers 400 to it.
	other := New(Options{EnvironmentAPIKey: "env_other"})
	otherApp := httptest.NewServer(other.TaskApp())
	defer otherApp.Close()
	m = verify(otherApp.URL)
	if a := m["attempts"].([]any)[0].(map[string]any); m["any_ok"] != false || a["status"] != 400.0 {
		t.Errorf("wrong key: %v", m)
	}

	// Nobody listening, and an address the emulator will not call.
	dead := httptest.NewServer(http.NotFoundHandler())
	dead.Close()
	for _, url := range []string{dead.URL, "https://acme--app.modal.run"} {
		m = verify(url)
		a := m["attempts"].([]any)[0].(map[string]any)
		if m["any_ok"] != false || a["status"] != 0.0 || a["error"] == nil {
			t.Errorf("%s: %v", url, m)
		}
	}

	for _, body := range []any{map[string]any{}, map[string]any{"endpoint_base_url": "ftp://x"}, "nope"} {
		wantStatus(t, h.api("POST", "/api/rl/verify_task_app", body), http.StatusUnprocessableEntity)
	}
}
