package main

import (
	"os"
	"path/filepath"
	"testing"
	"time"
)

// One apply's requests as the emulator logs them: a second SFT job's start
// must not be taken for the first, polls before the model appeared do not
// count as detection, and an RL POST before detection (another job) is not
// the hand-off.
func TestHandOffFromFindsFirstPollWithModelAndTheRLPostAfterIt(t *testing.T) {
	end := time.Date(2026, 12, 6, 21, 0, 0, 0, time.UTC)
	at := func(ms int) time.Time { return end.Add(time.Duration(ms) * time.Millisecond) }
	reqs := []logRequest{
		{target: "backend", method: "POST", path: "/api/files", at: at(-4000)},
		{target: "backend", method: "POST", path: "/api/learning/jobs", at: at(-3000)},
		{target: "backend", method: "POST", path: "/api/learning/jobs/sft_1/start", at: at(-2900)},
		{target: "backend", method: "POST", path: "/api/learning/jobs/sft_2/start", at: at(-2800)},
		{target: "backend", method: "POST", path: "/api/rl/jobs", at: at(-2000)},
		{target: "backend", method: "GET", path: "/api/learning/jobs/sft_1", at: at(-1000)},
		{target: "backend", method: "GET", path: "/api/learning/jobs/sft_2", at: at(1500)},
		{target: "backend", method: "GET", path: "/api/learning/jobs/sft_1", at: at(500)},
		{target: "backend", method: "GET", path: "/api/learning/jobs/sft_1", at: at(1200)},
		{target: "taskapp", method: "GET", path: "/health", at: at(1210)},
		{target: "backend", method: "POST", path: "/api/rl/jobs", at: at(1250)},
		{target: "backend", method: "GET", path: "/api/learning/jobs/sft_1", at: at(1300)},
	}
	id := startedSFTJob(reqs)
	if id != "sft_1" {
		t.Fatalf("started SFT job %q, want sft_1", id)
	}
	h, err := handOffFrom(reqs, id, end, time.Second)
	if err != nil {
		t.Fatal(err)
	}
	if h.polls != 4 || h.detectionDelay() != 1200*time.Millisecond || h.handOffTime() != 50*time.Millisecond {
		t.Errorf("got %d polls, detection %s, hand-off %s; want 4, 1.2s, 50ms", h.polls, h.detectionDelay(), h.handOffTime())
	}
	if got := h.sawSucceeded.Sub(end); got != 500*time.Millisecond {
		t.Errorf("the first poll after success came %s after the end, want 500ms", got)
	}
}

func TestHandOffFromRefusesAnApplyWithoutDetectionOrRLPost(t *testing.T) {
	end := time.Date(2026, 12, 6, 21, 0, 0, 0, time.UTC)
	poll := logRequest{target: "backend", method: "GET", path: "/api/learning/jobs/sft_1", at: end.Add(500 * time.Millisecond)}
	post := logRequest{target: "backend", method: "POST", path: "/api/rl/jobs", at: end.Add(600 * time.Millisecond)}
	// The model appears a second after the end: no poll saw it.
	if _, err := handOffFrom([]logRequest{poll, post}, "sft_1", end, time.Second); err == nil {
		t.Error("a hand-off without a poll after the model appeared was accepted")
	}
	if _, err := handOffFrom([]logRequest{poll}, "sft_1", end, 0); err == nil {
		t.Error("a hand-off without an RL POST was accepted")
	}
	if startedSFTJob([]logRequest{post}) != "" {
		t.Error("an apply without an SFT start named a job")
	}
}

// The copy is what `make demo` copies: the example's files, never state or a
// lock file someone left in it.
func TestCopyExampleLeavesStateAndLockBehind(t *testing.T) {
	src, dst := t.TempDir(), filepath.Join(t.TempDir(), "copy")
	for _, name := range []string{"main.tf", "train.jsonl", "terraform.tfstate", "terraform.tfstate.backup", ".terraform.lock.hcl"} {
		if err := os.WriteFile(filepath.Join(src, name), []byte(name), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Mkdir(filepath.Join(src, ".terraform"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := copyExample(src, dst); err != nil {
		t.Fatal(err)
	}
	entries, err := os.ReadDir(dst)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range entries {
		got = append(got, e.Name())
	}
	if len(got) != 2 || got[0] != "main.tf" || got[1] != "train.jsonl" {
		t.Errorf("copied %v, want [main.tf train.jsonl]", got)
	}
	if b, _ := os.ReadFile(filepath.Join(dst, "main.tf")); string(b) != "main.tf" {
		t.Errorf("main.tf copied as %q", b)
	}
}
