package emulator

import (
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
)

// create submits validPayload (or p) and returns the new job's id.
func (h *harness) create(p map[string]any, header ...string) string {
	h.t.Helper()
	if p == nil {
		p = validPayload()
	}
	r := h.api("POST", "/api/rl/jobs", p, header...)
	if r.status != http.StatusCreated && r.status != http.StatusOK {
		h.t.Fatalf("create: %d %s", r.status, r.raw)
	}
	id, _ := r.object(h.t)["job_id"].(string)
	if id == "" {
		h.t.Fatalf("create answered no job_id: %s", r.raw)
	}
	return id
}

func (h *harness) job(id string) map[string]any {
	h.t.Helper()
	r := h.api("GET", "/api/rl/jobs/"+id, nil)
	wantStatus(h.t, r, http.StatusOK)
	return r.object(h.t)
}

// events returns the job's events' types, after checking seq rises by one.
func (h *harness) events(id string) ([]string, []map[string]any) {
	h.t.Helper()
	r := h.api("GET", "/api/rl/jobs/"+id+"/events?since_seq=0&limit=200", nil)
	wantStatus(h.t, r, http.StatusOK)
	var types []string
	var evs []map[string]any
	for i, raw := range r.object(h.t)["events"].([]any) {
		ev := raw.(map[string]any)
		if seq := ev["seq"].(float64); int(seq) != i+1 {
			h.t.Errorf("event %d has seq %v", i, seq)
		}
		types = append(types, ev["type"].(string))
		evs = append(evs, ev)
	}
	return types, evs
}

func TestCreateHonoursIdempotencyKey(t *testing.T) {
	t.Parallel()
	h := newHarness(t, Options{})

	first := h.api("POST", "/api/rl/jobs", validPayload(), "Idempotency-Key", "tf-abc")
	wantStatus(t, first, http.StatusCreated)
	id := first.object(t)["job_id"].(string)
	if len(id) != len("job_")+16 || id[:4] != "job_" {
		t.Errorf("job id %q", id)
	}
	if s := first.object(t)["status"]; s != "queued" {
		t.Errorf("create status = %v", s)
	}

	h.clock.Advance(2 * time.Second)
	again := h.api("POST", "/api/rl/jobs", validPayload(), "Idempotency-Key", "tf-abc")
	wantStatus(t, again, http.StatusOK)
	if got := again.object(t)["job_id"]; got != id {
		t.Errorf("replay answered job %v, want %v", got, id)
	}
	if got := again.object(t)["status"]; got != "running" {
		t.Errorf("replay status = %v, want the job's current one", got)
	}

	other := h.create(nil, "Idempotency-Key", "tf-def")
	unkeyed := h.create(nil)
	if other == id || unkeyed == id || other == unkeyed {
		t.Errorf("ids not distinct: %s %s %s", id, other, unkeyed)
	}
	jobs := h.emu.Jobs()
	if len(jobs) != 3 {
		t.Fatalf("%d jobs, want 3", len(jobs))
	}
	j, ok := h.emu.Job(id)
	if !ok || j.IdempotencyKey != "tf-abc" || j.Status != "running" || !j.CreatedAt.Equal(t0) {
		t.Errorf("Job(%s) = %+v, %v", id, j, ok)
	}
	if j.Payload["job_type"] != "rl" {
		t.Errorf("payload not kept: %v", j.Payload)
	}
}

