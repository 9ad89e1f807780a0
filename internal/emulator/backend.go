package emulator

import (
	"crypto/subtle"
	"net/http"
	"strings"
	"time"
)

// backendRoutes is the backend's route table (§2, §7). Unknown routes answer
// 404 before any key check, as FastAPI does, so a client probing a route that
// does not exist learns that rather than being told its key is wrong.
func (e *Emulator) backendRoutes() http.Handler {
	mux := http.NewServeMux()
	handle := func(pattern string, h http.HandlerFunc) {
		mux.Handle(pattern, e.requireAPIKey(h))
	}
	handle("POST /api/rl/jobs", e.createJob)
	handle("GET /api/rl/jobs", e.listJobs)
	if !e.opts.Dialect.LegacyJobRoute {
		handle("GET /api/rl/jobs/{id}", e.getJob)
	}
	handle("GET /api/learning/jobs/{id}", e.getJob)
	handle("POST /api/rl/jobs/{id}/cancel", e.cancelJob)
	handle("GET /api/rl/jobs/{id}/events", e.jobEvents)
	handle("GET /api/rl/jobs/{id}/metrics", e.jobMetrics)
	handle("POST /api/rl/verify_task_app", e.verifyTaskApp)
	handle("GET /api/v1/crypto/public-key", e.publicKey)
	handle("POST /api/v1/env-keys", e.storeEnvKey)
	handle("GET /api/v1/env-keys/verify", e.verifyEnvKey)

	fileRoutes := []string{"/api/learning/files"}
	if !e.opts.SFT.FilesRouteMissing {
		fileRoutes = append(fileRoutes, "/api/files")
	}
	for _, root := range fileRoutes {
		handle("POST "+root, e.uploadFile)
		handle("GET "+root, e.listFiles)
		handle("GET "+root+"/{id}", e.getFile)
		handle("DELETE "+root+"/{id}", e.deleteFile)
		handle("GET "+root+"/{id}/jobs", e.fileJobs)
	}
	handle("POST /api/learning/jobs", e.createSFTJob)
	handle("GET /api/learning/jobs", e.listSFTJobs)
	if !e.opts.SFT.StartOnCreate {
		handle("POST /api/learning/jobs/{id}/start", e.startSFTJob)
	}
	handle("POST /api/learning/jobs/{id}/cancel", e.cancelJob)
	handle("GET /api/learning/jobs/{id}/events", e.jobEvents)
	handle("GET /api/learning/jobs/{id}/metrics", e.jobMetrics)
	handle("GET /api/learning/models", e.listModels)
	return fastAPIErrors(mux)
}

// requireAPIKey answers 401 unless the request carries the backend's key as
// a bearer token.
func (e *Emulator) requireAPIKey(h http.Handler) http.Handler {
	want := []byte(e.opts.APIKey)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got, ok := bearerToken(r.Header)
		if !ok || subtle.ConstantTimeCompare([]byte(got), want) != 1 {
			w.Header().Set("WWW-Authenticate", "Bearer")
			writeDetail(w, http.StatusUnauthorized, "Invalid API key")
			return
		}
		h.ServeHTTP(w, r)
	})
}

// bearerToken returns the token of an "Authorization: Bearer <token>" header;
// the scheme is case-insensitive, as RFC 9110 says.
func bearerToken(h http.Header) (string, bool) {
	scheme, token, ok := strings.Cut(h.Get("Authorization"), " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return "", false
	}
	token = strings.TrimSpace(token)
	return token, token != ""
}

func (d Dialect) idKey() string {
	if d.IDField == "id" {
		return "id"
	}
	return "job_id"
}

func (d Dialect) statusKey() string {
	if d.StatusField == "state" {
		return "state"
	}
	return "status"
}

// statusValue spells a status the emulator computed. Statuses a test set
// verbatim with SetJobStatus bypass it: those are meant to arrive as given.
func (d Dialect) statusValue(status string) string {
	if d.StatusCase == "upper" {
		return strings.ToUpper(status)
	}
	return status
}

// timeValue renders t as ISO-8601 in UTC or, for the older dialect, as epoch
// seconds with a fraction when there is one.
func (d Dialect) timeValue(t time.Time) any {
	if d.EpochTimes {
		// Whole seconds and fraction apart: dividing UnixNano would round
		// 1.75 s past a second to 1.7500002.
		return float64(t.Unix()) + float64(t.Nanosecond())/1e9
	}
	return t.UTC().Format(time.RFC3339Nano)
}

// timeOrNull is timeValue with the zero time as JSON null, for moments that
// have not happened yet (a queued job's started_at).
func (d Dialect) timeOrNull(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return d.timeValue(t)
}
