#!/usr/bin/env bash
# Benchmark: YAML → EPUB booklet with briefdeck, against pandoc making an
# EPUB from the same briefs as Markdown, on a synthetic corpus.
#
#   bench/epub/run.sh [BRIEFS] [RUNS]     (defaults: 2000 briefs, 10 runs)
#
# Needs: pandoc (Debian: apt-get install -y pandoc) and python3 with PyYAML,
# for the Markdown side only. Reports the best wall-clock time of RUNS
# briefdeck runs (whole process: load, build, write) with briefdeck's own
# split of it (--json timings), and the best of 2 pandoc runs.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
briefs="${1:-2000}"
runs="${2:-10}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

cargo build --quiet --release --example gen_corpus
cargo build --quiet --release
bin=target/release/briefdeck
target/release/examples/gen_corpus --briefs "$briefs" --out "$work/corpus" 2>/dev/null
export SOURCE_DATE_EPOCH=1700000000

now() { date +%s.%N; }
min() { echo "if ($1 < $2) $1 else $2" | bc -l; }

# Warm the file cache.
"$bin" export epub "$work/corpus" -o "$work/book.epub" 2>/dev/null

echo "== briefdeck export epub ($briefs briefs), best of $runs"
best=999 best_load=999 best_build=999
for _ in $(seq "$runs"); do
  s=$(now)
  json=$("$bin" export epub "$work/corpus" -o "$work/book.epub" --json)
  e=$(now)
  best=$(min "$(echo "$e - $s" | bc -l)" "$best")
  best_load=$(min "$(echo "$json" | python3 -c 'import json,sys; print(json.load(sys.stdin)["timings"]["load_seconds"])')" "$best_load")
  best_build=$(min "$(echo "$json" | python3 -c 'import json,sys; print(json.load(sys.stdin)["timings"]["epub_seconds"])')" "$best_build")
done
printf 'briefdeck: %.3f s wall (load %.3f s, booklet %.3f s, best of each)\n' "$best" "$best_load" "$best_build"
/usr/bin/time -f 'briefdeck: peak RSS %M KB' "$bin" export epub "$work/corpus" -o "$work/book.epub" 2>&1 | tail -1
printf 'briefdeck: %s bytes\n' "$(stat -c %s "$work/book.epub")"

echo "== pandoc $(pandoc --version | head -1 | cut -d' ' -f2): the same briefs as Markdown → EPUB, best of 2"
python3 bench/epub/to_markdown.py "$work/corpus" "$work/book.md"
pbest=999
for _ in 1 2; do
  s=$(now)
  pandoc "$work/book.md" -o "$work/pandoc.epub" --toc --toc-depth=2 --epub-chapter-level=2
  e=$(now)
  pbest=$(min "$(echo "$e - $s" | bc -l)" "$pbest")
done
printf 'pandoc: %.3f s wall, %s bytes\n' "$pbest" "$(stat -c %s "$work/pandoc.epub")"
printf 'speed-up: %.0fx\n' "$(echo "$pbest / $best" | bc -l)"
