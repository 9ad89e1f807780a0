package provider

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/identityschema"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

var _ resource.ResourceWithIdentity = (*rlJobResource)(nil)

// A job is named by its backend id alone: it is what the CLI prints, what the
// dashboard shows, and it never changes for the life of the job.
func (r *rlJobResource) IdentitySchema(_ context.Context, _ resource.IdentitySchemaRequest, resp *resource.IdentitySchemaResponse) {
	resp.IdentitySchema = jobIdentitySchema()
}

// jobIdentitySchema is the identity of a job of either kind.
func jobIdentitySchema() identityschema.Schema {
	return identityschema.Schema{
		Attributes: map[string]identityschema.Attribute{
			"id": identityschema.StringAttribute{
				Description:       "The job's id on the backend, as `synth-ai train` prints it (`job_...`).",
				RequiredForImport: true,
			},
		},
	}
}

// setIdentity records a resource's one identity attribute. identity is nil
// when the resource is handled without one (never with this provider's
// schemas), and CLIs older than Terraform 1.12 drop what is set.
func setIdentity(ctx context.Context, identity *tfsdk.ResourceIdentity, attribute, value string, diags *diag.Diagnostics) {
	if identity == nil {
		return
	}
	diags.Append(identity.SetAttribute(ctx, path.Root(attribute), value)...)
}

// importedJobID is the job an import names: the id of `terraform import` or
// an `import { id = ... }` block, or else the identity of an
// `import { identity = { id = ... } }` block.
func importedJobID(ctx context.Context, req resource.ImportStateRequest, diags *diag.Diagnostics) string {
	if req.ID != "" || req.Identity == nil {
		return req.ID
	}
	var id types.String
	diags.Append(req.Identity.GetAttribute(ctx, path.Root("id"), &id)...)
	return id.ValueString()
}
