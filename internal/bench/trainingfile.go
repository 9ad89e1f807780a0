package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/synth-laboratories/terraform-provider-synth/internal/synthapi"
	"github.com/synth-laboratories/terraform-provider-synth/internal/trainfile"
)

// The training-file benchmark, on a generated JSONL dataset:
//   - check + hash: trainfile.CheckFile next to sha256sum of the same file;
//   - upload: `terraform apply` of a synth_training_file through the real
//     provider to the emulator binary, next to `curl -F` to the same route;
//     the provider's peak RSS and the bytes it read;
//   - plan: `terraform plan` of an applied, unchanged synth_training_file
//     at a small and a large size, whose time and provider reads must not
//     grow with the file.

const trainingFileConfig = `terraform {
  required_providers {
    synth = {
      source = "synth-laboratories/synth"
    }
  }
}

provider "synth" {}

variable "path" {
  type = string
}

resource "synth_training_file" "bench" {
  path = var.path
}
`

// trainingFileOpts sizes the benchmark.
type trainingFileOpts struct {
	small, large int64 // dataset sizes; the large one is uploaded and hashed
	repeats      int   // timings of the hash and of each plan; medians are reported
}

type hashCost struct {
	bytes    int64
	records  int
	check    []time.Duration // trainfile.CheckFile
	sha256   []time.Duration // sha256sum; empty when skipped
	skipNote string
}

type uploadCost struct {
	bytes        int64
	applyWall    time.Duration
	upload       time.Duration // the provider's POST /files attempts, from its debug log
	attempts     int
	usage        providerUsage // the apply's provider processes
	curl         []time.Duration
	curlStatuses []int
	curlSkipNote string
}

type planFlat struct {
	bytes int64
	walls []time.Duration
	usage providerUsage // the plan's providers, the one that read most
	// changes is set when a plan of the unchanged dataset proposed some.
	changes bool
	output  string
}

type trainingFileResult struct {
	hash   *hashCost
	upload *uploadCost
	plans  []*planFlat // small, large
	// touched is one plan of the large file after its modification time
	// changed, content unchanged: the control that shows the count of
	// bytes read sees a re-hash.
	touched *planFlat
}

func measureTrainingFile(ctx context.Context, r *rig, o trainingFileOpts, progress func(string, ...any)) (*trainingFileResult, error) {
	res := &trainingFileResult{}
	dir := filepath.Join(r.tmp, "training-file")
	smallDir, largeDir := filepath.Join(dir, "small"), filepath.Join(dir, "large")
	for _, d := range []string{smallDir, largeDir} {
		if err := writeConfig(d, trainingFileConfig); err != nil {
			return res, err
		}
	}
	smallPath, largePath := filepath.Join(smallDir, "train.jsonl"), filepath.Join(largeDir, "train.jsonl")
	progress("training file: generating %s and %s of JSONL", sizeName(o.small), sizeName(o.large))
	for _, f := range []struct {
		path string
		size int64
	}{{smallPath, o.small}, {largePath, o.large}} {
		if err := writeDataset(f.path, f.size); err != nil {
			return res, err
		}
	}

	progress("training file: check + hash of %s, %d times", sizeName(o.large), o.repeats)
	hash, err := measureHashCost(ctx, largePath, o.large, o.repeats)
	res.hash = hash
	if err != nil {
		return res, err
	}

	emu, err := r.startEmulator(ctx, dir, -time.Nanosecond, time.Second)
	if err != nil {
		return res, err
	}
	defer emu.stop()
	env := r.baseEnv(emu.env()...)

	progress("training file: uploading %s with curl and through the provider", sizeName(o.large))
	res.upload, err = measureUpload(ctx, r, emu, largeDir, largePath, o.large)
	if err != nil {
		return res, err
	}
	if _, err := r.mustRun(ctx, smallDir, env, nil, append(applyArgs, "-var", "path="+smallPath)...); err != nil {
		return res, fmt.Errorf("applying the %s training file: %w", sizeName(o.small), err)
	}

	progress("training file: planning the unchanged %s and %s files, %d times each", sizeName(o.small), sizeName(o.large), o.repeats)
	res.plans = []*planFlat{{bytes: o.small}, {bytes: o.large}}
	for range o.repeats {
		// Alternated, so that load from elsewhere falls on both sizes alike.
		for i, d := range []struct{ dir, path string }{{smallDir, smallPath}, {largeDir, largePath}} {
			if err := r.planUnchanged(ctx, d.dir, env, res.plans[i], "-var", "path="+d.path); err != nil {
				return res, err
			}
		}
	}

	// Last, since a plan does not keep what it learns: from here on every
	// plan of the large file would hash it.
	later := time.Now().Add(time.Second)
	if err := os.Chtimes(largePath, later, later); err != nil {
		return res, err
	}
	res.touched = &planFlat{bytes: o.large}
	return res, r.planUnchanged(ctx, largeDir, env, res.touched, "-var", "path="+largePath)
}

