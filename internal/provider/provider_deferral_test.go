package provider

import (
	"context"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
)

// No CLI of the matrix sends the deferral capability outside a Stack, so
// these tests speak the plugin protocol to the provider directly, as
// Terraform does.

// protocolProvider is a fresh provider server and its schemas.
func protocolProvider(t *testing.T) (tfprotov6.ProviderServer, *tfprotov6.GetProviderSchemaResponse) {
	t.Helper()
	server, err := providerserver.NewProtocol6WithError(New("test")())()
	if err != nil {
		t.Fatal(err)
	}
	schemas, err := server.GetProviderSchema(context.Background(), &tfprotov6.GetProviderSchemaRequest{})
	if err != nil || hasErrorDiag(schemas.Diagnostics) {
		t.Fatalf("GetProviderSchema: %v %v", err, diagText(schemas.Diagnostics))
	}
	return server, schemas
}

// objectOf is a value of the schema's object type with every attribute null
// except those set.
func objectOf(t *testing.T, schema *tfprotov6.Schema, set map[string]tftypes.Value) *tfprotov6.DynamicValue {
	t.Helper()
	typ := schema.ValueType().(tftypes.Object)
	attrs := make(map[string]tftypes.Value, len(typ.AttributeTypes))
	for name, at := range typ.AttributeTypes {
		attrs[name] = tftypes.NewValue(at, nil)
		if v, ok := set[name]; ok {
			attrs[name] = v
		}
	}
	dv, err := tfprotov6.NewDynamicValue(typ, tftypes.NewValue(typ, attrs))
	if err != nil {
		t.Fatal(err)
	}
	return &dv
}

func nullObjectOf(t *testing.T, schema *tfprotov6.Schema) *tfprotov6.DynamicValue {
	t.Helper()
	dv, err := tfprotov6.NewDynamicValue(schema.ValueType(), tftypes.NewValue(schema.ValueType(), nil))
	if err != nil {
		t.Fatal(err)
	}
	return &dv
}

// configureWithUnknownBackend configures the provider with a backend_url
// only known after apply, as in a Stack whose backend comes from another
// component.
func configureWithUnknownBackend(t *testing.T, server tfprotov6.ProviderServer, schemas *tfprotov6.GetProviderSchemaResponse, deferralAllowed bool) *tfprotov6.ConfigureProviderResponse {
	t.Helper()
	resp, err := server.ConfigureProvider(context.Background(), &tfprotov6.ConfigureProviderRequest{
		TerraformVersion: "1.16.0",
		Config: objectOf(t, schemas.Provider, map[string]tftypes.Value{
			"backend_url": tftypes.NewValue(tftypes.String, tftypes.UnknownValue),
		}),
		ClientCapabilities: &tfprotov6.ConfigureProviderClientCapabilities{DeferralAllowed: deferralAllowed},
	})
	if err != nil {
		t.Fatal(err)
	}
	return resp
}

