package provider

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/synth-laboratories/terraform-provider-synth/internal/synthapi"
)

const (
	// dupLookback bounds the listings of jobs that may still run: a job
	// queued or running for longer than this is not looked at.
	dupLookback = 7 * 24 * time.Hour
	// dupSucceededWindow is how recent a succeeded identical job must be to
	// earn a warning: created and finished within it.
	dupSucceededWindow = 24 * time.Hour
	// dupListingMaxAge is how long one listing serves the plan-time checks
	// of a process. Create asks for a listing younger than its own check.
	dupListingMaxAge = time.Minute
	dupListPageSize  = 100
	dupListMaxPages  = 50
	// lostAnswerSkew widens the lost-answer lookup for a backend clock that
	// runs behind ours.
	lostAnswerSkew = time.Minute
	// privateJobKey holds the job id in private state, where a replacement's
	// plan, which sees no prior state, still finds it.
	privateJobKey = "synth_job"
)

// dupGuard is the identical-job check's memory, one per provider process
// and job family, shared by every job of the family in it. It is safe for
// concurrent use.
type dupGuard struct {
	family *jobFamily

	listMu   sync.Mutex // held while listing, so concurrent callers share one listing
	listedAt time.Time
	listed   []synthapi.Job
	cutShort []string // the listings a page cap stopped, as warnings say it
	listErr  error

	mu   sync.Mutex
	keys map[string]string // job id -> rlconfig.ConfigKey of its config
	// ours are the jobs never counted as duplicates: those this process
	// created (so siblings never flag each other) and those this workspace's
	// state holds (refreshed, or destroyed by a replacement).
	ours  map[string]bool
	locks map[string]*sync.Mutex
}

func newDupGuard(family *jobFamily) *dupGuard {
	return &dupGuard{
		family: family,
		keys:   map[string]string{},
		ours:   map[string]bool{},
		locks:  map[string]*sync.Mutex{},
	}
}

// lock serialises check, submit and record for one config within the
// process, so two identical siblings never both see "nothing found" while
// the other's job is being created, nor flag the other's fresh job.
func (g *dupGuard) lock(key string) (unlock func()) {
	g.mu.Lock()
	l, ok := g.locks[key]
	if !ok {
		l = &sync.Mutex{}
		g.locks[key] = l
	}
	g.mu.Unlock()
	l.Lock()
	return l.Unlock
}

// recordSubmitted marks a job this process created.
func (g *dupGuard) recordSubmitted(id string) { g.recordOurs(id) }

// recordKnown marks a job Terraform already tracks in this workspace: it is
// never a duplicate of a job being planned, above all not of the successor of
// a tainted or replaced job.
func (g *dupGuard) recordKnown(id string) { g.recordOurs(id) }

func (g *dupGuard) recordOurs(id string) {
	g.mu.Lock()
	g.ours[id] = true
	g.mu.Unlock()
}

func (g *dupGuard) isOurs(id string) bool {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.ours[id]
}

// dupListing is one listing the identical-job check asks the backend for.
// It asks by status so that it costs what is running, not what an org ever
// ran: the backend takes one status per request (§2, §10), so each is its
// own listing. A status the backend does not filter on only costs more
// pages: findIdentical classifies every job it gets by its phase. A job
// family lists its own statuses (jobFamily.listings).
type dupListing struct {
	status   string
	lookback time.Duration
}

// dupListingsFor are listings of the running statuses over dupLookback and
// of the succeeded ones over dupSucceededWindow.
func dupListingsFor(running, succeeded []string) []dupListing {
	var out []dupListing
	for _, s := range running {
		out = append(out, dupListing{status: s, lookback: dupLookback})
	}
	for _, s := range succeeded {
		out = append(out, dupListing{status: s, lookback: dupSucceededWindow})
	}
	return out
}

// listing returns the jobs of dupListings, each job once, from listings that
// started no earlier than notBefore, and the listings a page cap cut short.
// Callers share listings: a plan's checks all take the first one, and
// creates that check together share one too.
func (g *dupGuard) listing(ctx context.Context, api backend, notBefore time.Time) ([]synthapi.Job, []string, error) {
	g.listMu.Lock()
	defer g.listMu.Unlock()
	if !g.listedAt.IsZero() && !g.listedAt.Before(notBefore) {
		return g.listed, g.cutShort, g.listErr
	}
	started := time.Now()
	// One after the other: terraform-plugin-log is not safe for concurrent
	// use of one context, and the client logs every request through it.
	g.listed, g.cutShort, g.listErr = nil, nil, nil
	seen := map[string]bool{}
	for _, l := range g.family.listings {
		r := listUpToCap(ctx, api, g.family, l.status, started.Add(-l.lookback))
		if r.err != nil {
			g.listed, g.cutShort, g.listErr = nil, nil, r.err
			break
		}
		if r.cutShort {
			g.cutShort = append(g.cutShort, r.describe())
		}
		for _, job := range r.jobs {
			if !seen[job.ID] || job.ID == "" {
				seen[job.ID] = true
				g.listed = append(g.listed, job)
			}
		}
	}
	g.listedAt = started
	return g.listed, g.cutShort, g.listErr
}

