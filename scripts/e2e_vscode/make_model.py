"""The model of the VS Code end-to-end run: a tiny model that memorises the sample workspace's scenarios.

    python scripts/e2e_vscode/make_model.py WORKSPACE_DIR OUT_DIR

The e2e checks exact values in the editor, so it needs a model whose predictions for the sample files are
known: this trains one (training/learning/memorise.py, about a minute on a CPU) on every scenario the server makes of
the workspace, including the edits drive.mjs performs, and exports it to ONNX (fp32). Skips the work when
OUT_DIR already holds a model made from the same programs.
"""

from __future__ import annotations

import hashlib
import json
import sys
from pathlib import Path

from codeexecutor.server.scenarios import analyse
from codeexecutor.training.learning.checkpoint import load_checkpoint, save_checkpoint
from codeexecutor.training.learning.export import ExportConfig, export_model, sample_prompt_ids
from codeexecutor.training.learning.memorise import memorise
from codeexecutor.training.tracing.tracer import trace_program

TYPED_LINE = "double = total * 2"  # what drive.mjs types at the end of sample.py
SET_EXAMPLE = {"greet": 'greet("bob")'}  # what drive.mjs enters with the setExample command


def scenario_programs(workspace: Path) -> list[str]:
    sample = (workspace / "sample.py").read_text()
    functions = (workspace / "functions.py").read_text()
    programs: dict[str, None] = {}
    for text, examples in [(sample, {}), (sample + TYPED_LINE + "\n", {}), (functions, {}),
                           (functions, SET_EXAMPLE)]:
        for scenario in analyse(text, examples).scenarios:
            programs[scenario.program] = None
    return list(programs)


def main() -> None:
    workspace, out = Path(sys.argv[1]), Path(sys.argv[2])
    programs = scenario_programs(workspace)
    key = hashlib.sha256(json.dumps(programs).encode()).hexdigest()
    stamp = out / "e2e-programs.sha256"
    if stamp.is_file() and stamp.read_text() == key and (out / "manifest.json").is_file():
        print(f"e2e model: up to date in {out}")
        return
    model, tok, cfg, steps = memorise({f"p{i}": (p, trace_program(p)) for i, p in enumerate(programs)})
    ckpt = out.parent / (out.name + "-checkpoint")
    save_checkpoint(ckpt, model, tok, cfg, {"e2e": True}, {"step": steps})
    model, tok, cfg = load_checkpoint(ckpt)
    out.mkdir(parents=True, exist_ok=True)
    export_model(model, tok, cfg, ExportConfig(checkpoint=str(ckpt), out=str(out), quantization="fp32"),
                 sample_prompt_ids(tok))
    stamp.write_text(key)
    print(f"e2e model: {len(programs)} programs memorised in {steps} steps, exported to {out}")


if __name__ == "__main__":
    main()
