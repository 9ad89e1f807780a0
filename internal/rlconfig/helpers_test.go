package rlconfig

import (
	"os"
	"reflect"
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
label = "complete"

[compute]
gpu_type = "H100"
gpu_count = 4

[topology]
type = "single_node_split"
gpus_for_vllm = 2
gpus_for_training = 2
gpus_for_ref = 0

[rollout]
env_name = "crafter"
policy_name = "crafter-react"
max_concurrent_rollouts = 8
task_app_origin_rewards_only = true

[training]
num_epochs = 1
iterations_per_epoch = 10
max_turns = 10
batch_size = 16
group_size = 4
learning_rate = 5e-5
weight_sync_interval = 1
log_interval = 1
`

// checkGolden compares a payload with testdata/<name>.payload.json, number
// by number as written (1 and 1.0 differ: the golden files are in the
// SDK's form), and rewrites the file under -update.
func checkGolden(t *testing.T, name string, got []byte) {
	t.Helper()
	golden := "testdata/" + name + ".payload.json"
	if *update {
		if err := os.WriteFile(golden, append(got, '\n'), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if !reflect.DeepEqual(decodeJSON(t, got), decodeJSON(t, want)) {
		t.Errorf("payload differs from %s:\n%s", golden, got)
	}
}
