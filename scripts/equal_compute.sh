#!/usr/bin/env bash
# Two training configs at equal compute, scored on the same records: trains each into runs/<config name>
# (resumable: a finished run is kept), then scores both with scripts/heldout_loss.py --same-records on mix
# valid (200 records per kind) and the held-out real-code benchmark (300), loss per token on values and on
# the rest. The configs must give the same steps and tokens per step; the comparisons in docs/training-log.md:
#   scripts/equal_compute.sh text-compact text-local        # run 10: compact against local trace text
#   scripts/equal_compute.sh text-compact curriculum-mini   # run 11: mixed batches against a curriculum
# Writes runs/<a>-vs-<b>-heldout-{mix,realcode}.jsonl.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ $# -ne 2 ]; then
  echo "usage: scripts/equal_compute.sh CONFIG_A CONFIG_B   (names in training/configs/, without .json)" >&2
  exit 2
fi
for run in "$1" "$2"; do
  if [ ! -f "training/configs/$run.json" ]; then
    echo "equal_compute: no training/configs/$run.json; name a config there, without .json" >&2
    exit 2
  fi
done
for run in "$1" "$2"; do
  /usr/bin/time -f "$run: %e s wall" .venv/bin/codeexecutor train \
      --config "training/configs/$run.json" --out "runs/$run" --resume
done
for args in "data/mix valid 200" "data/realcode test 300"; do
  read -r data split per_kind <<< "$args"
  .venv/bin/python scripts/heldout_loss.py --same-records --data "$data" --split "$split" --per-kind "$per_kind" \
      "runs/$1" "runs/$2" | tee "runs/$1-vs-$2-heldout-$(basename "$data").jsonl"
done
