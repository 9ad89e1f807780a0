package emulator

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"
)

// SFT jobs (§§10–12). They share the RL jobs' life (queue, run, outcome,
// faults, hand-made changes) but queue only from their /start call, speak
// §12's job object, and name their trained model a little after they
// succeed.

// sftJob is what an SFT job adds to a job.
type sftJob struct {
	model           string
	trainingFileID  string
	validationFiles []string
	prefix          string // "fft" or "peft", by the method table of §11.1
	hyperparameters map[string]any
	metadata        map[string]any
	epochs          int
	modelLag        time.Duration // see SFTOptions.ModelLag
	// startRequested is when /start was called (the create, for a
	// deployment that starts jobs on create); zero while "created".
	startRequested time.Time
}

// fineTunedModel is the trained model's id, §12's form.
func (j *job) fineTunedModel() string {
	return fmt.Sprintf("%s:%s:%s", j.sft.prefix, j.sft.model, j.id)
}

// modelVisible reports whether a succeeded SFT job names its model yet: it
// does ModelLag after it succeeded.
func (j *job) modelVisible(v view) bool {
	return classify(v.status) == kindSucceeded && !v.finishedAt.IsZero() && !v.now.Before(v.finishedAt.Add(j.sft.modelLag))
}

func (j *job) renderSFT(v view, d Dialect) map[string]any {
	m := j.renderCommon(v, d)
	m["training_type"] = "sft_offline"
	m["model"] = j.sft.model
	m["training_file_id"] = j.sft.trainingFileID
	m["hyperparameters"] = j.sft.hyperparameters
	m["metadata"] = j.sft.metadata
	m["fine_tuned_model"] = nil
	if j.modelVisible(v) {
		m["fine_tuned_model"] = j.fineTunedModel()
	}
	if v.reason != "" {
		m["error"] = map[string]any{"message": v.reason}
		m["failure_reason"] = v.reason
	}
	return m
}

// sftPayloadError is a create the backend refuses with 400; code is the
// machine-readable reason.
type sftPayloadError struct{ code, message string }

func (e *sftPayloadError) Error() string { return e.message }

func refuseSFT(code, format string, args ...any) *sftPayloadError {
	return &sftPayloadError{code: code, message: fmt.Sprintf(format, args...)}
}

var stepCountKeys = []string{"n_epochs", "total_steps", "train_steps", "steps"}

// parseSFTPayload checks an SFT create as the backend does (§11.1). fileOK
// tells whether a file id names a stored file.
func parseSFTPayload(body []byte, fileOK func(string) bool) (*sftJob, *sftPayloadError) {
	var raw map[string]any
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	if err := dec.Decode(&raw); err != nil || raw == nil {
		return nil, refuseSFT("invalid_body", "body must be a JSON object")
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, refuseSFT("invalid_body", "body must be one JSON object, with nothing after it")
	}
	if _, ok := raw["job_type"]; ok {
		return nil, refuseSFT("job_type_not_allowed", "job_type is not accepted on /learning/jobs; SFT jobs are typed by training_type")
	}
	if tt, ok := raw["training_type"]; ok && tt != "sft_offline" {
		return nil, refuseSFT("invalid_training_type", "training_type must be \"sft_offline\", got %v", tt)
	}
	s := &sftJob{}
	s.model, _ = raw["model"].(string)
	if s.model == "" {
		return nil, refuseSFT("missing_model", "model is required: a base model id such as Qwen/Qwen3-4B")
	}
	if prefix, _, ok := strings.Cut(s.model, ":"); ok {
		return nil, refuseSFT("invalid_model", "model must be a base model, not the trained model %q (prefix %s:)", s.model, prefix)
	}
	s.trainingFileID, _ = raw["training_file_id"].(string)
	if s.trainingFileID == "" {
		return nil, refuseSFT("missing_training_file", "training_file_id is required")
	}
	if !fileOK(s.trainingFileID) {
		return nil, refuseSFT("training_file_not_found", "training file %s does not exist", s.trainingFileID)
	}
	hp, _ := raw["hyperparameters"].(map[string]any)
	if len(hp) == 0 {
		return nil, refuseSFT("missing_hyperparameters", "hyperparameters must be a non-empty object")
	}
	counted := false
	for _, key := range stepCountKeys {
		v, ok := hp[key]
		if !ok {
			continue
		}
		n, whole := wholeNumber(v)
		if !whole || n < 1 {
			return nil, refuseSFT("invalid_hyperparameters", "hyperparameters.%s must be an integer > 0, got %v", key, v)
		}
		counted = true
	}
	if !counted {
		return nil, refuseSFT("invalid_hyperparameters", "hyperparameters needs one of %s", strings.Join(stepCountKeys, ", "))
	}
	s.hyperparameters = hp
	s.epochs, _ = wholeNumber(hp["n_epochs"])
	s.epochs = max(s.epochs, 1)

	meta, _ := raw["metadata"].(map[string]any)
	effective, _ := meta["effective_config"].(map[string]any)
	compute, _ := effective["compute"].(map[string]any)
	if gpu, _ := compute["gpu_type"].(string); gpu == "" {
		return nil, refuseSFT("missing_gpu_type", "metadata.effective_config.compute.gpu_type is required")
	}
	s.metadata = meta
	data, _ := effective["data"].(map[string]any)
	if files, ok := data["validation_files"].([]any); ok {
		for _, f := range files {
			id, _ := f.(string)
			if !fileOK(id) {
				return nil, refuseSFT("validation_file_not_found", "validation file %v does not exist", f)
			}
			s.validationFiles = append(s.validationFiles, id)
		}
	}
	training, _ := effective["training"].(map[string]any)
	mode, _ := training["mode"].(string)
	kind, _ := hp["train_kind"].(string)
	qlora, _ := hp["use_qlora"].(bool)
	s.prefix = "fft"
	if mode == "lora" || mode == "qlora" || kind == "peft" || qlora {
		s.prefix = "peft"
	}
	return s, nil
}

