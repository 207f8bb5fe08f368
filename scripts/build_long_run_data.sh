#!/usr/bin/env bash
# Every dataset that the long run (run 9) and the model card's scores need, rebuilt by the README's and
# docs/dataset.md's commands, for a machine that came back without data/:
#   data/mix       the four kinds (its test split is where the model card scores SingleLine ... CodeNet-like)
#   data/gen2m     only its CodeNet-like shard: the 8 train sources of real code (not the 2M generated programs)
#   data/mix8      data/mix with gen2m's CodeNet-like shard instead of its own (symlinks): run 9 trains on it
#   data/realcode  the held-out real-code benchmark (all test)
#   data/gen120k   120,000 more generated programs (another seed), and
#   data/mix9      data/mix8 with them: runs 12 and 13 train on it (docs/training-log.md)
#   data/gen120k2  120,000 more (a third seed), and data/mix10: data/mix9 with them, for run 14
# Needs `pip install -e '.[corpora]'`. Resumable: finished shards are kept. Each step's wall time to stderr.
set -euo pipefail
cd "$(dirname "$0")/.."
B=(.venv/bin/codeexecutor build-dataset --max-tokens 1000)
TIME=(/usr/bin/time -f '%e s wall: %C')
"${TIME[@]}" "${B[@]}" --out data/mix --kind generated --size 40000 --seed 21
"${TIME[@]}" "${B[@]}" --out data/mix --kind tutorial --size 200 --mutants-per-program 60 --max-order 3
"${TIME[@]}" "${B[@]}" --out data/mix --kind singleline --size 20000 --mutants-per-program 1
"${TIME[@]}" "${B[@]}" --out data/mix --kind codenet --corpus algorithms stdlib --size 5000 --mutants-per-program 12
"${TIME[@]}" "${B[@]}" --out data/gen2m --kind codenet --size 5000 --mutants-per-program 12 \
    --corpus algorithms stdlib pydash sortedcontainers roman humanize binarytree pyrsistent
.venv/bin/python scripts/link_done_shards.py --out data/mix8 data/mix data/gen2m \
    --include 'mix/generated-*' 'mix/singleline-*' 'mix/tutorial-*' 'gen2m/codenet-*'
"${TIME[@]}" "${B[@]}" --out data/realcode --kind realcode --size 2000
"${TIME[@]}" "${B[@]}" --out data/gen120k --kind generated --size 120000 --seed 41
.venv/bin/python scripts/link_done_shards.py --out data/mix9 data/mix data/gen2m data/gen120k \
    --include 'mix/generated-*' 'mix/singleline-*' 'mix/tutorial-*' 'gen2m/codenet-*' 'gen120k/generated-*'
"${TIME[@]}" "${B[@]}" --out data/gen120k2 --kind generated --size 120000 --seed 43
.venv/bin/python scripts/link_done_shards.py --out data/mix10 data/mix data/gen2m data/gen120k data/gen120k2 \
    --include 'mix/generated-*' 'mix/singleline-*' 'mix/tutorial-*' 'gen2m/codenet-*' 'gen120k/generated-*' \
    'gen120k2/generated-*'
