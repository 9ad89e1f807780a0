package provider

import (
	"context"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/boolplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringdefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/synth-laboratories/terraform-provider-synth/internal/synthapi"
)

// environmentAPIKeyModel is the state and plan of synth_environment_api_key.
// ValueWO is always null in both: the key is read from the configuration
// only, where Terraform hands write-only values over.
type environmentAPIKeyModel struct {
	ID             types.String `tfsdk:"id"`
	Name           types.String `tfsdk:"name"`
	ValueWO        types.String `tfsdk:"value_wo"`
	ValueWOVersion types.Int64  `tfsdk:"value_wo_version"`
	UpdatedAt      types.String `tfsdk:"updated_at"`
	Present        types.Bool   `tfsdk:"present"`
}

func (r *environmentAPIKeyResource) Schema(_ context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "Registers the task app's environment key with the Synth backend, which stores it encrypted " +
			"and sends it to the task app on every rollout (what `synth-ai deploy` does, and `synth-ai train` does not). " +
			"The key is sealed on the provider's side with the backend's public key (a libsodium sealed box) and is " +
			"never written to the plan or the state.\n\n" +
			"The backend has no route to delete a key: destroying this resource only removes it from the Terraform " +
			"state, and the backend keeps the key until another one is uploaded under the same name. The resource " +
			"cannot be imported, since the key cannot be read back.",
		Attributes: map[string]schema.Attribute{
			"id": schema.StringAttribute{
				MarkdownDescription: "The id of the backend's record of the key.",
				Computed:            true,
				PlanModifiers:       []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			},
			"name": schema.StringAttribute{
				MarkdownDescription: "The name the key is stored under. Defaults to `" + synthapi.EnvKeyName + "`, the " +
					"name the trainer sends to task apps. Changing it uploads the key under the new name; the key under " +
					"the old name stays on the backend.",
				Optional:      true,
				Computed:      true,
				Default:       stringdefault.StaticString(synthapi.EnvKeyName),
				Validators:    []validator.String{stringvalidator.LengthAtLeast(1)},
				PlanModifiers: []planmodifier.String{stringplanmodifier.RequiresReplace()},
			},
			"value_wo": schema.StringAttribute{
				MarkdownDescription: fmt.Sprintf("Write-only (Terraform 1.11+): the key itself, the task app's "+
					"`ENVIRONMENT_API_KEY`, at most %d bytes. It is never stored in the plan or the state, so Terraform "+
					"cannot see it change: bump `value_wo_version` to upload a new value.", synthapi.MaxEnvKeyBytes),
				Required:  true,
				Sensitive: true,
				WriteOnly: true,
			},
			"value_wo_version": schema.Int64Attribute{
				MarkdownDescription: "Bump to upload `value_wo` again, after changing it or rotating it. The key is " +
					"replaced on the backend in place.",
				Optional: true,
			},
			"updated_at": schema.StringAttribute{
				MarkdownDescription: "When the backend last stored the key (RFC 3339), as it answered the upload.",
				Computed:            true,
				PlanModifiers:       []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			},
			"present": schema.BoolAttribute{
				MarkdownDescription: "Whether the backend holds an `" + synthapi.EnvKeyName + "` (`GET /v1/env-keys/verify`), " +
					"checked on every refresh. When it does not any more, the next plan uploads the key again. The " +
					"backend can only be asked about `" + synthapi.EnvKeyName + "`: for another `name` this is `true` " +
					"once the upload has succeeded and is not refreshed.",
				Computed:      true,
				PlanModifiers: []planmodifier.Bool{boolplanmodifier.UseStateForUnknown()},
			},
		},
	}
}