// measureHashCost times trainfile.CheckFile and sha256sum on the file at
// path, alternately, and requires both to agree on its digest.
func measureHashCost(ctx context.Context, path string, size int64, repeats int) (*hashCost, error) {
	res := &hashCost{bytes: size}
	sum, err := exec.LookPath("sha256sum")
	if err != nil {
		res.skipNote = "sha256sum not found: the comparison is skipped"
	}
	for range repeats {
		start := time.Now()
		checked, err := trainfile.CheckFile(path)
		elapsed := time.Since(start)
		if err != nil {
			return res, err
		}
		if !checked.OK() || len(checked.Warnings) > 0 || checked.Bytes != size {
			return res, fmt.Errorf("the generated dataset is not a clean §9 file of %d bytes: %d bytes, problems %v, warnings %v",
				size, checked.Bytes, checked.Problems, checked.Warnings)
		}
		res.check = append(res.check, elapsed)
		res.records = checked.Records
		if sum == "" {
			continue
		}
		start = time.Now()
		out, err := exec.CommandContext(ctx, sum, path).Output()
		elapsed = time.Since(start)
		if err != nil {
			return res, fmt.Errorf("sha256sum: %w", err)
		}
		if digest, _, _ := strings.Cut(string(out), " "); digest != checked.SHA256 {
			return res, fmt.Errorf("sha256sum says %s, trainfile.CheckFile %s", digest, checked.SHA256)
		}
		res.sha256 = append(res.sha256, elapsed)
	}
	return res, nil
}

// uploadLine is the provider's debug line for one attempt of the upload.
var uploadLine = regexp.MustCompile(`Synth HTTP request.*`)

// measureUpload uploads the file at path with curl, then through the
// provider (one apply with the provider's debug log on, sampled), then
// with curl again. The second curl sends content the emulator then holds,
// which it answers with 409 after reading, hashing and storing the whole
// body, as it does for a 201.
func measureUpload(ctx context.Context, r *rig, emu *emulatorProc, dir, path string, size int64) (*uploadCost, error) {
	res := &uploadCost{bytes: size}
	root, err := synthapi.NormalizeBackendURL(emu.vars["SYNTH_BACKEND_URL"])
	if err != nil {
		return res, err
	}
	api, err := synthapi.NewClient(emu.vars["SYNTH_BACKEND_URL"], emu.vars["SYNTH_API_KEY"])
	if err != nil {
		return res, err
	}
	curl, err := exec.LookPath("curl")
	if err != nil {
		res.curlSkipNote = "curl not found: the comparison is skipped"
	}
	curlOnce := func() error {
		if curl == "" {
			return nil
		}
		wall, status, id, err := curlUpload(ctx, curl, root+"/files", emu.vars["SYNTH_API_KEY"], path)
		if err != nil {
			return err
		}
		res.curl, res.curlStatuses = append(res.curl, wall), append(res.curlStatuses, status)
		if id != "" {
			return api.DeleteFile(ctx, id) // so that the provider's upload is a new file too
		}
		return nil
	}
	if err := curlOnce(); err != nil {
		return res, err
	}

	logPath := filepath.Join(dir, "provider.log")
	env := r.baseEnv(append(emu.env(), "TF_LOG_PROVIDER=DEBUG", "TF_LOG_PATH="+logPath)...)
	sampler, err := r.sampleProviders()
	if err != nil {
		return res, err
	}
	applied, err := r.mustRun(ctx, dir, env, nil, append(applyArgs, "-var", "path="+path)...)
	res.usage = sampler.stop()
	if err != nil {
		return res, fmt.Errorf("applying the %s training file: %w", sizeName(size), err)
	}
	res.applyWall = applied.wall
	logged, err := os.ReadFile(logPath)
	if err != nil {
		return res, err
	}
	res.upload, res.attempts = uploadAttempts(logged)
	if res.attempts == 0 {
		return res, fmt.Errorf("the provider's debug log (%s) has no POST /files line", logPath)
	}
	if err := os.Remove(logPath); err != nil {
		return res, err
	}

	return res, curlOnce()
}

