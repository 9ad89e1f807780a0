package provider

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
	tfresource "github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/synth-laboratories/terraform-provider-synth/internal/emulator"
	"github.com/synth-laboratories/terraform-provider-synth/internal/synthapi"
)

// expectOneJobFromCreates checks that every create carried the same
// Idempotency-Key and that the backend holds exactly one job: the one in state.
func expectOneJobFromCreates(env *testEnv, wantAttempts int) func(*terraform.State) error {
	return func(s *terraform.State) error {
		var keys []string
		for _, r := range env.emu.Requests() {
			if r.Method == "POST" && r.Path == "/api/rl/jobs" {
				keys = append(keys, r.Header.Get("Idempotency-Key"))
			}
		}
		if len(keys) != wantAttempts {
			return fmt.Errorf("backend saw %d create attempts, want %d", len(keys), wantAttempts)
		}
		for _, k := range keys {
			if k == "" || k != keys[0] {
				return fmt.Errorf("create attempts carried Idempotency-Keys %q, want one key reused", keys)
			}
		}
		jobs := env.emu.Jobs()
		if len(jobs) != 1 {
			return fmt.Errorf("backend holds %d jobs, want exactly 1", len(jobs))
		}
		if id := s.RootModule().Resources[jobAddr].Primary.ID; id != jobs[0].ID {
			return fmt.Errorf("state holds job %q, backend holds %q", id, jobs[0].ID)
		}
		return nil
	}
}

func TestRLJob_createRetriedAfter502StartsOneJob(t *testing.T) {
	env := newTestEnv(t, emulator.Options{})
	env.emu.InjectFault(emulator.Fault{Target: "backend", Method: "POST", Path: "/api/rl/jobs", Status: 502, RetryAfter: "0"})

	tfresource.UnitTest(t, tfresource.TestCase{
		ProtoV6ProviderFactories: testProviderFactories,
		Steps: []tfresource.TestStep{{
			Config: env.provider("") + baseJob(env.taskAppURL, ""),
			Check:  expectOneJobFromCreates(env, 2),
		}},
	})
}

func TestRLJob_createAnswerLostIsRetriedWithTheSameKey(t *testing.T) {
	env := newTestEnv(t, emulator.Options{})
	// The backend creates the job, then the connection drops before the answer.
	env.emu.InjectFault(emulator.Fault{Target: "backend", Method: "POST", Path: "/api/rl/jobs", DropAfterHandling: true})

	tfresource.UnitTest(t, tfresource.TestCase{
		ProtoV6ProviderFactories: testProviderFactories,
		Steps: []tfresource.TestStep{{
			Config: env.provider("") + baseJob(env.taskAppURL, ""),
			Check:  expectOneJobFromCreates(env, 2),
		}},
	})
}

func TestRLJob_createRefusedWith4xxIsNotRetried(t *testing.T) {
	env := newTestEnv(t, emulator.Options{})
	env.emu.InjectFault(emulator.Fault{Target: "backend", Method: "POST", Path: "/api/rl/jobs", Status: 403,
		Body: `{"detail": "organisation has no RL quota"}`})

	tfresource.UnitTest(t, tfresource.TestCase{
		ProtoV6ProviderFactories: testProviderFactories,
		Steps: []tfresource.TestStep{{
			Config:      env.provider("") + baseJob(env.taskAppURL, ""),
			ExpectError: regexp.MustCompile(`(?s)Could not submit the RL job.*403.*organisation has no RL quota`),
		}},
	})
	if n := env.countCreates(); n != 1 {
		t.Fatalf("a 403 was retried: %d create attempts, want 1", n)
	}
}

func TestRLJob_lostRunningJobIsRemovedFromState(t *testing.T) {
	env := newTestEnv(t, emulator.Options{RunTime: time.Hour})
	config := env.provider("") + baseJob(env.taskAppURL, "wait_for_completion = false")
	var firstID string

	tfresource.UnitTest(t, tfresource.TestCase{
		ProtoV6ProviderFactories: testProviderFactories,
		Steps: []tfresource.TestStep{
			{
				Config: config,
				Check:  recordJobID(&firstID),
			},
			{
				PreConfig: func() { env.emu.LoseJob(firstID) },
				Config:    config,
				ConfigPlanChecks: tfresource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(jobAddr, plancheck.ResourceActionCreate)},
				},
				Check: func(s *terraform.State) error {
					if id := s.RootModule().Resources[jobAddr].Primary.ID; id == firstID {
						return fmt.Errorf("state still holds the lost job %s", id)
					}
					return nil
				},
			},
		},
	})
}

func TestRLJob_lostFinishedJobStaysInState(t *testing.T) {
	env := newTestEnv(t, emulator.Options{})
	config := env.provider("") + baseJob(env.taskAppURL, "")
	var firstID string

	tfresource.UnitTest(t, tfresource.TestCase{
		ProtoV6ProviderFactories: testProviderFactories,
		Steps: []tfresource.TestStep{
			{
				Config: config,
				Check:  recordJobID(&firstID),
			},
			{
				PreConfig: func() { env.emu.LoseJob(firstID) },
				Config:    config,
				ConfigPlanChecks: tfresource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(jobAddr, tfjsonpath.New("status"), knownvalue.StringExact("succeeded")),
					statecheck.ExpectKnownValue(jobAddr, tfjsonpath.New("output_model_id"), knownvalue.NotNull()),
				},
			},
		},
	})
}

