#!/usr/bin/env python3
"""A large labeled corpus, fast: N documents in zstd-compressed JSONL (or gzip JSONL, or Parquet)
shards.

    benches/peers/gen_scale.py --docs 10000000 --out DIR [--shards K]
                 [--format jsonl.zst|jsonl.gz|jsonl|parquet] [--dup-fraction 0.2]
                 [--median-words 120] [--seed 1] [--jobs 2]

Needs numpy (and zstandard for jsonl.zst, pyarrow for parquet): run it with the environment
benches/peers/setup.sh creates.  `neardup scan DIR` reads the shards as they are.

Writes DIR/shard-00000.jsonl.zst ... (one per 200,000 documents unless --shards says otherwise)
with records {"id": "d000000012", "text": "..."}, and DIR/truth.tsv: one line per planted copy,
"copy_id<TAB>base_id<TAB>edits<TAB>words".

Texts are words drawn from a Zipf(1)-distributed vocabulary of 200,000 made-up words, cut into
sentences (10-20 words) and paragraphs (3 sentences), so two unrelated documents share almost no word 5-shingle. A planted
copy repeats an earlier original of the same shard, with `edits` word substitutions (none for
30% of copies, else up to one per 100 words, so none in copies under 100 words). With w words and
e edits at most 5e of the w - 4 shingles change, so every copy has Jaccard > 0.9 to its base:
a 0.8 threshold must find them all, and unrelated documents must never meet. Deterministic for a given seed and shard count, whatever --jobs is.
"""
import argparse
import json
import os
import sys
import time
from multiprocessing import Pool

import numpy as np

VOCAB = 200_000
SEPS = np.array([" ", ". ", ".\n\n", ".\n"], dtype=object)


def vocabulary(seed):
    rng = np.random.default_rng([seed, 999])
    letters = np.array(list("etaoinshrdlcumwfgypbvkjxqz"))
    p = np.linspace(2.0, 0.2, len(letters))
    p /= p.sum()
    lengths = rng.integers(2, 11, VOCAB * 2)
    chars = "".join(rng.choice(letters, int(lengths.sum()), p=p))
    ends = np.cumsum(lengths)
    words = dict.fromkeys(chars[e - n:e] for e, n in zip(ends.tolist(), lengths.tolist()))
    words = list(words)[:VOCAB]
    assert len(words) == VOCAB
    return np.array(words, dtype=object)


