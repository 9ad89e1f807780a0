package emulator

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"syscall"
	"time"
	"unicode/utf8"

	"golang.org/x/crypto/nacl/box"
)

// The org's stored secrets (§7) and the one route that uses them to call a
// task app, verify_task_app (§2).

// environmentKeyName is the secret the trainer sends to task apps.
const environmentKeyName = "ENVIRONMENT_API_KEY"

// maxEnvKeyBytes is the largest secret the backend stores (§7).
const maxEnvKeyBytes = 8 << 10

// sealedBoxAlg is the only algorithm the public-key route announces: a
// libsodium sealed box (crypto_box_seal), which nacl/box's anonymous boxes are.
const sealedBoxAlg = "libsodium.sealedbox.v1"

type storedEnvKey struct {
	id        string
	value     string
	updatedAt time.Time
}

func (e *Emulator) publicKey(w http.ResponseWriter, _ *http.Request) {
	writeJSON(w, http.StatusOK, map[string]any{
		"public_key": base64.StdEncoding.EncodeToString(e.boxPublic[:]),
		"alg":        sealedBoxAlg,
	})
}

// storeEnvKey opens a sealed secret and stores it under its name. Missing
// fields are a validation error (422); a ciphertext that is there but cannot
// be used is a bad request (400), as the backend answers it.
func (e *Emulator) storeEnvKey(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Name          *string `json:"name"`
		CiphertextB64 *string `json:"ciphertext_b64"`
	}
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
		writeDetail(w, http.StatusUnprocessableEntity, "body must be a JSON object with name and ciphertext_b64")
		return
	}
	if req.Name == nil || *req.Name == "" {
		writeDetail(w, http.StatusUnprocessableEntity, "name must be a non-empty string")
		return
	}
	if req.CiphertextB64 == nil {
		writeDetail(w, http.StatusUnprocessableEntity, "ciphertext_b64 must be a string")
		return
	}
	sealed, err := base64.StdEncoding.DecodeString(*req.CiphertextB64)
	if err != nil {
		writeDetail(w, http.StatusBadRequest, "ciphertext_b64 is not valid base64")
		return
	}
	// Refuse an oversized secret before spending time decrypting it.
	if len(sealed)-box.AnonymousOverhead > maxEnvKeyBytes {
		writeDetail(w, http.StatusBadRequest, fmt.Sprintf("secret exceeds %d bytes", maxEnvKeyBytes))
		return
	}
	plain, ok := box.OpenAnonymous(nil, sealed, e.boxPublic, e.boxPrivate)
	if !ok {
		writeDetail(w, http.StatusBadRequest, "ciphertext is not a sealed box for the backend's public key")
		return
	}
	if !utf8.Valid(plain) {
		writeDetail(w, http.StatusBadRequest, "secret must be UTF-8 text")
		return
	}

	now, d := e.now(), e.opts.Dialect
	e.mu.Lock()
	stored, ok := e.envKeys[*req.Name]
	if !ok {
		stored.id = newEnvKeyID()
	}
	stored.value, stored.updatedAt = string(plain), now
	e.envKeys[*req.Name] = stored
	e.mu.Unlock()

	writeJSON(w, http.StatusOK, map[string]any{
		"id":         stored.id,
		"name":       *req.Name,
		"updated_at": d.timeValue(now),
	})
}

func newEnvKeyID() string {
	var b [8]byte
	_, _ = rand.Read(b[:])
	return "envkey_" + hex.EncodeToString(b[:])
}

// verifyEnvKey tells whether ENVIRONMENT_API_KEY (or ?name=) is stored.
func (e *Emulator) verifyEnvKey(w http.ResponseWriter, r *http.Request) {
	name := r.URL.Query().Get("name")
	if name == "" {
		name = environmentKeyName
	}
	e.mu.Lock()
	_, present := e.envKeys[name]
	e.mu.Unlock()
	writeJSON(w, http.StatusOK, map[string]any{"present": present})
}

