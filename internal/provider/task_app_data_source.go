package provider

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

var (
	_ datasource.DataSource              = (*taskAppDataSource)(nil)
	_ datasource.DataSourceWithConfigure = (*taskAppDataSource)(nil)
)

type taskAppDataSource struct {
	data *providerData
}

func newTaskAppDataSource() datasource.DataSource {
	return &taskAppDataSource{}
}

type taskAppModel struct {
	URL          types.String    `tfsdk:"url"`
	Seeds        types.List      `tfsdk:"seeds"`
	Healthy      types.Bool      `tfsdk:"healthy"`
	AuthRequired types.Bool      `tfsdk:"auth_required"`
	Task         *taskModel      `tfsdk:"task"`
	Environments types.List      `tfsdk:"environments"`
	Dataset      *datasetModel   `tfsdk:"dataset"`
	Capabilities types.Map       `tfsdk:"capabilities"`
	Limits       types.Map       `tfsdk:"limits"`
	TaskInfoJSON types.String    `tfsdk:"task_info_json"`
	InfoJSON     types.String    `tfsdk:"info_json"`
	Instances    []instanceModel `tfsdk:"instances"`
}

type taskModel struct {
	ID          types.String `tfsdk:"id"`
	Name        types.String `tfsdk:"name"`
	Version     types.String `tfsdk:"version"`
	Description types.String `tfsdk:"description"`
}

type datasetModel struct {
	ID           types.String `tfsdk:"id"`
	Name         types.String `tfsdk:"name"`
	Version      types.String `tfsdk:"version"`
	Splits       types.List   `tfsdk:"splits"`
	DefaultSplit types.String `tfsdk:"default_split"`
	Description  types.String `tfsdk:"description"`
}

type instanceModel struct {
	Seed types.Int64  `tfsdk:"seed"`
	JSON types.String `tfsdk:"json"`
}

func (d *taskAppDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_task_app"
}

func (d *taskAppDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	text := func(description string) schema.StringAttribute {
		return schema.StringAttribute{MarkdownDescription: description, Computed: true}
	}
	resp.Schema = schema.Schema{
		MarkdownDescription: "Checks a task app the way `synth-ai train` does before it submits (`GET /health`, then " +
			"`GET /task_info` with the environment key) and exposes what it says about its task. An unhealthy app, a " +
			"refused key, a timeout or a name that does not resolve is an error.\n\n" +
			"The typed fields (`task`, `dataset`, `environments`, `capabilities`, `limits`) describe the first seed's " +
			"`TaskInfo` when `seeds` are given. Without seeds they come from `GET /info`, where apps built with the " +
			"SDK describe their task, or, for an older app without that route, from the taskset `GET /task_info` " +
			"answers. A field the app does not report is null.",
		Attributes: map[string]schema.Attribute{
			"url": schema.StringAttribute{
				MarkdownDescription: "The task app's base URL. Defaults to the provider's `task_app_url` (or `TASK_APP_URL`).",
				Optional:            true,
			},
			"seeds": schema.ListAttribute{
				MarkdownDescription: "Seeds to fetch one `TaskInfo` each for (`GET /task_info?seed=N`).",
				Optional:            true,
				ElementType:         types.Int64Type,
			},
			"healthy":       schema.BoolAttribute{MarkdownDescription: "Whether the app passed the health check.", Computed: true},
			"auth_required": schema.BoolAttribute{MarkdownDescription: "Whether the app says it requires an environment key.", Computed: true},
			"task": schema.SingleNestedAttribute{
				MarkdownDescription: "The task the app serves.",
				Computed:            true,
				Attributes: map[string]schema.Attribute{
					"id":          text("Task id."),
					"name":        text("Task name."),
					"version":     text("Task version."),
					"description": text("Task description."),
				},
			},
			"environments": schema.ListAttribute{
				MarkdownDescription: "Environments the app offers.",
				Computed:            true,
				ElementType:         types.StringType,
			},
			"dataset": schema.SingleNestedAttribute{
				MarkdownDescription: "The dataset the app draws tasks from.",
				Computed:            true,
				Attributes: map[string]schema.Attribute{
					"id":            text("Dataset id."),
					"name":          text("Dataset name."),
					"version":       text("Dataset version."),
					"splits":        schema.ListAttribute{MarkdownDescription: "Dataset splits.", Computed: true, ElementType: types.StringType},
					"default_split": text("The default split."),
					"description":   text("Dataset description."),
				},
			},
			"capabilities": schema.MapAttribute{
				MarkdownDescription: "The app's capabilities; each value is the JSON of what the app reported.",
				Computed:            true,
				ElementType:         types.StringType,
			},
			"limits": schema.MapAttribute{
				MarkdownDescription: "The app's limits (such as `max_turns`); each value is the JSON of what the app reported.",
				Computed:            true,
				ElementType:         types.StringType,
			},
			"task_info_json": text("The raw answer of `GET /task_info` without a seed."),
			"info_json":      text("The raw answer of `GET /info`; null when the app has no such route (HTTP 404)."),
			"instances": schema.ListNestedAttribute{
				MarkdownDescription: "One entry per requested seed, in the order of `seeds`.",
				Computed:            true,
				NestedObject: schema.NestedAttributeObject{
					Attributes: map[string]schema.Attribute{
						"seed": schema.Int64Attribute{MarkdownDescription: "The seed.", Computed: true},
						"json": text("The raw `TaskInfo` for the seed."),
					},
				},
			},
		},
	}
}

