#!/usr/bin/env bash
# Fails when a tracked file is a compiled binary (ELF, Mach-O or PE), such as
# a `go build` output committed by mistake. Build outputs belong in bin/ and
# dist/, which .gitignore keeps out.
set -euo pipefail

# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

need git od
cd "$SYNTH_REPO_ROOT"

# bytes_at FILE OFFSET COUNT prints COUNT bytes of FILE from OFFSET as hex.
bytes_at() { od -An -tx1 -j "$2" -N "$3" -- "$1" 2>/dev/null | tr -d ' \n'; }

# is_pe tells a PE image from a text file that happens to start with "MZ":
# the DOS header's little-endian offset at 0x3c must point at "PE\0\0".
is_pe() {
  local off
  off="$(od -An -tu4 -j 60 -N 4 -- "$1" 2>/dev/null | tr -d ' \n')"
  [ -n "$off" ] && [ "$(bytes_at "$1" "$off" 4)" = "50450000" ]
}

found=0
while IFS= read -r -d '' file; do
  [ -f "$file" ] || continue # deleted in the worktree, or a submodule
  case "$(bytes_at "$file" 0 4)" in
    7f454c46) kind="ELF" ;;
    feedface | feedfacf | cefaedfe | cffaedfe | cafebabe | bebafeca) kind="Mach-O" ;;
    4d5a*) is_pe "$file" || continue; kind="PE (Windows)" ;;
    *) continue ;;
  esac
  printf 'error: %s is a compiled %s binary; remove it with `git rm --cached` (build outputs are ignored)\n' "$file" "$kind" >&2
  found=1
done < <(git ls-files -z)

if [ "$found" -ne 0 ]; then
  exit 1
fi
log "no compiled binaries are tracked"
