package synthapi

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"

	"golang.org/x/crypto/nacl/box"
)

// SealedBoxAlg is the only sealing algorithm the backend announces, and the
// only one SealEnvKey will use (contract §7).
const SealedBoxAlg = "libsodium.sealedbox.v1"

// MaxEnvKeyBytes is the largest environment key the backend stores.
const MaxEnvKeyBytes = 8 << 10

// EnvKeyName is the name under which the trainer looks up the task app's
// key.
const EnvKeyName = "ENVIRONMENT_API_KEY"

// PublicKey is the backend's key for sealing secrets to it.
type PublicKey struct {
	// Key is the X25519 public key.
	Key [32]byte
	// Alg names the sealing scheme; see SealedBoxAlg.
	Alg string
}

// EnvKeyRecord is the backend's record of a stored environment key. It
// never contains the key itself.
type EnvKeyRecord struct {
	ID, Name, UpdatedAt string
}

// CryptoPublicKey fetches the key to seal environment keys with
// (GET <API root>/v1/crypto/public-key). The algorithm is returned as
// announced; SealEnvKey refuses any it does not implement.
func (c *Client) CryptoPublicKey(ctx context.Context) (*PublicKey, error) {
	resp, err := expect(c.call(ctx, http.MethodGet, "/v1/crypto/public-key", nil, nil, "", mayRetry))
	if err != nil {
		return nil, err
	}
	var out struct {
		PublicKey string `json:"public_key"`
		Alg       string `json:"alg"`
	}
	if err := resp.decode(&out); err != nil {
		return nil, err
	}
	raw, err := decodeBase64(out.PublicKey)
	if err != nil || len(raw) != 32 {
		return nil, fmt.Errorf("%s %s: public_key is not the base64 of 32 bytes: %q", resp.method, resp.route, truncate(out.PublicKey, 64))
	}
	pub := &PublicKey{Alg: out.Alg}
	copy(pub.Key[:], raw)
	return pub, nil
}

// decodeBase64 accepts padded and unpadded, standard and URL alphabets:
// the key is public, and being strict about its spelling protects nothing.
func decodeBase64(s string) ([]byte, error) {
	var lastErr error
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.RawStdEncoding, base64.URLEncoding, base64.RawURLEncoding} {
		b, err := enc.DecodeString(s)
		if err == nil {
			return b, nil
		}
		lastErr = err
	}
	return nil, lastErr
}

// SealEnvKey seals value for the backend: a libsodium sealed box (X25519 +
// XSalsa20-Poly1305 with an ephemeral sender key), base64 standard
// encoding. Only the holder of the backend's private key can open it, and
// the sender cannot be identified from it.
//
// It refuses an algorithm other than SealedBoxAlg, because sealing with the
// wrong scheme would store a key the trainer cannot decrypt, and an empty
// value or one over MaxEnvKeyBytes, which the backend would not accept.
func SealEnvKey(pub *PublicKey, value string) (string, error) {
	if pub == nil {
		return "", errors.New("sealing the environment key: no public key")
	}
	if pub.Alg != SealedBoxAlg {
		return "", fmt.Errorf("sealing the environment key: the backend announced algorithm %q; only %q is supported", pub.Alg, SealedBoxAlg)
	}
	if value == "" {
		return "", errors.New("sealing the environment key: the key is empty")
	}
	if len(value) > MaxEnvKeyBytes {
		return "", fmt.Errorf("sealing the environment key: the key is %d bytes; at most %d are allowed", len(value), MaxEnvKeyBytes)
	}
	sealed, err := box.SealAnonymous(nil, []byte(value), &pub.Key, rand.Reader)
	if err != nil {
		return "", fmt.Errorf("sealing the environment key: %w", err)
	}
	return base64.StdEncoding.EncodeToString(sealed), nil
}

// UploadEnvKey stores a sealed key under name (POST <API root>/v1/env-keys).
// It is not retried: the request carries no Idempotency-Key. Uploading the
// same key again is harmless, so the caller may repeat it on a transient
// error.
func (c *Client) UploadEnvKey(ctx context.Context, name, ciphertextB64 string) (*EnvKeyRecord, error) {
	if name == "" || ciphertextB64 == "" {
		return nil, errors.New("uploading an environment key: the name and the ciphertext are required")
	}
	body := map[string]string{"name": name, "ciphertext_b64": ciphertextB64}
	resp, err := expect(c.call(ctx, http.MethodPost, "/v1/env-keys", nil, body, "", sendOnce))
	if err != nil {
		return nil, err
	}
	fields, err := decodeObject(resp.body)
	if err != nil {
		return nil, fmt.Errorf("%s %s (HTTP %d): %w", resp.method, resp.route, resp.statusCode, err)
	}
	rec := &EnvKeyRecord{
		ID:        firstString(fields, "id"),
		Name:      firstString(fields, "name"),
		UpdatedAt: timeField(fields["updated_at"]),
	}
	if rec.UpdatedAt == "" {
		rec.UpdatedAt = scalarString(fields["updated_at"])
	}
	if rec.Name == "" {
		rec.Name = name
	}
	return rec, nil
}

// EnvKeyPresent reports whether the backend holds an environment key for
// the organisation (GET <API root>/v1/env-keys/verify). An answer without
// "present" is an error rather than false: guessing false would make the
// provider plan an upload for a reason nobody could see.
func (c *Client) EnvKeyPresent(ctx context.Context) (bool, error) {
	resp, err := expect(c.call(ctx, http.MethodGet, "/v1/env-keys/verify", nil, nil, "", mayRetry))
	if err != nil {
		return false, err
	}
	var out struct {
		Present *bool `json:"present"`
	}
	if err := resp.decode(&out); err != nil {
		return false, err
	}
	if out.Present == nil {
		return false, fmt.Errorf(`%s %s: the answer has no "present" field: %s`, resp.method, resp.route, snippet(resp.body))
	}
	return *out.Present, nil
}
