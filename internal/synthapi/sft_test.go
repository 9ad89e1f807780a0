package synthapi

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"
)

func TestSFTCreateJob(t *testing.T) {
	for _, body := range []string{`{"job_id":"job_a","status":"created"}`, `{"id":"job_a","status":"created"}`} {
		b := newBackend(t, func(w http.ResponseWriter, r *http.Request, _ int) { writeJSON(w, 201, body) })
		job, err := b.client().SFT().CreateJob(t.Context(), map[string]any{"model": "Qwen/Qwen3-4B"}, "key-9")
		if err != nil || job.ID != "job_a" || !job.IsSFT() || job.Phase() != PhaseRunning {
			t.Fatalf("%s: job %+v err %v", body, job, err)
		}
		h := b.recorded()[0]
		if h.Method != "POST" || h.Path != "/api/learning/jobs" || h.Header.Get("Idempotency-Key") != "key-9" {
			t.Errorf("request %s %s key %q", h.Method, h.Path, h.Header.Get("Idempotency-Key"))
		}
	}
	b := newBackend(t, func(w http.ResponseWriter, r *http.Request, _ int) { writeJSON(w, 201, `{"status":"created"}`) })
	if _, err := b.client().SFT().CreateJob(t.Context(), map[string]any{}, "k"); err == nil || !strings.Contains(err.Error(), "names no job") {
		t.Errorf("err = %v", err)
	}
}

func TestSFTStartJob(t *testing.T) {
	tests := []struct {
		name    string
		handle  func(w http.ResponseWriter, r *http.Request, n int)
		want    StartOutcome
		wantErr string
		waits   int
	}{
		{
			name:   "accepted",
			handle: func(w http.ResponseWriter, r *http.Request, _ int) { writeJSON(w, 200, `{}`) },
			want:   StartSent,
		},
		{
			name: "no start route, job visible",
			handle: func(w http.ResponseWriter, r *http.Request, _ int) {
				if r.Method == "POST" {
					writeJSON(w, 405, `{"detail":"Method Not Allowed"}`)
					return
				}
				writeJSON(w, 200, `{"id":"j","status":"queued"}`)
			},
			want: StartNotNeeded,
		},
		{
			name: "not visible yet, then started",
			handle: func(w http.ResponseWriter, r *http.Request, n int) {
				if r.Method == "POST" && n == 3 {
					writeJSON(w, 200, `{"status":"queued"}`)
					return
				}
				writeJSON(w, 404, `{"detail":"Job not found"}`)
			},
			want:  StartSent,
			waits: 2,
		},
		{
			name: "already running",
			handle: func(w http.ResponseWriter, r *http.Request, _ int) {
				if r.Method == "POST" {
					writeJSON(w, 409, `{"detail":"Job already started"}`)
					return
				}
				writeJSON(w, 200, `{"job_id":"j","status":"running"}`)
			},
			want: StartAlreadyStarted,
		},
		{
			name: "refused while created",
			handle: func(w http.ResponseWriter, r *http.Request, _ int) {
				if r.Method == "POST" {
					writeJSON(w, 400, `{"detail":"insufficient credit"}`)
					return
				}
				writeJSON(w, 200, `{"job_id":"j","status":"created"}`)
			},
			wantErr: "insufficient credit",
		},
		{
			name:    "never visible",
			handle:  func(w http.ResponseWriter, r *http.Request, _ int) { writeJSON(w, 404, `{"detail":"Job not found"}`) },
			wantErr: "still not visible",
			waits:   60,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := newBackend(t, tt.handle)
			clock := newFakeClock()
			got, err := b.client().SFT().StartJob(t.Context(), "j", StartOptions{Clock: clock})
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want %q", err, tt.wantErr)
				}
			} else if err != nil || got != tt.want {
				t.Fatalf("outcome %d err %v, want %d", got, err, tt.want)
			}
			if len(clock.waits) != tt.waits {
				t.Errorf("%d pauses, want %d", len(clock.waits), tt.waits)
			}
			if h := b.recorded()[0]; h.Path != "/api/learning/jobs/j/start" || h.Body != "{}" {
				t.Errorf("first request %s %s", h.Path, h.Body)
			}
		})
	}
}

