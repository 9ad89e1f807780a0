package provider

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/types"
	tfconfig "github.com/hashicorp/terraform-plugin-testing/config"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/synth-laboratories/terraform-provider-synth/internal/emulator"
	"github.com/synth-laboratories/terraform-provider-synth/internal/synthapi"
)

const trainingFileAddr = "synth_training_file.train"

const (
	datasetV1 = `{"messages":[{"role":"user","content":"2+2?"},{"role":"assistant","content":"4"}]}` + "\n"
	datasetV2 = `{"messages":[{"role":"user","content":"3+3?"},{"role":"assistant","content":"6"}]}` + "\n"
)

func writeTrainingFile(t *testing.T, p, content string) {
	t.Helper()
	if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
}

func hexSHA256(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:])
}

func trainingFileConfig(env *testEnv, p, extra string) string {
	return env.provider("") + fmt.Sprintf(`
resource "synth_training_file" "train" {
  path = %q
%s
}
`, p, extra)
}

// liveFiles are the files the emulated backend holds and has not deleted.
func liveFiles(env *testEnv) []emulator.File {
	var out []emulator.File
	for _, f := range env.emu.Files() {
		if !f.Deleted {
			out = append(out, f)
		}
	}
	return out
}

func wantLiveFiles(env *testEnv, want ...string) resource.TestCheckFunc {
	return func(*terraform.State) error {
		files := liveFiles(env)
		if len(files) != len(want) {
			return fmt.Errorf("the backend holds %d files, want %d", len(files), len(want))
		}
		for i, f := range files {
			if f.SHA256 != hexSHA256(want[i]) {
				return fmt.Errorf("file %s holds other content", f.ID)
			}
		}
		return nil
	}
}

func TestTrainingFile_uploadPlanCleanReplaceDestroy(t *testing.T) {
	env := newTestEnv(t, emulator.Options{SFT: emulator.SFTOptions{FileReadyLag: 1500 * time.Millisecond}})
	dir := t.TempDir()
	p := filepath.Join(dir, "train.jsonl")
	writeTrainingFile(t, p, datasetV1)
	var firstID string

	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testProviderFactories,
		CheckDestroy: func(*terraform.State) error {
			if files := liveFiles(env); len(files) != 0 {
				return fmt.Errorf("destroy left %d files on the backend", len(files))
			}
			return nil
		},
		Steps: []resource.TestStep{
			{
				Config: trainingFileConfig(env, p, ""),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{
						plancheck.ExpectResourceAction(trainingFileAddr, plancheck.ResourceActionCreate),
						// The plan already knows the content it will upload.
						plancheck.ExpectKnownValue(trainingFileAddr, tfjsonpath.New("sha256"), knownvalue.StringExact(hexSHA256(datasetV1))),
					},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(trainingFileAddr, tfjsonpath.New("id"), knownvalue.StringRegexp(regexp.MustCompile(`^file_`))),
					statecheck.ExpectKnownValue(trainingFileAddr, tfjsonpath.New("sha256"), knownvalue.StringExact(hexSHA256(datasetV1))),
					statecheck.ExpectKnownValue(trainingFileAddr, tfjsonpath.New("bytes"), knownvalue.Int64Exact(int64(len(datasetV1)))),
					statecheck.ExpectKnownValue(trainingFileAddr, tfjsonpath.New("filename"), knownvalue.StringExact("train.jsonl")),
					statecheck.ExpectKnownValue(trainingFileAddr, tfjsonpath.New("purpose"), knownvalue.StringExact("fine-tune")),
					// Create waited for the file to leave "processing".
					statecheck.ExpectKnownValue(trainingFileAddr, tfjsonpath.New("status"), knownvalue.StringExact("ready")),
					statecheck.ExpectKnownValue(trainingFileAddr, tfjsonpath.New("created_at"), knownvalue.NotNull()),
				},
				Check: resource.ComposeAggregateTestCheckFunc(
					wantLiveFiles(env, datasetV1),
					func(s *terraform.State) error {
						firstID = s.RootModule().Resources[trainingFileAddr].Primary.ID
						if n := env.emu.Count("backend", "POST", "/api/files"); n != 1 {
							return fmt.Errorf("%d uploads, want 1", n)
						}
						return nil
					},
				),
			},
			{
				// Same content, other bytes on disk with the same size and
				// time: the plan trusts what it recorded and reads nothing,
				// so it sees no change. (Terraform's trade: content changed
				// behind an unchanged size and time goes unnoticed.)
				PreConfig: func() {
					info, err := os.Stat(p)
					if err != nil {
						t.Fatal(err)
					}
					writeTrainingFile(t, p, strings.Replace(datasetV1, "2+2", "1+3", 1))
					if err := os.Chtimes(p, info.ModTime(), info.ModTime()); err != nil {
						t.Fatal(err)
					}
				},
				Config: trainingFileConfig(env, p, ""),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
			},
			{
				// New content (and a new time) is a new file.
				PreConfig: func() {
					writeTrainingFile(t, p, datasetV2)
					later := time.Now().Add(time.Minute)
					if err := os.Chtimes(p, later, later); err != nil {
						t.Fatal(err)
					}
				},
				Config: trainingFileConfig(env, p, ""),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{
						plancheck.ExpectResourceAction(trainingFileAddr, plancheck.ResourceActionDestroyBeforeCreate),
						plancheck.ExpectKnownValue(trainingFileAddr, tfjsonpath.New("sha256"), knownvalue.StringExact(hexSHA256(datasetV2))),
						plancheck.ExpectUnknownValue(trainingFileAddr, tfjsonpath.New("id")),
					},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(trainingFileAddr, tfjsonpath.New("sha256"), knownvalue.StringExact(hexSHA256(datasetV2))),
				},
				Check: resource.ComposeAggregateTestCheckFunc(
					wantLiveFiles(env, datasetV2),
					func(s *terraform.State) error {
						if id := s.RootModule().Resources[trainingFileAddr].Primary.ID; id == firstID {
							return fmt.Errorf("new content kept the old file %s", id)
						}
						return nil
					},
				),
			},
			{
				// The same content under another name changes nothing on the
				// backend.
				PreConfig: func() {
					writeTrainingFile(t, filepath.Join(dir, "copy.jsonl"), datasetV2)
				},
				Config: trainingFileConfig(env, filepath.Join(dir, "copy.jsonl"), ""),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(trainingFileAddr, plancheck.ResourceActionUpdate)},
				},
				Check: wantLiveFiles(env, datasetV2),
			},
			{
				ResourceName:            trainingFileAddr,
				ImportState:             true,
				ImportStateVerify:       true,
				ImportStateVerifyIgnore: []string{"path"},
			},
		},
	})
}

