package provider

import (
	"context"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework/diag"

	"github.com/synth-laboratories/terraform-provider-synth/internal/synthapi"
)

// envKeyAPI is what synth_environment_api_key needs of the backend (§7).
type envKeyAPI interface {
	CryptoPublicKey(ctx context.Context) (*synthapi.PublicKey, error)
	UploadEnvKey(ctx context.Context, name, ciphertextB64 string) (*synthapi.EnvKeyRecord, error)
	EnvKeyPresent(ctx context.Context) (bool, error)
}

// jobLister is what synth_rl_jobs needs of the backend (§2).
type jobLister interface {
	ListJobs(ctx context.Context, p synthapi.ListJobsParams) ([]synthapi.Job, string, error)
}

var (
	_ envKeyAPI = (*synthapi.Client)(nil)
	_ jobLister = (*synthapi.Client)(nil)
)

// backendWith returns the configured backend as T, the calls one resource or
// data source needs beyond the backend interface. The HTTP client has them
// all; only a test fake may lack some, which is reported as a provider bug.
func backendWith[T any](d *providerData, diags *diag.Diagnostics) (T, bool) {
	var zero T
	api, err := d.backend()
	if err != nil {
		diags.AddError("Missing Synth API key", err.Error())
		return zero, false
	}
	t, ok := api.(T)
	if !ok {
		diags.AddError("Unsupported backend client",
			fmt.Sprintf("The backend client %T lacks calls this operation needs (%T); this is a bug in the provider.", api, &zero))
		return zero, false
	}
	return t, true
}