func TestSFTGetJobFallsBackToOtherFamilies(t *testing.T) {
	b := newBackend(t, func(w http.ResponseWriter, r *http.Request, _ int) {
		if r.URL.Path == "/api/fine_tuning/jobs/ftjob-1" {
			writeJSON(w, 200, `{"id":"ftjob-1","status":"errored","fine_tuned_model":null,"model":"Qwen/Qwen3-4B","error":{"message":"OOM"}}`)
			return
		}
		writeJSON(w, 404, `{"detail":"Not Found"}`)
	})
	job, err := b.client().SFT().GetJob(t.Context(), "ftjob-1")
	if err != nil || job.Phase() != PhaseFailed || job.ErrorMessage != "OOM" || job.FineTunedModel != "" {
		t.Fatalf("job %+v err %v", job, err)
	}
	var paths []string
	for _, h := range b.recorded() {
		paths = append(paths, h.Path)
	}
	if got := strings.Join(paths, " "); got != "/api/learning/jobs/ftjob-1 /api/sft/jobs/ftjob-1 /api/fine_tuning/jobs/ftjob-1" {
		t.Errorf("paths %s", got)
	}
	_, err = b.client().SFT().GetJob(t.Context(), "nope")
	if !IsNotFound(err) || !strings.Contains(err.Error(), "/api/fine_tuning/jobs/nope: HTTP 404 too") {
		t.Errorf("err = %v", err)
	}
}

func TestSFTListJobs(t *testing.T) {
	pages := map[string]string{
		"":   `{"jobs":[{"id":"a","status":"running"},{"id":"b","status":"succeeded"}],"has_more":true}`,
		"b":  `{"data":[{"job_id":"c"}],"next_cursor":"zz"}`,
		"zz": `{"results":[{"id":"d"}]}`,
		"d":  `[]`,
	}
	b := newBackend(t, func(w http.ResponseWriter, r *http.Request, _ int) {
		writeJSON(w, 200, pages[r.URL.Query().Get("after")])
	})
	sft := b.client().SFT()
	var ids []string
	p := ListSFTJobsParams{Status: "running", CreatedAfter: "2025-01-01T00:00:00Z", Limit: 2}
	for range 10 {
		jobs, next, err := sft.ListJobs(t.Context(), p)
		if err != nil {
			t.Fatal(err)
		}
		for _, j := range jobs {
			ids = append(ids, j.ID)
		}
		if next == "" {
			break
		}
		p.After = next
	}
	if got := strings.Join(ids, ","); got != "a,b,c,d" {
		t.Errorf("ids %s", got)
	}
	if q := b.recorded()[0].RawQuery; q != "created_after=2025-01-01T00%3A00%3A00Z&limit=2&status=running&type=sft_offline" {
		t.Errorf("query %s", q)
	}
	if n := len(b.recorded()); n != 4 {
		t.Errorf("%d requests, want 4 (the empty page ends)", n)
	}
}

func TestSFTCancelJob(t *testing.T) {
	for _, status := range []int{200, 400, 404, 409} {
		b := newBackend(t, func(w http.ResponseWriter, r *http.Request, _ int) { writeJSON(w, status, `{}`) })
		if err := b.client().SFT().CancelJob(t.Context(), "j"); err != nil {
			t.Errorf("%d: %v", status, err)
		}
		if h := b.recorded()[0]; h.Path != "/api/learning/jobs/j/cancel" {
			t.Errorf("path %s", h.Path)
		}
	}
	b := newBackend(t, func(w http.ResponseWriter, r *http.Request, _ int) { writeJSON(w, 403, `{"detail":"forbidden"}`) })
	if err := b.client().SFT().CancelJob(t.Context(), "j"); err == nil {
		t.Error("403 must be an error")
	}
}