func TestJobLifecycle(t *testing.T) {
	t.Parallel()
	h := newHarness(t, Options{})
	id := h.create(nil)

	j := h.job(id)
	if j["status"] != "queued" || j["started_at"] != nil || j["finished_at"] != nil || j["results"] != nil {
		t.Errorf("new job: %v", j)
	}
	if j["created_at"] != "2025-11-01T12:00:00Z" || j["base_model"] != "Qwen/Qwen3-4B" {
		t.Errorf("new job times/model: %v", j)
	}
	if _, ok := j["model_id"]; ok {
		t.Errorf("a job from a base model reports model_id %v", j["model_id"])
	}
	cfg, _ := j["config"].(map[string]any)
	if services, _ := cfg["services"].(map[string]any); services["task_url"] != testTaskURL {
		t.Errorf("config not echoed: %v", j["config"])
	}

	h.clock.Advance(999 * time.Millisecond)
	if s := h.job(id)["status"]; s != "queued" {
		t.Errorf("at 999ms: %v", s)
	}
	h.clock.Advance(time.Millisecond)
	j = h.job(id)
	if j["status"] != "running" || j["started_at"] != "2025-11-01T12:00:01Z" {
		t.Errorf("at 1s: %v", j)
	}
	if types, _ := h.events(id); !slices.Equal(types, []string{"rl.job.created", "rl.job.started"}) {
		t.Errorf("events at 1s: %v", types)
	}

	h.clock.Advance(2 * time.Second)
	if types, _ := h.events(id); len(types) != 6 || types[5] != "rl.eval.completed" {
		t.Errorf("events at 3s: %v", types)
	}
	h.clock.Advance(time.Second)
	j = h.job(id)
	if j["status"] != "succeeded" || j["finished_at"] != "2025-11-01T12:00:04Z" || j["error"] != nil {
		t.Fatalf("at 4s: %v", j)
	}
	results := j["results"].(map[string]any)
	if want := "rl:Qwen/Qwen3-4B:" + id + ":checkpoint-epoch-1"; results["model_id"] != want {
		t.Errorf("results.model_id = %v, want %s", results["model_id"], want)
	}
	if results["final_reward"] != 0.8 || len(results["checkpoints"].([]any)) != 1 {
		t.Errorf("results = %v", results)
	}
	types, evs := h.events(id)
	want := []string{"rl.job.created", "rl.job.started", "rl.rollout.slow", "rl.train.progress", "rl.train.progress",
		"rl.eval.completed", "rl.train.progress", "rl.job.completed"}
	if !slices.Equal(types, want) {
		t.Errorf("events = %v", types)
	}
	if evs[2]["level"] != "warn" {
		t.Errorf("the slow rollout is not a warning: %v", evs[2])
	}
	if evs[7]["data"].(map[string]any)["model_id"] != results["model_id"] || evs[7]["level"] != "info" {
		t.Errorf("completed event = %v", evs[7])
	}

	// A finished job stays as it is.
	h.clock.Advance(time.Hour)
	if j := h.job(id); j["status"] != "succeeded" || j["updated_at"] != "2025-11-01T12:00:04Z" {
		t.Errorf("an hour later: %v", j)
	}
}

func TestJobFromSourceModel(t *testing.T) {
	t.Parallel()
	h := newHarness(t, Options{QueueTime: -1, RunTime: time.Minute})
	id := h.create(sourcePayload("ft:Qwen/Qwen3-8B:job_99"))
	j := h.job(id)
	if j["status"] != "running" || j["model_id"] != "ft:Qwen/Qwen3-8B:job_99" || j["base_model"] != "Qwen/Qwen3-8B" {
		t.Errorf("source job: %v", j)
	}
	h.clock.Advance(time.Minute)
	j = h.job(id)
	if got := j["results"].(map[string]any)["model_id"]; got != "rl:Qwen/Qwen3-8B:"+id+":checkpoint-epoch-1" {
		t.Errorf("results.model_id = %v", got)
	}
}