// jobListing is one listing's outcome.
type jobListing struct {
	status   string // "" for every status
	since    time.Time
	jobs     []synthapi.Job
	cutShort bool // stopped at the page cap with more to come
	err      error
}

func (l jobListing) describe() string {
	what := "jobs"
	if l.status != "" {
		what = l.status + " jobs"
	}
	return fmt.Sprintf("the listing of %s created since %s stopped at %d jobs (%d pages of %d)",
		what, l.since.UTC().Format(time.RFC3339), len(l.jobs), dupListMaxPages, dupListPageSize)
}

// listUpToCap lists the family's jobs with status ("" for all) created after
// since, up to dupListMaxPages pages.
func listUpToCap(ctx context.Context, api backend, family *jobFamily, status string, since time.Time) jobListing {
	const most = dupListMaxPages * dupListPageSize
	l := jobListing{status: status, since: since}
	l.err = scanJobPages(ctx, family.pages(api, status, since), func(job *synthapi.Job) bool {
		if len(l.jobs) == most {
			l.cutShort = true
			return false
		}
		l.jobs = append(l.jobs, *job)
		return true
	})
	if l.err != nil {
		l.err = fmt.Errorf("listing %s: %w", firstNonEmpty(status, "all"), l.err)
	}
	return l
}

// configKey is the comparable config of a listed job, fetched with one GET
// when the list answer leaves the config out, and remembered by id. ok is
// false when the backend does not say what the job was submitted with.
func (g *dupGuard) configKey(ctx context.Context, api backend, job synthapi.Job) (string, bool, error) {
	g.mu.Lock()
	key, seen := g.keys[job.ID]
	g.mu.Unlock()
	if seen {
		return key, key != "", nil
	}
	raw := g.family.recorded(&job)
	if raw == nil {
		full, err := g.family.routes(api).GetJob(ctx, job.ID)
		if err != nil {
			return "", false, fmt.Errorf("reading job %s to compare its config: %w", job.ID, err)
		}
		raw = g.family.recorded(full)
	}
	if raw != nil {
		var err error
		if key, err = g.family.key(raw); err != nil {
			tflog.Warn(ctx, "identical-job check: job config unreadable", map[string]any{"job_id": job.ID, "error": err.Error()})
			key = ""
		}
	}
	g.mu.Lock()
	g.keys[job.ID] = key
	g.mu.Unlock()
	return key, key != "", nil
}

// identicalJobs are the jobs whose submitted config has the same key.
type identicalJobs struct {
	active    []synthapi.Job // queued, running or any status not known to be terminal
	succeeded []synthapi.Job // succeeded within dupSucceededWindow
	listedIDs map[string]bool
	// cutShort are the listings a page cap stopped: the check did not see
	// every job it should have.
	cutShort []string
}

// findIdentical looks through a shared listing, started no earlier than
// notBefore, for jobs submitted with the config whose key is key, leaving
// out the jobs this process submitted or is replacing and the one named by
// exclude.
func (g *dupGuard) findIdentical(ctx context.Context, api backend, key, exclude string, notBefore time.Time) (*identicalJobs, error) {
	jobs, cutShort, err := g.listing(ctx, api, notBefore)
	if err != nil {
		return nil, err
	}
	found := &identicalJobs{listedIDs: make(map[string]bool, len(jobs)), cutShort: cutShort}
	cutoff := time.Now().Add(-dupSucceededWindow)
	for _, job := range jobs {
		found.listedIDs[job.ID] = true
		if job.ID == "" || job.ID == exclude || g.isOurs(job.ID) {
			continue
		}
		phase := job.Phase()
		recent := phase == synthapi.PhaseSucceeded && finishedAfter(job, cutoff)
		if phase.Terminal() && !recent {
			continue // failed, cancelled, or an old success: nothing to guard
		}
		other, ok, err := g.configKey(ctx, api, job)
		if err != nil {
			return nil, err
		}
		if !ok || other != key {
			continue
		}
		if recent {
			found.succeeded = append(found.succeeded, job)
		} else {
			found.active = append(found.active, job)
		}
	}
	return found, nil
}

