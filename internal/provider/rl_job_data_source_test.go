package provider

import (
	"context"
	"encoding/json"
	"fmt"
	"regexp"
	"testing"

	"github.com/google/uuid"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/synth-laboratories/terraform-provider-synth/internal/emulator"
	"github.com/synth-laboratories/terraform-provider-synth/internal/synthapi"
)

const rlJobDataAddr = "data.synth_rl_job.test"

// seedJob submits a job straight to the emulated backend, as a job made
// outside Terraform would be, and returns its id. model is a base model id,
// or a trained one when it has a "prefix:" (then it is [model].source).
func (env *testEnv) seedJob(t *testing.T, model string) string {
	t.Helper()
	return env.seedTaggedJob(t, model, nil)
}

// seedTaggedJob is seedJob with [tags] in the job's config.
func (env *testEnv) seedTaggedJob(t *testing.T, model string, tags map[string]any) string {
	t.Helper()
	client, err := synthapi.NewClient(env.backendURL, testAPIKey)
	if err != nil {
		t.Fatal(err)
	}
	modelTable, data := map[string]any{"base": model}, map[string]any{"base_model": model}
	if regexp.MustCompile(`^[a-z]+:`).MatchString(model) {
		modelTable, data = map[string]any{"source": model}, map[string]any{"model": model}
	}
	data["endpoint_base_url"] = env.taskAppURL
	data["config"] = map[string]any{
		"model":    modelTable,
		"services": map[string]any{"task_url": env.taskAppURL},
		"training": map[string]any{"batch_size": 16, "learning_rate": 5e-5, "weight_sync": map[string]any{"mode": "direct"}},
	}
	if tags != nil {
		data["config"].(map[string]any)["tags"] = tags
	}
	job, err := client.CreateJob(context.Background(), map[string]any{
		"job_type": "rl",
		"compute":  map[string]any{},
		"data":     data,
		"tags":     map[string]any{"source": "test"},
		"metadata": map[string]any{"backend_base_url": client.APIRoot()},
	}, uuid.NewString())
	if err != nil {
		t.Fatal(err)
	}
	return job.ID
}

func rlJobDataConfig(env *testEnv, id string) string {
	return env.provider("") + fmt.Sprintf(`
data "synth_rl_job" "test" {
  id = %q
}
`, id)
}

func TestRLJobDataSource_succeededJob(t *testing.T) {
	// Jobs start and finish at once.
	env := newTestEnv(t, emulator.Options{QueueTime: -1, RunTime: -1})
	id := env.seedJob(t, "Qwen/Qwen3-4B")

	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testProviderFactories,
		Steps: []resource.TestStep{{
			Config: rlJobDataConfig(env, id),
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(rlJobDataAddr, tfjsonpath.New("id"), knownvalue.StringExact(id)),
				statecheck.ExpectKnownValue(rlJobDataAddr, tfjsonpath.New("status"), knownvalue.StringExact("succeeded")),
				statecheck.ExpectKnownValue(rlJobDataAddr, tfjsonpath.New("base_model"), knownvalue.StringExact("Qwen/Qwen3-4B")),
				statecheck.ExpectKnownValue(rlJobDataAddr, tfjsonpath.New("model_id"), knownvalue.Null()),
				statecheck.ExpectKnownValue(rlJobDataAddr, tfjsonpath.New("output_model_id"),
					knownvalue.StringRegexp(regexp.MustCompile(`^rl:Qwen/Qwen3-4B:`))),
				statecheck.ExpectKnownValue(rlJobDataAddr, tfjsonpath.New("error_message"), knownvalue.Null()),
				statecheck.ExpectKnownValue(rlJobDataAddr, tfjsonpath.New("created_at"), knownvalue.StringRegexp(rfc3339)),
				statecheck.ExpectKnownValue(rlJobDataAddr, tfjsonpath.New("updated_at"), knownvalue.StringRegexp(rfc3339)),
				statecheck.ExpectKnownValue(rlJobDataAddr, tfjsonpath.New("started_at"), knownvalue.StringRegexp(rfc3339)),
				statecheck.ExpectKnownValue(rlJobDataAddr, tfjsonpath.New("finished_at"), knownvalue.StringRegexp(rfc3339)),
				// Canonical: keys sorted, as encoding/json writes a map.
				statecheck.ExpectKnownValue(rlJobDataAddr, tfjsonpath.New("config_json"), knownvalue.StringExact(canonical(t, map[string]any{
					"model":    map[string]any{"base": "Qwen/Qwen3-4B"},
					"services": map[string]any{"task_url": env.taskAppURL},
					"training": map[string]any{"batch_size": 16, "learning_rate": 5e-5, "weight_sync": map[string]any{"mode": "direct"}},
				}))),
			},
		}},
	})
}

