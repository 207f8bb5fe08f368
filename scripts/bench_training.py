"""Training speed on this machine: tokens/s of one optimizer step per model size, fp32 against bf16 autocast.

    .venv/bin/python scripts/bench_training.py [--sizes mini small default] [--steps 6] [--compile]

Each measurement builds the named size (random weights; speed does not depend on them), then times ``--steps``
AdamW steps on a batch of ``--rows`` x ``--length`` random tokens, after two warm-up steps, exactly as
``codeexecutor train`` does one (codeexecutor.training.learning.train.batch_loss, fp32 master weights and
optimizer state either way). The precisions of one size are measured in turns (A B A B), so a load that comes
and goes on a shared machine falls on both. Prints a table, then one JSON line.
"""

from __future__ import annotations

import argparse
import json
import time
from contextlib import nullcontext

import torch

from codeexecutor.model.architecture import build_model, count_parameters
from codeexecutor.model.config import named_size
from codeexecutor.training.learning.train import batch_loss


def steps_per_second(model: torch.nn.Module, batch: torch.Tensor, precision: str, steps: int) -> float:
    optimizer = torch.optim.AdamW(model.parameters(), lr=1e-4)
    autocast = torch.autocast("cpu", dtype=torch.bfloat16) if precision == "bf16" else nullcontext()
    inputs, targets = batch[:, :-1], batch[:, 1:]

    def one() -> None:
        with autocast:
            loss = batch_loss(model, inputs, targets) / targets.numel()
        loss.backward()
        optimizer.step()
        optimizer.zero_grad(set_to_none=True)

    for _ in range(2):
        one()
    start = time.perf_counter()
    for _ in range(steps):
        one()
    return steps / (time.perf_counter() - start)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", nargs="+", default=["mini", "small", "default"])
    ap.add_argument("--steps", type=int, default=6)
    ap.add_argument("--rounds", type=int, default=2, help="turns of each precision per size")
    ap.add_argument("--rows", type=int, default=2)
    ap.add_argument("--length", type=int, default=1024)
    ap.add_argument("--compile", action="store_true", help="also measure bf16 under torch.compile")
    args = ap.parse_args()

    torch.manual_seed(0)
    results = []
    print(f"threads {torch.get_num_threads()}; batch {args.rows} x {args.length} tokens")
    print(f"{'size':8} {'params':>10} {'fp32 tok/s':>11} {'bf16 tok/s':>11} {'bf16 comp.':>11} {'speed-up':>9}")
    for size in args.sizes:
        cfg = named_size(size)
        model = build_model(cfg)
        model.train()
        batch = torch.randint(5, cfg.vocab_size, (args.rows, args.length + 1))
        modes = ["fp32", "bf16"] + (["compiled"] if args.compile else [])
        rates: dict[str, list[float]] = {m: [] for m in modes}
        compiled = torch.compile(model) if args.compile else None
        for _ in range(args.rounds):
            for mode in modes:
                net, precision = (compiled, "bf16") if mode == "compiled" else (model, mode)
                rates[mode].append(steps_per_second(net, batch, precision, args.steps) * args.rows * args.length)
        best = {m: max(r) for m, r in rates.items()}  # the least disturbed turn of each
        row = {"size": size, "parameters": count_parameters(model), **{f"{m}_tokens_per_s": round(v)
                                                                        for m, v in best.items()}}
        results.append(row)
        comp = f"{best['compiled']:>11.0f}" if args.compile else f"{'-':>11}"
        print(f"{size:8} {row['parameters']:>10,} {best['fp32']:>11.0f} {best['bf16']:>11.0f} {comp} "
              f"{best['bf16'] / best['fp32']:>8.2f}x")
    print(json.dumps({"threads": torch.get_num_threads(), "batch": [args.rows, args.length], "sizes": results}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
