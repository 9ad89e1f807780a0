package synthapi

import (
	"encoding/json"
	"strings"
	"testing"
)

func TestDecodeJob(t *testing.T) {
	tests := []struct {
		name string
		body string
		want Job // Raw, Config and Results are checked separately
	}{
		{
			name: "typical",
			body: `{"job_id":"job_1","status":"running","model_id":"Qwen/Qwen3-4B","created_at":"2025-03-01T10:00:00Z"}`,
			want: Job{ID: "job_1", Status: "running", ModelID: "Qwen/Qwen3-4B", CreatedAt: "2025-03-01T10:00:00Z"},
		},
		{
			name: "id and older state, upper case",
			body: `{"id":"job_2","state":" SUCCEEDED "}`,
			want: Job{ID: "job_2", Status: "succeeded"},
		},
		{
			name: "status wins over state",
			body: `{"id":"j","status":"failed","state":"running"}`,
			want: Job{ID: "j", Status: "failed"},
		},
		{
			name: "epoch seconds int and float",
			body: `{"created_at":1740823200,"updated_at":1740823200.25,"started_at":"1740823201"}`,
			want: Job{CreatedAt: "2025-03-01T10:00:00Z", UpdatedAt: "2025-03-01T10:00:00.25Z", StartedAt: "2025-03-01T10:00:01Z"},
		},
		{
			name: "epoch milliseconds",
			body: `{"created_at":1740823200000}`,
			want: Job{CreatedAt: "2025-03-01T10:00:00Z"},
		},
		{
			name: "ISO naive is UTC, zoned is converted",
			body: `{"created_at":"2025-03-01T10:00:00.123456","updated_at":"2025-03-01T12:00:00+02:00","started_at":"2025-03-01 10:00:00","finished_at":"2025-03-01T10:00:00+0000"}`,
			want: Job{CreatedAt: "2025-03-01T10:00:00.123456Z", UpdatedAt: "2025-03-01T10:00:00Z", StartedAt: "2025-03-01T10:00:00Z", FinishedAt: "2025-03-01T10:00:00Z"},
		},
		{
			name: "unreadable and null times are empty",
			body: `{"created_at":"yesterday","updated_at":null,"started_at":{"t":1},"finished_at":""}`,
			want: Job{},
		},
		{
			name: "model and base_model",
			body: `{"model":"rl:Qwen/Qwen3-4B:job_0","base_model":"Qwen/Qwen3-4B"}`,
			want: Job{ModelID: "rl:Qwen/Qwen3-4B:job_0", BaseModel: "Qwen/Qwen3-4B"},
		},
		{
			name: "results.model_id",
			body: `{"results":{"model_id":"rl:Qwen/Qwen3-4B:job_abc:checkpoint-epoch-1","final_reward":0.7}}`,
			want: Job{OutputModelID: "rl:Qwen/Qwen3-4B:job_abc:checkpoint-epoch-1"},
		},
		{
			name: "results.output_model_id",
			body: `{"results":{"output_model_id":"rl:a"}}`,
			want: Job{OutputModelID: "rl:a"},
		},
		{
			name: "results.fine_tuned_model",
			body: `{"results":{"fine_tuned_model":"ft:b"}}`,
			want: Job{OutputModelID: "ft:b"},
		},
		{
			name: "top-level output_model_id",
			body: `{"output_model_id":"rl:c","results":{"final_reward":1}}`,
			want: Job{OutputModelID: "rl:c"},
		},
		{
			name: "error string",
			body: `{"status":"failed","error":"CUDA out of memory"}`,
			want: Job{Status: "failed", ErrorMessage: "CUDA out of memory"},
		},
		{
			name: "error object with message",
			body: `{"status":"failed","error":{"type":"OOM","message":"CUDA out of memory"}}`,
			want: Job{Status: "failed", ErrorMessage: "CUDA out of memory"},
		},
		{
			name: "error object with detail",
			body: `{"error":{"detail":"task app unreachable"}}`,
			want: Job{ErrorMessage: "task app unreachable"},
		},
		{
			name: "error object without message",
			body: `{"error":{"code":"E42","step":3}}`,
			want: Job{ErrorMessage: `{"code":"E42","step":3}`},
		},
		{
			name: "failure_reason",
			body: `{"error":null,"failure_reason":"preempted"}`,
			want: Job{ErrorMessage: "preempted"},
		},
		{
			name: "message",
			body: `{"message":"rollouts timed out"}`,
			want: Job{ErrorMessage: "rollouts timed out"},
		},
		{
			name: "unknown fields ignored",
			body: `{"job_id":"j","status":"provisioning","future":{"x":[1,2]}}`,
			want: Job{ID: "j", Status: "provisioning"},
		},
		{
			name: "empty object",
			body: `{}`,
			want: Job{},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := DecodeJob([]byte(tt.body))
			if err != nil {
				t.Fatal(err)
			}
			if string(got.Raw) != tt.body {
				t.Errorf("Raw = %s", got.Raw)
			}
			got.Raw, got.ConfigJSON, got.Results = nil, nil, nil
			if gotJSON, wantJSON := mustJSON(t, got), mustJSON(t, &tt.want); gotJSON != wantJSON {
				t.Errorf("got  %s\nwant %s", gotJSON, wantJSON)
			}
		})
	}
}

