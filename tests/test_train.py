"""Training end to end on a tiny dataset: the loss falls, resume is exact, evaluation writes its report."""

from __future__ import annotations

import contextlib
import io
import json
import os
import random
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import torch
from safetensors.torch import load_file

from codeexecutor.cli import main
from codeexecutor.model.tokenizer import load_tokenizer
from codeexecutor.model.trace import MODULE_FRAME, Step, Trace, to_text
from codeexecutor.training.learning.checkpoint import load_checkpoint, load_train_state
from codeexecutor.training.learning.data import IGNORE, make_batch, read_records, tokenize_split

ROOT = Path(__file__).resolve().parents[1]
CONFIGS = ROOT / "training" / "configs"


@pytest.fixture(autouse=True, scope="module")
def one_thread():
    # On a small shared CPU, torch's intra-op threads fight other processes and a tiny model trains ~6x
    # slower; one thread gives the same numbers (CPU kernels here are deterministic across thread counts).
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)


def straight_line_trace(program: str) -> Trace:
    """The gold trace of a program without branches or calls (each line runs once, in order)."""
    env: dict[str, object] = {}
    steps = []
    for number, line in enumerate(program.splitlines(), start=1):
        buf = io.StringIO()
        with contextlib.redirect_stdout(buf):
            exec(line, {}, env)
        state = {k: repr(v) for k, v in env.items()}
        steps.append(Step(number, MODULE_FRAME, state, output=buf.getvalue() or None))
    return Trace(steps=steps, stdout="".join(s.output or "" for s in steps), status="ok")


def make_program(kind: str, rng: random.Random) -> str:
    a, b = rng.randint(0, 9), rng.randint(1, 9)
    op = rng.choice(["+", "-", "*"])
    word = rng.choice(["ab", "xyz", "hi", "code"])
    if kind == "singleline":
        return rng.choice([f"x = {a} {op} {b}\n", f"s = '{word}' * {b % 3 + 1}\n"])
    if kind == "tutorial":
        return f"x = {a}\ny = x {op} {b}\nprint(y)\n"
    return f"s = '{word}'\nn = len(s) {op} {a}\nt = s[::-1]\nprint(t, n)\n"


def write_dataset(root: Path, per_kind: dict[str, int], seed: int = 0) -> None:
    """Records in the dataset layout: root/<split>/<kind>-00000.jsonl."""
    rng = random.Random(seed)
    for split, count in per_kind.items():
        (root / split).mkdir(parents=True)
        for kind in ("singleline", "tutorial", "codenet"):
            with (root / split / f"{kind}-00000.jsonl").open("w") as f:
                for i in range(count):
                    program = make_program(kind, rng)
                    trace = straight_line_trace(program)
                    text = to_text(trace)
                    f.write(json.dumps({"id": f"{split}-{kind}-{i}", "kind": kind, "program": program,
                                        "stdin": "", "trace": trace.to_json(), "text": text,
                                        "operator": "original", "origin": f"{kind}-{i}", "split": split,
                                        "length": len(program) + len(text)}) + "\n")


