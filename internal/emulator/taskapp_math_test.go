package emulator

import (
	"net/http"
	"strings"
	"testing"
)

func TestMathTaskAppBesideCrafter(t *testing.T) {
	h := newHarness(t, Options{})
	key := h.emu.opts.EnvironmentAPIKey

	root := send(t, h.taskApp.URL, "GET", MathTaskAppPath+"/", nil)
	wantStatus(t, root, http.StatusOK)
	if root.object(t)["task"] != "math_single_step" {
		t.Errorf("root %s", root.raw)
	}
	wantStatus(t, send(t, h.taskApp.URL, "GET", MathTaskAppPath+"/health", nil), http.StatusBadRequest) // keyed like crafter
	wantStatus(t, send(t, h.taskApp.URL, "GET", MathTaskAppPath+"/health", nil, "X-API-Key", key), http.StatusOK)

	set := send(t, h.taskApp.URL, "GET", MathTaskAppPath+"/task_info", nil, "X-API-Key", key).object(t)["taskset"].(map[string]any)
	if set["id"] != "math_arithmetic_problems" {
		t.Errorf("taskset %v", set)
	}
	info := send(t, h.taskApp.URL, "GET", MathTaskAppPath+"/task_info?seed=7", nil, "X-API-Key", key).object(t)
	meta := info["task_metadata"].(map[string]any)
	if info["task"].(map[string]any)["id"] != "math_single_step" || meta["reference_answer"] != float64(mathAnswer(7)) ||
		!strings.Contains(meta["problem"].(string), "marbles") {
		t.Errorf("task_info %v", info)
	}
	criteria := info["rubric"].(map[string]any)["criteria"].([]any)
	if criteria[0].(map[string]any)["id"] != "correct_answer" {
		t.Errorf("rubric %v", criteria)
	}
	two := send(t, h.taskApp.URL, "GET", MathTaskAppPath+"/task_info?seed=1&seed=2", nil, "X-API-Key", key).array(t)
	if len(two) != 2 {
		t.Errorf("two seeds: %v", two)
	}
	rollout := send(t, h.taskApp.URL, "POST", MathTaskAppPath+"/rollout", map[string]any{"run_id": "r"}, "X-API-Key", key).object(t)
	if rollout["trajectories"].([]any)[0].(map[string]any)["env_id"] != "math" {
		t.Errorf("rollout %v", rollout)
	}
	// The crafter app is unchanged at the root.
	crafter := h.app("GET", "/task_info?seed=7").object(t)
	if crafter["task"].(map[string]any)["id"] != "crafter_classic" {
		t.Errorf("crafter task_info %v", crafter["task"])
	}

	// A sick app is sick on both.
	h.emu.SetTaskAppHealthy(false)
	wantStatus(t, send(t, h.taskApp.URL, "GET", MathTaskAppPath+"/health", nil, "X-API-Key", key), http.StatusServiceUnavailable)
}

func TestMathProblemsAreStablePerSeed(t *testing.T) {
	// Seeds wrap at the dataset's size, so 42 and 10 042 are one problem.
	if mathProblem(42) != mathProblem(10_042) || mathAnswer(42) != mathAnswer(10_042) || mathProblem(42) == mathProblem(43) {
		t.Error("a seed must always ask the same problem, and another seed another one")
	}
	a, b, op := mathOperands(5)
	want := map[string]int64{"+": a + b, "-": a - b, "*": a * b}[op]
	if mathAnswer(5) != want {
		t.Errorf("answer %d, want %d", mathAnswer(5), want)
	}
}
