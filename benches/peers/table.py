#!/usr/bin/env python3
"""The side-by-side table of one run.sh output folder, as Markdown.

    benches/peers/table.py OUTDIR NDOCS THRESHOLD REPEAT TOOL...

For each TOOL it reads OUTDIR/TOOL.time.K (GNU `time -v` reports, K = 1..REPEAT) and
OUTDIR/TOOL.eval.json (score.py --json); the row keeps the fastest successful run.  A tool with no
successful run or no score is shown as FAILED.  Standard library only.
"""
import glob
import json
import os
import re
import sys


def parse_time(path):
    txt = open(path).read()
    m = re.search(r"Elapsed \(wall clock\) time.*: (?:(\d+):)?(\d+):([\d.]+)", txt)
    wall = (int(m.group(1) or 0) * 3600 + int(m.group(2)) * 60 + float(m.group(3))) if m else None
    rss = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", txt).group(1)) / 1024
    cpu = re.search(r"Percent of CPU this job got: (\d+)%", txt).group(1)
    status = int(re.search(r"Exit status: (\d+)", txt).group(1)) if "Exit status" in txt else -1
    return dict(wall=wall, rss=rss, cpu=cpu, status=status)


def main():
    outdir, ndocs, thr, repeat, tools = sys.argv[1], int(sys.argv[2]), sys.argv[3], int(sys.argv[4]), sys.argv[5:]
    hdr = ["tool", "wall s", "max RSS MB", "docs/s", "CPU%", "precision", "recall", "F1", "ARI",
           "F1@" + thr, "ARI@" + thr, "base-recall J>=0.8"]
    rows = []
    for t in tools:
        runs = [parse_time(p) for p in sorted(glob.glob(os.path.join(outdir, t + ".time.*")))
                if int(p.rsplit(".", 1)[1]) <= repeat]
        ok = [r for r in runs if r["status"] == 0 and r["wall"] is not None]
        ev_path = os.path.join(outdir, t + ".eval.json")
        if not ok or not os.path.exists(ev_path):
            rows.append([t, "FAILED"] + [""] * (len(hdr) - 2))
            continue
        best = min(ok, key=lambda r: r["wall"])
        ev = json.load(open(ev_path))
        at = ev.get("at_" + ("%g" % float(thr)), {})

        def f(x):
            return "" if x is None else "%.4f" % x
        rows.append([t, "%.2f" % best["wall"], "%.0f" % best["rss"], "%.0f" % (ndocs / max(best["wall"], 1e-9)),
                     best["cpu"], f(ev["precision"]), f(ev["recall"]), f(ev["f1"]), f(ev["ari"]),
                     f(at.get("f1")), f(at.get("ari")), f(ev.get("base_recall_ge_0.8"))])
    print("| " + " | ".join(hdr) + " |")
    print("|" + "---|" * len(hdr))
    for r in rows:
        print("| " + " | ".join(r) + " |")


if __name__ == "__main__":
    main()
