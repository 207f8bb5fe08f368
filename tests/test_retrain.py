"""scripts/retrain.py end to end at tiny scale: a folder of code -> dataset -> fine-tune -> report -> ONNX."""

import json
import subprocess
import sys
from pathlib import Path

from codeexecutor.model.engine import Engine

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "tests" / "fixtures" / "retrain_corpus"


def test_retrain_builds_finetunes_evaluates_and_exports(tmp_path, tiny_checkpoint_dir) -> None:
    work = tmp_path / "work"
    proc = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "retrain.py"), "--corpus", str(CORPUS), "--work", str(work),
         "--from", str(tiny_checkpoint_dir), "--size", "10", "--base-size", "6", "--mutants", "3",
         "--steps", "4", "--batch-tokens", "1024", "--eval-limit", "5", "--workers", "1"],
        capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    assert f'"codeexecutor.modelPath": "{work / "model"}"' in proc.stdout

    records = [json.loads(line) for f in (work / "data").glob("*/codenet-*.jsonl") for line in f.open()]
    origins = {r["origin"] for r in records}
    assert any("text_tools" in o or "stats" in o or "inventory" in o for o in origins), origins

    state = json.loads((work / "run" / "train_config.json").read_text())
    assert state["init_from"] == str(Path(tiny_checkpoint_dir).resolve())
    config = json.loads((work / "finetune.json").read_text())
    assert (config["schedule"], config["mix_batches"], config["precision"]) == ("wsd", True, "auto")
    assert set(config["stages"][0]["kinds"]) == {"codenet", "generated", "tutorial", "singleline"}
    before, after = (json.loads((work / d / "report.json").read_text()) for d in ("report-before", "report"))
    assert before["examples"] == after["examples"] == 5
    assert set(before["metrics"]) == set(after["metrics"])
    assert "value_accuracy" in after["metrics"]["all"]
    assert "the same held-out programs, before → after" in proc.stdout
    assert "| all | 5 | " in proc.stdout
    # Exported at the shipped model's precision (fp32 since run 13), not export's int8 default.
    manifest = json.loads((work / "model" / "manifest.json").read_text())
    shipped = json.loads((ROOT / "model" / "weights" / "manifest.json").read_text())
    assert manifest["quantization"] == shipped["quantization"] == "fp32"
    engine = Engine.load(work / "model")
    assert engine.predict("x = 1\n", max_new_tokens=8).tokens >= 1
