package emulator

import (
	"errors"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
)

// The RL job routes (§2). Handlers compute everything under e.mu and write
// the answer after releasing it, so a slow client never holds up the rest.

func (e *Emulator) createJob(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body) // observe has buffered it already
	p, err := parseCreatePayload(body)
	if err != nil {
		writeDetail(w, http.StatusUnprocessableEntity, err.Error())
		return
	}
	key := r.Header.Get("Idempotency-Key")
	now := e.now()
	d := e.opts.Dialect

	e.mu.Lock()
	// A repeated key is a client retrying a create whose answer it lost: it
	// gets the job it already made, never a second one.
	// Unkeyed creates are never stored under "", so they never match here.
	if j, ok := e.jobsByKey[key]; ok && !j.lost {
		answer := j.render(j.at(now, d), d)
		e.mu.Unlock()
		writeJSON(w, http.StatusOK, answer)
		return
	}
	steps := trainingSteps(p.config)
	j := &job{
		id:             newJobID(),
		idempotencyKey: key,
		body:           body,
		configJSON:     p.configJSON,
		source:         p.source,
		base:           p.baseModel(),
		createdAt:      now,
		queueTime:      e.opts.QueueTime,
		runTime:        e.opts.RunTime,
		steps:          steps,
		evalEvery:      evalEvery(p.config, steps),
		evalInstances:  evalInstances(p.config),
		outcome:        e.takeOutcome(),
	}
	e.addJob(j, key)
	answer := j.render(j.at(now, d), d)
	e.mu.Unlock()
	writeJSON(w, http.StatusCreated, answer)
}

// addJob records a new job, under storeKey too when the client sent an
// Idempotency-Key (storeKey is that key as its family files it). The
// caller holds e.mu.
func (e *Emulator) addJob(j *job, storeKey string) {
	e.jobs = append(e.jobs, j)
	e.jobsByID[j.id] = j
	if j.idempotencyKey != "" {
		e.jobsByKey[storeKey] = j
	}
}

func (e *Emulator) getJob(w http.ResponseWriter, r *http.Request) {
	now, d := e.now(), e.opts.Dialect
	e.mu.Lock()
	j, ok := e.routeJob(r)
	if !ok {
		e.mu.Unlock()
		writeJobNotFound(w)
		return
	}
	answer := j.render(j.at(now, d), d)
	e.mu.Unlock()
	writeJSON(w, http.StatusOK, answer)
}

// listQuery is a parsed GET /rl/jobs query.
type listQuery struct {
	limit         int
	status        string
	model         string
	createdAfter  time.Time
	createdBefore time.Time
	after         string
}

func parseListQuery(q url.Values) (listQuery, error) {
	lq := listQuery{
		status: strings.ToLower(q.Get("status")),
		model:  q.Get("model"),
		after:  q.Get("after"),
	}
	var err error
	if lq.limit, err = intParam(q, "limit", 20); err != nil {
		return lq, err
	}
	if lq.limit < 1 {
		return lq, errors.New("limit must be at least 1")
	}
	if lq.createdAfter, err = timeParam(q, "created_after"); err != nil {
		return lq, err
	}
	if lq.createdBefore, err = timeParam(q, "created_before"); err != nil {
		return lq, err
	}
	return lq, nil
}

func (lq listQuery) matches(j *job, now time.Time) bool {
	if lq.status != "" {
		if status, _ := j.statusAt(now); strings.ToLower(status) != lq.status {
			return false
		}
	}
	return (lq.model == "" || j.source == lq.model || j.base == lq.model) &&
		(lq.createdAfter.IsZero() || j.createdAt.After(lq.createdAfter)) &&
		(lq.createdBefore.IsZero() || j.createdAt.Before(lq.createdBefore))
}

// listJobs answers jobs in creation order. The "after" cursor is a job id and
// the page is the matching jobs created after it, so a client pages by
// passing the last id it saw.
func (e *Emulator) listJobs(w http.ResponseWriter, r *http.Request) {
	lq, err := parseListQuery(r.URL.Query())
	if err != nil {
		writeDetail(w, http.StatusUnprocessableEntity, err.Error())
		return
	}
	now, d := e.now(), e.opts.Dialect

	e.mu.Lock()
	page, hasMore, ok := e.pageJobs(lq, now, d, func(j *job) bool { return j.sft == nil })
	e.mu.Unlock()
	if !ok {
		writeDetail(w, http.StatusUnprocessableEntity, "after must be the id of a job")
		return
	}
	if d.ListOmitsConfig {
		for _, job := range page {
			delete(job, "config")
		}
	}

	if d.ListAsArray {
		writeJSON(w, http.StatusOK, page)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"jobs": page, "has_more": hasMore})
}

