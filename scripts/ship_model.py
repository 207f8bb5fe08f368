"""Make a trained run the shipped default model: model/weights/ (ONNX + tokenizer + manifest) and
model/weights/checkpoint/ (bf16 safetensors that retraining starts from).

    .venv/bin/python scripts/ship_model.py --run runs/mini [--fp32]

The ONNX model is what `codeexecutor predict` and the server load with no --model; the checkpoint is what
scripts/retrain.py fine-tunes. Prints the sizes; the repository's budget for all of it is 60 MB.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
from pathlib import Path

from codeexecutor.training.learning.checkpoint import save_bf16_copy

ROOT = Path(__file__).resolve().parent.parent
WEIGHTS_DIR = ROOT / "model" / "weights"
BUDGET_MB = 60


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--run", type=Path, required=True, help="a checkpoint directory written by `codeexecutor train`")
    ap.add_argument("--fp32", action="store_true", help="ship fp32 ONNX (default int8)")
    args = ap.parse_args()

    if WEIGHTS_DIR.exists():
        shutil.rmtree(WEIGHTS_DIR)
    cmd = [sys.executable, "-m", "codeexecutor", "export", "--checkpoint", str(args.run), "--out", str(WEIGHTS_DIR),
           "--fp32" if args.fp32 else "--int8"]
    if subprocess.run(cmd, cwd=ROOT).returncode != 0:
        sys.exit("ship_model: the export failed (see above)")

    save_bf16_copy(args.run, WEIGHTS_DIR / "checkpoint")

    total = sum(f.stat().st_size for f in WEIGHTS_DIR.rglob("*") if f.is_file()) / 1e6
    for f in sorted(WEIGHTS_DIR.rglob("*")):
        if f.is_file():
            print(f"{f.relative_to(ROOT)}  {f.stat().st_size / 1e6:.2f} MB")
    print(f"total {total:.1f} MB (budget {BUDGET_MB} MB)")
    if total > BUDGET_MB:
        sys.exit(f"ship_model: {total:.1f} MB is over the {BUDGET_MB} MB budget")


if __name__ == "__main__":
    main()
