#!/usr/bin/env bash
# make demo: run examples/quickstart, then examples/watch-training when the
# CLI has actions, against the local Synth emulator, offline.
#
# Builds the provider and the emulator, starts the emulator, points Terraform
# at the freshly built provider through dev_overrides (so no `terraform init`
# and no registry), applies the quickstart, prints its outputs and destroys it.
# The emulator and the temporary directory are always cleaned up.
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
start_emulator "$work" -run-time 5s -queue-time 1s

write_cli_config "${work}/terraform.rc" "${work}/bin"
export TF_CLI_CONFIG_FILE="${work}/terraform.rc"

mkdir -p "${work}/quickstart"
# Copy the configuration only (never someone's local state or .terraform/).
find "${SYNTH_REPO_ROOT}/examples/quickstart" -maxdepth 1 -type f \
  ! -name '*.tfstate' ! -name '*.tfstate.*' ! -name '.terraform.lock.hcl' \
  -exec cp {} "${work}/quickstart/" \;
cd "${work}/quickstart"

# No color codes when the output is a log rather than a terminal.
color=()
[ -t 1 ] || color=(-no-color)

log "terraform apply"
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
  mkdir -p "${work}/watch-training"
  cp "${SYNTH_REPO_ROOT}"/examples/watch-training/*.tf "${work}/watch-training/"
  cd "${work}/watch-training"
  log "terraform apply (watch-training: the synth_rl_job_watch action prints the training as it runs)"
  terraform apply -auto-approve -input=false "${color[@]}"
  log "terraform destroy"
  terraform destroy -auto-approve -input=false "${color[@]}"
fi

log "demo finished"
