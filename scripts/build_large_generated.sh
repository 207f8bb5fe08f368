#!/usr/bin/env bash
# The large training set of the data issue: every training source of real code (`codeexecutor build-dataset
# --list-corpora`, role train) as CodeNet-like records, then 2M generated programs, in data/gen2m (OUT=...,
# SIZE=... to change). Resumable: rerun it after a stop and finished shards are kept. Each step's wall time,
# CPU time and peak memory go to stderr (/usr/bin/time).
set -euo pipefail
cd "$(dirname "$0")/.."
OUT=${OUT:-data/gen2m}
B=(.venv/bin/codeexecutor build-dataset --max-tokens 1000 --out "$OUT")
TIME=(/usr/bin/time -f '%C: %e s wall, %U s user + %S s sys, peak RSS %M KB')
"${TIME[@]}" "${B[@]}" --kind codenet --size 5000 --mutants-per-program 12 \
    --corpus algorithms stdlib pydash sortedcontainers roman humanize binarytree pyrsistent
"${TIME[@]}" "${B[@]}" --kind generated --size "${SIZE:-2000000}" --seed 31
du -sh "$OUT" "$OUT"/*/
