#!/usr/bin/env bash
# Run 11 of docs/training-log.md (issue 16, part 4): every kind mixed in every batch against a strict
# curriculum (SingleLine alone, then mostly generated, then the hard kinds), at equal compute. Both train `mini`
# from scratch with the shipped tokenizer, the same seed, schedule and steps, and the same number of rows of
# each kind over the whole run (generated 0.4 / SingleLine 0.3 / Tutorial 0.15 / CodeNet-like 0.15); only the
# order differs. The mixed arm is run 10's compact arm (training/configs/text-compact.json). Both are scored on
# the same records: mix valid and the held-out real-code benchmark.
#   scripts/curriculum_experiment.sh            # runs/text-compact, runs/curriculum-mini; resumable
set -euo pipefail
cd "$(dirname "$0")/.."
for run in text-compact curriculum-mini; do
  /usr/bin/time -f "$run: %e s wall" .venv/bin/codeexecutor train \
      --config "training/configs/$run.json" --out "runs/$run" --resume
done
for args in "data/mix valid 200" "data/realcode test 300"; do
  set -- $args
  .venv/bin/python scripts/heldout_loss.py --same-records --data "$1" --split "$2" --per-kind "$3" \
      runs/text-compact runs/curriculum-mini | tee "runs/curriculum-heldout-$(basename "$1").jsonl"
done
