package emulator

import (
	"net/http"
	"testing"
)

func TestTaskAppRootNeedsNoKey(t *testing.T) {
	t.Parallel()
	h := newHarness(t, Options{})
	r := send(t, h.taskApp.URL, "GET", "/", nil)
	wantStatus(t, r, http.StatusOK)
	if m := r.object(t); m["status"] != "ok" || m["service"] != "synth-emulator-task-app" {
		t.Errorf("root: %v", m)
	}
	r = send(t, h.taskApp.URL, "GET", "/nope", nil)
	wantStatus(t, r, http.StatusNotFound)
	if d := r.detail(t); d != "Not Found" {
		t.Errorf("detail %v", d)
	}
}

func TestTaskAppKeyHeaders(t *testing.T) {
	t.Parallel()
	h := newHarness(t, Options{EnvironmentAPIKey: "env_abcdef123"})
	accepted := map[string][]string{
		"X-API-Key":            {"X-API-Key", "env_abcdef123"},
		"X-API-Keys":           {"X-API-Keys", "env_old, env_abcdef123"},
		"Authorization":        {"Authorization", "Bearer env_abcdef123"},
		"one right of several": {"X-API-Key", "wrong", "Authorization", "Bearer env_abcdef123"},
	}
	for name, header := range accepted {
		for _, rt := range []struct{ method, path string }{
			{"GET", "/health"}, {"GET", "/info"}, {"GET", "/task_info"}, {"POST", "/rollout"},
		} {
			if r := send(t, h.taskApp.URL, rt.method, rt.path, nil, header...); r.status != http.StatusOK {
				t.Errorf("%s on %s %s: %d %s", name, rt.method, rt.path, r.status, r.raw)
			}
		}
	}

	refused := map[string][]string{
		"none":            nil,
		"wrong X-API-Key": {"X-API-Key", "env_wrong"},
		"wrong list":      {"X-API-Keys", "a,b"},
		"backend bearer":  {"Authorization", "Bearer sk_emulator_key"},
		"prefix only":     {"X-API-Key", "env_ab"},
	}
	for name, header := range refused {
		r := send(t, h.taskApp.URL, "GET", "/health", nil, header...)
		wantStatus(t, r, http.StatusBadRequest)
		errObj, _ := r.detail(t).(map[string]any)["error"].(map[string]any)
		if errObj["code"] != "unauthorised" || errObj["message"] != "API key missing or invalid" {
			t.Errorf("%s: %s", name, r.raw)
		}
		allowed, _ := errObj["allowed_first15"].([]any)
		if len(allowed) != 1 || allowed[0] != "env_abcdef123" || errObj["allowed_count"] != 1.0 {
			t.Errorf("%s: allowed keys in %s", name, r.raw)
		}
		if _, ok := errObj["got_first15"].([]any); !ok {
			t.Errorf("%s: no got_first15 in %s", name, r.raw)
		}
	}
	r := send(t, h.taskApp.URL, "GET", "/health", nil, "X-API-Key", "env_wrong_but_long_enough")
	errObj, _ := r.detail(t).(map[string]any)["error"].(map[string]any)
	if got, _ := errObj["got_first15"].([]any); len(got) != 1 || got[0] != "env_wrong_but_l" {
		t.Errorf("got_first15 in %s", r.raw)
	}
	if lens, _ := errObj["got_lens"].([]any); len(lens) != 1 || lens[0] != 25.0 {
		t.Errorf("got_lens in %s", r.raw)
	}

	r = send(t, h.taskApp.URL, "GET", "/health", nil, "X-API-Key", "env_abcdef123")
	m := r.object(t)
	auth, _ := m["auth"].(map[string]any)
	if m["healthy"] != true || auth["required"] != true || auth["expected_prefix"] != "env_ab..." {
		t.Errorf("health: %v", m)
	}
}

func TestTaskAppWithoutConfiguredKey(t *testing.T) {
	t.Parallel()
	h := newHarness(t, Options{NoTaskAppKey: true})
	for _, path := range []string{"/health", "/task_info", "/info"} {
		r := h.app("GET", path)
		wantStatus(t, r, http.StatusServiceUnavailable)
		errObj, _ := r.detail(t).(map[string]any)["error"].(map[string]any)
		if errObj["code"] != "missing_environment_api_key" || errObj["message"] != "ENVIRONMENT_API_KEY is not configured" {
			t.Errorf("%s: %s", path, r.raw)
		}
	}
	wantStatus(t, h.app("GET", "/"), http.StatusOK)
}

