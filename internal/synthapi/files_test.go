package synthapi

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

const sampleJSONL = `{"messages":[{"role":"user","content":"hi"},{"role":"assistant","content":"hello"}]}` + "\n"

func writeDataset(t *testing.T, content string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "train.jsonl")
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func sha256Hex(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:])
}

// uploadPart is what a multipart upload carried.
type uploadPart struct {
	purpose, filename, partType, content string
}

func parseUpload(t *testing.T, h hit) uploadPart {
	t.Helper()
	mediaType, params, err := mime.ParseMediaType(h.Header.Get("Content-Type"))
	if err != nil || mediaType != "multipart/form-data" {
		t.Fatalf("Content-Type = %q, want multipart/form-data", h.Header.Get("Content-Type"))
	}
	var got uploadPart
	mr := multipart.NewReader(strings.NewReader(h.Body), params["boundary"])
	for {
		p, err := mr.NextPart()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("reading the multipart body: %v", err)
		}
		data, _ := io.ReadAll(p)
		switch p.FormName() {
		case "purpose":
			got.purpose = string(data)
		case "file":
			got.filename, got.partType, got.content = p.FileName(), p.Header.Get("Content-Type"), string(data)
		default:
			t.Errorf("unexpected part %q", p.FormName())
		}
	}
	return got
}

func TestUploadFileStreamsMultipart(t *testing.T) {
	path := writeDataset(t, sampleJSONL)
	chunked := make(chan bool, 1)
	b := newBackend(t, func(w http.ResponseWriter, r *http.Request, _ int) {
		chunked <- r.ContentLength == -1
		writeJSON(w, 201, `{"id":"file_1","filename":"train.jsonl","bytes":85,"purpose":"sft_training","status":"processing","created_at":1740823200}`)
	})
	f, err := b.client().UploadFile(t.Context(), UploadFileParams{Path: path, Purpose: "sft_training", IdempotencyKey: "key-1"})
	if err != nil {
		t.Fatal(err)
	}
	if f.ID != "file_1" || f.Status != "processing" || f.Readiness() != FileWaiting || f.CreatedAt != "2025-03-01T10:00:00Z" || f.Adopted ||
		f.SentSHA256 != sha256Hex(sampleJSONL) {
		t.Errorf("file = %+v", f)
	}
	h := b.recorded()[0]
	if h.Method != "POST" || h.Path != "/api/files" || h.Header.Get("Idempotency-Key") != "key-1" {
		t.Errorf("request %s %s key %q", h.Method, h.Path, h.Header.Get("Idempotency-Key"))
	}
	got := parseUpload(t, h)
	want := uploadPart{purpose: "sft_training", filename: "train.jsonl", partType: "application/jsonl", content: sampleJSONL}
	if got != want {
		t.Errorf("upload = %+v, want %+v", got, want)
	}
	if !<-chunked {
		t.Error("the body was sent with a known length: it was built in memory, not streamed")
	}
}

func TestUploadFileDefaultsPurpose(t *testing.T) {
	b := newBackend(t, func(w http.ResponseWriter, r *http.Request, _ int) { writeJSON(w, 200, `{"file_id":"f"}`) })
	f, err := b.client().UploadFile(t.Context(), UploadFileParams{Path: writeDataset(t, sampleJSONL)})
	if err != nil || f.ID != "f" {
		t.Fatalf("file %+v, err %v", f, err)
	}
	if got := parseUpload(t, b.recorded()[0]).purpose; got != "fine-tune" {
		t.Errorf("purpose = %q", got)
	}
}

