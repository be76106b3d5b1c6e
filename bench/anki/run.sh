#!/usr/bin/env bash
# Benchmark: YAML → .apkg with briefdeck, against Python genanki writing the
# same notes, on a synthetic corpus of about 20,000 notes.
#
#   bench/anki/run.sh [BRIEFS]     (default 1170 briefs ≈ 20,000 notes)
#
# Needs: hyperfine is optional (used when present); a venv with genanki is
# created under bench/.venv-bench (git-ignored).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
briefs="${1:-1170}"
base=/dev/shm; [ -d "$base" ] && [ -w "$base" ] || base=/tmp
work="$(mktemp -d "$base/briefdeck-anki.XXXXXX")"
trap 'rm -rf "$work"' EXIT

if [ ! -x bench/.venv-bench/bin/python ]; then
  python3 -m venv bench/.venv-bench
  bench/.venv-bench/bin/pip install --quiet "genanki==0.13.1"
fi

cargo build --quiet --release --example gen_corpus
cargo build --quiet --release
bin=target/release/briefdeck
target/release/examples/gen_corpus --briefs "$briefs" --out "$work/corpus" --force 2>/dev/null
export SOURCE_DATE_EPOCH=1700000000

# Warm the file cache, and report what is written.
"$bin" export anki "$work/corpus" -o "$work/deck.apkg" 2>&1 | tail -1

runs=20
echo "== briefdeck export anki (YAML → .apkg), $runs runs"
times=()
for _ in $(seq "$runs"); do
  s=$(date +%s.%N)
  "$bin" export anki "$work/corpus" -o "$work/deck.apkg" 2>/dev/null
  e=$(date +%s.%N)
  times+=("$(echo "$e - $s" | bc -l)")
done
sorted=($(printf '%s\n' "${times[@]}" | sort -n))
best=${sorted[0]}
median=$(echo "(${sorted[$((runs / 2 - 1))]} + ${sorted[$((runs / 2))]}) / 2" | bc -l)
printf 'briefdeck best of %d: %.3f s, median %.3f s\n' "$runs" "$best" "$median"
/usr/bin/time -f 'briefdeck peak RSS: %M KB' "$bin" export anki "$work/corpus" -o "$work/deck.apkg" 2>&1 | tail -1

echo "== genanki writing the same notes (object building + write only), 3 runs"
gbest=999
for _ in 1 2 3; do
  g=$(bench/.venv-bench/bin/python bench/anki/genanki_write.py "$work/deck.apkg" "$work/genanki.apkg")
  t=$(echo "$g" | python3 -c 'import json,sys; print(json.load(sys.stdin)["seconds"])')
  gbest=$(echo "if ($t < $gbest) $t else $gbest" | bc -l)
done
echo "$g"
printf 'genanki best of 3: %.3f s\n' "$gbest"
printf 'speed-up: %.1fx best, %.1fx median\n' "$(echo "$gbest / $best" | bc -l)" "$(echo "$gbest / $median" | bc -l)"
