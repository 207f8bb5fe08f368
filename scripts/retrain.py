"""Retrain the model on your own Python code: build, fine-tune, evaluate, export, in one command.

    .venv/bin/python scripts/retrain.py --corpus ~/my/project [--work runs/retrain] [--steps 600]

1. builds a CodeNet-like dataset from the folder's .py files (`codeexecutor build-dataset --kind codenet`),
   plus a little SingleLine, Tutorial and generated data so the model does not forget what it knew;
2. fine-tunes from the shipped checkpoint (`--from`, default model/weights/checkpoint) with the shipped
   model's recipe: every batch mixes the kinds, warmup-stable-decay, bf16 where the hardware has it (GPU, or a
   CPU with native bf16), else fp32;
3. evaluates the starting checkpoint and the retrained one on the same held-out programs (`codeexecutor
   evaluate`, decoding under the program's mask as the editor does) and prints them side by side, per value;
4. exports to ONNX (`codeexecutor export`, at the shipped model's precision: fp32 or int8) and prints the
   directory to set as `codeexecutor.modelPath` in the editor (or installs it as the default model with
   `--install`).

Every step is a `codeexecutor` command, printed before it runs, so any of them can be rerun by hand.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SHIPPED = ROOT / "model" / "weights"
# The shipped model's mixture (training/configs/mini-cpu-mix.json) with the user's code in the place of
# CodeNet-like data, weighted up.
RECIPE_KINDS = {"codenet": 0.5, "generated": 0.2, "tutorial": 0.15, "singleline": 0.15}


def shipped_precision() -> str:
    """The export flag matching the shipped model's quantization (int8 lost over a point on some kinds for
    run 13, so it ships fp32: docs/model-card.md)."""
    manifest = SHIPPED / "manifest.json"
    quantization = json.loads(manifest.read_text()).get("quantization") if manifest.is_file() else None
    return "--fp32" if quantization == "fp32" else "--int8"


def codeexecutor(*args: str) -> None:
    cmd = [sys.executable, "-m", "codeexecutor", *args]
    print("$ codeexecutor " + " ".join(args), flush=True)
    if subprocess.run(cmd, cwd=ROOT).returncode != 0:
        sys.exit(f"retrain: `codeexecutor {args[0]}` failed (its message is above); fix it and rerun: "
                 "finished steps are kept")


def side_by_side(before: Path, after: Path) -> str:
    """The starting and the retrained model on the same held-out records, kind by kind (yours: codenet)."""
    a, b = (json.loads(p.read_text())["metrics"] for p in (before, after))

    def pct(m: dict, key: str) -> str:
        return "–" if m.get(key) is None else f"{100 * m[key]:.1f}"

    rows = ["\nretrain: the same held-out programs, before → after (percent; codenet = your code)",
            "| kind | n | value accuracy | value precision | trace accuracy | output accuracy |",
            "|---|---|---|---|---|---|"]
    for kind in b:
        rows.append(f"| {kind} | {b[kind]['examples']} | " + " | ".join(
            f"{pct(a.get(kind, {}), k)} → {pct(b[kind], k)}"
            for k in ("value_accuracy", "value_precision", "trace_accuracy", "output_accuracy")) + " |")
    return "\n".join(rows)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--corpus", type=Path, required=True, help="a folder of your .py files")
    ap.add_argument("--work", type=Path, default=ROOT / "runs" / "retrain", help="where data and runs go")
    ap.add_argument("--from", dest="init_from", type=Path, default=SHIPPED / "checkpoint",
                    help="checkpoint to fine-tune (default: the shipped one)")
    ap.add_argument("--size", type=int, default=2000, help="programs taken from your corpus")
    ap.add_argument("--base-size", type=int, default=2000,
                    help="SingleLine (and up to that many Tutorial) programs mixed in")
    ap.add_argument("--mutants", type=int, default=8, help="mutants per program")
    ap.add_argument("--steps", type=int, default=600, help="fine-tuning steps")
    ap.add_argument("--batch-tokens", type=int, default=4096)
    ap.add_argument("--lr", type=float, default=5e-4)
    ap.add_argument("--eval-limit", type=int, default=200, help="held-out programs scored")
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--install", action="store_true", help="make the result the default model (model/weights)")
    args = ap.parse_args()
    if not args.corpus.is_dir():
        sys.exit(f"retrain: --corpus {args.corpus} is not a folder of .py files")
    if not (args.init_from / "model.safetensors").is_file():
        sys.exit(f"retrain: no checkpoint at {args.init_from} (model.safetensors missing): pass --from DIR, "
                 "a directory written by `codeexecutor train`")
    work = args.work.resolve()
    data, run_dir, model_dir = work / "data", work / "run", work / "model"

    common = ["--out", str(data), "--workers", str(args.workers), "--max-tokens", "1000"]
    codeexecutor("build-dataset", "--kind", "codenet", "--corpus", str(args.corpus.resolve()),
                 "--size", str(args.size), "--mutants-per-program", str(args.mutants), "--seed", "11", *common)
    codeexecutor("build-dataset", "--kind", "singleline", "--size", str(args.base_size),
                 "--mutants-per-program", "2", "--seed", "12", *common)
    codeexecutor("build-dataset", "--kind", "tutorial", "--size", str(args.base_size), "--mutants-per-program", "2",
                 "--seed", "13", *common)
    codeexecutor("build-dataset", "--kind", "generated", "--size", str(args.base_size), "--seed", "14", *common)

    max_positions = json.loads((args.init_from / "model_config.json").read_text())["max_positions"]
    config = {"data": str(data), "init_from": str(args.init_from.resolve()), "max_len": min(1024, max_positions),
              "batch_tokens": args.batch_tokens, "lr": args.lr, "warmup_steps": min(50, args.steps // 10),
              "schedule": "wsd", "mix_batches": True, "precision": "auto",
              "eval_every": max(args.steps // 4, 1), "eval_per_kind": 32, "save_every": max(args.steps // 4, 1),
              "stages": [{"kinds": RECIPE_KINDS, "steps": args.steps}]}
    work.mkdir(parents=True, exist_ok=True)
    (work / "finetune.json").write_text(json.dumps(config, indent=2))
    # --resume continues an interrupted fine-tune exactly, and starts one when there is none.
    codeexecutor("train", "--config", str(work / "finetune.json"), "--out", str(run_dir), "--resume")
    for model, report in ((args.init_from, "report-before"), (run_dir, "report")):
        codeexecutor("evaluate", "--model", str(model), "--data", str(data), "--split", "test",
                     "--limit", str(args.eval_limit), "--out", str(work / report))
    print(side_by_side(work / "report-before" / "report.json", work / "report" / "report.json"))
    if model_dir.exists():
        shutil.rmtree(model_dir)
    codeexecutor("export", "--checkpoint", str(run_dir), "--out", str(model_dir), shipped_precision())

    if args.install:
        for f in model_dir.iterdir():
            shutil.copy2(f, SHIPPED / f.name)
        print(f"retrain: installed as the default model in {SHIPPED}")
    print(f"\nretrain: done. Report: {work / 'report' / 'report.md'}\n"
          f"Use it in VS Code: set \"codeexecutor.modelPath\": \"{model_dir}\"  (or rerun with --install)")


if __name__ == "__main__":
    main()