func (d *taskAppDataSource) Configure(_ context.Context, req datasource.ConfigureRequest, resp *datasource.ConfigureResponse) {
	d.data = providerDataFrom(req.ProviderData, &resp.Diagnostics)
}

func (d *taskAppDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	var cfg taskAppModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &cfg)...)
	if resp.Diagnostics.HasError() {
		return
	}
	ctx = d.data.maskSecrets(ctx)
	defer d.data.maskDiagnostics(&resp.Diagnostics)
	url := firstNonEmpty(cfg.URL.ValueString(), d.data.taskAppURL)
	if url == "" {
		resp.Diagnostics.AddAttributeError(path.Root("url"), "Missing task app URL",
			"Set url, the provider's task_app_url, or the "+envTaskAppURL+" environment variable.")
		return
	}
	var seeds []int64
	resp.Diagnostics.Append(cfg.Seeds.ElementsAs(ctx, &seeds, false)...)
	if resp.Diagnostics.HasError() {
		return
	}
	app, err := d.data.taskApp(url, d.data.environmentAPIKey)
	if err != nil {
		resp.Diagnostics.AddAttributeError(path.Root("url"), "Invalid task app URL", err.Error())
		return
	}

	health, taskInfo, err := app.Check(ctx)
	if err != nil {
		resp.Diagnostics.AddError("Task app is not healthy", err.Error())
		return
	}
	state := taskAppModel{
		URL:          types.StringValue(app.URL()),
		Seeds:        cfg.Seeds,
		Healthy:      types.BoolValue(health.Healthy),
		AuthRequired: types.BoolValue(health.AuthRequired),
		TaskInfoJSON: types.StringValue(string(taskInfo)),
		Instances:    []instanceModel{},
	}

	info, err := app.Info(ctx)
	if err != nil {
		resp.Diagnostics.AddError("Could not read the task app's info", err.Error())
		return
	}
	state.InfoJSON = types.StringNull()
	if info != nil {
		state.InfoJSON = types.StringValue(string(info))
	}

	// The typed fields describe one task: the first seed's TaskInfo when
	// seeds were asked for, else /info, else what the taskset carries.
	var doc taskInfoDoc
	switch {
	case len(seeds) > 0:
		instances, err := fetchInstances(ctx, app, seeds)
		if err != nil {
			resp.Diagnostics.AddError("Could not read the task app's task_info", err.Error())
			return
		}
		state.Instances = instances
		doc = decodeTaskInfo(json.RawMessage(instances[0].JSON.ValueString()))
	case info != nil:
		doc = decodeInfo(info)
	default:
		doc = decodeTaskset(taskInfo)
	}
	state.describe(doc)
	resp.Diagnostics.Append(resp.State.Set(ctx, &state)...)
}

func fetchInstances(ctx context.Context, app taskApp, seeds []int64) ([]instanceModel, error) {
	raw, err := app.TaskInfo(ctx, seeds)
	if err != nil {
		return nil, err
	}
	// One seed answers one object, several answer an array in seed order.
	var items []json.RawMessage
	if len(seeds) == 1 {
		items = []json.RawMessage{raw}
	} else if err := json.Unmarshal(raw, &items); err != nil {
		return nil, fmt.Errorf("GET /task_info with %d seeds: expected a JSON array: %w", len(seeds), err)
	}
	if len(items) != len(seeds) {
		return nil, fmt.Errorf("GET /task_info with %d seeds answered %d items", len(seeds), len(items))
	}
	out := make([]instanceModel, len(seeds))
	for i, seed := range seeds {
		out[i] = instanceModel{Seed: types.Int64Value(seed), JSON: types.StringValue(string(items[i]))}
	}
	return out, nil
}

