package provider

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/synth-laboratories/terraform-provider-synth/internal/emulator"
)

// TestRLJob_payloadMatchesTheContract applies the SDK's two example configs
// and compares what the backend received with the §3 payloads kept as golden
// files next to the config engine's fixtures.
func TestRLJob_payloadMatchesTheContract(t *testing.T) {
	const (
		goldenTaskURL = "https://synth-laboratories--crafter-task-app.modal.run"
		goldenAPIRoot = "https://api.usesynth.ai/api"
	)
	cases := map[string]string{
		"rl_from_base_qwen4b": "",
		"rl_from_ft":          "model = { source = \"ft:Qwen/Qwen3-4B:job_8f2c1a\" }",
	}
	for fixture, extra := range cases {
		t.Run(fixture, func(t *testing.T) {
			env := newTestEnv(t, emulator.Options{})
			tomlPath, err := filepath.Abs(filepath.Join("..", "rlconfig", "testdata", fixture+".toml"))
			if err != nil {
				t.Fatal(err)
			}
			golden, err := os.ReadFile(filepath.Join("..", "rlconfig", "testdata", fixture+".payload.json"))
			if err != nil {
				t.Fatal(err)
			}
			golden = bytes.ReplaceAll(golden, []byte(goldenTaskURL), []byte(env.taskAppURL))
			golden = bytes.ReplaceAll(golden, []byte(goldenAPIRoot), []byte(env.backendURL+"/api"))

			resource.UnitTest(t, resource.TestCase{
				ProtoV6ProviderFactories: testProviderFactories,
				Steps: []resource.TestStep{{
					Config: env.provider("") + fmt.Sprintf(`
resource "synth_rl_job" "test" {
  config_toml = file(%q)
  services    = { task_url = %q }
  %s
}
`, tomlPath, env.taskAppURL, extra),
					Check: func(*terraform.State) error {
						var sent [][]byte
						for _, r := range env.emu.Requests() {
							if r.Method == "POST" && r.Path == "/api/rl/jobs" {
								sent = append(sent, r.Body)
							}
						}
						if len(sent) != 1 {
							return fmt.Errorf("backend saw %d creates, want 1", len(sent))
						}
						got, want := decodeNumbers(t, sent[0]), decodeNumbers(t, golden)
						if !reflect.DeepEqual(got, want) {
							pretty, _ := json.MarshalIndent(got, "", "  ")
							return fmt.Errorf("payload differs from the golden file:\n%s", strings.TrimSpace(string(pretty)))
						}
						return nil
					},
				}},
			})
		})
	}
}

// decodeNumbers decodes JSON for comparison field for field and type for
// type: each number keeps the text it was written as, so 1 and 1.0 differ,
// as they do to the SDK, whose json.dumps wrote the golden files' numbers.
func decodeNumbers(t *testing.T, b []byte) any {
	t.Helper()
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		t.Fatalf("decoding %s: %v", b, err)
	}
	return v
}

// The FFT-first hand-off: a stock TOML naming a base, and the checkpoint of
// an SFT job set in Terraform. The model set in Terraform wins, as the CLI's
// --model does, and the checkpoint's id reaches the backend byte for byte;
// a base the TOML alone names keeps its spelling in data.config and takes
// the catalogue's only in data.base_model.
func TestRLJob_payloadModelSetInTerraformWinsAndPassesThrough(t *testing.T) {
	env := newTestEnv(t, emulator.Options{})
	const toml = `
[model]
base = "qwen/qwen3-4b"
trainer_mode = "lora"
label = "from-sft"

[training]
learning_rate = 1
batch_size = 4
`
	const checkpoint = "peft:qwen/qwen3-4b:job_Sft9"
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testProviderFactories,
		Steps: []resource.TestStep{{
			Config: env.provider("") + fmt.Sprintf(`
resource "synth_rl_job" "from_sft" {
  config_toml = %q
  model       = { source = %q }
  services    = { task_url = %q }
}

resource "synth_rl_job" "from_base" {
  config_toml = %q
  services    = { task_url = %q }
}
`, toml, checkpoint, env.taskAppURL, toml, env.taskAppURL),
		}},
	})

	payloads := env.createPayloads(t)
	if len(payloads) != 2 {
		t.Fatalf("backend saw %d creates, want 2", len(payloads))
	}
	fromCheckpoint, fromBase := 0, 0
	for _, p := range payloads {
		data := p["data"].(map[string]any)
		config := data["config"].(map[string]any)
		model, _ := json.Marshal(config["model"])
		training := config["training"].(map[string]any)
		if sync, _ := training["weight_sync"].(map[string]any); sync["mode"] != "direct" {
			t.Errorf("data.config.training.weight_sync = %v, want the mode the backend requires", training["weight_sync"])
		}
		switch data["model"] {
		case checkpoint:
			fromCheckpoint++
			if _, has := data["base_model"]; has || string(model) != `{"label":"from-sft","source":"`+checkpoint+`","trainer_mode":"lora"}` {
				t.Errorf("from the checkpoint: data.base_model %v, data.config.model %s", data["base_model"], model)
			}
		case nil:
			fromBase++
			if data["base_model"] != "Qwen/Qwen3-4B" || string(model) != `{"base":"qwen/qwen3-4b","label":"from-sft","trainer_mode":"lora"}` {
				t.Errorf("from the base: data.base_model %v, data.config.model %s", data["base_model"], model)
			}
		default:
			t.Errorf("data.model = %v, want %q byte for byte", data["model"], checkpoint)
		}
	}
	// Without this, a provider that dropped the model set in Terraform would
	// send two jobs from the base, and each would pass the base's checks.
	if fromCheckpoint != 1 || fromBase != 1 {
		t.Errorf("%d jobs from the checkpoint and %d from the base, want one of each", fromCheckpoint, fromBase)
	}
	for _, r := range env.emu.Requests() {
		if r.Method == "POST" && r.Path == "/api/rl/jobs" && !bytes.Contains(r.Body, []byte(`"learning_rate":1.0`)) {
			t.Errorf("learning_rate = 1 was not sent as 1.0, as the SDK sends it: %s", r.Body)
		}
	}
}
