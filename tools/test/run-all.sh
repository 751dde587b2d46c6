#!/usr/bin/env bash
# Runs every suite and prints one summary line per suite; exits non-zero if any failed.
# Starts the throwaway PostgreSQL the store and server suites run against, and stops it after.
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

# In `make test` nothing may be skipped silently: models and PostgreSQL are part of the set-up.
export FAI_REQUIRE_MODELS=1 FAI_REQUIRE_PG=1
if FAI_TEST_PG_URL=$(tools/test/pg.sh start | tail -n 1); then
  export FAI_TEST_PG_URL
  trap 'tools/test/pg.sh stop >/dev/null 2>&1' EXIT
else
  echo "=== PostgreSQL: could not start a test cluster"
  failed+=("postgresql start")
fi

run_suite "clang-format" make --no-print-directory format-check
run_suite "model toolchain" /usr/bin/python3 tools/models/test_toolchain.py
run_suite "tfjs converter" /usr/bin/python3 tools/models/test_tfjs2onnx.py
run_suite "unit + integration (ctest)" ctest --test-dir "$build_dir" -j2 --output-on-failure
run_suite "unit under ASan+UBSan" ctest --test-dir "$asan_dir" -j2 -L unit --output-on-failure
run_suite "dashboard in chromium (web/e2e)" node web/e2e/run.mjs "$build_dir"

if [ ${#failed[@]} -gt 0 ]; then
  echo "FAILED suites: ${failed[*]}"
  exit 1
fi
echo "all suites passed"
