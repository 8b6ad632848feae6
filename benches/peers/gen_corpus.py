#!/usr/bin/env python3
"""Deterministic generator of a labeled near-duplicate corpus built from real text on this machine.

    benches/peers/gen_corpus.py --docs 20000 --seed 1 --out ~/.cache/neardup-bench/corpus-medium

The corpus is a function of the options and of the text found on the machine (its digest is
manifest.json's "source_digest"): the same seed on machines with the same /usr/share/doc gives the
same files, whatever --jobs is.  Standard library only.

Text source: paragraphs harvested (sorted, deterministic) from /usr/share/doc (README*, changelog*,
NEWS*, copyright, *.txt/.md/.rst, .gz decompressed) and /usr/share/common-licenses.  Article
paragraphs are windows of consecutive real sentences, sometimes joined with a window from a
second source paragraph; articles have 3-15 paragraphs.

Output (--out DIR):
  DIR/docs/dNNNN/docNNNNNNN.txt   the articles (UTF-8); scan DIR/docs
  DIR/truth.jsonl                 {"path", "cluster", "role" (base|copy|singleton), "jaccard", "parent",
                                  "edits"} per doc;
                                  path is relative to DIR/docs; singletons get their own cluster id;
                                  "jaccard" = true word-5-shingle Jaccard to the cluster's base
                                  (canonical normalization of normalize.py beside this script)
  DIR/boilerplate.jsonl           one line per injected repeated paragraph:
                                  {"id", "kind": "footer"|"repeat", "text", "occurrences":
                                   [{"path", "paragraph_index"}...]}; paragraph_index counts
                                  blank-line-separated paragraphs of the file from 0
  DIR/manifest.json               parameters, counts, sizes, timings, source-pool digest

Paragraphs are separated by one blank line (CRLF in some files); within a paragraph lines may be
wrapped.  Near-duplicate copies get controlled edits (word ins/del/sub at a rate calibrated to a
target Jaccard drawn from U(0.5, 1.0), sentence reorder, paragraph add/remove/swap) and/or
format-only variants (whitespace, wrapping, CRLF, case, punctuation, curly quotes, NFKC-different
Unicode forms, NFD) that leave the canonical token stream unchanged.
"""
import argparse
import gzip
import hashlib
import json
import os
import random
import re
import shutil
import sys
import textwrap
import time
import unicodedata
from multiprocessing import Pool

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from normalize import jaccard, shingle_set, words  # noqa: E402

# Raised whenever the same options would give other files, so that a corpus made by an older
# generator is made again (--if-stale) instead of being scored against a newer truth.
GENERATOR = 2
SOURCES = ["/usr/share/doc", "/usr/share/common-licenses"]
NAME_RE = re.compile(
    r"^(readme|changelog|news|copyright|authors|thanks|todo|history|faq|changes|copying|license)"
    r"|\.(txt|md|rst)$", re.I)
MAX_FILE_CHARS = 3_000_000
SENT_SPLIT = re.compile(r"(?<=[.!?])\s+(?=[\"'(\[A-Z0-9])")
BULLET = re.compile(r"^([*+\-\u2022]|\d{1,2}[.)])\s+")
ODD_CHARS = re.compile(r"[{}\[\]<>=|\\/_#$%@`~^]")

# --------------------------------------------------------------------------------------------
# Harvesting


def source_files():
    seen = set()
    out = []
    for root in SOURCES:
        for dirpath, dirnames, filenames in os.walk(root):
            dirnames.sort()
            for fn in sorted(filenames):
                path = os.path.join(dirpath, fn)
                base = fn[:-3] if fn.endswith(".gz") else fn
                if root.endswith("common-licenses") or NAME_RE.search(base):
                    try:
                        real = os.path.realpath(path)
                        if real in seen or not os.path.isfile(real):
                            continue
                        seen.add(real)
                    except OSError:
                        continue
                    out.append(path)
    return out


def read_text(path):
    try:
        if path.endswith(".gz"):
            with gzip.open(path, "rb") as f:
                data = f.read(MAX_FILE_CHARS)
        else:
            with open(path, "rb") as f:
                data = f.read(MAX_FILE_CHARS)
    except (OSError, EOFError):
        return ""
    if b"\0" in data[:4096]:
        return ""
    return data.decode("utf-8", errors="replace")


