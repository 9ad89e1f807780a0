package emulator

import "fmt"

// The math sample app: single-turn arithmetic word problems graded by exact
// answer, the public FFT-first example's task. Each seed is one problem, so
// a test can predict what any seed asks.

const mathVersion = "0.1.0"

var mathDef = taskDef{
	version: mathVersion, task: mathTask, dataset: mathDataset, rubric: mathRubric,
	inference: mathInference, capabilities: crafterCapabilities, limits: mathLimits,
	taskset: mathTaskset, taskInfo: mathTaskInfo, envID: "math", policyID: "math-single-step",
	rolloutStep: map[string]any{
		"obs": map[string]any{"problem": mathProblem(0)}, "tool_calls": []any{},
		"reward": 1.0, "done": true, "info": map[string]any{"correct": true, "answer": mathAnswer(0)},
	},
}

func mathTask() map[string]any {
	return map[string]any{
		"id":          "math_single_step",
		"name":        "Math Single Step",
		"version":     mathVersion,
		"description": "Grade-school arithmetic word problems; one answer per episode, graded by exact match.",
	}
}

func mathDataset() map[string]any {
	return map[string]any{
		"id":            "math_arithmetic_problems",
		"name":          "Arithmetic Word Problems",
		"version":       "1.0.0",
		"splits":        []any{"train", "validation", "test"},
		"default_split": "train",
		"description":   "Generated two-operand word problems, one per seed.",
		"seed_range":    []any{0, 9_999},
		"default_seed":  0,
	}
}

func mathRubric() map[string]any {
	return map[string]any{
		"version": "1",
		"criteria": []any{
			map[string]any{"id": "correct_answer", "weight": 0.9, "description": "The final answer equals the reference exactly."},
			map[string]any{"id": "format", "weight": 0.1, "description": "The answer is given in \\boxed{} as the last line."},
		},
	}
}

func mathInference() map[string]any {
	return map[string]any{
		"supports_proxy": true,
		"endpoints":      map[string]any{"openai": "/proxy/v1/chat/completions"},
		"tool":           map[string]any{"name": "submit_answer", "parallel_tool_calls": false},
	}
}

func mathLimits() map[string]any {
	return map[string]any{"max_ops": 1_000, "max_time_s": 300, "max_turns": 1}
}

func mathTaskset() map[string]any {
	set := mathDataset()
	set["cardinality"] = 10_000
	set["config"] = map[string]any{"operations": []any{"+", "-", "*"}, "max_operand": 999}
	return set
}

// mathOperands derives a problem from its seed: two operands and an
// operation, so the same seed always asks the same question.
func mathOperands(seed int64) (a, b int64, op string) {
	s := seed % 10_000
	if s < 0 {
		s = -s
	}
	a, b = s*37%997+2, s*61%89+1
	op = []string{"+", "-", "*"}[s%3]
	return a, b, op
}

func mathProblem(seed int64) string {
	a, b, op := mathOperands(seed)
	verb := map[string]string{"+": "gets %d more", "-": "gives away %d", "*": "multiplies them by %d"}[op]
	return fmt.Sprintf("Ada has %d marbles and "+verb+". How many marbles does she have now?", a, b)
}

func mathAnswer(seed int64) int64 {
	a, b, op := mathOperands(seed)
	switch op {
	case "+":
		return a + b
	case "-":
		return a - b
	}
	return a * b
}

func mathTaskInfo(seed int64) map[string]any {
	return map[string]any{
		"task":         mathTask(),
		"environments": []any{"math"},
		"dataset":      mathDataset(),
		"rubric":       mathRubric(),
		"inference":    mathInference(),
		"capabilities": crafterCapabilities(),
		"limits":       mathLimits(),
		"action_space": map[string]any{"type": "tool_call", "tool": "submit_answer"},
		"observation":  map[string]any{"type": "text"},
		"task_metadata": map[string]any{
			"seed": seed, "problem": mathProblem(seed), "reference_answer": mathAnswer(seed),
		},
	}
}
