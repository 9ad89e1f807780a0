package provider

import (
	"context"
	"reflect"
	"sort"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/datasource"
	dsschema "github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/provider"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	rsschema "github.com/hashicorp/terraform-plugin-framework/resource/schema"
)

// TestSchemaModelParity fails when a model's tfsdk tags and its schema drift
// apart (a typo in a tag otherwise only shows up as a runtime error).
func TestSchemaModelParity(t *testing.T) {
	ctx := context.Background()
	p := New("test")()

	var providerSchema provider.SchemaResponse
	p.Schema(ctx, provider.SchemaRequest{}, &providerSchema)
	assertParity(t, "provider", attributeTree(providerSchema.Schema.Attributes), reflect.TypeOf(providerModel{}))

	models := map[string]reflect.Type{
		"synth_rl_job":              reflect.TypeOf(rlJobModel{}),
		"synth_task_app":            reflect.TypeOf(taskAppModel{}),
		"synth_environment_api_key": reflect.TypeOf(environmentAPIKeyModel{}),
		"synth_training_file":       reflect.TypeOf(trainingFileModel{}),
		"synth_rl_jobs":             reflect.TypeOf(rlJobsDataModel{}),
		// A data source sharing a resource's type name is registered as "data.<name>".
		"data.synth_rl_job": reflect.TypeOf(rlJobDataModel{}),
	}
	for _, newResource := range p.Resources(ctx) {
		r := newResource()
		var meta resource.MetadataResponse
		r.Metadata(ctx, resource.MetadataRequest{ProviderTypeName: "synth"}, &meta)
		var s resource.SchemaResponse
		r.Schema(ctx, resource.SchemaRequest{}, &s)
		model, ok := models[meta.TypeName]
		if !ok {
			t.Errorf("resource %s has no model registered in this test", meta.TypeName)
			continue
		}
		assertParity(t, meta.TypeName, attributeTree(s.Schema.Attributes), model)
	}
	for _, newDataSource := range p.DataSources(ctx) {
		d := newDataSource()
		var meta datasource.MetadataResponse
		d.Metadata(ctx, datasource.MetadataRequest{ProviderTypeName: "synth"}, &meta)
		var s datasource.SchemaResponse
		d.Schema(ctx, datasource.SchemaRequest{}, &s)
		model, ok := models["data."+meta.TypeName]
		if !ok {
			model, ok = models[meta.TypeName]
		}
		if !ok {
			t.Errorf("data source %s has no model registered in this test", meta.TypeName)
			continue
		}
		assertParity(t, meta.TypeName, attributeTree(s.Schema.Attributes), model)
	}
}

// attributeTree maps each attribute name to its nested attributes (nil for leaves).
func attributeTree[A any](attrs map[string]A) map[string]map[string]any {
	out := map[string]map[string]any{}
	for name, a := range attrs {
		out[name] = nestedOf(a)
	}
	return out
}

func nestedOf(a any) map[string]any {
	var nested map[string]any
	add := func(name string, child any) {
		if nested == nil {
			nested = map[string]any{}
		}
		nested[name] = child
	}
	switch a := a.(type) {
	case rsschema.SingleNestedAttribute:
		for n, c := range a.Attributes {
			add(n, c)
		}
	case dsschema.SingleNestedAttribute:
		for n, c := range a.Attributes {
			add(n, c)
		}
	case dsschema.ListNestedAttribute:
		for n, c := range a.NestedObject.Attributes {
			add(n, c)
		}
	}
	return nested
}

func assertParity(t *testing.T, where string, attrs map[string]map[string]any, model reflect.Type) {
	t.Helper()
	for model.Kind() == reflect.Pointer || model.Kind() == reflect.Slice {
		model = model.Elem()
	}
	fields := map[string]reflect.Type{}
	for i := range model.NumField() {
		f := model.Field(i)
		if tag := f.Tag.Get("tfsdk"); tag != "" && tag != "-" {
			fields[tag] = f.Type
		}
	}
	var problems []string
	for name, nested := range attrs {
		ft, ok := fields[name]
		if !ok {
			problems = append(problems, "schema attribute "+name+" has no model field")
			continue
		}
		if nested != nil && isStructModel(ft) {
			children := map[string]map[string]any{}
			for n, c := range nested {
				children[n] = nestedOf(c)
			}
			assertParity(t, where+"."+name, children, ft)
		}
	}
	for tag := range fields {
		if _, ok := attrs[tag]; !ok {
			problems = append(problems, "model field tagged "+tag+" has no schema attribute")
		}
	}
	sort.Strings(problems)
	if len(problems) > 0 {
		t.Errorf("%s:\n  %s", where, strings.Join(problems, "\n  "))
	}
}

// isStructModel tells a nested attribute held in a Go struct (which this test
// walks) from one held in a framework value type such as timeouts.Value.
func isStructModel(t reflect.Type) bool {
	for t.Kind() == reflect.Pointer || t.Kind() == reflect.Slice {
		t = t.Elem()
	}
	return t.Kind() == reflect.Struct && t.PkgPath() == reflect.TypeOf(rlJobModel{}).PkgPath()
}
