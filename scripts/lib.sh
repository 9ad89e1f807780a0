# shellcheck shell=bash
# Shared helpers for the scripts in this directory. Source it; do not run it.
#
#   build_provider DIR            go build the provider into DIR/terraform-provider-synth
#   write_cli_config FILE DIR [--also-hashicorp]
#                                 Terraform CLI config with dev_overrides -> DIR
#   start_emulator WORKDIR [ARGS] build and start the local Synth emulator, wait for
#                                 its env file and export the settings it writes
#   stop_emulator                 stop the emulator started by start_emulator
#   detect_cli CLI                asks CLI its version once and sets CLI_NAME
#                                 (Terraform or OpenTofu) and CLI_VERSION (1.15.9)
#   cli_at_least VERSION          whether the CLI detect_cli saw is Terraform VERSION+
#
# Everything here works offline: the provider is dev-overridden, so Terraform
# never needs `terraform init` or the registry.

SYNTH_REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
SYNTH_PROVIDER_SOURCE="registry.terraform.io/synth-laboratories/synth"
# OpenTofu resolves the same source address on its own registry host.
SYNTH_PROVIDER_SOURCE_TOFU="registry.opentofu.org/synth-laboratories/synth"
SYNTH_PROVIDER_BINARY="terraform-provider-synth"
EMULATOR_PID=""

# Terraform: no update/telemetry calls (there is no network), no color codes
# in CI logs, and no "run terraform init" hints.
export CHECKPOINT_DISABLE=1
export TF_IN_AUTOMATION=1

log() { printf '==> %s\n' "$*" >&2; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }

need() {
  local cmd
  for cmd in "$@"; do
    command -v "$cmd" >/dev/null 2>&1 || die "'$cmd' is required but not on PATH"
  done
}

# build_provider DIR: build the provider binary into DIR.
build_provider() {
  local dir="$1"
  need go
  mkdir -p "$dir"
  log "building ${SYNTH_PROVIDER_BINARY} into ${dir}"
  (cd "$SYNTH_REPO_ROOT" && go build -ldflags "-X main.version=${VERSION:-dev}" -o "${dir}/${SYNTH_PROVIDER_BINARY}" .)
}

# write_cli_config FILE DIR [--also-hashicorp]: write a CLI config that takes
# the synth provider from DIR instead of the registry, under Terraform's and
# OpenTofu's registry hosts both, so one file serves either CLI.
# --also-hashicorp also overrides registry.terraform.io/hashicorp/synth, the
# address Terraform infers for `synth_*` blocks in a configuration without a
# required_providers entry (as in the per-resource documentation examples).
write_cli_config() {
  local file="$1" dir="$2" extra=""
  if [ "${3:-}" = "--also-hashicorp" ]; then
    extra="    \"registry.terraform.io/hashicorp/synth\" = \"${dir}\"
    \"registry.opentofu.org/hashicorp/synth\" = \"${dir}\""
  fi
  cat >"$file" <<CONFIG
provider_installation {
  dev_overrides {
    "${SYNTH_PROVIDER_SOURCE}" = "${dir}"
    "${SYNTH_PROVIDER_SOURCE_TOFU}" = "${dir}"
${extra}
  }
  direct {}
}
CONFIG
}

# load_env_file FILE: export every KEY=value line of FILE (no shell evaluation).
# Each key is also exported as TF_VAR_<lowercase key>, so a configuration that
# declares e.g. variable "synth_api_key" picks it up; Terraform ignores
# TF_VAR_ variables that no configuration declares.
load_env_file() {
  local line key value
  while IFS= read -r line || [ -n "$line" ]; do
    case "$line" in
      '' | '#'*) continue ;;
      *=*) ;;
      *) continue ;;
    esac
    key="${line%%=*}"
    value="${line#*=}"
    export "${key}=${value}"
    export "TF_VAR_$(printf '%s' "$key" | tr '[:upper:]' '[:lower:]')=${value}"
  done <"$1"
}

# start_emulator WORKDIR [EMULATOR ARGS...]: build the emulator, start it in the
# background, wait until it has written WORKDIR/emulator.env (it does so,
# atomically, once both its servers listen) and export what it wrote.
start_emulator() {
  local workdir="$1"
  shift
  local bin="${workdir}/synth-emulator" env_file="${workdir}/emulator.env" logf="${workdir}/emulator.log"
  need go
  log "building the emulator"
  (cd "$SYNTH_REPO_ROOT" && go build -o "$bin" ./internal/emulator/cmd/synth-emulator)
  rm -f "$env_file"
  log "starting the emulator (log: ${logf})"
  "$bin" -env-file "$env_file" "$@" </dev/null >"$logf" 2>&1 &
  EMULATOR_PID=$!
  local waited=0
  until [ -s "$env_file" ]; do
    if ! kill -0 "$EMULATOR_PID" 2>/dev/null; then
      EMULATOR_PID=""
      cat "$logf" >&2 || true
      die "the emulator exited before writing ${env_file}"
    fi
    if [ "$waited" -ge 600 ]; then # 600 x 0.1 s = 60 s
      cat "$logf" >&2 || true
      die "the emulator did not write ${env_file} within 60 s"
    fi
    sleep 0.1
    waited=$((waited + 1))
  done
  load_env_file "$env_file"
  log "emulator up (pid ${EMULATOR_PID}): SYNTH_BACKEND_URL=${SYNTH_BACKEND_URL:-?} TASK_APP_URL=${TASK_APP_URL:-?}"
}

# stop_emulator: stop the emulator started by start_emulator, if any.
stop_emulator() {
  if [ -n "${EMULATOR_PID:-}" ]; then
    if kill -0 "$EMULATOR_PID" 2>/dev/null; then
      kill "$EMULATOR_PID" 2>/dev/null || true
      wait "$EMULATOR_PID" 2>/dev/null || true
    fi
    EMULATOR_PID=""
  fi
}

# detect_cli CLI: ask CLI (a name on PATH or a path) its version, once, and set
# CLI_NAME to Terraform or OpenTofu and CLI_VERSION to its version without the
# "v" (empty when it cannot be read). The plain `version` output names the
# product, which `version -json` does not; OpenTofu may print CLI config
# warnings ahead of it, hence the search for the line.
detect_cli() {
  local line
  line="$("$1" version 2>/dev/null | grep -E -m1 '^(Terraform|OpenTofu) v' || true)"
  CLI_NAME="${line%% *}"
  CLI_VERSION="${line#* v}"
  if [ -z "$line" ]; then
    CLI_NAME="" CLI_VERSION=""
  fi
}

# cli_at_least VERSION: whether the CLI detect_cli last saw is Terraform at
# VERSION or later (a pre-release counts as its release). OpenTofu never is:
# the Terraform features gated on versions (actions, query) are not in it.
cli_at_least() {
  [ "${CLI_NAME:-}" = Terraform ] && [ -n "${CLI_VERSION:-}" ] &&
    [ "$(printf '%s\n%s\n' "${CLI_VERSION%%-*}" "$1" | sort -V | head -n1)" = "$1" ]
}
