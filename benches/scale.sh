#!/usr/bin/env bash
# The scale figures in the README: corpora of N records from benches/peers/gen_scale.py (zstd
# JSON Lines shards of 200,000 records, with planted copies listed in truth.tsv), each scanned
# once with a memory budget and checked against its truth.
#
#   benches/scale.sh [N...]          (default: 1000000 3000000 10000000)
#
# Environment:
#   MEMORY   the --memory budget (default 2G; a budget above what the run needs keeps it in memory)
#   DIR      where corpora, reports and the work folder go (default ~/.cache/neardup-bench/scale)
#   PYTHON   a Python with numpy and zstandard, for the generator (default: the one
#            benches/peers/setup.sh makes, ~/.cache/neardup-bench/venv/bin/python)
#   NEARDUP  the binary (default target/release/neardup, built if missing)
#   THREADS  -j for neardup (default: every core)
#   FORMAT   the shards' format: jsonl.zst (default), jsonl.gz, jsonl or parquet (the generator
#            then needs pyarrow)
#
# One line per corpus: records, wall seconds, peak RSS, what went to the work folder, records
# per second, planted copies found with their base, and clusters that join unrelated records.
set -euo pipefail
cd "$(dirname "$0")/.."
MEMORY=${MEMORY:-2G}
DIR=${DIR:-$HOME/.cache/neardup-bench/scale}
PYTHON=${PYTHON:-$HOME/.cache/neardup-bench/venv/bin/python}
NEARDUP=${NEARDUP:-target/release/neardup}
THREADS=${THREADS:-0}
FORMAT=${FORMAT:-jsonl.zst}
[ -x "$NEARDUP" ] || cargo build --release --quiet
mkdir -p "$DIR/work"
sizes=("$@")
[ ${#sizes[@]} -gt 0 ] || sizes=(1000000 3000000 10000000)
printf '%-10s %-8s %8s %9s %-28s %10s %-18s %s\n' records memory wall_s peak_MB work_folder records/s \
  copies_found impure_clusters
for n in "${sizes[@]}"; do
  corpus="$DIR/docs-$n"
  [ "$FORMAT" = jsonl.zst ] || corpus="$corpus-$FORMAT"
  if [ ! -f "$corpus/truth.tsv" ]; then
    "$PYTHON" benches/peers/gen_scale.py --docs "$n" --out "$corpus" --format "$FORMAT" >&2
  fi
  run="$n-$FORMAT-$MEMORY"
  report="$DIR/report-$run.json"
  /usr/bin/time -v -o "$DIR/time-$run.txt" "$NEARDUP" scan "$corpus" --json -j "$THREADS" \
    --memory "$MEMORY" --work-dir "$DIR/work" >"$report" 2>"$DIR/stderr-$run.txt" || true
  wall=$(awk -F': ' '/Elapsed/ {split($2, t, ":"); s = 0; for (i = 1; i <= length(t); i++) s = s * 60 + t[i]; print s}' \
    "$DIR/time-$run.txt")
  rss=$(awk -F': ' '/Maximum resident/ {printf "%d", $2 / 1024}' "$DIR/time-$run.txt")
  spilled=$(sed -n 's/.*and wrote \(.*\) to its work folder.*/\1/p' "$DIR/stderr-$run.txt")
  check=$(python3 benches/scale_check.py "$report" "$corpus/truth.tsv")
  found=$(echo "$check" | python3 -c 'import json,sys; c=json.load(sys.stdin); print("%d/%d" % (c["copies_with_their_base"], c["planted_copies"]))')
  impure=$(echo "$check" | python3 -c 'import json,sys; print(json.load(sys.stdin)["clusters_joining_unrelated_documents"])')
  rate=$(awk -v n="$n" -v s="$wall" 'BEGIN {printf "%d", n / s}')
  printf '%-10s %-8s %8.1f %9s %-28s %10s %-18s %s\n' "$n" "$MEMORY" "$wall" "$rss" "${spilled:-nothing}" \
    "$rate" "$found" "$impure"
done
