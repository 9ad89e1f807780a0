package provider

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/synth-laboratories/terraform-provider-synth/internal/synthapi"
)

// backend is what the resources and data sources need of the Synth backend.
// It is an interface so that a test can stand a fake in for the HTTP client.
type backend interface {
	APIRoot() string
	CreateJob(ctx context.Context, payload any, idempotencyKey string) (*synthapi.Job, error)
	GetJob(ctx context.Context, id string) (*synthapi.Job, error)
	CancelJob(ctx context.Context, id string) error
	JobEvents(ctx context.Context, id string, sinceSeq int64, limit int) ([]synthapi.Event, error)
	JobMetrics(ctx context.Context, id string, afterStep int64, limit int) ([]synthapi.MetricPoint, error)
	VerifyTaskApp(ctx context.Context, taskURL string) (*synthapi.VerifyResult, error)
	ListJobs(ctx context.Context, p synthapi.ListJobsParams) ([]synthapi.Job, string, error)
	CryptoPublicKey(ctx context.Context) (*synthapi.PublicKey, error)
	UploadEnvKey(ctx context.Context, name, ciphertextB64 string) (*synthapi.EnvKeyRecord, error)
	EnvKeyPresent(ctx context.Context) (bool, error)
	UploadFile(ctx context.Context, p synthapi.UploadFileParams) (*synthapi.TrainingFile, error)
	GetFile(ctx context.Context, id string) (*synthapi.TrainingFile, error)
	WaitFileReady(ctx context.Context, id string, opts synthapi.FileWaitOptions) (*synthapi.TrainingFile, bool, error)
	DeleteFile(ctx context.Context, id string) error
	SFT() synthapi.SFTJobs
}

var _ backend = (*synthapi.Client)(nil)

// taskApp is what the provider needs of a task app.
type taskApp interface {
	URL() string
	WaitHealthy(ctx context.Context, timeout time.Duration) (*synthapi.Health, json.RawMessage, error)
	Check(ctx context.Context) (*synthapi.Health, json.RawMessage, error)
	TaskInfo(ctx context.Context, seeds []int64) (json.RawMessage, error)
	Info(ctx context.Context) (json.RawMessage, error)
}

// providerData is the configured provider, handed to every resource and data
// source. Clients are built per call so that each one logs through the
// calling RPC's context, which carries that RPC's log masks.
type providerData struct {
	apiRoot           string
	apiKey            string
	environmentAPIKey string
	keyAliases        []string // follow the environment key in X-API-Keys
	taskAppURL        string
	requestTimeout    time.Duration
	maxRetries        int
	userAgent         string
	// dups and sftDups are the identical-job check's memory, shared by
	// every RL job, every SFT job.
	dups, sftDups *dupGuard
	// healthChecks lets the jobs of one apply that share a task app share a
	// passing check of it made a moment ago (never a failure).
	healthChecks *synthapi.HealthCache
	// secretPrefixes masks the starts of keys as well (secret_masks.go).
	secretPrefixes secretPatterns
}

// healthCheckReuse is how long a passing task-app check stands for other
// jobs of the same process with the same URL and key.
const healthCheckReuse = 5 * time.Second

var errMissingAPIKey = errors.New("the Synth API key is not set: set the provider's api_key attribute or the " +
	envAPIKey + " environment variable")

// backend returns the backend client, or reports why there is none: only
// operations that call the backend need the API key.
func (d *providerData) backend(diags *diag.Diagnostics) (backend, bool) {
	if d.apiKey == "" {
		diags.AddError("Missing Synth API key", errMissingAPIKey.Error())
		return nil, false
	}
	api, err := synthapi.NewClient(d.apiRoot, d.apiKey, d.clientOptions()...)
	if err != nil {
		diags.AddAttributeError(path.Root("api_key"), "Invalid Synth API key", err.Error())
		return nil, false
	}
	return api, true
}

func (d *providerData) taskApp(url, environmentAPIKey string) (taskApp, error) {
	return synthapi.NewTaskApp(url, environmentAPIKey, append(d.clientOptions(),
		synthapi.WithHealthCache(d.healthChecks), synthapi.WithKeyAliases(d.keyAliases...))...)
}

func (d *providerData) clientOptions() []synthapi.Option {
	return []synthapi.Option{
		synthapi.WithTimeout(d.requestTimeout),
		synthapi.WithMaxRetries(d.maxRetries),
		synthapi.WithUserAgent(d.userAgent),
		synthapi.WithLogger(tflogAdapter{}),
	}
}

// maskSecrets returns ctx with every secret the provider knows masked in log
// output, whatever field or message it appears in. extra carries secrets that
// belong to one resource, such as a write-only environment key.
func (d *providerData) maskSecrets(ctx context.Context, extra ...string) context.Context {
	ctx = tflog.MaskFieldValuesWithFieldKeys(ctx, "api_key", "environment_api_key", "Authorization", "X-API-Key", "X-API-Keys")
	secrets := d.knownSecrets(extra)
	if len(secrets) == 0 {
		return ctx
	}
	ctx = tflog.MaskAllFieldValuesStrings(ctx, secrets...)
	ctx = tflog.MaskMessageStrings(ctx, secrets...)
	if prefixes := d.secretPrefixes.of(secrets); len(prefixes) > 0 {
		ctx = tflog.MaskAllFieldValuesRegexes(ctx, prefixes...)
		ctx = tflog.MaskMessageRegexes(ctx, prefixes...)
	}
	return ctx
}

// knownSecrets are the provider's keys and extra, those that are set.
func (d *providerData) knownSecrets(extra []string) []string {
	var secrets []string
	known := append([]string{d.apiKey, d.environmentAPIKey}, d.keyAliases...)
	for _, s := range append(known, extra...) {
		if s != "" {
			secrets = append(secrets, s)
		}
	}
	return secrets
}

// providerDataFrom unpacks the value Configure handed over. It is nil while
// Terraform validates a configuration before the provider is configured.
func providerDataFrom(v any, diags *diag.Diagnostics) *providerData {
	if v == nil {
		return nil
	}
	data, ok := v.(*providerData)
	if !ok {
		diags.AddError("Unexpected provider data", fmt.Sprintf("expected *providerData, got %T; this is a bug in the provider", v))
		return nil
	}
	return data
}

// tflogAdapter sends the API client's log lines to Terraform's log.
type tflogAdapter struct{}

func (tflogAdapter) Debug(ctx context.Context, msg string, fields map[string]any) {
	tflog.Debug(ctx, msg, fields)
}

func (tflogAdapter) Warn(ctx context.Context, msg string, fields map[string]any) {
	tflog.Warn(ctx, msg, fields)
}
