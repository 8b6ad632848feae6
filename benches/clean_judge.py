#!/usr/bin/env python3
"""Cleaning on real text, for a person to judge: what `neardup clean` removes from a folder,
and a random sample of removals shown in context.

For each folder it runs `clean FOLDER --out OUT` with default options (plus any options given
after `--`), prints the counts of repeats and boilerplate removed, then cleans OUT again into a
second folder and prints what that second run removed (idempotence: it should be nothing).
With --sample N it prints N removals drawn at random (seeded), each with the lines around it,
and for a repeat the kept paragraph it repeats, so that each can be judged right or wrong.

    benches/real_folders.sh                      # builds ~/.cache/neardup-bench/real/*
    benches/clean_judge.py --sample 20 ~/.cache/neardup-bench/real/{rustdoc,crates,usrdoc,man}

Options: --bin PATH (default target/release/neardup), --seed S, --context K (lines, default 3),
--work DIR (where the cleaned copies go, default a temporary folder).
"""

import argparse
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile


def clean(binary, folder, out, extra):
    if os.path.exists(out):
        shutil.rmtree(out)
    cmd = [binary, "clean", folder, "--out", out, "--json", "-q", *extra]
    run = subprocess.run(cmd, capture_output=True, text=True)
    if run.returncode not in (0, 2) or not run.stdout.strip():
        sys.exit(f"{' '.join(cmd)}: exit {run.returncode}\n{run.stderr}")
    return json.loads(run.stdout)


def lines_of(path):
    with open(path, encoding="utf-8", errors="replace") as f:
        return f.read().split("\n")


def show(lines, first, last, context, mark):
    lo, hi = max(1, first - context), min(len(lines), last + context)
    for n in range(lo, hi + 1):
        flag = mark if first <= n <= last else " "
        print(f"  {flag}{n:5} | {lines[n - 1][:150]}")


def sample(manifest, folder, k, seed, context):
    removals = [
        (doc, r)
        for doc in manifest["documents"]
        for r in doc["removed"]
    ]
    rng = random.Random(seed)
    picked = rng.sample(removals, min(k, len(removals)))
    base = os.path.dirname(os.path.abspath(folder))
    for i, (doc, r) in enumerate(picked, 1):
        path = doc["path"]
        full = path if os.path.isabs(path) else os.path.join(os.getcwd(), path)
        if not os.path.exists(full):
            full = os.path.join(base, path)
        lines = lines_of(full)
        first, last = r["lines"]
        why = r["reason"]
        if why == "repeat":
            why += f" of line {r['repeat_of_line']} ({r['repeat_kind']}, {r['similarity']})"
        else:
            why += f" in {r['boilerplate_documents']} documents"
        print(f"\n[{i}] {path} lines {first}-{last}: {why}")
        show(lines, first, last, context, "-")
        if r["reason"] == "repeat":
            at = r["repeat_of_line"]
            print("  kept:")
            show(lines, at, at, 1, "=")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("folders", nargs="+")
    parser.add_argument("--bin", default="target/release/neardup")
    parser.add_argument("--sample", type=int, default=0)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--context", type=int, default=3)
    parser.add_argument("--work")
    args, extra = parser.parse_known_args()
    extra = [a for a in extra if a != "--"]
    work = args.work or tempfile.mkdtemp(prefix="neardup-judge-")
    print("folder     docs  changed  repeats  boilerplate | 2nd run: repeats  boilerplate")
    manifests = {}
    for folder in args.folders:
        name = os.path.basename(os.path.normpath(folder))
        once = os.path.join(work, name + ".1")
        twice = os.path.join(work, name + ".2")
        first = clean(args.bin, folder, once, extra)
        second = clean(args.bin, once, twice, extra)
        s, t = first["stats"], second["stats"]
        print(
            f"{name:9} {s['documents']:5} {s['documents_changed']:8} {s['repeats_removed']:8}"
            f" {s['boilerplate_removed']:12} | {t['repeats_removed']:16} {t['boilerplate_removed']:12}"
        )
        manifests[folder] = first
    if args.sample:
        for folder, manifest in manifests.items():
            print(f"\n===== {folder}: {args.sample} removals drawn with seed {args.seed}")
            sample(manifest, folder, args.sample, args.seed, args.context)
    if not args.work:
        shutil.rmtree(work)


if __name__ == "__main__":
    main()