func TestProvider_unknownConfigDefersWhenTheClientAllows(t *testing.T) {
	ctx := context.Background()
	server, schemas := protocolProvider(t)
	if resp := configureWithUnknownBackend(t, server, schemas, true); hasErrorDiag(resp.Diagnostics) {
		t.Fatalf("ConfigureProvider failed instead of deferring: %s", diagText(resp.Diagnostics))
	}
	wantDeferred := func(t *testing.T, what string, deferred *tfprotov6.Deferred, diags []*tfprotov6.Diagnostic) {
		t.Helper()
		if hasErrorDiag(diags) {
			t.Errorf("%s failed: %s", what, diagText(diags))
		}
		if deferred == nil || deferred.Reason != tfprotov6.DeferredReasonProviderConfigUnknown {
			t.Errorf("%s: deferred = %+v, want reason ProviderConfigUnknown", what, deferred)
		}
	}

	if len(schemas.ResourceSchemas) == 0 || len(schemas.DataSourceSchemas) == 0 || len(schemas.ActionSchemas) == 0 {
		t.Fatalf("the provider serves no resources, data sources or actions: %+v", schemas)
	}
	for name, schema := range schemas.ResourceSchemas {
		t.Run(name, func(t *testing.T) {
			config := objectOf(t, schema, nil)
			plan, err := server.PlanResourceChange(ctx, &tfprotov6.PlanResourceChangeRequest{
				TypeName: name, PriorState: nullObjectOf(t, schema), ProposedNewState: config, Config: config,
				ClientCapabilities: &tfprotov6.PlanResourceChangeClientCapabilities{DeferralAllowed: true},
			})
			if err != nil {
				t.Fatal(err)
			}
			wantDeferred(t, "PlanResourceChange", plan.Deferred, plan.Diagnostics)

			read, err := server.ReadResource(ctx, &tfprotov6.ReadResourceRequest{
				TypeName: name, CurrentState: objectOf(t, schema, map[string]tftypes.Value{"id": tftypes.NewValue(tftypes.String, "job_1")}),
				ClientCapabilities: &tfprotov6.ReadResourceClientCapabilities{DeferralAllowed: true},
			})
			if err != nil {
				t.Fatal(err)
			}
			wantDeferred(t, "ReadResource", read.Deferred, read.Diagnostics)
		})
	}
	for name, schema := range schemas.DataSourceSchemas {
		t.Run(name, func(t *testing.T) {
			read, err := server.ReadDataSource(ctx, &tfprotov6.ReadDataSourceRequest{
				TypeName: name, Config: objectOf(t, schema, nil),
				ClientCapabilities: &tfprotov6.ReadDataSourceClientCapabilities{DeferralAllowed: true},
			})
			if err != nil {
				t.Fatal(err)
			}
			wantDeferred(t, "ReadDataSource", read.Deferred, read.Diagnostics)
		})
	}
	actions, ok := server.(tfprotov6.ActionServer)
	if !ok {
		t.Fatal("the provider server does not serve actions")
	}
	for name, schema := range schemas.ActionSchemas {
		t.Run(name, func(t *testing.T) {
			plan, err := actions.PlanAction(ctx, &tfprotov6.PlanActionRequest{
				ActionType: name, Config: objectOf(t, schema.Schema, nil),
				ClientCapabilities: &tfprotov6.PlanActionClientCapabilities{DeferralAllowed: true},
			})
			if err != nil {
				t.Fatal(err)
			}
			wantDeferred(t, "PlanAction", plan.Deferred, plan.Diagnostics)
		})
	}
}

// A list cannot be deferred, so with the settings unknown it fails, saying
// why, rather than listing nothing.
func TestProvider_unknownConfigFailsAList(t *testing.T) {
	server, schemas := protocolProvider(t)
	if resp := configureWithUnknownBackend(t, server, schemas, true); hasErrorDiag(resp.Diagnostics) {
		t.Fatalf("ConfigureProvider: %s", diagText(resp.Diagnostics))
	}
	lists, ok := server.(tfprotov6.ListResourceServer)
	if !ok {
		t.Fatal("the provider server does not serve list resources")
	}
	stream, err := lists.ListResource(context.Background(), &tfprotov6.ListResourceRequest{
		TypeName: "synth_rl_job", Config: objectOf(t, schemas.ListResourceSchemas["synth_rl_job"], nil), Limit: 10,
	})
	if err != nil {
		t.Fatal(err)
	}
	var diags []*tfprotov6.Diagnostic
	results := 0
	for r := range stream.Results {
		results++
		diags = append(diags, r.Diagnostics...)
	}
	if text := diagText(diags); !hasErrorDiag(diags) || !strings.Contains(text, "Provider not configured") {
		t.Errorf("listing with unknown settings gave %d results and diagnostics %q, want the error", results, text)
	}
}

func TestProvider_unknownConfigWithoutDeferralIsStillAnError(t *testing.T) {
	server, schemas := protocolProvider(t)
	resp := configureWithUnknownBackend(t, server, schemas, false)
	if text := diagText(resp.Diagnostics); !hasErrorDiag(resp.Diagnostics) ||
		!strings.Contains(text, "Unknown provider value: backend_url") || !strings.Contains(text, "only known after apply") {
		t.Errorf("ConfigureProvider diagnostics = %q, want the error naming backend_url", text)
	}
}

func hasErrorDiag(diags []*tfprotov6.Diagnostic) bool {
	for _, d := range diags {
		if d.Severity == tfprotov6.DiagnosticSeverityError {
			return true
		}
	}
	return false
}

func diagText(diags []*tfprotov6.Diagnostic) string {
	var b strings.Builder
	for _, d := range diags {
		b.WriteString(d.Summary + ": " + d.Detail + "\n")
	}
	return b.String()
}
