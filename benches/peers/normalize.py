"""Canonical text normalization and shingling shared by the generator, the peers and the scorer.

Canonical form (the "equivalent parameters" every peer is fed):
  1. Unicode NFKC (folds ligatures, fullwidth forms, NBSP, composed/decomposed accents)
  2. str.lower()
  3. words = maximal runs of Unicode word characters (regex \\w+); everything else
     (whitespace, punctuation, curly quotes, dashes) is a separator
  4. shingles = every run of K consecutive words joined by a single space (K=5);
     a document with 1..K-1 words has exactly one shingle (all its words);
     a document with no words has no shingles.
"""
import re
import unicodedata

WORD_RE = re.compile(r"\w+")


def words(text):
    return WORD_RE.findall(unicodedata.normalize("NFKC", text).lower())


def normalized(text):
    """Canonical token stream as one space-separated string."""
    return " ".join(words(text))


def shingles_from_words(ws, k=5):
    n = len(ws)
    if n == 0:
        return []
    if n < k:
        return [" ".join(ws)]
    return list(map(" ".join, zip(*[ws[i:] for i in range(k)])))


def shingle_set(text, k=5):
    return set(shingles_from_words(words(text), k))


def jaccard(a, b):
    if not a and not b:
        return 1.0
    inter = len(a & b)
    return inter / (len(a) + len(b) - inter)
