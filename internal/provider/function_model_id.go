package provider

import (
	"context"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/function"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/synth-laboratories/terraform-provider-synth/internal/rlconfig"
)

// The model-id functions are pure: they take ids apart with the rule the
// RL job uses (rlconfig.ParseModelID) and never call the backend, so they
// work without provider configuration and under a mock provider.

var (
	_ function.Function = (*parseModelIDFunction)(nil)
	_ function.Function = (*modelBaseFunction)(nil)
)

const modelIDParameterDescription = "A base model id such as `Qwen/Qwen3-4B`, or a trained model id " +
	"`<prefix>:<base model>:<job id>[:checkpoint-…]` such as `fft:Qwen/Qwen3-4B:job_291bc0cfa2f641ee` (a " +
	"`synth_rl_job`'s `output_model_id`, or an SFT job's `fine_tuned_model`)."

// modelIDRule is the shared part of both functions' documentation.
const modelIDRule = "The base model is the first `:`-separated segment after the prefix that has the `org/name` form, " +
	"the rule `synth_rl_job` uses to find the base of `model.source`; when no segment has that form, as in an OpenAI-style " +
	"`ft:gpt-4o-mini:ftjob-22`, it is the segment right after the prefix (an RL job refuses such a source). A base the " +
	"SDK's catalogue knows is returned in the catalogue's spelling (`qwen/qwen3-4b` gives `Qwen/Qwen3-4B`). An empty id, " +
	"whitespace, an empty `:`-separated segment, a first segment that is not a prefix, or a trained id that names no " +
	"base is an error that shows the expected form. Provider functions need Terraform 1.8 or OpenTofu 1.7, or later."

func modelIDParameter() function.Parameter {
	return function.StringParameter{Name: "id", MarkdownDescription: modelIDParameterDescription}
}

// parseModelIDArgument reads the id argument and parses it, or reports the
// error against the argument.
func parseModelIDArgument(ctx context.Context, req function.RunRequest, resp *function.RunResponse) (rlconfig.ModelID, bool) {
	var id string
	if resp.Error = req.Arguments.Get(ctx, &id); resp.Error != nil {
		return rlconfig.ModelID{}, false
	}
	parsed, err := rlconfig.ParseModelID(id)
	if err != nil {
		resp.Error = function.NewArgumentFuncError(0, err.Error())
		return rlconfig.ModelID{}, false
	}
	return parsed, true
}

type parseModelIDFunction struct{}

func newParseModelIDFunction() function.Function { return &parseModelIDFunction{} }

func (f *parseModelIDFunction) Metadata(_ context.Context, _ function.MetadataRequest, resp *function.MetadataResponse) {
	resp.Name = "parse_model_id"
}

var modelIDObjectTypes = map[string]attr.Type{
	"prefix":     types.StringType,
	"kind":       types.StringType,
	"base_model": types.StringType,
	"job_id":     types.StringType,
	"checkpoint": types.StringType,
}

func (f *parseModelIDFunction) Definition(_ context.Context, _ function.DefinitionRequest, resp *function.DefinitionResponse) {
	kinds := make([]string, len(rlconfig.ModelKinds))
	for i, k := range rlconfig.ModelKinds {
		kinds[i] = "`" + string(k) + "`"
	}
	resp.Definition = function.Definition{
		Summary: "Takes a Synth model id apart: prefix, kind, base model, job id and checkpoint.",
		MarkdownDescription: "Takes a base or trained model id apart, so that configurations need no `split(\":\", …)`, " +
			"which picks the wrong segment when a job id contains `:`, a checkpoint follows it, or the base has no organisation. " +
			"It returns an object:\n\n" +
			"- `prefix`: the id's prefix as written (`fft`, `peft`, `ft`, `qft`, `rl` or one the backend adds later); null for a base id.\n" +
			"- `kind`: one of " + strings.Join(kinds, ", ") + ". `base` is a base model id; `full_finetune` is `fft:`; " +
			"`lora` is `peft:` (LoRA or QLoRA) and `qft:`; `rl` is `rl:`, an RL job's output; `legacy` is `ft:` (older " +
			"fine-tunes and OpenAI-style jobs); `unknown` is any other prefix, accepted because the backend chooses prefixes.\n" +
			"- `base_model`: the base model the id was trained from, or the base id itself.\n" +
			"- `job_id`: everything after the base model except a checkpoint, as written; it may contain `:`. Null when absent.\n" +
			"- `checkpoint`: a last segment starting `checkpoint-` after the job id (`checkpoint-epoch-1`); null when absent.\n\n" +
			modelIDRule,
		Parameters: []function.Parameter{modelIDParameter()},
		Return:     function.ObjectReturn{AttributeTypes: modelIDObjectTypes},
	}
}

func (f *parseModelIDFunction) Run(ctx context.Context, req function.RunRequest, resp *function.RunResponse) {
	parsed, ok := parseModelIDArgument(ctx, req, resp)
	if !ok {
		return
	}
	obj, diags := types.ObjectValue(modelIDObjectTypes, map[string]attr.Value{
		"prefix":     nullableString(parsed.Prefix),
		"kind":       types.StringValue(string(parsed.Kind)),
		"base_model": types.StringValue(parsed.BaseModel),
		"job_id":     nullableString(parsed.JobID),
		"checkpoint": nullableString(parsed.Checkpoint),
	})
	if diags.HasError() {
		resp.Error = function.FuncErrorFromDiags(ctx, diags)
		return
	}
	resp.Error = resp.Result.Set(ctx, obj)
}

type modelBaseFunction struct{}

func newModelBaseFunction() function.Function { return &modelBaseFunction{} }

func (f *modelBaseFunction) Metadata(_ context.Context, _ function.MetadataRequest, resp *function.MetadataResponse) {
	resp.Name = "model_base"
}

func (f *modelBaseFunction) Definition(_ context.Context, _ function.DefinitionRequest, resp *function.DefinitionResponse) {
	resp.Definition = function.Definition{
		Summary: "The base model of a Synth model id.",
		MarkdownDescription: "Returns the base model of a base model id (the id itself) or of a trained model id, " +
			"the same as `provider::synth::parse_model_id(id).base_model`. " + modelIDRule,
		Parameters: []function.Parameter{modelIDParameter()},
		Return:     function.StringReturn{},
	}
}

func (f *modelBaseFunction) Run(ctx context.Context, req function.RunRequest, resp *function.RunResponse) {
	parsed, ok := parseModelIDArgument(ctx, req, resp)
	if !ok {
		return
	}
	resp.Error = resp.Result.Set(ctx, parsed.BaseModel)
}
