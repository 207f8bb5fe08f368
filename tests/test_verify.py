"""Verify mode: `codeexecutor predict --verify` runs the program in the sandbox and marks each predicted value
right or wrong against the real run (model/verify.py, model/alignment.py)."""

from __future__ import annotations

import json

from codeexecutor.cli import main
from codeexecutor.model.engine import Engine
from codeexecutor.model.verify import verify, verify_report
from codeexecutor.training.tracing.tracer import trace_program


def test_a_right_prediction_is_verified_value_by_value(tiny_model_dir, tiny_programs, tmp_path, capsys):
    src, _ = tiny_programs["square.py"]
    program = tmp_path / "square.py"
    program.write_text(src)
    assert main(["predict", str(program), "--verify", "--json", "--model", str(tiny_model_dir),
                 "--threads", "1"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert [step.get("verified") for step in data["steps"]] == [
        None, {"n": True, "r": True}, {"<return>": True}, {"x": True}, {"<output>": True}]
    assert data["verification"] == {"real_status": "ok", "values": 5, "right": 5, "real_stdout": "9\n"}


def test_wrong_values_are_shown_beside_the_real_ones(tiny_model_dir, tiny_programs):
    src, _ = tiny_programs["square.py"]
    prediction = Engine.load(tiny_model_dir, threads=1).predict(src)
    # The same program called with 4: the memorised prediction (for 3) is now wrong at every value.
    v = verify(prediction, trace_program(src.replace("sq(3)", "sq(4)")))
    assert [[(c.name, c.right, c.actual) for c in step] for step in v.checks] == [
        [], [("n", False, "4"), ("r", False, "16")], [("<return>", False, "16")], [("x", False, "16")],
        [("<output>", False, "16\n")]]
    assert verify_report(v).splitlines() == [
        "--- verified by running the program in the sandbox (real run: ok) ---",
        "0 of 5 predicted values are right",
        "line 2 (in sq): predicted n = 3, real: n = 4",
        "line 2 (in sq): predicted r = 9, real: r = 16",
        "line 3 (in sq): predicted return 9, real: return 16",
        "line 4: predicted x = 9, real: x = 16",
        "line 5: predicted print '9\\n', real: print '16\\n'"]
