package main

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/synth-laboratories/terraform-provider-synth/internal/trainfile"
)

// The benchmark times the checker on the generated dataset, so the dataset
// must be what the issue asks for: exactly the size named, the same bytes
// every time, and a clean §9 file (no problems, no warnings).
func TestWriteDatasetIsExactDeterministicAndClean(t *testing.T) {
	dir := t.TempDir()
	for _, size := range []int64{1 << 10, 300_001, 2 << 20} {
		a, b := filepath.Join(dir, "a.jsonl"), filepath.Join(dir, "b.jsonl")
		if err := writeDataset(a, size); err != nil {
			t.Fatal(err)
		}
		if err := writeDataset(b, size); err != nil {
			t.Fatal(err)
		}
		res, err := trainfile.CheckFile(a)
		if err != nil {
			t.Fatal(err)
		}
		if res.Bytes != size || !res.OK() || len(res.Warnings) > 0 || res.Records < 2 {
			t.Errorf("size %d: %d bytes, %d records, problems %v, warnings %v", size, res.Bytes, res.Records, res.Problems, res.Warnings)
		}
		ab, _ := os.ReadFile(a)
		bb, _ := os.ReadFile(b)
		if !bytes.Equal(ab, bb) {
			t.Errorf("size %d: two runs wrote different bytes", size)
		}
	}
}

// A line as the provider's debug log writes it (fields in any order, a
// quoted value holding spaces and "="), next to a GET of the same route.
func TestUploadAttemptsReadsOnlyPostsToFiles(t *testing.T) {
	log := []byte(`2026-12-06T20:37:47.906Z [DEBUG] provider.terraform-provider-synth: Synth HTTP request: attempt=1 status=201 url=http://127.0.0.1:35103/api/files @module=synth duration_ms=1800 method=POST request_headers="map[Content-Type:multipart/form-data; boundary=synth-79 url=x method=GET]" timestamp=2026-12-06T20:37:47.906Z
2026-12-06T20:37:47.907Z [DEBUG] provider.terraform-provider-synth: Synth HTTP request: duration_ms=3 url=http://127.0.0.1:35103/api/files/file_9d method=GET status=200
2026-12-06T20:37:48.001Z [DEBUG] provider.terraform-provider-synth: Synth HTTP request: method=POST duration_ms=200 url=http://127.0.0.1:35103/api/learning/files attempt=2
`)
	total, attempts := uploadAttempts(log)
	if attempts != 2 || total != 2*time.Second {
		t.Errorf("got %d attempts taking %s, want 2 taking 2s", attempts, total)
	}
}
