package emulator

import (
	"encoding/json"
	"fmt"
	"hash/fnv"
	"math"
	"time"
)

// A job's training trace: the events and metric points a real RL job reports
// while it trains, so that watchers, data sources and the demo have a
// believable curve to show. It is a pure function of the job (its id seeds
// the noise), so a test can predict every value.

const (
	// defaultSteps is how many training steps a job reports when its config
	// does not say how many iterations it trains for.
	defaultSteps = 4
	// maxSteps bounds the trace of a config that asks for thousands of
	// iterations: the emulator's run time is short, the trace stays readable.
	maxSteps = 50

	// finalReward is the mean return a successful job ends on.
	finalReward = 0.8
	// defaultEvalInstances is the evaluation size when [evaluation] has none.
	defaultEvalInstances = 10
)

// trainingSteps is the number of iterations config trains for,
// training.num_epochs × training.iterations_per_epoch, within [1, maxSteps].
func trainingSteps(config map[string]any) int {
	training, _ := config["training"].(map[string]any)
	iterations, ok := wholeNumber(training["iterations_per_epoch"])
	if !ok {
		return defaultSteps
	}
	epochs, ok := wholeNumber(training["num_epochs"])
	if !ok {
		epochs = 1
	}
	return min(max(iterations*epochs, 1), maxSteps)
}

// evalEvery is how often the job evaluates: [evaluation].every_n_iters, or
// once half way when the config does not say.
func evalEvery(config map[string]any, steps int) int {
	evaluation, _ := config["evaluation"].(map[string]any)
	if n, ok := wholeNumber(evaluation["every_n_iters"]); ok && n > 0 {
		return n
	}
	return max(steps/2, 1)
}

func evalInstances(config map[string]any) int {
	evaluation, _ := config["evaluation"].(map[string]any)
	if n, ok := wholeNumber(evaluation["instances"]); ok && n > 0 {
		return n
	}
	return defaultEvalInstances
}

// wholeNumber reads a non-negative integer from a config value, which the
// payload decoder keeps as a json.Number.
func wholeNumber(v any) (int, bool) {
	n, ok := v.(json.Number)
	if !ok {
		return 0, false
	}
	f, err := n.Float64()
	if err != nil {
		return 0, false
	}
	if f != math.Trunc(f) || f < 0 || f > math.MaxInt32 {
		return 0, false
	}
	return int(f), true
}

// meanReturn rises from near zero to finalReward at the last step, with a
// little noise on the way, as an RL reward curve does.
func (j *job) meanReturn(step int) float64 {
	if step >= j.steps {
		return finalReward
	}
	v := finalReward*float64(step)/float64(j.steps) + 0.04*j.noise(step, 1)
	return round3(max(v, 0))
}

// loss falls as 1/(step+1), with noise.
func (j *job) loss(step int) float64 {
	v := 1/float64(step+1) + 0.02*j.noise(step, 2)
	return round3(max(v, 0.001))
}

// noise is a deterministic value in [-1, 1) for the job, step and series.
func (j *job) noise(step, series int) float64 {
	h := fnv.New64a()
	fmt.Fprintf(h, "%s/%d/%d", j.id, step, series)
	return float64(h.Sum64()%2000)/1000 - 1
}

func round3(v float64) float64 { return math.Round(v*1000) / 1000 }

// stepAt is when step (1..steps) ends: the run time is shared evenly.
func (j *job) stepAt(step int) time.Time {
	return j.startAt().Add(j.runTime * time.Duration(step) / time.Duration(j.steps))
}

// naturalEvents is the job's whole history as it would unfold untouched,
// including what has not happened yet: created, started, a progress event
// per iteration but the last, evaluations, one slow rollout (a warning), and
// the outcome.
func (j *job) naturalEvents() []event {
	if j.sft != nil {
		return j.sftEvents()
	}
	start, end := j.startAt(), j.endAt()
	evs := []event{
		{typ: "rl.job.created", level: "info", message: "Job created", at: j.createdAt,
			data: map[string]any{"job_type": "rl", "base_model": j.base}},
		{typ: "rl.job.started", level: "info", message: fmt.Sprintf("Job started: %d training steps", j.steps), at: start,
			data: map[string]any{"total_steps": j.steps}},
	}
	every, instances := j.evalEvery, j.evalInstances
	for step := 1; step < j.steps; step++ {
		at := j.stepAt(step)
		if step == 1 && j.steps > 2 {
			evs = append(evs, event{typ: "rl.rollout.slow", level: "warn", at: at,
				message: "A rollout took longer than expected; the task app may be cold-starting",
				data:    map[string]any{"step": step}})
		}
		ret, loss := j.meanReturn(step), j.loss(step)
		evs = append(evs, event{
			typ: "rl.train.progress", level: "info", at: at,
			message: fmt.Sprintf("Training step %d/%d: mean_return %.3f, loss %.3f", step, j.steps, ret, loss),
			data: map[string]any{
				"step": step, "total_steps": j.steps,
				"mean_return": ret, "loss": loss,
			},
		})
		if step%every == 0 {
			evs = append(evs, event{
				typ: "rl.eval.completed", level: "info", at: at,
				message: fmt.Sprintf("Evaluation at step %d: mean_return %.3f over %d instances", step, ret, instances),
				data:    map[string]any{"step": step, "mean_return": ret, "instances": instances},
			})
		}
	}
	if !j.ends() {
		return evs
	}
	return append(evs, j.outcomeEvents(end, event{typ: "rl.job.completed", level: "info", message: "Job completed", at: end,
		data: map[string]any{"model_id": j.modelID(), "final_reward": finalReward, "step": j.steps}})...)
}

