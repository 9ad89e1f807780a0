package provider

import (
	"context"
	"reflect"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/synth-laboratories/terraform-provider-synth/internal/rlconfig"
)

// The typed blocks of a job resource are derived from its config kind's
// table (rlconfig.Kind), at run time: the schema, the conversion of
// Terraform values to overrides and the import of a recorded config all
// read the same table, so a key is written once.

// blockAttributes are the kind's typed blocks as optional nested attributes,
// one optional attribute per typed key.
func blockAttributes(kind *rlconfig.Kind) map[string]schema.Attribute {
	out := map[string]schema.Attribute{}
	for _, section := range kind.Blocks() {
		attrs := map[string]schema.Attribute{}
		for _, k := range kind.TypedKeys(section.Name) {
			attrs[k.Name()] = keyAttribute(k)
		}
		out[section.Name] = schema.SingleNestedAttribute{
			MarkdownDescription: section.Doc,
			Optional:            true,
			Attributes:          attrs,
		}
	}
	return out
}

func keyAttribute(k rlconfig.Key) schema.Attribute {
	switch k.Type {
	case rlconfig.TypeString:
		return schema.StringAttribute{MarkdownDescription: k.Doc, Optional: true}
	case rlconfig.TypeInteger:
		return schema.Int64Attribute{MarkdownDescription: k.Doc, Optional: true}
	case rlconfig.TypeNumber:
		return schema.Float64Attribute{MarkdownDescription: k.Doc, Optional: true}
	case rlconfig.TypeBoolean:
		return schema.BoolAttribute{MarkdownDescription: k.Doc, Optional: true}
	case rlconfig.TypeStringArray, rlconfig.TypeIntegerArray:
		return schema.ListAttribute{MarkdownDescription: k.Doc, Optional: true, ElementType: attributeType(k.Type.Element())}
	}
	panic("config key " + k.Dotted() + " has a type no attribute holds")
}

func attributeType(t rlconfig.ValueType) attr.Type {
	switch t {
	case rlconfig.TypeString:
		return types.StringType
	case rlconfig.TypeInteger:
		return types.Int64Type
	case rlconfig.TypeNumber:
		return types.Float64Type
	case rlconfig.TypeBoolean:
		return types.BoolType
	}
	return types.ListType{ElemType: attributeType(t.Element())}
}

func blockType(kind *rlconfig.Kind, section string) map[string]attr.Type {
	out := map[string]attr.Type{}
	for _, k := range kind.TypedKeys(section) {
		out[k.Name()] = attributeType(k.Type)
	}
	return out
}

// blockFields finds, in a model struct, the types.Object field of each
// block of kind by its tfsdk tag.
func blockFields(model any, kind *rlconfig.Kind) map[string]*types.Object {
	v := reflect.ValueOf(model).Elem()
	byTag := map[string]*types.Object{}
	for i := range v.NumField() {
		if obj, ok := v.Field(i).Addr().Interface().(*types.Object); ok {
			byTag[v.Type().Field(i).Tag.Get("tfsdk")] = obj
		}
	}
	out := map[string]*types.Object{}
	for _, section := range kind.Blocks() {
		obj, ok := byTag[section.Name]
		if !ok {
			panic("the model has no field for the config block " + section.Name)
		}
		out[section.Name] = obj
	}
	return out
}

// overridesFromBlocks converts the typed blocks to the engine's overrides:
// a null value is left out, an unknown one is left out and its attribute
// path recorded in o.Unknown.
func overridesFromBlocks(ctx context.Context, kind *rlconfig.Kind, blocks map[string]*types.Object, o *rlconfig.Overrides, diags *diag.Diagnostics) {
	for _, section := range kind.Blocks() {
		obj := blocks[section.Name]
		if obj.IsUnknown() {
			o.Unknown = append(o.Unknown, section.Name)
			continue
		}
		if obj.IsNull() {
			continue
		}
		if o.Values == nil {
			o.Values = rlconfig.Values{}
		}
		values := map[string]any{}
		o.Values[section.Name] = values
		attrs := obj.Attributes()
		for _, k := range kind.TypedKeys(section.Name) {
			v := attrs[k.Name()]
			if v == nil || v.IsNull() {
				continue
			}
			if !isKnown(v) {
				o.Unknown = append(o.Unknown, k.Dotted())
				continue
			}
			if val, ok := tomlValue(ctx, v, diags); ok {
				values[k.Name()] = val
			}
		}
	}
}