def clean_paragraph(block):
    lines = []
    for line in block.splitlines():
        line = line.strip()
        if not line:
            continue
        line = BULLET.sub("", line)
        lines.append(line)
    if not lines or lines[0].startswith("--") or lines[0].startswith("Copyright"):
        return None
    p = re.sub(r"\s+", " ", " ".join(lines)).strip()
    if "\ufffd" in p or any(ord(c) < 32 for c in p):
        return None
    ws = words(p)
    if not 12 <= len(ws) <= 220:
        return None
    nonspace = [c for c in p if not c.isspace()]
    letters = sum(c.isalpha() for c in nonspace)
    if letters < 0.75 * len(nonspace):
        return None
    if len(ODD_CHARS.findall(p)) > 0.02 * len(p):
        return None
    return p


class SourcePool:
    def __init__(self, paras):
        self.paras = paras                      # list of paragraphs, each a list of sentences
        self.vocab = []                         # frequency-weighted word list for edits
        for p in paras[::3]:
            for s in p:
                self.vocab.extend(w for w in s.split() if w.isalpha() and 2 <= len(w) <= 14)
        self.digest = hashlib.sha256("\n".join(" ".join(p) for p in paras).encode()).hexdigest()[:16]


def file_paragraphs(path):
    text = read_text(path).replace("\r\n", "\n")
    out = []
    for block in re.split(r"\n[ \t]*\n", text):
        p = clean_paragraph(block)
        if p is not None:
            out.append((hashlib.md5(" ".join(words(p)).encode()).digest(), p))
    return out


def harvest(jobs=1):
    """Deterministic: files in sorted order, first occurrence of each paragraph wins."""
    files = source_files()
    if jobs > 1:
        with Pool(jobs) as pool:
            per_file = pool.map(file_paragraphs, files, chunksize=4)
    else:
        per_file = [file_paragraphs(f) for f in files]
    seen = set()
    paras = []
    for items in per_file:
        for key, p in items:
            if key in seen:
                continue
            seen.add(key)
            paras.append([s for s in SENT_SPLIT.split(p) if s.strip()])
    return SourcePool(paras)


# --------------------------------------------------------------------------------------------
# Article construction and edits


def nwords(par):
    return len(par.split())


def make_paragraph(rng, pool, exclude):
    parts = []
    total = 0
    first = True
    while first or total < 20 or (rng.random() < 0.3 and total < 80):
        first = False
        while True:
            i = rng.randrange(len(pool.paras))
            if i not in exclude:
                break
        sents = pool.paras[i]
        n = len(sents)
        length = rng.randint(1, min(n, 6))
        start = rng.randint(0, n - length)
        win = sents[start:start + length]
        parts.extend(win)
        total += sum(len(s.split()) for s in win)
    text = " ".join(parts)
    toks = text.split()
    if len(toks) > 180:
        text = " ".join(toks[:180])
        if not text.endswith("."):
            text += "."
    return text


def make_article(rng, pool, exclude):
    n = rng.randint(3, 15)
    pars = [make_paragraph(rng, pool, exclude) for _ in range(n)]
    while sum(nwords(p) for p in pars) < 150:
        pars.append(make_paragraph(rng, pool, exclude))
    return pars


def word_edits(rng, pars, rate, vocab):
    counts = {"ins": 0, "del": 0, "sub": 0}
    if rate <= 0:
        return pars, counts
    out = []
    for p in pars:
        toks = p.split(" ")
        new = []
        for t in toks:
            if rng.random() < rate:
                op = rng.randrange(3)
                if op == 0:     # insertion after t
                    new.append(t)
                    new.append(rng.choice(vocab))
                    counts["ins"] += 1
                elif op == 1:   # deletion
                    counts["del"] += 1
                else:           # substitution, keep trailing punctuation
                    m = re.match(r"^(.*?)([.,;:!?)\"']*)$", t)
                    new.append(rng.choice(vocab) + (m.group(2) if m else ""))
                    counts["sub"] += 1
            else:
                new.append(t)
        if not new:
            new = [rng.choice(vocab)]
        out.append(" ".join(new))
    return out, counts


