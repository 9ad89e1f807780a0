package synthapi

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
)

// Job is the decoded job object of contract §4. Every field is optional:
// deployments differ in what they send, so a missing field is "" or nil,
// never an error. Raw keeps the whole object for anything not decoded here.
type Job struct {
	// ID is "job_id", else "id".
	ID string
	// Status is "status", else the older "state", lower-cased. Use Phase
	// to interpret it.
	Status string
	// CreatedAt, UpdatedAt, StartedAt and FinishedAt are RFC 3339 in UTC.
	// The backend sends ISO-8601 (a time without zone is UTC) or epoch
	// seconds (int or float); "" when absent or unreadable.
	CreatedAt, UpdatedAt, StartedAt, FinishedAt string
	// ModelID is what the job trains from: "model_id", else "model".
	ModelID string
	// BaseModel is "base_model".
	BaseModel string
	// ConfigJSON is the config that was submitted, exactly as the backend
	// echoes it, for comparisons that must not go through float64; nil
	// when absent. Config decodes it.
	ConfigJSON json.RawMessage
	// Results is the "results" object, when present.
	Results map[string]any
	// OutputModelID is the trained policy: results.model_id,
	// results.output_model_id or results.fine_tuned_model, else a top-level
	// output_model_id or fine_tuned_model.
	OutputModelID string
	// ErrorMessage says why a job failed: "error" (a string, or an object's
	// message, else its compact JSON), else "failure_reason", else
	// "message".
	ErrorMessage string
	// FineTunedModel is the top-level "fine_tuned_model" of an SFT job
	// (§12): the trained model id, empty until shortly after success. Use
	// SFTJobs.ResolveFineTunedModel for the contract's full search order.
	FineTunedModel string
	// TrainingType is "training_type", else "type" ("sft_offline" for SFT).
	TrainingType string
	// TrainingFileID is "training_file_id", else "training_file".
	TrainingFileID string
	// Hyperparameters and Metadata echo what an SFT create sent.
	Hyperparameters, Metadata map[string]any
	// Result is the singular "result" object some SFT deployments send
	// beside or instead of "results".
	Result map[string]any
	// LinkedJobID names a second event stream to read as well.
	LinkedJobID string
	// Raw is the job object as received.
	Raw json.RawMessage

	// kind says which contract section interprets Status and events; the
	// zero value is an RL job (§4).
	kind jobKind
}

// jobKind is a job family: the same object shape with different status
// words and terminal events.
type jobKind int

const (
	kindRL jobKind = iota
	kindSFT
)

// IsSFT reports whether the job was read from the SFT routes (§§10, 12).
func (j *Job) IsSFT() bool { return j != nil && j.kind == kindSFT }

// DecodeJob decodes one job object. Unknown fields are ignored; anything
// that is not a JSON object is an error quoting the start of the body, so
// that an HTML page served by a proxy is recognisable in the message.
func DecodeJob(data []byte) (*Job, error) {
	fields, err := decodeObject(data)
	if err != nil {
		return nil, fmt.Errorf("decoding job: %w", err)
	}
	return jobFromFields(fields, data), nil
}

// decodeObject unmarshals a JSON object into its fields, explaining what
// was received when it is not one.
func decodeObject(data []byte) (map[string]json.RawMessage, error) {
	trimmed := bytes.TrimSpace(data)
	if !json.Valid(trimmed) {
		return nil, fmt.Errorf("not JSON: %q", snippet(data))
	}
	if len(trimmed) == 0 || trimmed[0] != '{' {
		return nil, fmt.Errorf("expected a JSON object, got: %s", snippet(data))
	}
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(trimmed, &fields); err != nil {
		return nil, fmt.Errorf("%v: %s", err, snippet(data))
	}
	return fields, nil
}

func jobFromFields(f map[string]json.RawMessage, data []byte) *Job {
	j := &Job{
		ID:         firstString(f, "job_id", "id"),
		Status:     strings.ToLower(strings.TrimSpace(firstString(f, "status", "state"))),
		CreatedAt:  timeField(f["created_at"]),
		UpdatedAt:  timeField(f["updated_at"]),
		StartedAt:  timeField(f["started_at"]),
		FinishedAt: timeField(f["finished_at"]),
		ModelID:    firstString(f, "model_id", "model"),
		BaseModel:  firstString(f, "base_model"),
		ConfigJSON: rawObject(f["config"]),
		Results:    objectField(f["results"]),
		Raw:        json.RawMessage(bytes.Clone(bytes.TrimSpace(data))),

		FineTunedModel:  firstString(f, "fine_tuned_model"),
		TrainingType:    firstString(f, "training_type", "type"),
		TrainingFileID:  firstString(f, "training_file_id", "training_file"),
		Hyperparameters: objectField(f["hyperparameters"]),
		Metadata:        objectField(f["metadata"]),
		Result:          objectField(f["result"]),
		LinkedJobID:     firstString(f, "linked_job_id"),
	}

	for _, key := range []string{"model_id", "output_model_id", "fine_tuned_model"} {
		if s, ok := j.Results[key].(string); ok && s != "" {
			j.OutputModelID = s
			break
		}
	}
	if j.OutputModelID == "" {
		j.OutputModelID = firstString(f, "output_model_id", "fine_tuned_model")
	}

	for _, key := range []string{"error", "failure_reason", "message"} {
		var v any
		if raw, ok := f[key]; ok && json.Unmarshal(raw, &v) == nil {
			if msg := messageOf(v, 0); msg != "" {
				j.ErrorMessage = msg
				break
			}
		}
	}
	return j
}

