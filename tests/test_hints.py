"""Trace -> what the editor shows: per-line runs, inlay hint labels and tooltips, hover tables, verify marks."""

from __future__ import annotations

from dataclasses import replace

from codeexecutor.model.engine import Prediction
from codeexecutor.model.trace import MODULE_FRAME, OUTPUT_KEY, Step, Trace
from codeexecutor.server.config import HintSettings, max_steps_message
from codeexecutor.server.hints import hint_for, tooltip
from codeexecutor.server.hover import hover_markdown, verified_note
from codeexecutor.server.present import Shown, hints_in_lines, hover_at
from codeexecutor.server.runs import runs_by_line
from codeexecutor.server.scenarios import analyse
from codeexecutor.server.verification import ScenarioCheck, check

LOOP = "total = 0\nfor i in range(5):\n    total += i\nprint(total)\n"


def loop_trace() -> Trace:
    steps = [Step(1, MODULE_FRAME, {"total": "0"})]
    total = 0
    for i in range(5):
        steps.append(Step(2, MODULE_FRAME, {"total": str(total), "i": str(i)}))
        total += i
        steps.append(Step(3, MODULE_FRAME, {"total": str(total), "i": str(i)}))
    steps.append(Step(2, MODULE_FRAME, {"total": "10", "i": "4"}))
    steps.append(Step(4, MODULE_FRAME, {"total": "10", "i": "4"}, output="10\n"))
    return Trace(steps=steps, stdout="10\n")


def module_runs(text: str, trace: Trace, confidence=()):
    """Runs of the module scenario, made to own every line (functions with examples own theirs otherwise)."""
    scenario = analyse(text).scenarios[0]
    assert scenario.name == MODULE_FRAME
    return runs_by_line(replace(scenario, owned=((0, 100),)), trace, confidence)


SETTINGS = HintSettings(confidence_threshold=0.5)  # the tests pin it: the default follows the shipped model


def test_runs_hold_what_each_line_changed_in_its_activation():
    runs = module_runs(LOOP, loop_trace())
    assert sorted(runs) == [0, 1, 2, 3]
    assert [dict(r.changed) for r in runs[1]] == [*({"i": str(i)} for i in range(5)), {}]
    # total += 0 leaves total unchanged: nothing to show for that run
    assert [dict(r.changed) for r in runs[2]] == [{}, *({"total": t} for t in ("1", "3", "6", "10"))]
    assert runs[3][0].output == "10\n" and dict(runs[3][0].state) == {"total": "10", "i": "4"}


def test_labels_for_once_progression_last_value_and_print():
    runs = module_runs(LOOP, loop_trace())
    labels = {line: hint_for(line, r, SETTINGS).label for line, r in runs.items()}
    assert labels == {0: "total = 0", 1: "i: 0 → 4 (6×)", 2: "total = 10 (5×)", 3: "prints 10"}


def test_an_accumulator_is_no_progression_even_when_its_changes_are():
    # total: 0 (unchanged by += 0), 1, 2: the changed values 1, 2 look like a counter but the series is not.
    text = "total = 0\nfor i in range(3):\n    total += min(i, 1)\n"
    steps, total = [Step(1, MODULE_FRAME, {"total": "0"})], 0
    for i in range(3):
        steps.append(Step(2, MODULE_FRAME, {"total": str(total), "i": str(i)}))
        total += min(i, 1)
        steps.append(Step(3, MODULE_FRAME, {"total": str(total), "i": str(i)}))
    runs = module_runs(text, Trace(steps=steps))
    assert hint_for(2, runs[2], SETTINGS).label == "total = 2 (3×)"


def test_function_frames_return_and_exception_labels():
    text = "def sq(n):\n    r = n * n\n    return r\n\nx = sq(3)\nint('z')\n"
    trace = Trace(steps=[
        Step(1, MODULE_FRAME, {}),
        Step(2, "sq", {"n": "3", "r": "9"}, call=True),
        Step(3, "sq", {"n": "3", "r": "9"}, ret="9"),
        Step(5, MODULE_FRAME, {"x": "9"}),
        Step(6, MODULE_FRAME, {"x": "9"}, exception="ValueError: invalid literal"),
    ], status="error")
    runs = module_runs(text, trace)
    labels = {line: h.label for line, r in runs.items() if (h := hint_for(line, r, SETTINGS))}
    # the first step of an activation lists its arguments, as in the text form
    assert labels == {1: "n = 3, r = 9", 2: "→ 9", 4: "x = 9", 5: "raises ValueError: invalid literal"}


