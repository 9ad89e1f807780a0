#!/usr/bin/env bash
# Runs the Terraform tests once per CLI in TF_MATRIX (space-separated CLI
# paths or names; unset or empty means the `terraform` on PATH):
#   - the internal/provider package (acceptance tests and the runnable
#     examples applied against the emulator; its few pure unit tests run
#     with it, they are cheap), through terraform-plugin-testing;
#   - check-examples.sh (every example's `validate`) with that CLI.
# OpenTofu is driven as terraform-plugin-testing supports it:
# TF_ACC_TERRAFORM_PATH=<tofu> and TF_ACC_PROVIDER_HOST=registry.opentofu.org.
# Each CLI prints one summary line; the run fails if any CLI failed, and
# says which. TF_MATRIX_RUN, if set, is passed to go test as -run, to try a
# few tests on every CLI.
set -euo pipefail

# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
need go
cd "$SYNTH_REPO_ROOT"

read -r -a clis <<<"${TF_MATRIX:-}"
[ "${#clis[@]}" -gt 0 ] || clis=(terraform)

work="$(mktemp -d "${TMPDIR:-/tmp}/synth-test-matrix.XXXXXX")"
trap 'rm -rf "$work"' EXIT
go build -o "${work}/testsummary" ./scripts/testsummary

# OpenTofu prints "Unable to open CLI configuration file" on stdout, ahead of
# `tofu version`, where terraform-exec then cannot find the version: a
# TF_CLI_CONFIG_FILE naming a missing file is replaced by an empty one.
if [ -n "${TF_CLI_CONFIG_FILE:-}" ] && [ ! -e "$TF_CLI_CONFIG_FILE" ]; then
  log "TF_CLI_CONFIG_FILE=${TF_CLI_CONFIG_FILE} does not exist; using an empty CLI config instead"
  : >"${work}/empty.tfrc"
  export TF_CLI_CONFIG_FILE="${work}/empty.tfrc"
fi

summaries=()
failed=()
for cli in "${clis[@]}"; do
  path="$(command -v "$cli")" || die "TF_MATRIX names ${cli}, which is not an executable or not on PATH"
  detect_cli "$path"
  unset TF_ACC_PROVIDER_HOST
  if [ "$CLI_NAME" = OpenTofu ]; then
    export TF_ACC_PROVIDER_HOST=registry.opentofu.org
  fi
  label="${CLI_NAME:-Terraform} ${CLI_VERSION:-?}"
  log "${label} (${path}): Terraform tests"
  start=$SECONDS
  status=ok
  if ! TF_ACC_TERRAFORM_PATH="$path" go test ./internal/provider -count=1 -timeout 30m ${TF_MATRIX_RUN:+-run "$TF_MATRIX_RUN"} -json 2>&1 |
    "${work}/testsummary" -label "${label} (${path})" | tee "${work}/summary"; then
    status=failed
  fi
  summary="$(tail -n1 "${work}/summary")"
  if ! SYNTH_TF_CLI="$path" bash scripts/check-examples.sh; then
    status=failed
    summary+="; examples validate FAILED"
  fi
  summary+=" [$((SECONDS - start)) s]"
  summaries+=("$summary")
  [ "$status" = ok ] || failed+=("$label")
done
unset TF_ACC_PROVIDER_HOST

printf '\nTerraform test matrix:\n'
printf '  %s\n' "${summaries[@]}"
if [ "${#failed[@]}" -gt 0 ]; then
  printf 'test-matrix: failed on: %s\n' "${failed[*]}" >&2
  exit 1
fi