func TestRLJob_timeoutKeepsTheJobInState(t *testing.T) {
	env := newTestEnv(t, emulator.Options{RunTime: time.Hour})

	tfresource.UnitTest(t, tfresource.TestCase{
		ProtoV6ProviderFactories: testProviderFactories,
		Steps: []tfresource.TestStep{
			{
				Config:      env.provider("") + baseJob(env.taskAppURL, `timeouts = { create = "3s" }`),
				ExpectError: regexp.MustCompile(`(?s)Timed out waiting for the RL job.*Job job_[0-9a-f]+ is still\s+(queued|running)`),
			},
			{
				// The timed-out job is in state (tainted) rather than lost: the
				// next apply replaces it, cancelling it first.
				Config: env.provider("") + baseJob(env.taskAppURL, `timeouts = { create = "3s" }`),
				ConfigPlanChecks: tfresource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(jobAddr, plancheck.ResourceActionReplace)},
				},
				ExpectError: regexp.MustCompile(`Timed out waiting for the RL job`),
			},
		},
	})
	jobs := env.emu.Jobs()
	if len(jobs) != 2 {
		t.Fatalf("backend holds %d jobs, want 2 (the timed-out job and its replacement)", len(jobs))
	}
	if first := jobs[0]; first.CancelRequests != 1 || first.Status != "cancelled" {
		t.Fatalf("the replaced job got %d cancels and is %q; want 1 cancel and cancelled", first.CancelRequests, first.Status)
	}
}

func TestRLJob_userAgentOnEveryRequest(t *testing.T) {
	env := newTestEnv(t, emulator.Options{})

	tfresource.UnitTest(t, tfresource.TestCase{
		ProtoV6ProviderFactories: testProviderFactories,
		Steps:                    []tfresource.TestStep{{Config: env.provider("") + baseJob(env.taskAppURL, "")}},
	})
	want := regexp.MustCompile(`^terraform-provider-synth/test terraform/1\.\d+\.\d+`)
	requests := env.emu.Requests()
	if len(requests) == 0 {
		t.Fatal("no requests recorded")
	}
	for _, r := range requests {
		if ua := r.Header.Get("User-Agent"); !want.MatchString(ua) {
			t.Errorf("%s %s %s: User-Agent %q does not match %s", r.Target, r.Method, r.Path, ua, want)
		}
	}
}

// TestRLJob_interruptedWaitKeepsTheJobInState stands in for Ctrl-C, which
// terraform-plugin-testing cannot send: Terraform cancels the request's
// context, and the job id must come back in state with an error that says
// the job is still running and how to keep it.
func TestRLJob_interruptedWaitKeepsTheJobInState(t *testing.T) {
	env := newTestEnv(t, emulator.Options{RunTime: time.Hour})
	api, err := synthapi.NewClient(env.backendURL, testAPIKey)
	if err != nil {
		t.Fatal(err)
	}
	job, err := api.CreateJob(t.Context(), map[string]any{
		"job_type": "rl",
		"compute":  map[string]any{},
		"data": map[string]any{
			"endpoint_base_url": env.taskAppURL,
			"base_model":        "Qwen/Qwen3-4B",
			"config": map[string]any{
				"model":    map[string]any{"base": "Qwen/Qwen3-4B"},
				"services": map[string]any{"task_url": env.taskAppURL},
			},
		},
		"tags":     map[string]any{"source": "test"},
		"metadata": map[string]any{"backend_base_url": env.backendURL + "/api"},
	}, "interrupt-test")
	if err != nil {
		t.Fatal(err)
	}

	r := &rlJobResource{data: &providerData{}}
	var plan rlJobModel
	state := seededJobState(t, r, job, &plan)

	rpcCtx, interrupt := context.WithCancel(t.Context())
	time.AfterFunc(200*time.Millisecond, interrupt)
	var diags diag.Diagnostics
	r.waitAndRecord(rpcCtx, rpcCtx, api, &plan, time.Hour, &state, afterCreate, &diags)

	if !diags.HasError() {
		t.Fatal("an interrupted wait reported no error")
	}
	if summary := diags.Errors()[0].Summary(); summary != "Interrupted while waiting for the RL job" {
		t.Errorf("interrupt reported as %q", summary)
	}
	detail := diags.Errors()[0].Detail()
	for _, want := range []string{job.ID, "still", "untaint"} {
		if !strings.Contains(detail, want) {
			t.Errorf("interrupt error %q does not mention %q", detail, want)
		}
	}
	var saved types.String
	state.GetAttribute(t.Context(), path.Root("id"), &saved)
	if saved.ValueString() != job.ID {
		t.Fatalf("state id after interrupt = %q, want %q", saved.ValueString(), job.ID)
	}
}

