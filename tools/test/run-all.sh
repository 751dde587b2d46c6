#!/usr/bin/env bash
# Runs every suite and prints one summary line per suite; exits non-zero if any failed.
set -uo pipefail
build_dir=${1:-build}
asan_dir=${2:-build-asan}
root="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$root"
failed=()

run_suite() {
  local name=$1
  shift
  echo "=== $name"
  if "$@"; then echo "=== $name: ok"; else echo "=== $name: FAILED"; failed+=("$name"); fi
}

run_suite "clang-format" make --no-print-directory format-check
run_suite "model toolchain" /usr/bin/python3 tools/models/test_toolchain.py
run_suite "unit + integration (ctest)" ctest --test-dir "$build_dir" -j2 --output-on-failure
run_suite "unit under ASan+UBSan" env ASAN_OPTIONS=detect_leaks=1 \
  ctest --test-dir "$asan_dir" -j2 -L unit --output-on-failure

if [ ${#failed[@]} -gt 0 ]; then
  echo "FAILED suites: ${failed[*]}"
  exit 1
fi
echo "all suites passed"