// uploadAttempts sums the durations of the provider's POST …/files
// requests in its debug log.
func uploadAttempts(log []byte) (total time.Duration, attempts int) {
	for _, line := range uploadLine.FindAll(log, -1) {
		fields := logFields(string(line))
		if fields["method"] != "POST" || !strings.HasSuffix(fields["url"], "/files") {
			continue
		}
		ms, err := strconv.ParseInt(fields["duration_ms"], 10, 64)
		if err != nil {
			continue
		}
		total += time.Duration(ms) * time.Millisecond
		attempts++
	}
	return total, attempts
}

// logField is one key=value of an hclog line; a value with spaces is quoted.
var logField = regexp.MustCompile(`(?:^|\s)([\w@.-]+)=("(?:[^"\\]|\\.)*"|\S*)`)

// logFields reads the key=value pairs of one hclog line.
func logFields(line string) map[string]string {
	fields := map[string]string{}
	for _, m := range logField.FindAllStringSubmatch(line, -1) {
		v := m[2]
		if uq, err := strconv.Unquote(v); err == nil {
			v = uq
		}
		fields[m[1]] = v
	}
	return fields
}

// curlUpload is `curl -F file=@path -F purpose=fine-tune url`: its wall
// time, the answer's status and the id of a file it made.
func curlUpload(ctx context.Context, curl, url, apiKey, path string) (wall time.Duration, status int, id string, err error) {
	cmd := exec.CommandContext(ctx, curl, "-sS", "-o", "-", "-w", "\n%{http_code}",
		"-H", "Authorization: Bearer "+apiKey, "-F", "file=@"+path+";type=application/jsonl", "-F", "purpose=fine-tune", url)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	start := time.Now()
	out, err := cmd.Output()
	wall = time.Since(start)
	if err != nil {
		return wall, 0, "", fmt.Errorf("curl -F file=@%s %s: %w: %s", filepath.Base(path), url, err, stderr.String())
	}
	i := bytes.LastIndexByte(out, '\n')
	status, err = strconv.Atoi(strings.TrimSpace(string(out[i+1:])))
	if err != nil || (status != 201 && status != 200 && status != 409) {
		return wall, status, "", fmt.Errorf("curl upload answered %q", out)
	}
	if status != 409 {
		var file struct{ ID string }
		if err := json.Unmarshal(out[:i], &file); err != nil || file.ID == "" {
			return wall, status, "", fmt.Errorf("curl upload answered %d without an id: %s", status, out[:i])
		}
		id = file.ID
	}
	return wall, status, id, nil
}

// planUnchanged runs one plan of an applied dataset's configuration in
// dir, adding its wall time to p and keeping the usage of the plan that
// read most.
func (r *rig) planUnchanged(ctx context.Context, dir string, env []string, p *planFlat, vars ...string) error {
	sampler, err := r.sampleProviders()
	if err != nil {
		return err
	}
	res, err := r.mustRun(ctx, dir, env, []int{0, 2}, append(planArgs, vars...)...)
	used := sampler.stop()
	if err != nil {
		return fmt.Errorf("planning with the %s dataset: %w", sizeName(p.bytes), err)
	}
	p.walls = append(p.walls, res.wall)
	if used.readBytes >= p.usage.readBytes {
		p.usage = used
	}
	if res.exitCode == 2 {
		p.changes, p.output = true, res.output
	}
	return nil
}

const (
	maxUploadRSSMiB   = 64
	maxUploadOverCurl = 1.25
	maxCheckOverSum   = 2.0
	maxPlanGrowth     = 1.25 // plan wall at the large size over the small
)

// trainingFileTables checks the targets and returns the tables, with the
// problems that mean the measurement itself is broken.
func trainingFileTables(res *trainingFileResult) ([]*table, []string) {
	var tables []*table
	var broken []string
	if res.upload != nil {
		tables = append(tables, uploadTable(res.upload))
		if res.upload.usage.peakKiB == 0 || res.upload.usage.readBytes == 0 {
			broken = append(broken, fmt.Sprintf("the upload apply's providers: peak RSS %d KiB, %d bytes read: the sampler saw nothing",
				res.upload.usage.peakKiB, res.upload.usage.readBytes))
		}
	}
	if res.hash != nil && len(res.hash.check) > 0 {
		tables = append(tables, hashTable(res.hash))
	}
	if len(res.plans) == 2 && len(res.plans[0].walls) > 0 && len(res.plans[1].walls) > 0 {
		title := fmt.Sprintf("Training file: plan of an unchanged dataset (`terraform plan -refresh=true`, median of %d)", len(res.plans[0].walls))
		tables = append(tables, planFlatTable(title, res.plans, res.touched))
		all := res.plans
		if res.touched != nil && len(res.touched.walls) > 0 {
			all = append(all, res.touched)
		}
		broken = append(broken, planFlatProblems(all)...)
	}
	return tables, broken
}

