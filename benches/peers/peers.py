#!/usr/bin/env python3
"""Run one of neardup's peers (near-duplicate detectors) on a corpus folder and write its clusters
as JSON, in the form score.py reads.  benches/peers/run.sh calls it once per peer, each in its own
process, with the environment benches/peers/setup.sh creates.

    peers.py PEER DOCS_DIR -o OUT.json [--threshold 0.8] [--num-perm 128] [--ngram 5] [--jobs N]
    peers.py params                  # print the band/row choice of every peer

PEER is one of: datasketch, rensa, gaoya, textdedup, dedup_rs, datatrove.  Every peer gets the
same input: all regular files under DOCS_DIR (recursive, sorted), decoded as UTF-8 (errors
replaced) and put in canonical form (normalize.py beside this script: NFKC, lower(), \\w+ words,
word 5-shingles).  Reading/normalizing runs in --jobs processes (default: all cores) and is the same
harness code for every peer; the rest is the peer's own library used its standard way:

  datasketch  MinHash.bulk (shared permutations; default sha1_hash32, scheme affine32) +
              MinHashLSH(threshold) with datasketch's optimal (b, r); every doc queried; LSH
              candidates unioned as-is (datasketch's standard use); --verify adds an
              estimated-Jaccard >= threshold check on each candidate pair.
  rensa       RMinHash.from_token_sets (R-MinHash, the fastest full-set variant; the rho pipeline
              only yields duplicate flags, not neighbours) + RMinHashLSH.insert_many/query_all with
              rensa's own band choice for the threshold (8 bands at 0.8, as RMinHashDeduplicator);
              candidates checked with estimated Jaccard >= threshold, as RMinHashDeduplicator does.
  gaoya       MinHashStringIndex(num_hashes=128, bands/rows from gaoya's S-curve), 'word' analyzer
              ngram_range=(5,5) on the normalized text, par_bulk_insert_docs + par_bulk_query
              (returns neighbours above the threshold).
  textdedup   text_dedup.minhash (ChenghaoMou/text-dedup) run in-process through its click CLI on
              a local JSONL of the normalized texts (offline), --hash_func xxh3, num_proc=--jobs,
              optimal (b, r); its union-find is dumped with --debug and read back.
  dedup_rs    dedup-rs (PyPI dedup-rs, Rust port of text-dedup's MinHash, wheynelau/text-dedup-rs):
              EmbedFunc(threshold, num_perm, n_grams=5, 0.5, 0.5, ..., min_len=1) picks text-dedup's
              optimal (b, r) itself (b=9 r=13 at 0.8/128); batch_embed_shard(texts, uint32 idx) in
              batches of 10000 (text-dedup's default batch_size; rayon threads = --jobs) on the
              normalized text, which it re-splits on \\W and lowercases (sha1 32-bit, mod 2^61-1
              permutations, as text-dedup); cluster() unions every LSH bucket with no verification
              and returns a UnionFind, whose find() gives the clusters directly (filter_duplicates()
              is its keep-one-per-cluster flag API, not used).
  datatrove   HuggingFace datatrove MinHash pipeline under LocalPipelineExecutor in a --tmp folder:
              the normalized texts written as --jobs JSONL shards -> JsonlReader +
              MinhashDedupSignature (tasks=workers=--jobs) -> MinhashDedupBuckets (tasks = a
              multiple of num_buckets >= --jobs, workers=--jobs) -> MinhashDedupCluster
              (save_cluster_id=True, 1 task); the .clusters files (rank, doc-in-rank -> cluster id)
              are mapped back to doc indices (MinhashDedupFilter is not run: it only drops docs).
              MinhashConfig(n_grams=5, num_buckets=b, hashes_per_bucket=r) with datasketch's
              optimal (b, r) for (threshold, num_perm), i.e. 9 x 13 = 117 hashes at 0.8/128
              (--bands B: b=B, r=num_perm//B, e.g. 8 x 16 = 128); default HashConfig (64-bit
              xxhash), default TextNormConfig and the English word tokenizer (spaCy blank 'en'),
              so datatrove re-tokenizes the normalized text its own way: digit runs become "0",
              diacritics are stripped, spaCy splits a few words ("cannot" -> can not, "10km" ->
              0 km); a doc with fewer than 5 tokens gets no n-gram and no signature (never a
              duplicate).  Bucket matches are unioned with no verification.  Its task processes
              run under a multiprocess forkserver, which GNU time does not count: the harness's
              max RSS and CPU% for datatrove are the parent process's only.

Output: {"peer": ..., "params": {...}, "clusters": [{"members": [{"path": rel}, ...]}, ...]}
with paths relative to DOCS_DIR and only clusters of size >= 2.  Stage timings go to stderr.
"""
import argparse
import json
import os
import sys
import tempfile
import time
from multiprocessing import Pool

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from normalize import normalized, shingles_from_words  # noqa: E402

