package provider

import (
	"context"
	"time"

	"github.com/synth-laboratories/terraform-provider-synth/internal/rlconfig"
	"github.com/synth-laboratories/terraform-provider-synth/internal/synthapi"
)

// A jobFamily is what the job lifecycle (the identical-job check, the
// adoption of a job whose create answer was lost, the wait, the cancel)
// needs to know of one kind of job: its routes, how to list it and what
// makes two jobs of it the same job. synth_rl_job and synth_sft_job share
// that lifecycle and differ only here.
type jobFamily struct {
	// noun names a job of the family in diagnostics: "RL job".
	noun string
	// routes are the family's job routes on the backend.
	routes func(api backend) jobRoutes
	// pages lists the jobs with status ("" for every status) created since
	// a time, a page per call from the cursor after ("" for the first).
	pages func(api backend, status string, since time.Time) func(ctx context.Context, after string) ([]synthapi.Job, string, error)
	// listings are what the identical-job check lists, status by status.
	listings []dupListing
	// recorded is what key compares of a job, nil when the job object at
	// hand (a listing's) leaves it out and the job must be read in full.
	recorded func(job *synthapi.Job) []byte
	// key is the comparable form of what recorded returns, or of the
	// payload the provider is about to send.
	key func(raw []byte) (string, error)
	// phase interprets a status the family's jobs report.
	phase func(status string) synthapi.Phase
	// notFoundGrace is how long a new job may answer 404 while it is not
	// visible yet (synthapi.WaitOptions.NotFoundGrace).
	notFoundGrace time.Duration
}

// jobRoutes are a family's routes for one job.
type jobRoutes interface {
	synthapi.JobFeed
	CreateJob(ctx context.Context, payload any, idempotencyKey string) (*synthapi.Job, error)
	CancelJob(ctx context.Context, id string) error
}

var rlFamily = &jobFamily{
	noun:   "RL job",
	routes: func(api backend) jobRoutes { return api },
	pages: func(api backend, status string, since time.Time) func(context.Context, string) ([]synthapi.Job, string, error) {
		return func(ctx context.Context, after string) ([]synthapi.Job, string, error) {
			return api.ListJobs(ctx, synthapi.ListJobsParams{
				Status: status, CreatedAfter: since.UTC().Format(time.RFC3339), Limit: dupListPageSize, After: after,
			})
		}
	},
	listings: dupListingsFor([]string{"queued", "running"}, []string{"succeeded"}),
	recorded: func(job *synthapi.Job) []byte { return job.ConfigJSON },
	key:      rlconfig.ConfigKey,
	phase:    synthapi.PhaseOf,
}

var sftFamily = &jobFamily{
	noun:   "SFT job",
	routes: func(api backend) jobRoutes { return api.SFT() },
	pages: func(api backend, status string, since time.Time) func(context.Context, string) ([]synthapi.Job, string, error) {
		sft := api.SFT()
		return func(ctx context.Context, after string) ([]synthapi.Job, string, error) {
			return sft.ListJobs(ctx, synthapi.ListSFTJobsParams{
				Status: status, CreatedAfter: since.UTC().Format(time.RFC3339), Limit: dupListPageSize, After: after,
			})
		}
	},
	// Every status §12 names as running or succeeded: a status it does not
	// name counts as running but cannot be asked for.
	listings: dupListingsFor(
		[]string{"created", "queued", "pending", "running", "in_progress", "validating_files", "initializing_trainer", "training", "evaluating"},
		[]string{"succeeded", "completed"}),
	recorded: func(job *synthapi.Job) []byte {
		if job.Hyperparameters == nil {
			return nil
		}
		return job.Raw
	},
	key:   rlconfig.SFTJobKey,
	phase: synthapi.SFTPhaseOf,
	// §10: a 404 "within the first minutes after create" is transient.
	notFoundGrace: 3 * time.Minute,
}