func TestFailedOutcome(t *testing.T) {
	t.Parallel()
	h := newHarness(t, Options{})
	h.emu.SetNextOutcome(Outcome{
		Status:      "failed",
		Reason:      "CUDA out of memory",
		ErrorEvents: []string{"rollout worker crashed", "trainer lost"},
	})
	failing := h.create(nil)
	normal := h.create(nil) // SetNextOutcome covers one job only

	h.clock.Advance(3 * time.Second)
	if s := h.job(failing)["status"]; s != "running" {
		t.Errorf("before the end: %v", s)
	}
	h.clock.Advance(time.Second)
	j := h.job(failing)
	if j["status"] != "failed" || j["error"] != "CUDA out of memory" || j["failure_reason"] != "CUDA out of memory" ||
		j["results"] != nil || j["finished_at"] == nil {
		t.Errorf("failed job: %v", j)
	}
	types, evs := h.events(failing)
	if !slices.Equal(types[7:], []string{"rl.train.error", "rl.train.error", "rl.job.failed"}) {
		t.Errorf("events = %v", types)
	}
	for _, ev := range evs[7:] {
		if ev["level"] != "error" {
			t.Errorf("event %v is not error-level", ev)
		}
	}
	if evs[7]["message"] != "rollout worker crashed" || evs[9]["message"] != "CUDA out of memory" {
		t.Errorf("messages: %v / %v", evs[7]["message"], evs[9]["message"])
	}
	if s := h.job(normal)["status"]; s != "succeeded" {
		t.Errorf("the next job: %v", s)
	}

	h.emu.SetDefaultOutcome(Outcome{Status: "cancelled", Reason: "preempted"})
	id := h.create(nil)
	h.clock.Advance(4 * time.Second)
	if s := h.job(id)["status"]; s != "cancelled" {
		t.Errorf("default outcome: %v", s)
	}
	if types, _ := h.events(id); types[len(types)-1] != "rl.job.cancelled" {
		t.Errorf("events: %v", types)
	}
}

func TestOutcomeSynonymsAndUnknownStatus(t *testing.T) {
	t.Parallel()
	h := newHarness(t, Options{})
	for _, status := range []string{"completed", "error", "canceled", "weird_new_state"} {
		h.emu.SetNextOutcome(Outcome{Status: status})
		id := h.create(nil)
		h.clock.Advance(4 * time.Second)
		j := h.job(id)
		if j["status"] != status {
			t.Errorf("outcome %q: status %v", status, j["status"])
		}
		if (status == "completed") != (j["results"] != nil) {
			t.Errorf("outcome %q: results %v", status, j["results"])
		}
		if (status == "weird_new_state") != (j["finished_at"] == nil) {
			t.Errorf("outcome %q: finished_at %v", status, j["finished_at"])
		}
	}
}

func TestStatusLagsEvents(t *testing.T) {
	t.Parallel()
	h := newHarness(t, Options{})
	h.emu.SetNextOutcome(Outcome{StatusLagsEvents: true})
	id := h.create(nil)
	h.clock.Advance(time.Hour)
	j := h.job(id)
	if j["status"] != "running" || j["finished_at"] != nil {
		t.Errorf("lagging job: %v", j)
	}
	if j["results"] == nil {
		t.Error("results should be readable once the completed event is out")
	}
	if types, _ := h.events(id); types[len(types)-1] != "rl.job.completed" {
		t.Errorf("events = %v", types)
	}
}

func TestCancel(t *testing.T) {
	t.Parallel()
	h := newHarness(t, Options{})
	h.emu.SetNextOutcome(Outcome{Status: "running"})
	id := h.create(nil)
	h.clock.Advance(time.Hour)
	if s := h.job(id)["status"]; s != "running" {
		t.Fatalf("a never-ending job is %v", s)
	}

	r := h.api("POST", "/api/rl/jobs/"+id+"/cancel", map[string]any{})
	wantStatus(t, r, http.StatusOK)
	if m := r.object(t); m["job_id"] != id || m["status"] != "cancelled" {
		t.Errorf("cancel answered %v", m)
	}
	j := h.job(id)
	if j["status"] != "cancelled" || j["finished_at"] == nil {
		t.Errorf("after cancel: %v", j)
	}
	if types, _ := h.events(id); types[len(types)-1] != "rl.job.cancelled" {
		t.Errorf("events = %v", types)
	}

	r = h.api("POST", "/api/rl/jobs/"+id+"/cancel", map[string]any{})
	wantStatus(t, r, http.StatusConflict)
	if d := r.detail(t); d != "Job already terminal" {
		t.Errorf("detail = %v", d)
	}
	if j, _ := h.emu.Job(id); j.CancelRequests != 2 || j.Status != "cancelled" {
		t.Errorf("Job = %+v", j)
	}

	// A queued job cancels before it starts; a succeeded one cannot.
	queued := h.create(nil)
	wantStatus(t, h.api("POST", "/api/rl/jobs/"+queued+"/cancel", nil), http.StatusOK)
	h.clock.Advance(time.Hour)
	if j := h.job(queued); j["status"] != "cancelled" || j["started_at"] != nil {
		t.Errorf("cancelled while queued: %v", j)
	}
	done := h.create(nil)
	h.clock.Advance(time.Hour)
	wantStatus(t, h.api("POST", "/api/rl/jobs/"+done+"/cancel", nil), http.StatusConflict)
	wantStatus(t, h.api("POST", "/api/rl/jobs/job_unknown/cancel", nil), http.StatusNotFound)
}