// seededJobState is the state of a job resource r that knows only job's id
// and status, as after a create, read into model too.
func seededJobState(t *testing.T, r resource.Resource, job *synthapi.Job, model any) tfsdk.State {
	t.Helper()
	var schemaResp resource.SchemaResponse
	r.Schema(t.Context(), resource.SchemaRequest{}, &schemaResp)
	state := tfsdk.State{Schema: schemaResp.Schema, Raw: tftypes.NewValue(schemaResp.Schema.Type().TerraformType(t.Context()), nil)}
	var seeding diag.Diagnostics
	seeding.Append(state.SetAttribute(t.Context(), path.Root("id"), job.ID)...)
	seeding.Append(state.SetAttribute(t.Context(), path.Root("status"), job.Status)...)
	seeding.Append(state.Get(t.Context(), model)...)
	if seeding.HasError() {
		t.Fatalf("seeding state: %v", seeding)
	}
	return state
}

func TestRLJob_unknownStatusCountsAsRunning(t *testing.T) {
	env := newTestEnv(t, emulator.Options{RunTime: time.Hour})
	config := env.provider("") + baseJob(env.taskAppURL, "wait_for_completion = false")
	var jobID string

	tfresource.UnitTest(t, tfresource.TestCase{
		ProtoV6ProviderFactories: testProviderFactories,
		Steps: []tfresource.TestStep{
			{
				Config: config,
				Check:  recordJobID(&jobID),
			},
			{
				PreConfig: func() { env.emu.SetJobStatus(jobID, "Warming_Up_GPUs") },
				Config:    config,
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(jobAddr, tfjsonpath.New("status"), knownvalue.StringExact("warming_up_gpus")),
				},
			},
		},
		// Still running as far as the provider can tell, so destroy cancels it.
		CheckDestroy: func(*terraform.State) error {
			if job, _ := env.emu.Job(jobID); job.CancelRequests != 1 {
				return fmt.Errorf("job in an unknown state got %d cancel requests, want 1", job.CancelRequests)
			}
			return nil
		},
	})
}

func TestRLJob_badBackendAnswersAreClearErrors(t *testing.T) {
	cases := map[string]struct {
		fault emulator.Fault
		want  string
	}{
		"create answer without an id": {
			fault: emulator.Fault{Status: 201, Body: `{"status": "queued"}`},
			want:  `(?s)Could not submit the RL job.*names no\s+job.*idempotency\s+key`,
		},
		"proxy HTML page": {
			fault: emulator.Fault{Status: 502, Times: -1, ContentType: "text/html",
				Body: "<html><head><title>502 Bad Gateway</title></head><body>" + strings.Repeat("<p>nginx</p>", 200) + "</body></html>"},
			want: `(?s)Could not submit the RL job.*HTTP 502 after 3 attempts.*502\s+Bad\s+Gateway`,
		},
		"non-JSON success": {
			fault: emulator.Fault{Status: 200, Body: "ok", ContentType: "text/plain"},
			want:  `(?s)Could not submit the RL job.*HTTP 200\): decoding job: not JSON: "ok"`,
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			env := newTestEnv(t, emulator.Options{})
			tc.fault.Target, tc.fault.Method, tc.fault.Path = "backend", "POST", "/api/rl/jobs"
			env.emu.InjectFault(tc.fault)
			tfresource.UnitTest(t, tfresource.TestCase{
				ProtoV6ProviderFactories: testProviderFactories,
				Steps: []tfresource.TestStep{{
					Config:      env.provider("") + baseJob(env.taskAppURL, ""),
					ExpectError: regexp.MustCompile(tc.want),
				}},
			})
			if n := len(env.emu.Jobs()); n != 0 {
				t.Fatalf("backend holds %d jobs, want none", n)
			}
		})
	}
}

// TestRLJob_pollingSurvivesBlips makes two polls in a row fail after all of
// their retries: the wait logs them and goes on to see the job succeed.
func TestRLJob_pollingSurvivesBlips(t *testing.T) {
	env := newTestEnv(t, emulator.Options{RunTime: 2 * time.Second})
	// The provider below retries twice, so six failures are two whole polls.
	// Only polls read the backend with GET during a create.
	env.emu.InjectFault(emulator.Fault{Target: "backend", Method: "GET", Status: 503, RetryAfter: "0", Times: 6})

	tfresource.UnitTest(t, tfresource.TestCase{
		ProtoV6ProviderFactories: testProviderFactories,
		Steps: []tfresource.TestStep{{
			Config: env.provider("") + baseJob(env.taskAppURL, ""),
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(jobAddr, tfjsonpath.New("status"), knownvalue.StringExact("succeeded")),
			},
			Check: func(*terraform.State) error {
				failed := 0
				for _, r := range env.emu.Requests() {
					if r.Target == "backend" && r.Method == "GET" && r.Status == 503 {
						failed++
					}
				}
				if failed != 6 {
					return fmt.Errorf("backend answered %d polls with 503, want 6", failed)
				}
				return nil
			},
		}},
	})
}
