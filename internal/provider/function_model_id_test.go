package provider

import (
	"context"
	"regexp"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/function"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfversion"
)

// parsedID is what parse_model_id returns, "" standing for null.
type parsedID struct{ prefix, kind, base, job, checkpoint string }

// modelIDForms are the id forms of contract §3 and §12.
var modelIDForms = []struct {
	id   string
	want parsedID
}{
	{"Qwen/Qwen3-4B", parsedID{kind: "base", base: "Qwen/Qwen3-4B"}},
	{"qwen/qwen3-0.6b", parsedID{kind: "base", base: "Qwen/Qwen3-0.6B"}},
	{"meta-llama/Llama-3.1-8B", parsedID{kind: "base", base: "meta-llama/Llama-3.1-8B"}},
	{"gpt-4o-mini", parsedID{kind: "base", base: "gpt-4o-mini"}},
	{"fft:Qwen/Qwen3-4B:job_291bc0cfa2f641ee", parsedID{"fft", "full_finetune", "Qwen/Qwen3-4B", "job_291bc0cfa2f641ee", ""}},
	{"peft:Qwen/Qwen3-0.6B:job_24faa0fdfdf648b9", parsedID{"peft", "lora", "Qwen/Qwen3-0.6B", "job_24faa0fdfdf648b9", ""}},
	{"qft:Qwen/Qwen3-1.7B:job_1", parsedID{"qft", "lora", "Qwen/Qwen3-1.7B", "job_1", ""}},
	{"ft:Qwen/Qwen3-4B-Instruct-2507:ftjob-22", parsedID{"ft", "legacy", "Qwen/Qwen3-4B-Instruct-2507", "ftjob-22", ""}},
	{"ft:Qwen/Qwen3-4B", parsedID{"ft", "legacy", "Qwen/Qwen3-4B", "", ""}},
	{"rl:Qwen/Qwen3-0.6B:policy-1", parsedID{"rl", "rl", "Qwen/Qwen3-0.6B", "policy-1", ""}},
	{"rl:Qwen/Qwen3-4B:job_abc:checkpoint-epoch-1", parsedID{"rl", "rl", "Qwen/Qwen3-4B", "job_abc", "checkpoint-epoch-1"}},
	{"fft:Qwen/Qwen3-4B:job:with:colons", parsedID{"fft", "full_finetune", "Qwen/Qwen3-4B", "job:with:colons", ""}},
	{"fft:qwen/qwen3-4b:job_1", parsedID{"fft", "full_finetune", "Qwen/Qwen3-4B", "job_1", ""}},
	{"sft:Qwen/Qwen3-4B:job_9", parsedID{"sft", "unknown", "Qwen/Qwen3-4B", "job_9", ""}},
	{"ft:org:Qwen/Qwen3-4B:job_1", parsedID{"ft", "legacy", "Qwen/Qwen3-4B", "job_1", ""}},
	{"ft:gpt-4o-mini-2024-07-18:my-org:abc123", parsedID{"ft", "legacy", "gpt-4o-mini-2024-07-18", "my-org:abc123", ""}},
	{"peft:Qwen3-4B:job_5:checkpoint-epoch-2", parsedID{"peft", "lora", "Qwen3-4B", "job_5", "checkpoint-epoch-2"}},
}

// invalidModelIDs are refused, each error containing the phrase.
var invalidModelIDs = []struct{ id, wantErr string }{
	{"", "is empty"},
	{"Qwen/Qwen3 4B", "whitespace"},
	{"ft:", "empty segment"},
	{"ft:Qwen/Qwen3-4B::job", "empty segment"},
	{"ft:job_123", "does not name its base model"},
	{"Qwen/Qwen3-4B:job_1", "does not start with a prefix"},
	{"Qwen/Qwen3/4B", "org/name"},
	{"Qwen3+4B", "characters a model id does not use"},
}

func (p parsedID) value() attr.Value {
	return types.ObjectValueMust(modelIDObjectTypes, map[string]attr.Value{
		"prefix":     nullableString(p.prefix),
		"kind":       types.StringValue(p.kind),
		"base_model": types.StringValue(p.base),
		"job_id":     nullableString(p.job),
		"checkpoint": nullableString(p.checkpoint),
	})
}

