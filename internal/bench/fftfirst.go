package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/synth-laboratories/terraform-provider-synth/internal/synthapi"
)

// The FFT-first benchmark applies examples/fft-first as it is (two
// synth_training_file, a synth_sft_job, a synth_rl_job from its model),
// with its train.jsonl replaced by a generated dataset, at a small and a
// large size, against the emulator binary:
//   - hand-off: in each apply, how long after the fine-tune's model
//     appeared the provider saw it, and how long after that it sent the RL
//     job, from the emulator's request log;
//   - plan: `terraform plan` of the applied, unchanged pipeline, whose time
//     and provider reads must not grow with the dataset.

// maxHandOff is the target: the RL job's POST follows the wait's
// detection of the fine-tune's model by no more than this.
const maxHandOff = time.Second

type fftFirstOpts struct {
	small, large int64 // sizes of the generated train.jsonl
	repeats      int   // plans of each size; medians are reported
	emulator     fftEmulatorTimes
}

// fftEmulatorTimes are the emulator's timings: short, so that an apply's
// jobs take seconds. In full mode the model is named a while after success,
// as the contract (§12) allows, so that the wait must see both.
type fftEmulatorTimes struct {
	queue, run, fileReadyLag time.Duration
	modelLag                 time.Duration // negative: named at success
}

// `make demo`'s timings.
var fftDemoTimes = fftEmulatorTimes{queue: 500 * time.Millisecond, run: 2 * time.Second, fileReadyLag: 500 * time.Millisecond, modelLag: time.Second}

type fftFirstResult struct {
	emulator fftEmulatorTimes
	handOffs []*handOff  // one per apply: small, large
	plans    []*planFlat // small, large
}

// handOff is what the emulator saw of one apply's SFT-to-RL step.
type handOff struct {
	bytes    int64 // the dataset's size
	sftJobID string
	// end is when the SFT job succeeded (its finished_at: start + queue +
	// run), visible when its fine_tuned_model appeared (end + model lag).
	end, visible time.Time
	// sawSucceeded is the first poll of the job answered once it had
	// succeeded, detected the first once its model was visible; rlPost
	// the POST of the RL job that followed.
	sawSucceeded, detected, rlPost time.Time
	polls                          int // GETs of the SFT job in the apply
}

func (h *handOff) detectionDelay() time.Duration { return h.detected.Sub(h.end) }
func (h *handOff) handOffTime() time.Duration    { return h.rlPost.Sub(h.detected) }

func measureFFTFirst(ctx context.Context, r *rig, o fftFirstOpts, progress func(string, ...any)) (*fftFirstResult, error) {
	res := &fftFirstResult{emulator: o.emulator}
	dir := filepath.Join(r.tmp, "fft-first")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return res, err
	}
	sizes := []int64{o.small, o.large}
	dirs := []string{filepath.Join(dir, "small"), filepath.Join(dir, "large")}
	progress("fft-first: copying examples/fft-first with train.jsonl of %s and %s", sizeName(o.small), sizeName(o.large))
	for i, d := range dirs {
		if err := copyExample(filepath.Join(r.moduleRoot, "examples", "fft-first"), d); err != nil {
			return res, err
		}
		if err := writeDataset(filepath.Join(d, "train.jsonl"), sizes[i]); err != nil {
			return res, err
		}
	}

	times := o.emulator
	emu, err := r.startEmulator(ctx, dir, times.queue, times.run,
		"-file-ready-lag="+times.fileReadyLag.String(), "-model-lag="+times.modelLag.String())
	if err != nil {
		return res, err
	}
	defer emu.stop()
	api, err := synthapi.NewClient(emu.vars["SYNTH_BACKEND_URL"], emu.vars["SYNTH_API_KEY"])
	if err != nil {
		return res, err
	}
	env := r.baseEnv(emu.env()...)

	for i, d := range dirs {
		progress("fft-first: applying the pipeline with the %s dataset", sizeName(sizes[i]))
		before, err := emu.settledRequests()
		if err != nil {
			return res, err
		}
		if _, err := r.mustRun(ctx, d, env, nil, applyArgs...); err != nil {
			return res, fmt.Errorf("applying examples/fft-first with the %s dataset: %w", sizeName(sizes[i]), err)
		}
		after, err := emu.settledRequests()
		if err != nil {
			return res, err
		}
		h, err := measureHandOff(ctx, api, after[len(before):], max(times.modelLag, 0))
		if err != nil {
			return res, fmt.Errorf("the apply with the %s dataset: %w", sizeName(sizes[i]), err)
		}
		h.bytes = sizes[i]
		res.handOffs = append(res.handOffs, h)
	}

	progress("fft-first: planning the unchanged pipeline with the %s and %s datasets, %d times each", sizeName(o.small), sizeName(o.large), o.repeats)
	res.plans = []*planFlat{{bytes: o.small}, {bytes: o.large}}
	for range o.repeats {
		// Alternated, so that load from elsewhere falls on both sizes alike.
		for i, d := range dirs {
			if err := r.planUnchanged(ctx, d, env, res.plans[i]); err != nil {
				return res, err
			}
		}
	}
	return res, nil
}