// findLost looks for the job a create without an answer may have made: an
// identical job created since just before the first attempt that the
// pre-submit listing did not hold. It lists afresh.
// cutShort, when not "", says the listing stopped at its page cap.
func (g *dupGuard) findLost(ctx context.Context, api backend, key string, since time.Time, before map[string]bool) (lost []synthapi.Job, cutShort string, err error) {
	listed := listUpToCap(ctx, api, g.family, "", since.Add(-lostAnswerSkew))
	if listed.err != nil {
		return nil, "", listed.err
	}
	if listed.cutShort {
		cutShort = listed.describe()
	}
	for _, job := range listed.jobs {
		if job.ID == "" || before[job.ID] || g.isOurs(job.ID) {
			continue
		}
		other, ok, err := g.configKey(ctx, api, job)
		if err != nil {
			return nil, "", err
		}
		if ok && other == key {
			lost = append(lost, job)
		}
	}
	return lost, cutShort, nil
}

func finishedAfter(job synthapi.Job, cutoff time.Time) bool {
	for _, at := range []string{job.FinishedAt, job.UpdatedAt, job.CreatedAt} {
		if t, err := time.Parse(time.RFC3339Nano, at); err == nil {
			return t.After(cutoff)
		}
	}
	return true // no time at all: assume recent rather than stay silent
}

// reportIdentical turns what findIdentical found into diagnostics: an active
// identical job is an error unless allowDuplicate, a recent success a warning.
func reportIdentical(noun string, found *identicalJobs, allowDuplicate bool, diags *diag.Diagnostics) {
	if len(found.cutShort) > 0 {
		diags.AddWarning("The identical-job check is incomplete",
			"The provider looks for a job with exactly this effective config before submitting one, but "+
				strings.Join(found.cutShort, "; ")+", so such a job may have been missed. The backend holds more "+
				"jobs of that kind than the check reads; look for an identical job in the Synth dashboard if it matters.")
	}
	if len(found.active) > 0 {
		summary := "An identical " + noun + " is already running"
		detail := describeJobs(found.active) + " was submitted with exactly this effective config. Submitting this resource " +
			"would start the same training a second time, on GPUs billed twice." + adoptAdvice(found.active[0])
		if allowDuplicate {
			diags.AddWarning(summary, detail+"\n\nallow_duplicate = true: a second job is submitted all the same.")
		} else {
			diags.AddError(summary, detail+"\n\nTo start a second run on purpose, set allow_duplicate = true.")
		}
	}
	if len(found.succeeded) > 0 {
		diags.AddWarning("An identical "+noun+" succeeded recently",
			describeJobs(found.succeeded)+" trained exactly this effective config within the last 24 hours; applying "+
				"trains it again. If that result is the one you want, adopt the job instead."+adoptAdvice(found.succeeded[0]))
	}
}

func describeJobs(jobs []synthapi.Job) string {
	parts := make([]string, len(jobs))
	for i, j := range jobs {
		parts[i] = describeJob(j)
	}
	if len(parts) == 1 {
		return "Job " + parts[0]
	}
	return "Jobs " + strings.Join(parts, ", ")
}

func describeJob(j synthapi.Job) string {
	facts := []string{firstNonEmpty(j.Status, "status unknown")}
	if j.CreatedAt != "" {
		facts = append(facts, "created "+j.CreatedAt)
	}
	if j.FinishedAt != "" {
		facts = append(facts, "finished "+j.FinishedAt)
	}
	if model := firstNonEmpty(j.ModelID, j.BaseModel); model != "" {
		facts = append(facts, "model "+model)
	}
	return fmt.Sprintf("%s (%s)", j.ID, strings.Join(facts, ", "))
}

func adoptAdvice(j synthapi.Job) string {
	id, _ := json.Marshal(j.ID)
	return fmt.Sprintf("\n\nTo adopt job %s instead, add this block to the configuration, with this resource's address, "+
		"and apply again; the job is imported and waited for, nothing is submitted:\n\n"+
		"import {\n  to = <this resource>\n  id = %s\n}", j.ID, id)
}

func joinJobIDs(jobs []synthapi.Job) string {
	ids := make([]string, len(jobs))
	for i, j := range jobs {
		ids[i] = j.ID
	}
	sort.Strings(ids)
	return strings.Join(ids, ", ")
}

// privateJobID is the job id kept in private state, "" when there is none.
func privateJobID(ctx context.Context, private interface {
	GetKey(context.Context, string) ([]byte, diag.Diagnostics)
}) string {
	if private == nil {
		return ""
	}
	raw, _ := private.GetKey(ctx, privateJobKey)
	var v struct {
		ID string `json:"id"`
	}
	if len(raw) == 0 || json.Unmarshal(raw, &v) != nil {
		return ""
	}
	return v.ID
}

func privateJobValue(id string) []byte {
	b, _ := json.Marshal(map[string]string{"id": id}) // a map of strings always encodes
	return b
}
