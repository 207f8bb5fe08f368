"""Retrain the model on your own Python code: build, fine-tune, evaluate, export, in one command.

    .venv/bin/python scripts/retrain.py --corpus ~/my/project [--work runs/retrain] [--steps 600]

1. builds a CodeNet-like dataset from the folder's .py files (`codeexecutor build-dataset --kind codenet`),
   plus a little SingleLine and Tutorial data so the model does not forget what it knew;
2. fine-tunes from the shipped checkpoint (`--from`, default model/weights/checkpoint) on the GPU if there is
   one, else on the CPU;
3. evaluates on the held-out split of your code (`codeexecutor evaluate`);
4. exports to ONNX (`codeexecutor export`) and prints the directory to set as `codeexecutor.modelPath` in
   the editor (or installs it as the default model with `--install`).

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


def codeexecutor(*args: str) -> None:
    cmd = [sys.executable, "-m", "codeexecutor", *args]
    print("$ codeexecutor " + " ".join(args), flush=True)
    if subprocess.run(cmd, cwd=ROOT).returncode != 0:
        sys.exit(f"retrain: `codeexecutor {args[0]}` failed (its message is above); fix it and rerun: "
                 "finished steps are kept")


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

    max_positions = json.loads((args.init_from / "model_config.json").read_text())["max_positions"]
    config = {"data": str(data), "init_from": str(args.init_from.resolve()), "max_len": min(1024, max_positions),
              "batch_tokens": args.batch_tokens, "lr": args.lr, "warmup_steps": min(50, args.steps // 10),
              "eval_every": max(args.steps // 4, 1), "eval_per_kind": 32, "save_every": max(args.steps // 4, 1),
              "stages": [{"kinds": {"codenet": 0.6, "tutorial": 0.2, "singleline": 0.2}, "steps": args.steps}]}
    work.mkdir(parents=True, exist_ok=True)
    (work / "finetune.json").write_text(json.dumps(config, indent=2))
    # --resume continues an interrupted fine-tune exactly, and starts one when there is none.
    codeexecutor("train", "--config", str(work / "finetune.json"), "--out", str(run_dir), "--resume")
    codeexecutor("evaluate", "--model", str(run_dir), "--data", str(data), "--split", "test",
                 "--limit", str(args.eval_limit), "--out", str(work / "report"))
    if model_dir.exists():
        shutil.rmtree(model_dir)
    codeexecutor("export", "--checkpoint", str(run_dir), "--out", str(model_dir))

    if args.install:
        for f in model_dir.iterdir():
            shutil.copy2(f, SHIPPED / f.name)
        print(f"retrain: installed as the default model in {SHIPPED}")
    print(f"\nretrain: done. Report: {work / 'report' / 'report.md'}\n"
          f"Use it in VS Code: set \"codeexecutor.modelPath\": \"{model_dir}\"  (or rerun with --install)")


if __name__ == "__main__":
    main()
