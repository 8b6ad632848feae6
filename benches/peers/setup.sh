#!/usr/bin/env bash
# Creates the Python environment that the side-by-side benchmark runs neardup's peers in.
# neardup itself never needs Python; only this benchmark does.
#
#   benches/peers/setup.sh                  once; a few minutes; about 1.8 GB with text-dedup and
#                                           datatrove
#   PEERS_LIGHT=1 benches/peers/setup.sh    small wheels only: datasketch, rensa, gaoya, dedup_rs;
#                                           skips text-dedup, which pulls pyspark and friends, and
#                                           datatrove, which pulls spaCy
#
# The environment goes to $SCRATCH/venv, SCRATCH defaulting to ~/.cache/neardup-bench (or
# $XDG_CACHE_HOME/neardup-bench); nothing is written inside the repository. Running it again
# reuses the environment and only installs what is missing.
set -euo pipefail
SCRATCH=${SCRATCH:-${XDG_CACHE_HOME:-$HOME/.cache}/neardup-bench}
mkdir -p "$SCRATCH"
[ -x "$SCRATCH/venv/bin/python" ] || python3 -m venv "$SCRATCH/venv"
PIP=("$SCRATCH/venv/bin/python" -m pip install -q)
# numpy and scikit-learn for the peers' adapters; zstandard and pyarrow because gen_scale.py
# writes zstd JSONL and Parquet shards
"${PIP[@]}" datasketch==2.0.0 rensa==0.5.0 gaoya==0.2.2 dedup-rs==0.4.0 numpy scikit-learn \
  zstandard pyarrow
if [ -z "${PEERS_LIGHT:-}" ]; then
  "${PIP[@]}" text-dedup==0.4.0
  # datatrove's MinHash pipeline without its [processing]/[multilingual] extras (trafilatura,
  # fasttext, tensorflow, ...), only what it imports on that path: tokenizers (imported by
  # datatrove.pipeline.dedup), orjson (JsonlReader), spaCy (its English word tokenizer is
  # spacy.blank("en"): no model download), xxhash < 4 (its default xxhash64 is given str, which
  # xxhash 4 rejects; text-dedup wants >= 3)
  "${PIP[@]}" datatrove==0.10.1 spacy==3.8.18 orjson==3.13.0 tokenizers==0.23.3 xxhash==3.8.2
fi
echo "peers ready in $SCRATCH/venv"