// metricPoints derives the job's metrics from its visible events: mean_return
// and loss for each training step reported so far.
func (v view) metricPoints(j *job, d Dialect) []map[string]any {
	if j.sft != nil {
		return v.sftMetricPoints(d)
	}
	var points []map[string]any
	for _, ev := range v.events {
		if ev.typ != "rl.train.progress" && ev.typ != "rl.job.completed" {
			continue
		}
		step, _ := ev.data["step"].(int)
		for _, p := range []struct {
			name  string
			value float64
		}{{"mean_return", j.meanReturn(step)}, {"loss", j.loss(step)}} {
			points = append(points, map[string]any{
				"name": p.name, "step": step, "value": p.value, "created_at": d.timeValue(ev.at),
			})
		}
	}
	return points
}

// sftEvents is an SFT job's whole history, as naturalEvents is an RL job's:
// created; then, once /start was called, queued, started, a progress event
// with the training loss per step, a validation at each epoch's end, and the
// outcome.
func (j *job) sftEvents() []event {
	evs := []event{{typ: "sft.job.created", level: "info", message: "Job created", at: j.createdAt,
		data: map[string]any{"training_type": "sft_offline", "model": j.sft.model, "training_file_id": j.sft.trainingFileID}}}
	if j.awaitingStart() {
		return evs
	}
	start, end := j.startAt(), j.endAt()
	evs = append(evs,
		event{typ: "sft.job.queued", level: "info", message: "Job queued", at: j.sft.startRequested,
			data: map[string]any{"status": "queued"}},
		event{typ: "sft.job.started", level: "info", message: fmt.Sprintf("Training started: %d steps over %d epochs", j.steps, j.sft.epochs), at: start,
			data: map[string]any{"total_steps": j.steps, "n_epochs": j.sft.epochs}})
	perEpoch := max(j.steps/j.sft.epochs, 1)
	for step := 1; step <= j.steps; step++ {
		at := j.stepAt(step)
		if step == j.steps {
			at = end // the last step ends with the run, whatever the rounding
		}
		epoch := min((step-1)/perEpoch+1, j.sft.epochs)
		loss := j.trainLoss(step)
		evs = append(evs, event{typ: "sft.train.progress", level: "info", at: at,
			message: fmt.Sprintf("Step %d/%d (epoch %d): train.loss %.3f", step, j.steps, epoch, loss),
			data:    map[string]any{"step": step, "total_steps": j.steps, "epoch": epoch, "train.loss": loss}})
		if step%perEpoch == 0 || step == j.steps {
			vloss := j.valLoss(step)
			evs = append(evs, event{typ: "sft.eval.completed", level: "info", at: at,
				message: fmt.Sprintf("Validation after step %d: val.loss %.3f", step, vloss),
				data:    map[string]any{"step": step, "epoch": epoch, "val.loss": vloss}})
		}
	}
	if !j.ends() {
		return evs
	}
	return append(evs, j.outcomeEvents(end, event{typ: "sft.job.completed", level: "info", message: "Training completed", at: end,
		data: map[string]any{"status": "succeeded", "step": j.steps}})...)
}

// outcomeEvents are the events that end a job at end: completed on success,
// the error events and the failure, or the cancellation, named for the job's
// family.
func (j *job) outcomeEvents(end time.Time, completed event) []event {
	prefix := j.eventPrefix()
	switch classify(j.outcome.Status) {
	case kindSucceeded:
		return []event{completed}
	case kindFailed:
		var evs []event
		for _, msg := range j.outcome.ErrorEvents {
			evs = append(evs, event{typ: prefix + ".train.error", level: "error", message: msg, at: end,
				data: map[string]any{"error": msg}})
		}
		return append(evs, event{typ: prefix + ".job.failed", level: "error", message: j.failureReason(), at: end,
			data: map[string]any{"error": j.failureReason()}})
	case kindCancelled:
		return []event{{typ: prefix + ".job.cancelled", level: "warn", message: j.cancelReason(), at: end,
			data: map[string]any{"reason": j.cancelReason()}}}
	}
	return nil
}

// trainLoss falls from about 2 towards 0.3, with noise, as a fine-tune's
// does; valLoss stays a little above it.
func (j *job) trainLoss(step int) float64 {
	v := 0.3 + 1.7/float64(step) + 0.02*j.noise(step, 3)
	return round3(v)
}

func (j *job) valLoss(step int) float64 {
	return round3(j.trainLoss(step) + 0.05 + 0.01*j.noise(step, 4))
}

// sftMetricPoints derives train.loss and val.loss points from the visible
// progress and validation events.
func (v view) sftMetricPoints(d Dialect) []map[string]any {
	var points []map[string]any
	for _, ev := range v.events {
		var name, phase string
		switch ev.typ {
		case "sft.train.progress":
			name, phase = "train.loss", "train"
		case "sft.eval.completed":
			name, phase = "val.loss", "eval"
		default:
			continue
		}
		points = append(points, map[string]any{
			"name": name, "step": ev.data["step"], "value": ev.data[name], "epoch": ev.data["epoch"],
			"phase": phase, "created_at": d.timeValue(ev.at),
		})
	}
	return points
}
