#!/usr/bin/env python3
"""Checks the output of `neardup clean CORPUS --out OUT --drop-duplicates` on a corpus made by
benches/peers/gen_scale.py (zstd JSON Lines or Parquet shards): every record but the planted
copies must be there, once, in shards of the same format.

    PYTHON benches/clean_check.py OUT CORPUS/truth.tsv CORPUS

Needs zstandard, and pyarrow for Parquet (the environment benches/peers/setup.sh makes). Prints
one JSON line.
"""
import glob
import io
import json
import sys

import zstandard


def ids_in(folder):
    for path in sorted(glob.glob(folder + "/*.jsonl.zst")):
        with open(path, "rb") as f:
            lines = io.TextIOWrapper(zstandard.ZstdDecompressor().stream_reader(f), encoding="utf-8")
            for line in lines:
                yield json.loads(line)["id"]
    for path in sorted(glob.glob(folder + "/*.parquet")):
        import pyarrow.parquet as pq

        yield from pq.read_table(path, columns=["id"]).column("id").to_pylist()


def main():
    out, truth, corpus = sys.argv[1], sys.argv[2], sys.argv[3]
    copies = {line.split("\t")[0] for line in open(truth, encoding="utf-8")}
    kept = list(ids_in(out))
    distinct = set(kept)
    originals = sum(1 for i in ids_in(corpus) if i not in copies)
    print(
        json.dumps(
            {
                "records_out": len(kept),
                "records_out_twice": len(kept) - len(distinct),
                "planted_copies_left": len(distinct & copies),
                "originals": originals,
                "originals_missing": originals - len(distinct - copies),
            }
        )
    )


if __name__ == "__main__":
    main()