// firstString returns the first of keys whose value is a non-empty string
// or a number (ids are opaque, and some deployments send integer ids).
func firstString(f map[string]json.RawMessage, keys ...string) string {
	for _, key := range keys {
		if s := scalarString(f[key]); s != "" {
			return s
		}
	}
	return ""
}

func scalarString(raw json.RawMessage) string {
	if len(raw) == 0 {
		return ""
	}
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return s
	}
	var n json.Number
	if json.Unmarshal(raw, &n) == nil {
		return n.String()
	}
	return ""
}

// configField decodes a recorded config with its numbers as json.Number, so
// that a float the SDK wrote as 1.0 re-encodes as 1.0 and not as 1.
// Config is the submitted config decoded, its numbers json.Number holding
// the text the backend wrote; nil when the backend echoed none.
func (j *Job) Config() map[string]any {
	return configField(j.ConfigJSON)
}

func configField(raw json.RawMessage) map[string]any {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var m map[string]any
	if len(raw) == 0 || dec.Decode(&m) != nil {
		return nil
	}
	return m
}

func objectField(raw json.RawMessage) map[string]any {
	var m map[string]any
	if len(raw) == 0 || json.Unmarshal(raw, &m) != nil {
		return nil
	}
	return m
}

func rawObject(raw json.RawMessage) json.RawMessage {
	trimmed := bytes.TrimSpace(raw)
	if len(trimmed) == 0 || trimmed[0] != '{' {
		return nil
	}
	return json.RawMessage(bytes.Clone(trimmed))
}

// NormaliseTime reads a decoded JSON time in any spelling §4 allows
// (ISO-8601, or epoch seconds as a number or a string) and returns it as
// RFC 3339 UTC; "" when it is none of them.
func NormaliseTime(v any) string {
	raw, err := json.Marshal(v)
	if err != nil {
		return ""
	}
	return timeField(raw)
}

// timeOrAsSent is timeField, or the value as sent when it is not a time
// that can be read, so that an odd spelling still reaches the user.
func timeOrAsSent(raw json.RawMessage) string {
	if t := timeField(raw); t != "" {
		return t
	}
	return scalarString(raw)
}

// timeField normalises a timestamp to RFC 3339 UTC; see Job.CreatedAt.
func timeField(raw json.RawMessage) string {
	if len(raw) == 0 {
		return ""
	}
	var t time.Time
	var ok bool
	var s string
	var n json.Number
	switch {
	case json.Unmarshal(raw, &s) == nil:
		t, ok = parseTimestamp(strings.TrimSpace(s))
	case json.Unmarshal(raw, &n) == nil:
		t, ok = parseEpoch(n.String())
	}
	if !ok || t.UTC().Year() < 1 || t.UTC().Year() > 9999 {
		return "" // RFC 3339 has four-digit years only
	}
	return t.UTC().Format(time.RFC3339Nano)
}

// isoLayouts are the ISO-8601 shapes Python produces: isoformat() with and
// without an offset, str(datetime) with a space, and "+0000" offsets.
// Fractional seconds are accepted by every layout without being spelled
// out. Layouts without a zone are read as UTC, which is what the backend
// means by them.
var isoLayouts = []string{
	time.RFC3339,
	"2006-01-02T15:04:05Z0700",
	"2006-01-02T15:04:05",
	"2006-01-02 15:04:05Z07:00",
	"2006-01-02 15:04:05Z0700",
	"2006-01-02 15:04:05",
	"2006-01-02T15:04Z07:00",
	"2006-01-02T15:04",
	"2006-01-02",
}

func parseTimestamp(s string) (time.Time, bool) {
	if s == "" {
		return time.Time{}, false
	}
	if t, ok := parseEpoch(s); ok {
		return t, true
	}
	for _, layout := range isoLayouts {
		if t, err := time.Parse(layout, s); err == nil {
			return t, true
		}
	}
	return time.Time{}, false
}

// epochMillisThreshold separates epoch seconds from epoch milliseconds: as
// seconds it is the year 5138, as milliseconds 1973. The contract says
// seconds, but a millisecond value read as seconds would yield a date
// RFC 3339 cannot even represent, so it is read the way it was meant.
const epochMillisThreshold = 1e11

