package provider

import (
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/querycheck"
	"github.com/hashicorp/terraform-plugin-testing/querycheck/queryfilter"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"
	"github.com/hashicorp/terraform-plugin-testing/tfversion"

	"github.com/synth-laboratories/terraform-provider-synth/internal/emulator"
)

// queryTest runs the list blocks in query against env on Terraform >= 1.14.
// Query mode needs a configuration step first; the provider block is all it
// has.
func queryTest(t *testing.T, env *testEnv, query string, checks ...querycheck.QueryResultCheck) {
	t.Helper()
	resource.UnitTest(t, resource.TestCase{
		TerraformVersionChecks:   []tfversion.TerraformVersionCheck{tfversion.SkipBelow(tfversion.Version1_14_0)},
		ProtoV6ProviderFactories: testProviderFactories,
		Steps: []resource.TestStep{
			{Config: env.provider("")},
			{Query: true, Config: query, QueryResultChecks: checks},
		},
	})
}

func hasID(id string) queryfilter.QueryFilter {
	return queryfilter.ByResourceIdentity(map[string]knownvalue.Check{"id": knownvalue.StringExact(id)})
}

func expectIDs(list string, ids ...string) []querycheck.QueryResultCheck {
	checks := []querycheck.QueryResultCheck{querycheck.ExpectLength(list, len(ids))}
	for _, id := range ids {
		checks = append(checks, querycheck.ExpectIdentity(list, map[string]knownvalue.Check{"id": knownvalue.StringExact(id)}))
	}
	return checks
}

func TestListRLJob_filters(t *testing.T) {
	clock := emulator.NewManualClock(time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC))
	env := newTestEnv(t, emulator.Options{QueueTime: time.Minute, RunTime: 10 * time.Minute, Clock: clock})

	baseline := env.seedTaggedJob(t, "Qwen/Qwen3-4B", map[string]any{"team": "search", "label": "baseline"})
	clock.Advance(time.Hour)
	small := env.seedTaggedJob(t, "Qwen/Qwen3-0.6B", map[string]any{"team": "search"})
	env.emu.SetNextOutcome(emulator.Outcome{Status: "completed"}) // the backend's other word for success
	completed := env.seedJob(t, "Qwen/Qwen3-4B")
	env.emu.SetNextOutcome(emulator.Outcome{Status: "failed", Reason: "out of memory"})
	failed := env.seedJob(t, "Qwen/Qwen3-4B")
	env.emu.SetNextOutcome(emulator.Outcome{Status: "canceled"}) // the backend's other spelling
	cancelled := env.seedJob(t, "Qwen/Qwen3-4B")
	clock.Advance(time.Hour) // all five have finished
	env.emu.SetNextOutcome(emulator.Outcome{Status: "running"})
	running := env.seedJob(t, "Qwen/Qwen3-4B")
	fromSource := env.seedJob(t, "rl:Qwen/Qwen3-0.6B:"+small+":checkpoint-epoch-1") // still queued
	clock.Advance(30 * time.Second)
	env.emu.SetNextOutcome(emulator.Outcome{Status: "running"})
	queued := env.seedJob(t, "Qwen/Qwen3-4B")
	clock.Advance(45 * time.Second) // queued has not started yet; the others have

	checks := []querycheck.QueryResultCheck{}
	checks = append(checks, expectIDs("synth_rl_job.succeeded", baseline, small, completed)...)
	checks = append(checks, expectIDs("synth_rl_job.running_4b", running)...)
	checks = append(checks, expectIDs("synth_rl_job.ended_badly", failed, cancelled)...)
	checks = append(checks, expectIDs("synth_rl_job.queued_or_running", running, fromSource, queued)...)
	checks = append(checks, expectIDs("synth_rl_job.queued", queued)...)
	checks = append(checks, expectIDs("synth_rl_job.search_team", baseline, small)...)
	checks = append(checks, expectIDs("synth_rl_job.from_source", fromSource)...)
	checks = append(checks, expectIDs("synth_rl_job.first_hour", baseline)...)
	checks = append(checks, expectIDs("synth_rl_job.later", small, completed, failed, cancelled)...)
	checks = append(checks, querycheck.ExpectLength("synth_rl_job.two", 2),
		querycheck.ExpectResourceDisplayName("synth_rl_job.search_team", hasID(baseline),
			knownvalue.StringExact(baseline+" · succeeded · Qwen/Qwen3-4B · baseline · created 2026-03-01T09:00:00Z")),
		querycheck.ExpectResourceDisplayName("synth_rl_job.from_source", hasID(fromSource),
			knownvalue.StringRegexp(regexp.MustCompile(`^`+fromSource+` · running · rl:Qwen/Qwen3-0\.6B:`))),
	)

	queryTest(t, env, `
list "synth_rl_job" "succeeded" {
  provider = synth
  config {
    status = ["succeeded"]
  }
}

list "synth_rl_job" "running_4b" {
  provider = synth
  config {
    status = ["running"]
    model  = "Qwen/Qwen3-4B"
  }
}

list "synth_rl_job" "ended_badly" {
  provider = synth
  config {
    status = ["failed", "cancelled"]
  }
}

list "synth_rl_job" "queued_or_running" {
  provider = synth
  config {
    status = ["queued", "running"]
  }
}

list "synth_rl_job" "queued" {
  provider = synth
  config {
    status = ["queued"]
  }
}

list "synth_rl_job" "search_team" {
  provider = synth
  config {
    tags = { team = "search" }
  }
}

list "synth_rl_job" "from_source" {
  provider = synth
  config {
    model = "rl:Qwen/Qwen3-0.6B:`+small+`:checkpoint-epoch-1"
  }
}

list "synth_rl_job" "first_hour" {
  provider = synth
  config {
    created_before = "2026-03-01T09:30:00Z"
  }
}

list "synth_rl_job" "later" {
  provider = synth
  config {
    created_after  = "2026-03-01T09:30:00Z"
    created_before = "2026-03-01T10:30:00Z"
  }
}

list "synth_rl_job" "two" {
  provider = synth
  limit    = 2
  config {}
}
`, checks...)
}