// sftSteps is how many training steps an SFT job reports: its step count,
// else four per epoch, within [1, maxSteps].
func sftSteps(s *sftJob) int {
	for _, key := range stepCountKeys[1:] {
		if n, ok := wholeNumber(s.hyperparameters[key]); ok && n > 0 {
			return min(n, maxSteps)
		}
	}
	return min(4*s.epochs, maxSteps)
}

func (e *Emulator) createSFTJob(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body) // observe has buffered it already
	key := r.Header.Get("Idempotency-Key")
	now, d := e.now(), e.opts.Dialect

	e.mu.Lock()
	if j, ok := e.jobsByKey[sftKey(key)]; ok && key != "" && !j.lost {
		answer := j.render(j.at(now, d), d)
		e.mu.Unlock()
		writeJSON(w, http.StatusOK, answer)
		return
	}
	s, refusal := parseSFTPayload(body, e.fileExists)
	if refusal != nil {
		e.mu.Unlock()
		writeDetail(w, http.StatusBadRequest, map[string]any{"code": refusal.code, "message": refusal.message})
		return
	}
	if e.opts.SFT.StartOnCreate {
		s.startRequested = now
	}
	j := &job{
		id:             newJobID(),
		idempotencyKey: key,
		body:           body,
		base:           s.model,
		createdAt:      now,
		queueTime:      e.opts.QueueTime,
		runTime:        e.opts.RunTime,
		outcome:        e.takeOutcome(),
		sft:            s,
	}
	s.modelLag = e.opts.SFT.ModelLag
	j.steps = sftSteps(s)
	e.addJob(j, sftKey(key))
	answer := j.render(j.at(now, d), d)
	e.mu.Unlock()
	writeJSON(w, http.StatusCreated, answer)
}

// sftKey keeps SFT idempotency keys apart from RL ones.
func sftKey(key string) string { return "sft\x00" + key }

func (e *Emulator) startSFTJob(w http.ResponseWriter, r *http.Request) {
	now, d := e.now(), e.opts.Dialect
	e.mu.Lock()
	j, ok := e.liveJob(r.PathValue("id"))
	if !ok || j.sft == nil {
		e.mu.Unlock()
		writeJobNotFound(w)
		return
	}
	if !j.awaitingStart() {
		status := j.at(now, d).status
		e.mu.Unlock()
		writeDetail(w, http.StatusConflict, fmt.Sprintf("Job already started (status %s)", status))
		return
	}
	j.sft.startRequested = now
	answer := j.render(j.at(now, d), d)
	e.mu.Unlock()
	writeJSON(w, http.StatusOK, answer)
}

// listSFTJobs pages SFT jobs in creation order, as listJobs does RL ones.
func (e *Emulator) listSFTJobs(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	if t := q.Get("type"); t != "" && t != "sft_offline" {
		writeList(w, e.opts.SFT.JobListShape, "jobs", []map[string]any{}, false)
		return
	}
	lq, err := parseListQuery(q)
	if err != nil {
		writeDetail(w, http.StatusUnprocessableEntity, err.Error())
		return
	}
	now, d := e.now(), e.opts.Dialect
	e.mu.Lock()
	page, hasMore, ok := e.pageJobs(lq, now, d, func(j *job) bool { return j.sft != nil })
	e.mu.Unlock()
	if !ok {
		writeDetail(w, http.StatusUnprocessableEntity, "after must be the id of a job")
		return
	}
	writeList(w, e.opts.SFT.JobListShape, "jobs", page, hasMore)
}

// listModels answers the trained models of succeeded SFT jobs (§10).
func (e *Emulator) listModels(w http.ResponseWriter, _ *http.Request) {
	now, d := e.now(), e.opts.Dialect
	e.mu.Lock()
	models := []map[string]any{}
	for _, j := range e.jobs {
		if j.lost || j.sft == nil {
			continue
		}
		v := j.at(now, d)
		if j.modelVisible(v) {
			models = append(models, map[string]any{
				"id": j.fineTunedModel(), "base_model": j.sft.model, "job_id": j.id,
				"created_at": d.timeValue(v.finishedAt), "status": "ready",
			})
		}
	}
	e.mu.Unlock()
	writeJSON(w, http.StatusOK, map[string]any{"data": models})
}