// parseEpoch reads epoch seconds written as an integer or a float.
func parseEpoch(s string) (time.Time, bool) {
	if i, err := strconv.ParseInt(s, 10, 64); err == nil {
		if math.Abs(float64(i)) >= epochMillisThreshold {
			return time.UnixMilli(i), true
		}
		return time.Unix(i, 0), true
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
		return time.Time{}, false
	}
	if math.Abs(f) >= epochMillisThreshold {
		f /= 1000
	}
	if math.Abs(f) >= epochMillisThreshold {
		return time.Time{}, false // not a date in any unit we know
	}
	sec, frac := math.Modf(f)
	return time.Unix(int64(sec), int64(math.Round(frac*1e9))), true
}

// Phase is what a job status means to a client waiting on it.
type Phase int

// The phases of a job. PhaseRunning and PhasePaused are not terminal.
const (
	PhaseRunning Phase = iota
	PhaseSucceeded
	PhaseFailed
	PhaseCancelled
	// PhasePaused is an SFT job's "paused" (§12): not finished, yet nothing
	// to wait for either, so a wait stops and reports it (ErrJobPaused).
	PhasePaused
)

// Terminal reports whether a job in this phase will not change any more.
func (p Phase) Terminal() bool {
	return p == PhaseSucceeded || p == PhaseFailed || p == PhaseCancelled
}

// String returns "running", "succeeded", "failed" or "cancelled".
func (p Phase) String() string {
	switch p {
	case PhaseRunning:
		return "running"
	case PhaseSucceeded:
		return "succeeded"
	case PhaseFailed:
		return "failed"
	case PhaseCancelled:
		return "cancelled"
	case PhasePaused:
		return "paused"
	}
	return "Phase(" + strconv.Itoa(int(p)) + ")"
}

// PhaseOf interprets a job status per contract §4, ignoring case. Any
// status not known to be terminal counts as running: a new intermediate
// status ("provisioning", "evaluating") must not end a wait early.
func PhaseOf(status string) Phase {
	switch strings.ToLower(strings.TrimSpace(status)) {
	case "succeeded", "completed":
		return PhaseSucceeded
	case "failed", "error":
		return PhaseFailed
	case "cancelled", "canceled":
		return PhaseCancelled
	}
	return PhaseRunning
}

// Phase interprets the job's status. A nil job is running: nothing is
// known to have ended.
func (j *Job) Phase() Phase {
	if j == nil {
		return PhaseRunning
	}
	if j.kind == kindSFT {
		return SFTPhaseOf(j.Status)
	}
	return PhaseOf(j.Status)
}

// SFTPhaseOf interprets an SFT job status per contract §12, ignoring case:
// §4's words plus "errored" (failed) and "paused". Every other word,
// "created" and "validating_files" included, is running.
func SFTPhaseOf(status string) Phase {
	switch strings.ToLower(strings.TrimSpace(status)) {
	case "errored":
		return PhaseFailed
	case "paused":
		return PhasePaused
	}
	return PhaseOf(status)
}

// SFTEventPhase reports whether an SFT event marks the end of its job
// (§12): a type ending in job.completed, job.failed or job.cancelled, one of
// the older names, or a data.status that is terminal.
func SFTEventPhase(ev Event) (Phase, bool) {
	typ := strings.ToLower(strings.TrimSpace(ev.Type))
	switch {
	case strings.HasSuffix(typ, "job.completed"):
		return PhaseSucceeded, true
	case strings.HasSuffix(typ, "job.failed"):
		return PhaseFailed, true
	case strings.HasSuffix(typ, "job.cancelled"):
		return PhaseCancelled, true
	}
	switch typ {
	case "sft.completed", "sft.workflow.completed", "workflow.completed", "training.completed":
		return PhaseSucceeded, true
	case "sft.failed", "sft.workflow.failed", "workflow.failed", "training.failed":
		return PhaseFailed, true
	}
	if status, ok := ev.Data["status"].(string); ok {
		if p := SFTPhaseOf(status); p.Terminal() {
			return p, true
		}
	}
	return PhaseRunning, false
}

// eventPhase is the terminal-event rule of the job's family.
func (j *Job) eventPhase(ev Event) (Phase, bool) {
	if j != nil && j.kind == kindSFT {
		return SFTEventPhase(ev)
	}
	return EventPhase(ev.Type)
}

// EventPhase reports whether an event type marks the end of a job (§4): a
// job can finish before its status says so, and these events are the
// evidence.
func EventPhase(eventType string) (Phase, bool) {
	switch strings.ToLower(strings.TrimSpace(eventType)) {
	case "rl.job.completed", "rl.train.completed", "workflow.completed":
		return PhaseSucceeded, true
	case "rl.job.failed", "rl.train.failed", "workflow.failed":
		return PhaseFailed, true
	}
	return PhaseRunning, false
}