// pageJobs is the page of jobs of one family (keep) matching lq, in
// creation order after the job lq.after names; ok is false when it names
// none. A lost job still holds its place in line, so a cursor naming it
// keeps working. The caller holds e.mu.
func (e *Emulator) pageJobs(lq listQuery, now time.Time, d Dialect, keep func(*job) bool) (page []map[string]any, hasMore, ok bool) {
	return pageAfter(e.jobs, func(j *job) string { return j.id }, lq.after, lq.limit,
		func(j *job) bool { return !j.lost && keep(j) && lq.matches(j, now) },
		func(j *job) map[string]any { return j.render(j.at(now, d), d) })
}

// pageAfter is the page of up to limit rendered items that keep accepts,
// beginning after the item whose id is after (at the start for no cursor);
// hasMore says a further kept item exists, and ok is false when no item has
// the id after.
func pageAfter[T any](items []T, id func(T) string, after string, limit int, keep func(T) bool, render func(T) map[string]any) (page []map[string]any, hasMore, ok bool) {
	from := 0
	if after != "" {
		i := slices.IndexFunc(items, func(item T) bool { return id(item) == after })
		if i < 0 {
			return nil, false, false
		}
		from = i + 1
	}
	page = []map[string]any{}
	for _, item := range items[from:] {
		if !keep(item) {
			continue
		}
		if len(page) == limit {
			return page, true, true
		}
		page = append(page, render(item))
	}
	return page, false, true
}

func (e *Emulator) cancelJob(w http.ResponseWriter, r *http.Request) {
	now, d := e.now(), e.opts.Dialect
	e.mu.Lock()
	j, ok := e.routeJob(r)
	if !ok {
		e.mu.Unlock()
		writeJobNotFound(w)
		return
	}
	j.cancelRequests++
	if classify(j.at(now, d).status).terminal() {
		e.mu.Unlock()
		writeDetail(w, http.StatusConflict, "Job already terminal")
		return
	}
	j.force(now, forcedStatus{status: "cancelled"}, event{
		typ: j.eventPrefix() + ".job.cancelled", level: "warn", message: "Job cancelled by request",
		data: map[string]any{"reason": "cancelled by request"},
	})
	e.mu.Unlock()
	writeJSON(w, http.StatusOK, map[string]any{
		d.idKey():     j.id,
		d.statusKey(): d.statusValue("cancelled"),
	})
}

func (e *Emulator) jobEvents(w http.ResponseWriter, r *http.Request) {
	since, limit, ok := feedPage(w, r, "since_seq", 0)
	if !ok {
		return
	}
	e.serveJobFeed(w, r, "events", func(j *job, v view, d Dialect) []map[string]any {
		events := []map[string]any{}
		for _, ev := range v.events {
			if ev.seq > since && len(events) < limit {
				events = append(events, ev.render(j.id, d))
			}
		}
		return events
	})
}

func (e *Emulator) jobMetrics(w http.ResponseWriter, r *http.Request) {
	afterStep, limit, ok := feedPage(w, r, "after_step", -1)
	if !ok {
		return
	}
	e.serveJobFeed(w, r, "points", func(j *job, v view, d Dialect) []map[string]any {
		points := []map[string]any{}
		for _, p := range v.metricPoints(j, d) {
			if step, _ := p["step"].(int); step > afterStep && len(points) < limit {
				points = append(points, p)
			}
		}
		return points
	})
}

// serveJobFeed answers {key: items} for the job named in the path, with
// items picked from the job as it is at this instant, under the lock.
func (e *Emulator) serveJobFeed(w http.ResponseWriter, r *http.Request, key string, pick func(j *job, v view, d Dialect) []map[string]any) {
	now, d := e.now(), e.opts.Dialect
	e.mu.Lock()
	j, found := e.routeJob(r)
	if !found {
		e.mu.Unlock()
		writeJobNotFound(w)
		return
	}
	items := pick(j, j.at(now, d), d)
	e.mu.Unlock()
	writeJSON(w, http.StatusOK, map[string]any{key: items})
}

func writeJobNotFound(w http.ResponseWriter) {
	writeDetail(w, http.StatusNotFound, "Job not found")
}

// routeJob finds the live job named in the path, of the family the route
// serves: /api/rl/ routes know RL jobs only, the /api/learning/ routes both
// (older deployments read RL jobs there, §2). The caller holds e.mu.
func (e *Emulator) routeJob(r *http.Request) (*job, bool) {
	j, ok := e.liveJob(r.PathValue("id"))
	if !ok || (j.sft != nil && strings.HasPrefix(r.URL.Path, "/api/rl/")) {
		return nil, false
	}
	return j, true
}