// isKnown reports whether v and, for a list, each of its elements is known.
func isKnown(v attr.Value) bool {
	if v.IsUnknown() {
		return false
	}
	if list, ok := v.(types.List); ok {
		for _, e := range list.Elements() {
			if e.IsUnknown() {
				return false
			}
		}
	}
	return true
}

// tomlValue is a known, non-null attribute value in the form TOML decoding
// gives it.
func tomlValue(ctx context.Context, v attr.Value, diags *diag.Diagnostics) (any, bool) {
	switch v := v.(type) {
	case types.String:
		return v.ValueString(), true
	case types.Int64:
		return v.ValueInt64(), true
	case types.Float64:
		return v.ValueFloat64(), true
	case types.Bool:
		return v.ValueBool(), true
	case types.List:
		if v.ElementType(ctx).Equal(types.Int64Type) {
			return listAs[int64](ctx, v, diags)
		}
		return listAs[string](ctx, v, diags)
	}
	return nil, false
}

func listAs[T any](ctx context.Context, v types.List, diags *diag.Diagnostics) (any, bool) {
	items := []T{}
	found := v.ElementsAs(ctx, &items, false)
	diags.Append(found...)
	if found.HasError() {
		return nil, false
	}
	out := make([]any, len(items))
	for i, item := range items {
		out[i] = item
	}
	return out, true
}

// setBlocksFromConfig fills the typed blocks from a job's recorded config:
// a block holds the typed keys the config has, and is null when it has none.
func setBlocksFromConfig(kind *rlconfig.Kind, blocks map[string]*types.Object, o rlconfig.Overrides) {
	for _, section := range kind.Blocks() {
		attrTypes := blockType(kind, section.Name)
		values, ok := o.Values[section.Name]
		if !ok {
			*blocks[section.Name] = types.ObjectNull(attrTypes)
			continue
		}
		attrs := map[string]attr.Value{}
		for _, k := range kind.TypedKeys(section.Name) {
			attrs[k.Name()] = terraformValue(k.Type, values[k.Name()])
		}
		*blocks[section.Name] = types.ObjectValueMust(attrTypes, attrs)
	}
}

// terraformValue is the attribute value of a typed key from its override
// value (see rlconfig.Overrides.Values); nil gives null.
func terraformValue(t rlconfig.ValueType, val any) attr.Value {
	switch t {
	case rlconfig.TypeString:
		s, ok := val.(string)
		return types.StringPointerValue(pointerIf(s, ok))
	case rlconfig.TypeInteger:
		n, ok := val.(int64)
		return types.Int64PointerValue(pointerIf(n, ok))
	case rlconfig.TypeNumber:
		f, ok := val.(float64)
		return types.Float64PointerValue(pointerIf(f, ok))
	case rlconfig.TypeBoolean:
		b, ok := val.(bool)
		return types.BoolPointerValue(pointerIf(b, ok))
	}
	elem := attributeType(t.Element())
	items, ok := val.([]any)
	if !ok {
		return types.ListNull(elem)
	}
	elems := make([]attr.Value, len(items))
	for i, item := range items {
		elems[i] = terraformValue(t.Element(), item)
	}
	return types.ListValueMust(elem, elems)
}

func pointerIf[T any](v T, ok bool) *T {
	if !ok {
		return nil
	}
	return &v
}
