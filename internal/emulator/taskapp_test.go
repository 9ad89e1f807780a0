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
		if errObj["code"] != "unauthorised" || errObj["message"] != "API key missing or invalid" || errObj["status"] != 400.0 {
			t.Errorf("%s: %s", name, r.raw)
		}
	}

	r := send(t, h.taskApp.URL, "GET", "/health", nil, "X-API-Key", "env_abcdef123")
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
	taskset, ok := set["taskset"].(map[string]any)
	if !ok || taskset["task"] == nil || taskset["dataset"] == nil {
		t.Errorf("taskset: %v", set)
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

	r := send(t, h.taskApp.URL, "POST", "/rollout", map[string]any{"run_id": "run-42"}, "X-API-Key", h.emu.opts.EnvironmentAPIKey)
	wantStatus(t, r, http.StatusOK)
	m := r.object(t)
	if m["run_id"] != "run-42" || len(m["trajectories"].([]any)) != 1 || m["metrics"] == nil {
		t.Errorf("rollout %v", m)
	}
	wantStatus(t, h.app("GET", "/rollout"), http.StatusMethodNotAllowed)
}
