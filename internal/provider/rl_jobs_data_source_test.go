package provider

import (
	"fmt"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/synth-laboratories/terraform-provider-synth/internal/emulator"
)

// listShapes are the two answers GET /rl/jobs may give (§2).
var listShapes = map[string]emulator.Dialect{
	"object": {},
	"array":  {ListAsArray: true},
}

// jobIDs expects a list of jobs with exactly these ids, in this order.
func jobIDs(ids ...string) knownvalue.Check {
	checks := make([]knownvalue.Check, len(ids))
	for i, id := range ids {
		checks[i] = knownvalue.ObjectPartial(map[string]knownvalue.Check{"id": knownvalue.StringExact(id)})
	}
	return knownvalue.ListExact(checks)
}

// listQueries returns the distinct queries of GET /api/rl/jobs, sorted.
func (env *testEnv) listQueries() []string {
	var out []string
	for _, r := range env.emu.Requests() {
		if r.Target == emulator.TargetBackend && r.Method == "GET" && r.Path == "/api/rl/jobs" {
			q, _ := url.ParseQuery(r.RawQuery)
			out = append(out, q.Encode())
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}

func expectListQueries(env *testEnv, want ...string) resource.TestCheckFunc {
	return func(*terraform.State) error {
		slices.Sort(want)
		if got := env.listQueries(); !slices.Equal(got, want) {
			return fmt.Errorf("list queries:\n  got  %s\n  want %s", strings.Join(got, "\n       "), strings.Join(want, "\n       "))
		}
		return nil
	}
}

func TestRLJobsDataSource_limitAndDefault(t *testing.T) {
	for shape, dialect := range listShapes {
		t.Run(shape, func(t *testing.T) {
			env := newTestEnv(t, emulator.Options{QueueTime: -1, RunTime: -1, Dialect: dialect})
			var ids []string
			for range 5 {
				ids = append(ids, env.seedJob(t, "Qwen/Qwen3-4B"))
			}

			resource.UnitTest(t, resource.TestCase{
				ProtoV6ProviderFactories: testProviderFactories,
				Steps: []resource.TestStep{{
					Config: env.provider("") + `
data "synth_rl_jobs" "three" {
  limit = 3
}

data "synth_rl_jobs" "all" {}
`,
					ConfigStateChecks: []statecheck.StateCheck{
						statecheck.ExpectKnownValue("data.synth_rl_jobs.three", tfjsonpath.New("jobs"), jobIDs(ids[:3]...)),
						statecheck.ExpectKnownValue("data.synth_rl_jobs.all", tfjsonpath.New("jobs"), jobIDs(ids...)),
						statecheck.ExpectKnownValue("data.synth_rl_jobs.all", tfjsonpath.New("limit"), knownvalue.Null()),
						statecheck.ExpectKnownValue("data.synth_rl_jobs.three", tfjsonpath.New("jobs").AtSliceIndex(0), knownvalue.ObjectExact(map[string]knownvalue.Check{
							"id":              knownvalue.StringExact(ids[0]),
							"status":          knownvalue.StringExact("succeeded"),
							"created_at":      knownvalue.StringRegexp(rfc3339),
							"finished_at":     knownvalue.StringRegexp(rfc3339),
							"model_id":        knownvalue.Null(),
							"base_model":      knownvalue.StringExact("Qwen/Qwen3-4B"),
							"output_model_id": knownvalue.StringRegexp(regexp.MustCompile(`^rl:Qwen/Qwen3-4B:`)),
						})),
					},
					// One page each: three jobs, and the default of 20.
					Check: expectListQueries(env, "limit=3", "limit=20"),
				}},
			})
		})
	}
}

func TestRLJobsDataSource_filters(t *testing.T) {
	env := newTestEnv(t, emulator.Options{QueueTime: -1, RunTime: -1})
	small := env.seedJob(t, "Qwen/Qwen3-0.6B")
	env.seedJob(t, "Qwen/Qwen3-4B")
	env.emu.SetNextOutcome(emulator.Outcome{Status: "running"})
	failed := env.seedJob(t, "Qwen/Qwen3-4B")
	env.emu.FailJob(failed, "out of memory")
	fromSource := env.seedJob(t, "rl:Qwen/Qwen3-0.6B:"+small+":checkpoint-epoch-1")

	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testProviderFactories,
		Steps: []resource.TestStep{{
			Config: env.provider("") + `
data "synth_rl_jobs" "failed" {
  status = "failed"
}

data "synth_rl_jobs" "small" {
  model = "Qwen/Qwen3-0.6B"
}

data "synth_rl_jobs" "none" {
  status = "cancelled"
}
`,
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue("data.synth_rl_jobs.failed", tfjsonpath.New("jobs"), knownvalue.ListExact([]knownvalue.Check{
					knownvalue.ObjectPartial(map[string]knownvalue.Check{
						"id":              knownvalue.StringExact(failed),
						"status":          knownvalue.StringExact("failed"),
						"output_model_id": knownvalue.Null(),
					}),
				})),
				statecheck.ExpectKnownValue("data.synth_rl_jobs.small", tfjsonpath.New("jobs"), jobIDs(small, fromSource)),
				statecheck.ExpectKnownValue("data.synth_rl_jobs.small", tfjsonpath.New("jobs").AtSliceIndex(1).AtMapKey("model_id"),
					knownvalue.StringExact("rl:Qwen/Qwen3-0.6B:"+small+":checkpoint-epoch-1")),
				statecheck.ExpectKnownValue("data.synth_rl_jobs.none", tfjsonpath.New("jobs"), knownvalue.ListExact([]knownvalue.Check{})),
			},
			Check: expectListQueries(env, "limit=20&status=failed", "limit=20&model=Qwen%2FQwen3-0.6B", "limit=20&status=cancelled"),
		}},
	})
}

// TestRLJobsDataSource_followsCursor lists more jobs than one page holds
// (100): the second page is asked for after the first page's last job.
func TestRLJobsDataSource_followsCursor(t *testing.T) {
	for shape, dialect := range listShapes {
		t.Run(shape, func(t *testing.T) {
			env := newTestEnv(t, emulator.Options{QueueTime: -1, RunTime: -1, Dialect: dialect})
			var ids []string
			for range 105 {
				ids = append(ids, env.seedJob(t, "Qwen/Qwen3-4B"))
			}

			resource.UnitTest(t, resource.TestCase{
				ProtoV6ProviderFactories: testProviderFactories,
				Steps: []resource.TestStep{
					{
						// The second page is cut to the limit.
						Config: env.provider("") + `
data "synth_rl_jobs" "test" {
  limit = 103
}
`,
						ConfigStateChecks: []statecheck.StateCheck{
							statecheck.ExpectKnownValue("data.synth_rl_jobs.test", tfjsonpath.New("jobs"), jobIDs(ids[:103]...)),
						},
						Check: expectListQueries(env, "limit=100", "after="+ids[99]+"&limit=100"),
					},
					{
						// The list ends before the limit: a short page has no next one.
						PreConfig: env.emu.ResetRequests,
						Config: env.provider("") + `
data "synth_rl_jobs" "test" {
  limit = 500
}
`,
						ConfigStateChecks: []statecheck.StateCheck{
							statecheck.ExpectKnownValue("data.synth_rl_jobs.test", tfjsonpath.New("jobs"), jobIDs(ids...)),
						},
						Check: expectListQueries(env, "limit=100", "after="+ids[99]+"&limit=100"),
					},
				},
			})
		})
	}
}