func TestUploadFileFallsBackToLearningFiles(t *testing.T) {
	for _, status := range []int{404, 405} {
		b := newBackend(t, func(w http.ResponseWriter, r *http.Request, _ int) {
			if r.URL.Path == "/api/files" {
				writeJSON(w, status, `{"detail":"Not Found"}`)
				return
			}
			writeJSON(w, 201, `{"id":"file_legacy"}`)
		})
		f, err := b.client().UploadFile(t.Context(), UploadFileParams{Path: writeDataset(t, sampleJSONL), IdempotencyKey: "k"})
		if err != nil || f.ID != "file_legacy" {
			t.Fatalf("%d: file %+v, err %v", status, f, err)
		}
		hits := b.recorded()
		if len(hits) != 2 || hits[1].Path != "/api/learning/files" || hits[1].Header.Get("Idempotency-Key") != "k" {
			t.Fatalf("%d: hits %+v", status, hits)
		}
		if got := parseUpload(t, hits[1]).content; got != sampleJSONL {
			t.Errorf("%d: the fallback sent %q", status, got)
		}
	}
}

func TestUploadFileRetryResendsTheWholeFile(t *testing.T) {
	b := newBackend(t, func(w http.ResponseWriter, r *http.Request, n int) {
		if n == 1 {
			writeJSON(w, 502, `{"detail":"bad gateway"}`)
			return
		}
		writeJSON(w, 201, `{"id":"file_2"}`)
	})
	f, err := b.client().UploadFile(t.Context(), UploadFileParams{Path: writeDataset(t, sampleJSONL), IdempotencyKey: "k"})
	if err != nil {
		t.Fatal(err)
	}
	if f.SentSHA256 != sha256Hex(sampleJSONL) {
		t.Errorf("SentSHA256 %q after a retry", f.SentSHA256)
	}
	hits := b.recorded()
	if len(hits) != 2 {
		t.Fatalf("%d requests, want 2", len(hits))
	}
	for i, h := range hits {
		if got := parseUpload(t, h).content; got != sampleJSONL {
			t.Errorf("attempt %d sent %q", i+1, got)
		}
	}

	// Without a key an upload is never repeated.
	b2 := newBackend(t, func(w http.ResponseWriter, r *http.Request, _ int) { writeJSON(w, 502, `{"detail":"bad gateway"}`) })
	if _, err := b2.client().UploadFile(t.Context(), UploadFileParams{Path: writeDataset(t, sampleJSONL)}); err == nil {
		t.Fatal("want an error")
	}
	if n := len(b2.recorded()); n != 1 {
		t.Errorf("unkeyed upload sent %d times", n)
	}
}

func TestUploadFileConflictAdoptsTheBackendsCopy(t *testing.T) {
	content := sampleJSONL
	sum := sha256Hex(content)
	tests := []struct {
		name     string
		conflict string
		list     string // answer to GET /files; "" means it must not be asked
		wantID   string
		wantErr  string
	}{
		{name: "id at top level", conflict: `{"id":"file_top","detail":"exists"}`, wantID: "file_top"},
		{name: "file_id under detail", conflict: `{"detail":{"message":"exists","file_id":"file_detail"}}`, wantID: "file_detail"},
		{name: "by sha256 in a bare array", conflict: `{"detail":"exists"}`,
			list: `[{"id":"other","sha256":"00"},{"id":"file_same","sha256":"` + strings.ToUpper(sum) + `"}]`, wantID: "file_same"},
		{name: "by size and name under data", conflict: `{"detail":"exists"}`,
			list: `{"data":[{"id":"file_sized","bytes":85,"filename":"train.jsonl"}],"has_more":false}`, wantID: "file_sized"},
		{name: "no match", conflict: `{"detail":"identical content exists"}`,
			list: `{"files":[{"id":"other","sha256":"00"}]}`, wantErr: "HTTP 409"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := newBackend(t, func(w http.ResponseWriter, r *http.Request, _ int) {
				switch {
				case r.Method == "POST":
					writeJSON(w, 409, tt.conflict)
				case tt.list != "" && r.URL.Path == "/api/files" && r.URL.Query().Get("purpose") == "fine-tune":
					writeJSON(w, 200, tt.list)
				default:
					writeJSON(w, 500, `{"detail":"unexpected"}`)
				}
			})
			f, err := b.client(WithMaxRetries(0)).UploadFile(t.Context(), UploadFileParams{Path: writeDataset(t, content), IdempotencyKey: "k"})
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) || !strings.Contains(err.Error(), "identical content exists") {
					t.Fatalf("err = %v, want %q and the 409 body", err, tt.wantErr)
				}
				return
			}
			if err != nil || f.ID != tt.wantID || !f.Adopted || f.SentSHA256 != "" {
				t.Fatalf("file %+v, err %v; want adopted %s", f, err, tt.wantID)
			}
			if posts := countMethod(b.recorded(), "POST"); posts != 1 {
				t.Errorf("a 409 was retried: %d POSTs", posts)
			}
		})
	}
}