func TestListRLJob_pagesThroughTheList(t *testing.T) {
	env := newTestEnv(t, emulator.Options{QueueTime: -1, RunTime: -1})
	// More jobs than one page of 100, with a failed one on each page.
	var failed []string
	for i := range 105 {
		if i == 3 || i == 103 {
			env.emu.SetNextOutcome(emulator.Outcome{Status: "failed", Reason: "diverged"})
		}
		id := env.seedJob(t, "Qwen/Qwen3-4B")
		if i == 3 || i == 103 {
			failed = append(failed, id)
		}
	}

	checks := expectIDs("synth_rl_job.failed", failed...)
	checks = append(checks,
		querycheck.ExpectLength("synth_rl_job.succeeded", 103),
		querycheck.ExpectLength("synth_rl_job.default_limit", 100))
	queryTest(t, env, `
list "synth_rl_job" "failed" {
  provider = synth
  config {
    status = ["failed"]
  }
}

list "synth_rl_job" "succeeded" {
  provider = synth
  limit    = 500
  config {
    status = ["succeeded"]
  }
}

list "synth_rl_job" "default_limit" {
  provider = synth
  config {}
}
`, checks...)

	var paged bool
	for _, q := range env.listQueries() {
		paged = paged || strings.Contains(q, "after=")
	}
	if !paged {
		t.Errorf("the list was read without a second page: %v", env.listQueries())
	}
}

func TestListRLJob_includeResource(t *testing.T) {
	env := newTestEnv(t, emulator.Options{QueueTime: -1, RunTime: -1})
	id := env.seedTaggedJob(t, "Qwen/Qwen3-4B", map[string]any{"team": "search"})
	env.seedJob(t, "Qwen/Qwen3-0.6B")

	queryTest(t, env, `
list "synth_rl_job" "full" {
  provider         = synth
  include_resource = true
  config {
    tags = { team = "search" }
  }
}
`,
		querycheck.ExpectLength("synth_rl_job.full", 1),
		querycheck.ExpectResourceKnownValues("synth_rl_job.full", hasID(id), []querycheck.KnownValueCheck{
			{Path: tfjsonpath.New("id"), KnownValue: knownvalue.StringExact(id)},
			{Path: tfjsonpath.New("status"), KnownValue: knownvalue.StringExact("succeeded")},
			{Path: tfjsonpath.New("model"), KnownValue: knownvalue.ObjectPartial(map[string]knownvalue.Check{
				"base": knownvalue.StringExact("Qwen/Qwen3-4B"), "source": knownvalue.Null(),
			})},
			{Path: tfjsonpath.New("services").AtMapKey("task_url"), KnownValue: knownvalue.StringExact(env.taskAppURL)},
			{Path: tfjsonpath.New("training").AtMapKey("batch_size"), KnownValue: knownvalue.Int64Exact(16)},
			{Path: tfjsonpath.New("tags"), KnownValue: knownvalue.MapExact(map[string]knownvalue.Check{"team": knownvalue.StringExact("search")})},
			{Path: tfjsonpath.New("task_app_url"), KnownValue: knownvalue.StringExact(env.taskAppURL)},
			{Path: tfjsonpath.New("output_model_id"), KnownValue: knownvalue.StringRegexp(regexp.MustCompile(`^rl:Qwen/Qwen3-4B:` + id))},
			{Path: tfjsonpath.New("effective_config"), KnownValue: knownvalue.StringRegexp(regexp.MustCompile(fmt.Sprintf(`"task_url":%q`, env.taskAppURL)))},
		}),
	)
}
