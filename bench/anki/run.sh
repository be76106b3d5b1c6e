#!/usr/bin/env bash
# Benchmark: YAML → .apkg with briefdeck, against Python genanki writing the
# same notes, on a synthetic corpus of about 20,000 notes.
#
#   bench/anki/run.sh [BRIEFS]     (default 1170 briefs ≈ 20,000 notes)
#   ROUNDS=N bench/anki/run.sh     (alternating rounds, default 20)
#
# Needs python3; a venv with genanki is
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

echo "== peak memory"
/usr/bin/time -f 'briefdeck peak RSS: %M KB' "$bin" export anki "$work/corpus" -o "$work/deck.apkg" 2>&1 | tail -1

# Alternating rounds: the VM's speed drifts from minute to minute, and both
# tools should meet the same drift (see compare.py).
rounds="${ROUNDS:-20}"
python3 bench/anki/compare.py "$rounds" "$bin" "$work/corpus" bench/.venv-bench/bin/python \
  "$work/deck.apkg" "$work"