func TestFailJobAndSetJobStatus(t *testing.T) {
	t.Parallel()
	h := newHarness(t, Options{Dialect: Dialect{StatusCase: "upper"}})
	id := h.create(nil)
	h.clock.Advance(2 * time.Second)
	before, _ := h.events(id)

	h.emu.FailJob(id, "node preempted")
	j := h.job(id)
	if j["status"] != "FAILED" || j["error"] != "node preempted" || j["finished_at"] != "2025-11-01T12:00:02Z" {
		t.Errorf("after FailJob: %v", j)
	}
	h.clock.Advance(time.Hour) // the natural end never comes
	after, evs := h.events(id)
	if !slices.Equal(after[:len(before)], before) || !slices.Equal(after[len(before):], []string{"rl.job.failed"}) {
		t.Errorf("events %v then %v", before, after)
	}
	if evs[len(evs)-1]["level"] != "error" || evs[len(evs)-1]["message"] != "node preempted" {
		t.Errorf("failed event = %v", evs[len(evs)-1])
	}

	h.emu.SetJobStatus(id, "weird_new_state")
	if s := h.job(id)["status"]; s != "weird_new_state" {
		t.Errorf("raw status spelled %v", s)
	}
	if types, _ := h.events(id); !slices.Equal(types, after) {
		t.Errorf("SetJobStatus changed events: %v", types)
	}
	// Unknown statuses count as running: the job can be cancelled.
	wantStatus(t, h.api("POST", "/api/rl/jobs/"+id+"/cancel", nil), http.StatusOK)

	// Unknown ids are ignored.
	h.emu.FailJob("job_nope", "x")
	h.emu.SetJobStatus("job_nope", "x")
}

func TestLostJob(t *testing.T) {
	t.Parallel()
	h := newHarness(t, Options{})
	id := h.create(nil, "Idempotency-Key", "k")
	keep := h.create(nil)
	h.emu.LoseJob(id)

	for _, rt := range []struct{ method, path string }{
		{"GET", "/api/rl/jobs/" + id},
		{"GET", "/api/learning/jobs/" + id},
		{"POST", "/api/rl/jobs/" + id + "/cancel"},
		{"GET", "/api/rl/jobs/" + id + "/events"},
		{"GET", "/api/rl/jobs/" + id + "/metrics"},
	} {
		r := h.api(rt.method, rt.path, nil)
		wantStatus(t, r, http.StatusNotFound)
		if d := r.detail(t); d != "Job not found" {
			t.Errorf("%s %s: detail %v", rt.method, rt.path, d)
		}
	}
	if _, ok := h.emu.Job(id); ok {
		t.Error("Job returns a lost job")
	}
	if jobs := h.emu.Jobs(); len(jobs) != 1 || jobs[0].ID != keep {
		t.Errorf("Jobs = %+v", jobs)
	}
	list := h.api("GET", "/api/rl/jobs", nil).object(t)["jobs"].([]any)
	if len(list) != 1 {
		t.Errorf("list shows %d jobs", len(list))
	}
	// The cursor still works from the lost job's place.
	page := h.api("GET", "/api/rl/jobs?after="+id, nil).object(t)["jobs"].([]any)
	if len(page) != 1 || page[0].(map[string]any)["job_id"] != keep {
		t.Errorf("page after the lost job: %v", page)
	}
	// The backend forgot the key with the job.
	if again := h.create(nil, "Idempotency-Key", "k"); again == id {
		t.Error("a lost job came back")
	}
}

