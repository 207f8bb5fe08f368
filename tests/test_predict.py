"""The engine and `codeexecutor predict`: exact predictions of the memorised programs, confidence, cancel,
budgets, load errors, and a run where torch cannot even be imported."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from codeexecutor.cli import main
from codeexecutor.model import engine as engine_module
from codeexecutor.model.annotate import annotate
from codeexecutor.model.decode import step_confidences
from codeexecutor.model.engine import Engine, ModelLoadError
from codeexecutor.model.trace import Trace

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def engine(tiny_model_dir) -> Engine:
    return Engine.load(tiny_model_dir, threads=1)


def test_memorised_programs_are_predicted_exactly(engine, tiny_programs):
    for name, (src, gold) in tiny_programs.items():
        prediction = engine.predict(src)
        assert prediction.trace == gold, name
        assert len(prediction.confidence) == len(gold.steps)
        assert prediction.tokens > 10
        assert prediction.seconds > 0


def test_confidence_covers_exactly_the_changed_values_and_events(engine, tiny_programs):
    src, _ = tiny_programs["square.py"]
    conf = engine.predict(src).confidence
    # steps: line 1 (def: nothing), line 2 (call: n, r), line 3 (return), line 4 (x), line 5 (output)
    assert [sorted(c) for c in conf] == [[], ["n", "r"], ["<return>"], ["x"], ["<output>"]]
    assert all(0.0 < v <= 1.0 for c in conf for v in c.values())


def test_prediction_json_is_the_trace_json_plus_per_step_confidence(engine, tiny_programs):
    src, gold = tiny_programs["text.py"]
    data = engine.predict(src).to_json()
    assert Trace.from_json(data) == gold
    assert [sorted(step["confidence"]) for step in data["steps"]] == [["s"], ["t"], ["u"]]
    without = {**data, "steps": [{k: v for k, v in s.items() if k != "confidence"} for s in data["steps"]]}
    assert without == gold.to_json()


def test_step_confidences_takes_the_least_probable_token_of_each_value(engine):
    tok = engine.tokenizer
    text = "<line> 1 <s> x 9 <line> 2 <out> '9\\n' <end> ok"
    ids = tok.encode(text, add_special_tokens=False).ids
    probs = [0.9] * len(ids)
    at = {m: ids.index(tok.token_to_id(m)) for m in ("<s>", "<out>")}
    probs[at["<s>"] + 2] = 0.25  # a token inside x's segment (after "<s>", " x")
    probs[at["<out>"]] = 0.5  # the <out> marker itself counts
    assert tok.decode(ids, skip_special_tokens=False).replace(" ", "") == text.replace(" ", "")
    assert step_confidences(ids, probs, tok) == [{"x": 0.25}, {"<output>": 0.5}]


def test_cancel_is_checked_before_every_step(engine, tiny_programs):
    src, _ = tiny_programs["loop.py"]
    calls = []

    def cancel() -> bool:
        calls.append(1)
        return len(calls) == 4

    prediction = engine.predict(src, cancel=cancel)
    assert len(calls) == 4
    assert prediction.tokens == 3
    assert prediction.trace.status == "steps"
    assert prediction.trace.message == "incomplete prediction: cancelled"


def test_token_budget_gives_a_partial_trace_saying_why(engine, tiny_programs):
    src, gold = tiny_programs["square.py"]
    prediction = engine.predict(src, max_new_tokens=12)
    assert prediction.tokens == 12
    assert prediction.trace.status == "steps"
    assert "token budget (12 new tokens)" in prediction.trace.message
    assert prediction.trace.steps == gold.steps[: len(prediction.trace.steps)]


def test_a_prompt_longer_than_the_context_is_a_partial_trace_not_an_error(engine):
    prediction = engine.predict("x = 1\n" * 400)  # far beyond the tiny model's 512 positions
    assert prediction.tokens == 0
    assert prediction.trace.steps == []
    assert "context (512 tokens" in prediction.trace.message


def test_unseen_programs_never_raise(engine):
    for src in ["", "while True:\n    pass\n", "print('<line> <s> 1')\n", "x = 'é' * 3\n"]:
        prediction = engine.predict(src, max_new_tokens=40)
        assert prediction.trace.status in ("ok", "error", "steps", "timeout", "memory", "forbidden", "output")
        assert len(prediction.confidence) == len(prediction.trace.steps)


def _copy(model_dir: Path, tmp_path: Path) -> Path:
    dst = tmp_path / "model"
    shutil.copytree(model_dir, dst)
    return dst


def test_load_errors_name_the_file_and_the_fix(tiny_model_dir, tmp_path):
    with pytest.raises(ModelLoadError, match="does not exist"):
        Engine.load(tmp_path / "nowhere")
    with pytest.raises(ModelLoadError, match=r"manifest.json is missing.*codeexecutor export"):
        Engine.load(tmp_path)

    changed = _copy(tiny_model_dir, tmp_path / "a")
    (changed / "tokenizer.json").write_text((changed / "tokenizer.json").read_text() + " ")
    with pytest.raises(ModelLoadError, match=r"tokenizer.json does not match its sha256"):
        Engine.load(changed)

    missing = _copy(tiny_model_dir, tmp_path / "b")
    (missing / "model.onnx").unlink()
    with pytest.raises(ModelLoadError, match=r"model.onnx is missing"):
        Engine.load(missing)

    old = _copy(tiny_model_dir, tmp_path / "c")
    manifest = json.loads((old / "manifest.json").read_text())
    (old / "manifest.json").write_text(json.dumps({**manifest, "trace_format_version": 0}))
    with pytest.raises(ModelLoadError, match=r"trace format version 0, but this codeexecutor reads version"):
        Engine.load(old)


def test_no_shipped_model_is_a_clear_error(monkeypatch, tmp_path, capsys):
    monkeypatch.setattr(engine_module, "WEIGHTS_DIR", tmp_path / "weights")
    program = tmp_path / "p.py"
    program.write_text("x = 1\n")
    assert main(["predict", str(program)]) == 2
    err = capsys.readouterr().err
    assert "no model is shipped" in err and "--model DIR" in err


def test_human_form_shows_predicted_values_as_comments(tiny_model_dir, tiny_programs, tmp_path, capsys):
    src, gold = tiny_programs["square.py"]
    program = tmp_path / "square.py"
    program.write_text(src)
    assert main(["predict", str(program), "--model", str(tiny_model_dir), "--threads", "1"]) == 0
    out = capsys.readouterr().out
    # Values under the doubt threshold carry a `?`: which ones is the engine's confidence, asked here.
    confidence = Engine.load(tiny_model_dir, threads=1).predict(src).confidence
    assert out.startswith(annotate(src, gold, confidence) + "\n(predicted, not run: ")
    assert "\nx = sq(3)      # x = 9" in out


def test_annotate_marks_doubtful_values():
    gold = Trace.from_json({"steps": [{"line": 1, "frame": "<module>", "state": {"a": "1", "b": "2"}}]})
    shown = annotate("a, b = 1, 2\n", gold, [{"a": 0.9, "b": 0.2}])
    assert shown.splitlines()[0] == "a, b = 1, 2  # a = 1, b = 2 ?"


# Run as `codeexecutor predict` in a fresh interpreter where importing torch (or transformers) fails.
NO_TORCH_RUNNER = """
import importlib.abc, json, sys
class NoTorch(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name.split('.')[0] in ('torch', 'transformers'):
            raise ImportError(f'{name} is blocked: the inference path must not import it')
sys.meta_path.insert(0, NoTorch())
from codeexecutor.cli import main
rc = main(sys.argv[1:])
loaded = sorted(m for m in sys.modules if m.split('.')[0] in ('torch', 'transformers'))
print(json.dumps({'rc': rc, 'loaded': loaded}), file=sys.stderr)
"""


@pytest.mark.parametrize("program", ["examples/functions.py", "square.py"])
def test_predict_json_runs_without_torch(tiny_model_dir, tiny_programs, tmp_path, program):
    if program == "square.py":
        path = tmp_path / program
        path.write_text(tiny_programs[program][0])
    else:
        path = REPO / program
    proc = subprocess.run([sys.executable, "-c", NO_TORCH_RUNNER, "predict", str(path), "--json",
                           "--model", str(tiny_model_dir), "--max-new-tokens", "200", "--threads", "1"],
                          capture_output=True, text=True, cwd=REPO, timeout=120)
    report = json.loads(proc.stderr.strip().splitlines()[-1])
    assert report == {"rc": 0, "loaded": []}, proc.stderr
    trace = Trace.from_json(proc.stdout)  # valid trace JSON (the confidence keys are extra)
    if program == "square.py":
        assert trace == tiny_programs[program][1]
