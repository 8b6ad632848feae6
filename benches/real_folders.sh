#!/usr/bin/env bash
# Builds four folders of real text that nobody working on neardup wrote, from what a Debian
# machine with a Rust toolchain has, to judge cleaning on: what `clean` removes there is read in
# context (benches/clean_judge.py), not scored against a truth.
#
#   rustdoc  the toolchain's HTML documentation (std, alloc, the books) through html2text:
#            API pages with one line per paragraph, signatures, code listings, diagrams
#   crates   README, LICENSE and CHANGELOG files of the crates in the cargo registry (Markdown)
#   usrdoc   /usr/share/doc: copyright files, READMEs, NEWS and changelogs (decompressed)
#   man      section 1 and 8 man pages rendered to plain text (every 6th, for size)
#
# Usage: benches/real_folders.sh [DIR]   (default ~/.cache/neardup-bench/real)
# Needs: html2text, man, col (apt-get install html2text man-db bsdextrautils).
set -euo pipefail
OUT=${1:-${NEARDUP_BENCH:-$HOME/.cache/neardup-bench}/real}
mkdir -p "$OUT"
JOBS=$(nproc)

# rustdoc
if [ ! -d "$OUT/rustdoc" ]; then
  html=$(rustc --print sysroot)/share/doc/rust/html
  tmp="$OUT/rustdoc.tmp"
  rm -rf "$tmp" && mkdir -p "$tmp"
  (cd "$html" && find std alloc book reference cargo rustc nomicon edition-guide \
      -name '*.html' 2>/dev/null | sort) |
    while read -r page; do
      printf '%s\0%s\0' "$html/$page" "$tmp/${page%.html}.txt"
    done |
    xargs -0 -n 2 -P "$JOBS" sh -c 'mkdir -p "$(dirname "$2")" && html2text -utf8 -nobs "$1" > "$2" 2>/dev/null || rm -f "$2"' _
  # Redirect stubs and empty pages are not documents anyone reads.
  find "$tmp" -name '*.txt' -size -200c -delete
  mv "$tmp" "$OUT/rustdoc"
fi

# crates
if [ ! -d "$OUT/crates" ]; then
  tmp="$OUT/crates.tmp"
  rm -rf "$tmp" && mkdir -p "$tmp"
  for crate in "${CARGO_HOME:-$HOME/.cargo}"/registry/src/*/*/; do
    name=$(basename "$crate")
    for f in "$crate"README* "$crate"LICENSE* "$crate"CHANGELOG* "$crate"CHANGES*; do
      [ -f "$f" ] || continue
      mkdir -p "$tmp/$name"
      base=$(basename "$f")
      case "$base" in *.md|*.txt) cp "$f" "$tmp/$name/$base" ;; *) cp "$f" "$tmp/$name/$base.txt" ;; esac
    done
  done
  mv "$tmp" "$OUT/crates"
fi

# usrdoc
if [ ! -d "$OUT/usrdoc" ]; then
  tmp="$OUT/usrdoc.tmp"
  rm -rf "$tmp" && mkdir -p "$tmp"
  find /usr/share/doc -maxdepth 2 -type f \( -name copyright -o -name 'README*' -o -name 'NEWS*' \
      -o -name 'changelog*' -o -name 'AUTHORS*' -o -name 'THANKS*' -o -name 'TODO*' \) | sort |
    while read -r f; do
      pkg=$(basename "$(dirname "$f")")
      base=$(basename "$f")
      mkdir -p "$tmp/$pkg"
      case "$base" in
        *.gz) gzip -dc "$f" > "$tmp/$pkg/${base%.gz}.txt" 2>/dev/null || rm -f "$tmp/$pkg/${base%.gz}.txt" ;;
        *.html|*.pdf|*.png) ;;
        *) cp "$f" "$tmp/$pkg/$base.txt" ;;
      esac
    done
  find "$tmp" -type d -empty -delete
  mv "$tmp" "$OUT/usrdoc"
fi

# man
if [ ! -d "$OUT/man" ]; then
  tmp="$OUT/man.tmp"
  rm -rf "$tmp" && mkdir -p "$tmp"
  find /usr/share/man/man1 /usr/share/man/man8 -type f | sort | awk 'NR % 6 == 0' |
    xargs -P "$JOBS" -I{} sh -c 'f="{}"; n=$(basename "$f" .gz); MANWIDTH=80 man --no-hyphenation --no-justification -l "$f" 2>/dev/null | col -bx > "'"$tmp"'/$n.txt"; [ -s "'"$tmp"'/$n.txt" ] || rm -f "'"$tmp"'/$n.txt"'
  mv "$tmp" "$OUT/man"
fi

for d in rustdoc crates usrdoc man; do
  printf '%-8s %6d files %8s\n' "$d" "$(find "$OUT/$d" -type f | wc -l)" "$(du -sh "$OUT/$d" | cut -f1)"
done
