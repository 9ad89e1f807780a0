package provider

import (
	"context"
	"fmt"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	tfresource "github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/synth-laboratories/terraform-provider-synth/internal/emulator"
	"github.com/synth-laboratories/terraform-provider-synth/internal/rlconfig"
	"github.com/synth-laboratories/terraform-provider-synth/internal/synthapi"
)

// seedIdenticalJob submits, as another workspace would, the job baseJob
// describes.
func seedIdenticalJob(t *testing.T, env *testEnv) string {
	t.Helper()
	id, err := submitIdenticalJob(env)
	if err != nil {
		t.Fatalf("seeding a job: %v", err)
	}
	return id
}

// submitIdenticalJob is seedIdenticalJob for goroutines that must not stop
// the test.
func submitIdenticalJob(env *testEnv) (string, error) {
	resolved, found := rlconfig.Resolve(rlconfig.Input{Overrides: rlconfig.Overrides{Values: rlconfig.Values{
		"model":    {"base": "Qwen/Qwen3-4B"},
		"services": {"task_url": env.taskAppURL},
	}}})
	if found.HasError() {
		return "", fmt.Errorf("resolving the seed config: %v", found)
	}
	api, err := synthapi.NewClient(env.backendURL, testAPIKey)
	if err != nil {
		return "", err
	}
	job, err := api.CreateJob(context.Background(), rlconfig.BuildPayload(resolved, env.backendURL+"/api"), synthapi.NewIdempotencyKey())
	if err != nil {
		return "", err
	}
	return job.ID, nil
}

// identicalJobError matches the plan error for a running identical job: it
// names the job and shows the import block and the way out.
func identicalJobError(id string) *regexp.Regexp {
	return regexp.MustCompile(`(?s)An identical RL job is already running.*` + regexp.QuoteMeta(id) +
		`.*import \{\s+to = <this resource>\s+id = "` + regexp.QuoteMeta(id) + `"\s+\}.*allow_duplicate = true`)
}

func TestRLJob_identicalRunningJobFailsPlan(t *testing.T) {
	for name, omit := range map[string]bool{"list carries config": false, "list omits config": true} {
		t.Run(name, func(t *testing.T) {
			env := newTestEnv(t, emulator.Options{RunTime: time.Hour, Dialect: emulator.Dialect{ListOmitsConfig: omit}})
			id := seedIdenticalJob(t, env)
			env.emu.ResetRequests()

			tfresource.UnitTest(t, tfresource.TestCase{
				ProtoV6ProviderFactories: testProviderFactories,
				Steps: []tfresource.TestStep{{
					Config:      env.provider("") + baseJob(env.taskAppURL, ""),
					ExpectError: identicalJobError(id),
				}},
			})
			if n := env.countCreates(); n != 0 {
				t.Errorf("%d creates sent, want none", n)
			}
			requireStatusListings(t, env, time.Now())
			gets := env.emu.Count("backend", "GET", "/api/rl/jobs/"+id)
			if omit && gets != 1 || !omit && gets != 0 {
				t.Errorf("list omits config = %v: %d GETs of the candidate", omit, gets)
			}
		})
	}
}

// requireStatusListings checks that the identical-job check asked the
// backend for one listing per status, each from its own lookback, and
// nothing else: what is running, not what the org ever ran.
func requireStatusListings(t *testing.T, env *testEnv, checkedAt time.Time) {
	t.Helper()
	want := map[string]time.Duration{"queued": dupLookback, "running": dupLookback, "succeeded": dupSucceededWindow}
	got := map[string]int{}
	for _, r := range env.emu.Requests() {
		if r.Target != emulator.TargetBackend || r.Method != "GET" || r.Path != "/api/rl/jobs" {
			continue
		}
		q, _ := url.ParseQuery(r.RawQuery)
		status := q.Get("status")
		lookback, ok := want[status]
		if !ok {
			t.Errorf("listing without a status the check needs: %s", r.RawQuery)
			continue
		}
		got[status]++
		after, err := time.Parse(time.RFC3339, q.Get("created_after"))
		if err != nil || after.Sub(checkedAt.Add(-lookback)).Abs() > time.Minute {
			t.Errorf("listing of %s jobs created after %q, want about %s before the check", status, q.Get("created_after"), lookback)
		}
	}
	for status := range want {
		if got[status] != 1 {
			t.Errorf("%d listings of %s jobs, want 1", got[status], status)
		}
	}
}

