#!/usr/bin/env bash
# Run 10 of docs/training-log.md (issue 16, part 3): the compact trace text against the local one (each line's
# code after its number, docs/trace-format.md) at equal compute. Both train `mini` from scratch with the
# shipped tokenizer for the same steps of the same token budget, then are scored on the same tokens (the
# compact form's) of the records that fit whole in both texts: mix valid and the held-out real-code benchmark.
#   scripts/trace_text_experiment.sh            # runs/text-compact, runs/text-local; resumable
set -euo pipefail
cd "$(dirname "$0")/.."
for text in compact local; do
  /usr/bin/time -f "text-$text: %e s wall" .venv/bin/codeexecutor train \
      --config "training/configs/text-$text.json" --out "runs/text-$text" --resume
done
for args in "data/mix valid 200" "data/realcode test 300"; do
  set -- $args
  .venv/bin/python scripts/heldout_loss.py --same-records --data "$1" --split "$2" --per-kind "$3" \
      runs/text-compact runs/text-local | tee "runs/text-heldout-$(basename "$1").jsonl"
done