def structural_edits(rng, pars, pool, exclude, edits):
    pars = list(pars)
    if rng.random() < 0.35:
        cand = [i for i, p in enumerate(pars) if len(SENT_SPLIT.split(p)) >= 2]
        if cand:
            i = rng.choice(cand)
            sents = SENT_SPLIT.split(pars[i])
            rng.shuffle(sents)
            pars[i] = " ".join(sents)
            edits.append("sentence_reorder")
    if rng.random() < 0.15 and len(pars) >= 4:
        del pars[rng.randrange(len(pars))]
        edits.append("paragraph_removed")
    if rng.random() < 0.15:
        pars.insert(rng.randint(0, len(pars)), make_paragraph(rng, pool, exclude))
        edits.append("paragraph_added")
    if rng.random() < 0.10 and len(pars) >= 3:
        i = rng.randrange(len(pars) - 1)
        pars[i], pars[i + 1] = pars[i + 1], pars[i]
        edits.append("paragraph_swap")
    return pars


LIGATURES = [("ffi", "\ufb03"), ("ffl", "\ufb04"), ("ff", "\ufb00"), ("fi", "\ufb01"), ("fl", "\ufb02")]


def fullwidth(s):
    return "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in s)


def curly_quotes(p):
    p = re.sub(r"\"([^\"]*)\"", "\u201c\\1\u201d", p)
    p = re.sub(r"(\w)'(\w)", "\\1\u2019\\2", p)
    p = re.sub(r"'([^']*)'", "\u2018\\1\u2019", p)
    return p


def format_variants(rng, pars, edits):
    """Changes that leave the canonical token stream (normalize.words) unchanged."""
    pars = list(pars)
    kinds = ["spaces", "case", "punct", "quotes", "unicode"]
    chosen = [k for k in kinds if rng.random() < 0.45] or [rng.choice(kinds)]
    for k in chosen:
        if k == "spaces":
            pars = [re.sub(" ", lambda m: rng.choice(["  ", "\t", " \u00a0", "   "]) if rng.random() < 0.06 else " ", p)
                    for p in pars]
            edits.append("whitespace")
        elif k == "case":
            mode = rng.randrange(3)
            if mode == 0:
                pars = [p.lower() for p in pars]
                edits.append("case_lower")
            elif mode == 1:
                i = rng.randrange(len(pars))
                pars[i] = pars[i].upper()
                edits.append("case_upper_paragraph")
            else:
                i = rng.randrange(len(pars))
                pars[i] = " ".join(w[:1].upper() + w[1:] for w in pars[i].split(" "))
                edits.append("case_title_paragraph")
        elif k == "punct":
            def punct(p):
                p = re.sub(r",(?=\s)", lambda m: "" if rng.random() < 0.4 else " ,", p)
                p = re.sub(r"\.(\s|$)", lambda m: (rng.choice(["!", " .", ".."]) if rng.random() < 0.15 else ".") + m.group(1), p)
                return p.replace(" - ", " \u2014 ").replace("...", "\u2026")
            pars = [punct(p) for p in pars]
            edits.append("punctuation")
        elif k == "quotes":
            pars = [curly_quotes(p) for p in pars]
            edits.append("curly_quotes")
        elif k == "unicode":
            mode = rng.randrange(3)
            if mode == 0:
                def lig(p):
                    for a, b in LIGATURES:
                        p = re.sub(a, lambda m: b if rng.random() < 0.7 else a, p)
                    return p
                pars = [lig(p) for p in pars]
                edits.append("nfkc_ligatures")
            elif mode == 1:
                pars = [" ".join(fullwidth(w) if rng.random() < 0.08 else w for w in p.split(" ")) for p in pars]
                edits.append("nfkc_fullwidth")
            else:
                pars = [unicodedata.normalize("NFD", p) for p in pars]
                pars = [p.replace(" ", "\u00a0") if rng.random() < 0.3 else p for p in pars]
                edits.append("nfd_nbsp")
    return pars


END_MARKS = {":": ".", ";": ".", ",": ".", "\uff1a": "\uff0e", "\uff1b": "\uff0e", "\uff0c": "\uff0e"}


