#!/usr/bin/env python3
"""Checks a neardup JSON report of a corpus made by benches/peers/gen_scale.py against its truth.

    python3 benches/scale_check.py REPORT.json CORPUS/truth.tsv

Prints one JSON line: planted copies, how many are in one cluster with their base, how many are
not, and the clusters that join documents of different bases (unrelated documents). Reads the
report's clusters one at a time, so a report of millions of clusters needs about its own size in
memory, not a parsed copy of it.
"""
import json
import sys


def clusters(path):
    """Yields each cluster of the report as a dict."""
    with open(path, encoding="utf-8") as f:
        text = f.read()
    # The list, not the count in the stats before it.
    start = text.index('\n  "clusters": [')
    at = text.index("[", start) + 1
    decoder = json.JSONDecoder()
    while True:
        while text[at] in " \n\r\t,":
            at += 1
        if text[at] == "]":
            return
        cluster, at = decoder.raw_decode(text, at)
        yield cluster


def main():
    report, truth_path = sys.argv[1], sys.argv[2]
    base_of = {}
    with open(truth_path, encoding="utf-8") as f:
        for line in f:
            copy, base = line.split("\t")[:2]
            base_of[copy] = base
    cluster_of = {}
    impure = 0
    joined = 0
    for number, cluster in enumerate(clusters(report)):
        ids = [m["id"] for m in cluster["members"]]
        for doc in ids:
            cluster_of[doc] = number
        bases = {base_of.get(doc, doc) for doc in ids}
        if len(bases) > 1:
            impure += 1
            joined += len(ids)
    found = sum(
        1
        for copy, base in base_of.items()
        if copy in cluster_of and cluster_of.get(base) == cluster_of[copy]
    )
    print(
        json.dumps(
            {
                "planted_copies": len(base_of),
                "copies_with_their_base": found,
                "copies_missed": len(base_of) - found,
                "clusters": len(set(cluster_of.values())),
                "clusters_joining_unrelated_documents": impure,
                "documents_in_them": joined,
            }
        )
    )


if __name__ == "__main__":
    main()
