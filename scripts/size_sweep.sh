#!/usr/bin/env bash
# The size sweep of docs/training-log.md (issue 16): each config trains from scratch for the same time on this
# CPU (steps in proportion to its measured bf16 tokens/s, scripts/bench_training.py), then is scored on the
# held-out real-code benchmark: loss (teacher-forced) and per-value accuracy of its int8 ONNX export under the
# decoding mask.
#   scripts/size_sweep.sh tiny mini small          # runs/sweep-<name>, one after the other; resumable
set -euo pipefail
PER_KIND=${PER_KIND:-150}
for name in "$@"; do
  run=runs/sweep-$name
  nice -n 15 .venv/bin/codeexecutor train --config "training/configs/sweep-$name.json" --out "$run" --resume
  nice -n 15 .venv/bin/python scripts/heldout_loss.py --data data/realcode --split test --per-kind 300 "$run" \
    > "$run/heldout-realcode.json"
  nice -n 15 .venv/bin/python scripts/heldout_loss.py --data data/mix --split valid --per-kind 64 "$run" \
    > "$run/heldout-mix.json"
  [ -f "$run/onnx/manifest.json" ] || nice -n 15 .venv/bin/codeexecutor export --checkpoint "$run" --out "$run/onnx"
  nice -n 15 .venv/bin/codeexecutor evaluate --model "$run/onnx" --data data/realcode --split test \
    --per-kind "$PER_KIND" --out "$run/eval-realcode"
done
