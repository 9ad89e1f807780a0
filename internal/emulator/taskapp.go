package emulator

import (
	"crypto/subtle"
	"encoding/json"
	"io"
	"net/http"
	"strconv"
	"strings"
)

// The sample task apps (§6): a crafter-like app at the root of the task-app
// server and a math app under MathTaskAppPath, both with the routes and key
// handling of the SDK's task apps.

const taskAppService = "synth-emulator-task-app"

// MathTaskAppPath is where the math task app is served on the task-app
// server: its base URL is the server's URL followed by this path.
const MathTaskAppPath = "/math"

// taskDef is what one sample app describes: its task, dataset, rubric and
// the rest of what /info and /task_info answer, and one canned rollout step.
type taskDef struct {
	version                                        string
	task, dataset, rubric, inference, capabilities func() map[string]any
	limits, taskset                                func() map[string]any
	taskInfo                                       func(seed int64) map[string]any
	envID, policyID                                string
	rolloutStep                                    map[string]any
}

var crafterDef = taskDef{
	version: crafterVersion, task: crafterTask, dataset: crafterDataset, rubric: crafterRubric,
	inference: crafterInference, capabilities: crafterCapabilities, limits: crafterLimits,
	taskset: crafterTaskset, taskInfo: crafterTaskInfo, envID: "crafter", policyID: "crafter-react",
	rolloutStep: map[string]any{
		"obs": map[string]any{"inventory": map[string]any{"wood": 1}}, "tool_calls": []any{},
		"reward": 1.0, "done": true, "info": map[string]any{"achievements": []any{"collect_wood"}},
	},
}

func (e *Emulator) taskAppRoutes() http.Handler {
	mux := http.NewServeMux()
	for prefix, def := range map[string]taskDef{"": crafterDef, MathTaskAppPath: mathDef} {
		mux.HandleFunc("GET "+prefix+"/{$}", func(w http.ResponseWriter, _ *http.Request) {
			writeJSON(w, http.StatusOK, map[string]any{"status": "ok", "service": taskAppService, "task": def.task()["id"]})
		})
		mux.Handle("GET "+prefix+"/health", e.requireEnvKey(http.HandlerFunc(e.health)))
		mux.Handle("GET "+prefix+"/info", e.requireEnvKey(def.info()))
		mux.Handle("GET "+prefix+"/task_info", e.requireEnvKey(def.taskInfoHandler()))
		mux.Handle("POST "+prefix+"/rollout", e.requireEnvKey(def.rollout()))
	}
	return e.unlessSick(fastAPIErrors(mux))
}

// unlessSick makes an unhealthy app fail its health and task-info routes
// before anything else, key or no key: the app is up but its environment is
// not, and that is what the CLI's pre-submit check must notice.
func (e *Emulator) unlessSick(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		e.mu.Lock()
		sick := e.taskAppSick
		e.mu.Unlock()
		if sick && r.Method == http.MethodGet {
			switch strings.TrimPrefix(r.URL.Path, MathTaskAppPath) {
			case "/health":
				writeJSON(w, http.StatusServiceUnavailable, map[string]any{"healthy": false})
				return
			case "/task_info":
				writeDetail(w, http.StatusServiceUnavailable, "task app is not healthy")
				return
			}
		}
		h.ServeHTTP(w, r)
	})
}

// requireEnvKey enforces the task app's key the way the SDK's apps do: any of
// three headers may carry it, a missing or wrong key is a 400 (not a 401),
// and an app deployed without a key refuses everything with a 503.
func (e *Emulator) requireEnvKey(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if e.opts.NoTaskAppKey {
			writeDetail(w, http.StatusServiceUnavailable, map[string]any{"error": map[string]any{
				"code":    "missing_environment_api_key",
				"message": "ENVIRONMENT_API_KEY is not configured",
				"status":  http.StatusServiceUnavailable,
			}})
			return
		}
		if !hasKey(r.Header, e.opts.EnvironmentAPIKey) {
			writeDetail(w, http.StatusBadRequest, map[string]any{"error": unauthorisedBody(r.Header, e.opts.EnvironmentAPIKey)})
			return
		}
		h.ServeHTTP(w, r)
	})
}

