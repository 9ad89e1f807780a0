// Package provider is the Terraform glue of the Synth provider: schemas, plans
// and state. HTTP lives in internal/synthapi and config rules in internal/rlconfig.
package provider

import (
	"context"
	"fmt"
	"maps"
	"os"
	"slices"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-validators/int64validator"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/function"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/provider"
	"github.com/hashicorp/terraform-plugin-framework/provider/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/synth-laboratories/terraform-provider-synth/internal/synthapi"
)

const (
	envAPIKey         = "SYNTH_API_KEY"
	envBackendURL     = "SYNTH_BACKEND_URL"
	envBackendURLOld  = "BACKEND_BASE_URL"
	envEnvironmentKey = "ENVIRONMENT_API_KEY"
	envTaskAppURL     = "TASK_APP_URL"

	defaultRequestTimeout = 30 * time.Second
	defaultMaxRetries     = 4
)

// envEnvironmentKeyAliases lists more task-app keys, comma-separated, sent in
// X-API-Keys after the main one, as the SDK does.
const envEnvironmentKeyAliases = "ENVIRONMENT_API_KEY_ALIASES"

var _ provider.ProviderWithFunctions = (*synthProvider)(nil)

type synthProvider struct {
	version string
}

// New returns the provider factory that providerserver and the tests use.
func New(version string) func() provider.Provider {
	return func() provider.Provider {
		return &synthProvider{version: version}
	}
}

type providerModel struct {
	BackendURL        types.String `tfsdk:"backend_url"`
	APIKey            types.String `tfsdk:"api_key"`
	EnvironmentAPIKey types.String `tfsdk:"environment_api_key"`
	TaskAppURL        types.String `tfsdk:"task_app_url"`
	RequestTimeout    types.String `tfsdk:"request_timeout"`
	MaxRetries        types.Int64  `tfsdk:"max_retries"`
}

func (p *synthProvider) Metadata(_ context.Context, _ provider.MetadataRequest, resp *provider.MetadataResponse) {
	resp.TypeName = "synth"
	resp.Version = p.version
}

func (p *synthProvider) Schema(_ context.Context, _ provider.SchemaRequest, resp *provider.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "The Synth provider submits and tracks reinforcement-learning jobs on the " +
			"[Synth](https://usesynth.ai) training backend and checks the task apps those jobs train against.",
		Attributes: map[string]schema.Attribute{
			"backend_url": schema.StringAttribute{
				MarkdownDescription: "Base URL of the Synth backend. Defaults to `SYNTH_BACKEND_URL`, then `BACKEND_BASE_URL`, " +
					"then `" + synthapi.DefaultBackendURL + "`. A trailing `/`, `/api` or `/api/v1` is accepted: the URL is " +
					"normalised to the API root.",
				Optional: true,
			},
			"api_key": schema.StringAttribute{
				MarkdownDescription: "Synth API key (`sk_...`). Defaults to `SYNTH_API_KEY`. Only needed by operations that " +
					"call the backend.",
				Optional:  true,
				Sensitive: true,
			},
			"environment_api_key": schema.StringAttribute{
				MarkdownDescription: "Key sent to task apps (as `X-API-Key`, `X-API-Keys` and `Authorization: Bearer`). " +
					"Defaults to `ENVIRONMENT_API_KEY`. Keys listed in `ENVIRONMENT_API_KEY_ALIASES` (comma-separated) follow it in " +
					"`X-API-Keys`, as the SDK sends them.",
				Optional:  true,
				Sensitive: true,
			},
			"task_app_url": schema.StringAttribute{
				MarkdownDescription: "Default task app for `synth_rl_job` and `synth_task_app`. Defaults to `TASK_APP_URL`. " +
					"A job's `services.task_url` wins over it; it wins over `[services].task_url` in `config_toml`.",
				Optional: true,
			},
			"request_timeout": schema.StringAttribute{
				MarkdownDescription: "Timeout of one HTTP request, as a Go duration such as `30s` or `1m`. Defaults to `30s`.",
				Optional:            true,
				Validators:          []validator.String{durationValidator{}},
			},
			"max_retries": schema.Int64Attribute{
				MarkdownDescription: "How many times a request is retried after a connection error, HTTP 408, 429 or 5xx. " +
					"Defaults to `4`. Job creation is retried only with the same `Idempotency-Key`, so a retry never starts a " +
					"second job.",
				Optional:   true,
				Validators: []validator.Int64{int64validator.AtLeast(0)},
			},
		},
	}
}