T0 = time.time()
BATCH = 2000


def log(msg):
    print("[%7.2fs] %s" % (time.time() - T0, msg), file=sys.stderr, flush=True)


# ---------------------------------------------------------------------------------- loading

def list_files(root):
    out = []
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames.sort()
        for fn in sorted(filenames):
            full = os.path.join(dirpath, fn)
            if os.path.isfile(full):
                out.append(os.path.relpath(full, root))
    return out


def _load_one(full):
    with open(full, "rb") as f:
        return normalized(f.read().decode("utf-8", errors="replace"))


def load_corpus(root, jobs):
    paths = list_files(root)
    fulls = [os.path.join(root, p) for p in paths]
    if jobs > 1:
        with Pool(jobs) as pool:
            texts = pool.map(_load_one, fulls, chunksize=256)
    else:
        texts = [_load_one(f) for f in fulls]
    log("loaded+normalized %d docs (%.1f MB normalized)" % (len(paths), sum(map(len, texts)) / 1e6))
    return paths, texts


def shingle_lists(texts, k):
    return [shingles_from_words(t.split(), k) if t else [] for t in texts]


# ---------------------------------------------------------------------------------- helpers

class UnionFind:
    def __init__(self, n):
        self.parent = list(range(n))

    def find(self, x):
        p = self.parent
        root = x
        while p[root] != root:
            root = p[root]
        while p[x] != root:
            p[x], x = root, p[x]
        return root

    def union(self, a, b):
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            if ra < rb:
                self.parent[rb] = ra
            else:
                self.parent[ra] = rb

    def clusters(self):
        groups = {}
        for i in range(len(self.parent)):
            groups.setdefault(self.find(i), []).append(i)
        return [g for g in groups.values() if len(g) >= 2]


def optimal_param_datasketch(threshold, num_perm):
    from datasketch.lsh import _optimal_param
    return _optimal_param(threshold, num_perm, 0.5, 0.5)


def write_output(out, peer, params, paths, groups):
    clusters = sorted((sorted(paths[i] for i in g) for g in groups), key=lambda m: m[0])
    doc = {"peer": peer, "params": params, "docs": len(paths),
           "clusters": [{"members": [{"path": p} for p in m]} for m in clusters]}
    with open(out, "w") as f:
        json.dump(doc, f)
    log("wrote %d clusters (%d docs in clusters) to %s" % (len(clusters), sum(map(len, clusters)), out))


# ---------------------------------------------------------------------------------- peers

def run_datasketch(a, paths, texts):
    from datasketch import MinHash, MinHashLSH
    # MinHash.bulk == list(MinHash.generator(...)); feeding it a generator keeps only one doc's
    # shingles alive at a time (the harness, not datasketch, would otherwise dominate memory)
    data = ([s.encode("utf-8") for s in shingles_from_words(t.split(), a.ngram)] for t in texts)
    mhs = MinHash.bulk(data, num_perm=a.num_perm)
    log("shingled+minhashed (MinHash.bulk)")
    lsh = MinHashLSH(threshold=a.threshold, num_perm=a.num_perm)
    with lsh.insertion_session() as session:
        for i, m in enumerate(mhs):
            session.insert(i, m, check_duplication=False)
    log("indexed (b=%d, r=%d)" % (lsh.b, lsh.r))
    uf = UnionFind(len(paths))
    npairs = nver = 0
    for i, m in enumerate(mhs):
        for j in lsh.query(m):
            if j > i:
                npairs += 1
                if a.verify and m.jaccard(mhs[j]) < a.threshold:
                    continue
                nver += 1
                uf.union(i, j)
    log("queried: %d candidate pairs, %d kept" % (npairs, nver))
    return {"b": lsh.b, "r": lsh.r, "verify": a.verify, "candidate_pairs": npairs, "pairs": nver}, uf.clusters()