func TestTrainingFile_badInputIsRefusedAtPlan(t *testing.T) {
	env := newTestEnv(t, emulator.Options{})
	dir := t.TempDir()
	tests := []struct {
		name, content, want string
	}{
		{"not JSON", datasetV1 + "{oops\n", `line 2: not valid JSON`},
		{"array line", "\n" + `[{"role":"user"}]` + "\n", `line 2: expected a JSON object, got a list`},
		{"no messages", `{"prompt":"x"}`, `line 1: no "messages"`},
		{"numeric content", `{"messages":[{"role":"user","content":1}]}`, `line 1: messages\[0\]\.content must be`},
		{"not UTF-8", "{\"messages\":[{\"role\":\"user\",\"content\":\"\xff\"}]}", `line 1: not valid UTF-8`},
		{"empty file", "", `the file has no records`},
	}
	var steps []resource.TestStep
	for i, tt := range tests {
		p := filepath.Join(dir, fmt.Sprintf("bad%d.jsonl", i))
		writeTrainingFile(t, p, tt.content)
		steps = append(steps, resource.TestStep{
			Config:      trainingFileConfig(env, p, ""),
			PlanOnly:    true,
			ExpectError: regexp.MustCompile(`(?s)Invalid training file.*` + tt.want),
		})
	}
	steps = append(steps, resource.TestStep{
		Config:      trainingFileConfig(env, filepath.Join(dir, "missing.jsonl"), ""),
		PlanOnly:    true,
		ExpectError: regexp.MustCompile(`Cannot read the training file`),
	})
	resource.UnitTest(t, resource.TestCase{ProtoV6ProviderFactories: testProviderFactories, Steps: steps})
	if n := len(env.emu.Files()); n != 0 {
		t.Errorf("%d files uploaded from bad input", n)
	}
}

func TestTrainingFile_adoptsIdenticalContentAndReuploadsWhenGone(t *testing.T) {
	env := newTestEnv(t, emulator.Options{SFT: emulator.SFTOptions{ConflictOmitsID: true, FilesRouteMissing: true}})
	p := filepath.Join(t.TempDir(), "train.jsonl")
	writeTrainingFile(t, p, datasetV1)
	// Another tool uploaded the same content first.
	other := filepath.Join(t.TempDir(), "other.jsonl")
	writeTrainingFile(t, other, datasetV1)
	preID := uploadWithClient(t, env, other)

	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testProviderFactories,
		Steps: []resource.TestStep{
			{
				Config: trainingFileConfig(env, p, `  purpose = "sft_training"`),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(trainingFileAddr, tfjsonpath.New("purpose"), knownvalue.StringExact("sft_training")),
				},
				Check: wantLiveFiles(env, datasetV1, datasetV1), // another purpose is another file
			},
			{
				Config: trainingFileConfig(env, p, ""),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(trainingFileAddr, plancheck.ResourceActionDestroyBeforeCreate)},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					// The 409 named no file: the listing found the one with the
					// same hash.
					statecheck.ExpectKnownValue(trainingFileAddr, tfjsonpath.New("id"), knownvalue.StringExact(preID)),
				},
			},
			{
				// Deleted behind Terraform's back: refresh notices, apply uploads again.
				PreConfig: func() { deleteOnBackend(t, env, preID) },
				Config:    trainingFileConfig(env, p, ""),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(trainingFileAddr, plancheck.ResourceActionCreate)},
				},
				Check: wantLiveFiles(env, datasetV1),
			},
		},
	})
}