func TestDecodeJobConfigAndResults(t *testing.T) {
	job, err := DecodeJob([]byte(`{"config":{"model":{"base":"Qwen/Qwen3-4B"},"training":{"batch_size":16}},"results":{"final_reward":0.5,"checkpoints":["a"]}}`))
	if err != nil {
		t.Fatal(err)
	}
	model, _ := job.Config()["model"].(map[string]any)
	if model["base"] != "Qwen/Qwen3-4B" {
		t.Errorf("Config = %v", job.Config())
	}
	if job.Results["final_reward"] != 0.5 {
		t.Errorf("Results = %v", job.Results)
	}
	if want := `{"model":{"base":"Qwen/Qwen3-4B"},"training":{"batch_size":16}}`; string(job.ConfigJSON) != want {
		t.Errorf("ConfigJSON = %s, want the config as sent", job.ConfigJSON)
	}
	job, err = DecodeJob([]byte(`{"config":{"training":{"step_rewards_beta":0.0,"learning_rate":5e-05,"batch_size":16}}}`))
	if err != nil {
		t.Fatal(err)
	}
	// The config re-encodes as the backend wrote it: a float stays a float.
	if b, _ := json.Marshal(job.Config()); string(b) != `{"training":{"batch_size":16,"learning_rate":5e-05,"step_rewards_beta":0.0}}` {
		t.Errorf("Config re-encodes as %s", b)
	}
	job, err = DecodeJob([]byte(`{"config":"not an object","results":[1]}`))
	if err != nil {
		t.Fatal(err)
	}
	if job.Config() != nil || job.ConfigJSON != nil || job.Results != nil {
		t.Errorf("non-object config/results decoded as %v / %v", job.Config(), job.Results)
	}
}

func TestDecodeJobRejectsNonObjects(t *testing.T) {
	html := "<html><head><title>502 Bad Gateway</title></head><body>" + strings.Repeat("x", 5000) + "</body></html>"
	for _, body := range []string{"", "   ", "null", `"job_1"`, `[{"job_id":"j"}]`, `42`, `{"job_id":`, html, "\xff\xfe"} {
		job, err := DecodeJob([]byte(body))
		if err == nil {
			t.Errorf("DecodeJob(%.40q) = %+v, want an error", body, job)
			continue
		}
		if len(err.Error()) > 300 {
			t.Errorf("DecodeJob(%.40q): error quotes %d bytes", body, len(err.Error()))
		}
	}
}

func TestPhaseOf(t *testing.T) {
	tests := map[string]Phase{
		"queued": PhaseRunning, "running": PhaseRunning, "": PhaseRunning, "provisioning": PhaseRunning,
		"succeeded": PhaseSucceeded, "completed": PhaseSucceeded, "Completed": PhaseSucceeded,
		"failed": PhaseFailed, "error": PhaseFailed, "ERROR": PhaseFailed,
		"cancelled": PhaseCancelled, "canceled": PhaseCancelled, " Canceled ": PhaseCancelled,
	}
	for status, want := range tests {
		if got := PhaseOf(status); got != want {
			t.Errorf("PhaseOf(%q) = %s, want %s", status, got, want)
		}
	}
	var nilJob *Job
	if nilJob.Phase() != PhaseRunning {
		t.Error("a nil job should be running")
	}
}

func TestPhaseStringAndTerminal(t *testing.T) {
	tests := []struct {
		p        Phase
		str      string
		terminal bool
	}{
		{PhaseRunning, "running", false},
		{PhaseSucceeded, "succeeded", true},
		{PhaseFailed, "failed", true},
		{PhaseCancelled, "cancelled", true},
		{Phase(9), "Phase(9)", false},
	}
	for _, tt := range tests {
		if tt.p.String() != tt.str || tt.p.Terminal() != tt.terminal {
			t.Errorf("Phase %d: String %q Terminal %v", tt.p, tt.p.String(), tt.p.Terminal())
		}
	}
}

