package provider

import (
	"context"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/synth-laboratories/terraform-provider-synth/internal/rlconfig"
)

// configInput is the Terraform view of a job handed to the config engine.
// Values that are not known yet are listed in Overrides.Unknown rather than
// treated as absent, so that plan-time checks neither fail nor pass on them.
func (m *rlJobModel) configInput(ctx context.Context, defaultTaskURL string) (rlconfig.Input, diag.Diagnostics) {
	var diags diag.Diagnostics
	var o rlconfig.Overrides
	o.Values, o.Unknown = overridesFromBlocks(ctx, &rlconfig.RL, m.blocks(), &diags)
	o.Tags = tagsOverride(ctx, m.Tags, &o, &diags)

	toml := ""
	if m.ConfigTOML.IsUnknown() {
		o.Unknown = append(o.Unknown, "config_toml")
	} else {
		toml = m.ConfigTOML.ValueString()
	}
	return rlconfig.Input{TOML: toml, Overrides: o, DefaultTaskURL: defaultTaskURL}, diags
}

// tagsOverride converts tags: null gives nil, an unknown map or element
// gives nil and records "tags" as unknown.
func tagsOverride(ctx context.Context, v types.Map, o *rlconfig.Overrides, diags *diag.Diagnostics) map[string]string {
	if v.IsNull() {
		return nil
	}
	if v.IsUnknown() {
		o.Unknown = append(o.Unknown, "tags")
		return nil
	}
	for _, e := range v.Elements() {
		if e.IsUnknown() {
			o.Unknown = append(o.Unknown, "tags")
			return nil
		}
	}
	out := map[string]string{}
	diags.Append(v.ElementsAs(ctx, &out, false)...)
	return out
}

// appendConfigDiagnostics reports the engine's findings on the attribute each
// one names, so Terraform points at the offending line of configuration.
func appendConfigDiagnostics(diags *diag.Diagnostics, found rlconfig.Diagnostics) {
	for _, d := range found {
		p, hasPath := attributePath(d.Attribute)
		switch {
		case d.Severity == rlconfig.SeverityWarning && hasPath:
			diags.AddAttributeWarning(p, d.Summary, d.Detail)
		case d.Severity == rlconfig.SeverityWarning:
			diags.AddWarning(d.Summary, d.Detail)
		case hasPath:
			diags.AddAttributeError(p, d.Summary, d.Detail)
		default:
			diags.AddError(d.Summary, d.Detail)
		}
	}
}

func attributePath(dotted string) (path.Path, bool) {
	if dotted == "" {
		return path.Empty(), false
	}
	parts := strings.Split(dotted, ".")
	p := path.Root(parts[0])
	for _, part := range parts[1:] {
		p = p.AtName(part)
	}
	return p, true
}

// setSectionsFromConfig fills the typed attributes from a job's recorded
// config, so that an imported job reads back as the configuration that
// would have created it.
func (m *rlJobModel) setSectionsFromConfig(config map[string]any) {
	o := rlconfig.RL.OverridesFromConfig(config)
	setBlocksFromConfig(&rlconfig.RL, m.blocks(), o.Values)
	m.Tags = types.MapNull(types.StringType)
	if o.Tags != nil {
		elems := map[string]attr.Value{}
		for k, v := range o.Tags {
			elems[k] = types.StringValue(v)
		}
		m.Tags = types.MapValueMust(types.StringType, elems)
	}
}

func stringList(items []string) types.List {
	if items == nil {
		return types.ListNull(types.StringType)
	}
	elems := make([]attr.Value, len(items))
	for i, s := range items {
		elems[i] = types.StringValue(s)
	}
	return types.ListValueMust(types.StringType, elems)
}

// nullableString maps "" to null, which is how the backend's absent fields read in state.
func nullableString(s string) types.String {
	if s == "" {
		return types.StringNull()
	}
	return types.StringValue(s)
}

// recordedConfigJSON is a job's recorded config in the form effective_config
// is stored in (rlconfig.ConfigJSON); null when the backend echoed none.
func recordedConfigJSON(config map[string]any) (types.String, error) {
	if config == nil {
		return types.StringNull(), nil
	}
	s, err := rlconfig.ConfigJSON(config)
	if err != nil {
		return types.StringNull(), err
	}
	return types.StringValue(s), nil
}