func TestTaskInfoSeeds(t *testing.T) {
	t.Parallel()
	h := newHarness(t, Options{})

	set := h.app("GET", "/task_info").object(t)
	// The SDK's apps describe the dataset, flat, without a seed.
	taskset, ok := set["taskset"].(map[string]any)
	if !ok {
		t.Fatalf("taskset: %v", set)
	}
	for _, field := range []string{"id", "name", "version", "splits", "default_split", "cardinality", "description", "seed_range", "default_seed", "config"} {
		if _, ok := taskset[field]; !ok {
			t.Errorf("taskset lacks %s: %v", field, taskset)
		}
	}
	if _, nested := taskset["task"]; nested {
		t.Errorf("taskset nests a task, which the SDK's apps describe in /info: %v", taskset)
	}

	one := h.app("GET", "/task_info?seed=7").object(t)
	for _, field := range []string{"task", "environments", "dataset", "rubric", "inference", "capabilities",
		"limits", "action_space", "observation", "task_metadata"} {
		if _, ok := one[field]; !ok {
			t.Errorf("TaskInfo lacks %s", field)
		}
	}
	task := one["task"].(map[string]any)
	for _, field := range []string{"id", "name", "version", "description"} {
		if _, ok := task[field].(string); !ok {
			t.Errorf("task.%s = %v", field, task[field])
		}
	}
	dataset := one["dataset"].(map[string]any)
	for _, field := range []string{"id", "name", "version", "splits", "default_split", "description", "seed_range", "default_seed"} {
		if _, ok := dataset[field]; !ok {
			t.Errorf("dataset lacks %s", field)
		}
	}
	if envs := one["environments"].([]any); len(envs) != 1 || envs[0] != "crafter" {
		t.Errorf("environments %v", envs)
	}
	if one["capabilities"].(map[string]any)["supports_rollout"] != true {
		t.Errorf("capabilities %v", one["capabilities"])
	}
	limits := one["limits"].(map[string]any)
	for _, field := range []string{"max_ops", "max_time_s", "max_turns"} {
		if _, ok := limits[field].(float64); !ok {
			t.Errorf("limits.%s = %v", field, limits[field])
		}
	}
	if seed := one["task_metadata"].(map[string]any)["seed"]; seed != 7.0 {
		t.Errorf("seed %v", seed)
	}

	many := h.app("GET", "/task_info?seed=3&seed=1&seed=2")
	wantStatus(t, many, http.StatusOK)
	var seeds []float64
	for _, info := range many.array(t) {
		seeds = append(seeds, info.(map[string]any)["task_metadata"].(map[string]any)["seed"].(float64))
	}
	if len(seeds) != 3 || seeds[0] != 3 || seeds[1] != 1 || seeds[2] != 2 {
		t.Errorf("seeds in order %v", seeds)
	}
	plural := h.app("GET", "/task_info?seeds=4&seeds=5")
	wantStatus(t, plural, http.StatusOK)
	if items := plural.array(t); len(items) != 2 || items[1].(map[string]any)["task_metadata"].(map[string]any)["seed"] != 5.0 {
		t.Errorf("seeds=: %s", plural.raw)
	}
	if one := h.app("GET", "/task_info?seeds=6").object(t); one["task_metadata"].(map[string]any)["seed"] != 6.0 {
		t.Errorf("one seeds=: %v", one)
	}

	for _, q := range []string{"?seed=x", "?seed=1&seed=1.5", "?seed="} {
		wantStatus(t, h.app("GET", "/task_info"+q), http.StatusUnprocessableEntity)
	}
}

func TestTaskAppInfoAndRollout(t *testing.T) {
	t.Parallel()
	h := newHarness(t, Options{})
	info := h.app("GET", "/info").object(t)
	for _, field := range []string{"service", "dataset", "rubrics", "inference", "capabilities", "limits"} {
		if _, ok := info[field].(map[string]any); !ok {
			t.Errorf("/info lacks %s: %v", field, info)
		}
	}
	if svc := info["service"].(map[string]any); svc["task"] == nil || svc["version"] == nil {
		t.Errorf("service %v", svc)
	}
	rubrics := info["rubrics"].(map[string]any)
	if rubrics["outcome"] == nil || rubrics["events"] == nil {
		t.Errorf("rubrics are not outcome/events: %v", rubrics)
	}

	r := send(t, h.taskApp.URL, "POST", "/rollout", map[string]any{"run_id": "run-42"}, "X-API-Key", h.emu.opts.EnvironmentAPIKey)
	wantStatus(t, r, http.StatusOK)
	m := r.object(t)
	if m["run_id"] != "run-42" || len(m["trajectories"].([]any)) != 1 || m["metrics"] == nil {
		t.Errorf("rollout %v", m)
	}
	wantStatus(t, h.app("GET", "/rollout"), http.StatusMethodNotAllowed)
}