func countMethod(hits []hit, method string) int {
	n := 0
	for _, h := range hits {
		if h.Method == method {
			n++
		}
	}
	return n
}

func TestUploadFileTooLarge(t *testing.T) {
	b := newBackend(t, func(w http.ResponseWriter, r *http.Request, _ int) {
		writeJSON(w, 413, `{"detail":"Request Entity Too Large"}`)
	})
	path := writeDataset(t, sampleJSONL)
	_, err := b.client().UploadFile(t.Context(), UploadFileParams{Path: path})
	var tooLarge *FileTooLargeError
	if !errors.As(err, &tooLarge) || tooLarge.Bytes != int64(len(sampleJSONL)) {
		t.Fatalf("err = %v, want a FileTooLargeError", err)
	}
	if msg := err.Error(); !strings.Contains(msg, "too large") || !strings.Contains(msg, "85 bytes") || !strings.Contains(msg, path) {
		t.Errorf("message %q does not name the file and its size", msg)
	}
}

func TestUploadFileWithoutIDFails(t *testing.T) {
	b := newBackend(t, func(w http.ResponseWriter, r *http.Request, _ int) { writeJSON(w, 200, `{"status":"ok"}`) })
	_, err := b.client().UploadFile(t.Context(), UploadFileParams{Path: writeDataset(t, sampleJSONL)})
	if err == nil || !strings.Contains(err.Error(), "names no file") {
		t.Fatalf("err = %v", err)
	}
	if _, err := b.client().UploadFile(t.Context(), UploadFileParams{Path: filepath.Join(t.TempDir(), "missing.jsonl")}); err == nil {
		t.Fatal("a missing file must fail before any request")
	}
	if n := len(b.recorded()); n != 1 {
		t.Errorf("%d requests", n)
	}
}

func TestUploadHasItsOwnTimeout(t *testing.T) {
	b := newBackend(t, func(w http.ResponseWriter, r *http.Request, _ int) {
		time.Sleep(150 * time.Millisecond)
		writeJSON(w, 200, `{"id":"file_slow"}`)
	})
	c := b.client(WithTimeout(50*time.Millisecond), WithUploadTimeout(5*time.Second), WithMaxRetries(0))
	if _, err := c.UploadFile(t.Context(), UploadFileParams{Path: writeDataset(t, sampleJSONL)}); err != nil {
		t.Fatalf("a slow upload timed out on the per-request limit: %v", err)
	}
	if _, err := c.GetFile(t.Context(), "file_slow"); err == nil {
		t.Fatal("a slow GET should time out")
	}
}

