// Package emulator is an in-process stand-in for the Synth backend's RL and
// SFT routes (jobs, training files) and for two sample task apps, Crafter and
// math, as the contract page ../shared/synth-api.md (relative to the
// repository root) describes them.
//
// It follows the contract rather than any client, on purpose: it exists to
// catch a client that drifts from the contract, so it shares no code with one.
// Time comes from a Clock and every job state is derived from it on read, which
// lets tests drive a job from queued to succeeded by moving a ManualClock
// instead of sleeping. Everything it is asked is recorded, so tests and
// benchmarks can count requests, and faults can be injected per route.
package emulator

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"sync"
	"time"

	"golang.org/x/crypto/nacl/box"
)

// Defaults for Options fields left zero.
const (
	DefaultAPIKey            = "sk_emulator_key"
	DefaultEnvironmentAPIKey = "env_emulator_key"
	DefaultQueueTime         = time.Second
	DefaultRunTime           = 3 * time.Second
)

// Request targets, as recorded in Request.Target and matched by Fault.Target.
const (
	TargetBackend = "backend"
	TargetTaskApp = "taskapp"
)

// Options configures an Emulator. The zero value is a working emulator.
type Options struct {
	// APIKey is the bearer the backend requires; default DefaultAPIKey.
	APIKey string
	// EnvironmentAPIKey is the key the sample task app requires; default
	// DefaultEnvironmentAPIKey.
	EnvironmentAPIKey string
	// NoTaskAppKey emulates a task app deployed without ENVIRONMENT_API_KEY:
	// its keyed routes answer 503 missing_environment_api_key.
	NoTaskAppKey bool
	// Clock is the time source; default real time.
	Clock Clock
	// QueueTime is how long a job stays queued; zero means DefaultQueueTime
	// and a negative value means the job starts at once.
	QueueTime time.Duration
	// RunTime is how long a job runs before its outcome; zero means
	// DefaultRunTime and a negative value means it finishes as it starts.
	RunTime time.Duration
	// Dialect picks among the answer shapes the contract lets a backend use.
	Dialect Dialect
	// SFT configures the training-file and SFT job routes (§§9–12).
	SFT SFTOptions
}

// Defaults for SFTOptions durations left zero.
const (
	DefaultFileReadyLag = time.Second
	DefaultModelLag     = 3 * time.Second
)

// SFTOptions picks among the behaviours §§9–12 allow a deployment. The zero
// value is a deployment with every route, a short readiness lag, and a
// trained model named DefaultModelLag after success.
type SFTOptions struct {
	// FilesRouteMissing makes every /api/files route answer 404, as an
	// older deployment that serves files only under /api/learning/files.
	FilesRouteMissing bool
	// ConflictOmitsID makes the 409 for identical content name no file, so
	// a client must find it by listing.
	ConflictOmitsID bool
	// StartOnCreate makes jobs start as they are created and /start answer
	// 404, as deployments without a start call do.
	StartOnCreate bool
	// FileVisibleLag is how long after upload a GET answers 404 (default
	// none); FileReadyLag how long a file is "processing" (zero means
	// DefaultFileReadyLag, negative none).
	FileVisibleLag, FileReadyLag time.Duration
	// ModelLag is how long after success fine_tuned_model stays null (zero
	// means DefaultModelLag, negative none).
	ModelLag time.Duration
	// FileListShape is where GET /files puts its array: "data" (default),
	// "files", "items" or "array" (bare). JobListShape is the same for GET
	// /learning/jobs: "jobs" (default), "data", "results" or "array".
	FileListShape, JobListShape string
}

// Dialect picks among the answer shapes §2 and §4 allow, so tests can prove a
// client accepts each. The zero value is the newest backend's shape.
type Dialect struct {
	IDField        string // "job_id" (default) or "id"
	StatusField    string // "status" (default) or "state"
	StatusCase     string // "" lower (default) or "upper"
	EpochTimes     bool   // times as epoch seconds instead of ISO-8601
	ListAsArray    bool   // list answers a bare array instead of {"jobs": [...]}
	LegacyJobRoute bool   // GET /rl/jobs/{id} answers 404; only /learning/jobs/{id} answers
	// ListOmitsConfig leaves "config" out of list answers (§4 makes every
	// field optional); GET /rl/jobs/{id} still carries it.
	ListOmitsConfig bool
}

