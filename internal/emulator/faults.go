package emulator

import (
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"time"
)

// Fault makes matching requests misbehave, the way a flaky network, an
// overloaded backend or a proxy in front of it would.
type Fault struct {
	Target string // TargetBackend or TargetTaskApp; "" matches both
	Method string // "" matches any
	Path   string // exact path, e.g. "/api/rl/jobs"; "" matches any
	// Times is how many matching requests the fault hits: 0 means 1, and a
	// negative value means every matching request from now on.
	Times int
	// Status, when set, answers the request with this status instead of
	// handling it ...
	Status int
	// ... and this body, by default a FastAPI {"detail": "<status text>"}. It
	// may be HTML, to emulate a proxy's error page.
	Body string
	// ContentType defaults to application/json for a JSON body and to what
	// net/http sniffs otherwise.
	ContentType string
	RetryAfter  string // Retry-After header value sent with Status
	// Drop closes the connection without answering, before handling: the
	// request never happened as far as the backend's state goes.
	Drop bool
	// DropAfterHandling handles the request (a create makes its job) and then
	// closes the connection without answering: the answer is lost. This is
	// the case idempotency keys exist for.
	DropAfterHandling bool
	// Delay waits this long, in real time, before the fault's effect (or
	// before normal handling when the fault does nothing else). It is real
	// time on purpose: it exercises a client's HTTP timeouts, which run on
	// the wall clock whatever the emulator's Clock says.
	Delay time.Duration
}

type activeFault struct {
	Fault
	remaining int // negative: unlimited
}

// InjectFault adds a fault. Faults are tried in the order they were injected
// and one request meets at most one of them: the first that matches and has
// hits left.
func (e *Emulator) InjectFault(f Fault) {
	remaining := f.Times
	if remaining == 0 {
		remaining = 1
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	e.faults = append(e.faults, &activeFault{Fault: f, remaining: remaining})
}

// SetTaskAppHealthy makes the sample task app healthy or not. An unhealthy
// app answers /health with 503 {"healthy": false} and /task_info with 503,
// whatever key it is sent, as an app whose environment failed to load does.
func (e *Emulator) SetTaskAppHealthy(healthy bool) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.taskAppSick = !healthy
}

// SetTaskAppColdStart makes the next n task-app requests answer 502, as Modal
// does while a freshly deployed app boots.
func (e *Emulator) SetTaskAppColdStart(n int) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.coldStarts = max(n, 0)
}

// takeFault spends one hit of the first fault matching the request.
func (e *Emulator) takeFault(target string, r *http.Request) (Fault, bool) {
	e.mu.Lock()
	defer e.mu.Unlock()
	for i, f := range e.faults {
		if (f.Target != "" && f.Target != target) ||
			(f.Method != "" && !strings.EqualFold(f.Method, r.Method)) ||
			(f.Path != "" && f.Path != r.URL.Path) {
			continue
		}
		if f.remaining > 0 {
			f.remaining--
		}
		if f.remaining == 0 {
			e.faults = slices.Delete(e.faults, i, i+1)
		}
		return f.Fault, true
	}
	return Fault{}, false
}

func (e *Emulator) takeColdStart() bool {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.coldStarts == 0 {
		return false
	}
	e.coldStarts--
	return true
}

// applyFaults lets a matching fault, and for the task app a pending cold
// start, have the request. It reports whether the request is dealt with, in
// which case the caller must not handle it again.
func (e *Emulator) applyFaults(target string, w http.ResponseWriter, r *http.Request, h http.Handler) bool {
	if f, ok := e.takeFault(target, r); ok {
		if f.Delay > 0 {
			t := time.NewTimer(f.Delay)
			select {
			case <-t.C:
			case <-r.Context().Done():
				t.Stop()
				return true // the client gave up; nobody is left to answer
			}
		}
		switch {
		case f.Drop:
			dropConnection(w)
			return true
		case f.DropAfterHandling:
			h.ServeHTTP(&headerProbe{header: http.Header{}}, r)
			dropConnection(w)
			return true
		case f.Status != 0:
			writeFault(w, f)
			return true
		}
	}
	if target == TargetTaskApp && e.takeColdStart() {
		writeDetail(w, http.StatusBadGateway, "modal-http: app is starting up (cold start), try again")
		return true
	}
	return false
}

func writeFault(w http.ResponseWriter, f Fault) {
	body := []byte(f.Body)
	if f.Body == "" {
		body, _ = json.Marshal(map[string]any{"detail": http.StatusText(f.Status)})
	}
	contentType := f.ContentType
	if contentType == "" {
		if json.Valid(body) {
			contentType = "application/json"
		} else {
			contentType = http.DetectContentType(body)
		}
	}
	w.Header().Set("Content-Type", contentType)
	if f.RetryAfter != "" {
		w.Header().Set("Retry-After", f.RetryAfter)
	}
	w.WriteHeader(f.Status)
	_, _ = w.Write(body)
}

// dropConnection closes the client's connection without a byte of answer.
func dropConnection(w http.ResponseWriter) {
	conn, _, err := http.NewResponseController(w).Hijack()
	if err != nil {
		// HTTP/2 connections cannot be hijacked; aborting the handler resets
		// the stream, the nearest HTTP/2 has to a dropped connection.
		panic(http.ErrAbortHandler)
	}
	_ = conn.Close()
}
