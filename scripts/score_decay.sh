#!/usr/bin/env bash
# Score a stable checkpoint of the long run the way the model card scores the shipped model: branch a decay
# off it (the config's init_from, e.g. runs/long), export int8 ONNX, then evaluate under the mask on
#   data/mix valid   (--per-kind 100: where branches are compared and chosen),
#   data/mix test    (--per-kind 200) and data/realcode test (--per-kind 300): the model card's figures.
#   scripts/score_decay.sh mini-long-decay runs/long-decay      # the run's own mixture
#   scripts/score_decay.sh mini-long-decay-hard runs/long-hard  # weighted towards Tutorial and CodeNet-like
# Resumable: a finished decay is kept (train --resume), each evaluation rewrites its own report directory
# (ONNX_DIR/eval-DATA-SPLIT).
set -euo pipefail
cd "$(dirname "$0")/.."
if [ $# -ne 2 ]; then
  echo "usage: scripts/score_decay.sh CONFIG OUT   (CONFIG: a name in training/configs/, without .json)" >&2
  exit 2
fi
config="training/configs/$1.json" out="$2"
if [ ! -f "$config" ]; then
  echo "score_decay: no $config; name a config there, without .json" >&2
  exit 2
fi
ce=.venv/bin/codeexecutor
/usr/bin/time -f "decay: %e s wall" $ce train --config "$config" --out "$out" --resume
$ce export --checkpoint "$out" --out "$out/onnx"
for args in "data/mix valid 100" "data/mix test 200" "data/realcode test 300"; do
  read -r data split per_kind <<< "$args"
  /usr/bin/time -f "evaluate $data $split: %e s wall" \
      $ce evaluate --model "$out/onnx" --data "$data" --split "$split" --per-kind "$per_kind"
done
