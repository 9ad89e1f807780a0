package provider

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/int64planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringdefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/synth-laboratories/terraform-provider-synth/internal/synthapi"
)

// trainingFileModel is the state and plan of synth_training_file.
type trainingFileModel struct {
	ID        types.String `tfsdk:"id"`
	Path      types.String `tfsdk:"path"`
	Purpose   types.String `tfsdk:"purpose"`
	SHA256    types.String `tfsdk:"sha256"`
	Bytes     types.Int64  `tfsdk:"bytes"`
	Filename  types.String `tfsdk:"filename"`
	Status    types.String `tfsdk:"status"`
	CreatedAt types.String `tfsdk:"created_at"`
}

func (r *trainingFileResource) Schema(_ context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	computed := func(description string) schema.StringAttribute {
		return schema.StringAttribute{
			MarkdownDescription: description,
			Computed:            true,
			PlanModifiers:       []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
		}
	}
	resp.Schema = schema.Schema{
		MarkdownDescription: "A local JSONL dataset uploaded to the Synth backend for supervised fine-tuning " +
			"(full fine-tune, LoRA or QLoRA). The plan checks the file line by line; new content is a new upload, " +
			"which replaces this resource and re-plans everything that trains on it.",
		Attributes: map[string]schema.Attribute{
			"id": computed("The backend's file id, which an SFT job takes as `training_file_id`."),
			"path": schema.StringAttribute{
				MarkdownDescription: "The JSONL dataset on the machine that runs Terraform. A relative path is " +
					"relative to the working directory, as for Terraform's `file()`: write " +
					"`\"${path.module}/train.jsonl\"` for a file beside the configuration. Pointing it at another " +
					"file with the same content changes nothing on the backend.",
				Required:   true,
				Validators: []validator.String{stringvalidator.LengthAtLeast(1)},
			},
			"purpose": schema.StringAttribute{
				MarkdownDescription: "The purpose the file is uploaded with, sent unchanged. Defaults to `" +
					synthapi.DefaultFilePurpose + "`, which every SDK uses, for validation sets too; `sft_training` " +
					"and `training` are also seen. Changing it uploads the file again.",
				Optional:      true,
				Computed:      true,
				Default:       stringdefault.StaticString(synthapi.DefaultFilePurpose),
				Validators:    []validator.String{stringvalidator.LengthAtLeast(1)},
				PlanModifiers: []planmodifier.String{stringplanmodifier.RequiresReplace()},
			},
			"sha256": computed("The SHA-256 of the file's content (hex). A change replaces the resource."),
			"bytes": schema.Int64Attribute{
				MarkdownDescription: "The file's size in bytes.",
				Computed:            true,
				PlanModifiers:       []planmodifier.Int64{int64planmodifier.UseStateForUnknown()},
			},
			"filename":   computed("The name the backend knows the file by: the base name of `path` at upload."),
			"status":     computed("The file's status on the backend as last read, such as `ready` or `processing`; empty when the backend reports none (which means ready)."),
			"created_at": computed("When the backend received the file (RFC 3339), when it says."),
		},
	}
}