func (p parsedID) check() knownvalue.Check {
	str := func(s string) knownvalue.Check {
		if s == "" {
			return knownvalue.Null()
		}
		return knownvalue.StringExact(s)
	}
	return knownvalue.ObjectExact(map[string]knownvalue.Check{
		"prefix": str(p.prefix), "kind": str(p.kind), "base_model": str(p.base), "job_id": str(p.job), "checkpoint": str(p.checkpoint),
	})
}

func runFunction(f function.Function, id string, result attr.Value) function.RunResponse {
	resp := function.RunResponse{Result: function.NewResultData(result)}
	f.Run(context.Background(), function.RunRequest{
		Arguments: function.NewArgumentsData([]attr.Value{types.StringValue(id)}),
	}, &resp)
	return resp
}

func TestFunctions_modelIDForms(t *testing.T) {
	for _, tt := range modelIDForms {
		t.Run(tt.id, func(t *testing.T) {
			resp := runFunction(newParseModelIDFunction(), tt.id, types.ObjectUnknown(modelIDObjectTypes))
			if resp.Error != nil {
				t.Fatalf("parse_model_id: %v", resp.Error)
			}
			if got, want := resp.Result.Value(), tt.want.value(); !got.Equal(want) {
				t.Errorf("parse_model_id = %v\nwant %v", got, want)
			}
			resp = runFunction(newModelBaseFunction(), tt.id, types.StringUnknown())
			if resp.Error != nil {
				t.Fatalf("model_base: %v", resp.Error)
			}
			if got, want := resp.Result.Value(), types.StringValue(tt.want.base); !got.Equal(want) {
				t.Errorf("model_base = %v, want %v", got, want)
			}
		})
	}
}

func TestFunctions_invalidModelIDs(t *testing.T) {
	for _, tt := range invalidModelIDs {
		for _, f := range []function.Function{newParseModelIDFunction(), newModelBaseFunction()} {
			var meta function.MetadataResponse
			f.Metadata(context.Background(), function.MetadataRequest{}, &meta)
			t.Run(meta.Name+"/"+tt.id, func(t *testing.T) {
				resp := runFunction(f, tt.id, types.DynamicUnknown())
				if resp.Error == nil {
					t.Fatalf("no error; want one containing %q", tt.wantErr)
				}
				if resp.Error.FunctionArgument == nil || *resp.Error.FunctionArgument != 0 {
					t.Errorf("the error does not point at the id argument: %+v", resp.Error)
				}
				for _, want := range []string{tt.wantErr, `expected a base model such as "Qwen/Qwen3-4B"`} {
					if !strings.Contains(resp.Error.Text, want) {
						t.Errorf("error %q does not contain %q", resp.Error.Text, want)
					}
				}
			})
		}
	}
}

// TestFunctions_terraform calls each function from a configuration, as a
// user does, with every id form and one invalid id.
func TestFunctions_terraform(t *testing.T) {
	var config strings.Builder
	var checks []statecheck.StateCheck
	for i, tt := range modelIDForms {
		name := "id" + string(rune('a'+i))
		config.WriteString("output \"" + name + "\" { value = provider::synth::parse_model_id(\"" + tt.id + "\") }\n")
		config.WriteString("output \"" + name + "_base\" { value = provider::synth::model_base(\"" + tt.id + "\") }\n")
		checks = append(checks,
			statecheck.ExpectKnownOutputValue(name, tt.want.check()),
			statecheck.ExpectKnownOutputValue(name+"_base", knownvalue.StringExact(tt.want.base)))
	}
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testProviderFactories,
		TerraformVersionChecks:   []tfversion.TerraformVersionCheck{tfversion.SkipBelow(tfversion.Version1_8_0)},
		Steps: []resource.TestStep{
			{Config: config.String(), ConfigStateChecks: checks},
			{
				Config:      `output "bad" { value = provider::synth::model_base("ft:job_123") }`,
				ExpectError: regexp.MustCompile(`Invalid function argument(?s).*does\s+not\s+name\s+its\s+base\s+model`),
			},
		},
	})
}