func TestSFTEventsMetricsModels(t *testing.T) {
	b := newBackend(t, func(w http.ResponseWriter, r *http.Request, _ int) {
		switch r.URL.Path {
		case "/api/learning/jobs/j/events":
			writeJSON(w, 200, `{"data":[{"type":"sft.train.progress","message":"m","timestamp":"2025-03-01T10:00:00Z","run_id":"r1"},
				{"type":"sft.job.completed","data":{"fine_tuned_model":"fft:Qwen/Qwen3-4B:j"}}],"next_seq":12}`)
		case "/api/learning/jobs/j/metrics":
			writeJSON(w, 200, `{"points":[{"name":"train.loss","step":3,"value":0.5,"epoch":1,"phase":"train"},{"name":"val.loss","step":3,"value":0.7}]}`)
		case "/api/learning/models":
			writeJSON(w, 200, `{"models":[{"id":"peft:Qwen/Qwen3-0.6B:j","job_id":"j","base_model":"Qwen/Qwen3-0.6B","created_at":1740823200}]}`)
		}
	})
	sft := b.client().SFT()
	events, err := sft.JobEvents(t.Context(), "j", 0, 0)
	if err != nil || len(events) != 2 || events[0].CreatedAt != "2025-03-01T10:00:00Z" || events[0].RunID != "r1" || events[1].Seq != 12 {
		t.Fatalf("events %+v err %v", events, err)
	}
	if q := b.recorded()[0].RawQuery; q != "limit=200&since_seq=0" {
		t.Errorf("events query %s", q)
	}
	points, err := sft.JobMetrics(t.Context(), "j", -1, 0)
	if err != nil || len(points) != 2 || points[0].Epoch == nil || *points[0].Epoch != 1 || points[0].Phase != "train" || points[1].Epoch != nil {
		t.Fatalf("points %+v err %v", points, err)
	}
	models, err := sft.Models(t.Context())
	if err != nil || len(models) != 1 || models[0].JobID != "j" || models[0].CreatedAt != "2025-03-01T10:00:00Z" {
		t.Fatalf("models %+v err %v", models, err)
	}
}

func TestSFTPhaseOf(t *testing.T) {
	for status, want := range map[string]Phase{
		"created": PhaseRunning, "validating_files": PhaseRunning, "initializing_trainer": PhaseRunning,
		"training": PhaseRunning, "evaluating": PhaseRunning, "in_progress": PhaseRunning,
		"succeeded": PhaseSucceeded, "COMPLETED": PhaseSucceeded,
		"failed": PhaseFailed, "error": PhaseFailed, "Errored": PhaseFailed,
		"cancelled": PhaseCancelled, "canceled": PhaseCancelled,
		"paused": PhasePaused,
	} {
		if got := SFTPhaseOf(status); got != want {
			t.Errorf("SFTPhaseOf(%q) = %s, want %s", status, got, want)
		}
	}
	// The RL reading of the same words stays §4's.
	if PhaseOf("errored") != PhaseRunning || PhaseOf("paused") != PhaseRunning {
		t.Error("RL statuses changed")
	}
}

func TestSFTEventPhase(t *testing.T) {
	tests := []struct {
		ev   Event
		want Phase
		ok   bool
	}{
		{Event{Type: "sft.job.completed"}, PhaseSucceeded, true},
		{Event{Type: "learning.policy.sft.job.completed"}, PhaseSucceeded, true},
		{Event{Type: "SFT.JOB.FAILED"}, PhaseFailed, true},
		{Event{Type: "sft.job.cancelled"}, PhaseCancelled, true},
		{Event{Type: "sft.workflow.completed"}, PhaseSucceeded, true},
		{Event{Type: "training.completed"}, PhaseSucceeded, true},
		{Event{Type: "sft.failed"}, PhaseFailed, true},
		{Event{Type: "workflow.failed"}, PhaseFailed, true},
		{Event{Type: "sft.status", Data: map[string]any{"status": "errored"}}, PhaseFailed, true},
		{Event{Type: "sft.status", Data: map[string]any{"status": "training"}}, PhaseRunning, false},
		{Event{Type: "sft.train.progress"}, PhaseRunning, false},
		{Event{Type: "sse.stream.ended"}, PhaseRunning, false},
	}
	for _, tt := range tests {
		if got, ok := SFTEventPhase(tt.ev); got != tt.want || ok != tt.ok {
			t.Errorf("%+v: %s %v, want %s %v", tt.ev, got, ok, tt.want, tt.ok)
		}
	}
}

