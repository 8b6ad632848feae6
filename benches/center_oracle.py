#!/usr/bin/env python3
"""How far center linkage can go on a generated corpus: F1@T of star clusterings whose centers
are picked by different rules, including an oracle that is told each group's base.

    ~/.cache/neardup-bench/venv/bin/python benches/center_oracle.py ~/.cache/neardup-bench/corpus-medium

Uses the side-by-side harness's normalization and scorer (benches/peers/normalize.py, score.py).
Within each true group (base and copies; no reported pair of neardup's crosses groups on these
corpora), it computes the exact word-5-shingle Jaccard of every pair, then builds star clusters
the way neardup's center linkage does: documents are ranked, and each in turn, if not yet taken,
becomes a center and takes its untaken neighbours at J >= T. Rules:

  oracle        the base first (what the truth at T is centred on)
  neardup       most neighbours at >= T, then highest sum of those similarities, then most words
                (neardup's rule; it reproduces neardup's own F1@0.8 on the medium corpus)
  stripped      the same, with similarities computed on texts whose repeated paragraphs were
                removed, ties to the longer text (so a base with pasted repeats can win)
  stripped-all  the sum of all stripped similarities in the group, ties to the longer text

The gap between "neardup" and "oracle" is what any rule could still gain; "stripped" shows that
a rule aimed at bases with pasted repeats loses about as much on copies with pasted repeats.
"""
import argparse
import collections
import json
import os
import re
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "peers"))
from normalize import jaccard, shingle_set, words  # noqa: E402
import score as evaluate  # noqa: E402


def stripped(text):
    """The text without its repeated paragraphs (first occurrence kept, compared on words)."""
    seen, out = set(), []
    for paragraph in re.split(r"\n\s*\n", text.replace("\r\n", "\n")):
        key = tuple(words(paragraph))
        if key and key not in seen:
            seen.add(key)
            out.append(paragraph)
    return "\n\n".join(out)


def groups_with_similarities(corpus):
    truth = evaluate.load_truth(os.path.join(corpus, "truth.jsonl"))
    by_group = collections.defaultdict(list)
    for record in truth:
        by_group[record["cluster"]].append(record)
    groups = []
    for records in by_group.values():
        if len(records) < 2:
            continue
        texts = [open(os.path.join(corpus, "docs", r["path"]), encoding="utf-8").read()
                 for r in records]
        full = [shingle_set(t) for t in texts]
        clean = [shingle_set(stripped(t)) for t in texts]
        n = len(records)
        sim = [[1.0] * n for _ in range(n)]
        sim_clean = [[1.0] * n for _ in range(n)]
        for i in range(n):
            for j in range(i + 1, n):
                sim[i][j] = sim[j][i] = jaccard(full[i], full[j])
                sim_clean[i][j] = sim_clean[j][i] = jaccard(clean[i], clean[j])
        groups.append((records, sim, sim_clean, [len(words(t)) for t in texts]))
    return truth, groups


def star_clusters(records, sim, sim_clean, n_words, rule, threshold):
    """Star clusters of one group, as lists of member indices."""
    n = len(records)

    def near(matrix, i):
        return [matrix[i][j] for j in range(n) if j != i and matrix[i][j] >= threshold]

    def rank(i):
        if rule == "oracle":
            return (records[i]["role"] == "base",)
        if rule == "neardup":
            return (len(near(sim, i)), sum(near(sim, i)), n_words[i])
        if rule == "stripped":
            return (len(near(sim_clean, i)), sum(near(sim_clean, i)), n_words[i])
        if rule == "stripped-all":
            return (sum(sim_clean[i][j] for j in range(n) if j != i), n_words[i])
        raise ValueError(rule)

    clusters, free = [], set(range(n))
    for center in sorted(range(n), key=lambda i: (rank(i), -i), reverse=True):
        if center not in free:
            continue
        members = [center] + [j for j in sorted(free) if j != center and sim[center][j] >= threshold]
        if len(members) < 2:
            continue
        free.difference_update(members)
        clusters.append(members)
    return clusters


def wrong_pairs(records, clusters, threshold):
    """Pairs of the group on which the clusters and the truth at `threshold` disagree."""
    def truth_label(r):
        return ("solo", r["path"]) if r["role"] == "copy" and r["jaccard"] < threshold else "group"
    cluster_of = {j: k for k, members in enumerate(clusters) for j in members}
    wrong = 0
    for a in range(len(records)):
        for b in range(a + 1, len(records)):
            same = a in cluster_of and cluster_of.get(a) == cluster_of.get(b)
            wrong += same != (truth_label(records[a]) == truth_label(records[b]) == "group")
    return wrong


def score(truth, groups, rule, threshold):
    clusters = []
    for records, sim, sim_clean, n_words in groups:
        for members in star_clusters(records, sim, sim_clean, n_words, rule, threshold):
            clusters.append([records[j]["path"] for j in members])
    return evaluate.score(truth, clusters, None, threshold)["at_%g" % threshold]


def breakdown(corpus, groups, threshold):
    """Where neardup's rule loses pairs against the oracle: groups whose base has pasted
    repeats (boilerplate.jsonl) or not."""
    pasted = set()
    with open(os.path.join(corpus, "boilerplate.jsonl")) as f:
        for line in f:
            entry = json.loads(line)
            if entry["kind"] == "repeat":
                pasted.update(o["path"] for o in entry["occurrences"])
    lost = collections.Counter()
    for records, sim, sim_clean, n_words in groups:
        ours = wrong_pairs(records, star_clusters(records, sim, sim_clean, n_words, "neardup", threshold), threshold)
        best = wrong_pairs(records, star_clusters(records, sim, sim_clean, n_words, "oracle", threshold), threshold)
        base = next(r["path"] for r in records if r["role"] == "base")
        kind = "base with pasted repeats" if base in pasted else "other bases"
        if ours != best:
            lost[kind, "groups"] += 1
            lost[kind, "pairs"] += ours - best
    for kind in ["base with pasted repeats", "other bases"]:
        print("pairs lost against the oracle, %s: %d in %d groups"
              % (kind, lost[kind, "pairs"], lost[kind, "groups"]))


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("corpus", help="a generated corpus folder (truth.jsonl, docs/)")
    parser.add_argument("--threshold", type=float, default=0.8)
    args = parser.parse_args()
    truth, groups = groups_with_similarities(args.corpus)
    for rule in ["oracle", "neardup", "stripped", "stripped-all"]:
        r = score(truth, groups, rule, args.threshold)
        print("%-13s precision %.4f recall %.4f F1@%g %.4f" % (rule, r["precision"], r["recall"], args.threshold, r["f1"]))
    breakdown(args.corpus, groups, args.threshold)


if __name__ == "__main__":
    main()
