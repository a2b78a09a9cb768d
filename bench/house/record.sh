#!/usr/bin/env bash
# Records the answers of every question set the project keeps (gold, citizen, the outside dev set, the page's
# examples) with `rag ask --batch … --json`, for bench/house/compare_answers.py.
#   bash bench/house/record.sh OUTDIR        (from the checkout, after `make setup`)
set -euo pipefail
out=$1; mkdir -p "$out"
here=$(cd "$(dirname "$0")" && pwd)
for s in gold citizen citizen-dev examples; do
  .venv/bin/rag ask --batch "$here/answers/$s.in.jsonl" --json > "$out/$s.jsonl"
done
