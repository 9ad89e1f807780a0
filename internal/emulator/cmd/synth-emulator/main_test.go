package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

func TestWriteEnvFile(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	path := filepath.Join(dir, "emulator.env")
	vars := []envVar{
		{"SYNTH_BACKEND_URL", "http://127.0.0.1:4100"},
		{"SYNTH_API_KEY", "sk_emulator_key"},
		{"TASK_APP_URL", "http://127.0.0.1:4200"},
		{"ENVIRONMENT_API_KEY", "it's $HOME"},
	}
	if err := writeEnvFile(path, vars); err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	want := "SYNTH_BACKEND_URL=http://127.0.0.1:4100\n" +
		"SYNTH_API_KEY=sk_emulator_key\n" +
		"TASK_APP_URL=http://127.0.0.1:4200\n" +
		"ENVIRONMENT_API_KEY='it'\\''s $HOME'\n"
	if string(got) != want {
		t.Errorf("file:\n%s\nwant:\n%s", got, want)
	}
	if info, _ := os.Stat(path); info.Mode().Perm() != 0o600 {
		t.Errorf("mode %v: the file holds keys", info.Mode())
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 1 {
		t.Errorf("temporary files left: %v", entries)
	}

	// A POSIX shell reads back exactly the values written.
	if sh, err := exec.LookPath("sh"); err == nil {
		out, err := exec.CommandContext(t.Context(), sh, "-c", `. "$1" && printf '%s\n' "$ENVIRONMENT_API_KEY" "$SYNTH_BACKEND_URL"`, "sh", path).Output()
		if err != nil {
			t.Fatal(err)
		}
		if string(out) != "it's $HOME\nhttp://127.0.0.1:4100\n" {
			t.Errorf("sourced %q", out)
		}
	}

	// Rewriting replaces the whole file.
	if err := writeEnvFile(path, vars[:1]); err != nil {
		t.Fatal(err)
	}
	if got, _ := os.ReadFile(path); string(got) != "SYNTH_BACKEND_URL=http://127.0.0.1:4100\n" {
		t.Errorf("rewritten: %q", got)
	}

	if err := writeEnvFile(filepath.Join(dir, "missing", "x.env"), vars); err == nil {
		t.Error("writing into a missing directory succeeded")
	}
}

func TestShellQuote(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"http://[::1]:80":   "'http://[::1]:80'",
		"sk_abc-123":        "sk_abc-123",
		"":                  "''",
		"a b":               "'a b'",
		"x'y":               `'x'\''y'`,
		"$(rm -rf /)":       "'$(rm -rf /)'",
		"https://x/api?a=b": "'https://x/api?a=b'",
	} {
		if got := shellQuote(in); got != want {
			t.Errorf("shellQuote(%q) = %s, want %s", in, got, want)
		}
	}
}

// syncBuffer is a log sink the server goroutines and the test share.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func TestRunServesUntilCancelled(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "emulator.env")
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	var logs syncBuffer
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, []string{"-env-file", path, "-api-key", "sk_secret_test", "-env-key", "env_secret_test"}, &logs)
	}()

	var env map[string]string
	envs := map[string][]string{}
	deadline := time.Now().Add(10 * time.Second)
	for env == nil {
		if time.Now().After(deadline) {
			t.Fatalf("no env file; log:\n%s", logs.String())
		}
		if f, err := os.Open(path); err == nil {
			env = map[string]string{}
			sc := bufio.NewScanner(f)
			for sc.Scan() {
				name, value, _ := strings.Cut(sc.Text(), "=")
				env[name] = value
			}
			f.Close()
		}
		time.Sleep(10 * time.Millisecond)
	}
	if env["SYNTH_API_KEY"] != "sk_secret_test" || env["ENVIRONMENT_API_KEY"] != "env_secret_test" {
		t.Errorf("env file: %v", env)
	}

	req, _ := http.NewRequestWithContext(t.Context(), "GET", env["SYNTH_BACKEND_URL"]+"/api/v1/env-keys/verify", nil)
	req.Header.Set("Authorization", "Bearer "+env["SYNTH_API_KEY"])
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Errorf("backend answered %d", resp.StatusCode)
	}
	for _, name := range []string{"TASK_APP_URL", "MATH_TASK_APP_URL"} {
		req, _ = http.NewRequestWithContext(t.Context(), "GET", env[name]+"/task_info?seed=0", nil)
		req.Header.Set("X-API-Key", env["ENVIRONMENT_API_KEY"])
		resp, err = http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		var info struct{ Environments []string }
		_ = json.NewDecoder(resp.Body).Decode(&info)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			t.Errorf("%s answered %d", name, resp.StatusCode)
		}
		envs[name] = info.Environments
	}
	if !slices.Equal(envs["TASK_APP_URL"], []string{"crafter"}) || !slices.Equal(envs["MATH_TASK_APP_URL"], []string{"math"}) {
		t.Errorf("the env file's task apps serve %v", envs)
	}

	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("run: %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("run did not stop")
	}
	if _, err := os.Stat(path); !os.IsNotExist(err) {
		t.Errorf("env file left behind: %v", err)
	}
	out := logs.String()
	if !strings.Contains(out, "backend GET    /api/v1/env-keys/verify 200") || !strings.Contains(out, "taskapp GET    /math/task_info 200") {
		t.Errorf("log lacks request lines:\n%s", out)
	}
	if strings.Contains(out, "sk_secret_test") || strings.Contains(out, "env_secret_test") {
		t.Errorf("log shows a key:\n%s", out)
	}
}

func TestRunRefusesNonLoopback(t *testing.T) {
	t.Parallel()
	for _, args := range [][]string{
		{"-backend-addr", "0.0.0.0:0"},
		{"-taskapp-addr", ":8080"},
		{"-backend-addr", "10.0.0.1:0"},
		{"stray-argument"},
	} {
		var logs syncBuffer
		if err := run(t.Context(), args, &logs); err == nil {
			t.Errorf("run %v succeeded", args)
		}
	}
}
