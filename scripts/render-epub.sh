#!/usr/bin/env bash
# Look at a booklet as a reader would: render its first pages side by side,
# in greyscale like an e-ink screen, to one PNG with headless Chromium.
#
# Usage: scripts/render-epub.sh BOOK.epub OUT.png [PAGE.xhtml...]
#
# PAGEs are content documents inside the book (e.g. key-pm-janman.xhtml);
# by default: the cover, the title page, the first "Why in News" page and the
# first "Key Points" page, in spine order. Each page is shown in a 6-inch
# e-reader sized frame (440x640 CSS pixels).
# Env: CHROMIUM overrides the browser binary; COLOUR=1 keeps colours.
# Needs: unzip, and chromium (Debian: apt-get install -y chromium).
set -euo pipefail

if [ "$#" -lt 2 ]; then
  echo "usage: $0 BOOK.epub OUT.png [PAGE.xhtml...]" >&2
  exit 2
fi
book="$(realpath "$1")"
out="$(realpath -m "$2")"
shift 2

browser="${CHROMIUM:-}"
if [ -z "$browser" ]; then
  for cand in chromium chromium-browser google-chrome; do
    if command -v "$cand" >/dev/null 2>&1; then browser="$cand"; break; fi
  done
fi
if [ -z "$browser" ]; then
  echo "$0: no Chromium found; install it (apt-get install -y chromium) or set CHROMIUM" >&2
  exit 2
fi

work="$(mktemp -d "${TMPDIR:-/tmp}/render-epub.XXXXXX")"
trap 'rm -rf "$work"' EXIT
unzip -q "$book" -d "$work/book"
oebps="$work/book/OEBPS"

# Spine order, from the package document.
spine=()
while IFS= read -r href; do spine+=("$href"); done < <(
  python3 - "$oebps/content.opf" <<'EOF'
import sys, xml.etree.ElementTree as ET
ns = {"opf": "http://www.idpf.org/2007/opf"}
root = ET.parse(sys.argv[1]).getroot()
items = {i.get("id"): i.get("href") for i in root.find("opf:manifest", ns)}
for ref in root.find("opf:spine", ns):
    print(items[ref.get("idref")])
EOF
)

pages=("$@")
if [ "${#pages[@]}" -eq 0 ]; then
  first() { for p in "${spine[@]}"; do case "$p" in $1) echo "$p"; return;; esac; done; }
  for pattern in 'cover.xhtml' 'title.xhtml' 'why-*.xhtml' 'key-*.xhtml'; do
    p="$(first "$pattern")"
    [ -n "$p" ] && pages+=("$p")
  done
fi

filter="grayscale(100%)"
[ -n "${COLOUR:-}" ] && filter="none"
width=$(( ${#pages[@]} * 464 + 24 ))
{
  cat <<EOF
<!DOCTYPE html>
<html><head><meta charset="utf-8"/><style>
  body { margin: 0; padding: 12px; background: #d8d8d8; display: flex; gap: 24px; font-family: sans-serif; }
  figure { margin: 0; }
  iframe { width: 440px; height: 640px; border: 0; background: #fdfdf8; filter: $filter;
           box-shadow: 0 1px 4px rgba(0,0,0,.35); }
  figcaption { font-size: 12px; color: #333; text-align: center; margin-top: 4px; }
</style></head><body>
EOF
  for p in "${pages[@]}"; do
    if [ ! -f "$oebps/$p" ]; then echo "$0: no $p in the book" >&2; exit 2; fi
    printf '<figure><iframe src="book/OEBPS/%s"></iframe><figcaption>%s</figcaption></figure>\n' "$p" "$p"
  done
  echo '</body></html>'
} > "$work/spread.html"

"$browser" --headless --no-sandbox --disable-gpu --disable-background-networking \
  --disable-component-update --disable-sync --no-first-run --hide-scrollbars \
  --allow-file-access-from-files --user-data-dir="$work/profile" \
  --force-device-scale-factor=1 --window-size="$width,690" \
  --virtual-time-budget=3000 --screenshot="$out" "file://$work/spread.html" >/dev/null 2>&1
if [ ! -s "$out" ]; then
  echo "$0: Chromium wrote no screenshot" >&2
  exit 1
fi
echo "$out: ${pages[*]}"
