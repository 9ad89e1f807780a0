package provider

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/synth-laboratories/terraform-provider-synth/internal/synthapi"
	"github.com/synth-laboratories/terraform-provider-synth/internal/trainfile"
)

var (
	_ resource.Resource                = (*trainingFileResource)(nil)
	_ resource.ResourceWithConfigure   = (*trainingFileResource)(nil)
	_ resource.ResourceWithModifyPlan  = (*trainingFileResource)(nil)
	_ resource.ResourceWithImportState = (*trainingFileResource)(nil)
)

// trainingFileResource uploads a JSONL dataset (§9).
type trainingFileResource struct {
	data *providerData
}

func newTrainingFileResource() resource.Resource { return &trainingFileResource{} }

func (r *trainingFileResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_training_file"
}

func (r *trainingFileResource) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	r.data = providerDataFrom(req.ProviderData, &resp.Diagnostics)
}

// privateLocalKey holds what the provider last learned of the local file:
// its size and modification time, and the hash of the content it had then.
// A plan whose file still has that size and time trusts the hash and reads
// nothing, so that planning a gigabyte dataset costs a stat.
const privateLocalKey = "synth_local_file"

type localRecord struct {
	Path    string `json:"path"`
	Size    int64  `json:"size"`
	ModNano int64  `json:"mtime_ns"`
	SHA256  string `json:"sha256"`
}

type privateGetter interface {
	GetKey(context.Context, string) ([]byte, diag.Diagnostics)
}

type privateSetter interface {
	SetKey(context.Context, string, []byte) diag.Diagnostics
}

func readLocalRecord(ctx context.Context, private privateGetter) localRecord {
	var rec localRecord
	if private == nil {
		return rec
	}
	raw, _ := private.GetKey(ctx, privateLocalKey)
	if len(raw) > 0 {
		_ = json.Unmarshal(raw, &rec) // an unreadable record is no record
	}
	return rec
}

func writeLocalRecord(ctx context.Context, private privateSetter, rec localRecord, diags *diag.Diagnostics) {
	if private == nil || rec.SHA256 == "" {
		return
	}
	raw, _ := json.Marshal(rec) // a struct of strings and ints always encodes
	diags.Append(private.SetKey(ctx, privateLocalKey, raw)...)
}

// localFile is the local dataset as the plan or the apply sees it.
type localFile struct {
	record localRecord
	// checked is set when the file was read in full just now, nil when the
	// record was trusted instead.
	checked *trainfile.Result
}

// inspect learns the hash of the file at p: from rec when the file's size
// and modification time are the recorded ones, else by checking it in full,
// which reports every problem on path.
func inspect(p string, rec localRecord, diags *diag.Diagnostics) (localFile, bool) {
	now, ok := statLocal(p, diags)
	if !ok {
		return localFile{}, false
	}
	if rec.SHA256 != "" && rec.Path == now.Path && rec.Size == now.Size && rec.ModNano == now.ModNano {
		now.SHA256 = rec.SHA256
		return localFile{record: now}, true
	}
	res, err := trainfile.CheckFile(p)
	if err != nil {
		diags.AddAttributeError(path.Root("path"), "Cannot read the training file", err.Error())
		return localFile{}, false
	}
	if !res.OK() {
		diags.AddAttributeError(path.Root("path"), "Invalid training file", describeFindings(p, res.Problems, res.MoreProblems, "problem"))
		return localFile{}, false
	}
	if len(res.Warnings) > 0 {
		diags.AddAttributeWarning(path.Root("path"), "Training file warnings", describeFindings(p, res.Warnings, res.MoreWarnings, "warning"))
	}
	// The record describes the content that was hashed, so it takes the
	// size read, not the size the stat saw a moment before.
	now.SHA256, now.Size = res.SHA256, res.Bytes
	return localFile{record: now, checked: res}, true
}