// liveJob finds a job that has not been lost. The caller holds e.mu.
func (e *Emulator) liveJob(id string) (*job, bool) {
	j, ok := e.jobsByID[id]
	if !ok || j.lost {
		return nil, false
	}
	return j, true
}

func intParam(q url.Values, name string, def int) (int, error) {
	s := q.Get(name)
	if s == "" {
		return def, nil
	}
	n, err := strconv.Atoi(s)
	if err != nil {
		return 0, errors.New(name + " must be an integer")
	}
	return n, nil
}

func positiveIntParam(q url.Values, name string, def int) (int, error) {
	n, err := intParam(q, name, def)
	if err == nil && n < 1 {
		err = errors.New(name + " must be at least 1")
	}
	return n, err
}

// timeParam reads a time given as RFC 3339 or as epoch seconds, the two
// spellings §4 allows for times.
func timeParam(q url.Values, name string) (time.Time, error) {
	s := q.Get(name)
	if s == "" {
		return time.Time{}, nil
	}
	if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
		return t, nil
	}
	if secs, err := strconv.ParseFloat(s, 64); err == nil {
		return time.Unix(0, int64(secs*1e9)), nil
	}
	return time.Time{}, errors.New(name + " must be an RFC 3339 time or epoch seconds")
}

// Test controls over jobs.

// SetNextOutcome sets the outcome of the next job created; later jobs go back
// to the default outcome.
func (e *Emulator) SetNextOutcome(o Outcome) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.nextOutcome = &o
}

// SetDefaultOutcome sets the outcome of every job created from now on that
// SetNextOutcome does not claim.
func (e *Emulator) SetDefaultOutcome(o Outcome) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.defaultOutcome = o
}

// takeOutcome picks the outcome for a job being created. The caller holds e.mu.
func (e *Emulator) takeOutcome() Outcome {
	o := e.defaultOutcome
	if e.nextOutcome != nil {
		o, e.nextOutcome = *e.nextOutcome, nil
	}
	if o.Status == "" {
		o.Status = "succeeded"
	}
	return o
}

// FailJob turns a job failed now, with reason, whatever it was doing.
func (e *Emulator) FailJob(id, reason string) {
	now := e.now()
	e.mu.Lock()
	defer e.mu.Unlock()
	if j, ok := e.liveJob(id); ok {
		if reason == "" {
			reason = "Job failed"
		}
		j.force(now, forcedStatus{status: "failed", reason: reason}, event{
			typ: j.eventPrefix() + ".job.failed", level: "error", message: reason,
			data: map[string]any{"error": reason},
		})
	}
}

// LoseJob makes the backend forget a job: every route answers 404 for it,
// Jobs and Job no longer return it, and its idempotency key is free again.
func (e *Emulator) LoseJob(id string) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if j, ok := e.jobsByID[id]; ok {
		j.lost = true
	}
}

// SetJobStatus makes a job report status verbatim from now on, e.g.
// "weird_new_state" or "COMPLETED"; it adds no events.
func (e *Emulator) SetJobStatus(id, status string) {
	now := e.now()
	e.mu.Lock()
	defer e.mu.Unlock()
	if j, ok := e.liveJob(id); ok {
		j.force(now, forcedStatus{status: status, raw: true})
	}
}

// Jobs returns every job the backend knows, in creation order.
func (e *Emulator) Jobs() []Job {
	now := e.now()
	e.mu.Lock()
	defer e.mu.Unlock()
	out := make([]Job, 0, len(e.jobs))
	for _, j := range e.jobs {
		if !j.lost {
			out = append(out, j.public(now))
		}
	}
	return out
}

// Job returns one job, if the backend knows it.
func (e *Emulator) Job(id string) (Job, bool) {
	now := e.now()
	e.mu.Lock()
	defer e.mu.Unlock()
	j, ok := e.liveJob(id)
	if !ok {
		return Job{}, false
	}
	return j.public(now), true
}

// feedPage reads the cursor and limit of the events and metrics feeds,
// answering 422 itself when either is malformed.
func feedPage(w http.ResponseWriter, r *http.Request, cursorName string, cursorDefault int) (cursor, limit int, ok bool) {
	q := r.URL.Query()
	cursor, err := intParam(q, cursorName, cursorDefault)
	if err == nil {
		limit, err = positiveIntParam(q, "limit", 200)
	}
	if err != nil {
		writeDetail(w, http.StatusUnprocessableEntity, err.Error())
		return 0, 0, false
	}
	return cursor, limit, true
}