// StoredEnvKeys returns the secrets the backend holds, decrypted, by name.
func (e *Emulator) StoredEnvKeys() map[string]string {
	e.mu.Lock()
	defer e.mu.Unlock()
	out := make(map[string]string, len(e.envKeys))
	for name, k := range e.envKeys {
		out[name] = k.value
	}
	return out
}

// environmentKeys returns the stored keys the backend may send to a task
// app, by name. Only ENVIRONMENT_API_KEY and names extending it qualify: the
// trainer never hands a task app the org's other secrets.
func (e *Emulator) environmentKeys() []namedKey {
	e.mu.Lock()
	defer e.mu.Unlock()
	var keys []namedKey
	for name, k := range e.envKeys {
		if name == environmentKeyName || strings.HasPrefix(name, environmentKeyName+"_") {
			keys = append(keys, namedKey{name: name, value: k.value})
		}
	}
	slices.SortFunc(keys, func(a, b namedKey) int { return strings.Compare(a.name, b.name) })
	return keys
}

type namedKey struct{ name, value string }

// verifyTaskApp calls the task app's /health once per stored environment
// key, as the backend does before a CLI submits (§2), and reports each try.
func (e *Emulator) verifyTaskApp(w http.ResponseWriter, r *http.Request) {
	var req struct {
		EndpointBaseURL string `json:"endpoint_base_url"`
	}
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil || req.EndpointBaseURL == "" {
		writeDetail(w, http.StatusUnprocessableEntity, "endpoint_base_url must be a non-empty string")
		return
	}
	endpoint := strings.TrimRight(req.EndpointBaseURL, "/")
	u, err := url.Parse(endpoint)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		writeDetail(w, http.StatusUnprocessableEntity, "endpoint_base_url must be an http(s) URL")
		return
	}

	// The keys are copied out first: the task app may be this very emulator,
	// and its handlers take e.mu too.
	attempts := []map[string]any{}
	anyOK := false
	for _, k := range e.environmentKeys() {
		attempt := map[string]any{"key_name": k.name, "url": endpoint + "/health"}
		status, err := e.probeHealth(r.Context(), u, k.value)
		attempt["status"] = status
		if err != nil {
			attempt["error"] = err.Error()
		}
		anyOK = anyOK || status == http.StatusOK
		attempts = append(attempts, attempt)
	}
	writeJSON(w, http.StatusOK, map[string]any{
		"endpoint_base_url": endpoint,
		"any_ok":            anyOK,
		"attempts":          attempts,
	})
}

// probeHealth sends GET /health with key in all three headers the task app
// accepts (§6), as the SDK's CLI does, and returns the answer's status, or 0
// with the error when there was no answer.
func (e *Emulator) probeHealth(ctx context.Context, base *url.URL, key string) (int, error) {
	if !isLoopbackHost(base.Hostname()) {
		return 0, errors.New("the emulator only calls task apps on loopback addresses")
	}
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, base.JoinPath("health").String(), nil)
	if err != nil {
		return 0, err
	}
	req.Header.Set("X-API-Key", key)
	req.Header.Set("X-API-Keys", key)
	req.Header.Set("Authorization", "Bearer "+key)
	resp, err := e.outbound.Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<20))
	return resp.StatusCode, nil
}

// newLoopbackClient is the client verify_task_app calls task apps with. It
// can only reach loopback addresses, whatever a test submits, and it ignores
// proxy settings and redirects: the emulator must never become a way out.
func newLoopbackClient() *http.Client {
	dialer := &net.Dialer{
		Timeout: 5 * time.Second,
		Control: func(_, address string, _ syscall.RawConn) error {
			host, _, err := net.SplitHostPort(address)
			if err != nil {
				return err
			}
			if ip := net.ParseIP(host); ip == nil || !ip.IsLoopback() {
				return fmt.Errorf("refusing to dial %s: not loopback", address)
			}
			return nil
		},
	}
	return &http.Client{
		Transport: &http.Transport{
			DialContext: dialer.DialContext,
			// Checks are rare; idle connections would only outlive the
			// task apps tests start and stop.
			DisableKeepAlives: true,
		},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
}