// planFlatProblems are what makes plans of an unchanged dataset no
// measurement: a plan that proposed changes, or no provider sampled.
func planFlatProblems(plans []*planFlat) []string {
	var broken []string
	for _, p := range plans {
		if p.changes {
			broken = append(broken, fmt.Sprintf("the plan with the unchanged %s dataset is not empty:\n%s", sizeName(p.bytes), tail(p.output, 2000)))
		}
		if p.usage.processes == 0 || p.usage.peakKiB == 0 {
			broken = append(broken, fmt.Sprintf("the plans with the %s dataset: no provider process was sampled", sizeName(p.bytes)))
		}
	}
	return broken
}

func uploadTable(u *uploadCost) *table {
	t := &table{
		title: fmt.Sprintf("Training file: upload of %s of JSONL (`terraform apply` of a `synth_training_file`)", sizeName(u.bytes)),
		header: []string{"client", "upload wall", "throughput", "over curl", "provider peak RSS", "provider bytes read in the apply",
			"apply wall", "target", "result"},
	}
	curlWall := median(u.curl)
	var v verdict
	target := fmt.Sprintf("RSS < %d MiB", maxUploadRSSMiB)
	v.check(u.usage.peakKiB < maxUploadRSSMiB*1024, "%s ≥ %d MiB (+%s)", mib(u.usage.peakKiB), maxUploadRSSMiB, mib(u.usage.peakKiB-maxUploadRSSMiB*1024))
	overCurl := "—"
	if curlWall > 0 {
		ratio := u.upload.Seconds() / curlWall.Seconds()
		overCurl = fmt.Sprintf("%.2f×", ratio)
		target += fmt.Sprintf("; ≤ %.2f× curl", maxUploadOverCurl)
		v.check(ratio <= maxUploadOverCurl, "%.2f× curl > %.2f× (+%s)", ratio, maxUploadOverCurl,
			seconds(u.upload-time.Duration(maxUploadOverCurl*float64(curlWall))))
	}
	attempts := ""
	if u.attempts > 1 {
		attempts = fmt.Sprintf(" (%d attempts)", u.attempts)
	}
	t.addJudged(v, "provider (synthapi.UploadFile)", seconds(u.upload)+attempts, throughput(u.bytes, u.upload), overCurl,
		mib(u.usage.peakKiB), fmt.Sprintf("%s (%.2f× the file)", byteCount(u.usage.readBytes), float64(u.usage.readBytes)/float64(u.bytes)),
		seconds(u.applyWall), target, v.String())
	if u.curlSkipNote != "" {
		t.add("curl", u.curlSkipNote, "—", "—", "—", "—", "—", "—", "—")
	} else {
		var each []string
		for i, w := range u.curl {
			each = append(each, fmt.Sprintf("%s (HTTP %d)", seconds(w), u.curlStatuses[i]))
		}
		t.add("`curl -F file=@… -F purpose=fine-tune`", fmt.Sprintf("%s, median of %s", seconds(curlWall), strings.Join(each, ", ")),
			throughput(u.bytes, curlWall), "1×", "—", "—", "—", "—", "—")
	}
	t.notes = append(t.notes, strings.TrimSpace(`
The emulator binary (on loopback, hashing the upload to disk as it arrives) answers both. The provider's
upload wall is the duration its debug log gives for POST …/files (request sent to answer read), inside one
apply; curl runs once before that apply and once after, to the same route, and the second answer is a 409
because the emulator then holds that content: it says so only after reading, hashing and storing the whole
body, as for a 201. Peak RSS is the highest VmHWM, sampled every 10 ms, of the apply's provider processes;
bytes read is their rchar from /proc/<pid>/io as last sampled (reads from files, pipes and sockets): a new
file is read in full by the plan's check, again by the check when the apply plans it once more, and once by
the upload, which hashes what it streams.`))
	return t
}