func testClient(t *testing.T, env *testEnv) *synthapi.Client {
	t.Helper()
	c, err := synthapi.NewClient(env.backendURL, testAPIKey)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func uploadWithClient(t *testing.T, env *testEnv, p string) string {
	t.Helper()
	f, err := testClient(t, env).UploadFile(t.Context(), synthapi.UploadFileParams{Path: p})
	if err != nil {
		t.Fatal(err)
	}
	return f.ID
}

func deleteOnBackend(t *testing.T, env *testEnv, id string) {
	t.Helper()
	if err := testClient(t, env).DeleteFile(t.Context(), id); err != nil {
		t.Fatal(err)
	}
}

// The resource page's example, applied against the emulator with the
// datasets shipped beside it. Terraform starts a provider in its own working
// directory, where "${path.module}/train.jsonl" is found; the in-process
// provider of a test runs in the test's, so the test moves there.
func TestExample_trainingFilePage(t *testing.T) {
	dir, err := filepath.Abs(filepath.Join("..", "..", "examples", "resources", "synth_training_file"))
	if err != nil {
		t.Fatal(err)
	}
	t.Chdir(dir)
	env := newTestEnv(t, emulator.Options{})
	useEmulatorEnvironment(t, env)
	t.Setenv("TF_ACC_PROVIDER_NAMESPACE", "hashicorp")
	applyExample(t, resource.TestStep{
		ConfigDirectory: tfconfig.StaticDirectory(dir),
		ConfigStateChecks: []statecheck.StateCheck{
			statecheck.ExpectKnownOutputValue("training_file_id", knownvalue.StringRegexp(regexp.MustCompile(`^file_`))),
		},
		Check: func(*terraform.State) error {
			if n := len(liveFiles(env)); n != 2 {
				return fmt.Errorf("the example uploaded %d files, want 2", n)
			}
			return nil
		},
	})
}

// fileBackend answers uploads as scripted and records deletions; every
// other backend method is left nil, as upload must not call them.
type fileBackend struct {
	backend
	answer  synthapi.TrainingFile
	deleted []string
}

func (f *fileBackend) UploadFile(context.Context, synthapi.UploadFileParams) (*synthapi.TrainingFile, error) {
	answer := f.answer
	return &answer, nil
}

func (f *fileBackend) DeleteFile(_ context.Context, id string) error {
	f.deleted = append(f.deleted, id)
	return nil
}

// TestTrainingFile_uploadTrustsOnlyTheStreamedHash: Create reads a checked
// file once, through the upload, and refuses (deleting the upload) content
// that is not what the plan checked.
func TestTrainingFile_uploadTrustsOnlyTheStreamedHash(t *testing.T) {
	p := filepath.Join(t.TempDir(), "train.jsonl")
	writeTrainingFile(t, p, datasetV1)
	planned := trainingFileModel{Path: types.StringValue(p), Purpose: types.StringValue("fine-tune"), SHA256: types.StringValue(hexSHA256(datasetV1))}
	r := &trainingFileResource{}

	tests := []struct {
		name        string
		answer      synthapi.TrainingFile
		content     string // the file's content at apply
		wantErr     bool
		wantDeleted int
	}{
		{"streamed what was planned", synthapi.TrainingFile{ID: "f1", SentSHA256: hexSHA256(datasetV1)}, datasetV1, false, 0},
		{"streamed something else", synthapi.TrainingFile{ID: "f2", SentSHA256: hexSHA256(datasetV2)}, datasetV2, true, 1},
		{"adopted, file unchanged", synthapi.TrainingFile{ID: "f3", Adopted: true}, datasetV1, false, 0},
		{"adopted, file changed", synthapi.TrainingFile{ID: "f4", Adopted: true}, datasetV2, true, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			writeTrainingFile(t, p, tt.content)
			api := &fileBackend{answer: tt.answer}
			var diags diag.Diagnostics
			file, rec, ok := r.upload(t.Context(), api, planned, &diags)
			if ok == tt.wantErr || diags.HasError() != tt.wantErr {
				t.Fatalf("ok %v, diags %v", ok, diags)
			}
			if tt.wantErr && !strings.Contains(diags.Errors()[0].Summary(), "changed since the plan") {
				t.Errorf("error %v", diags.Errors()[0])
			}
			if !tt.wantErr && (file.ID != tt.answer.ID || rec.SHA256 != hexSHA256(datasetV1) || rec.Size != int64(len(datasetV1))) {
				t.Errorf("file %+v record %+v", file, rec)
			}
			if len(api.deleted) != tt.wantDeleted {
				t.Errorf("deleted %v, want %d deletions", api.deleted, tt.wantDeleted)
			}
		})
	}
}