// copyExample copies the files of an example directory (not its state,
// lock file or .terraform/) into dir.
func copyExample(src, dir string) error {
	entries, err := os.ReadDir(src)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	for _, e := range entries {
		name := e.Name()
		if !e.Type().IsRegular() || strings.Contains(name, ".tfstate") || name == ".terraform.lock.hcl" {
			continue
		}
		b, err := os.ReadFile(filepath.Join(src, name))
		if err != nil {
			return err
		}
		if err := os.WriteFile(filepath.Join(dir, name), b, 0o644); err != nil {
			return err
		}
	}
	return nil
}

// measureHandOff reads one apply's requests: the SFT job they started,
// whose end the emulator then tells (finished_at), and the hand-off to RL.
func measureHandOff(ctx context.Context, api *synthapi.Client, reqs []logRequest, modelLag time.Duration) (*handOff, error) {
	id := startedSFTJob(reqs)
	if id == "" {
		return nil, errors.New("the emulator's log has no POST /learning/jobs/{id}/start")
	}
	job, err := api.SFT().GetJob(ctx, id)
	if err != nil {
		return nil, err
	}
	end, err := time.Parse(time.RFC3339Nano, job.FinishedAt)
	if err != nil {
		return nil, fmt.Errorf("the SFT job %s has no finished_at (%q): %w", id, job.FinishedAt, err)
	}
	return handOffFrom(reqs, id, end, modelLag)
}

// startedSFTJob is the id of the first SFT job the requests start.
func startedSFTJob(reqs []logRequest) string {
	for _, req := range reqs {
		rest, ok := strings.CutSuffix(req.path, "/start")
		if !ok || req.method != "POST" || req.target != "backend" {
			continue
		}
		if _, id, found := strings.Cut(rest, "/learning/jobs/"); found && id != "" && !strings.Contains(id, "/") {
			return id
		}
	}
	return ""
}