func hashTable(h *hashCost) *table {
	t := &table{
		title:  fmt.Sprintf("Training file: check + hash of %s of JSONL in one pass (median of %d)", sizeName(h.bytes), len(h.check)),
		header: []string{"what", "wall", "throughput", "over sha256sum", "target", "result"},
	}
	check, sum := median(h.check), median(h.sha256)
	var v verdict
	over, target := "—", "—"
	if sum > 0 {
		ratio := check.Seconds() / sum.Seconds()
		over, target = fmt.Sprintf("%.2f×", ratio), fmt.Sprintf("≤ %.0f× sha256sum", maxCheckOverSum)
		v.check(ratio <= maxCheckOverSum, "%.2f× > %.0f× (+%s)", ratio, maxCheckOverSum, seconds(check-time.Duration(maxCheckOverSum*float64(sum))))
	}
	t.addJudged(v, fmt.Sprintf("trainfile.CheckFile (%d records)", h.records), seconds(check), throughput(h.bytes, check), over, target, v.String())
	if h.skipNote != "" {
		t.add("sha256sum", h.skipNote, "—", "—", "—", "—")
	} else {
		t.add("sha256sum", seconds(sum), throughput(h.bytes, sum), "1×", "—", "—")
	}
	t.notes = append(t.notes, "Both read the same file, which the page cache holds (it was just written); they alternate, CheckFile in the benchmark's process, sha256sum as a child.")
	return t
}

func planFlatTable(title string, plans []*planFlat, touched *planFlat) *table {
	small, large := plans[0], plans[1]
	t := &table{
		title:  title,
		header: []string{"dataset", "plan wall", "over the smallest", "provider bytes read", "provider peak RSS", "plan", "target", "result"},
	}
	smallWall := median(small.walls)
	for _, p := range plans {
		wall := median(p.walls)
		plan := "no changes"
		if p.changes {
			plan = "CHANGES"
		}
		var v verdict
		target := "—"
		if p == large {
			ratio := wall.Seconds() / smallWall.Seconds()
			target = fmt.Sprintf("≤ %.2f× the %s plan; reads < 1 MiB more", maxPlanGrowth, sizeName(small.bytes))
			v.check(ratio <= maxPlanGrowth, "%.2f× > %.2f× (+%s)", ratio, maxPlanGrowth, seconds(wall-time.Duration(maxPlanGrowth*float64(smallWall))))
			more := large.usage.readBytes - small.usage.readBytes
			v.check(more < 1<<20, "%s more read", byteCount(more))
		}
		t.addJudged(v, sizeName(p.bytes), seconds(wall), fmt.Sprintf("%.2f×", wall.Seconds()/smallWall.Seconds()),
			byteCount(p.usage.readBytes), mib(p.usage.peakKiB), plan, target, v.String())
	}
	if touched != nil && len(touched.walls) > 0 {
		wall := median(touched.walls)
		// A miss here says the count cannot be trusted: a sample every
		// 10 ms can miss a small file read just before its process ends.
		var v verdict
		v.check(touched.usage.readBytes >= touched.bytes, "%s read: the count missed the re-hash", byteCount(touched.usage.readBytes))
		t.addJudged(v, sizeName(touched.bytes)+", modification time changed (control)", seconds(wall), fmt.Sprintf("%.2f×", wall.Seconds()/smallWall.Seconds()),
			byteCount(touched.usage.readBytes), mib(touched.usage.peakKiB), map[bool]string{false: "no changes", true: "CHANGES"}[touched.changes],
			"reads the whole file (the count works)", v.String())
	}
	t.notes = append(t.notes, strings.TrimSpace(`
Each dataset was applied first, so its size and modification time are in the resource's private state.
Bytes read is the rchar of the plan's provider processes (from /proc/<pid>/io, sampled every 10 ms, for the
plan that read most): everything they had from read calls, Terraform's gRPC messages included.`))
	if touched != nil {
		t.notes = append(t.notes, strings.TrimSpace(`
The control row is one more plan after the large file's modification time moved, content unchanged: the
refresh hashes it again (once; the plan then trusts what the refresh recorded), which the count must show.`))
	}
	return t
}

// sizeName is a size as the benchmark names its datasets: 4 MiB, 1 GiB.
func sizeName(n int64) string {
	switch {
	case n >= 1<<30 && n%(1<<30) == 0:
		return fmt.Sprintf("%d GiB", n>>30)
	case n >= 1<<20 && n%(1<<20) == 0:
		return fmt.Sprintf("%d MiB", n>>20)
	case n%(1<<10) == 0:
		return fmt.Sprintf("%d KiB", n>>10)
	}
	return fmt.Sprintf("%d bytes", n)
}

// byteCount is n bytes in the unit that suits it.
func byteCount(n int64) string {
	switch {
	case n >= 1<<30 || n <= -1<<30:
		return fmt.Sprintf("%.2f GiB", float64(n)/(1<<30))
	case n >= 1<<20 || n <= -1<<20:
		return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
	}
	return fmt.Sprintf("%.1f KiB", float64(n)/(1<<10))
}

func throughput(n int64, d time.Duration) string {
	if d <= 0 {
		return "—"
	}
	return fmt.Sprintf("%.0f MB/s", float64(n)/d.Seconds()/1e6)
}
