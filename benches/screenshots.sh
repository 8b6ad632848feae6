#!/usr/bin/env bash
# The README's screenshots of the HTML report: the report of corpus/ opened in headless
# Chromium at the cluster list and at the side-by-side view of 000 and 005.
#
#   benches/screenshots.sh            (writes benches/screenshots/*.png)
#
# Needs chromium on the PATH.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --quiet
out=benches/screenshots
mkdir -p "$out"
page=$(mktemp -d)/report.html
target/release/neardup scan corpus --html "$page" -q >/dev/null
# The report opens a view scrolled into sight, and headless Chromium paints a page it scrolled
# only in part: the page is shot inside a frame of the window's size, which scrolls instead.
shoot() {
  frame="$(dirname "$page")/$1.html"
  printf '<!DOCTYPE html><body style="margin:0"><iframe src="report.html#%s" %s></iframe>\n' \
    "$2" 'style="border:0;width:1280px;height:860px"' >"$frame"
  chromium --headless --no-sandbox --disable-gpu --hide-scrollbars --window-size=1280,860 \
    --user-data-dir="$(mktemp -d)" --screenshot="$out/$1.png" "file://$frame" 2>/dev/null
}
shoot clusters "clusters"
# Cluster 2 of corpus/ is 005 (the representative) and 000.
shoot side-by-side "cluster/2/1"
shoot repeats "repeat/0"
ls -l "$out"