func (p *synthProvider) Configure(ctx context.Context, req provider.ConfigureRequest, resp *provider.ConfigureResponse) {
	var cfg providerModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &cfg)...)
	if resp.Diagnostics.HasError() {
		return
	}

	// A value that only becomes known after another resource is applied cannot
	// configure the clients used to plan. A client that can defer (a Stack, or
	// Terraform with deferral enabled) plans again once it is known; with
	// deferral the framework defers every plan, read and import of this
	// provider with the reason. Any other client gets the value refused by name.
	unknown := map[string]bool{
		"backend_url":         cfg.BackendURL.IsUnknown(),
		"api_key":             cfg.APIKey.IsUnknown(),
		"environment_api_key": cfg.EnvironmentAPIKey.IsUnknown(),
		"task_app_url":        cfg.TaskAppURL.IsUnknown(),
		"request_timeout":     cfg.RequestTimeout.IsUnknown(),
		"max_retries":         cfg.MaxRetries.IsUnknown(),
	}
	if req.ClientCapabilities.DeferralAllowed && slices.Contains(slices.Collect(maps.Values(unknown)), true) {
		resp.Deferred = &provider.Deferred{Reason: provider.DeferredReasonProviderConfigUnknown}
		return
	}
	for name, isUnknown := range unknown {
		if isUnknown {
			resp.Diagnostics.AddAttributeError(path.Root(name), "Unknown provider value: "+name,
				"The provider cannot be configured with a value that is only known after apply. "+
					"Set "+name+" to a value known at plan time, or use its environment variable.")
		}
	}
	if resp.Diagnostics.HasError() {
		return
	}

	backendURL := firstNonEmpty(cfg.BackendURL.ValueString(), os.Getenv(envBackendURL), os.Getenv(envBackendURLOld), synthapi.DefaultBackendURL)
	apiRoot, err := synthapi.NormalizeBackendURL(backendURL)
	if err != nil {
		resp.Diagnostics.AddAttributeError(path.Root("backend_url"), "Invalid backend URL", err.Error())
	}

	timeout := defaultRequestTimeout
	if s := cfg.RequestTimeout.ValueString(); s != "" {
		// The validator has already rejected anything that does not parse.
		timeout, _ = time.ParseDuration(s)
	}
	maxRetries := defaultMaxRetries
	if !cfg.MaxRetries.IsNull() {
		maxRetries = int(cfg.MaxRetries.ValueInt64())
	}
	if resp.Diagnostics.HasError() {
		return
	}

	data := &providerData{
		apiRoot:           apiRoot,
		apiKey:            firstNonEmpty(cfg.APIKey.ValueString(), os.Getenv(envAPIKey)),
		environmentAPIKey: firstNonEmpty(cfg.EnvironmentAPIKey.ValueString(), os.Getenv(envEnvironmentKey)),
		keyAliases:        synthapi.ParseKeyAliases(os.Getenv(envEnvironmentKeyAliases)),
		taskAppURL:        firstNonEmpty(cfg.TaskAppURL.ValueString(), os.Getenv(envTaskAppURL)),
		requestTimeout:    timeout,
		maxRetries:        maxRetries,
		userAgent:         fmt.Sprintf("terraform-provider-synth/%s terraform/%s", p.version, req.TerraformVersion),
		dups:              newDupGuard(rlFamily),
		sftDups:           newDupGuard(sftFamily),
		healthChecks:      synthapi.NewHealthCache(healthCheckReuse),
	}
	resp.DataSourceData = data
	resp.ResourceData = data
	resp.ActionData = data
	resp.ListResourceData = data
}

func (p *synthProvider) Resources(context.Context) []func() resource.Resource {
	return []func() resource.Resource{
		func() resource.Resource { return &rlJobResource{} },
		newEnvironmentAPIKeyResource,
		newTrainingFileResource,
		newSFTJobResource,
	}
}

// Functions are pure (they never call the backend) and need Terraform 1.8 or
// OpenTofu 1.7.
func (p *synthProvider) Functions(context.Context) []func() function.Function {
	return []func() function.Function{
		newParseModelIDFunction,
		newModelBaseFunction,
	}
}

func (p *synthProvider) DataSources(context.Context) []func() datasource.DataSource {
	return []func() datasource.DataSource{
		newTaskAppDataSource,
		newRLJobDataSource,
		newRLJobsDataSource,
		newSFTJobDataSource,
		newSFTJobsDataSource,
	}
}

func firstNonEmpty(values ...string) string {
	for _, v := range values {
		if v != "" {
			return v
		}
	}
	return ""
}