func TestRLJob_identicalJobWithDifferentConfigIsNotFlagged(t *testing.T) {
	// The seeded job runs for the whole test, so a wrong match would be an
	// error, not the warning a recent success earns.
	env := newTestEnv(t, emulator.Options{RunTime: time.Hour})
	seedIdenticalJob(t, env)

	tfresource.UnitTest(t, tfresource.TestCase{
		ProtoV6ProviderFactories: testProviderFactories,
		Steps: []tfresource.TestStep{{
			Config: env.provider("") + baseJob(env.taskAppURL, `
  wait_for_completion = false
  training = {
    batch_size = 8
  }
`),
			Check: func(*terraform.State) error {
				if n := env.countCreates(); n != 2 {
					return fmt.Errorf("%d creates, want the seed and this one", n)
				}
				return nil
			},
		}},
	})
}

func TestRLJob_allowDuplicateSubmitsASecondJob(t *testing.T) {
	env := newTestEnv(t, emulator.Options{RunTime: time.Hour})
	seeded := seedIdenticalJob(t, env)

	tfresource.UnitTest(t, tfresource.TestCase{
		ProtoV6ProviderFactories: testProviderFactories,
		Steps: []tfresource.TestStep{{
			Config: env.provider("") + baseJob(env.taskAppURL, `
  allow_duplicate     = true
  wait_for_completion = false
`),
			Check: func(s *terraform.State) error {
				jobs := env.emu.Jobs()
				if len(jobs) != 2 {
					return fmt.Errorf("backend holds %d jobs, want 2", len(jobs))
				}
				if id := s.RootModule().Resources[jobAddr].Primary.ID; id == seeded {
					return fmt.Errorf("state holds the seeded job %s, want a new one", id)
				}
				return nil
			},
		}},
	})
}

// The job appears after the plan, while the create checks the task app: the
// check right before the POST must catch it.
func TestRLJob_identicalJobAppearingAfterPlanStopsCreate(t *testing.T) {
	env := newTestEnv(t, emulator.Options{RunTime: time.Hour})
	var once sync.Once
	var seeded string
	var seedErr error
	// The hook runs before the health answer reaches the provider (net/http
	// sends a small answer when the handler returns), so the job exists
	// before the provider can go on to submit.
	env.emu.OnRequest(func(r emulator.Request) {
		if r.Target == emulator.TargetTaskApp && r.Path == "/health" {
			once.Do(func() { seeded, seedErr = submitIdenticalJob(env) })
		}
	})

	tfresource.UnitTest(t, tfresource.TestCase{
		ProtoV6ProviderFactories: testProviderFactories,
		Steps: []tfresource.TestStep{{
			Config:      env.provider("") + baseJob(env.taskAppURL, ""),
			ExpectError: regexp.MustCompile(`An identical RL job is already running`),
		}},
	})
	if seeded == "" {
		t.Fatalf("no job was seeded while the create checked the task app: %v", seedErr)
	}
	if n := env.countCreates(); n != 1 {
		t.Errorf("%d creates, want only the seed", n)
	}
}

// Two identical siblings of one count are created together and neither
// flags the other, at plan or at apply.
func TestRLJob_identicalSiblingsDoNotFlagEachOther(t *testing.T) {
	env := newTestEnv(t, emulator.Options{})
	config := env.provider("") + strings.Replace(baseJob(env.taskAppURL, ""), `"test" {`, `"test" {
  count = 2`, 1)

	tfresource.UnitTest(t, tfresource.TestCase{
		ProtoV6ProviderFactories: testProviderFactories,
		Steps: []tfresource.TestStep{{
			Config: config,
			Check: func(*terraform.State) error {
				if n := len(env.emu.Jobs()); n != 2 {
					return fmt.Errorf("backend holds %d jobs, want 2", n)
				}
				return nil
			},
		}},
	})
}

