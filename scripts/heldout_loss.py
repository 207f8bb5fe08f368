"""Loss per trace token of training checkpoints on a held-out split, per dataset kind (teacher-forced, no decoding).

    python scripts/heldout_loss.py --data data/realcode --split test --per-kind 300 runs/sweep-tiny runs/sweep-mini

The training run's own eval loss covers its dataset's valid split only; this scores any checkpoint on any
split, e.g. the real-code benchmark, whose sources never reach training. It is what the size sweep of
docs/training-log.md compares. Runs in seconds to minutes on the CPU: one forward pass per batch, no generation.
Per token, losses are comparable between checkpoints that share a tokenizer only (another tokenizer cuts the
same trace into another number of tokens); ``nats_per_char`` (the summed loss over the trace's characters) is
comparable across tokenizers. ``value_loss_KIND`` is the loss per token of the values a hint shows, apart from
the rest (``other_loss_KIND``: line numbers, frames, names, markers), with their token counts. A checkpoint
trained on the local trace text is scored on the compact form's tokens only (its copied code is given), and
``--same-records`` keeps the records that fit whole in both texts, so the two are compared token for token.
"""

from __future__ import annotations

import argparse
import json
import tempfile
from contextlib import nullcontext
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F

from codeexecutor.model.constraints import TokenTable
from codeexecutor.model.tokenizer import EOS, special_id
from codeexecutor.model.trace import EXC, LT, OUT, RET, SET
from codeexecutor.training.learning import checkpoint as ckpt
from codeexecutor.training.learning.data import IGNORE, Batch, eval_batches, load_split, pad_id_of, whole_examples
from codeexecutor.training.learning.train import evaluate_loss


def heldout_loss(ckpt_dir: Path, data: Path, split: str, per_kind: int, max_len: int,
                 same_records: bool = False) -> dict[str, float]:
    """Loss per scored trace token (and nats per character) per kind. ``same_records``: only records whose
    trace fits whole in both trace texts, so checkpoints trained on either are scored on the same tokens."""
    model, tok, cfg = ckpt.load_checkpoint(ckpt_dir)
    max_len = min(max_len, cfg.max_positions)
    among = None
    with tempfile.TemporaryDirectory() as cache:
        ts = load_split(data, split, tok, max_len, Path(cache), local=cfg_text(ckpt_dir) == "local")
        if same_records:  # the local text is the longer: what fits whole in it fits in the compact one
            among = whole_examples(load_split(data, split, tok, max_len, Path(cache), local=True),
                                   special_id(tok, EOS))
    batches = eval_batches(ts, 4096, pad_id_of(tok), per_kind, seed=0, among=among)
    losses = evaluate_loss(model, batches, torch.device("cpu"), nullcontext())
    tokens, chars = trace_sizes(batches, tok)
    for kind in tokens:
        losses[f"nats_per_char_{kind}"] = losses[f"eval_loss_{kind}"] * tokens[kind] / chars[kind]
    losses.update(value_loss(model, batches, tok))
    return losses


@torch.no_grad()
def value_loss(model: torch.nn.Module, batches: list[Batch], tok) -> dict[str, float]:
    """Per kind, the loss per token of the values a hint would show (after ``<s> name``, and the text of
    ``<ret>``, ``<out>``, ``<exc>``), apart from the rest (line numbers, frames, names, markers)."""
    model.eval()
    table = TokenTable(tok)
    sums: dict[str, list[float]] = {}
    for b in batches:
        logits = model(input_ids=torch.from_numpy(b.inputs), use_cache=False).logits.float()
        targets = torch.from_numpy(b.targets)
        nll = F.cross_entropy(logits.flatten(0, 1), targets.flatten(), ignore_index=IGNORE,
                              reduction="none").view(targets.shape)
        for row, losses in zip(b.targets, nll, strict=True):
            scored = row != IGNORE
            values = torch.from_numpy(value_tokens([int(i) for i in row[scored]], table))
            s = sums.setdefault(b.kind, [0.0, 0, 0.0, 0])
            picked = losses[torch.from_numpy(scored)]
            s[0] += float(picked[values].sum())
            s[1] += int(values.sum())
            s[2] += float(picked[~values].sum())
            s[3] += int((~values).sum())
    out = {}
    for kind, (v, nv, r, nr) in sums.items():
        out[f"value_loss_{kind}"], out[f"value_tokens_{kind}"] = v / max(nv, 1), nv
        out[f"other_loss_{kind}"], out[f"other_tokens_{kind}"] = r / max(nr, 1), nr
    return out


def value_tokens(ids: list[int], table: TokenTable) -> np.ndarray:
    """Which of a trace's tokens spell values: after ``<s>``, the tokens from the first one that starts with a
    space after the name, up to the next marker; after ``<ret>``/``<out>``/``<exc>``, all up to the next."""
    out = np.zeros(len(ids), dtype=bool)
    state = None  # None | "name" | "named" | "value"
    for i, t in enumerate(ids):
        marker = table.marker_of.get(t)
        if marker is not None and marker != LT:  # ``<lt>`` is part of a value
            state = "name" if marker == SET else "value" if marker in (RET, OUT, EXC) else None
            continue
        if state == "name":
            state = "named"
        elif state == "named" and table.starts_space[t]:
            state = "value"
        out[i] = state == "value"
    return out


def cfg_text(ckpt_dir: Path) -> str:
    """The trace text the checkpoint was trained on: its copied source is not scored (given, not predicted),
    so the loss per token is over the same compact-form tokens either way."""
    return ckpt.load_train_config(ckpt_dir).get("trace_text", "compact")


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
    p.add_argument("--same-records", action="store_true",
                   help="score only records whose trace fits whole in the local trace text too (compare "
                        "checkpoints trained on the compact and the local text on the same tokens)")
    args = p.parse_args()
    if not (args.data / args.split).is_dir():
        raise SystemExit(f"heldout_loss: no {args.data / args.split}: build it first (docs/dataset.md)")
    for c in args.checkpoints:
        losses = heldout_loss(c, args.data, args.split, args.per_kind, args.max_len, args.same_records)
        print(json.dumps({"checkpoint": str(c), "split": f"{args.data}/{args.split}",
                          **{k: round(v, 4) if isinstance(v, float) else v for k, v in sorted(losses.items())}}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