// sftScript answers the SFT routes from a script of job bodies (the last
// one repeating) and fixed events and models.
func sftScript(t *testing.T, jobs []string, events, models string) *backend {
	return newBackend(t, func(w http.ResponseWriter, r *http.Request, n int) {
		switch {
		case strings.HasSuffix(r.URL.Path, "/events"):
			writeJSON(w, 200, events)
		case r.URL.Path == "/api/learning/models":
			writeJSON(w, 200, models)
		default:
			writeJSON(w, 200, jobs[min(n, len(jobs))-1])
		}
	})
}

func TestWaitForSFTJob(t *testing.T) {
	b := sftScript(t, []string{`{"id":"j","status":"created"}`, `{"id":"j","status":"training"}`, `{"id":"j","status":"errored","error":"boom"}`}, `{"events":[]}`, `{}`)
	job, err := WaitForJob(t.Context(), b.client().SFT(), "j", WaitOptions{Clock: newFakeClock()})
	if err != nil || job.Phase() != PhaseFailed || job.ErrorMessage != "boom" {
		t.Fatalf("job %+v err %v", job, err)
	}

	b = sftScript(t, []string{`{"id":"j","status":"paused"}`}, `{"events":[]}`, `{}`)
	job, err = WaitForJob(t.Context(), b.client().SFT(), "j", WaitOptions{Clock: newFakeClock()})
	if !errors.Is(err, ErrJobPaused) || job == nil || job.Status != "paused" {
		t.Fatalf("job %+v err %v, want ErrJobPaused", job, err)
	}

	// Terminal by event while the status lags, by the SFT rule.
	b = sftScript(t, []string{`{"id":"j","status":"training"}`}, `{"events":[{"seq":1,"type":"learning.policy.sft.job.completed"}]}`, `{}`)
	job, err = WaitForJob(t.Context(), b.client().SFT(), "j", WaitOptions{Clock: newFakeClock()})
	if err != nil || job.Phase() != PhaseSucceeded {
		t.Fatalf("job %+v err %v", job, err)
	}
}

func TestWaitNotFoundGrace(t *testing.T) {
	b := newBackend(t, func(w http.ResponseWriter, r *http.Request, n int) {
		if strings.HasPrefix(r.URL.Path, "/api/learning/jobs/") && n <= 8 {
			writeJSON(w, 404, `{"detail":"Job not found"}`)
			return
		}
		if strings.HasPrefix(r.URL.Path, "/api/learning/jobs/") {
			writeJSON(w, 200, `{"id":"j","status":"succeeded"}`)
			return
		}
		writeJSON(w, 404, `{"detail":"Not Found"}`)
	})
	transient := 0
	job, err := WaitForJob(t.Context(), b.client().SFT(), "j", WaitOptions{
		Clock: newFakeClock(), NotFoundGrace: 5 * time.Minute,
		OnTransientError: func(context.Context, error, int) { transient++ },
	})
	if err != nil || job.Phase() != PhaseSucceeded || transient != 8 {
		t.Fatalf("job %+v err %v after %d transient 404s", job, err, transient)
	}
	// Without the grace a 404 ends the wait at once, as for RL.
	b2 := newBackend(t, func(w http.ResponseWriter, r *http.Request, _ int) { writeJSON(w, 404, `{"detail":"Job not found"}`) })
	if _, err := WaitForJob(t.Context(), b2.client().SFT(), "j", WaitOptions{Clock: newFakeClock()}); !IsNotFound(err) {
		t.Errorf("err = %v", err)
	}
}