func TestEventPhase(t *testing.T) {
	tests := []struct {
		typ      string
		want     Phase
		terminal bool
	}{
		{"rl.job.completed", PhaseSucceeded, true},
		{"rl.train.completed", PhaseSucceeded, true},
		{"workflow.completed", PhaseSucceeded, true},
		{"rl.job.failed", PhaseFailed, true},
		{"rl.train.failed", PhaseFailed, true},
		{"workflow.failed", PhaseFailed, true},
		{"rl.train.step", PhaseRunning, false},
		{"rl.job.created", PhaseRunning, false},
		{"", PhaseRunning, false},
	}
	for _, tt := range tests {
		got, ok := EventPhase(tt.typ)
		if got != tt.want || ok != tt.terminal {
			t.Errorf("EventPhase(%q) = %s, %v", tt.typ, got, ok)
		}
	}
}

func FuzzDecodeJob(f *testing.F) {
	for _, seed := range []string{
		`{"job_id":"job_1","status":"running","created_at":"2025-03-01T10:00:00Z"}`,
		`{"id":7,"state":"COMPLETED","created_at":1740823200.5,"results":{"model_id":"rl:x"}}`,
		`{"status":"failed","error":{"message":"OOM"},"failure_reason":"x"}`,
		`{"created_at":1e300,"updated_at":-1e300,"started_at":"9999-12-31T23:59:59"}`,
		`{"error":{"error":{"error":{"error":{"error":{"message":"deep"}}}}}}`,
		`{"detail":[{"msg":"bad"}]}`,
		`[{"job_id":"a"}]`,
		`<html><title>502</title></html>`,
		`null`,
		``,
		`{"job_id":`,
		"\x00\xff",
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		job, err := DecodeJob(data)
		if err != nil {
			if job != nil {
				t.Fatalf("DecodeJob returned a job and an error")
			}
			return
		}
		if p := job.Phase(); p != PhaseOf(job.Status) || (p != PhaseRunning && !p.Terminal()) {
			t.Fatalf("Phase() = %v for status %q", p, job.Status)
		}
		if !json.Valid(job.Raw) {
			t.Fatalf("Raw is not JSON: %q", job.Raw)
		}
		for _, ts := range []string{job.CreatedAt, job.UpdatedAt, job.StartedAt, job.FinishedAt} {
			if ts != "" && !strings.HasSuffix(ts, "Z") {
				t.Fatalf("timestamp %q is not RFC 3339 UTC", ts)
			}
		}
	})
}

func mustJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// BenchmarkDecodeJob decodes a job object of the size a finished job has:
// its submitted config and results included.
func BenchmarkDecodeJob(b *testing.B) {
	body := []byte(`{"job_id":"job_0123456789abcdef","status":"succeeded","created_at":"2026-11-26T05:00:00Z",
		"updated_at":"2026-11-26T07:00:00Z","started_at":1795669200,"finished_at":1795676400.5,
		"base_model":"Qwen/Qwen3-4B","config":{"algorithm":{"type":"online","method":"policy_gradient","variety":"gspo"},
		"compute":{"gpu_type":"H100","gpu_count":8},"model":{"base":"Qwen/Qwen3-4B","trainer_mode":"full"},
		"rollout":{"env_name":"crafter","policy_name":"crafter-react","max_turns":10,"ops":["agent","env"]},
		"training":{"num_epochs":1,"iterations_per_epoch":10,"batch_size":16,"group_size":4,"learning_rate":5e-5},
		"evaluation":{"instances":10,"every_n_iters":10,"seeds":[0,1,2,3,4,5,6,7,8,9]},
		"services":{"task_url":"https://synth-laboratories--crafter-task-app.modal.run"}},
		"results":{"model_id":"rl:Qwen/Qwen3-4B:job_0123456789abcdef:checkpoint-epoch-1","final_reward":0.8,
		"checkpoints":[{"epoch":1,"path":"s3://bucket/ckpt-1"}]}}`)
	for b.Loop() {
		job, err := DecodeJob(body)
		if err != nil || job.OutputModelID == "" {
			b.Fatalf("DecodeJob = %v, %v", job, err)
		}
	}
}