// Emulator is an emulated Synth backend plus one sample task app. It is safe
// for concurrent use.
type Emulator struct {
	opts    Options
	clock   Clock
	backend http.Handler
	taskApp http.Handler

	// The sealed-box key pair env keys are encrypted to (§7).
	boxPublic  *[32]byte
	boxPrivate *[32]byte

	// outbound calls task apps for verify_task_app.
	outbound *http.Client

	mu             sync.Mutex
	requests       []*Request
	onRequest      func(Request)
	faults         []*activeFault
	jobs           []*job // in creation order: the list cursor depends on it
	jobsByID       map[string]*job
	jobsByKey      map[string]*job
	defaultOutcome Outcome
	nextOutcome    *Outcome
	envKeys        map[string]storedEnvKey
	files          []*storedFile // in upload order: the list cursor depends on it
	filesByID      map[string]*storedFile
	filesByKey     map[string]*storedFile
	filesDir       string
	taskAppSick    bool
	coldStarts     int
}

// New returns an emulator configured by opts. It panics only when the system
// cannot produce randomness for its key pair, as crypto/rand itself would.
func New(opts Options) *Emulator {
	if opts.APIKey == "" {
		opts.APIKey = DefaultAPIKey
	}
	if opts.EnvironmentAPIKey == "" {
		opts.EnvironmentAPIKey = DefaultEnvironmentAPIKey
	}
	if opts.Clock == nil {
		opts.Clock = realClock{}
	}
	opts.QueueTime = durationOrDefault(opts.QueueTime, DefaultQueueTime)
	opts.RunTime = durationOrDefault(opts.RunTime, DefaultRunTime)
	opts.SFT.FileReadyLag = durationOrDefault(opts.SFT.FileReadyLag, DefaultFileReadyLag)
	opts.SFT.ModelLag = durationOrDefault(opts.SFT.ModelLag, DefaultModelLag)
	opts.SFT.FileVisibleLag = max(opts.SFT.FileVisibleLag, 0)

	pub, priv, err := box.GenerateKey(rand.Reader)
	if err != nil {
		panic(fmt.Sprintf("emulator: generating the sealed-box key pair: %v", err))
	}
	e := &Emulator{
		opts:       opts,
		clock:      opts.Clock,
		boxPublic:  pub,
		boxPrivate: priv,
		outbound:   newLoopbackClient(),
		jobsByID:   make(map[string]*job),
		jobsByKey:  make(map[string]*job),
		envKeys:    make(map[string]storedEnvKey),
		filesByID:  make(map[string]*storedFile),
		filesByKey: make(map[string]*storedFile),
	}
	e.backend = e.observe(TargetBackend, e.backendRoutes())
	e.taskApp = e.observe(TargetTaskApp, e.taskAppRoutes())
	return e
}

func durationOrDefault(d, def time.Duration) time.Duration {
	switch {
	case d == 0:
		return def
	case d < 0:
		return 0
	}
	return d
}

// Backend serves the emulated backend; its routes live under /api, so the
// handler's base URL is what a user would configure as the backend URL.
func (e *Emulator) Backend() http.Handler { return e.backend }

// TaskApp serves the sample task app at /.
func (e *Emulator) TaskApp() http.Handler { return e.taskApp }

// OnRequest registers fn to be called once each request has been answered
// (Status 0 when the connection was dropped). It is how the standalone binary
// logs; fn runs on the request's goroutine and must be safe for concurrent use.
func (e *Emulator) OnRequest(fn func(Request)) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.onRequest = fn
}

func (e *Emulator) now() time.Time { return e.clock.Now() }

// Servers are the two loopback HTTP servers started by Emulator.Start.
type Servers struct {
	BackendURL string // e.g. http://127.0.0.1:41234, without /api
	TaskAppURL string
	// MathTaskAppURL is the math sample app's base URL on the same server.
	MathTaskAppURL string

	servers []*http.Server
	wg      sync.WaitGroup
}

