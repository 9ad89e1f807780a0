package provider

import (
	"maps"

	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
)

// The schema pieces the job data sources (synth_rl_job, synth_sft_job and
// their listings) share, so that the same field reads the same in each.

// computedText is a string attribute the backend fills in.
func computedText(description string) schema.StringAttribute {
	return schema.StringAttribute{MarkdownDescription: description, Computed: true}
}

// jobDataAttributes are the attributes of a single-job data source: the id
// it is given and the lifecycle fields every job carries, then the family's
// own (family).
func jobDataAttributes(family map[string]schema.Attribute) map[string]schema.Attribute {
	attributes := map[string]schema.Attribute{
		"id": schema.StringAttribute{
			MarkdownDescription: "The job id.",
			Required:            true,
			Validators:          []validator.String{stringvalidator.LengthAtLeast(1)},
		},
		"created_at":    computedText("When the backend created the job (RFC 3339)."),
		"updated_at":    computedText("When the backend last changed the job (RFC 3339)."),
		"started_at":    computedText("When the job started running (RFC 3339), once it has."),
		"finished_at":   computedText("When the job finished (RFC 3339), once it has."),
		"error_message": computedText("Why the job failed or was cancelled, when it was."),
	}
	maps.Copy(attributes, family)
	return attributes
}

// jobSummariesAttribute is the `jobs` list of a listing data source: the
// fields every family's summary has, and the family's own (family).
func jobSummariesAttribute(family map[string]schema.Attribute) schema.ListNestedAttribute {
	attributes := map[string]schema.Attribute{
		"id":          computedText("The job id."),
		"status":      computedText("The job's status, lower-cased."),
		"created_at":  computedText("When the backend created the job (RFC 3339)."),
		"finished_at": computedText("When the job finished (RFC 3339), once it has."),
		"base_model":  computedText("The base model the job trains."),
	}
	maps.Copy(attributes, family)
	return schema.ListNestedAttribute{
		MarkdownDescription: "The jobs, in the order the backend lists them.",
		Computed:            true,
		NestedObject:        schema.NestedAttributeObject{Attributes: attributes},
	}
}
