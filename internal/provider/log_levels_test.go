package provider

import (
	"os"
	"strings"
	"testing"
)

// clearLogEnv unsets every TF_LOG* variable for the test, restoring them after.
func clearLogEnv(t *testing.T) {
	t.Helper()
	for _, kv := range os.Environ() {
		if name, _, _ := strings.Cut(kv, "="); strings.HasPrefix(name, "TF_LOG") {
			t.Setenv(name, "")
		}
	}
	for _, name := range unreadLoggers {
		t.Setenv(name, "")
	}
}

func TestSilenceUnreadLogs(t *testing.T) {
	t.Run("nobody reads the logs", func(t *testing.T) {
		clearLogEnv(t)
		SilenceUnreadLogs()
		// Named here, not read from unreadLoggers, so that a logger dropped
		// from that list fails the test.
		for _, name := range []string{"TF_LOG_SDK", "TF_LOG_SDK_PROTO", "TF_LOG_SDK_FRAMEWORK", "TF_LOG_PROVIDER"} {
			if got := os.Getenv(name); got != "OFF" {
				t.Errorf("%s = %q, want OFF", name, got)
			}
		}
	})
	t.Run("a TF_LOG variable asks for logs", func(t *testing.T) {
		clearLogEnv(t)
		t.Setenv("TF_LOG_PATH", "/dev/null")
		SilenceUnreadLogs()
		for _, name := range unreadLoggers {
			if got := os.Getenv(name); got != "" {
				t.Errorf("%s = %q, want it left unset", name, got)
			}
		}
	})
}
