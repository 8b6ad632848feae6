#!/usr/bin/env python3
"""Score a clusters JSON (neardup's or a peer's) against a generated corpus's truth.jsonl.

    benches/peers/score.py CORPUS_DIR/truth.jsonl CLUSTERS.json [--root CORPUS_DIR/docs] [--json]
                           [--truth-min-jaccard T]

CLUSTERS.json: {"clusters": [{"members": [{"path": p}, ...]}, ...]} (what `neardup scan --json`
and peers.py write; members may also be plain strings, and a bare top-level list of clusters is
accepted).  Member paths may be relative to the docs dir, relative to the corpus dir ("docs/..."),
or absolute; they are matched to truth paths.  Documents not in any predicted cluster are
predicted singletons.

Metrics (all documents of truth.jsonl, singletons included):
  pairwise precision / recall / F1 over unordered same-cluster document pairs
  ARI          adjusted Rand index, computed as sklearn.metrics.adjusted_rand_score does (same
               formula, same rounding), without needing scikit-learn
  base_recall  per true-Jaccard bin: share of copies predicted in the same cluster as their base
  --truth-min-jaccard T: copies whose true Jaccard to their base is < T are treated as singletons
               in the truth (what a perfect detector at threshold T would report); the extra
               "at_T" block reports precision/recall/F1/ARI against that truth.

Standard library only.  Scoring `neardup clean` against the injected boilerplate is
benches/paragraph_recall.py's job.
"""
import argparse
import json
import os
import sys
from collections import Counter

BINS = [(0.0, 0.5), (0.5, 0.6), (0.6, 0.7), (0.7, 0.8), (0.8, 0.9), (0.9, 1.0), (1.0, 1.01)]


def load_truth(path):
    recs = []
    with open(path) as f:
        for line in f:
            if line.strip():
                recs.append(json.loads(line))
    return recs


def load_clusters(path):
    with open(path) as f:
        doc = json.load(f)
    clusters = doc.get("clusters", []) if isinstance(doc, dict) else doc
    out = []
    for c in clusters:
        members = c.get("members", c.get("docs", [])) if isinstance(c, dict) else c
        ps = []
        for m in members:
            ps.append(m["path"] if isinstance(m, dict) else m)
        out.append(ps)
    return out


class PathMatcher:
    def __init__(self, truth_paths, root):
        self.known = set(truth_paths)
        self.root = os.path.abspath(root) if root else None
        self.by_suffix = {}
        for p in truth_paths:
            self.by_suffix.setdefault(os.path.basename(p), []).append(p)

    def __call__(self, p):
        q = p.replace("\\", "/")
        if q in self.known:
            return q
        if os.path.isabs(q) and self.root:
            r = os.path.relpath(q, self.root)
            if r in self.known:
                return r
        for prefix in ("./", "docs/"):
            if q.startswith(prefix) and q[len(prefix):] in self.known:
                return q[len(prefix):]
        cands = [t for t in self.by_suffix.get(os.path.basename(q), []) if q.endswith("/" + t) or q == t]
        if len(cands) == 1:
            return cands[0]
        return None


def pair_counts(true_labels, pred_labels):
    def c2(n):
        return n * (n - 1) // 2
    tp = sum(c2(n) for n in Counter(zip(true_labels, pred_labels)).values())
    true_pairs = sum(c2(n) for n in Counter(true_labels).values())
    pred_pairs = sum(c2(n) for n in Counter(pred_labels).values())
    p = tp / pred_pairs if pred_pairs else 1.0
    r = tp / true_pairs if true_pairs else 1.0
    f1 = 2 * p * r / (p + r) if p + r else 0.0
    return dict(precision=p, recall=r, f1=f1, tp_pairs=tp, pred_pairs=pred_pairs, true_pairs=true_pairs)


def ari(true_labels, pred_labels):
    """Adjusted Rand index, as sklearn.metrics.adjusted_rand_score computes it: from the pair
    confusion matrix (ordered pairs), in exact integers, with the same final float expression."""
    n = len(true_labels)
    sum_squares = sum(v * v for v in Counter(zip(true_labels, pred_labels)).values())
    true_sq = sum(v * v for v in Counter(true_labels).values())
    pred_sq = sum(v * v for v in Counter(pred_labels).values())
    tp = sum_squares - n
    fp = pred_sq - sum_squares
    fn = true_sq - sum_squares
    tn = n * n - fp - fn - sum_squares
    if fn == 0 and fp == 0:
        return 1.0
    return 2.0 * (tp * tn - fn * fp) / ((tp + fn) * (fn + tn) + (tp + fp) * (fp + tn))