def run_rensa(a, paths, texts):
    from rensa import RMinHash, RMinHashLSH
    mhs = []
    for start in range(0, len(texts), BATCH):  # batches bound the harness's shingle-list memory
        sh = shingle_lists(texts[start:start + BATCH], a.ngram)
        mhs.extend(RMinHash.from_token_sets(sh, num_perm=a.num_perm, seed=42))
    log("shingled+minhashed (RMinHash.from_token_sets, batches of %d)" % BATCH)
    # rensa's own default band choice (inline_dedup/rminhash.rs default_lsh_bands)
    t = a.threshold
    bands = a.bands or (4 if t >= 0.9 else 8 if t >= 0.8 else 16 if t >= 0.7 else 32 if t >= 0.5 else max(1, a.num_perm // 2))
    while a.num_perm % bands:
        bands -= 1
    lsh = RMinHashLSH(threshold=a.threshold, num_perm=a.num_perm, num_bands=bands)
    lsh.insert_many(mhs, start_key=0)
    log("indexed (b=%d, r=%d)" % (bands, a.num_perm // bands))
    cands = lsh.query_all(mhs)
    uf = UnionFind(len(paths))
    npairs = nver = 0
    for i, c in enumerate(cands):
        m = mhs[i]
        for j in c:
            if j > i:
                npairs += 1
                if a.no_verify or m.jaccard(mhs[j]) >= a.threshold:
                    nver += 1
                    uf.union(i, j)
    log("queried: %d candidate pairs, %d kept" % (npairs, nver))
    return {"b": bands, "r": a.num_perm // bands, "verify": not a.no_verify, "candidate_pairs": npairs,
            "pairs": nver}, uf.clusters()


def run_gaoya(a, paths, texts):
    from gaoya.minhash import MinHashStringIndex
    idx = MinHashStringIndex(hash_size=32, jaccard_threshold=a.threshold, num_bands=None, band_size=None,
                             num_hashes=a.num_perm, analyzer="word", lowercase=False,
                             ngram_range=(a.ngram, a.ngram))
    ids = list(range(len(paths)))
    idx.par_bulk_insert_docs(ids, texts)
    log("indexed: %s" % idx)
    res = idx.par_bulk_query(texts)
    uf = UnionFind(len(paths))
    npairs = 0
    for i, c in enumerate(res):
        for j in c:
            if j > i:
                npairs += 1
                uf.union(i, j)
    log("queried: %d pairs" % npairs)
    desc = str(idx)
    return {"index": desc, "pairs": npairs}, uf.clusters()


def run_textdedup(a, paths, texts):
    os.environ.setdefault("HF_DATASETS_OFFLINE", "1")
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("HF_HUB_DISABLE_TELEMETRY", "1")
    import pickle
    from text_dedup import minhash as tdm
    from text_dedup.utils import optimal_param
    tmp = tempfile.mkdtemp(prefix="textdedup-", dir=a.tmp)
    data = os.path.join(tmp, "corpus.jsonl")
    with open(data, "w") as f:
        for i, t in enumerate(texts):
            f.write(json.dumps({"text": t, "doc_id": i}) + "\n")
    log("wrote %s" % data)
    b, r = optimal_param(a.threshold, a.num_perm, 0.5, 0.5)
    out = os.path.join(tmp, "out")
    args = ["--path", "json", "--data_files", data, "--split", "train", "--cache_dir", os.path.join(tmp, "cache"),
            "--output", out, "--column", "text", "--idx_column", "doc_id", "--num_perm", str(a.num_perm),
            "--threshold", str(a.threshold), "--ngram", str(a.ngram), "--min_length", "1",
            "--hash_func", "xxh3", "--num_proc", str(a.jobs), "--debug", "--clean_cache"]
    try:
        tdm.main.main(args=args, standalone_mode=False)
    except SystemExit as e:
        if e.code:
            raise
    with open(os.path.join(out, "uf.pkl"), "rb") as f:
        uf = pickle.load(f)
    groups = {}
    for x in uf.parent:
        groups.setdefault(uf.find(x), []).append(x)
    clusters = [g for g in groups.values() if len(g) >= 2]
    log("text-dedup done (b=%d, r=%d)" % (b, r))
    if not a.keep_tmp:
        import shutil
        shutil.rmtree(tmp, ignore_errors=True)
    return {"b": b, "r": r, "hash_func": "xxh3", "verify": False}, clusters


def run_dedup_rs(a, paths, texts):
    os.environ.setdefault("RAYON_NUM_THREADS", str(a.jobs))  # before the first rayon call
    import numpy as np
    from dedup_rs import EmbedFunc
    # the constructor computes text-dedup's optimal (b, r) with false positive/negative weights 0.5
    emb = EmbedFunc(a.threshold, a.num_perm, a.ngram, 0.5, 0.5, "text", "id", None, 1)
    bs = 10000
    for start in range(0, len(texts), bs):
        end = min(start + bs, len(texts))
        emb.batch_embed_shard(texts[start:end], np.arange(start, end, dtype=np.uint32))
    tables = emb.hash_tables  # one dict per band: band bytes (r x 8-byte hash) -> doc ids
    b = len(tables)
    r = next((len(k) // 8 for t in tables for k in t), 0)
    log("embedded + banded (b=%d, r=%d)" % (b, r))
    uf = emb.cluster()
    roots = uf.batch_find(np.arange(len(texts), dtype=np.uint32))
    groups = {}
    for i, root in enumerate(roots):
        groups.setdefault(root, []).append(i)
    clusters = [g for g in groups.values() if len(g) >= 2]
    log("clustered (%d union-find edges)" % uf.edges)
    return {"b": b, "r": r, "hash_func": "sha1_32", "min_len": 1, "verify": False}, clusters


def datatrove_band_rows(a):
    if a.bands:
        return a.bands, a.num_perm // a.bands
    return optimal_param_datasketch(a.threshold, a.num_perm)


def run_datatrove(a, paths, texts):
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("HF_HUB_DISABLE_TELEMETRY", "1")
    import shutil
    import struct
    from datatrove.executor import LocalPipelineExecutor
    from datatrove.pipeline.dedup import MinhashDedupBuckets, MinhashDedupCluster, MinhashDedupSignature
    from datatrove.pipeline.dedup.minhash import MinhashConfig
    from datatrove.pipeline.readers import JsonlReader
    b, r = datatrove_band_rows(a)
    tasks = max(1, a.jobs)
    tmp = tempfile.mkdtemp(prefix="datatrove-", dir=a.tmp)
    inp, sigs, bkts, clus, logs = (os.path.join(tmp, d)
                                   for d in ("input", "signatures", "buckets", "clusters", "logs"))
    os.makedirs(inp)
    # one JSONL shard per task (JsonlReader gives rank k the k-th file of the sorted list), docs in
    # order, so (rank, doc index within the rank) -> global index; its readers skip empty texts,
    # so those are left out (and stay singletons)
    keep = [i for i, t in enumerate(texts) if t]
    shard_ids = [keep[k * len(keep) // tasks:(k + 1) * len(keep) // tasks] for k in range(tasks)]
    for k, ids in enumerate(shard_ids):
        with open(os.path.join(inp, "%05d.jsonl" % k), "w") as f:
            for i in ids:
                f.write(json.dumps({"text": texts[i], "id": str(i)}) + "\n")
    log("wrote %d JSONL shards to %s" % (tasks, inp))
    config = MinhashConfig(n_grams=a.ngram, num_buckets=b, hashes_per_bucket=r)
    bucket_tasks = b * max(1, -(-a.jobs // b))  # MinhashDedupBuckets needs a multiple of num_buckets
    stages = [
        ("signatures", LocalPipelineExecutor(
            pipeline=[JsonlReader(inp, text_key="text", id_key="id"),
                      MinhashDedupSignature(output_folder=sigs, config=config)],
            tasks=tasks, workers=a.jobs, logging_dir=os.path.join(logs, "signatures"))),
        ("buckets", LocalPipelineExecutor(
            pipeline=[MinhashDedupBuckets(input_folder=sigs, output_folder=bkts, config=config)],
            tasks=bucket_tasks, workers=a.jobs, logging_dir=os.path.join(logs, "buckets"))),
        ("clusters", LocalPipelineExecutor(
            pipeline=[MinhashDedupCluster(input_folder=bkts, output_folder=clus, config=config,
                                          save_cluster_id=True)],
            tasks=1, logging_dir=os.path.join(logs, "clusters"))),
    ]
    try:
        for name, ex in stages:
            ex.run()
            log("datatrove stage %s done" % name)
        groups = {}
        for k, ids in enumerate(shard_ids):  # .clusters: (doc index in rank k, cluster id) uint32 pairs
            fn = os.path.join(clus, "%06d.clusters" % k)
            if not os.path.exists(fn):
                continue
            with open(fn, "rb") as f:
                data = f.read()
            for doc, cid in struct.iter_unpack("<2I", data):
                groups.setdefault(cid, []).append(ids[doc])
    finally:
        if not a.keep_tmp:
            shutil.rmtree(tmp, ignore_errors=True)
    clusters = [g for g in groups.values() if len(g) >= 2]
    return {"b": b, "r": r, "hashes": b * r, "hash_config": str(config.hash_config),
            "tokenizer": "spaCy blank en", "tasks": [tasks, bucket_tasks, 1], "workers": a.jobs,
            "verify": False}, clusters


PEERS = {"datasketch": run_datasketch, "rensa": run_rensa, "gaoya": run_gaoya, "textdedup": run_textdedup,
         "dedup_rs": run_dedup_rs, "datatrove": run_datatrove}


def print_params(a):
    b, r = optimal_param_datasketch(a.threshold, a.num_perm)
    print("datasketch MinHashLSH optimal: b=%d r=%d" % (b, r))
    try:
        from text_dedup.utils import optimal_param
        print("text-dedup optimal_param:      b=%d r=%d" % optimal_param(a.threshold, a.num_perm, 0.5, 0.5))
    except Exception as e:  # noqa: BLE001
        print("text-dedup: not importable (%s)" % e)
    t = a.threshold
    bands = 4 if t >= 0.9 else 8 if t >= 0.8 else 16 if t >= 0.7 else 32 if t >= 0.5 else a.num_perm // 2
    print("rensa default_lsh_bands:       b=%d r=%d" % (bands, a.num_perm // bands))
    try:
        from gaoya.minhash import MinHashStringIndex
        print("gaoya S-curve:                 %s" % MinHashStringIndex(
            hash_size=32, jaccard_threshold=a.threshold, num_bands=None, band_size=None,
            num_hashes=a.num_perm, analyzer="word", ngram_range=(a.ngram, a.ngram)))
    except Exception as e:  # noqa: BLE001
        print("gaoya: not importable (%s)" % e)
    try:
        import numpy as np
        from dedup_rs import EmbedFunc
        emb = EmbedFunc(a.threshold, a.num_perm, a.ngram, 0.5, 0.5, "text", "id", None, 1)
        emb.batch_embed_shard(["a b c d e"], np.zeros(1, dtype=np.uint32))  # to see a band key's width
        print("dedup_rs EmbedFunc:            b=%d r=%d" % (len(emb.hash_tables),
                                                          len(next(iter(emb.hash_tables[0]))) // 8))
    except Exception as e:  # noqa: BLE001
        print("dedup_rs: not importable (%s)" % e)
    b, r = datatrove_band_rows(a)
    print("datatrove MinhashConfig:       num_buckets=%d hashes_per_bucket=%d (%d hashes)" % (b, r, b * r))


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("peer", choices=sorted(PEERS) + ["params"])
    ap.add_argument("docs", nargs="?")
    ap.add_argument("-o", "--out")
    ap.add_argument("--threshold", type=float, default=0.8)
    ap.add_argument("--num-perm", type=int, default=128)
    ap.add_argument("--ngram", type=int, default=5)
    ap.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    ap.add_argument("--verify", action="store_true", help="datasketch: check estimated Jaccard of candidates")
    ap.add_argument("--no-verify", action="store_true", help="rensa: keep raw LSH candidates")
    ap.add_argument("--bands", type=int, default=0,
                    help="rensa, datatrove: override the band count (datatrove: r = num-perm // bands)")
    ap.add_argument("--tmp", default=os.environ.get("TMPDIR", "/tmp"), help="textdedup, datatrove: scratch dir")
    ap.add_argument("--keep-tmp", action="store_true")
    a = ap.parse_args()
    if a.peer == "params":
        print_params(a)
        return
    if not a.docs or not a.out:
        ap.error("DOCS_DIR and -o OUT are required")
    paths, texts = load_corpus(a.docs, a.jobs)
    params, groups = PEERS[a.peer](a, paths, texts)
    params.update(threshold=a.threshold, num_perm=a.num_perm, ngram=a.ngram)
    write_output(a.out, a.peer, params, paths, groups)
    log("total")


if __name__ == "__main__":
    main()
