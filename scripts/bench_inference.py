"""Inference speed: PyTorch eager vs ONNX fp32 vs ONNX int8 on the same weights and programs.

    .venv/bin/python scripts/bench_inference.py [--checkpoint DIR | --size default] [--new-tokens 256]
    .venv/bin/python scripts/bench_inference.py --mask-model model/weights [--repeat 3]

Without ``--checkpoint`` a random-initialised model of ``--size`` is used: speed does not depend on the
weights, and every run generates exactly ``--new-tokens`` tokens (EOS is ignored), so runs compare. Per
program it reports the end-to-end latency (prompt in, last token out) and the decode rate (tokens/s after the
first token); then the time to the first predicted step of a 20-line function with the int8 model (the
prefill plus the tokens of that step in its gold trace's text form), the number the editor's first hint waits
for. Prints a table, then one JSON line.

``--mask-model DIR`` measures instead what constrained decoding (codeexecutor.model.constraints) costs: the
exported model's real predictions of the same programs with and without the mask (until EOS or
``--new-tokens``), timed from before the mask is built (the program's analysis included) to the last token;
rate = all generated tokens / all that time. The two runs write different tokens (the mask changes the
prediction), so the mask's own cost is also measured directly: the masked runs' tokens replayed through a
fresh mask (analysis, every ``allowed``/``advance`` and the masked argmax), as a share of their decode time.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import torch
from transformers.generation.streamers import BaseStreamer

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from codeexecutor.model.decode import pick  # noqa: E402
from codeexecutor.model.engine import Engine  # noqa: E402
from codeexecutor.model.prompt import make_prompt  # noqa: E402
from codeexecutor.model.tokenizer import BOS, train_tokenizer  # noqa: E402
from codeexecutor.model.trace import CALL, END, LINE, SET, to_text  # noqa: E402

# The 20-line function of the latency target, with a call so it is a whole program.
FUNCTION_20_LINES = (Path(__file__).resolve().parent.parent / "examples" / "summarize.py").read_text()


class _Clock(BaseStreamer):
    """transformers streamer that timestamps each generated token (the first put() is the prompt)."""

    def __init__(self) -> None:
        self.times: list[float] = []
        self.start = time.perf_counter()

    def put(self, value) -> None:
        self.times.append(time.perf_counter() - self.start)

    def end(self) -> None:
        pass


def rate(times: list[float]) -> float:
    """Decode tokens/s: tokens after the first over the time after the first."""
    return (len(times) - 1) / (times[-1] - times[0]) if len(times) > 1 and times[-1] > times[0] else 0.0


def bench_torch(model, ids: list[int], new_tokens: int) -> tuple[float, float]:
    clock = _Clock()
    with torch.no_grad():
        model.generate(torch.tensor([ids]), max_new_tokens=new_tokens, min_new_tokens=new_tokens,
                       do_sample=False, use_cache=True, streamer=clock)
    return clock.times[-1], rate(clock.times[1:])


def bench_onnx(engine: Engine, ids: list[int], new_tokens: int) -> tuple[float, float]:
    result = engine.decoder.greedy(ids, eos_id=-1, max_new_tokens=new_tokens)
    return result.seconds, rate(result.times)


def bench_mask(model_dir: Path, programs: dict[str, str], new_tokens: int, threads: int, repeat: int) -> int:
    """Tokens/s of the exported model with and without the decoding mask, on the same programs."""
    engine = Engine.load(model_dir, threads=threads)
    engine.decoder.greedy(engine.prompt_ids("x = 1\n"), engine.eos_id, max_new_tokens=4)  # warm the session
    figures: dict[str, dict] = {}
    generated: dict[str, list[int]] = {}
    for constrained in [False, True] * max(1, repeat):
        tokens, seconds = 0, 0.0
        for name, src in programs.items():
            ids = engine.prompt_ids(src)
            t0 = time.perf_counter()
            constraint = engine.constraint(src) if constrained else None
            result = engine.decoder.greedy(ids, engine.eos_id, max_new_tokens=new_tokens, constraint=constraint)
            seconds += time.perf_counter() - t0
            tokens += len(result.tokens)
            if constrained:
                generated[name] = result.tokens
        key = "masked" if constrained else "unconstrained"
        best = figures.get(key)
        if best is None or tokens / seconds > best["tokens_per_s"]:
            figures[key] = {"tokens": tokens, "seconds": round(seconds, 3), "tokens_per_s": round(tokens / seconds, 1)}
    logits = np.random.default_rng(0).standard_normal(engine.tokenizer.get_vocab_size()).astype(np.float32)
    replay = []
    for _ in range(max(1, repeat)):
        t0 = time.perf_counter()
        for name, src in programs.items():
            constraint = engine.constraint(src)
            for token in generated[name]:
                pick(logits, constraint.allowed())
                constraint.advance(token)
        replay.append(time.perf_counter() - t0)
    masked = figures["masked"]
    cost = min(replay) / masked["seconds"]
    figures["mask_only"] = {"tokens": masked["tokens"], "seconds": round(min(replay), 3),
                            "tokens_per_s": round(masked["tokens"] / min(replay), 1)}
    print(f"model: {model_dir}, {len(programs)} programs, {threads} onnxruntime threads, load average "
          f"{os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs (best of {max(1, repeat)} rounds)")
    for key, f in figures.items():
        print(f"{key:14} {f['tokens']:6d} tokens {f['seconds']:8.2f} s {f['tokens_per_s']:8.1f} tok/s")
    print(f"mask cost: {100 * cost:.1f} % of the masked decode time (the mask alone over the same tokens)")
    print(json.dumps({"bench": "inference-mask", "model": str(model_dir), "threads": threads, **figures,
                      "mask_cost": round(cost, 4), "load_average": os.getloadavg()[0]}))
    return 0


def first_step_tokens(tok, program: str) -> int:
    """Tokens up to the end of the first step that shows a value in the program's gold trace's text form."""
    from codeexecutor.training.tracing.tracer import trace_program

    ids = tok.encode(to_text(trace_program(program)), add_special_tokens=False).ids
    openers = {tok.token_to_id(m) for m in (LINE, CALL, END)}
    seen_value = False
    for i, t in enumerate(ids):
        if t in openers and seen_value:
            return i + 1  # the marker that closes the step is generated too
        seen_value = seen_value or t == tok.token_to_id(SET)
    return len(ids)


def load_model(args):
    """(model, tokenizer, config, label): the checkpoint's, or a random-initialised one of --size."""
    if args.checkpoint:
        from codeexecutor.training.learning.checkpoint import load_checkpoint

        model, tok, cfg = load_checkpoint(args.checkpoint)
        return model, tok, cfg, str(args.checkpoint)
    from codeexecutor.model.architecture import build_model
    from codeexecutor.model.config import named_size

    torch.manual_seed(0)
    cfg = named_size(args.size)
    texts = [BOS + make_prompt(p.read_text()) for p in sorted((REPO / "examples").glob("*.py"))]
    tok = train_tokenizer(texts * 4 + [FUNCTION_20_LINES], vocab_size=cfg.vocab_size)
    return build_model(cfg).eval(), tok, cfg, f"random-init {args.size}"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--checkpoint", type=Path, help="a training checkpoint (default: random weights)")
    parser.add_argument("--size", default="default", help="model size without --checkpoint")
    parser.add_argument("--new-tokens", type=int, default=256, help="tokens generated per program")
    parser.add_argument("--threads", type=int, default=2, help="onnxruntime threads")
    parser.add_argument("--torch-threads", type=int, help="PyTorch threads (default: --threads)")
    parser.add_argument("--repeat", type=int, default=3, help="first-step timing repeats (median)")
    parser.add_argument("--skip-torch", action="store_true", help="ONNX only (PyTorch eager is slow)")
    parser.add_argument("--mask-model", type=Path, metavar="DIR",
                        help="only measure the decoding mask's cost with this exported model")
    args = parser.parse_args()
    if args.mask_model:
        programs = {p.name: p.read_text() for p in sorted((REPO / "examples").glob("*.py"))}
        programs["function20.py"] = FUNCTION_20_LINES
        return bench_mask(args.mask_model, programs, args.new_tokens, args.threads, args.repeat)

    from codeexecutor.training.learning.export import ExportConfig, export_model, sample_prompt_ids

    torch.set_num_threads(args.torch_threads or args.threads)
    model, tok, cfg, label = load_model(args)
    programs = {p.name: p.read_text() for p in sorted((REPO / "examples").glob("*.py"))}
    programs["function20.py"] = FUNCTION_20_LINES
    engines: dict[str, Engine] = {}
    with tempfile.TemporaryDirectory(prefix="bench-inference-") as tmp:
        for q in ("fp32", "int8"):
            out = Path(tmp) / q
            export_model(model, tok, cfg, ExportConfig(checkpoint=label, out=str(out), quantization=q),
                         sample_prompt_ids(tok))
            engines[q] = Engine.load(out, threads=args.threads)
            print(f"exported {q}: {(out / 'model.onnx').stat().st_size / 1e6:.1f} MB", file=sys.stderr)

    backends = ([] if args.skip_torch else ["torch"]) + ["fp32", "int8"]
    rows, figures = [], {b: {"latency_s": [], "tokens_per_s": []} for b in backends}
    for name, src in programs.items():
        ids = engines["int8"].prompt_ids(src)
        for backend in backends:
            if backend == "torch":
                latency, tps = bench_torch(model, ids, args.new_tokens)
            else:
                engines[backend].decoder.greedy(ids[:16], eos_id=-1, max_new_tokens=4)  # warm the session
                latency, tps = bench_onnx(engines[backend], ids, args.new_tokens)
            rows.append((name, len(ids), backend, latency, tps))
            figures[backend]["latency_s"].append(latency)
            figures[backend]["tokens_per_s"].append(tps)

    engine = engines["int8"]
    k = first_step_tokens(engine.tokenizer, FUNCTION_20_LINES)
    first_step = []
    for _ in range(args.repeat):
        t0 = time.perf_counter()
        ids = engine.prompt_ids(FUNCTION_20_LINES)
        engine.decoder.greedy(ids, eos_id=-1, max_new_tokens=k)
        first_step.append(time.perf_counter() - t0)

    print(f"model: {label}, {cfg.num_parameters() / 1e6:.1f}M parameters, {args.threads} onnxruntime / "
          f"{torch.get_num_threads()} torch threads, {args.new_tokens} new tokens per program, "
          f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
    print(f"{'program':16} {'prompt':>6} {'backend':>7} {'latency s':>10} {'decode tok/s':>12}")
    for name, n, backend, latency, tps in rows:
        print(f"{name:16} {n:6d} {backend:>7} {latency:10.3f} {tps:12.1f}")
    summary = {b: {"median_latency_s": round(statistics.median(f["latency_s"]), 4),
                   "median_tokens_per_s": round(statistics.median(f["tokens_per_s"]), 1)}
               for b, f in figures.items()}
    for b, s in summary.items():
        print(f"{'median':16} {'':6} {b:>7} {s['median_latency_s']:10.3f} {s['median_tokens_per_s']:12.1f}")
    first_ms = statistics.median(first_step) * 1000
    print(f"first predicted step of a 20-line function (int8, prompt {len(ids)} + {k} tokens): "
          f"{first_ms:.0f} ms")
    result = {"bench": "inference", "model": label, "parameters": cfg.num_parameters(),
              "threads": args.threads, "torch_threads": torch.get_num_threads(),
              "new_tokens": args.new_tokens,
              "backends": summary, "first_step_ms": round(first_ms, 1), "load_average": os.getloadavg()[0]}
    if "torch" in summary:
        result["int8_speedup_vs_torch"] = round(summary["int8"]["median_tokens_per_s"]
                                                / max(summary["torch"]["median_tokens_per_s"], 1e-9), 2)
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