def end_sentence(p):
    """A paragraph that ends a sentence. A window of sentences can stop on a line that introduced
    a list in its source ("Major changes in version 1.5:"); an article paragraph never ends so,
    least of all with a site's footer or a pasted paragraph after it. Only the mark changes: the
    words, every shingle and every similarity stay, and no random draw depends on it."""
    body = p.rstrip()
    if body and body[-1] in END_MARKS:
        return body[:-1] + END_MARKS[body[-1]] + p[len(body):]
    return p


def render(pars, width, crlf):
    out = []
    for p in pars:
        if width:
            out.append(textwrap.fill(p, width=width, break_long_words=False, break_on_hyphens=False))
        else:
            out.append(p)
    text = "\n\n".join(out) + "\n"
    if crlf:
        text = text.replace("\n", "\r\n")
    return text


# --------------------------------------------------------------------------------------------
# Cluster generation (runs in worker processes)

G = {}  # pool, footers, params; set in the parent before forking


def gen_cluster(spec):
    """spec = (cluster_id, slot_ids): first slot is the base, the rest are near-duplicate copies."""
    cid, slots = spec
    pool, footers, sites, a = G["pool"], G["footers"], G["sites"], G["args"]
    exclude = G["exclude"]
    rng = random.Random(f"{a.seed}:{cid}")
    base_pars = make_article(rng, pool, exclude)
    site = rng.choices(range(len(sites)), weights=G["site_weights"])[0] if rng.random() < a.footer_fraction else None

    members = []  # (slot, content pars, parent index, edits)
    members.append((slots[0], base_pars, None, []))
    for slot in slots[1:]:
        parent = 0 if (len(members) == 1 or rng.random() < 0.85) else rng.randrange(1, len(members))
        pars = members[parent][1]
        edits = []
        r = rng.random()
        if r < 0.08:
            edits.append("exact_copy")
        elif r < 0.20:
            pars = format_variants(rng, pars, edits)
        else:
            target = rng.uniform(0.5, 1.0)
            pars = structural_edits(rng, pars, pool, exclude, edits)
            j_struct = jaccard(shingle_set("\n".join(base_pars)), shingle_set("\n".join(pars)))
            q = min(1.0, target / max(j_struct, 1e-9))
            s = 2 * q / (1 + q)
            rate = 1 - s ** (1 / 5)
            pars, counts = word_edits(rng, pars, rate, pool.vocab)
            if rate > 0:
                edits.append("words(rate=%.3f,ins=%d,del=%d,sub=%d)" % (rate, counts["ins"], counts["del"], counts["sub"]))
            if rng.random() < 0.5:
                pars = format_variants(rng, pars, edits)
        members.append((slot, pars, parent, edits))

    docs = []
    for idx, (slot, pars, parent, edits) in enumerate(members):
        tagged = [(p, None) for p in pars]
        exact = "exact_copy" in edits
        if exact:
            docs.append(dict(docs[parent]))
            docs[-1].update(slot=slot, parent=parent, edits=edits, role="copy")
            continue
        if rng.random() < a.repeat_fraction:
            k = rng.randint(3, 6)
            teaser = tagged[0][0]
            tagged[0] = (teaser, "teaser")
            for _ in range(k - 1):
                tagged.insert(rng.randint(1, len(tagged)), (teaser, "teaser"))
        my_site = site
        if idx > 0 and rng.random() < 0.2:
            my_site = rng.choices(range(len(sites)), weights=G["site_weights"])[0] if rng.random() < 0.5 else None
        if my_site is not None:
            for fid in sites[my_site]:
                tagged.append((footers[fid], "footer:%d" % fid))
        width = rng.choice([0, 0, 60, 72, 72, 80])
        crlf = rng.random() < 0.05
        docs.append(dict(slot=slot, tagged=tagged, width=width, crlf=crlf, parent=parent, edits=edits,
                         role=("base" if len(slots) > 1 else "singleton") if idx == 0 else "copy"))

    results = []
    base_set = None
    for d in docs:
        text = render([end_sentence(p) for p, _ in d["tagged"]], d["width"], d["crlf"])
        rel = slot_path(d["slot"])
        full = os.path.join(a.out, "docs", rel)
        with open(full, "w", encoding="utf-8", newline="") as f:
            f.write(text)
        sset = shingle_set(text)
        if base_set is None:
            base_set = sset
        jac = 1.0 if d["role"] != "copy" else jaccard(base_set, sset)
        boiler = [(i, t) for i, (_, t) in enumerate(d["tagged"]) if t]
        results.append(dict(path=rel, cluster=cid, role=d["role"], jaccard=round(jac, 4),
                            parent=None if d["parent"] is None else slot_path(members[d["parent"]][0]),
                            edits=d["edits"], boiler=boiler, teaser=d["tagged"][0][0] if any(t == "teaser" for _, t in d["tagged"]) else None,
                            bytes=len(text.encode("utf-8"))))
    return results


