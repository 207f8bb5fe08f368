#!/usr/bin/env bash
# One command of a GPU training run that spans several calls of the device tool (each at most 10 minutes;
# files come back only through $OUT, at most 8 of 16 MiB). On the device, in the repository root:
#
#   scripts/device_round.sh CONFIG RUN SECONDS
#
# 1. If the config's data directory has no train split, unpacks <data>.tar.xz (scripts/pack_data.py; carry
#    it) beside it.
# 2. Trains for SECONDS (--time-limit), resuming RUN if it holds a checkpoint. The machine keeps ignored
#    paths such as runs/ between calls only while it is warm (30 s after a call), so chain the calls.
# 3. Copies the run's bf16 weights, configs, tokenizer and log to $OUT, the weights in 15 MiB parts: the copy
#    that comes back, and that a later run starts from (`init_from`) if the machine went cold. Join the parts
#    with `cat model.safetensors.part-* > model.safetensors`.
#
# PYTHON (default python3) and DEVICE (default cuda) can be set; the tests run it with the CPU.
set -euo pipefail
if [ $# -ne 3 ]; then
    echo "usage: scripts/device_round.sh CONFIG RUN SECONDS" >&2
    exit 2
fi
config=$1 run=$2 seconds=$3
python=${PYTHON:-python3}
: "${OUT:?device_round.sh: set OUT to the folder whose files come back (the device tool sets it)}"

data=$("$python" -c 'import json, sys; print(json.load(open(sys.argv[1]))["data"])' "$config")
if [ ! -d "$data/train" ]; then
    pack="$data.tar.xz"
    if [ ! -f "$pack" ]; then
        echo "device_round.sh: no $data/train and no $pack: pack the dataset with scripts/pack_data.py and" \
             "carry $pack" >&2
        exit 1
    fi
    tar -xJf "$pack" -C "$(dirname "$data")"
fi

resume=()
if [ -f "$run/train_state.pt" ]; then resume=(--resume); fi
"$python" -m codeexecutor train --config "$config" --out "$run" --device "${DEVICE:-cuda}" \
    --time-limit "$seconds" "${resume[@]}"

copy="$OUT/.bf16"
"$python" -c 'import sys; from codeexecutor.training.learning.checkpoint import save_bf16_copy; save_bf16_copy(sys.argv[1], sys.argv[2])' \
    "$run" "$copy"
split -b 15M "$copy/model.safetensors" "$OUT/model.safetensors.part-"
mv "$copy"/*.json "$OUT"/
rm -r "$copy"
cp "$run/log.jsonl" "$OUT/"
ls -l "$OUT"