func TestGetFileReadinessAndFallback(t *testing.T) {
	tests := []struct {
		body string
		want FileReadiness
	}{
		{`{"id":"f","status":"READY"}`, FileReady},
		{`{"id":"f","state":"uploaded"}`, FileReady},
		{`{"id":"f","storage_state":"stored"}`, FileReady},
		{`{"id":"f","status":"complete"}`, FileReady},
		{`{"id":"f"}`, FileReady},
		{`{"id":"f","status":"validating"}`, FileWaiting},
		{`{"id":"f","state":"pending"}`, FileWaiting},
		{`{"id":"f","status":"quarantined"}`, FileUnknown},
	}
	for _, tt := range tests {
		b := newBackend(t, func(w http.ResponseWriter, r *http.Request, _ int) {
			if r.URL.Path == "/api/files/f" {
				writeJSON(w, 405, `{"detail":"Method Not Allowed"}`)
				return
			}
			writeJSON(w, 200, tt.body)
		})
		f, err := b.client().GetFile(t.Context(), "f")
		if err != nil || f.Readiness() != tt.want {
			t.Errorf("%s: file %+v err %v, want readiness %d", tt.body, f, err, tt.want)
		}
		if hits := b.recorded(); len(hits) != 2 || hits[1].Path != "/api/learning/files/f" {
			t.Errorf("%s: hits %+v", tt.body, hits)
		}
	}

	b := newBackend(t, func(w http.ResponseWriter, r *http.Request, _ int) {
		if r.URL.Path == "/api/files/gone" {
			writeJSON(w, 405, `{"detail":"Method Not Allowed"}`)
			return
		}
		writeJSON(w, 404, `{"detail":"File not found"}`)
	})
	_, err := b.client().GetFile(t.Context(), "gone")
	if !IsNotFound(err) || !strings.Contains(err.Error(), "HTTP 405 too") {
		t.Errorf("err = %v, want a 404 that mentions the 405", err)
	}
}

func TestWaitFileReady(t *testing.T) {
	var logged []string
	b := newBackend(t, func(w http.ResponseWriter, r *http.Request, n int) {
		switch n {
		case 1, 2:
			writeJSON(w, 404, `{"detail":"File not found"}`)
		case 3:
			writeJSON(w, 200, `{"id":"f","status":"scanning"}`)
		case 4:
			writeJSON(w, 200, `{"id":"f","status":"processing"}`)
		default:
			writeJSON(w, 200, `{"id":"f","status":"ready","bytes":3}`)
		}
	})
	clock := newFakeClock()
	f, ready, err := b.client().WaitFileReady(t.Context(), "f", FileWaitOptions{
		Clock:           clock,
		OnUnknownStatus: func(_ context.Context, f *TrainingFile) { logged = append(logged, f.Status) },
	})
	if err != nil || !ready || f.Bytes != 3 {
		t.Fatalf("file %+v ready %v err %v", f, ready, err)
	}
	if len(clock.waits) != 4 || clock.waits[0] != 2*time.Second {
		t.Errorf("waits %v, want four of 2s", clock.waits)
	}
	if len(logged) != 1 || logged[0] != "scanning" {
		t.Errorf("unknown statuses reported: %v", logged)
	}
}

func TestWaitFileReadyGivesUpQuietlyOrOnAuth(t *testing.T) {
	b := newBackend(t, func(w http.ResponseWriter, r *http.Request, _ int) {
		writeJSON(w, 200, `{"id":"f","status":"processing"}`)
	})
	clock := newFakeClock()
	f, ready, err := b.client().WaitFileReady(t.Context(), "f", FileWaitOptions{Clock: clock})
	if err != nil || ready || f == nil || f.Status != "processing" {
		t.Fatalf("file %+v ready %v err %v; want not ready, no error", f, ready, err)
	}
	var total time.Duration
	for _, w := range clock.waits {
		total += w
	}
	if total != 120*time.Second {
		t.Errorf("waited %s, want 120s", total)
	}

	for _, status := range []int{401, 403} {
		b := newBackend(t, func(w http.ResponseWriter, r *http.Request, _ int) { writeJSON(w, status, `{"detail":"no"}`) })
		_, ready, err := b.client().WaitFileReady(t.Context(), "f", FileWaitOptions{Clock: newFakeClock()})
		if err == nil || ready || len(b.recorded()) != 1 {
			t.Errorf("%d: ready %v err %v after %d requests; want a fatal error at once", status, ready, err, len(b.recorded()))
		}
	}
}

