// Command floorprovider is the plan-cost floor of the Synth provider: it
// serves exactly the real provider's schemas, taken from the real provider's
// own Schema methods so they cannot drift, with CRUD that does nothing (Read
// returns the prior state, no ModifyPlan, no HTTP). Whatever a plan costs
// through it belongs to Terraform and terraform-plugin-framework; whatever the
// real provider costs above it is ours. It is built by the benchmark only and
// never shipped.
package main

import (
	"context"
	"log"

	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/provider"
	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-framework/resource"

	synth "github.com/synth-laboratories/terraform-provider-synth/internal/provider"
)

func main() {
	err := providerserver.Serve(context.Background(), newFloor, providerserver.ServeOpts{
		Address: "registry.terraform.io/synth-laboratories/synth",
	})
	if err != nil {
		log.Fatal(err.Error())
	}
}

// floorProvider delegates metadata and schemas to the real provider and
// nothing else.
type floorProvider struct {
	real provider.Provider
}

func newFloor() provider.Provider { return &floorProvider{real: synth.New("floor")()} }

func (p *floorProvider) Metadata(ctx context.Context, req provider.MetadataRequest, resp *provider.MetadataResponse) {
	p.real.Metadata(ctx, req, resp)
}

func (p *floorProvider) Schema(ctx context.Context, req provider.SchemaRequest, resp *provider.SchemaResponse) {
	p.real.Schema(ctx, req, resp)
}

// Configure reads nothing: the floor never talks to a backend.
func (p *floorProvider) Configure(context.Context, provider.ConfigureRequest, *provider.ConfigureResponse) {
}

func (p *floorProvider) Resources(ctx context.Context) []func() resource.Resource {
	var out []func() resource.Resource
	for _, newReal := range p.real.Resources(ctx) {
		out = append(out, func() resource.Resource { return &floorResource{real: newReal()} })
	}
	return out
}

func (p *floorProvider) DataSources(ctx context.Context) []func() datasource.DataSource {
	var out []func() datasource.DataSource
	for _, newReal := range p.real.DataSources(ctx) {
		out = append(out, func() datasource.DataSource { return &floorDataSource{real: newReal()} })
	}
	return out
}

// floorResource has the real resource's type name and schema. It implements
// none of the optional interfaces (no ModifyPlan, no ConfigValidators, no
// import, no upgrade), so the framework does only what every resource costs.
type floorResource struct {
	real resource.Resource
}

func (r *floorResource) Metadata(ctx context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	r.real.Metadata(ctx, req, resp)
}

func (r *floorResource) Schema(ctx context.Context, req resource.SchemaRequest, resp *resource.SchemaResponse) {
	r.real.Schema(ctx, req, resp)
}

func (r *floorResource) Create(_ context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	resp.State.Raw = req.Plan.Raw
}

// Read leaves resp.State as the framework filled it: the prior state.
func (r *floorResource) Read(context.Context, resource.ReadRequest, *resource.ReadResponse) {}

func (r *floorResource) Update(_ context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	resp.State.Raw = req.Plan.Raw
}

func (r *floorResource) Delete(context.Context, resource.DeleteRequest, *resource.DeleteResponse) {}

type floorDataSource struct {
	real datasource.DataSource
}

func (d *floorDataSource) Metadata(ctx context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	d.real.Metadata(ctx, req, resp)
}

func (d *floorDataSource) Schema(ctx context.Context, req datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	d.real.Schema(ctx, req, resp)
}

func (d *floorDataSource) Read(_ context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	resp.State.Raw = req.Config.Raw
}