// unauthorisedBody is the SDK's error object for a refused key: it helps a
// user tell which key is deployed from which was sent by their first 15
// characters, and the lengths of what was sent.
func unauthorisedBody(h http.Header, allowed string) map[string]any {
	gotFirst15, gotLens := []any{}, []any{}
	for _, c := range presentedKeys(h) {
		if c == "" {
			continue
		}
		gotFirst15 = append(gotFirst15, c[:min(15, len(c))])
		gotLens = append(gotLens, len(c))
	}
	return map[string]any{
		"code":            "unauthorised",
		"message":         "API key missing or invalid",
		"allowed_first15": []any{allowed[:min(15, len(allowed))]},
		"allowed_count":   1,
		"got_first15":     gotFirst15,
		"got_lens":        gotLens,
	}
}

// presentedKeys are the keys a request carries in any of the accepted
// headers, trimmed.
func presentedKeys(h http.Header) []string {
	candidates := []string{h.Get("X-API-Key")}
	for _, list := range h.Values("X-API-Keys") {
		candidates = append(candidates, strings.Split(list, ",")...)
	}
	if token, ok := bearerToken(h); ok {
		candidates = append(candidates, token)
	}
	for i, c := range candidates {
		candidates[i] = strings.TrimSpace(c)
	}
	return candidates
}

// hasKey reports whether any of the accepted headers carries want.
func hasKey(h http.Header, want string) bool {
	found := false
	for _, c := range presentedKeys(h) {
		// Compare every candidate, so timing does not tell which header matched.
		if subtle.ConstantTimeCompare([]byte(c), []byte(want)) == 1 {
			found = true
		}
	}
	return found
}

func (e *Emulator) health(w http.ResponseWriter, _ *http.Request) {
	key := e.opts.EnvironmentAPIKey
	writeJSON(w, http.StatusOK, map[string]any{
		"healthy": true,
		"auth": map[string]any{
			"required":        true,
			"expected_prefix": key[:min(6, len(key))] + "...",
		},
	})
}

func (def taskDef) info() http.HandlerFunc {
	return func(w http.ResponseWriter, _ *http.Request) {
		writeJSON(w, http.StatusOK, map[string]any{
			"service": map[string]any{
				"task":    def.task(),
				"version": def.version,
			},
			"dataset": def.dataset(),
			// The SDK's apps name the two rubrics outcome and events.
			"rubrics": map[string]any{
				"outcome": def.rubric(),
				"events":  map[string]any{"version": "1", "criteria": []any{}},
			},
			"inference":    def.inference(),
			"capabilities": def.capabilities(),
			"limits":       def.limits(),
		})
	}
}

// taskInfo answers the task set without a seed, one TaskInfo for one seed,
// and an array in the order given for several. Seeds may come as seed= or
// seeds=, repeated, as the SDK's server accepts both.
func (def taskDef) taskInfoHandler() http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) { def.serveTaskInfo(w, r) }
}

func (def taskDef) serveTaskInfo(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	raw := append(q["seed"], q["seeds"]...)
	if len(raw) == 0 {
		writeJSON(w, http.StatusOK, map[string]any{"taskset": def.taskset()})
		return
	}
	infos := make([]map[string]any, 0, len(raw))
	for _, s := range raw {
		seed, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			writeDetail(w, http.StatusUnprocessableEntity, "seed must be an integer, got "+strconv.Quote(s))
			return
		}
		infos = append(infos, def.taskInfo(seed))
	}
	if len(infos) == 1 {
		writeJSON(w, http.StatusOK, infos[0])
		return
	}
	writeJSON(w, http.StatusOK, infos)
}

// rollout answers a canned one-step rollout; running one is the trainer's
// business, and the provider never calls it.
func (def taskDef) rollout() http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) { def.serveRollout(w, r) }
}

