package emulator

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strings"
	"time"
)

// A job's life is a pure function of the clock: it is queued for QueueTime,
// runs for RunTime, reporting progress, and then meets its outcome. Nothing
// runs in the background. Every read derives the job's status, events and
// metrics from "now", which is what makes a ManualClock enough to drive it.
//
// Hand-made changes (a cancel, FailJob, SetJobStatus) freeze that natural
// life at the moment they happen and append their own events, so the history
// a client already read, and the seq numbers in it, never change.

// Outcome is how a job ends once its run time is over.
type Outcome struct {
	// Status is "succeeded" (the default), "failed", "cancelled" or
	// "running" (the job never finishes). Any other string becomes the job's
	// status as it is, at the end of its run: "completed", "error" and
	// "canceled" exercise a client's synonyms, "weird_new_state" its idea of
	// an unknown status.
	Status string
	// Reason is why a failed or cancelled job ended.
	Reason string
	// ErrorEvents are the messages of the error-level events a failed job
	// logs before rl.job.failed.
	ErrorEvents []string
	// StatusLagsEvents makes the terminal event appear on time while the
	// status stays "running", as the contract warns can happen (§4).
	StatusLagsEvents bool
}

// Job is a job as tests see it.
type Job struct {
	ID             string
	Status         string // as the backend would report it, lower-case unless set raw
	IdempotencyKey string
	Payload        map[string]any // the create payload as sent
	CreatedAt      time.Time
	CancelRequests int
}

type statusKind int

const (
	kindRunning statusKind = iota // queued, running, or anything unknown
	kindSucceeded
	kindFailed
	kindCancelled
)

// classify groups a status the way §4 tells clients to: any status it does
// not list counts as still running.
func classify(status string) statusKind {
	switch strings.ToLower(status) {
	case "succeeded", "completed":
		return kindSucceeded
	case "failed", "error":
		return kindFailed
	case "cancelled", "canceled":
		return kindCancelled
	}
	return kindRunning
}

func (k statusKind) terminal() bool { return k != kindRunning }

type job struct {
	id             string
	idempotencyKey string
	body           []byte          // the payload as sent; decoded afresh for each caller, so none can alter it
	configJSON     json.RawMessage // data.config as the client encoded it
	source         string          // [model].source, if the job starts from a trained model
	base           string          // the base model trained, named or derived from source
	createdAt      time.Time
	queueTime      time.Duration
	runTime        time.Duration
	steps          int // training steps the job reports; see trainingSteps
	evalEvery      int // steps between evaluations; see evalEvery
	evalInstances  int
	outcome        Outcome
	cancelRequests int
	lost           bool

	// sft is set for an SFT job (§§10–12), nil for an RL one.
	sft *sftJob

	// frozenAt, when set, is the first hand-made change: natural events after
	// it never happen.
	frozenAt time.Time
	manual   []event // events of hand-made changes, in order
	forced   *forcedStatus
}

// forcedStatus is a status set by hand; the latest one wins.
type forcedStatus struct {
	status string
	raw    bool // set verbatim by SetJobStatus: no dialect spelling
	reason string
	at     time.Time
}

type event struct {
	seq     int
	typ     string
	level   string
	message string
	data    map[string]any
	at      time.Time
}

// view is a job at one moment.
type view struct {
	now        time.Time
	status     string
	raw        bool
	startedAt  time.Time // zero: not yet
	finishedAt time.Time
	updatedAt  time.Time
	reason     string
	results    map[string]any // nil until the job has succeeded
	events     []event
}

func newJobID() string {
	var b [8]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails
	return "job_" + hex.EncodeToString(b[:])
}

// startAt is when the job leaves the queue. An SFT job queues from its
// /start call, an RL job from its create.
func (j *job) startAt() time.Time {
	from := j.createdAt
	if j.sft != nil {
		from = j.sft.startRequested
	}
	return from.Add(j.queueTime)
}

// awaitingStart reports whether an SFT job is still "created", waiting for
// its /start call.
func (j *job) awaitingStart() bool { return j.sft != nil && j.sft.startRequested.IsZero() }

// eventPrefix begins the job's event types: "rl" or "sft".
func (j *job) eventPrefix() string {
	if j.sft != nil {
		return "sft"
	}
	return "rl"
}
func (j *job) endAt() time.Time { return j.startAt().Add(j.runTime) }

// ends reports whether the job's outcome ever arrives.
func (j *job) ends() bool { return !strings.EqualFold(j.outcome.Status, "running") }

// modelID is the trained policy's id, as a successful job reports it.
func (j *job) modelID() string {
	return fmt.Sprintf("rl:%s:%s:checkpoint-epoch-1", j.base, j.id)
}

func (j *job) results(at time.Time, d Dialect) map[string]any {
	if j.sft != nil {
		return nil // an SFT job names its model at the top level (§12)
	}
	id := j.modelID()
	return map[string]any{
		"model_id":     id,
		"final_reward": finalReward,
		"checkpoints": []any{map[string]any{
			"model_id":   id,
			"epoch":      1,
			"step":       j.steps,
			"name":       "checkpoint-epoch-1",
			"created_at": d.timeValue(at),
		}},
	}
}

func (j *job) failureReason() string {
	if j.outcome.Reason != "" {
		return j.outcome.Reason
	}
	return "Job failed"
}

