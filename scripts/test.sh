#!/usr/bin/env bash
# Runs every test file under tests/ with node:test and fails when any test fails or when none
# passed: a run whose tests were all skipped (no PostgreSQL, a filter that matched nothing) proves
# nothing, so it must not look green.
# Node 20's --test does not expand globs, so the shell does; the TAP copy is read for the count.
set -uo pipefail
shopt -s globstar nullglob
cd "$(dirname "$0")/.."
files=("$@")
if [ ${#files[@]} -eq 0 ]; then files=(tests/**/*.test.ts tests/**/*.test.tsx); fi
if [ ${#files[@]} -eq 0 ]; then echo "no test files found" >&2; exit 1; fi
mkdir -p test-artifacts
# A TAP copy of this run only (runs side by side must not read each other's counts).
tap=$(mktemp test-artifacts/results.XXXXXX.tap)
node --import tsx --test --test-concurrency="${TEST_CONCURRENCY:-2}" \
  --test-reporter=spec --test-reporter-destination=stdout \
  --test-reporter=tap --test-reporter-destination="$tap" \
  "${files[@]}"
status=$?
tests=$(grep -E '^# tests [0-9]+' "$tap" | awk '{print $3}' | tail -1)
pass=$(grep -E '^# pass [0-9]+' "$tap" | awk '{print $3}' | tail -1)
mv "$tap" test-artifacts/results.tap
echo "test files: ${#files[@]}, tests: ${tests:-0}, passed: ${pass:-0}"
if [ "${tests:-0}" -eq 0 ]; then echo "no tests ran" >&2; exit 1; fi
if [ "${pass:-0}" -eq 0 ]; then echo "no test passed (all ${tests} skipped, todo or failed)" >&2; exit 1; fi
exit $status