func (def taskDef) serveRollout(w http.ResponseWriter, r *http.Request) {
	var req map[string]any
	body, _ := io.ReadAll(r.Body)
	if len(body) > 0 && json.Unmarshal(body, &req) != nil {
		writeDetail(w, http.StatusUnprocessableEntity, "body must be a JSON object")
		return
	}
	runID, _ := req["run_id"].(string)
	if runID == "" {
		runID = "run_emulator"
	}
	writeJSON(w, http.StatusOK, map[string]any{
		"run_id": runID,
		"trajectories": []any{map[string]any{
			"env_id":    def.envID,
			"policy_id": def.policyID,
			"steps":     []any{def.rolloutStep},
			"length":    1,
		}},
		"metrics": map[string]any{
			"episode_returns": []any{1.0}, "mean_return": 1.0,
			"num_steps": 1, "num_episodes": 1, "outcome_score": 1.0,
		},
		"aborted":      false,
		"ops_executed": 2,
	})
}

// The crafter-like description the sample app serves.

const crafterVersion = "0.1.0"

func crafterTask() map[string]any {
	return map[string]any{
		"id":          "crafter_classic",
		"name":        "Crafter Classic",
		"version":     crafterVersion,
		"description": "Classic Crafter survival environment with procedurally generated worlds.",
	}
}

func crafterDataset() map[string]any {
	return map[string]any{
		"id":            "crafter_classic_procedural",
		"name":          "Crafter Classic Procedural Seeds",
		"version":       "1.0.0",
		"splits":        []any{"train", "test"},
		"default_split": "train",
		"description":   "Procedurally generated Crafter worlds, one per seed.",
		"seed_range":    []any{0, 1_000_000},
		"default_seed":  0,
	}
}

func crafterRubric() map[string]any {
	return map[string]any{
		"version": "1",
		"criteria": []any{
			map[string]any{"id": "achievements", "weight": 0.7, "description": "Unlock achievements."},
			map[string]any{"id": "survival", "weight": 0.3, "description": "Stay alive."},
		},
	}
}

func crafterInference() map[string]any {
	return map[string]any{
		"supports_proxy": true,
		"endpoints":      map[string]any{"openai": "/proxy/v1/chat/completions"},
		"tool":           map[string]any{"name": "interact_many", "parallel_tool_calls": false},
	}
}

func crafterCapabilities() map[string]any {
	return map[string]any{
		"supports_rollout":          true,
		"supports_env_lifecycle":    true,
		"requires_api_key_header":   true,
		"supports_policy_lifecycle": false,
	}
}

func crafterLimits() map[string]any {
	return map[string]any{"max_ops": 100_000, "max_time_s": 3600, "max_turns": 200}
}

// crafterTaskset is what the SDK's apps answer /task_info with when no seed
// is given: describe_taskset(), a flat description of the dataset. The task
// itself is described by /info.
func crafterTaskset() map[string]any {
	set := crafterDataset()
	set["cardinality"] = 1_000_001
	set["config"] = map[string]any{"world_size": []any{64, 64}, "max_steps": 10_000}
	return set
}

func crafterTaskInfo(seed int64) map[string]any {
	return map[string]any{
		"task":         crafterTask(),
		"environments": []any{"crafter"},
		"dataset":      crafterDataset(),
		"rubric":       crafterRubric(),
		"inference":    crafterInference(),
		"capabilities": crafterCapabilities(),
		"limits":       crafterLimits(),
		"action_space": map[string]any{
			"type": "tool_call", "tool": "interact_many",
			"actions": []any{"noop", "move_left", "move_right", "move_up", "move_down", "do", "sleep",
				"place_stone", "place_table", "place_furnace", "place_plant", "make_wood_pickaxe"},
		},
		"observation":   map[string]any{"type": "text+image", "image_shape": []any{64, 64, 3}},
		"task_metadata": map[string]any{"seed": seed, "world_size": []any{64, 64}},
	}
}
