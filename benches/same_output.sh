#!/usr/bin/env bash
# Checks that two builds print the same reports, byte for byte (`cmp`): scan as text and JSON,
# scan as JSON with a budget small enough to spill (`--memory 8M`, so the work folder is used),
# and clean's dry-run manifest, with one and two threads, on every corpus given.
#
#   benches/same_output.sh OLD_BINARY NEW_BINARY CORPUS...
#
# Prints one line per comparison and exits non-zero if any differs (the differing outputs are
# left in $TMPDIR/neardup-same-output).
set -uo pipefail
old=$1 new=$2; shift 2
work=${TMPDIR:-/tmp}/neardup-same-output
rm -rf "$work"; mkdir -p "$work"
status=0
n=0
for corpus in "$@"; do
  n=$((n + 1))
  for threads in 1 2; do
    for mode in text json spilled clean; do
      for build in old new; do
        bin=${!build}
        case $mode in
          text) "$bin" scan "$corpus" -q -j "$threads" > "$work/$n.$mode.$threads.$build" 2>&1 ;;
          json) "$bin" scan "$corpus" -q -j "$threads" --json > "$work/$n.$mode.$threads.$build" 2>&1 ;;
          spilled) "$bin" scan "$corpus" -q -j "$threads" --json --memory 8M \
                     > "$work/$n.$mode.$threads.$build" 2>&1 ;;
          clean) "$bin" clean "$corpus" -q -j "$threads" --dry-run --json --drop-duplicates \
                   --out "$work/out" > "$work/$n.$mode.$threads.$build" 2>&1 ;;
        esac
        echo "exit $?" >> "$work/$n.$mode.$threads.$build"
      done
      if cmp -s "$work/$n.$mode.$threads.old" "$work/$n.$mode.$threads.new"; then
        echo "same       $mode -j $threads $corpus"
      else
        echo "DIFFERENT  $mode -j $threads $corpus"; status=1
      fi
    done
  done
done
exit $status