// statLocal is the record of the file at p without its hash.
func statLocal(p string, diags *diag.Diagnostics) (localRecord, bool) {
	abs, err := filepath.Abs(p)
	if err != nil {
		abs = p
	}
	info, err := os.Stat(p)
	if err != nil {
		diags.AddAttributeError(path.Root("path"), "Cannot read the training file", err.Error())
		return localRecord{}, false
	}
	if !info.Mode().IsRegular() {
		diags.AddAttributeError(path.Root("path"), "Not a training file", fmt.Sprintf("%s is not a regular file.", p))
		return localRecord{}, false
	}
	return localRecord{Path: abs, Size: info.Size(), ModNano: info.ModTime().UnixNano()}, true
}

func describeFindings(p string, fs []trainfile.Finding, more int, noun string) string {
	lines := make([]string, 0, len(fs)+2)
	lines = append(lines, p+":")
	for _, f := range fs {
		lines = append(lines, "  "+f.String())
	}
	if more > 0 {
		lines = append(lines, fmt.Sprintf("  … and %d more %ss", more, noun))
	}
	return strings.Join(lines, "\n")
}

// ModifyPlan checks the dataset and plans a replacement when its content
// changed. It reads the file only when its size or modification time
// differ from what the provider recorded last (see privateLocalKey).
func (r *trainingFileResource) ModifyPlan(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	if req.Plan.Raw.IsNull() {
		return // destroy
	}
	var plan trainingFileModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() || plan.Path.IsUnknown() {
		return // an unknown path is checked at apply
	}
	local, ok := inspect(plan.Path.ValueString(), readLocalRecord(ctx, req.Private), &resp.Diagnostics)
	if !ok {
		return
	}
	sum, size := types.StringValue(local.record.SHA256), types.Int64Value(local.record.Size)
	if req.State.Raw.IsNull() {
		plan.SHA256, plan.Bytes = sum, size
		resp.Diagnostics.Append(resp.Plan.Set(ctx, &plan)...)
		return
	}
	var state trainingFileModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	writeLocalRecord(ctx, resp.Private, local.record, &resp.Diagnostics)
	switch {
	case state.SHA256.ValueString() == local.record.SHA256:
		return
	case state.SHA256.ValueString() == "" && (state.Bytes.ValueInt64() == 0 || state.Bytes.ValueInt64() == local.record.Size):
		// An imported file whose backend reports no hash: the local one is
		// taken as its hash, since nothing says the content differs.
		plan.SHA256, plan.Bytes = sum, size
	default:
		plan.SHA256, plan.Bytes = sum, size
		plan.ID, plan.Filename, plan.Status, plan.CreatedAt = types.StringUnknown(), types.StringUnknown(), types.StringUnknown(), types.StringUnknown()
		resp.RequiresReplace = append(resp.RequiresReplace, path.Root("sha256"))
	}
	resp.Diagnostics.Append(resp.Plan.Set(ctx, &plan)...)
}

// modelSource is a plan or a state, which Create, Read and Delete start from.
type modelSource interface {
	Get(ctx context.Context, target any) diag.Diagnostics
}

// open reads the model from src and makes a backend client, with the
// provider's secrets masked in ctx: the first steps of Create, Read and
// Delete.
func (r *trainingFileResource) open(ctx context.Context, src modelSource, diags *diag.Diagnostics) (context.Context, trainingFileModel, backend, bool) {
	var m trainingFileModel
	diags.Append(src.Get(ctx, &m)...)
	if diags.HasError() {
		return ctx, m, nil, false
	}
	ctx = r.data.maskSecrets(ctx)
	api, ok := r.data.backend(diags)
	return ctx, m, api, ok
}