def slot_path(slot):
    return "d%04d/doc%07d.txt" % (slot // 1000, slot)


def gen_chunk(specs):
    return [r for spec in specs for r in gen_cluster(spec)]


# --------------------------------------------------------------------------------------------


def cluster_sizes(rng, n_docs, dup_fraction):
    """Sizes (>=1) of the clusters: total = n_docs, about dup_fraction of docs are copies."""
    copies_left = int(round(n_docs * dup_fraction))
    n_clusters = n_docs - copies_left
    sizes = [1] * n_clusters
    order = list(range(n_clusters))
    rng.shuffle(order)
    k = 0
    while copies_left > 0 and k < len(order):
        r = rng.random()
        if r < 0.50:
            c = 1
        elif r < 0.72:
            c = 2
        elif r < 0.90:
            c = rng.randint(3, 5)
        elif r < 0.99:
            c = rng.randint(6, 20)
        else:
            c = rng.randint(21, 60)
        c = min(c, copies_left)
        sizes[order[k]] += c
        copies_left -= c
        k += 1
    return sizes


def up_to_date(a):
    """Whether a.out holds a complete corpus made by this generator with the options in a."""
    try:
        with open(os.path.join(a.out, "manifest.json")) as f:
            made = json.load(f)
    except (OSError, ValueError):
        return False
    same = {k: v for k, v in vars(a).items() if k not in ("jobs", "if_stale")}
    return (made.get("generator") == GENERATOR
            and {k: made["args"].get(k) for k in same} == same
            and os.path.isfile(os.path.join(a.out, "truth.jsonl")))


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--docs", type=int, default=1000)
    ap.add_argument("--dup-fraction", type=float, default=0.3,
                    help="fraction of docs that are near-duplicate copies of another doc (default 0.3)")
    ap.add_argument("--footer-fraction", type=float, default=0.35,
                    help="fraction of clusters whose docs carry a site footer (default 0.35)")
    ap.add_argument("--repeat-fraction", type=float, default=0.04,
                    help="fraction of docs whose first paragraph is pasted 3-6 times (default 0.04)")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    ap.add_argument("--out", required=True)
    ap.add_argument("--if-stale", action="store_true",
                    help="do nothing if --out already holds the corpus this generator makes with "
                         "these options")
    a = ap.parse_args()
    a.out = os.path.abspath(a.out)
    if a.if_stale and up_to_date(a):
        return
    if os.path.isfile(os.path.join(a.out, "manifest.json")):
        # a corpus this generator made before: its files go, so none is left over from it, and
        # the manifest goes first, so an interrupted run leaves a corpus --if-stale makes again
        os.remove(os.path.join(a.out, "manifest.json"))
        shutil.rmtree(os.path.join(a.out, "docs"), ignore_errors=True)

    t0 = time.time()
    pool = harvest(a.jobs)
    t_harvest = time.time() - t0
    if len(pool.paras) < 500:
        sys.exit("only %d source paragraphs found under %s" % (len(pool.paras), SOURCES))

    rng = random.Random(a.seed)
    # footer texts: short real paragraphs, removed from the article pool
    short = [i for i, p in enumerate(pool.paras) if 15 <= sum(len(s.split()) for s in p) <= 40]
    footer_ids = rng.sample(short, 12)
    footers = [" ".join(pool.paras[i]) for i in footer_ids]
    sites = []
    fids = list(range(len(footers)))
    for s in range(8):
        sites.append(sorted(rng.sample(fids, rng.randint(1, 2))))
    site_weights = [1.0 / (s + 1) for s in range(len(sites))]

    sizes = cluster_sizes(rng, a.docs, a.dup_fraction)
    slots = list(range(a.docs))
    rng.shuffle(slots)
    specs = []
    k = 0
    for cid, size in enumerate(sizes):
        specs.append((cid, slots[k:k + size]))
        k += size
    for d in sorted({s // 1000 for s in slots}):
        os.makedirs(os.path.join(a.out, "docs", "d%04d" % d), exist_ok=True)

    G.update(pool=pool, footers=footers, sites=sites, site_weights=site_weights, args=a,
             exclude=set(footer_ids))
    chunk = max(1, len(specs) // (a.jobs * 16) if a.jobs > 1 else len(specs))
    chunks = [specs[i:i + chunk] for i in range(0, len(specs), chunk)]
    t1 = time.time()
    if a.jobs > 1:
        with Pool(a.jobs) as p:
            parts = p.map(gen_chunk, chunks, chunksize=1)
    else:
        parts = [gen_chunk(c) for c in chunks]
    t_gen = time.time() - t1

    records = [r for part in parts for r in part]
    records.sort(key=lambda r: r["path"])
    boiler = {}
    total_bytes = 0
    with open(os.path.join(a.out, "truth.jsonl"), "w") as f:
        for r in records:
            total_bytes += r["bytes"]
            f.write(json.dumps({"path": r["path"], "cluster": r["cluster"], "role": r["role"],
                                "jaccard": r["jaccard"], "parent": r["parent"], "edits": r["edits"]}) + "\n")
            for idx, tag in r["boiler"]:
                if tag.startswith("footer:"):
                    fid = int(tag.split(":")[1])
                    key = ("footer-%d" % fid, "footer", footers[fid])
                else:
                    key = ("repeat-" + r["path"], "repeat", r["teaser"])
                boiler.setdefault(key, []).append({"path": r["path"], "paragraph_index": idx})
    with open(os.path.join(a.out, "boilerplate.jsonl"), "w") as f:
        for (bid, kind, text), occ in sorted(boiler.items(), key=lambda kv: (kv[0][1], kv[0][0])):
            f.write(json.dumps({"id": bid, "kind": kind, "text": text, "occurrences": occ}, ensure_ascii=False) + "\n")

    n_dup_clusters = sum(1 for s in sizes if s > 1)
    copies = [r for r in records if r["role"] == "copy"]
    js = sorted(r["jaccard"] for r in copies)
    hist = {}
    for lo in (0.0, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0):
        hist[str(lo)] = 0
    for j in js:
        b = 1.0 if j >= 1.0 else max([0.0] + [x for x in (0.5, 0.6, 0.7, 0.8, 0.9) if j >= x])
        hist[str(b)] += 1
    manifest = dict(
        generator=GENERATOR, args={k: v for k, v in vars(a).items()}, docs=a.docs, clusters=len(sizes), dup_clusters=n_dup_clusters,
        copies=len(copies), largest_cluster=max(sizes), total_bytes=total_bytes,
        source_paragraphs=len(pool.paras), source_digest=pool.digest,
        footer_docs=sum(1 for r in records if any(t.startswith("footer") for _, t in r["boiler"])),
        repeat_docs=sum(1 for r in records if r["teaser"]),
        copy_jaccard_hist=hist, harvest_s=round(t_harvest, 2), generate_s=round(t_gen, 2),
        total_s=round(time.time() - t0, 2), docs_dir="docs",
        normalization="NFKC, lower(), words=\\w+, shingles=5 consecutive words (benches/peers/normalize.py)")
    with open(os.path.join(a.out, "manifest.json"), "w") as f:
        json.dump(manifest, f, indent=1)
    print("wrote %d docs (%d dup clusters, %d copies, %.1f MB) to %s in %.1fs (harvest %.1fs, %d source paragraphs)"
          % (a.docs, n_dup_clusters, len(copies), total_bytes / 1e6, a.out, time.time() - t0, t_harvest, len(pool.paras)))
    print("copy Jaccard histogram (bin lower edges):", hist)


if __name__ == "__main__":
    main()
