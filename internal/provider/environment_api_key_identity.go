package provider

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/identityschema"
)

var _ resource.ResourceWithIdentity = (*environmentAPIKeyResource)(nil)

// A key is named by the name it is stored under: the backend keeps one key
// per name, while the record id it answers an upload with may change with
// each upload. The identity is not importable (the key cannot be read back); it
// names the key for refactoring tools and `terraform query`.
func (r *environmentAPIKeyResource) IdentitySchema(_ context.Context, _ resource.IdentitySchemaRequest, resp *resource.IdentitySchemaResponse) {
	resp.IdentitySchema = identityschema.Schema{
		Attributes: map[string]identityschema.Attribute{
			"name": identityschema.StringAttribute{
				Description:       "The name the key is stored under, such as `ENVIRONMENT_API_KEY`.",
				RequiredForImport: true,
			},
		},
	}
}