func (j *job) cancelReason() string {
	if j.outcome.Reason != "" {
		return j.outcome.Reason
	}
	return "Job cancelled"
}

// cutAt is the moment the job's natural life is read at: now, or the first
// hand-made change if that came earlier.
func (j *job) cutAt(now time.Time) time.Time {
	if !j.frozenAt.IsZero() && j.frozenAt.Before(now) {
		return j.frozenAt
	}
	return now
}

// outcomeArrived reports whether the job's outcome has come by cut.
func (j *job) outcomeArrived(cut time.Time) bool {
	return !j.awaitingStart() && j.ends() && !j.endAt().After(cut)
}

// statusAt is the status of the view at now, without the events, which
// listing by status does not need: a backend answers such a listing from an
// index, and the emulator must not make it cost what rendering every job does.
// raw is true for a status set verbatim.
func (j *job) statusAt(now time.Time) (status string, raw bool) {
	switch {
	case j.forced != nil:
		return j.forced.status, j.forced.raw
	case j.awaitingStart():
		return "created", false
	case now.Before(j.startAt()):
		return "queued", false
	case !j.outcomeArrived(j.cutAt(now)), j.outcome.StatusLagsEvents:
		// StatusLagsEvents: the terminal event is out but the status has not
		// caught up, which is the whole point.
		return "running", false
	}
	return j.outcome.Status, false
}

// at derives the job as it stands at now.
func (j *job) at(now time.Time, d Dialect) view {
	cut := j.cutAt(now)
	v := view{now: now}
	for _, ev := range j.naturalEvents() {
		if !ev.at.After(cut) {
			v.events = append(v.events, ev)
		}
	}
	v.events = append(v.events, j.manual...)
	for i := range v.events {
		v.events[i].seq = i + 1
	}
	v.updatedAt = j.createdAt
	if n := len(v.events); n > 0 {
		v.updatedAt = v.events[n-1].at
	}

	if !j.awaitingStart() && !j.startAt().After(cut) {
		v.startedAt = j.startAt()
	}
	if j.outcomeArrived(cut) && classify(j.outcome.Status) == kindSucceeded {
		v.results = j.results(j.endAt(), d)
	}

	v.status, v.raw = j.statusAt(now)
	terminal := classify(v.status).terminal()
	switch {
	case j.forced != nil:
		if terminal {
			v.finishedAt = j.forced.at
		}
		if j.forced.at.After(v.updatedAt) {
			v.updatedAt = j.forced.at
		}
		if classify(v.status) == kindFailed {
			v.reason = j.forced.reason
		}
	case terminal:
		v.finishedAt = j.endAt()
		if classify(v.status) == kindFailed {
			v.reason = j.failureReason()
		}
	}
	if v.results == nil && classify(v.status) == kindSucceeded {
		v.results = j.results(v.updatedAt, d)
	}
	return v
}

// force changes the job's status by hand at now, appending events.
func (j *job) force(now time.Time, f forcedStatus, evs ...event) {
	if j.frozenAt.IsZero() {
		j.frozenAt = now
	}
	f.at = now
	j.forced = &f
	for _, ev := range evs {
		ev.at = now
		j.manual = append(j.manual, ev)
	}
}

// public is the job as Jobs and Job return it.
func (j *job) public(now time.Time) Job {
	var payload map[string]any
	_ = json.Unmarshal(j.body, &payload) // it parsed once already
	return Job{
		ID:             j.id,
		Status:         j.at(now, Dialect{}).status,
		IdempotencyKey: j.idempotencyKey,
		Payload:        payload,
		CreatedAt:      j.createdAt,
		CancelRequests: j.cancelRequests,
	}
}

// render is the job object of §4 (§12 for an SFT job), spelled in dialect d.
func (j *job) render(v view, d Dialect) map[string]any {
	if j.sft != nil {
		return j.renderSFT(v, d)
	}
	m := j.renderCommon(v, d)
	m["job_type"] = "rl"
	m["base_model"] = j.base
	m["config"] = j.configJSON
	m["results"] = nil
	m["failure_reason"] = nil
	if j.source != "" {
		m["model_id"] = j.source
	}
	if v.results != nil {
		m["results"] = v.results
	}
	if v.reason != "" {
		m["error"] = v.reason
		m["failure_reason"] = v.reason
	}
	return m
}

// renderCommon is what the job objects of both families hold: the id, the
// status and the times, spelled in dialect d, and no error yet.
func (j *job) renderCommon(v view, d Dialect) map[string]any {
	status := v.status
	if !v.raw {
		status = d.statusValue(status)
	}
	return map[string]any{
		d.idKey():     j.id,
		d.statusKey(): status,
		"created_at":  d.timeValue(j.createdAt),
		"updated_at":  d.timeValue(v.updatedAt),
		"started_at":  d.timeOrNull(v.startedAt),
		"finished_at": d.timeOrNull(v.finishedAt),
		"error":       nil,
	}
}

func (ev event) render(jobID string, d Dialect) map[string]any {
	return map[string]any{
		"seq":        ev.seq,
		"job_id":     jobID,
		"type":       ev.typ,
		"level":      ev.level,
		"message":    ev.message,
		"data":       ev.data,
		"created_at": d.timeValue(ev.at),
	}
}