func TestResolveFineTunedModel(t *testing.T) {
	succeeded := `{"id":"job_1","status":"succeeded","model":"Qwen/Qwen3-4B","model_id":"Qwen/Qwen3-4B"}`
	noEvents, noModels := `{"events":[]}`, `{"data":[]}`
	tests := []struct {
		name      string
		jobs      []string
		events    string
		models    string
		want      string
		wantErr   string
		wantWaits int
	}{
		{name: "present at once", jobs: []string{`{"id":"job_1","status":"succeeded","fine_tuned_model":"fft:Qwen/Qwen3-4B:job_1"}`},
			events: noEvents, models: noModels, want: "fft:Qwen/Qwen3-4B:job_1"},
		{name: "arrives on a re-read", jobs: []string{succeeded, succeeded, `{"id":"job_1","status":"succeeded","fine_tuned_model":"peft:Qwen/Qwen3-0.6B:job_1:x"}`},
			events: noEvents, models: noModels, want: "peft:Qwen/Qwen3-0.6B:job_1:x", wantWaits: 2},
		{name: "from an event", jobs: []string{succeeded},
			events: `{"events":[{"seq":1,"type":"sft.job.completed","data":{"fine_tuned_model":"fft:Qwen/Qwen3-4B:job_1:ev"}}]}`,
			models: noModels, want: "fft:Qwen/Qwen3-4B:job_1:ev", wantWaits: 24},
		{name: "result before results", jobs: []string{`{"id":"job_1","status":"completed","result":{"model_id":"ft:a"},"results":{"fine_tuned_model":"ft:b"}}`},
			events: noEvents, models: noModels, want: "ft:b", wantWaits: 24},
		{name: "result.output_model_id", jobs: []string{`{"id":"job_1","status":"succeeded","result":{"output_model_id":"ft:c"}}`},
			events: noEvents, models: noModels, want: "ft:c", wantWaits: 24},
		{name: "from the models list", jobs: []string{succeeded}, events: noEvents,
			models: `{"data":[{"id":"fft:other","job_id":"job_0"},{"id":"fft:Qwen/Qwen3-4B:job_1","job_id":"job_1"}]}`,
			want:   "fft:Qwen/Qwen3-4B:job_1", wantWaits: 24},
		{name: "nowhere", jobs: []string{succeeded}, events: noEvents, models: noModels,
			wantErr: "job job_1 succeeded but reported no fine_tuned_model", wantWaits: 24},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := sftScript(t, tt.jobs, tt.events, tt.models)
			sft := b.client().SFT()
			first, err := sft.GetJob(t.Context(), "job_1")
			if err != nil {
				t.Fatal(err)
			}
			clock := newFakeClock()
			got, err := sft.ResolveFineTunedModel(t.Context(), first, ResolveOptions{Clock: clock})
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("got %q err %v, want %q", got, err, tt.wantErr)
				}
			} else if err != nil || got != tt.want {
				t.Fatalf("got %q err %v, want %q", got, err, tt.want)
			}
			if len(clock.waits) != tt.wantWaits {
				t.Errorf("%d re-reads, want %d", len(clock.waits), tt.wantWaits)
			}
			for _, w := range clock.waits {
				if w != 5*time.Second {
					t.Errorf("pause %s, want 5s", w)
				}
			}
		})
	}

	b := sftScript(t, []string{`{"id":"j","status":"failed"}`}, `{}`, `{}`)
	job, _ := b.client().SFT().GetJob(t.Context(), "j")
	if _, err := b.client().SFT().ResolveFineTunedModel(t.Context(), job, ResolveOptions{}); err == nil {
		t.Error("a failed job has no trained model")
	}
}

// TestLinkedJobEvents: a linked job's events are followed, and its terminal
// event ends a wait whose status lags (§12).
func TestLinkedJobEvents(t *testing.T) {
	b := newBackend(t, func(w http.ResponseWriter, r *http.Request, _ int) {
		switch r.URL.Path {
		case "/api/learning/jobs/j/events":
			writeJSON(w, 200, `{"events":[{"seq":1,"type":"sft.job.started"}]}`)
		case "/api/learning/jobs/run_2/events":
			writeJSON(w, 200, `{"events":[{"seq":1,"type":"sft.train.progress"},{"seq":2,"type":"learning.policy.sft.job.completed"}]}`)
		default:
			writeJSON(w, 200, `{"id":"j","status":"training","linked_job_id":"run_2"}`)
		}
	})
	var seen []string
	// Without the linked stream the wait would never end: bound it.
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	job, err := FollowJob(ctx, b.client().SFT(), "j", FollowOptions{
		Wait:    WaitOptions{Clock: newFakeClock()},
		OnEvent: func(_ context.Context, ev Event) { seen = append(seen, ev.Type) },
	})
	if err != nil || job.Phase() != PhaseSucceeded {
		t.Fatalf("job %+v err %v", job, err)
	}
	if got := strings.Join(seen, ","); got != "sft.job.started,sft.train.progress,learning.policy.sft.job.completed" {
		t.Errorf("events followed: %s", got)
	}
}