def test_truncation_and_tooltip():
    long = repr(list(range(30)))
    trace = Trace(steps=[Step(1, MODULE_FRAME, {"xs": long})])
    runs = module_runs("xs = list(range(30))\n", trace, [{"xs": 0.9}])
    first = hint_for(0, runs[0], replace(SETTINGS, max_hint_length=12))
    assert first.label == "xs = [0, 1, 2, 3…"
    tip = tooltip(first, "running the module")
    assert tip == f"*predicted, not executed* — running the module\n```\nxs = {long}\n```"


def test_doubtful_values_stay_out_of_hints():
    text = "a, b = 1, 2\nc = 3\nprint(c)\n"
    trace = Trace(steps=[Step(1, MODULE_FRAME, {"a": "1", "b": "2"}), Step(2, MODULE_FRAME, {"a": "1", "b": "2",
                                                                                            "c": "3"}),
                         Step(3, MODULE_FRAME, {"a": "1", "b": "2", "c": "3"}, output="3\n")])
    runs = module_runs(text, trace, [{"a": 0.9, "b": 0.49}, {"c": 0.1}, {OUTPUT_KEY: 0.3}])
    first = hint_for(0, runs[0], SETTINGS)
    assert (first.label, first.parts) == ("a = 1", (("a", "1"),))  # b is doubtful: not inline, not in the tooltip
    assert hint_for(1, runs[1], SETTINGS) is None and hint_for(2, runs[2], SETTINGS) is None
    assert hint_for(0, runs[0], replace(SETTINGS, confidence_threshold=0.0)).label == "a = 1, b = 2"
    # a progression is shown only if every value in it is sure enough
    loop = module_runs(LOOP, loop_trace(), [{}, {"i": 0.9}, {}, {"i": 0.2}] + [{}] * 9)
    assert hint_for(1, loop[1], SETTINGS) is None


def test_hover_table_caps_rows_and_marks_doubtful_values_with_a_legend():
    runs = module_runs(LOOP, loop_trace(), [{}] * 4 + [{"total": 0.1}] + [{}] * 8)
    md = hover_markdown(2, runs[2], "running the module", replace(SETTINGS, max_hover_rows=2))
    assert md == (
        "**Line 3**, ran 5 times — *predicted, not executed* (running the module)\n"
        "\n"
        "| # | total | i |\n"
        "|---|---|---|\n"
        "| 1 | `0` | `0` |\n"
        "| 2 | `1` *(doubtful)* | `1` |\n"
        "\n… 3 more\n"
        "\n*(doubtful)*: the model is less sure of this value than `codeexecutor.confidenceThreshold` (0.5), "
        "so it is not shown inline"
    )


def test_hover_shows_events_and_escapes_pipes():
    trace = Trace(steps=[Step(1, MODULE_FRAME, {"s": "'a|b'"}, output="a|b\n")])
    runs = module_runs("s = 'a|b'; print(s)\n", trace)
    md = hover_markdown(0, runs[0], "running the module", SETTINGS)
    assert md.splitlines()[2:] == ["| # | s | printed |", "|---|---|---|", "| 1 | `'a\\|b'` | `a\\|b⏎` |"]


def test_document_hints_only_in_requested_lines_and_only_from_the_owning_scenario():
    text = "# example: f(2)\ndef f(a):\n    b = a + 1\n    return b\n\nprint(f(5))\n"
    analysis = analyse(text)
    module, f = analysis.scenarios
    f_trace = Trace(steps=[Step(3, "f", {"a": "2", "b": "3"}, call=True),
                           Step(4, "f", {"a": "2", "b": "3"}, ret="3"), Step(6, MODULE_FRAME, {})])
    module_trace = Trace(steps=[Step(2, MODULE_FRAME, {}), Step(3, "f", {"a": "5", "b": "6"}, call=True),
                                Step(4, "f", {"a": "5", "b": "6"}, ret="6"),
                                Step(6, MODULE_FRAME, {}, output="6\n")])
    predictions = {f.digest: f_trace, module.digest: module_trace}

    class P:
        def __init__(self, trace):
            self.trace, self.confidence = trace, []

    shown = {s: Shown(P(predictions[s.digest])) for s in analysis.scenarios}

    hints = hints_in_lines(analysis, shown, 0, 10, SETTINGS)
    # f's lines show f(2) (its own example), not the module's f(5); the module owns line 5 (0-based)
    assert [(h.line, h.label) for h in hints] == [(2, "a = 2, b = 3"), (3, "→ 3"), (5, "prints 6")]
    assert [(h.line, h.label) for h in hints_in_lines(analysis, shown, 3, 4, SETTINGS)] == [(3, "→ 3")]
    md = hover_at(analysis, shown, 2, SETTINGS)
    assert md.startswith("**Line 3**, ran 1 time — *predicted, not executed* (example `f(2)` from comment)")
    assert hover_at(analysis, shown, 4, SETTINGS) is None  # a blank line never ran