func TestDialects(t *testing.T) {
	t.Parallel()

	t.Run("default", func(t *testing.T) {
		t.Parallel()
		h := newHarness(t, Options{})
		id := h.create(nil)
		for _, path := range []string{"/api/rl/jobs/" + id, "/api/learning/jobs/" + id} {
			j := h.api("GET", path, nil).object(t)
			if j["job_id"] != id || j["status"] != "queued" || j["id"] != nil || j["state"] != nil {
				t.Errorf("%s: %v", path, j)
			}
		}
		if _, ok := h.api("GET", "/api/rl/jobs", nil).object(t)["jobs"]; !ok {
			t.Error("list is not {jobs: [...]}")
		}
	})

	t.Run("id, state, upper, epoch, array", func(t *testing.T) {
		t.Parallel()
		h := newHarness(t, Options{Dialect: Dialect{
			IDField: "id", StatusField: "state", StatusCase: "upper", EpochTimes: true, ListAsArray: true,
		}})
		r := h.api("POST", "/api/rl/jobs", validPayload())
		wantStatus(t, r, http.StatusCreated)
		created := r.object(t)
		id, _ := created["id"].(string)
		if id == "" || created["job_id"] != nil || created["state"] != "QUEUED" || created["status"] != nil {
			t.Fatalf("create: %v", created)
		}
		h.clock.Advance(1500 * time.Millisecond)
		j := h.api("GET", "/api/rl/jobs/"+id, nil).object(t)
		if j["state"] != "RUNNING" || j["created_at"] != float64(t0.Unix()) || j["started_at"] != float64(t0.Unix()+1) {
			t.Errorf("job: %v", j)
		}
		h.clock.Advance(250 * time.Millisecond) // the first progress event, 3s/4 into the run
		j = h.api("GET", "/api/rl/jobs/"+id, nil).object(t)
		if j["updated_at"] != float64(t0.Unix())+1.75 {
			t.Errorf("fractional epoch: %v", j["updated_at"])
		}
		list := h.api("GET", "/api/rl/jobs", nil).array(t)
		if len(list) != 1 || list[0].(map[string]any)["id"] != id {
			t.Errorf("list: %v", list)
		}
		c := h.api("POST", "/api/rl/jobs/"+id+"/cancel", nil).object(t)
		if c["id"] != id || c["state"] != "CANCELLED" {
			t.Errorf("cancel: %v", c)
		}
		_, evs := h.events(id)
		if _, ok := evs[0]["created_at"].(float64); !ok {
			t.Errorf("event time: %v", evs[0]["created_at"])
		}
		if j, _ := h.emu.Job(id); j.Status != "cancelled" {
			t.Errorf("Job.Status is dialect-free, got %q", j.Status)
		}
	})

	t.Run("legacy job route", func(t *testing.T) {
		t.Parallel()
		h := newHarness(t, Options{Dialect: Dialect{LegacyJobRoute: true}})
		id := h.create(nil)
		r := h.api("GET", "/api/rl/jobs/"+id, nil)
		wantStatus(t, r, http.StatusNotFound)
		wantStatus(t, h.api("GET", "/api/learning/jobs/"+id, nil), http.StatusOK)
		wantStatus(t, h.api("GET", "/api/rl/jobs/"+id+"/events", nil), http.StatusOK)
	})
}

