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
		for _, k := range kind.TypedKeys(section.Block()) {
			attrs[k.Attr()] = keyAttribute(k)
		}
		out[section.Block()] = schema.SingleNestedAttribute{
			MarkdownDescription: section.Doc,
			Optional:            true,
			Attributes:          attrs,
		}
	}
	return out
}

// blockNames are the names of the kind's typed blocks.
func blockNames(kind *rlconfig.Kind) []string {
	var names []string
	for _, section := range kind.Blocks() {
		names = append(names, section.Block())
	}
	return names
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

func blockType(kind *rlconfig.Kind, block string) map[string]attr.Type {
	out := map[string]attr.Type{}
	for _, k := range kind.TypedKeys(block) {
		out[k.Attr()] = attributeType(k.Type)
	}
	return out
}

// blockFields finds, in a model struct, the types.Object field of each
// block of kind by its tfsdk tag.
func blockFields(model any, kind *rlconfig.Kind) map[string]*types.Object {
	v := reflect.ValueOf(model).Elem()
	byTag := map[string]*types.Object{}
	for i := range v.NumField() {
		if !v.Type().Field(i).IsExported() {
			continue // an embedded struct of other fields
		}
		if obj, ok := v.Field(i).Addr().Interface().(*types.Object); ok {
			byTag[v.Type().Field(i).Tag.Get("tfsdk")] = obj
		}
	}
	out := map[string]*types.Object{}
	for _, section := range kind.Blocks() {
		obj, ok := byTag[section.Block()]
		if !ok {
			panic("the model has no field for the config block " + section.Block())
		}
		out[section.Block()] = obj
	}
	return out
}

// overridesFromBlocks converts the typed blocks to the engine's override
// values: a null value is left out, an unknown one is left out and its
// attribute path (or its block's) returned in unknown. Both config kinds'
// overrides take the two as they are.
func overridesFromBlocks(ctx context.Context, kind *rlconfig.Kind, blocks map[string]*types.Object, diags *diag.Diagnostics) (values rlconfig.Values, unknown []string) {
	for _, section := range kind.Blocks() {
		block := section.Block()
		obj := blocks[block]
		if obj.IsUnknown() {
			unknown = append(unknown, block)
			continue
		}
		if obj.IsNull() {
			continue
		}
		if values == nil {
			values = rlconfig.Values{}
		}
		set := map[string]any{}
		values[block] = set
		attrs := obj.Attributes()
		for _, k := range kind.TypedKeys(block) {
			v := attrs[k.Attr()]
			if v == nil || v.IsNull() {
				continue
			}
			if !isKnown(v) {
				unknown = append(unknown, k.Attribute())
				continue
			}
			if val, ok := tomlValue(ctx, v, diags); ok {
				set[k.Attr()] = val
			}
		}
	}
	return values, unknown
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

// setBlocksFromConfig fills the typed blocks from the override values of a
// job's recorded config: a block holds the typed keys the config has, and
// is null when it has none.
func setBlocksFromConfig(kind *rlconfig.Kind, blocks map[string]*types.Object, recorded rlconfig.Values) {
	for _, section := range kind.Blocks() {
		block := section.Block()
		attrTypes := blockType(kind, block)
		values, ok := recorded[block]
		if !ok {
			*blocks[block] = types.ObjectNull(attrTypes)
			continue
		}
		attrs := map[string]attr.Value{}
		for _, k := range kind.TypedKeys(block) {
			attrs[k.Attr()] = terraformValue(k.Type, values[k.Attr()])
		}
		*blocks[block] = types.ObjectValueMust(attrTypes, attrs)
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
