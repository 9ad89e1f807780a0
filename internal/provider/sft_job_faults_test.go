package provider

import (
	"context"
	"fmt"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/types"
	tfresource "github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/synth-laboratories/terraform-provider-synth/internal/emulator"
	"github.com/synth-laboratories/terraform-provider-synth/internal/rlconfig"
)

// uploadedSFTJob is an SFT job trained on a file uploaded beforehand, as
// another tool would have: the job is then the only resource, and the
// backend sees no requests but the job's.
func uploadedSFTJob(t *testing.T, env *testEnv, extra string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "train.jsonl")
	writeTrainingFile(t, p, datasetV1)
	return sftJobBlock(fmt.Sprintf("%q", uploadWithClient(t, env, p)), extra)
}

// expectOneSFTJob checks that every create carried the same Idempotency-Key
// and that the backend holds exactly one SFT job: the one in state.
func expectOneSFTJob(env *testEnv, wantAttempts int) func(*terraform.State) error {
	return func(s *terraform.State) error {
		var keys []string
		for _, r := range env.emu.Requests() {
			if r.Method == "POST" && r.Path == sftCreatePath {
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
		jobs := env.sftJobs()
		if len(jobs) != 1 {
			return fmt.Errorf("backend holds %d SFT jobs, want exactly 1", len(jobs))
		}
		if id := s.RootModule().Resources[sftJobAddr].Primary.ID; id != jobs[0].ID {
			return fmt.Errorf("state holds job %q, backend holds %q", id, jobs[0].ID)
		}
		return nil
	}
}

func TestSFTJob_createThrottledWith429StartsOneJob(t *testing.T) {
	env := newTestEnv(t, emulator.Options{SFT: emulator.SFTOptions{FileReadyLag: -1, ModelLag: -1}})
	env.emu.InjectFault(emulator.Fault{Target: "backend", Method: "POST", Path: sftCreatePath, Status: 429, RetryAfter: "1"})
	config := env.provider("") + uploadedSFTJob(t, env, "")

	tfresource.UnitTest(t, tfresource.TestCase{
		ProtoV6ProviderFactories: testProviderFactories,
		Steps: []tfresource.TestStep{{
			Config: config,
			// With every input known, the plan shows the request it sends.
			ConfigPlanChecks: tfresource.ConfigPlanChecks{
				PreApply: []plancheck.PlanCheck{plancheck.ExpectKnownValue(sftJobAddr, tfjsonpath.New("effective_config"),
					knownvalue.StringRegexp(regexp.MustCompile(`"training_file_id":"file_`)))},
			},
			Check: tfresource.ComposeAggregateTestCheckFunc(expectOneSFTJob(env, 2), func(*terraform.State) error {
				// The retry honoured Retry-After: it came at least a second later.
				var at []time.Time
				for _, r := range env.emu.Requests() {
					if r.Method == "POST" && r.Path == sftCreatePath {
						at = append(at, r.At)
					}
				}
				if gap := at[1].Sub(at[0]); gap < 900*time.Millisecond {
					return fmt.Errorf("the retry came %s after the 429, before its Retry-After of 1s", gap)
				}
				return nil
			}),
		}},
	})
}

// The create answer is lost on every attempt; the job the first attempt
// made is found in the listing and adopted, and no second job is started.
func TestSFTJob_lostCreateAnswerAdoptsTheJob(t *testing.T) {
	env := newTestEnv(t, emulator.Options{SFT: emulator.SFTOptions{FileReadyLag: -1, ModelLag: -1}})
	env.emu.InjectFault(emulator.Fault{Target: "backend", Method: "POST", Path: sftCreatePath, DropAfterHandling: true, Times: -1})
	config := env.provider("") + uploadedSFTJob(t, env, "")

	tfresource.UnitTest(t, tfresource.TestCase{
		ProtoV6ProviderFactories: testProviderFactories,
		Steps: []tfresource.TestStep{{
			Config: config,
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(sftJobAddr, tfjsonpath.New("status"), knownvalue.StringExact("succeeded")),
				statecheck.ExpectKnownValue(sftJobAddr, tfjsonpath.New("fine_tuned_model"), sftModelID),
			},
			Check: func(*terraform.State) error {
				if n := len(env.sftJobs()); n != 1 {
					return fmt.Errorf("backend holds %d SFT jobs, want exactly 1", n)
				}
				if n := env.countSFTCreates(); n < 2 {
					return fmt.Errorf("%d create attempts: the fault did not cost the answer of a retried create", n)
				}
				return nil
			},
		}},
	})
}

// Polls that fail with 502 after all their retries are logged, and the
// wait goes on to see the job succeed.
func TestSFTJob_pollingSurvives502s(t *testing.T) {
	env := newTestEnv(t, emulator.Options{RunTime: 2 * time.Second, SFT: emulator.SFTOptions{FileReadyLag: -1, ModelLag: -1}})
	config := env.provider("") + uploadedSFTJob(t, env, "")
	// Once the job is started, the provider below (two retries) meets six
	// 502s in a row: two whole polls.
	var once sync.Once
	env.emu.OnRequest(func(r emulator.Request) {
		if id, ok := strings.CutSuffix(strings.TrimPrefix(r.Path, sftCreatePath+"/"), "/start"); ok && r.Method == "POST" {
			once.Do(func() {
				env.emu.InjectFault(emulator.Fault{Target: "backend", Method: "GET", Path: sftCreatePath + "/" + id, Status: 502, RetryAfter: "0", Times: 6})
			})
		}
	})

	tfresource.UnitTest(t, tfresource.TestCase{
		ProtoV6ProviderFactories: testProviderFactories,
		Steps: []tfresource.TestStep{{
			Config: config,
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(sftJobAddr, tfjsonpath.New("status"), knownvalue.StringExact("succeeded")),
			},
			Check: func(*terraform.State) error {
				failed := 0
				for _, r := range env.emu.Requests() {
					if r.Method == "GET" && r.Status == 502 {
						failed++
					}
				}
				if failed != 6 {
					return fmt.Errorf("backend answered %d polls with 502, want 6", failed)
				}
				return nil
			},
		}},
	})
}

