package provider

import (
	"os"
	"strings"
)

// unreadLoggers are the level variables of the loggers terraform-plugin-go and
// terraform-plugin-framework give every provider, and of the provider's own.
var unreadLoggers = []string{"TF_LOG_SDK", "TF_LOG_SDK_PROTO", "TF_LOG_SDK_FRAMEWORK", "TF_LOG_PROVIDER"}

// SilenceUnreadLogs turns the SDK's and the provider's loggers off when no
// TF_LOG variable asks for logs. Unset, they log at TRACE: every RPC encodes
// JSON lines to stderr that Terraform, not logging either, throws away, a
// third of the CPU of a large plan. Any TF_LOG* variable, even one that only
// names a path, leaves every level as the environment sets it. Call it
// before serving, in the process's main.
func SilenceUnreadLogs() {
	for _, kv := range os.Environ() {
		if name, value, _ := strings.Cut(kv, "="); strings.HasPrefix(name, "TF_LOG") && value != "" {
			return
		}
	}
	for _, name := range unreadLoggers {
		_ = os.Setenv(name, "OFF") // only fails for a name with "=" or NUL
	}
}
