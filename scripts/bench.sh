#!/usr/bin/env bash
# Runs benchmarks on a corpus of listing JSONL (e.g. ../shared/data/arxiv-listings):
#   npm run bench -- <corpus-dir> [name ...]
# Names are the folders under bench/ (import, ingest, search-quality, search, render, digest, api,
# recommend, fts-import, ...); without names, the quick ones run. Each prints its own table; the
# results and the exact commands are kept in BENCHMARKS.md.
set -euo pipefail
cd "$(dirname "$0")/.."
corpus=${1:-}
if [ -z "$corpus" ] || [ ! -d "$corpus" ]; then
  echo "usage: npm run bench -- <corpus-dir> [name ...]   (names: $(ls bench | grep -v lib | tr '\n' ' '))" >&2
  exit 2
fi
shift
names=("$@")
if [ ${#names[@]} -eq 0 ]; then names=(import ingest render recommend); fi
for name in "${names[@]}"; do
  if [ ! -f "bench/$name/run.ts" ]; then echo "no benchmark bench/$name/run.ts" >&2; exit 2; fi
  echo "== bench/$name"
  npx tsx "bench/$name/run.ts" "$corpus"
done