// Ctrl-C, which terraform-plugin-testing cannot send, cancels the request's
// context: the job id stays in state with an error that says the job still
// runs and how to keep it.
func TestSFTJob_interruptedWaitKeepsTheJobInState(t *testing.T) {
	env := newTestEnv(t, emulator.Options{RunTime: time.Hour, SFT: emulator.SFTOptions{FileReadyLag: -1}})
	p := filepath.Join(t.TempDir(), "train.jsonl")
	writeTrainingFile(t, p, datasetV1)
	resolved, found := rlconfig.ResolveSFT(rlconfig.SFTInput{Overrides: rlconfig.SFTOverrides{
		Values:         rlconfig.Values{"model": {"base": sftTestBase}, "compute": {"gpu_type": "H100"}},
		TrainingFileID: uploadWithClient(t, env, p),
	}})
	if found.HasError() {
		t.Fatal(found)
	}
	api := testClient(t, env)
	job, err := api.SFT().CreateJob(t.Context(), rlconfig.BuildSFTPayload(resolved), "interrupt-test")
	if err != nil {
		t.Fatal(err)
	}

	r := &sftJobResource{data: &providerData{}}
	var plan sftJobModel
	state := seededJobState(t, r, job, &plan)

	rpcCtx, interrupt := context.WithCancel(t.Context())
	time.AfterFunc(200*time.Millisecond, interrupt)
	var diags diag.Diagnostics
	r.waitAndResolve(rpcCtx, rpcCtx, api, &plan, time.Hour, &state, afterCreate, &diags)

	if !diags.HasError() || diags.Errors()[0].Summary() != "Interrupted while waiting for the SFT job" {
		t.Fatalf("interrupt reported as %v", diags)
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

var sftHardKill = hardKillKind{
	noun: "SFT job", jobsPath: sftCreatePath + "/", address: sftJobAddr,
	model: "fine_tuned_model", modelPrefix: sftModelPrefix,
}

// SIGKILL mid-wait, then recovery by import, with a real CLI.
func TestSFTJob_hardKillMidWaitRecoversByImport(t *testing.T) {
	testHardKillRecovery(t, sftHardKill, emulator.Options{SFT: emulator.SFTOptions{FileReadyLag: -1}}, func(env *testEnv) string {
		return uploadedSFTJob(t, env, "")
	})
}
