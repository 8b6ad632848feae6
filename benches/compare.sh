#!/usr/bin/env bash
# Whole-process comparison of neardup with its peers, and neardup's growth with corpus size.
#
#   benches/compare.sh            # medium (all peers) + large (gaoya) + growth 20k/200k/1M
#   STEPS="large" benches/compare.sh
#
# Generates the corpora it needs with benches/peers/gen_corpus.py (medium 20k docs, large 200k,
# 1m 1,000,000 docs / about 3 GB) under ~/.cache/neardup-bench, which is also where the peers'
# Python environment lives (benches/peers/setup.sh). Nothing is written inside the project.
# Prints the side-by-side tables (benches/peers/run.sh) and, for growth, one line per corpus:
#   docs, MB of text, wall s, max RSS MB, bytes of peak memory per document, MB/s.
set -euo pipefail
cd "$(dirname "$0")/.."
BENCH=${BENCH:-benches/peers}   # the side-by-side harness
SCRATCH=${SCRATCH:-${XDG_CACHE_HOME:-$HOME/.cache}/neardup-bench}
STEPS=${STEPS:-medium large growth}
cargo build --release --quiet
NEARDUP=$PWD/target/release/neardup
export NEARDUP

PY=${PY:-$SCRATCH/venv/bin/python}
[ -x "$PY" ] || PY=python3   # gen_corpus.py needs only the standard library

corpus() {  # name docs -> prints the corpus folder, generating it if needed
  local dir=$SCRATCH/corpus-$1
  # made again only when missing or made by an older generator
  "$PY" "$BENCH/gen_corpus.py" --docs "$2" --seed 1 --out "$dir" --if-stale >&2
  echo "$dir"
}

for step in $STEPS; do
  case $step in
    medium) REPEAT=${REPEAT:-3} "$BENCH/run.sh" medium ;;
    large) PEERS=${PEERS:-gaoya} "$BENCH/run.sh" large ;;
    growth)
      printf '| docs | MB | wall s | max RSS MB | bytes/doc | MB/s |\n|---|---|---|---|---|---|\n'
      for spec in medium:20000 large:200000 1m:1000000; do
        dir=$(corpus "${spec%%:*}" "${spec##*:}")
        mb=$(du -sm --apparent-size "$dir/docs" | cut -f1)
        find "$dir/docs" -type f -print0 | xargs -0 cat > /dev/null   # warm the page cache
        /usr/bin/time -f '%e %M' -o /tmp/neardup-growth.time \
          "$NEARDUP" scan "$dir/docs" --json -q > /dev/null
        read -r wall rss_kb < /tmp/neardup-growth.time
        awk -v d="${spec##*:}" -v mb="$mb" -v w="$wall" -v r="$rss_kb" 'BEGIN {
          printf "| %d | %d | %.2f | %.0f | %.0f | %.1f |\n", d, mb, w, r / 1024, r * 1024 / d, mb / w }'
      done ;;
    *) echo "unknown step $step" >&2; exit 2 ;;
  esac
done
