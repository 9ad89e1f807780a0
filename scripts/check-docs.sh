#!/usr/bin/env bash
# Regenerates docs/ (make generate -> go generate -> tfplugindocs) and fails
#   - when docs/ differs from what is committed (modified or untracked files),
#   - when a generated page lists an attribute without a description
#     (tfplugindocs renders it as "- `name` (Type)" with nothing after).
set -euo pipefail

# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

need go git terraform
cd "$SYNTH_REPO_ROOT"

log "make generate"
"${MAKE:-make}" --no-print-directory generate

rc=0

changes="$(git status --porcelain --untracked-files=all -- docs)"
if [ -n "$changes" ]; then
  printf 'check-docs: docs/ is out of date with the schema, templates/ or examples/;\n' >&2
  printf 'run "make generate" and commit the result:\n%s\n' "$changes" >&2
  git --no-pager diff --stat -- docs >&2 || true
  rc=1
fi

# An attribute line whose only text after the name is its type parenthetical,
# optionally followed by the nested-schema link. The parenthetical holds no
# parentheses except in the "[Write-only](...)" link.
type_paren='\(([^()]|\[Write-only\]\([^()]*\))*\)'
nested_link='( \(see \[below for nested schema\]\(#[^()]*\)\))?'
pattern="^- \`[^\`]+\` ${type_paren}${nested_link}[[:space:]]*\$"

if [ -d docs ]; then
  offenders="$(find docs -type f -name '*.md' -print0 | sort -z | xargs -0 -r grep -nE "$pattern" || true)"
  if [ -n "$offenders" ]; then
    printf 'check-docs: attributes without a description (set Description/MarkdownDescription in the schema):\n%s\n' "$offenders" >&2
    rc=1
  fi
else
  printf 'check-docs: docs/ was not generated\n' >&2
  rc=1
fi

if [ "$rc" -eq 0 ]; then
  log "docs/ is up to date and every attribute has a description"
fi
exit "$rc"
