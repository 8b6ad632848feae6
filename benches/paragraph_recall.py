#!/usr/bin/env python3
"""Scores `neardup clean` against the boilerplate injected by benches/peers/gen_corpus.py.

    neardup clean DIR/docs --out /tmp/x --dry-run --json > manifest.json
    python3 benches/paragraph_recall.py DIR manifest.json

DIR/boilerplate.jsonl lists every injected footer and every paragraph pasted several times into
one article, with paragraph indices (blank-line-separated paragraphs, from 0). Reports:
- footer recall: footer occurrences removed as boilerplate / footer occurrences;
- repeat recall: pasted copies removed / (occurrences - 1) per article (keep-first keeps one);
- wrongly removed: removed paragraphs that were not injected, split into those whose text occurs
  once in the whole corpus (must be 0) and those that occur more than once.
Standard library only (the normalization is benches/peers/normalize.py's: NFKC, lower, \\w+ words).
"""
import json
import os
import re
import sys
import unicodedata
from collections import Counter

WORD = re.compile(r"\w+")


def paragraphs(text):
    text = text.replace("\r\n", "\n")
    return [p for p in re.split(r"\n[ \t]*\n", text) if p.strip()]


def key(p):
    return " ".join(WORD.findall(unicodedata.normalize("NFKC", p).lower()))


def main():
    corpus, manifest_path = sys.argv[1], sys.argv[2]
    docs = os.path.join(corpus, "docs")
    manifest = json.load(open(manifest_path))

    footers, repeats = set(), {}
    for line in open(os.path.join(corpus, "boilerplate.jsonl")):
        b = json.loads(line)
        occ = [(o["path"], o["paragraph_index"]) for o in b["occurrences"]]
        if b["kind"] == "footer":
            footers.update(occ)
        else:
            for path, idx in occ:
                repeats.setdefault(path, []).append(idx)

    def rel(path):
        return os.path.relpath(os.path.abspath(path), os.path.abspath(docs))

    removed = {}
    for d in manifest["documents"]:
        for r in d["removed"]:
            removed[(rel(d["path"]), r["paragraph"] - 1)] = r["reason"]

    found_footers = sum(1 for o in footers if removed.get(o) == "boilerplate")
    expected_repeats = sum(len(v) - 1 for v in repeats.values())
    found_repeats = sum(
        max(0, sum(1 for i in v if (p, i) in removed) - 0) for p, v in repeats.items())
    # Removing all occurrences would overshoot; count at most len - 1 per article.
    found_repeats = sum(min(len(v) - 1, sum(1 for i in v if (p, i) in removed))
                        for p, v in repeats.items())

    injected = footers | {(p, i) for p, v in repeats.items() for i in v}
    wrong = [o for o in removed if o not in injected]
    counts = Counter()
    texts = {}
    for root, _, files in os.walk(docs):
        for f in files:
            path = os.path.join(root, f)
            r = os.path.relpath(path, docs)
            ps = paragraphs(open(path, encoding="utf-8", errors="replace").read())
            for i, p in enumerate(ps):
                k = key(p)
                counts[k] += 1
                if (r, i) in removed:
                    texts[(r, i)] = k
    wrong_unique = [o for o in wrong if counts[texts.get(o, "")] == 1]
    result = {
        "footer_occurrences": len(footers),
        "footer_recall": round(found_footers / max(1, len(footers)), 4),
        "repeat_copies": expected_repeats,
        "repeat_recall": round(found_repeats / max(1, expected_repeats), 4),
        "removed": len(removed),
        "wrongly_removed": len(wrong),
        "wrongly_removed_unique_in_corpus": len(wrong_unique),
    }
    print(json.dumps(result, indent=1))
    for o in wrong[:10]:
        print("not injected:", o, removed[o], "occurrences in corpus:", counts[texts.get(o, "")],
              file=sys.stderr)


if __name__ == "__main__":
    main()
