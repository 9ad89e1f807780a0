package provider

import (
	"strings"
	"testing"
)

func TestSecretPrefixPatternMasksEveryLongEnoughPrefix(t *testing.T) {
	const key = "env_test_task_5ecret_0002"
	re := secretPrefixPattern(key)
	for _, text := range []string{
		key,
		`"allowed_first15":["env_test_task_5"]`,
		"got env_test_t, then more",
		"a key of 8: env_test_",
	} {
		masked := re.ReplaceAllLiteralString(text, maskedSecret)
		if strings.Contains(masked, key[:minSecretPrefix]) {
			t.Errorf("%q masked as %q", text, masked)
		}
	}
	if got := re.ReplaceAllLiteralString("env_tes alone", maskedSecret); got != "env_tes alone" {
		t.Errorf("a 7-character prefix was masked: %q", got)
	}
	if got := re.ReplaceAllLiteralString(`["env_test_task_5","x"]`, maskedSecret); got != `["***","x"]` {
		t.Errorf("the mask ran past the quoted prefix: %q", got)
	}
	// A long key must compile: a pattern with a group per character does not.
	if secretPrefixPattern(strings.Repeat("k", 10000)) == nil {
		t.Error("no pattern for a long key")
	}
	if secretPrefixPattern("short") != nil {
		t.Error("a key shorter than the prefix has a pattern")
	}
}