@pytest.fixture(scope="module")
def dataset(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("data")
    write_dataset(root, {"train": 60, "valid": 10, "test": 6})
    return root


def tiny_config(tmp: Path, data: Path, **overrides: object) -> Path:
    cfg = json.loads((CONFIGS / "tiny.json").read_text())
    cfg.update(data=str(data), **overrides)
    path = tmp / "tiny.json"
    path.write_text(json.dumps(cfg))
    return path


def read_log(run: Path) -> list[dict]:
    return [json.loads(line) for line in (run / "log.jsonl").read_text().splitlines()]


@pytest.fixture(scope="module")
def trained(tmp_path_factory: pytest.TempPathFactory, dataset: Path) -> Path:
    tmp = tmp_path_factory.mktemp("run")
    out = tmp / "run"
    config = tiny_config(tmp, dataset)
    assert main(["train", "--config", str(config), "--out", str(out), "--device", "cpu"]) == 0
    return out


def test_straight_line_trace_fixture() -> None:
    trace = straight_line_trace("s = 'ab'\nt = s[::-1]\nprint(t)\n")
    assert to_text(trace) == "<line> 1 <s> s 'ab' <line> 2 <s> t 'ba' <line> 3 <out> 'ba\\n' <end> ok"


def test_a_record_limit_spreads_over_the_kinds(dataset: Path) -> None:
    records = list(read_records(dataset, "test", limit=6))
    assert [r["id"] for r in records] == [f"test-{k}-{i}" for k in ("codenet", "singleline", "tutorial")
                                          for i in (0, 3)]
    assert len(list(read_records(dataset, "test", limit=1000))) == 18
    assert [r["id"] for r in read_records(dataset, "test", limit=4)] == \
        ["test-codenet-0", "test-codenet-4", "test-singleline-3", "test-tutorial-1"]


def test_a_per_kind_limit_takes_as_many_of_each_kind(dataset: Path) -> None:
    records = list(read_records(dataset, "test", per_kind=2))
    assert [r["id"] for r in records] == [f"test-{k}-{i}" for k in ("codenet", "singleline", "tutorial")
                                          for i in (0, 3)]
    assert len(list(read_records(dataset, "test", per_kind=100))) == 18


def test_loss_falls_and_run_directory_is_complete(trained: Path) -> None:
    evals = [r for r in read_log(trained) if r["type"] == "eval"]
    assert [r["step"] for r in evals] == [0, 20, 40, 60, 80]
    assert evals[-1]["eval_loss"] < 0.15 * evals[0]["eval_loss"]
    assert evals[-1]["eval_loss"] < 1.0
    assert set(evals[-1]) >= {"eval_loss_singleline", "eval_loss_tutorial", "eval_loss_codenet"}
    train = [r for r in read_log(trained) if r["type"] == "train"]
    assert [r["step"] for r in train] == list(range(5, 81, 5))
    assert [r["stage"] for r in train if r["step"] in (20, 25, 40, 45)] == [0, 1, 1, 2]
    assert all(r["tokens_per_s"] > 0 and "mfu" not in r for r in train)
    for name in ("model.safetensors", "model_config.json", "tokenizer.json", "train_config.json",
                 "train_state.pt", "curves.png"):
        assert (trained / name).is_file(), name
    _, tok, cfg = load_checkpoint(trained)
    assert cfg.hidden_size == 64 and cfg.vocab_size % 64 == 0
    assert tok.get_vocab_size() <= cfg.vocab_size
    assert load_train_state(trained)["step"] == 80


def test_resume_is_exact(tmp_path: Path, dataset: Path) -> None:
    stages = [{"kinds": {"singleline": 0.5, "codenet": 0.5}, "steps": 12}]
    config = tiny_config(tmp_path, dataset, stages=stages, eval_every=4, warmup_steps=3)
    whole, halves = tmp_path / "whole", tmp_path / "halves"
    assert main(["train", "--config", str(config), "--out", str(whole), "--device", "cpu"]) == 0
    assert main(["train", "--config", str(config), "--out", str(halves), "--device", "cpu",
                 "--max-steps", "6"]) == 0
    assert load_train_state(halves)["step"] == 6
    assert main(["train", "--resume", "--out", str(halves), "--device", "cpu"]) == 0
    a, b = load_file(str(whole / "model.safetensors")), load_file(str(halves / "model.safetensors"))
    assert a.keys() == b.keys()
    assert all(torch.equal(a[k], b[k]) for k in a)
    sa, sb = load_train_state(whole), load_train_state(halves)
    assert sa["step"] == sb["step"] == 12
    for pa, pb in zip(sa["optimizer"]["state"].values(), sb["optimizer"]["state"].values(), strict=True):
        assert torch.equal(pa["exp_avg"], pb["exp_avg"]) and torch.equal(pa["exp_avg_sq"], pb["exp_avg_sq"])
    # the log of the resumed run continues the first half's: one record per step boundary, no duplicates
    assert [r["step"] for r in read_log(halves) if r["type"] == "eval"] == [0, 4, 6, 8, 12]


def test_a_gpu_run_chained_through_the_device_tool_trains_as_one_run(tmp_path: Path, dataset: Path,
                                                                     trained: Path) -> None:
    # The device tool's path, on the CPU: pack the dataset, carry it, unpack and train in two time-limited
    # calls (the second resumes), get the weights back in parts. The packed data and the chain must give
    # exactly the weights of the plain run (`trained`, same config and data).
    pack = tmp_path / "carried" / f"{dataset.name}.tar.xz"
    pack.parent.mkdir()
    subprocess.run([sys.executable, "scripts/pack_data.py", "--data", str(dataset), "--out", str(pack)],
                   cwd=ROOT, check=True, capture_output=True)
    config = tiny_config(tmp_path, pack.parent / dataset.name)
    run, outs = tmp_path / "run", [tmp_path / "out1", tmp_path / "out2"]
    env = {**os.environ, "PYTHON": sys.executable, "DEVICE": "cpu", "OMP_NUM_THREADS": "1"}
    for out, seconds in zip(outs, ["0", "600"], strict=True):
        out.mkdir()
        subprocess.run(["bash", "scripts/device_round.sh", str(config), str(run), seconds], cwd=ROOT, check=True,
                       capture_output=True, env={**env, "OUT": str(out)})
    assert [(r["type"], r["step"]) for r in read_log(outs[0])] == [("eval", 0)]  # the first call stopped at once
    assert load_train_state(run)["step"] == 80
    assert [r["step"] for r in read_log(run) if r["type"] == "eval"] == [0, 20, 40, 60, 80]
    a, b = load_file(str(trained / "model.safetensors")), load_file(str(run / "model.safetensors"))
    assert all(torch.equal(a[k], b[k]) for k in a)

    back = outs[1]
    assert sorted(p.name for p in back.iterdir()) == ["log.jsonl", "model.safetensors.part-aa", "model_config.json",
                                                       "tokenizer.json", "train_config.json"]
    back_weights = load_file(str(back / "model.safetensors.part-aa"))
    assert all(back_weights[k].dtype == torch.bfloat16 and torch.equal(back_weights[k], b[k].bfloat16())
               for k in b)


def test_refuses_to_overwrite_a_checkpoint(trained: Path, dataset: Path, tmp_path: Path) -> None:
    with pytest.raises(SystemExit, match="--resume"):
        main(["train", "--config", str(tiny_config(tmp_path, dataset)), "--out", str(trained)])


def test_evaluate_keeps_one_report_per_dataset(trained: Path, dataset: Path, tmp_path: Path) -> None:
    model = tmp_path / "model"
    shutil.copytree(trained, model, ignore=shutil.ignore_patterns("eval-*"))
    other = tmp_path / "realcode"
    other.symlink_to(dataset.resolve(), target_is_directory=True)
    for data in (dataset, other):
        assert main(["evaluate", "--model", str(model), "--data", str(data), "--limit", "2",
                     "--max-new-tokens", "8"]) == 0
    reports = {d.name: json.loads((d / "report.json").read_text())["config"]["data"]
               for d in model.glob("eval-*")}
    assert reports == {f"eval-{dataset.name}-test": [str(dataset)], "eval-realcode-test": [str(other)]}


def test_evaluate_scores_several_datasets_in_one_report(trained: Path, dataset: Path, tmp_path: Path) -> None:
    # The model card's table in one command: data/mix's kinds and the real-code benchmark's, side by side.
    other = tmp_path / "realcode"
    (other / "test").mkdir(parents=True)
    records = [json.loads(line) for line in (dataset / "test" / "tutorial-00000.jsonl").read_text().splitlines()]
    (other / "test" / "realcode-00000.jsonl").write_text(
        "".join(json.dumps({**r, "kind": "realcode", "id": f"real-{i}"}) + "\n" for i, r in enumerate(records)))
    model = tmp_path / "model"
    shutil.copytree(trained, model, ignore=shutil.ignore_patterns("eval-*"))
    assert main(["evaluate", "--model", str(model), "--data", str(dataset), str(other), "--per-kind", "2",
                 "--max-new-tokens", "8"]) == 0
    report = json.loads((model / f"eval-{dataset.name}+realcode-test" / "report.json").read_text())
    assert report["config"]["data"] == [str(dataset), str(other)]
    assert {k: m["examples"] for k, m in report["metrics"].items()} == \
        {"codenet": 2, "singleline": 2, "tutorial": 2, "realcode": 2, "all": 8}

    err = io.StringIO()
    with contextlib.redirect_stderr(err):
        assert main(["evaluate", "--model", str(model), "--data", str(dataset), str(dataset)]) == 2
    assert "kind 'codenet' is in both" in err.getvalue()


def test_evaluate_writes_report(trained: Path, dataset: Path, tmp_path: Path) -> None:
    report_dir = tmp_path / "report"
    # the gold traces are < 60 tokens: a budget of 96 keeps an untrained-looking loop from running to 512
    assert main(["evaluate", "--model", str(trained), "--data", str(dataset), "--split", "test",
                 "--max-new-tokens", "96", "--out", str(report_dir)]) == 0
    report = json.loads((report_dir / "report.json").read_text())
    assert report["split"] == "test" and report["examples"] == 18
    for kind in ("singleline", "tutorial", "codenet", "all"):
        m = report["metrics"][kind]
        assert set(m) >= {"output_accuracy", "trace_accuracy", "line_precision", "line_recall", "line_f1",
                          "identifier_precision", "identifier_recall", "identifier_f1", "examples"}
        assert all(0.0 <= m[k] <= 1.0 for k in m if k != "examples" and m[k] is not None)
    assert report["metrics"]["all"]["examples"] == 18
    assert (report_dir / "report.md").read_text().count("94.03") == 1
    assert (report_dir / "metrics.png").is_file()
    assert len((report_dir / "predictions.jsonl").read_text().splitlines()) == 18


@pytest.mark.parametrize("which", ["checkpoint", "onnx"])
def test_evaluate_scores_a_memorising_model_perfectly(which: str, request: pytest.FixtureRequest,
                                                      tiny_programs: dict, tmp_path: Path) -> None:
    # tests/conftest.py's tiny model writes these programs' traces exactly, as a checkpoint and as ONNX.
    model_dir = request.getfixturevalue("tiny_checkpoint_dir" if which == "checkpoint" else "tiny_model_dir")
    (tmp_path / "data" / "test").mkdir(parents=True)
    with (tmp_path / "data" / "test" / "tutorial-00000.jsonl").open("w") as f:
        for name, (program, trace) in tiny_programs.items():
            f.write(json.dumps({"id": name, "kind": "tutorial", "program": program, "stdin": "",
                                "trace": trace.to_json(), "text": to_text(trace)}) + "\n")
    assert main(["evaluate", "--model", str(model_dir), "--data", str(tmp_path / "data"),
                 "--out", str(tmp_path / "report")]) == 0
    report = json.loads((tmp_path / "report" / "report.json").read_text())
    metrics = report["metrics"]
    assert metrics["tutorial"] == metrics["all"]
    assert metrics["all"] == {"examples": 3, "output_accuracy": 1.0, "trace_accuracy": 1.0,
                              "line_precision": 1.0, "line_recall": 1.0, "line_f1": 1.0,
                              "identifier_precision": 1.0, "identifier_recall": 1.0, "identifier_f1": 1.0,
                              "well_formed": 1.0, "value_accuracy": 1.0, "value_precision": 1.0}
    groups = report["constructs"]["tutorial"]
    assert groups and all(m["trace_accuracy"] == m["value_accuracy"] == 1.0 for m in groups.values())
    assert "## tutorial by construct" in (tmp_path / "report" / "report.md").read_text()
    if which == "checkpoint":
        assert "calibration" not in report  # only the ONNX engine gives each value a confidence
    else:
        confidence = report["calibration"]
        assert set(confidence) == {"tutorial", "all"}
        assert confidence["all"]["right"] == 1.0 and confidence["all"]["values"] > 0
        assert confidence["all"]["shown_precision"] in (None, 1.0)  # whatever it shows is right
        assert (tmp_path / "report" / "reliability.png").is_file()
        assert "## Confidence" in (tmp_path / "report" / "report.md").read_text()


def test_the_local_trace_text_scores_exactly_the_compact_tokens(dataset: Path) -> None:
    tok = load_tokenizer(ROOT / "model" / "weights" / "tokenizer.json")
    compact = tokenize_split(dataset, "train", tok, 1024)
    local = tokenize_split(dataset, "train", tok, 1024, local=True)
    assert len(compact) == len(local) == 180 and compact.copied is None
    for i in range(len(compact)):
        scored = [make_batch(ts, np.array([i]), 0, "x").targets[0] for ts in (compact, local)]
        assert [int(t) for t in scored[0] if t != IGNORE] == [int(t) for t in scored[1] if t != IGNORE]
        assert local.lengths()[i] > compact.lengths()[i]  # the code was copied in, given rather than predicted


def test_a_local_text_run_trains_and_cannot_be_exported_or_decoded(dataset: Path, tmp_path: Path) -> None:
    out = tmp_path / "run"
    config = tiny_config(tmp_path, dataset, trace_text="local", stages=[{"kinds": {"tutorial": 1}, "steps": 4}])
    assert main(["train", "--config", str(config), "--out", str(out), "--device", "cpu"]) == 0
    assert load_train_state(out)["step"] == 4
    for command in (["export", "--checkpoint", str(out), "--out", str(tmp_path / "onnx")],
                    ["evaluate", "--model", str(out), "--data", str(dataset)]):
        err = io.StringIO()
        with contextlib.redirect_stderr(err):
            assert main(command) == 2
        assert "trained on the local trace text" in err.getvalue() and "heldout_loss" in err.getvalue()
    assert not (tmp_path / "onnx").exists()