class _Predicted:
    def __init__(self, trace: Trace):
        self.trace, self.confidence = trace, []


def _all(analysis, trace: Trace) -> dict:
    """Every scenario of the analysis shows this trace."""
    return {s: Shown(_Predicted(trace)) for s in analysis.scenarios}


def test_a_cut_prediction_says_up_to_which_line_in_the_users_words():
    text = "a = 1\nb = 2\nc = 3\n"
    analysis = analyse(text)
    malformed = Trace(steps=[Step(1, MODULE_FRAME, {"a": "1"})], status="steps",
                      message="incomplete prediction: malformed 'm 9': bad frame name 'm 9'")
    md = hover_at(analysis, _all(analysis, malformed), 0, SETTINGS)
    assert md.splitlines()[:2] == [
        "**Line 1**, ran 1 time — *predicted, not executed* (running the module)",
        "*predicted up to line 1 (the model's prediction stops there)*"]
    assert "malformed" not in md and "frame name" not in md
    assert hover_at(analysis, _all(analysis, malformed), 2, SETTINGS) == (
        "Not reached in the prediction: predicted up to line 1 (the model's prediction stops there).")
    cut = Trace(steps=[Step(1, MODULE_FRAME, {"a": "1"}), Step(2, MODULE_FRAME, {"a": "1", "b": "2"})],
                status="steps", message=max_steps_message(2))
    assert hover_at(analysis, _all(analysis, cut), 1, SETTINGS).splitlines()[1] == (
        "*predicted up to line 2 (only the first 2 steps are predicted: setting `codeexecutor.maxSteps`)*")
    timeout = Trace(steps=[Step(1, MODULE_FRAME, {"a": "1"})], status="timeout", message="timed out")
    assert hover_at(analysis, _all(analysis, timeout), 1, SETTINGS) == (
        "Not reached in the prediction: predicted up to line 1 (the model expects the run to hit the time "
        "limit there).")
    nothing = Trace(steps=[], status="steps", message="incomplete prediction: the text ended before <end>")
    assert hover_at(analysis, _all(analysis, nothing), 0, SETTINGS) == (
        "Not reached in the prediction: nothing predicted: the model's prediction stopped before the first line.")


def test_a_function_without_an_example_says_how_to_give_it_one():
    text = "def f(a):\n    return a + 1\n\nx = 1\n"
    analysis = analyse(text)
    module_only = Trace(steps=[Step(4, MODULE_FRAME, {"x": "1"})])
    assert hover_at(analysis, _all(analysis, module_only), 1, SETTINGS) == (
        "No example runs `f`, so nothing is predicted for it. Give it one, any of:\n"
        "- a comment directly above the `def`: `# example: f(...)`\n"
        "- a doctest in its docstring: `>>> f(...)`\n"
        "- a call `f(...)` in the module's code (at module level or under `if __name__ == \"__main__\":`) "
        "whose arguments use only module-level names and builtins\n"
        "- the command **CodeExecutor: Set Example Call for This Function**")
    # called by the module's code, its lines show that run instead
    called = analyse(text + "print(f(x))\n")
    run = Trace(steps=[Step(4, MODULE_FRAME, {"x": "1"}), Step(2, "f", {"a": "1"}, call=True, ret="2"),
                       Step(5, MODULE_FRAME, {"x": "1"}, output="2\n")])
    assert hover_at(called, _all(called, run), 1, SETTINGS).startswith("**Line 2**, ran 1 time")
    bad = analyse("# example: f(3,\n" + text)
    assert hover_at(bad, _all(bad, module_only), 1, SETTINGS).startswith(
        "The `# example:` comment above it is not a valid call (`f(3,`). No example runs `f`")


# --------------------------------------------------------------------------------------------------------
# Verify mode: values checked against a real run (server/verification.py)

