package emulator

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"
)

const dataset = `{"messages":[{"role":"user","content":"2+2?"},{"role":"assistant","content":"4"}]}` + "\n"

// upload posts content as a multipart training file to path.
func (h *harness) upload(path, content, purpose string, header ...string) response {
	h.t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	if purpose != "" {
		_ = mw.WriteField("purpose", purpose)
	}
	part, _ := mw.CreateFormFile("file", "train.jsonl")
	_, _ = io.WriteString(part, content)
	_ = mw.Close()
	req, err := http.NewRequestWithContext(h.t.Context(), "POST", h.backend.URL+path, &body)
	if err != nil {
		h.t.Fatal(err)
	}
	req.Header.Set("Content-Type", mw.FormDataContentType())
	req.Header.Set("Authorization", "Bearer "+h.key)
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		h.t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	return response{status: resp.StatusCode, header: resp.Header, raw: raw}
}

func (h *harness) uploadID(content string) string {
	h.t.Helper()
	r := h.upload("/api/files", content, "fine-tune")
	wantStatus(h.t, r, http.StatusCreated)
	return r.object(h.t)["id"].(string)
}

func sftPayload(fileID string) map[string]any {
	return map[string]any{
		"model":            "Qwen/Qwen3-4B",
		"training_type":    "sft_offline",
		"training_file_id": fileID,
		"hyperparameters":  map[string]any{"n_epochs": 2},
		"metadata": map[string]any{"effective_config": map[string]any{
			"compute":  map[string]any{"gpu_type": "H100", "gpu_count": 1, "nodes": 1},
			"data":     map[string]any{"topology": map[string]any{}},
			"training": map[string]any{"mode": "full_finetune", "use_qlora": false},
		}},
	}
}

func TestUploadIsHashedToDiskAndBecomesReady(t *testing.T) {
	h := newHarness(t, Options{SFT: SFTOptions{FileVisibleLag: time.Second, FileReadyLag: 3 * time.Second}})
	t.Cleanup(func() { _ = h.emu.Close() })
	r := h.upload("/api/files", dataset, "sft_training")
	wantStatus(t, r, http.StatusCreated)
	f := r.object(t)
	sum := sha256.Sum256([]byte(dataset))
	if f["sha256"] != hex.EncodeToString(sum[:]) || f["bytes"] != float64(len(dataset)) || f["purpose"] != "sft_training" || f["filename"] != "train.jsonl" {
		t.Errorf("file %v", f)
	}
	id := f["id"].(string)
	stored := h.emu.Files()[0]
	if got, _ := os.ReadFile(stored.Path); string(got) != dataset {
		t.Errorf("stored content %q", got)
	}
	if reqs := h.emu.Requests(); reqs[0].Body != nil {
		t.Error("the upload's body was buffered by the recorder")
	}

	wantStatus(t, h.api("GET", "/api/files/"+id, nil), http.StatusNotFound) // not visible yet
	h.clock.Advance(time.Second)
	if s := h.api("GET", "/api/learning/files/"+id, nil).object(t)["status"]; s != "processing" {
		t.Errorf("status %v, want processing", s)
	}
	h.clock.Advance(2 * time.Second)
	if s := h.api("GET", "/api/files/"+id, nil).object(t)["status"]; s != "ready" {
		t.Errorf("status %v, want ready", s)
	}

	if err := h.emu.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(stored.Path); !os.IsNotExist(err) {
		t.Errorf("Close left %s behind", stored.Path)
	}
}

func TestUploadLargerThanTheRecorderLimit(t *testing.T) {
	h := newHarness(t, Options{})
	t.Cleanup(func() { _ = h.emu.Close() })
	line := strings.Repeat("x", 1<<20)
	content := strings.Repeat(`{"messages":[{"role":"user","content":"`+line+`"}]}`+"\n", maxRecordedBody>>20+2)
	r := h.upload("/api/files", content, "")
	wantStatus(t, r, http.StatusCreated)
	if got := r.object(t)["bytes"]; got != float64(len(content)) {
		t.Errorf("bytes %v, want %d", got, len(content))
	}
}