// A replacement with the same config (a new trigger) does not flag the job
// it replaces, which is still running when the plan is made.
func TestRLJob_replacementDoesNotFlagTheJobItReplaces(t *testing.T) {
	env := newTestEnv(t, emulator.Options{RunTime: time.Hour})
	var first string

	tfresource.UnitTest(t, tfresource.TestCase{
		ProtoV6ProviderFactories: testProviderFactories,
		Steps: []tfresource.TestStep{
			{
				Config: env.provider("") + baseJob(env.taskAppURL, `
  wait_for_completion = false
  triggers            = { run = "1" }
`),
				Check: recordJobID(&first),
			},
			{
				Config: env.provider("") + baseJob(env.taskAppURL, `
  wait_for_completion = false
  triggers            = { run = "2" }
`),
				Check: func(s *terraform.State) error {
					if id := s.RootModule().Resources[jobAddr].Primary.ID; id == first {
						return fmt.Errorf("job %s was not replaced", id)
					}
					return nil
				},
			},
		},
	})
}

// The exact create answer is lost on every attempt; the job the first
// attempt made is found and adopted, and no second job is started.
func TestRLJob_lostCreateAnswerAdoptsTheJob(t *testing.T) {
	env := newTestEnv(t, emulator.Options{})
	env.emu.InjectFault(emulator.Fault{Target: "backend", Method: "POST", Path: "/api/rl/jobs", DropAfterHandling: true, Times: -1})

	tfresource.UnitTest(t, tfresource.TestCase{
		ProtoV6ProviderFactories: testProviderFactories,
		Steps: []tfresource.TestStep{{
			Config: env.provider("") + baseJob(env.taskAppURL, ""),
			Check: func(s *terraform.State) error {
				jobs := env.emu.Jobs()
				if len(jobs) != 1 {
					return fmt.Errorf("backend holds %d jobs, want exactly 1", len(jobs))
				}
				r := s.RootModule().Resources[jobAddr].Primary
				if r.ID != jobs[0].ID || r.Attributes["status"] != "succeeded" {
					return fmt.Errorf("state holds job %q (%s), backend %q", r.ID, r.Attributes["status"], jobs[0].ID)
				}
				return nil
			},
		}},
	})
	if n := env.countCreates(); n < 2 {
		t.Errorf("%d create attempts: the fault did not cost the answer of a retried create", n)
	}
}

// fakeLister serves a fixed listing; GetJob answers from full, counting calls.
type fakeLister struct {
	backend
	listed []synthapi.Job
	full   map[string]synthapi.Job
	lists  int
	gets   int
}

func (f *fakeLister) ListJobs(context.Context, synthapi.ListJobsParams) ([]synthapi.Job, string, error) {
	f.lists++
	return f.listed, "", nil
}

func (f *fakeLister) GetJob(_ context.Context, id string) (*synthapi.Job, error) {
	f.gets++
	j := f.full[id]
	return &j, nil
}

