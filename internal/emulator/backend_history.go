package emulator

import (
	"encoding/json"
	"fmt"
	"time"
)

// SeedHistory gives the backend the job history of a busy organisation: n
// jobs created evenly over the span before now, oldest first. The newest
// running of them never finish; the others have succeeded. Each trains its
// own config, so none is identical to a job a client submits.
func (e *Emulator) SeedHistory(n, running int, span time.Duration) {
	now := e.now()
	e.mu.Lock()
	defer e.mu.Unlock()
	for i := range n {
		config := map[string]any{
			"model":    map[string]any{"base": "Qwen/Qwen3-4B"},
			"services": map[string]any{"task_url": "https://history.invalid"},
			"tags":     map[string]any{"history": fmt.Sprint(i)},
		}
		configJSON, _ := json.Marshal(config) // plain maps of strings always encode
		body, _ := json.Marshal(map[string]any{
			"job_type": "rl",
			"data":     map[string]any{"base_model": "Qwen/Qwen3-4B", "config": json.RawMessage(configJSON)},
		})
		outcome := Outcome{Status: "succeeded"}
		if i >= n-running {
			outcome.Status = "running"
		}
		j := &job{
			id:            newJobID(),
			body:          body,
			configJSON:    configJSON,
			base:          "Qwen/Qwen3-4B",
			createdAt:     now.Add(-span + time.Duration(float64(span)*float64(i)/float64(n))),
			queueTime:     e.opts.QueueTime,
			runTime:       e.opts.RunTime,
			steps:         defaultSteps,
			evalEvery:     evalEvery(config, defaultSteps),
			evalInstances: defaultEvalInstances,
			outcome:       outcome,
		}
		e.addJob(j, "")
	}
}