// Start serves the backend and the task app on loopback addresses ("" or a
// port of 0 picks a free port) and returns their base URLs. It refuses any
// address that is not loopback: the emulator accepts any caller's secrets and
// must never be reachable from another machine.
func (e *Emulator) Start(backendAddr, taskAppAddr string) (*Servers, error) {
	s := &Servers{}
	for _, side := range []struct {
		addr    string
		handler http.Handler
		url     *string
	}{
		{backendAddr, e.backend, &s.BackendURL},
		{taskAppAddr, e.taskApp, &s.TaskAppURL},
	} {
		addr := side.addr
		if addr == "" {
			addr = "127.0.0.1:0"
		}
		if err := CheckLoopback(addr); err != nil {
			s.Close()
			return nil, err
		}
		l, err := net.Listen("tcp", addr)
		if err != nil {
			s.Close()
			return nil, fmt.Errorf("emulator: listening on %s: %w", addr, err)
		}
		*side.url = "http://" + l.Addr().String()
		srv := &http.Server{Handler: side.handler, ReadHeaderTimeout: 10 * time.Second}
		s.servers = append(s.servers, srv)
		s.wg.Go(func() { _ = srv.Serve(l) })
	}
	s.MathTaskAppURL = s.TaskAppURL + MathTaskAppPath
	return s, nil
}

// Close stops both servers at once, dropping requests in flight, and waits
// for them to stop.
func (s *Servers) Close() error {
	var errs []error
	for _, srv := range s.servers {
		errs = append(errs, srv.Close())
	}
	s.wg.Wait()
	return errors.Join(errs...)
}

// Shutdown stops both servers once the requests in flight are answered, or
// when ctx ends, whichever comes first.
func (s *Servers) Shutdown(ctx context.Context) error {
	var errs []error
	for _, srv := range s.servers {
		errs = append(errs, srv.Shutdown(ctx))
	}
	s.wg.Wait()
	return errors.Join(errs...)
}

// CheckLoopback reports an error unless addr ("host:port") names a loopback
// host: localhost or an address in 127.0.0.0/8 or ::1.
func CheckLoopback(addr string) error {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return fmt.Errorf("emulator: address %q: %w", addr, err)
	}
	if !isLoopbackHost(host) {
		return fmt.Errorf("emulator: address %q is not loopback; the emulator only listens on 127.0.0.1, ::1 or localhost", addr)
	}
	return nil
}

func isLoopbackHost(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// writeJSON answers v as JSON with the given status.
func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// writeDetail answers a FastAPI-style error, {"detail": detail}, which is the
// shape the contract's backend and task apps both use.
func writeDetail(w http.ResponseWriter, status int, detail any) {
	writeJSON(w, status, map[string]any{"detail": detail})
}

// fastAPIErrors turns ServeMux's plain-text 404 and 405 answers into the JSON
// a FastAPI service gives, so a client's error decoding is exercised on
// unknown routes too.
func fastAPIErrors(mux *http.ServeMux) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h, pattern := mux.Handler(r)
		if pattern != "" {
			mux.ServeHTTP(w, r)
			return
		}
		probe := &headerProbe{header: http.Header{}}
		h.ServeHTTP(probe, r)
		if probe.status == http.StatusMethodNotAllowed {
			w.Header().Set("Allow", probe.header.Get("Allow"))
			writeDetail(w, http.StatusMethodNotAllowed, "Method Not Allowed")
			return
		}
		writeDetail(w, http.StatusNotFound, "Not Found")
	})
}

// headerProbe is a ResponseWriter that keeps only the status and headers, to
// learn what ServeMux would have answered without sending it.
type headerProbe struct {
	header http.Header
	status int
}

func (p *headerProbe) Header() http.Header { return p.header }
func (p *headerProbe) Write(b []byte) (int, error) {
	if p.status == 0 {
		p.status = http.StatusOK
	}
	return len(b), nil
}
func (p *headerProbe) WriteHeader(status int) {
	if p.status == 0 {
		p.status = status
	}
}
