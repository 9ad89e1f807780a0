package rlconfig

import (
	"os"
	"testing"
)

func readFixture(t testing.TB, name string) string {
	t.Helper()
	b, err := os.ReadFile("testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func mustParse(t testing.TB, src string) map[string]any {
	t.Helper()
	doc, err := Parse(src)
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	return doc
}

// completeTOML has every key the SDK's config model requires except the
// model id and the task URL, which a test supplies; it draws no warning.
const completeTOML = `[algorithm]
type = "online"
method = "policy_gradient"
variety = "gspo"

[model]
trainer_mode = "full"

[rollout]
env_name = "crafter"
policy_name = "crafter-react"
max_concurrent_rollouts = 8

[training]
num_epochs = 1
iterations_per_epoch = 10
max_turns = 10
batch_size = 16
group_size = 4
learning_rate = 5e-5
`