func TestUploadConflictAndIdempotency(t *testing.T) {
	for _, omit := range []bool{false, true} {
		h := newHarness(t, Options{SFT: SFTOptions{ConflictOmitsID: omit}})
		t.Cleanup(func() { _ = h.emu.Close() })
		first := h.upload("/api/files", dataset, "", "Idempotency-Key", "k1")
		wantStatus(t, first, http.StatusCreated)
		id := first.object(t)["id"]

		again := h.upload("/api/files", dataset, "", "Idempotency-Key", "k1")
		wantStatus(t, again, http.StatusOK)
		if again.object(t)["id"] != id {
			t.Errorf("a repeated key made another file")
		}

		conflict := h.upload("/api/files", dataset, "fine-tune", "Idempotency-Key", "k2")
		wantStatus(t, conflict, http.StatusConflict)
		detail := conflict.detail(t)
		if obj, ok := detail.(map[string]any); omit == ok || (ok && obj["id"] != id) {
			t.Errorf("omit %v: 409 detail %v", omit, detail)
		}
		// The same bytes under another purpose are another file.
		wantStatus(t, h.upload("/api/files", dataset, "validation-set", ""), http.StatusCreated)
		if n := len(h.emu.Files()); n != 2 {
			t.Errorf("%d files stored", n)
		}
	}
}

func TestFilesRouteMissing(t *testing.T) {
	h := newHarness(t, Options{SFT: SFTOptions{FilesRouteMissing: true}})
	t.Cleanup(func() { _ = h.emu.Close() })
	wantStatus(t, h.upload("/api/files", dataset, ""), http.StatusNotFound)
	r := h.upload("/api/learning/files", dataset, "")
	wantStatus(t, r, http.StatusCreated)
	id := r.object(t)["id"].(string)
	wantStatus(t, h.api("GET", "/api/files/"+id, nil), http.StatusNotFound)
	wantStatus(t, h.api("GET", "/api/learning/files/"+id, nil), http.StatusOK)
	wantStatus(t, h.api("DELETE", "/api/files/"+id, nil), http.StatusNotFound)
	wantStatus(t, h.api("DELETE", "/api/learning/files/"+id, nil), http.StatusOK)
	wantStatus(t, h.api("GET", "/api/learning/files/"+id, nil), http.StatusNotFound)
	wantStatus(t, h.api("DELETE", "/api/learning/files/"+id, nil), http.StatusNotFound)
}

func TestListFilesPagesAndShapes(t *testing.T) {
	for _, shape := range []string{"", "files", "items", "array"} {
		h := newHarness(t, Options{SFT: SFTOptions{FileListShape: shape}})
		t.Cleanup(func() { _ = h.emu.Close() })
		var ids []string
		for i := range 3 {
			ids = append(ids, h.uploadID(fmt.Sprintf("%s%d\n", dataset, i)))
		}
		r := h.api("GET", "/api/files?limit=2&purpose=fine-tune", nil)
		wantStatus(t, r, http.StatusOK)
		var page []any
		if shape == "array" {
			page = r.array(t)
		} else {
			key := shape
			if key == "" {
				key = "data"
			}
			obj := r.object(t)
			page, _ = obj[key].([]any)
			if obj["has_more"] != true {
				t.Errorf("%q: has_more %v", shape, obj["has_more"])
			}
		}
		if len(page) != 2 || page[1].(map[string]any)["id"] != ids[1] {
			t.Fatalf("%q: page %v", shape, page)
		}
		rest := h.api("GET", "/api/files?limit=2&after="+ids[1], nil)
		if !strings.Contains(string(rest.raw), ids[2]) || strings.Contains(string(rest.raw), ids[0]) || strings.Contains(string(rest.raw), ids[1]) {
			t.Errorf("%q: second page %s", shape, rest.raw)
		}
	}
}

func TestSFTCreateValidatesLikeTheBackend(t *testing.T) {
	h := newHarness(t, Options{})
	t.Cleanup(func() { _ = h.emu.Close() })
	fileID := h.uploadID(dataset)
	tests := []struct {
		name     string
		mutate   func(p map[string]any)
		wantCode string
	}{
		{"job_type sent", func(p map[string]any) { p["job_type"] = "sft" }, "job_type_not_allowed"},
		{"no gpu_type", func(p map[string]any) {
			p["metadata"].(map[string]any)["effective_config"].(map[string]any)["compute"] = map[string]any{"gpu_count": 1}
		}, "missing_gpu_type"},
		{"unknown training file", func(p map[string]any) { p["training_file_id"] = "file_nope" }, "training_file_not_found"},
		{"no training file", func(p map[string]any) { delete(p, "training_file_id") }, "missing_training_file"},
		{"fine-tuned model", func(p map[string]any) { p["model"] = "fft:Qwen/Qwen3-4B:job_1" }, "invalid_model"},
		{"no model", func(p map[string]any) { delete(p, "model") }, "missing_model"},
		{"no step count", func(p map[string]any) { p["hyperparameters"] = map[string]any{"batch_size": 4} }, "invalid_hyperparameters"},
		{"zero epochs", func(p map[string]any) { p["hyperparameters"] = map[string]any{"n_epochs": 0} }, "invalid_hyperparameters"},
		{"empty hyperparameters", func(p map[string]any) { p["hyperparameters"] = map[string]any{} }, "missing_hyperparameters"},
		{"unknown validation file", func(p map[string]any) {
			p["metadata"].(map[string]any)["effective_config"].(map[string]any)["data"] = map[string]any{"validation_files": []any{"file_gone"}}
		}, "validation_file_not_found"},
	}
	for _, tt := range tests {
		p := sftPayload(fileID)
		tt.mutate(p)
		r := h.api("POST", "/api/learning/jobs", p)
		wantStatus(t, r, http.StatusBadRequest)
		if code := r.detail(t).(map[string]any)["code"]; code != tt.wantCode {
			t.Errorf("%s: code %v, want %s", tt.name, code, tt.wantCode)
		}
	}
	if n := len(h.emu.Jobs()); n != 0 {
		t.Errorf("%d jobs made from refused payloads", n)
	}
}