// handOffFrom finds, in the requests of one apply, the first GET of SFT
// job id answered once its model was visible (modelLag after end) and the
// RL job's POST after it. The emulator logs a request when it has
// answered, so the log's times are the answers', to the microsecond.
func handOffFrom(reqs []logRequest, id string, end time.Time, modelLag time.Duration) (*handOff, error) {
	h := &handOff{sftJobID: id, end: end, visible: end.Add(modelLag)}
	for _, req := range reqs {
		switch {
		case req.method == "GET" && strings.HasSuffix(req.path, "/learning/jobs/"+id):
			if req.at.IsZero() {
				return nil, fmt.Errorf("a request to %s has no readable time", req.path)
			}
			h.polls++
			if h.sawSucceeded.IsZero() && !req.at.Before(h.end) {
				h.sawSucceeded = req.at
			}
			if h.detected.IsZero() && !req.at.Before(h.visible) {
				h.detected = req.at
			}
		case req.method == "POST" && strings.HasSuffix(req.path, "/rl/jobs") && !h.detected.IsZero() && h.rlPost.IsZero():
			h.rlPost = req.at
		}
	}
	switch {
	case h.detected.IsZero():
		return nil, fmt.Errorf("no GET of SFT job %s after its model appeared at %s", id, h.visible.Format(time.StampMicro))
	case h.rlPost.IsZero():
		return nil, fmt.Errorf("no POST /rl/jobs after the model of SFT job %s was seen", id)
	case h.detectionDelay() > time.Hour:
		// The log's local times and finished_at's UTC disagree on the zone.
		return nil, fmt.Errorf("SFT job %s: detection %s after its end, the clocks disagree", id, h.detectionDelay())
	}
	return h, nil
}

// fftFirstTables checks the targets and returns the tables, with the
// problems that mean the measurement itself is broken.
func fftFirstTables(res *fftFirstResult) ([]*table, []string) {
	var tables []*table
	var broken []string
	if len(res.handOffs) > 0 {
		tables = append(tables, handOffTable(res.handOffs, res.emulator))
	}
	if len(res.plans) == 2 && len(res.plans[0].walls) > 0 && len(res.plans[1].walls) > 0 {
		title := fmt.Sprintf("FFT-first pipeline: plan of the applied, unchanged `examples/fft-first` (`terraform plan -refresh=true`, median of %d)", len(res.plans[0].walls))
		t := planFlatTable(title, res.plans, nil)
		t.notes = append(t.notes, "The whole example is planned: two synth_training_file (train.jsonl generated at the size shown, validation.jsonl as it is), the synth_sft_job, the synth_task_app data source and the synth_rl_job.")
		tables = append(tables, t)
		broken = append(broken, planFlatProblems(res.plans)...)
	}
	return tables, broken
}

func handOffTable(hs []*handOff, times fftEmulatorTimes) *table {
	t := &table{
		title: "FFT-first pipeline: hand-off from the fine-tune to RL in `terraform apply` of `examples/fft-first`",
		header: []string{"train.jsonl", "polls of the SFT job", "first poll after success − job end",
			"(a) detection delay: first poll with the model − job end", "of which after the model appeared", "(b) hand-off: RL POST − that poll", "RL POST − job end", "target", "result"},
	}
	for _, h := range hs {
		var v verdict
		v.check(h.handOffTime() <= maxHandOff, "%s > %s (+%s)", seconds(h.handOffTime()), seconds(maxHandOff), seconds(h.handOffTime()-maxHandOff))
		t.addJudged(v, sizeName(h.bytes), fmt.Sprint(h.polls), seconds(h.sawSucceeded.Sub(h.end)), seconds(h.detectionDelay()), seconds(h.detected.Sub(h.visible)), seconds(h.handOffTime()),
			seconds(h.rlPost.Sub(h.end)), "(b) ≤ "+seconds(maxHandOff), v.String())
	}
	lag := fmt.Sprintf("names the fine-tune's model %s after the job succeeded (-model-lag)", seconds(times.modelLag))
	if times.modelLag < 0 {
		lag = "names the fine-tune's model as the job succeeds (-model-lag negative)"
	}
	t.notes = append(t.notes, strings.TrimSpace(fmt.Sprintf(`
The emulator binary runs each job %s after a queue of %s (an SFT job from its /start), keeps an upload
processing for %s and %s. The job's end is its finished_at as the emulator tells it; (a) counts from there,
so it holds the model's lag. The polls and the RL POST are the times of the emulator's request log
(microseconds, written once each request was answered). The RL job's POST is the first after the poll
that saw the model.`,
		seconds(times.run), seconds(times.queue), seconds(times.fileReadyLag), lag)))
	return t
}
