package emulator

import (
	"net/http"
	"testing"
)

func TestForgetEnvKey(t *testing.T) {
	t.Parallel()
	h := newHarness(t, Options{})
	wantStatus(t, h.storeKey("ENVIRONMENT_API_KEY", "env_secret_1"), http.StatusOK)
	wantStatus(t, h.storeKey("OTHER", "other_secret"), http.StatusOK)

	h.emu.ForgetEnvKey("ENVIRONMENT_API_KEY")
	h.emu.ForgetEnvKey("NEVER_STORED")

	if present := h.api("GET", "/api/v1/env-keys/verify", nil).object(t)["present"]; present != false {
		t.Errorf("present after forgetting: %v", present)
	}
	if keys := h.emu.StoredEnvKeys(); len(keys) != 1 || keys["OTHER"] != "other_secret" {
		t.Errorf("stored after forgetting: %d keys", len(keys))
	}
	wantStatus(t, h.storeKey("ENVIRONMENT_API_KEY", "env_secret_2"), http.StatusOK)
	if got := h.emu.StoredEnvKeys()["ENVIRONMENT_API_KEY"]; got != "env_secret_2" {
		t.Errorf("backend holds %q after uploading again", got)
	}
}