func TestListFiltersAndCursor(t *testing.T) {
	t.Parallel()
	h := newHarness(t, Options{})
	var ids []string
	for i := range 5 {
		p := validPayload()
		if i%2 == 1 {
			p = sourcePayload("ft:Qwen/Qwen3-8B:job_" + strconv.Itoa(i))
		}
		ids = append(ids, h.create(p))
		h.clock.Advance(time.Minute)
	}
	// Jobs 0..4 are now all finished; one more is queued.
	ids = append(ids, h.create(nil))

	list := func(query string) []string {
		t.Helper()
		r := h.api("GET", "/api/rl/jobs"+query, nil)
		wantStatus(t, r, http.StatusOK)
		var got []string
		for _, j := range r.object(t)["jobs"].([]any) {
			got = append(got, j.(map[string]any)["job_id"].(string))
		}
		return got
	}
	check := func(query string, want ...string) {
		t.Helper()
		if got := list(query); !slices.Equal(got, want) {
			t.Errorf("%s: %v, want %v", query, got, want)
		}
	}
	check("", ids...)
	check("?limit=2", ids[0], ids[1])
	check("?status=succeeded", ids[:5]...)
	check("?status=QUEUED", ids[5])
	check("?model=Qwen/Qwen3-8B", ids[1], ids[3])
	check("?model=ft:Qwen/Qwen3-8B:job_3", ids[3])
	check("?model=Qwen/Qwen3-4B", ids[0], ids[2], ids[4], ids[5])
	check("?created_after=2025-11-01T12:02:00Z", ids[3:]...)
	check("?created_before=2025-11-01T12:02:00Z", ids[:2]...)
	check(fmt.Sprintf("?created_after=%d&created_before=%d", t0.Unix(), t0.Unix()+240), ids[1:4]...)
	check("?after="+ids[3], ids[4:]...)
	check("?after=" + ids[5])

	// Paging with the cursor visits every job once, in order.
	var paged []string
	cursor := ""
	for range 10 {
		r := h.api("GET", "/api/rl/jobs?limit=4&after="+cursor, nil).object(t)
		for _, j := range r["jobs"].([]any) {
			cursor = j.(map[string]any)["job_id"].(string)
			paged = append(paged, cursor)
		}
		if r["has_more"] != true {
			break
		}
	}
	if !slices.Equal(paged, ids) {
		t.Errorf("paged %v, want %v", paged, ids)
	}

	for _, q := range []string{"?limit=0", "?limit=x", "?after=job_unknown", "?created_after=yesterday"} {
		wantStatus(t, h.api("GET", "/api/rl/jobs"+q, nil), http.StatusUnprocessableEntity)
	}
}

func TestEventsAndMetricsPaging(t *testing.T) {
	t.Parallel()
	h := newHarness(t, Options{})
	id := h.create(nil)
	h.clock.Advance(time.Minute)

	r := h.api("GET", "/api/rl/jobs/"+id+"/events?since_seq=2&limit=2", nil)
	wantStatus(t, r, http.StatusOK)
	evs := r.object(t)["events"].([]any)
	if len(evs) != 2 || evs[0].(map[string]any)["seq"] != 3.0 || evs[1].(map[string]any)["seq"] != 4.0 {
		t.Errorf("events page: %v", evs)
	}
	r = h.api("GET", "/api/rl/jobs/"+id+"/events?since_seq=8", nil)
	if evs := r.object(t)["events"].([]any); len(evs) != 0 {
		t.Errorf("events after the last: %v", evs)
	}

	r = h.api("GET", "/api/rl/jobs/"+id+"/metrics?after_step=-1&limit=200", nil)
	wantStatus(t, r, http.StatusOK)
	points := r.object(t)["points"].([]any)
	if len(points) != 8 {
		t.Fatalf("%d points, want a reward and a loss for 4 steps: %v", len(points), points)
	}
	last := points[6].(map[string]any)
	if last["name"] != "mean_return" || last["step"] != 4.0 || last["value"] != 0.8 {
		t.Errorf("last reward: %v", last)
	}
	r = h.api("GET", "/api/rl/jobs/"+id+"/metrics?after_step=2&limit=3", nil)
	if points := r.object(t)["points"].([]any); len(points) != 3 || points[0].(map[string]any)["step"] != 3.0 {
		t.Errorf("metrics page: %v", points)
	}

	for _, q := range []string{"/events?since_seq=x", "/events?limit=0", "/metrics?after_step=1.5", "/metrics?limit=-1"} {
		wantStatus(t, h.api("GET", "/api/rl/jobs/"+id+q, nil), http.StatusUnprocessableEntity)
	}
}