// taskInfoDoc is the part of a TaskInfo the data source types out.
type taskInfoDoc struct {
	Task         *taskDoc                   `json:"task"`
	Environments []string                   `json:"environments"`
	Environment  string                     `json:"environment"`
	Dataset      *datasetDoc                `json:"dataset"`
	Capabilities map[string]json.RawMessage `json:"capabilities"`
	Limits       map[string]json.RawMessage `json:"limits"`
}

type taskDoc struct{ ID, Name, Version, Description jsonText }

type datasetDoc struct {
	ID, Name, Version, Description jsonText
	Splits                         []string `json:"splits"`
	DefaultSplit                   jsonText `json:"default_split"`
}

// decodeTaskInfo reads one TaskInfo. A seeded answer may be an array and a
// taskset anything: what does not decode describes nothing, which is not an
// error.
func decodeTaskInfo(raw json.RawMessage) taskInfoDoc {
	var doc taskInfoDoc
	if json.Unmarshal(raw, &doc) != nil {
		return taskInfoDoc{}
	}
	return doc
}

// decodeInfo reads GET /info, which has the TaskInfo keys but the task under
// service.task.
func decodeInfo(raw json.RawMessage) taskInfoDoc {
	doc := decodeTaskInfo(raw)
	var info struct {
		Service struct {
			Task *taskDoc `json:"task"`
		} `json:"service"`
	}
	if json.Unmarshal(raw, &info) == nil && info.Service.Task != nil {
		doc.Task = info.Service.Task
	}
	return doc
}

// decodeTaskset reads GET /task_info without a seed, {"taskset": ...}. Apps
// built with the SDK describe the dataset there, flat ({"id", "name",
// "splits", ...}); others nest TaskInfo keys (task, dataset, ...).
func decodeTaskset(raw json.RawMessage) taskInfoDoc {
	var outer struct {
		Taskset json.RawMessage `json:"taskset"`
	}
	if json.Unmarshal(raw, &outer) != nil || len(outer.Taskset) == 0 {
		return taskInfoDoc{}
	}
	doc := decodeTaskInfo(outer.Taskset)
	if doc.Task == nil && doc.Dataset == nil {
		var flat datasetDoc
		if json.Unmarshal(outer.Taskset, &flat) == nil && (flat.ID.s != nil || flat.Name.s != nil) {
			doc.Dataset = &flat
		}
	}
	return doc
}

func (m *taskAppModel) describe(doc taskInfoDoc) {
	if t := doc.Task; t != nil {
		m.Task = &taskModel{ID: t.ID.value(), Name: t.Name.value(), Version: t.Version.value(), Description: t.Description.value()}
	}
	if doc.Environments == nil && doc.Environment != "" {
		doc.Environments = []string{doc.Environment}
	}
	m.Environments = stringList(doc.Environments)
	if ds := doc.Dataset; ds != nil {
		m.Dataset = &datasetModel{
			ID: ds.ID.value(), Name: ds.Name.value(), Version: ds.Version.value(), Description: ds.Description.value(),
			Splits: stringList(ds.Splits), DefaultSplit: ds.DefaultSplit.value(),
		}
	}
	m.Capabilities = jsonMap(doc.Capabilities)
	m.Limits = jsonMap(doc.Limits)
}

// jsonText reads a JSON string, number or bool as text: task apps disagree
// on whether a version is "1.0" or 1.
type jsonText struct{ s *string }

func (t *jsonText) UnmarshalJSON(b []byte) error {
	var s string
	if json.Unmarshal(b, &s) == nil {
		t.s = &s
		return nil
	}
	if string(b) != "null" {
		s = string(b)
		t.s = &s
	}
	return nil
}

func (t jsonText) value() types.String { return types.StringPointerValue(t.s) }

func jsonMap(m map[string]json.RawMessage) types.Map {
	if m == nil {
		return types.MapNull(types.StringType)
	}
	elems := make(map[string]attr.Value, len(m))
	for k, v := range m {
		var s string
		if json.Unmarshal(v, &s) == nil {
			elems[k] = types.StringValue(s)
		} else {
			elems[k] = types.StringValue(string(v))
		}
	}
	return types.MapValueMust(types.StringType, elems)
}