SQ_PLUS = "def sq(n):\n    r = n * n + 1\n    return r\n\nx = sq(3)\nprint(x)\n"


def _sq_trace(r: str) -> Trace:
    return Trace(steps=[Step(1, MODULE_FRAME, {}), Step(2, "sq", {"n": "3", "r": r}, call=True),
                        Step(3, "sq", {"n": "3", "r": r}, ret=r), Step(5, MODULE_FRAME, {"x": r}),
                        Step(6, MODULE_FRAME, {"x": r}, output=f"{r}\n")], stdout=f"{r}\n")


def _verified(text: str, predicted: Trace, real: Trace, confidence: list[dict[str, float]]) -> ScenarioCheck:
    scenario = replace(analyse(text).scenarios[0], owned=((0, 100),))
    return check([(scenario, Prediction(predicted, confidence, tokens=0, seconds=0.0))], [real])[0]


def test_verified_hints_mark_right_values_and_show_the_real_value_beside_wrong_ones():
    # The model forgot the "+ 1": n is right, everything computed from r is wrong. Its confidence is low,
    # which would keep these values out of the hints; checked ones are shown all the same.
    low = [{}, {"n": 0.1, "r": 0.2}, {"<return>": 0.1}, {"x": 0.1}, {OUTPUT_KEY: 0.1}]
    verified = _verified(SQ_PLUS, _sq_trace("9"), _sq_trace("10"), low)
    runs = runs_by_line(verified.scenario, verified.prediction.trace, low, verified.by_step())
    labels = {line: h.label for line, r in runs.items() if (h := hint_for(line, r, SETTINGS))}
    assert labels == {1: "n = 3 ✓, r = 9 ✗ real 10", 2: "→ 9 ✗ real 10", 4: "x = 9 ✗ real 10",
                      5: "prints 9 ✗ real 10"}
    unverified = runs_by_line(verified.scenario, verified.prediction.trace, low)
    assert [hint_for(line, r, SETTINGS) for line, r in unverified.items()] == [None] * 5
    assert hover_markdown(1, runs[1], "running the module", SETTINGS) == (
        "**Line 2**, ran 1 time — *predicted, not executed* (running the module)\n"
        "\n"
        "| # | n | r |\n"
        "|---|---|---|\n"
        "| 1 | `3` *(doubtful)* ✓ | `9` *(doubtful)* ✗ real `10` |\n"
        "\n✓ / ✗: checked against a real run of the program in the sandbox (`codeexecutor.verify`), ✗ with "
        "the real value; a value a run did not change is checked at the run that set it\n"
        "\n*(doubtful)*: the model is less sure of this value than `codeexecutor.confidenceThreshold` (0.5), "
        "so it is not shown inline")
    sq_plus = analyse(SQ_PLUS)
    hover = hover_at(sq_plus, {s: Shown(verified.prediction, True, verified) for s in sq_plus.scenarios}, 4,
                     SETTINGS)
    assert hover.splitlines()[:2] == [
        "**Line 5**, ran 1 time — *predicted, not executed* (running the module)",
        "*verified by running it in the sandbox: 1 of 5 values right (real run: ok)*"]
    assert "| 1 | `9` *(doubtful)* ✗ real `10` |" in hover


def test_a_verified_line_that_ran_many_times_names_the_wrong_run():
    real = loop_trace()
    real.steps[4] = Step(3, MODULE_FRAME, {"total": "2", "i": "1"})  # the 2nd run of line 3: total 2, not 1
    verified = _verified(LOOP, loop_trace(), real, [])
    runs = runs_by_line(verified.scenario, verified.prediction.trace, (), verified.by_step())
    labels = {line: hint_for(line, r, SETTINGS).label for line, r in runs.items()}
    assert labels == {0: "total = 0 ✓", 1: "i: 0 → 4 ✓ (6×)", 2: "total = 10 ✗ run 2: real 2 (5×)",
                      3: "prints 10 ✓"}
    # a run with no real counterpart: every value it shows is wrong
    cut = Trace(steps=real.steps[:3], status="timeout", message="timed out after 2 s")
    verified = _verified(LOOP, loop_trace(), cut, [])
    runs = runs_by_line(verified.scenario, verified.prediction.trace, (), verified.by_step())
    assert hint_for(3, runs[3], SETTINGS).label == "prints 10 ✗ not in the real run"
    assert verified_note(verified) == ("verified by running it in the sandbox: 2 of 11 values right "
                                       "(real run: timeout: timed out after 2 s)")