func TestSFTJobLifecycle(t *testing.T) {
	h := newHarness(t, Options{QueueTime: time.Second, RunTime: 8 * time.Second})
	t.Cleanup(func() { _ = h.emu.Close() })
	fileID := h.uploadID(dataset)

	r := h.api("POST", "/api/learning/jobs", sftPayload(fileID), "Idempotency-Key", "sft-1")
	wantStatus(t, r, http.StatusCreated)
	id := r.object(t)["job_id"].(string)
	again := h.api("POST", "/api/learning/jobs", sftPayload(fileID), "Idempotency-Key", "sft-1")
	wantStatus(t, again, http.StatusOK)
	if again.object(t)["job_id"] != id {
		t.Fatal("a repeated key made another job")
	}

	get := func() map[string]any { return h.api("GET", "/api/learning/jobs/"+id, nil).object(t) }
	h.clock.Advance(time.Hour)
	if s := get()["status"]; s != "created" {
		t.Fatalf("status %v before /start, want created", s)
	}
	wantStatus(t, h.api("POST", "/api/learning/jobs/"+id+"/start", map[string]any{}), http.StatusOK)
	wantStatus(t, h.api("POST", "/api/learning/jobs/"+id+"/start", map[string]any{}), http.StatusConflict)
	if s := get()["status"]; s != "queued" {
		t.Errorf("status %v after /start", s)
	}
	h.clock.Advance(2 * time.Second)
	if s := get()["status"]; s != "running" {
		t.Errorf("status %v", s)
	}
	h.clock.Advance(7 * time.Second)
	job := get()
	if job["status"] != "succeeded" || job["fine_tuned_model"] != nil {
		t.Fatalf("job %v: want succeeded, model not yet named", job)
	}
	wantStatus(t, h.api("GET", "/api/rl/jobs/"+id, nil), http.StatusNotFound)
	h.clock.Advance(DefaultModelLag)
	if m := get()["fine_tuned_model"]; m != "fft:Qwen/Qwen3-4B:"+id {
		t.Errorf("fine_tuned_model %v", m)
	}
	models := h.api("GET", "/api/learning/models", nil).object(t)["data"].([]any)
	if len(models) != 1 || models[0].(map[string]any)["job_id"] != id {
		t.Errorf("models %v", models)
	}

	evr := h.api("GET", "/api/learning/jobs/"+id+"/events?since_seq=0", nil).object(t)["events"].([]any)
	var types []string
	for _, ev := range evr {
		types = append(types, ev.(map[string]any)["type"].(string))
	}
	if types[0] != "sft.job.created" || types[len(types)-1] != "sft.job.completed" || !contains(types, "sft.eval.completed") {
		t.Errorf("events %v", types)
	}
	points := h.api("GET", "/api/learning/jobs/"+id+"/metrics?after_step=-1", nil).object(t)["points"].([]any)
	names := map[string]int{}
	for _, p := range points {
		names[p.(map[string]any)["name"].(string)]++
	}
	if names["train.loss"] != 8 || names["val.loss"] != 2 {
		t.Errorf("metric names %v, want 8 train.loss (2 epochs × 4) and 2 val.loss", names)
	}

	list := h.api("GET", "/api/learning/jobs?type=sft_offline&status=succeeded", nil).object(t)["jobs"].([]any)
	if len(list) != 1 {
		t.Errorf("sft list %v", list)
	}
	if rl := h.api("GET", "/api/rl/jobs", nil).object(t)["jobs"].([]any); len(rl) != 0 {
		t.Errorf("the RL list shows SFT jobs: %v", rl)
	}
	fj := h.api("GET", "/api/files/"+fileID+"/jobs", nil).object(t)["data"].([]any)
	if len(fj) != 1 {
		t.Errorf("jobs of the file: %v", fj)
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func TestSFTMethodPrefixes(t *testing.T) {
	h := newHarness(t, Options{QueueTime: -1, RunTime: time.Second, SFT: SFTOptions{StartOnCreate: true, ModelLag: -1}})
	t.Cleanup(func() { _ = h.emu.Close() })
	fileID := h.uploadID(dataset)
	for _, tt := range []struct {
		mode, kind string
		qlora      bool
		want       string
	}{
		{"full_finetune", "fft", false, "fft:"},
		{"lora", "peft", false, "peft:"},
		{"lora", "peft", true, "peft:"},
	} {
		p := sftPayload(fileID)
		p["metadata"].(map[string]any)["effective_config"].(map[string]any)["training"] = map[string]any{"mode": tt.mode, "use_qlora": tt.qlora}
		p["hyperparameters"] = map[string]any{"n_epochs": 1, "train_kind": tt.kind}
		r := h.api("POST", "/api/learning/jobs", p)
		wantStatus(t, r, http.StatusCreated)
		job := r.object(t)
		if job["status"] != "running" {
			t.Errorf("started on create: status %v", job["status"])
		}
		id := job["job_id"].(string)
		wantStatus(t, h.api("POST", "/api/learning/jobs/"+id+"/start", map[string]any{}), http.StatusNotFound)
		h.clock.Advance(time.Second)
		m, _ := h.api("GET", "/api/learning/jobs/"+id, nil).object(t)["fine_tuned_model"].(string)
		if m != tt.want+"Qwen/Qwen3-4B:"+id {
			t.Errorf("%s/%v: model %q", tt.mode, tt.qlora, m)
		}
	}
}

func TestSFTCancelAndFaults(t *testing.T) {
	h := newHarness(t, Options{})
	t.Cleanup(func() { _ = h.emu.Close() })
	fileID := h.uploadID(dataset)
	id := h.api("POST", "/api/learning/jobs", sftPayload(fileID)).object(t)["job_id"].(string)
	wantStatus(t, h.api("POST", "/api/learning/jobs/"+id+"/cancel", map[string]any{}), http.StatusOK)
	wantStatus(t, h.api("POST", "/api/learning/jobs/"+id+"/cancel", map[string]any{}), http.StatusConflict)
	evs := h.api("GET", "/api/learning/jobs/"+id+"/events", nil).object(t)["events"].([]any)
	if last := evs[len(evs)-1].(map[string]any)["type"]; last != "sft.job.cancelled" {
		t.Errorf("last event %v", last)
	}

	// A lost create answer: the job exists, and the same key finds it.
	h.emu.InjectFault(Fault{Method: "POST", Path: "/api/learning/jobs", DropAfterHandling: true})
	body := sftPayload(fileID)
	postExpectingDrop(h, "/api/learning/jobs", body, "lost-1")
	if n := len(h.emu.Jobs()); n != 2 {
		t.Fatalf("%d jobs after the lost answer, want 2", n)
	}
	r := h.api("POST", "/api/learning/jobs", body, "Idempotency-Key", "lost-1")
	wantStatus(t, r, http.StatusOK)
	if n := len(h.emu.Jobs()); n != 2 {
		t.Errorf("the retry made another job")
	}

	h.emu.InjectFault(Fault{Method: "POST", Path: "/api/files", Status: 503, RetryAfter: "1"})
	r = h.upload("/api/files", dataset+"x\n", "")
	if r.status != 503 || r.header.Get("Retry-After") != "1" {
		t.Errorf("fault on upload: %d %v", r.status, r.header)
	}
}

// postExpectingDrop posts body with an Idempotency-Key and expects the
// connection to be dropped instead of answered. net/http itself repeats a
// keyed request whose connection dropped, and the repeat must then be the
// replay of the same job (200), never a new one (201).
func postExpectingDrop(h *harness, path string, body map[string]any, key string) {
	b, _ := json.Marshal(body)
	req, _ := http.NewRequestWithContext(h.t.Context(), "POST", h.backend.URL+path, bytes.NewReader(b))
	req.Header.Set("Authorization", "Bearer "+h.key)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Idempotency-Key", key)
	if resp, err := http.DefaultClient.Do(req); err == nil {
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			h.t.Errorf("the repeat after the drop answered %d, want the replay's 200", resp.StatusCode)
		}
	}
	if reqs := h.emu.Requests(); reqs[len(reqs)-1].Status != 0 && (len(reqs) < 2 || reqs[len(reqs)-2].Status != 0) {
		h.t.Error("no request was dropped")
	}
}
