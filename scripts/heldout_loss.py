"""Loss per trace token of training checkpoints on a held-out split, per dataset kind (teacher-forced, no decoding).

    python scripts/heldout_loss.py --data data/realcode --split test --per-kind 300 runs/sweep-tiny runs/sweep-mini

The training run's own eval loss covers its dataset's valid split only; this scores any checkpoint on any
split, e.g. the real-code benchmark, whose sources never reach training. It is what the size sweep of
docs/training-log.md compares. Runs in seconds to minutes on the CPU: one forward pass per batch, no generation.
Per token, losses are comparable between checkpoints that share a tokenizer only (another tokenizer cuts the
same trace into another number of tokens); ``nats_per_char`` (the summed loss over the trace's characters) is
comparable across tokenizers.
"""

from __future__ import annotations

import argparse
import json
import tempfile
from contextlib import nullcontext
from pathlib import Path

import torch

from codeexecutor.training.learning import checkpoint as ckpt
from codeexecutor.training.learning.data import IGNORE, Batch, eval_batches, load_split, pad_id_of
from codeexecutor.training.learning.train import evaluate_loss


def heldout_loss(ckpt_dir: Path, data: Path, split: str, per_kind: int, max_len: int) -> dict[str, float]:
    model, tok, cfg = ckpt.load_checkpoint(ckpt_dir)
    with tempfile.TemporaryDirectory() as cache:
        ts = load_split(data, split, tok, min(max_len, cfg.max_positions), Path(cache))
    batches = eval_batches(ts, 4096, pad_id_of(tok), per_kind, seed=0)
    losses = evaluate_loss(model, batches, torch.device("cpu"), nullcontext())
    tokens, chars = trace_sizes(batches, tok)
    for kind in tokens:
        losses[f"nats_per_char_{kind}"] = losses[f"eval_loss_{kind}"] * tokens[kind] / chars[kind]
    return losses


def trace_sizes(batches: list[Batch], tok) -> tuple[dict[str, int], dict[str, int]]:
    """Per kind, the trace tokens scored and the characters of their text (a marker counts as its spelling)."""
    tokens: dict[str, int] = {}
    chars: dict[str, int] = {}
    for b in batches:
        for row in b.targets:
            ids = [int(i) for i in row if i != IGNORE]
            tokens[b.kind] = tokens.get(b.kind, 0) + len(ids)
            chars[b.kind] = chars.get(b.kind, 0) + len(tok.decode(ids, skip_special_tokens=False))
    return tokens, chars


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("checkpoints", nargs="+", type=Path, help="checkpoint directories (model.safetensors ...)")
    p.add_argument("--data", type=Path, required=True, help="dataset directory (DIR/<split>/*.jsonl)")
    p.add_argument("--split", default="test")
    p.add_argument("--per-kind", type=int, default=300, help="records per kind (the same for every checkpoint)")
    p.add_argument("--max-len", type=int, default=1024, help="tokens per example; longer traces are cut")
    args = p.parse_args()
    if not (args.data / args.split).is_dir():
        raise SystemExit(f"heldout_loss: no {args.data / args.split}: build it first (docs/dataset.md)")
    for c in args.checkpoints:
        losses = heldout_loss(c, args.data, args.split, args.per_kind, args.max_len)
        print(json.dumps({"checkpoint": str(c), "split": f"{args.data}/{args.split}",
                          **{k: round(v, 4) for k, v in sorted(losses.items())}}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
