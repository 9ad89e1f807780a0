package synthapi

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/synth-laboratories/terraform-provider-synth/internal/emulator"
)

// emulatorClock is a Clock whose waits move the emulator's clock, so that
// hours of backend time pass in no time at all.
type emulatorClock struct{ m *emulator.ManualClock }

func (c emulatorClock) Now() time.Time { return c.m.Now() }
func (c emulatorClock) After(d time.Duration) <-chan time.Time {
	c.m.Advance(d)
	ch := make(chan time.Time, 1)
	ch <- c.m.Now()
	return ch
}

func newEmulated(t *testing.T, opts emulator.Options) (*Client, *emulator.Emulator, emulatorClock) {
	t.Helper()
	manual := emulator.NewManualClock(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
	opts.Clock = manual
	emu := emulator.New(opts)
	t.Cleanup(func() { _ = emu.Close() })
	srv := httptest.NewServer(emu.Backend())
	t.Cleanup(srv.Close)
	c, err := NewClient(srv.URL, emulator.DefaultAPIKey, WithHTTPClient(srv.Client()), fastRetries)
	if err != nil {
		t.Fatal(err)
	}
	return c, emu, emulatorClock{manual}
}

func sftCreatePayload(fileID string) map[string]any {
	return map[string]any{
		"model":            "Qwen/Qwen3-4B",
		"training_type":    "sft_offline",
		"training_file_id": fileID,
		"hyperparameters":  map[string]any{"n_epochs": 1},
		"metadata": map[string]any{"effective_config": map[string]any{
			"compute":  map[string]any{"gpu_type": "H100", "gpu_count": 1, "nodes": 1},
			"data":     map[string]any{"topology": map[string]any{}},
			"training": map[string]any{"mode": "full_finetune", "use_qlora": false},
		}},
	}
}

// TestFFTPipelineOnTheEmulator runs §12's sequence end to end: upload, wait
// for the file, create, start, wait, resolve the trained model.
func TestFFTPipelineOnTheEmulator(t *testing.T) {
	for _, tt := range []struct {
		name string
		sft  emulator.SFTOptions
		want StartOutcome
	}{
		{"newest deployment", emulator.SFTOptions{FileVisibleLag: 3 * time.Second, FileReadyLag: 6 * time.Second}, StartSent},
		{"older deployment", emulator.SFTOptions{FilesRouteMissing: true, StartOnCreate: true}, StartNotNeeded},
	} {
		t.Run(tt.name, func(t *testing.T) {
			c, emu, clock := newEmulated(t, emulator.Options{RunTime: time.Minute, SFT: tt.sft})
			path := writeDataset(t, sampleJSONL)
			file, err := c.UploadFile(t.Context(), UploadFileParams{Path: path, IdempotencyKey: NewIdempotencyKey()})
			if err != nil {
				t.Fatal(err)
			}
			file, ready, err := c.WaitFileReady(t.Context(), file.ID, FileWaitOptions{Clock: clock})
			if err != nil || !ready || file.SHA256 != sha256Hex(sampleJSONL) {
				t.Fatalf("file %+v ready %v err %v", file, ready, err)
			}

			sft := c.SFT()
			job, err := sft.CreateJob(t.Context(), sftCreatePayload(file.ID), NewIdempotencyKey())
			if err != nil {
				t.Fatal(err)
			}
			outcome, err := sft.StartJob(t.Context(), job.ID, StartOptions{Clock: clock})
			if err != nil || outcome != tt.want {
				t.Fatalf("start: %d %v, want %d", outcome, err, tt.want)
			}
			var lossSeen bool
			done, err := FollowJob(t.Context(), sft, job.ID, FollowOptions{
				Wait:      WaitOptions{Clock: clock, NotFoundGrace: time.Minute},
				OnMetrics: func(_ context.Context, m MetricsUpdate) { _, lossSeen = m.Latest["train.loss"] },
			})
			if err != nil || done.Phase() != PhaseSucceeded {
				t.Fatalf("job %+v err %v", done, err)
			}
			if !lossSeen {
				t.Error("no train.loss was followed")
			}
			model, err := sft.ResolveFineTunedModel(t.Context(), done, ResolveOptions{Clock: clock})
			if err != nil || model != "fft:Qwen/Qwen3-4B:"+job.ID {
				t.Fatalf("model %q err %v", model, err)
			}

			// A second upload of the same bytes adopts the first file.
			again, err := c.UploadFile(t.Context(), UploadFileParams{Path: path, IdempotencyKey: NewIdempotencyKey()})
			if err != nil || again.ID != file.ID || !again.Adopted {
				t.Fatalf("re-upload: %+v %v", again, err)
			}
			if err := sft.CancelJob(t.Context(), job.ID); err != nil {
				t.Errorf("cancelling a finished job: %v", err)
			}
			if err := c.DeleteFile(t.Context(), file.ID); err != nil {
				t.Fatal(err)
			}
			if err := c.DeleteFile(t.Context(), file.ID); err != nil {
				t.Errorf("deleting twice: %v", err)
			}
			if files := emu.Files(); !files[0].Deleted {
				t.Error("the file was not deleted")
			}
		})
	}
}

// TestUploadAdoptsByListingOnTheEmulator covers the 409 that names no file.
func TestUploadAdoptsByListingOnTheEmulator(t *testing.T) {
	c, _, _ := newEmulated(t, emulator.Options{SFT: emulator.SFTOptions{ConflictOmitsID: true, FileListShape: "items"}})
	path := writeDataset(t, sampleJSONL)
	// Other files first, so the match is not simply the first entry.
	for i := range 3 {
		if _, err := c.UploadFile(t.Context(), UploadFileParams{Path: writeDataset(t, strings.Repeat("x", i+1))}); err != nil {
			t.Fatal(err)
		}
	}
	first, err := c.UploadFile(t.Context(), UploadFileParams{Path: path})
	if err != nil {
		t.Fatal(err)
	}
	again, err := c.UploadFile(t.Context(), UploadFileParams{Path: path})
	if err != nil || again.ID != first.ID || !again.Adopted {
		t.Fatalf("re-upload: %+v %v", again, err)
	}
}

// TestSFTFaultsOnTheEmulator: a lost create answer is retried into the same
// job, and 502s while polling do not end the wait.
func TestSFTFaultsOnTheEmulator(t *testing.T) {
	c, emu, clock := newEmulated(t, emulator.Options{})
	file, err := c.UploadFile(t.Context(), UploadFileParams{Path: writeDataset(t, sampleJSONL)})
	if err != nil {
		t.Fatal(err)
	}
	emu.InjectFault(emulator.Fault{Method: "POST", Path: "/api/learning/jobs", DropAfterHandling: true})
	job, err := c.SFT().CreateJob(t.Context(), sftCreatePayload(file.ID), "one-key")
	if err != nil {
		t.Fatal(err)
	}
	if n := len(emu.Jobs()); n != 1 {
		t.Fatalf("%d jobs after a lost answer, want 1", n)
	}
	if _, err := c.SFT().StartJob(t.Context(), job.ID, StartOptions{Clock: clock}); err != nil {
		t.Fatal(err)
	}
	emu.InjectFault(emulator.Fault{Method: "GET", Path: "/api/learning/jobs/" + job.ID, Status: http.StatusBadGateway, Times: 3})
	done, err := WaitForJob(t.Context(), c.SFT(), job.ID, WaitOptions{Clock: clock})
	if err != nil || done.Phase() != PhaseSucceeded {
		t.Fatalf("job %+v err %v", done, err)
	}
}

// TestUploadFaultsOnTheEmulator: a 503 and a lost answer are retried with
// the same key and the whole file again, and make exactly one file.
func TestUploadFaultsOnTheEmulator(t *testing.T) {
	c, emu, _ := newEmulated(t, emulator.Options{})
	emu.InjectFault(emulator.Fault{Method: "POST", Path: "/api/files", Status: http.StatusServiceUnavailable, RetryAfter: "0"})
	emu.InjectFault(emulator.Fault{Method: "POST", Path: "/api/files", DropAfterHandling: true})
	file, err := c.UploadFile(t.Context(), UploadFileParams{Path: writeDataset(t, sampleJSONL), IdempotencyKey: "upload-1"})
	if err != nil {
		t.Fatal(err)
	}
	files := emu.Files()
	if len(files) != 1 || files[0].ID != file.ID || files[0].SHA256 != sha256Hex(sampleJSONL) {
		t.Fatalf("files %+v, want the one uploaded as %s", files, file.ID)
	}
	if n := emu.Count(emulator.TargetBackend, "POST", "/api/files"); n != 3 {
		t.Errorf("%d attempts, want 3 (503, lost answer, replay)", n)
	}
}