func TestJobConfigEchoedVerbatim(t *testing.T) {
	t.Parallel()
	p := validPayload()
	p["data"].(map[string]any)["config"].(map[string]any)["training"] = json.RawMessage(`{"learning_rate":5e-05,"num_epochs":1.0,"weight_sync":{"mode":"direct"}}`)
	for _, omit := range []bool{false, true} {
		h := newHarness(t, Options{Dialect: Dialect{ListOmitsConfig: omit}})
		id := h.create(p)
		got := h.api("GET", "/api/rl/jobs/"+id, nil).raw
		if !strings.Contains(string(got), `"training":{"learning_rate":5e-05,"num_epochs":1.0,"weight_sync":{"mode":"direct"}}`) {
			t.Errorf("GET answered %s, want the config's numbers as sent", got)
		}
		listed := h.api("GET", "/api/rl/jobs", nil).object(t)["jobs"].([]any)[0].(map[string]any)
		if _, has := listed["config"]; has == omit {
			t.Errorf("ListOmitsConfig=%v: listed job %v", omit, listed)
		}
	}
}

func TestTrainingTraceFollowsTheConfig(t *testing.T) {
	t.Parallel()
	h := newHarness(t, Options{})
	p := validPayload()
	config := p["data"].(map[string]any)["config"].(map[string]any)
	config["training"] = map[string]any{"num_epochs": 2, "iterations_per_epoch": 5, "weight_sync": map[string]any{"mode": "direct"}}
	config["evaluation"] = map[string]any{"every_n_iters": 3, "instances": 7}
	id := h.create(p)
	h.clock.Advance(time.Minute)

	types, evs := h.events(id)
	var progress, evals []map[string]any
	for i, typ := range types {
		switch typ {
		case "rl.train.progress":
			progress = append(progress, evs[i])
		case "rl.eval.completed":
			evals = append(evals, evs[i])
		}
	}
	// 2 epochs × 5 iterations: steps 1-9 in progress events, 10 with the end.
	if len(progress) != 9 || types[len(types)-1] != "rl.job.completed" {
		t.Fatalf("events = %v", types)
	}
	if len(evals) != 3 || evals[0]["data"].(map[string]any)["step"] != 3.0 || evals[0]["data"].(map[string]any)["instances"] != 7.0 {
		t.Errorf("evaluations every 3 steps over 7 instances: %v", evals)
	}

	r := h.api("GET", "/api/rl/jobs/"+id+"/metrics?after_step=-1&limit=200", nil)
	points := r.object(t)["points"].([]any)
	if len(points) != 20 {
		t.Fatalf("%d points, want mean_return and loss for 10 steps", len(points))
	}
	var returns, losses []float64
	for _, raw := range points {
		pt := raw.(map[string]any)
		switch pt["name"] {
		case "mean_return":
			returns = append(returns, pt["value"].(float64))
		case "loss":
			losses = append(losses, pt["value"].(float64))
		}
	}
	if returns[0] >= returns[len(returns)-1] || losses[0] <= losses[len(losses)-1] || returns[len(returns)-1] != 0.8 {
		t.Errorf("the curves do not train: mean_return %v, loss %v", returns, losses)
	}
	// The noise is the job's own: asking again gives the same curve.
	again := h.api("GET", "/api/rl/jobs/"+id+"/metrics?after_step=-1&limit=200", nil)
	if string(again.raw) != string(r.raw) {
		t.Error("the metrics changed between two reads of a finished job")
	}
}
