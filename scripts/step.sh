#!/usr/bin/env bash
# One build step, one line: `step.sh TITLE LOG COMMAND [ARG…]` runs COMMAND with its output
# (pip's, npm's, vite's) in LOG and prints "✓ TITLE … 12 s", laid out as `fleetyard demo`
# lays out its steps. If it fails, its whole output follows on stderr and its exit code is
# the step's, so CI shows why. VERBOSE=1 shows the output as it comes instead.
set -uo pipefail

title=$1
log=$2
shift 2
if [ "${VERBOSE:-}" = 1 ]; then
  echo "$title"
  exec "$@"
fi

mkdir -p "$(dirname "$log")"
SECONDS=0
if [ -t 1 ]; then
  width=$(($(tput cols 2>/dev/null || echo 80) - 10))
  printf '· %s …' "$title"
else
  width=${#title}
  printf '· %s …\n' "$title"
fi
"$@" </dev/null >"$log" 2>&1
status=$?
if [ -t 1 ]; then printf '\r\033[K'; fi
if [ "$status" -eq 0 ]; then
  printf '✓ %-*s %5d s\n' "$width" "$title" "$SECONDS"
  exit 0
fi
printf '✗ %s failed (exit code %d); its output, kept in %s:\n' "$title" "$status" "$log" >&2
cat "$log" >&2
exit "$status"