def shard(args):
    index, first, count, opts = args
    rng = np.random.default_rng([opts["seed"], index])
    vocab = vocabulary(opts["seed"])
    # Zipf(1) ranks by inversion: floor(V ** u) - 1 is rank k with probability ~ 1/k.
    zipf = lambda n: np.minimum(np.floor(np.exp(rng.random(n) * np.log(VOCAB + 1))).astype(np.int64) - 1, VOCAB - 1)
    lengths = np.clip(rng.lognormal(np.log(opts["median_words"]), 0.7, count), 20, 3000).astype(np.int64)
    is_copy = rng.random(count) < opts["dup_fraction"]
    is_copy[0] = False
    originals = np.flatnonzero(~is_copy)
    before = np.searchsorted(originals, np.arange(count))          # originals before each doc
    base = np.where(is_copy, originals[np.minimum((rng.random(count) * np.maximum(before, 1)).astype(np.int64), np.maximum(before - 1, 0))], np.arange(count))
    lengths = lengths[base]                                          # a copy is as long as its base
    # word ids and separators of the originals, laid out in document order
    out_start = np.concatenate([[0], np.cumsum(lengths)[:-1]])
    total = int(lengths.sum())
    src_doc = np.repeat(base, lengths)                               # which document's words each position copies
    pos_in_doc = np.arange(total) - np.repeat(out_start, lengths)
    src = out_start[src_doc] + pos_in_doc                            # position of the original word
    words = zipf(total)
    # sentences of k words (k drawn per document, 10-20), paragraphs of 3 sentences: no paragraph
    # is so short that it recurs by chance in unrelated documents
    k = np.repeat(rng.integers(10, 21, count), lengths)
    seps = np.where(pos_in_doc % (3 * k) == 3 * k - 1, 2, np.where(pos_in_doc % k == k - 1, 1, 0))
    last = out_start + lengths - 1
    seps[last] = 3
    words = words[src]                                               # copies take their base's words...
    seps = seps[src]                                                 # ...and its sentence breaks
    # substitutions in copies
    # at most one substitution per 100 words: every copy keeps J >= 0.95 / 1.05 > 0.9 to its base
    edits = np.where(is_copy, np.where(rng.random(count) < 0.3, 0, np.minimum((rng.random(count) * (lengths // 100 + 1)).astype(np.int64), lengths // 100)), 0)
    e_total = int(edits.sum())
    if e_total:
        e_doc = np.repeat(np.arange(count), edits)
        e_pos = out_start[e_doc] + (rng.random(e_total) * lengths[e_doc]).astype(np.int64)
        words[e_pos] = zipf(e_total)
    tokens = vocab[words] + SEPS[seps]
    ends = (out_start + lengths).tolist()
    starts = out_start.tolist()
    ids = ["d%09d" % (first + j) for j in range(count)]
    texts = ["".join(tokens[s:e]) for s, e in zip(starts, ends)]
    truth = ["%s\t%s\t%d\t%d" % (ids[j], ids[int(base[j])], int(edits[j]), int(lengths[j]))
             for j in np.flatnonzero(is_copy).tolist()]
    path = os.path.join(opts["out"], "shard-%05d.%s" % (index, opts["format"]))
    tmp = path + ".tmp"
    if opts["format"] == "parquet":
        import pyarrow as pa
        import pyarrow.parquet as pq
        pq.write_table(pa.table({"id": ids, "text": texts}), tmp, compression="zstd")
    else:
        # texts hold only [a-z .] and newlines, so this is valid JSON
        data = "".join('{"id": "%s", "text": "%s"}\n' % (i, t.replace("\n", "\\n")) for i, t in zip(ids, texts)).encode()
        if opts["format"] == "jsonl.zst":
            import zstandard
            data = zstandard.ZstdCompressor(level=3).compress(data)
        elif opts["format"] == "jsonl.gz":
            import gzip
            data = gzip.compress(data, compresslevel=6)
        with open(tmp, "wb") as f:
            f.write(data)
    os.replace(tmp, path)
    return index, truth, sum(len(t) for t in texts)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--docs", type=int, required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--shards", type=int, default=0, help="default: one per 200,000 documents")
    ap.add_argument("--format", default="jsonl.zst", choices=["jsonl.zst", "jsonl.gz", "jsonl", "parquet"])
    ap.add_argument("--dup-fraction", type=float, default=0.2)
    ap.add_argument("--median-words", type=int, default=120)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    a = ap.parse_args()
    shards = a.shards or max(1, (a.docs + 199_999) // 200_000)
    os.makedirs(a.out, exist_ok=True)
    opts = dict(out=a.out, format=a.format, dup_fraction=a.dup_fraction,
                median_words=a.median_words, seed=a.seed)
    per = [a.docs // shards + (1 if i < a.docs % shards else 0) for i in range(shards)]
    starts = np.cumsum([0] + per[:-1])
    t0 = time.time()
    truth, total = {}, 0
    with Pool(a.jobs) as pool:
        for index, lines, nbytes in pool.imap_unordered(
                shard, [(i, int(starts[i]), per[i], opts) for i in range(shards)]):
            truth[index] = lines
            total += nbytes
            print("\rshards %d/%d" % (len(truth), shards), end="", file=sys.stderr, flush=True)
    with open(os.path.join(a.out, "truth.tsv.tmp"), "w") as f:
        for i in range(shards):
            for line in truth[i]:
                f.write(line + "\n")
    os.replace(os.path.join(a.out, "truth.tsv.tmp"), os.path.join(a.out, "truth.tsv"))
    copies = sum(len(v) for v in truth.values())
    print("\nwrote %d docs (%d planted copies, %.1f MB of text) in %d %s shards to %s in %.1fs"
          % (a.docs, copies, total / 1e6, shards, a.format, a.out, time.time() - t0), file=sys.stderr)


if __name__ == "__main__":
    main()
