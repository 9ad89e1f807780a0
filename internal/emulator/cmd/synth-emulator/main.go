// Command synth-emulator serves the Synth backend emulator and its sample task
// app on loopback ports, for demos and manual runs against the provider.
//
//	synth-emulator -env-file .emulator.env &
//	until [ -f .emulator.env ]; do sleep 0.1; done
//	. ./.emulator.env
//
// The env file appears only once both servers accept connections, so a
// script that waits for it can use the URLs at once.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log"
	"os"
	"os/signal"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"time"

	"github.com/synth-laboratories/terraform-provider-synth/internal/emulator"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stderr); err != nil {
		if !errors.Is(err, flag.ErrHelp) {
			fmt.Fprintln(os.Stderr, "synth-emulator:", err)
		}
		stop()
		os.Exit(2)
	}
}

// run serves until ctx ends. It is main without the process: tests drive it.
func run(ctx context.Context, args []string, stderr io.Writer) error {
	fs := flag.NewFlagSet("synth-emulator", flag.ContinueOnError)
	fs.SetOutput(stderr)
	backendAddr := fs.String("backend-addr", "127.0.0.1:0", "loopback `host:port` for the backend (port 0 picks one)")
	taskAppAddr := fs.String("taskapp-addr", "127.0.0.1:0", "loopback `host:port` for the sample task app")
	apiKey := fs.String("api-key", emulator.DefaultAPIKey, "bearer `key` the backend requires")
	envKey := fs.String("env-key", emulator.DefaultEnvironmentAPIKey, "`key` the task app requires (ENVIRONMENT_API_KEY)")
	queueTime := fs.Duration("queue-time", emulator.DefaultQueueTime, "how long a job stays queued")
	runTime := fs.Duration("run-time", emulator.DefaultRunTime, "how long a job runs before it succeeds")
	seedJobs := fs.Int("seed-jobs", 0, "start with this many jobs of an organisation's history, created evenly over -seed-span")
	seedRunning := fs.Int("seed-running", 0, "how many of the newest -seed-jobs are still running (the rest have succeeded)")
	seedSpan := fs.Duration("seed-span", 7*24*time.Hour, "how far back the -seed-jobs history goes")
	envFile := fs.String("env-file", "", "write shell-sourceable SYNTH_BACKEND_URL, SYNTH_API_KEY, TASK_APP_URL and ENVIRONMENT_API_KEY lines to `path` once serving")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected arguments: %q", fs.Args())
	}
	// Check before listening, so a mistyped address fails with the reason
	// rather than with a half-started pair of servers.
	for _, addr := range []string{*backendAddr, *taskAppAddr} {
		if err := emulator.CheckLoopback(addr); err != nil {
			return err
		}
	}

	logger := log.New(stderr, "synth-emulator: ", log.LstdFlags|log.Lmicroseconds)
	emu := emulator.New(emulator.Options{
		APIKey:            *apiKey,
		EnvironmentAPIKey: *envKey,
		QueueTime:         *queueTime,
		RunTime:           *runTime,
	})
	emu.OnRequest(func(r emulator.Request) { logger.Print(requestLine(r)) })
	defer emu.Close() // the uploaded training files
	emu.SeedHistory(*seedJobs, min(*seedRunning, *seedJobs), *seedSpan)

	servers, err := emu.Start(*backendAddr, *taskAppAddr)
	if err != nil {
		return err
	}
	logger.Printf("backend  %s/api", servers.BackendURL)
	logger.Printf("task app %s (math: %s)", servers.TaskAppURL, servers.MathTaskAppURL)

	if *envFile != "" {
		vars := envVars(servers, *apiKey, *envKey)
		if err := writeEnvFile(*envFile, vars); err != nil {
			_ = servers.Close()
			return err
		}
		logger.Printf("wrote %s", *envFile)
		// A file left behind would hand the next reader URLs nobody serves.
		defer os.Remove(*envFile)
	}

	<-ctx.Done()
	logger.Print("shutting down")
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	return servers.Shutdown(shutdownCtx)
}

// requestLine is one log line per request. It names the route and the
// answer, never headers or bodies: those carry keys.
func requestLine(r emulator.Request) string {
	status := fmt.Sprint(r.Status)
	if r.Status == 0 {
		status = "dropped"
	}
	return fmt.Sprintf("%-7s %-6s %s %s", r.Target, r.Method, r.Path, status)
}

type envVar struct{ name, value string }

func envVars(s *emulator.Servers, apiKey, envKey string) []envVar {
	return []envVar{
		{"SYNTH_BACKEND_URL", s.BackendURL},
		{"SYNTH_API_KEY", apiKey},
		{"TASK_APP_URL", s.TaskAppURL},
		{"ENVIRONMENT_API_KEY", envKey},
	}
}

// writeEnvFile writes vars as NAME=value lines. It writes a temporary file
// beside path and renames it into place, so a reader polling for path sees
// either nothing or the whole file. The file holds keys: it is private.
func writeEnvFile(path string, vars []envVar) (err error) {
	var b strings.Builder
	for _, v := range vars {
		fmt.Fprintf(&b, "%s=%s\n", v.name, shellQuote(v.value))
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*")
	if err != nil {
		return fmt.Errorf("writing env file: %w", err)
	}
	defer func() {
		if err != nil {
			_ = os.Remove(tmp.Name())
		}
	}()
	if _, err = tmp.WriteString(b.String()); err == nil {
		err = tmp.Sync()
	}
	if closeErr := tmp.Close(); err == nil {
		err = closeErr
	}
	if err == nil {
		err = os.Rename(tmp.Name(), path)
	}
	if err != nil {
		return fmt.Errorf("writing env file: %w", err)
	}
	return nil
}

// plainValue matches values a shell reads literally. Leaving those unquoted
// keeps the file usable by readers that are not shells, such as make's
// include or docker's --env-file, for the usual URLs and keys.
var plainValue = regexp.MustCompile(`^[A-Za-z0-9_@%+=:,./-]*$`)

// shellQuote quotes s for a POSIX shell when it needs it.
func shellQuote(s string) string {
	if s != "" && plainValue.MatchString(s) {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}
