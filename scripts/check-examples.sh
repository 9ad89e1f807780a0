#!/usr/bin/env bash
# Fails when a resource or data source has no example, then runs
# `terraform validate` in every examples/ directory that holds .tf files.
#
# The list of resources and data sources comes from the generated docs/ (run
# `make generate` first; `make test` runs check-docs.sh, which does):
#   docs/resources/<name>.md    needs examples/resources/synth_<name>/resource.tf, and import.sh
#                               unless its page says the resource "cannot be imported"
#   docs/data-sources/<name>.md needs examples/data-sources/synth_<name>/data-source.tf
#   docs/functions/<name>.md    needs examples/functions/<name>/function.tf
#   docs/index.md               needs examples/provider/provider.tf
#
# Validation is offline: the provider is built and dev-overridden (both under
# synth-laboratories/synth and under hashicorp/synth, the address Terraform
# infers for examples without required_providers), so `terraform validate`
# needs no `terraform init`. Local modules, if an example uses any, are
# fetched with `terraform get`, which does not touch the registry.
set -euo pipefail

# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

tf="${SYNTH_TF_CLI:-terraform}"
need go "$tf"
cd "$SYNTH_REPO_ROOT"

[ -d docs ] || die "docs/ does not exist: run 'make generate' first"

missing=()
shopt -s nullglob
for page in docs/resources/*.md; do
  name="$(basename "$page" .md)"
  dir="examples/resources/synth_${name}"
  [ -f "${dir}/resource.tf" ] || missing+=("${dir}/resource.tf (resource synth_${name}, ${page})")
  if [ ! -f "${dir}/import.sh" ] && ! grep -q "cannot be imported" "$page"; then
    missing+=("${dir}/import.sh (resource synth_${name}, ${page})")
  fi
done
for page in docs/data-sources/*.md; do
  name="$(basename "$page" .md)"
  dir="examples/data-sources/synth_${name}"
  [ -f "${dir}/data-source.tf" ] || missing+=("${dir}/data-source.tf (data source synth_${name}, ${page})")
done
for page in docs/list-resources/*.md; do
  name="$(basename "$page" .md)"
  file="examples/list-resources/synth_${name}/list-resource.tfquery.hcl"
  [ -f "$file" ] || missing+=("${file} (list resource synth_${name}, ${page})")
done
for page in docs/actions/*.md; do
  name="$(basename "$page" .md)"
  file="examples/actions/synth_${name}/action.tf"
  [ -f "$file" ] || missing+=("${file} (action synth_${name}, ${page})")
done
for page in docs/functions/*.md; do
  name="$(basename "$page" .md)"
  file="examples/functions/${name}/function.tf"
  [ -f "$file" ] || missing+=("${file} (function provider::synth::${name}, ${page})")
done
if [ -f docs/index.md ] && [ ! -f examples/provider/provider.tf ]; then
  missing+=("examples/provider/provider.tf (provider, docs/index.md)")
fi
shopt -u nullglob

if [ "${#missing[@]}" -gt 0 ]; then
  printf 'check-examples: missing examples:\n' >&2
  printf '  - %s\n' "${missing[@]}" >&2
  exit 1
fi
log "every resource, data source, list resource, action and function has its example files"

mapfile -t dirs < <(find examples -type f \( -name '*.tf' -o -name '*.tfquery.hcl' \) -not -path '*/.terraform/*' -printf '%h\n' | sort -u)

# Actions and list resources (query files) need Terraform 1.14, and `caller`
# and a trigger's `on_failure` need 1.16: an older CLI cannot parse them, so
# those directories are skipped, saying so. A 1.16 pre-release counts as 1.16.
detect_cli "$tf"
tf_version="${CLI_VERSION:-unknown}"
needs_1_14() {
  compgen -G "$1/*.tfquery.hcl" >/dev/null || grep -qE '^[[:space:]]*(action[[:space:]]+"|action_trigger)' "$1"/*.tf 2>/dev/null
}
needs_1_16() {
  grep -qE '(^|[^[:alnum:]_.])caller\.|^[[:space:]]*on_failure[[:space:]]*=' "$1"/*.tf 2>/dev/null
}
[ "${#dirs[@]}" -gt 0 ] || die "no .tf files under examples/"

work="$(mktemp -d "${TMPDIR:-/tmp}/synth-check-examples.XXXXXX")"
trap 'rm -rf "$work"' EXIT

build_provider "${work}/bin"
write_cli_config "${work}/terraform.rc" "${work}/bin" --also-hashicorp
export TF_CLI_CONFIG_FILE="${work}/terraform.rc"

failed=()
for dir in "${dirs[@]}"; do
  # Keep .terraform/ (modules) out of the work tree.
  export TF_DATA_DIR="${work}/data/${dir//\//_}"
  if needs_1_14 "$dir" && ! cli_at_least 1.14.0; then
    log "skipping ${dir}: it uses actions or terraform query, which ${tf##*/} ${tf_version} does not have (Terraform 1.14+)"
    continue
  fi
  if needs_1_16 "$dir" && ! cli_at_least 1.16.0; then
    log "skipping ${dir}: it uses an action's caller or a trigger's on_failure, which ${tf##*/} ${tf_version} does not have (Terraform 1.16+)"
    continue
  fi
  log "${tf##*/} validate ${dir}"
  if grep -qsE '^[[:space:]]*module[[:space:]]+"' "$dir"/*.tf; then
    if ! "$tf" -chdir="$dir" get -no-color >"${work}/get.log" 2>&1; then
      cat "${work}/get.log" >&2
      failed+=("$dir (terraform get)")
      continue
    fi
  fi
  if ! "$tf" -chdir="$dir" validate -no-color >"${work}/validate.log" 2>&1; then
    cat "${work}/validate.log" >&2
    failed+=("$dir")
  fi
done
unset TF_DATA_DIR

if [ "${#failed[@]}" -gt 0 ]; then
  printf 'check-examples: terraform validate failed in:\n' >&2
  printf '  - %s\n' "${failed[@]}" >&2
  exit 1
fi
log "${tf##*/} validate passed in ${#dirs[@]} example directories"
