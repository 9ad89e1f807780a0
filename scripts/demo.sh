#!/usr/bin/env bash
# make demo: run examples/fft-first (dataset -> full fine-tune -> RL policy),
# then examples/quickstart, then examples/watch-training when the CLI has
# actions, against the local Synth emulator, offline.
#
# Builds the provider and the emulator, starts the emulator, points Terraform
# at the freshly built provider through dev_overrides (so no `terraform init`
# and no registry), applies each example, prints its outputs and destroys it.
# The emulator's jobs queue for 0.5 s and run for 2 s, so the whole demo
# stays under a minute. The emulator and the temporary directory are always
# cleaned up.
set -euo pipefail

# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

need go terraform

work="$(mktemp -d "${TMPDIR:-/tmp}/synth-demo.XXXXXX")"
cleanup() {
  local rc=$?
  stop_emulator
  rm -rf "$work"
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

build_provider "${work}/bin"
start_emulator "$work" -run-time 2s -queue-time 500ms -file-ready-lag 500ms -model-lag 1s

write_cli_config "${work}/terraform.rc" "${work}/bin"
export TF_CLI_CONFIG_FILE="${work}/terraform.rc"

# No color codes when the output is a log rather than a terminal.
color=()
[ -t 1 ] || color=(-no-color)

# copy_example NAME: copy examples/NAME's files (never someone's local state
# or .terraform/) into the work directory and change into the copy.
copy_example() {
  mkdir -p "${work}/$1"
  find "${SYNTH_REPO_ROOT}/examples/$1" -maxdepth 1 -type f \
    ! -name '*.tfstate' ! -name '*.tfstate.*' ! -name '.terraform.lock.hcl' \
    -exec cp {} "${work}/$1/" \;
  cd "${work}/$1"
}

copy_example fft-first
log "terraform apply (fft-first: upload the dataset, fine-tune Qwen/Qwen3-4B, train RL from its checkpoint)"
terraform apply -auto-approve -input=false "${color[@]}"

log "the FFT-first chain"
records="$(grep -c . train.jsonl)"
printf '  %-10s %s\n' \
  "dataset" "train.jsonl (${records} records, sha256 $(sha256sum train.jsonl | cut -c1-12)…)" \
  "file id" "$(terraform output -raw training_file_id)" \
  "fft model" "$(terraform output -raw fft_model)" \
  "rl policy" "$(terraform output -raw rl_policy)"

log "terraform destroy"
terraform destroy -auto-approve -input=false "${color[@]}"

copy_example quickstart
log "terraform apply (quickstart: one RL job from the base model)"
terraform apply -auto-approve -input=false "${color[@]}"

log "terraform output"
terraform output "${color[@]}"

log "terraform destroy"
terraform destroy -auto-approve -input=false "${color[@]}"

# Actions stream the training into the apply's output, on Terraform 1.14+.
detect_cli terraform
if [ "$CLI_NAME" = OpenTofu ]; then
  log "skipping examples/watch-training: OpenTofu has no actions, so it cannot show training progress"
elif ! cli_at_least 1.14.0; then
  log "skipping examples/watch-training: Terraform ${CLI_VERSION:-of unknown version} has no actions (1.14+), so it cannot show training progress"
else
  copy_example watch-training
  log "terraform apply (watch-training: the synth_rl_job_watch action prints the training as it runs)"
  terraform apply -auto-approve -input=false "${color[@]}"
  log "terraform destroy"
  terraform destroy -auto-approve -input=false "${color[@]}"
fi

log "demo finished"