def score(truth, clusters, root=None, min_jaccard=None):
    paths = [r["path"] for r in truth]
    match = PathMatcher(paths, root)
    pred = {}
    unknown = 0
    dup_assign = 0
    for ci, members in enumerate(clusters):
        for m in members:
            t = match(m)
            if t is None:
                unknown += 1
                continue
            if t in pred:
                dup_assign += 1
                continue
            pred[t] = ci
    n_clusters = len(clusters)
    pred_labels = [pred.get(p, n_clusters + i) for i, p in enumerate(paths)]
    true_labels = [r["cluster"] for r in truth]

    res = pair_counts(true_labels, pred_labels)
    res["ari"] = ari(true_labels, pred_labels)
    tsize = Counter(true_labels)
    psize = Counter(pred_labels)
    res.update(docs=len(paths), true_clusters=sum(1 for v in tsize.values() if v >= 2),
               true_docs_in_clusters=sum(v for v in tsize.values() if v >= 2),
               pred_clusters=sum(1 for v in psize.values() if v >= 2),
               pred_docs_in_clusters=sum(v for v in psize.values() if v >= 2),
               unknown_paths=unknown, repeated_paths=dup_assign)

    # per-bin recall of copy -> base
    base = {r["cluster"]: r["path"] for r in truth if r.get("role") == "base"}
    lab = dict(zip(paths, pred_labels))
    bins = {}
    for r in truth:
        if r.get("role") != "copy" or r["cluster"] not in base:
            continue
        j = r.get("jaccard", 1.0)
        for lo, hi in BINS:
            if lo <= j < hi:
                key = "%.1f-%.1f" % (lo, min(hi, 1.0)) if lo < 1.0 else "1.0"
                hit = lab[r["path"]] == lab[base[r["cluster"]]]
                c = bins.setdefault(key, [0, 0])
                c[0] += hit
                c[1] += 1
    res["base_recall"] = {k: {"found": v[0], "total": v[1], "recall": v[0] / v[1] if v[1] else None}
                          for k, v in sorted(bins.items())}
    hi = [v for k, v in bins.items() if k in ("0.8-0.9", "0.9-1.0", "1.0")]
    f, t = sum(v[0] for v in hi), sum(v[1] for v in hi)
    res["base_recall_ge_0.8"] = f / t if t else None

    if min_jaccard is not None:
        tl = []
        for i, r in enumerate(truth):
            if r.get("role") == "copy" and r.get("jaccard", 1.0) < min_jaccard:
                tl.append(("solo", i))
            else:
                tl.append(r["cluster"])
        at = pair_counts(tl, pred_labels)
        at["ari"] = ari([str(x) for x in tl], pred_labels)
        res["at_%g" % min_jaccard] = at
    return res


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("truth")
    ap.add_argument("clusters")
    ap.add_argument("--root", help="docs dir, to relativize absolute member paths "
                                   "(default: docs/ beside truth.jsonl)")
    ap.add_argument("--truth-min-jaccard", type=float, default=None)
    ap.add_argument("--json", action="store_true")
    a = ap.parse_args()
    root = a.root or os.path.join(os.path.dirname(os.path.abspath(a.truth)), "docs")
    truth = load_truth(a.truth)
    res = score(truth, load_clusters(a.clusters), root, a.truth_min_jaccard)
    if a.json:
        json.dump(res, sys.stdout, indent=1)
        print()
        return
    print("docs %d | true clusters %d (%d docs) | predicted clusters %d (%d docs)"
          % (res["docs"], res["true_clusters"], res["true_docs_in_clusters"], res["pred_clusters"],
             res["pred_docs_in_clusters"]))
    print("pairwise precision %.4f  recall %.4f  F1 %.4f  (tp %d / pred %d / true %d pairs)"
          % (res["precision"], res["recall"], res["f1"], res["tp_pairs"], res["pred_pairs"], res["true_pairs"]))
    print("adjusted Rand index %.4f" % res["ari"])
    print("copy->base recall by true Jaccard: " + "  ".join(
        "%s: %d/%d" % (k, v["found"], v["total"]) for k, v in res["base_recall"].items()))
    for k, v in res.items():
        if k.startswith("at_"):
            print("vs truth with copies below %s as singletons: P %.4f R %.4f F1 %.4f ARI %.4f"
                  % (k[3:], v["precision"], v["recall"], v["f1"], v["ari"]))
    if res["unknown_paths"] or res["repeated_paths"]:
        print("WARNING: %d member paths not in truth, %d listed twice" % (res["unknown_paths"], res["repeated_paths"]))


if __name__ == "__main__":
    main()