func TestDupGuardClassifiesIdenticalJobs(t *testing.T) {
	config := []byte(`{"model":{"base":"Qwen/Qwen3-4B"},"training":{"learning_rate":5e-05}}`)
	echoed := []byte(`{"training":{"learning_rate":0.00005},"model":{"base":"Qwen/Qwen3-4B"}}`)
	other := []byte(`{"model":{"base":"Qwen/Qwen3-8B"}}`)
	key, err := rlconfig.ConfigKey(config)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now().UTC()
	ago := func(d time.Duration) string { return now.Add(-d).Format(time.RFC3339) }
	api := &fakeLister{
		listed: []synthapi.Job{
			{ID: "running", Status: "running", CreatedAt: ago(time.Hour), ConfigJSON: echoed},
			{ID: "queued-no-config", Status: "queued", CreatedAt: ago(time.Minute)},
			{ID: "other", Status: "running", ConfigJSON: other},
			{ID: "failed", Status: "failed", ConfigJSON: echoed},
			{ID: "cancelled", Status: "cancelled", ConfigJSON: echoed},
			{ID: "fresh-success", Status: "succeeded", FinishedAt: ago(2 * time.Hour), ConfigJSON: echoed},
			{ID: "old-success", Status: "completed", FinishedAt: ago(30 * time.Hour), ConfigJSON: echoed},
			{ID: "sibling", Status: "running", ConfigJSON: echoed},
			{ID: "replaced", Status: "running", ConfigJSON: echoed},
		},
		full: map[string]synthapi.Job{"queued-no-config": {ID: "queued-no-config", ConfigJSON: echoed}},
	}
	g := newDupGuard(rlFamily)
	g.recordSubmitted("sibling")
	found, err := g.findIdentical(context.Background(), api, key, "replaced", time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if got := joinJobIDs(found.active); got != "queued-no-config, running" {
		t.Errorf("active = %s", got)
	}
	if got := joinJobIDs(found.succeeded); got != "fresh-success" {
		t.Errorf("succeeded = %s", got)
	}
	if api.gets != 1 {
		t.Errorf("%d GETs, want one for the job listed without config", api.gets)
	}

	// A second check in the same plan reuses the listing and the GET.
	if _, err := g.findIdentical(context.Background(), api, key, "", time.Now().Add(-time.Minute)); err != nil {
		t.Fatal(err)
	}
	if api.lists != len(rlFamily.listings) || api.gets != 1 {
		t.Errorf("second check: %d listings and %d GETs in all, want %d and 1", api.lists, api.gets, len(rlFamily.listings))
	}

	var diags diag.Diagnostics
	reportIdentical(rlFamily.noun, found, false, &diags)
	if diags.ErrorsCount() != 1 || diags.WarningsCount() != 1 {
		t.Fatalf("allow_duplicate = false: %v", diags)
	}
	if d := diags.Errors()[0].Detail(); !strings.Contains(d, "queued-no-config") || !strings.Contains(d, "to = <this resource>") {
		t.Errorf("error detail: %s", d)
	}
	if d := diags.Warnings()[0].Detail(); !strings.Contains(d, `id = "fresh-success"`) {
		t.Errorf("warning detail: %s", d)
	}
	diags = nil
	reportIdentical(rlFamily.noun, found, true, &diags)
	if diags.ErrorsCount() != 0 || diags.WarningsCount() != 2 {
		t.Errorf("allow_duplicate = true: %v", diags)
	}
}

// endlessLister answers every listing of queued jobs with one more full page,
// as a backend holding more than the check reads would.
type endlessLister struct {
	backend
	pages atomic.Int32
}

func (e *endlessLister) ListJobs(_ context.Context, p synthapi.ListJobsParams) ([]synthapi.Job, string, error) {
	if p.Status != "queued" {
		return nil, "", nil
	}
	page := e.pages.Add(1)
	jobs := make([]synthapi.Job, p.Limit)
	for i := range jobs {
		jobs[i] = synthapi.Job{ID: fmt.Sprintf("job_%d_%d", page, i), Status: "failed"}
	}
	return jobs, jobs[len(jobs)-1].ID, nil
}

func TestDupGuardSaysWhenAListingIsCutShort(t *testing.T) {
	api := &endlessLister{}
	found, err := newDupGuard(rlFamily).findIdentical(context.Background(), api, "{}", "", time.Now())
	if err != nil {
		t.Fatal(err)
	}
	// The page after the cap is what tells a cut-short listing from one of
	// exactly the cap's size.
	if n := api.pages.Load(); n != dupListMaxPages+1 {
		t.Errorf("%d pages read, want the cap of %d and the one that shows there is more", n, dupListMaxPages)
	}
	var diags diag.Diagnostics
	reportIdentical(rlFamily.noun, found, false, &diags)
	if diags.WarningsCount() != 1 || diags.ErrorsCount() != 0 {
		t.Fatalf("want one warning, got %v", diags)
	}
	w := diags.Warnings()[0]
	if !strings.Contains(w.Summary(), "incomplete") || !regexp.MustCompile(`queued jobs created since .* stopped at 5000 jobs`).MatchString(w.Detail()) {
		t.Errorf("warning does not say which listing was cut short: %s: %s", w.Summary(), w.Detail())
	}
}

func TestDupGuardSharesOneListingAcrossConcurrentChecks(t *testing.T) {
	api := &countingLister{}
	g := newDupGuard(rlFamily)
	var wg sync.WaitGroup
	for range 50 {
		wg.Go(func() {
			if _, err := g.findIdentical(context.Background(), api, "{}", "", time.Now().Add(-time.Minute)); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	if n := api.lists.Load(); n != int32(len(rlFamily.listings)) {
		t.Errorf("%d listings for 50 concurrent checks, want %d, one per status", n, len(rlFamily.listings))
	}
}

type countingLister struct {
	backend
	lists atomic.Int32
}

func (c *countingLister) ListJobs(context.Context, synthapi.ListJobsParams) ([]synthapi.Job, string, error) {
	c.lists.Add(1)
	return nil, "", nil
}
