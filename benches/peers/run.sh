#!/usr/bin/env bash
# Side-by-side benchmark: neardup and every installed peer on one labeled corpus, each timed as a
# whole process under /usr/bin/time -v, then scored against the corpus's truth.
#
#   benches/peers/run.sh [small|medium|large|CORPUS_DIR] [OUTDIR]     (default: medium)
#
# small, medium and large are corpora of 1,000, 20,000 and 200,000 documents that gen_corpus.py
# generates (seed 1) under $SCRATCH the first time they are asked for; CORPUS_DIR is any folder
# gen_corpus.py wrote (truth.jsonl, docs/). Results go to OUTDIR (default
# $SCRATCH/results/<corpus name>): per tool TOOL.json (its clusters), TOOL.time.K (GNU time
# report of run K), TOOL.log, TOOL.eval.json (score.py --json), and table.md, which is also
# printed.
#
# env:
#   NEARDUP=path        the neardup binary (default: target/release/neardup of this repository;
#                       NEARDUP= skips neardup). Run as "$NEARDUP scan DOCS --json $NEARDUP_ARGS"
#   NEARDUP_ARGS="..."  extra flags for neardup (default: none)
#   PEERS="gaoya rensa" which peers to run (default: every one installed in the environment of
#                       setup.sh, among datasketch rensa gaoya textdedup dedup_rs datatrove;
#                       "" for none)
#   REPEAT=1            runs per tool; the table keeps the fastest run
#   THRESHOLD=0.8       Jaccard threshold given to the peers and used for the @T columns
#   SCRATCH=~/.cache/neardup-bench   environment, corpora and results live here
#   PY=$SCRATCH/venv/bin/python      the peers' Python (setup.sh creates it)
#
# Before the tools run, the corpus is read once to warm the page cache. Max RSS is that of the
# largest single process of the tree (GNU time), so for multi-process peers (the adapters' --jobs
# loader, text-dedup's num_proc, datatrove's forkserver tasks) it is a lower bound.
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)
SCRATCH=${SCRATCH:-${XDG_CACHE_HOME:-$HOME/.cache}/neardup-bench}
PY=${PY:-$SCRATCH/venv/bin/python}
REPEAT=${REPEAT:-1}
THRESHOLD=${THRESHOLD:-0.8}
NEARDUP=${NEARDUP-$REPO/target/release/neardup}
SIZE=${1:-medium}
ALL_PEERS="datasketch rensa gaoya textdedup dedup_rs datatrove"

# generating and scoring need only the standard library: any python3 does without the environment
if [ -x "$PY" ]; then TOOLPY=$PY; else TOOLPY=python3; fi

case "$SIZE" in
  small)  N=1000;   CORPUS=$SCRATCH/corpus-small ;;
  medium) N=20000;  CORPUS=$SCRATCH/corpus-medium ;;
  large)  N=200000; CORPUS=$SCRATCH/corpus-large ;;
  *)      N=;       CORPUS=$(cd "$SIZE" && pwd) ;;
esac

if [ -n "$N" ]; then
  # made again only when missing or made by an older generator
  "$TOOLPY" "$HERE/gen_corpus.py" --docs "$N" --seed 1 --out "$CORPUS" --if-stale
elif [ ! -f "$CORPUS/truth.jsonl" ]; then
  echo "no truth.jsonl in $CORPUS" >&2; exit 1
fi
DOCS=$CORPUS/docs
OUTDIR=${2:-$SCRATCH/results/$(basename "$CORPUS")}
mkdir -p "$OUTDIR" "$SCRATCH/tmp"
OUTDIR=$(cd "$OUTDIR" && pwd)
NDOCS=$(wc -l < "$CORPUS/truth.jsonl")

peer_module() {
  case $1 in
    textdedup) echo text_dedup ;;
    *) echo "$1" ;;
  esac
}
installed() {  # peer -> exit status 0 when its library is importable by $PY
  [ -x "$PY" ] && "$PY" -c 'import importlib.util, sys; sys.exit(importlib.util.find_spec(sys.argv[1]) is None)' \
    "$(peer_module "$1")" 2> /dev/null
}

if [ -z "${PEERS+set}" ]; then
  PEERS=
  for peer in $ALL_PEERS; do
    if installed "$peer"; then PEERS="$PEERS $peer"; fi
  done
  if [ -z "$PEERS" ]; then
    echo "peers: none installed in $PY (run benches/peers/setup.sh)"
  fi
fi

{
  echo "corpus: $CORPUS ($NDOCS docs, $(du -sh "$DOCS" | cut -f1)); results: $OUTDIR"
  echo "machine: $(nproc) cores, load average:$(uptime | sed 's/.*load average://')"
  echo "neardup: ${NEARDUP:-skipped} ($(git -C "$REPO" describe --always --dirty 2> /dev/null || echo "no git"))"
  echo "peers:${PEERS:- none}; threshold $THRESHOLD; best of $REPEAT"
} | tee "$OUTDIR/run.txt"
find "$DOCS" -type f -print0 | xargs -0 cat > /dev/null   # warm the page cache

TOOLS=()
run_tool() {  # name, command...
  local name=$1; shift
  local k status
  rm -f "$OUTDIR/$name.json" "$OUTDIR/$name.eval.json" "$OUTDIR/$name".time.*   # no stale results
  for k in $(seq 1 "$REPEAT"); do
    echo "running $name (run $k/$REPEAT) ..."
    status=0
    /usr/bin/time -v -o "$OUTDIR/$name.time.$k" "$@" > "$OUTDIR/$name.stdout" 2> "$OUTDIR/$name.log" || status=$?
    if [ "$status" -ne 0 ]; then
      echo "  $name FAILED (exit $status); see $OUTDIR/$name.log" >&2
    fi
  done
  TOOLS+=("$name")
}

for peer in $PEERS; do
  if ! installed "$peer"; then
    echo "$peer: not installed in $PY (run benches/peers/setup.sh); skipped" >&2
    continue
  fi
  run_tool "$peer" "$PY" "$HERE/peers.py" "$peer" "$DOCS" -o "$OUTDIR/$peer.json" \
    --threshold "$THRESHOLD" --tmp "$SCRATCH/tmp"
done

if [ -z "$NEARDUP" ]; then
  echo "neardup: skipped (NEARDUP is empty)"
elif [ ! -x "$NEARDUP" ]; then
  echo "neardup: skipped, no binary at $NEARDUP (cargo build --release, or set NEARDUP=path)" >&2
else
  # neardup writes its clusters JSON to stdout
  run_tool neardup sh -c '"$0" scan "$1" --json '"${NEARDUP_ARGS:-}"' > "$2"' "$NEARDUP" "$DOCS" "$OUTDIR/neardup.json"
fi

if [ ${#TOOLS[@]} -eq 0 ]; then
  echo "nothing ran" >&2
  exit 1
fi

for t in "${TOOLS[@]}"; do
  if [ -s "$OUTDIR/$t.json" ]; then
    "$TOOLPY" "$HERE/score.py" "$CORPUS/truth.jsonl" "$OUTDIR/$t.json" --root "$DOCS" \
      --truth-min-jaccard "$THRESHOLD" --json > "$OUTDIR/$t.eval.json" || rm -f "$OUTDIR/$t.eval.json"
  fi
done

"$TOOLPY" "$HERE/table.py" "$OUTDIR" "$NDOCS" "$THRESHOLD" "$REPEAT" "${TOOLS[@]}" | tee "$OUTDIR/table.md"