func TestListFilesShapesAndPaging(t *testing.T) {
	pages := map[string]string{
		"":    `[{"id":"a"},{"id":"b"}]`,
		"b":   `{"files":[{"id":"c"}]}`,
		"c":   `{"items":[{"id":"d"}],"next_cursor":"cur"}`,
		"cur": `{"data":[{"id":"e"}],"has_more":false}`,
	}
	b := newBackend(t, func(w http.ResponseWriter, r *http.Request, _ int) {
		writeJSON(w, 200, pages[r.URL.Query().Get("after")])
	})
	var ids []string
	err := b.client().EachFile(t.Context(), ListFilesParams{Purpose: "fine-tune", Limit: 2}, func(f TrainingFile) bool {
		ids = append(ids, f.ID)
		return true
	})
	if err != nil || strings.Join(ids, ",") != "a,b,c,d,e" {
		t.Fatalf("ids %v err %v", ids, err)
	}
	if q := b.recorded()[0].RawQuery; q != "limit=2&purpose=fine-tune" {
		t.Errorf("query %q", q)
	}

	// An empty page ends a listing that says nothing about paging.
	b2 := newBackend(t, func(w http.ResponseWriter, r *http.Request, n int) {
		if n == 1 {
			writeJSON(w, 200, `{"data":[{"id":"x"}]}`)
			return
		}
		writeJSON(w, 200, `{"data":[]}`)
	})
	n := 0
	if err := b2.client().EachFile(t.Context(), ListFilesParams{}, func(TrainingFile) bool { n++; return true }); err != nil || n != 1 || len(b2.recorded()) != 2 {
		t.Errorf("files %d, requests %d, err %v", n, len(b2.recorded()), err)
	}
}

func TestFileJobsAndDelete(t *testing.T) {
	b := newBackend(t, func(w http.ResponseWriter, r *http.Request, _ int) {
		switch {
		case r.URL.Path == "/api/files/f1/jobs":
			writeJSON(w, 200, `{"data":[{"id":"job_1","status":"running"}]}`)
		case r.URL.Path == "/api/files/f2/jobs":
			writeJSON(w, 405, `{"detail":"Method Not Allowed"}`)
		case r.Method == "DELETE" && r.URL.Path == "/api/files/f1":
			writeJSON(w, 200, `{"deleted":true}`)
		case r.Method == "DELETE" && strings.HasSuffix(r.URL.Path, "/f2"):
			writeJSON(w, 404, `{"detail":"File not found"}`)
		case r.Method == "DELETE" && strings.HasSuffix(r.URL.Path, "/f3"):
			writeJSON(w, 405, `{"detail":"Method Not Allowed"}`)
		default:
			writeJSON(w, 403, `{"detail":"forbidden"}`)
		}
	})
	c := b.client()
	jobs, next, supported, err := c.FileJobs(t.Context(), "f1", "", 0)
	if err != nil || !supported || len(jobs) != 1 || jobs[0].ID != "job_1" || !jobs[0].IsSFT() {
		t.Errorf("jobs %+v supported %v err %v", jobs, supported, err)
	}
	// No cursor and no has_more in the answer: the next page is after the
	// last job listed (§10).
	if next != "job_1" {
		t.Errorf("next %q, want the last job's id", next)
	}
	if _, _, supported, err := c.FileJobs(t.Context(), "f2", "", 0); err != nil || supported {
		t.Errorf("405: supported %v err %v", supported, err)
	}
	for _, id := range []string{"f1", "f2", "f3"} {
		if err := c.DeleteFile(t.Context(), id); err != nil {
			t.Errorf("delete %s: %v", id, err)
		}
	}
	if err := c.DeleteFile(t.Context(), "f4"); err == nil {
		t.Error("a 403 on delete must be an error")
	}
}
