#!/usr/bin/env bash
# Benchmark of the whole pipeline: `briefdeck export all` (load, validate,
# deck and booklet) on synthetic corpora of 1k, 10k and 50k briefs.
#
#   bench/pipeline/run.sh [SIZES...]      default: 1000 10000 50000
#
# Corpora are generated in memory (/dev/shm when present) so that the figures
# measure briefdeck, not the disk. Prints best-of-3 wall time, CPU time and
# peak RSS for each size, and the time per brief (linear growth means a
# constant time per brief).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
sizes=("$@")
[ ${#sizes[@]} -gt 0 ] || sizes=(1000 10000 50000)
base=/dev/shm; [ -d "$base" ] && [ -w "$base" ] || base=$(mktemp -d)
work=$(mktemp -d "$base/briefdeck-bench.XXXXXX")
trap 'rm -rf "$work"' EXIT

cargo build --quiet --release --example gen_corpus
cargo build --quiet --release
bin=target/release/briefdeck
export SOURCE_DATE_EPOCH=1700000000

printf '%8s %10s %10s %10s %12s %12s %12s\n' briefs wall_s cpu_s rss_MB us_per_brief apkg_MB epub_MB
for n in "${sizes[@]}"; do
  target/release/examples/gen_corpus --briefs "$n" --out "$work/c$n" --force 2>/dev/null
  "$bin" export all "$work/c$n" -o "$work/out$n" --quiet   # warm-up
  best=999; cpu=0; rss=0
  for _ in 1 2 3; do
    /usr/bin/time -o "$work/t" -f '%e %U %S %M' "$bin" export all "$work/c$n" -o "$work/out$n" --quiet
    read -r w u s m < "$work/t"
    if (( $(echo "$w < $best" | bc -l) )); then best=$w; cpu=$(echo "$u + $s" | bc -l); fi
    (( m > rss )) && rss=$m
  done
  apkg=$(stat -c %s "$work/out$n/briefdeck.apkg"); epub=$(stat -c %s "$work/out$n/briefdeck.epub")
  printf '%8d %10.2f %10.2f %10.0f %12.1f %12.1f %12.1f\n' "$n" "$best" "$cpu" "$(echo "$rss/1024" | bc -l)" \
    "$(echo "$best * 1000000 / $n" | bc -l)" "$(echo "$apkg/1048576" | bc -l)" "$(echo "$epub/1048576" | bc -l)"
  rm -rf "$work/c$n" "$work/out$n"
done