func TestRLJobDataSource_runningJobFromSourceInOlderDialect(t *testing.T) {
	env := newTestEnv(t, emulator.Options{
		QueueTime: -1,
		Dialect:   emulator.Dialect{IDField: "id", StatusField: "state", StatusCase: "upper", EpochTimes: true},
	})
	env.emu.SetNextOutcome(emulator.Outcome{Status: "running"})
	source := "rl:Qwen/Qwen3-4B:job_abc:checkpoint-epoch-1"
	id := env.seedJob(t, source)

	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testProviderFactories,
		Steps: []resource.TestStep{{
			Config: rlJobDataConfig(env, id),
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(rlJobDataAddr, tfjsonpath.New("status"), knownvalue.StringExact("running")),
				statecheck.ExpectKnownValue(rlJobDataAddr, tfjsonpath.New("model_id"), knownvalue.StringExact(source)),
				statecheck.ExpectKnownValue(rlJobDataAddr, tfjsonpath.New("base_model"), knownvalue.StringExact("Qwen/Qwen3-4B")),
				statecheck.ExpectKnownValue(rlJobDataAddr, tfjsonpath.New("created_at"), knownvalue.StringRegexp(rfc3339)),
				statecheck.ExpectKnownValue(rlJobDataAddr, tfjsonpath.New("finished_at"), knownvalue.Null()),
				statecheck.ExpectKnownValue(rlJobDataAddr, tfjsonpath.New("output_model_id"), knownvalue.Null()),
				statecheck.ExpectKnownValue(rlJobDataAddr, tfjsonpath.New("error_message"), knownvalue.Null()),
			},
		}},
	})
}

func TestRLJobDataSource_failedJob(t *testing.T) {
	env := newTestEnv(t, emulator.Options{QueueTime: -1})
	env.emu.SetNextOutcome(emulator.Outcome{Status: "running"})
	id := env.seedJob(t, "Qwen/Qwen3-0.6B")
	env.emu.FailJob(id, "reward collapsed to zero")

	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testProviderFactories,
		Steps: []resource.TestStep{{
			Config: rlJobDataConfig(env, id),
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(rlJobDataAddr, tfjsonpath.New("status"), knownvalue.StringExact("failed")),
				statecheck.ExpectKnownValue(rlJobDataAddr, tfjsonpath.New("error_message"), knownvalue.StringExact("reward collapsed to zero")),
				statecheck.ExpectKnownValue(rlJobDataAddr, tfjsonpath.New("output_model_id"), knownvalue.Null()),
				statecheck.ExpectKnownValue(rlJobDataAddr, tfjsonpath.New("finished_at"), knownvalue.StringRegexp(rfc3339)),
			},
		}},
	})
}

func TestRLJobDataSource_unknownJobIsAnErrorNamingIt(t *testing.T) {
	env := newTestEnv(t, emulator.Options{})

	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testProviderFactories,
		Steps: []resource.TestStep{{
			Config:      rlJobDataConfig(env, "job_does_not_exist"),
			ExpectError: regexp.MustCompile(`(?s)RL job not found.*"job_does_not_exist".*HTTP 404`),
		}},
	})
}

var rfc3339 = regexp.MustCompile(`^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$`)

// canonical is v as config_json spells it.
func canonical(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	var generic any // numbers as the backend's JSON decodes them
	if err := json.Unmarshal(b, &generic); err != nil {
		t.Fatal(err)
	}
	b, _ = json.Marshal(generic)
	return string(b)
}