// Create streams the file to the backend (see upload) and waits until the
// backend says it is ready.
func (r *trainingFileResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	ctx, plan, api, ok := r.open(ctx, req.Plan, &resp.Diagnostics)
	if !ok {
		return
	}
	file, local, ok := r.upload(ctx, api, plan, &resp.Diagnostics)
	if !ok {
		return
	}
	plan.ID = types.StringValue(file.ID)
	plan.SHA256, plan.Bytes = types.StringValue(local.SHA256), types.Int64Value(local.Size)
	plan.Filename = types.StringValue(firstNonEmpty(file.Filename, filepath.Base(plan.Path.ValueString())))
	plan.Status, plan.CreatedAt = types.StringValue(file.Status), types.StringValue(file.CreatedAt)
	// The id goes to state before the wait, so that a failed wait leaves
	// the file in state (tainted) rather than on the backend unknown.
	resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
	writeLocalRecord(ctx, resp.Private, local, &resp.Diagnostics)
	if resp.Diagnostics.HasError() {
		return
	}

	ready, isReady, err := api.WaitFileReady(ctx, file.ID, synthapi.FileWaitOptions{
		OnUnknownStatus: func(ctx context.Context, f *synthapi.TrainingFile) {
			tflog.Warn(ctx, "the backend reports a file status the provider does not know; still waiting", map[string]any{"file_id": f.ID, "status": f.Status})
		},
		OnTransientError: func(ctx context.Context, err error) {
			tflog.Debug(ctx, "the file is not readable yet", map[string]any{"file_id": file.ID, "error": err.Error()})
		},
	})
	if err != nil {
		resp.Diagnostics.AddError("Could not confirm the training file", fmt.Sprintf("The file %s was uploaded, but reading it back failed: %v", file.ID, err))
		return
	}
	if !isReady {
		resp.Diagnostics.AddWarning("Training file not ready yet",
			fmt.Sprintf("The backend had not reported file %s ready after 2 minutes; it checks the file again when a job is created.", file.ID))
	}
	if ready != nil {
		plan.setFromBackend(ready)
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
}

// upload sends the file, reading it as few times as it can. A file the plan
// already checked is read once, by the upload itself, and the hash of what
// was streamed must be the planned one: equal hashes mean the checked
// content. A file the plan could not see (its path was unknown) is checked
// first. Content that changed since the plan is deleted again and is an
// error.
func (r *trainingFileResource) upload(ctx context.Context, api backend, plan trainingFileModel, diags *diag.Diagnostics) (*synthapi.TrainingFile, localRecord, bool) {
	p := plan.Path.ValueString()
	var rec localRecord
	checkedNow := plan.SHA256.IsUnknown() || plan.SHA256.ValueString() == ""
	if checkedNow {
		local, ok := inspect(p, localRecord{}, diags)
		if !ok {
			return nil, rec, false
		}
		rec = local.record
	} else {
		var ok bool
		if rec, ok = statLocal(p, diags); !ok {
			return nil, rec, false
		}
		rec.SHA256 = plan.SHA256.ValueString()
	}

	file, err := api.UploadFile(ctx, synthapi.UploadFileParams{
		Path:           p,
		Purpose:        plan.Purpose.ValueString(),
		SHA256:         rec.SHA256,
		IdempotencyKey: synthapi.NewIdempotencyKey(),
	})
	if err != nil {
		diags.AddAttributeError(path.Root("path"), "Could not upload the training file", err.Error())
		return nil, rec, false
	}
	if file.Adopted {
		tflog.Info(ctx, "the backend already holds this content; using its file", map[string]any{"file_id": file.ID})
	}
	want, sent := rec.SHA256, file.SentSHA256
	if sent == "" {
		// Adopted (the backend compared what it got, not what was planned)
		// or not streamed whole: only reading the file tells.
		sent = want
		if !checkedNow {
			local, ok := inspect(p, localRecord{}, diags)
			if !ok {
				return nil, rec, false
			}
			rec, sent = local.record, local.record.SHA256
		}
	}
	if sent != want {
		if !file.Adopted {
			if err := api.DeleteFile(ctx, file.ID); err != nil {
				tflog.Warn(ctx, "could not delete the unplanned upload", map[string]any{"file_id": file.ID, "error": err.Error()})
			}
		}
		diags.AddAttributeError(path.Root("path"), "The training file changed since the plan",
			fmt.Sprintf("%s had SHA-256 %s when it was uploaded; the plan was made for %s. Plan again to upload the new content.", p, sent, want))
		return nil, rec, false
	}
	return file, rec, true
}

// setFromBackend records what the backend says of the file, keeping what
// the state knows when the backend does not say.
func (m *trainingFileModel) setFromBackend(f *synthapi.TrainingFile) {
	m.Status = types.StringValue(f.Status)
	if f.CreatedAt != "" || m.CreatedAt.IsNull() || m.CreatedAt.IsUnknown() {
		m.CreatedAt = types.StringValue(f.CreatedAt)
	}
	if f.Filename != "" && (m.Filename.IsNull() || m.Filename.IsUnknown()) {
		m.Filename = types.StringValue(f.Filename)
	}
	if m.Purpose.IsNull() || m.Purpose.IsUnknown() {
		m.Purpose = types.StringValue(firstNonEmpty(f.Purpose, synthapi.DefaultFilePurpose))
	}
	if m.SHA256.IsNull() || m.SHA256.IsUnknown() || m.SHA256.ValueString() == "" {
		m.SHA256 = types.StringValue(f.SHA256)
	}
	if m.Bytes.IsNull() || m.Bytes.IsUnknown() || m.Bytes.ValueInt64() == 0 {
		m.Bytes = types.Int64Value(f.Bytes)
	}
}

// Read refreshes the file's status. A file the backend no longer has leaves
// state, so the next apply uploads it again. When the local file's size or
// time changed, it is hashed here, once, so that later plans need not.
func (r *trainingFileResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	ctx, state, api, ok := r.open(ctx, req.State, &resp.Diagnostics)
	if !ok {
		return
	}
	file, err := api.GetFile(ctx, state.ID.ValueString())
	if synthapi.IsNotFound(err) {
		tflog.Warn(ctx, "the backend no longer has the training file; the next apply uploads it again", map[string]any{"file_id": state.ID.ValueString()})
		resp.State.RemoveResource(ctx)
		return
	}
	if err != nil {
		resp.Diagnostics.AddError("Could not read the training file", err.Error())
		return
	}
	state.setFromBackend(file)
	resp.Diagnostics.Append(resp.State.Set(ctx, &state)...)

	if p := state.Path.ValueString(); p != "" {
		// Problems are the plan's to report, on the configured path: here a
		// file that cannot be read or checked is simply not recorded.
		var ignored diag.Diagnostics
		if local, ok := inspect(p, readLocalRecord(ctx, req.Private), &ignored); ok {
			writeLocalRecord(ctx, resp.Private, local.record, &resp.Diagnostics)
		}
	}
}

// Update happens when only path changed and the content did not: the
// backend's file stays as it is.
func (r *trainingFileResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	var plan trainingFileModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() {
		return
	}
	local, ok := inspect(plan.Path.ValueString(), readLocalRecord(ctx, req.Private), &resp.Diagnostics)
	if !ok {
		return
	}
	if !plan.SHA256.IsUnknown() && plan.SHA256.ValueString() != local.record.SHA256 {
		resp.Diagnostics.AddAttributeError(path.Root("path"), "The training file changed since the plan",
			fmt.Sprintf("%s has SHA-256 %s now, the plan was made for %s. Plan again.", plan.Path.ValueString(), local.record.SHA256, plan.SHA256.ValueString()))
		return
	}
	plan.SHA256 = types.StringValue(local.record.SHA256)
	writeLocalRecord(ctx, resp.Private, local.record, &resp.Diagnostics)
	resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
}

// Delete deletes the file; one the backend no longer has, or cannot
// delete (405), is done with.
func (r *trainingFileResource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	ctx, state, api, ok := r.open(ctx, req.State, &resp.Diagnostics)
	if !ok {
		return
	}
	if err := api.DeleteFile(ctx, state.ID.ValueString()); err != nil {
		resp.Diagnostics.AddError("Could not delete the training file", err.Error())
	}
}

// ImportState adopts a file by id; Read then fills in what the backend says.
func (r *trainingFileResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	resource.ImportStatePassthroughID(ctx, path.Root("id"), req, resp)
}
