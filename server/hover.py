"""A line's runs -> hover markdown: the frame's whole predicted state after each run, as a table.

Values below the confidence threshold (left out of the inline hints) are marked *(doubtful)*, with a legend
line saying what that means. In a verified scenario (server/verification.py) each value a run changed, and
each event, is marked as its hint is: ✓, or ✗ with the real value. A prediction that stopped early says so in
the user's words: up to which line it got, and why (``maxSteps``, a limit the model expects the run to hit,
or the model's output breaking off).
"""

from __future__ import annotations

from codeexecutor.model.alignment import ValueCheck
from codeexecutor.model.trace import EXCEPTION_KEY, OUTPUT_KEY, RETURN_KEY, Trace, shorten
from codeexecutor.server.config import HintSettings, max_steps_message
from codeexecutor.server.hints import NOT_RUN, PREDICTED, RIGHT, WRONG, doubtful
from codeexecutor.server.runs import Run
from codeexecutor.server.scenarios import Scenario
from codeexecutor.server.verification import ScenarioCheck

DOUBTFUL = "*(doubtful)*"
# The limits the tracer stops a run at (codeexecutor.model.trace.STATUSES) as the model can predict them.
_EXPECTED_STOP = {
    "timeout": "the model expects the run to hit the time limit there",
    "memory": "the model expects the run to run out of memory there",
    "output": "the model expects the run to print more than the output limit there",
    "forbidden": "the model expects the run to do something the sandbox forbids there",
}

_EVENTS = ((RETURN_KEY, "→", lambda r: r.ret), (OUTPUT_KEY, "printed", lambda r: r.output),
           (EXCEPTION_KEY, "raised", lambda r: r.exception))


def hover_markdown(line: int, runs: list[Run], scenario_label: str, settings: HintSettings,
                   note: str = "") -> str:
    """Markdown table of the state after ``line`` (0-based) for each run, capped at ``max_hover_rows``."""
    plural = "s" if len(runs) != 1 else ""
    out = [f"**Line {line + 1}**, ran {len(runs)} time{plural} — *{PREDICTED}* ({scenario_label})"]
    if note:
        out.append(f"*{note}*")
    names = list(dict.fromkeys(name for run in runs for name in run.state))
    events = [(key, title, pick) for key, title, pick in _EVENTS if any(pick(r) is not None for r in runs)]
    columns = ["#", *names, *(title for _, title, _ in events)]
    if len(columns) == 1:
        out.append("")
        out.append("(no variables in this frame yet)")
        return "\n".join(out)
    out += ["", "| " + " | ".join(_cell(c) for c in columns) + " |", "|" + "---|" * len(columns)]
    shown = runs[: settings.max_hover_rows]
    for n, run in enumerate(shown, 1):
        cells = [str(n)]
        for name in names:
            value = run.state.get(name)
            cells.append("" if value is None else _code(value, run.confidence.get(name), settings)
                         + _verdict(run.checks.get(name), settings))
        for key, _, pick in events:
            value = pick(run)
            cells.append("" if value is None else _code(value, run.confidence.get(key), settings)
                         + _verdict(run.checks.get(key), settings))
        out.append("| " + " | ".join(cells) + " |")
    if len(runs) > len(shown):
        out.append(f"\n… {len(runs) - len(shown)} more")
    if any(run.checks for run in shown):
        out.append(f"\n{RIGHT} / {WRONG}: checked against a real run of the program in the sandbox "
                   f"(`codeexecutor.verify`), {WRONG} with the real value; a value a run did not change is "
                   f"checked at the run that set it")
    if any(DOUBTFUL in row for row in out):
        out.append(f"\n{DOUBTFUL}: the model is less sure of this value than "
                   f"`codeexecutor.confidenceThreshold` ({settings.confidence_threshold:g}), so it is not "
                   f"shown inline")
    return "\n".join(out)


def cut_note(scenario: Scenario, trace: Trace) -> str:
    """What a prediction that stopped early covers, and why it stopped ("" for a complete one)."""
    if trace.complete:
        return ""
    last = next((line for step in reversed(trace.steps) if (line := scenario.file_line(step.line)) is not None),
                None)
    if last is None:
        return "nothing predicted: the model's prediction stopped before the first line"
    if trace.status == "steps" and trace.message == max_steps_message(len(trace.steps)):
        why = f"only the first {len(trace.steps)} steps are predicted: setting `codeexecutor.maxSteps`"
    else:
        why = _EXPECTED_STOP.get(trace.status, "the model's prediction stops there")
    return f"predicted up to line {last + 1} ({why})"


def not_reached(scenario: Scenario, trace: Trace) -> str:
    """The hover of a line a prediction that stopped early never got to."""
    return f"Not reached in the prediction: {cut_note(scenario, trace)}."


def verified_note(check: ScenarioCheck) -> str:
    """The hover's line on a verified scenario: how many of its values a real run confirms."""
    shown = check.shown()
    real = check.real.status + (f": {check.real.message}" if check.real.message else "")
    return (f"verified by running it in the sandbox: {sum(c.right for c in shown)} of {len(shown)} values "
            f"right (real run: {real})")


def _verdict(check: ValueCheck | None, settings: HintSettings) -> str:
    if check is None:
        return ""
    if check.right:
        return f" {RIGHT}"
    if check.actual is None:
        return f" {WRONG} {NOT_RUN}"
    return f" {WRONG} real " + _code(check.actual, None, settings)


def _code(value: str, confidence: float | None, settings: HintSettings) -> str:
    cut = 2 * settings.max_hint_length  # a hover has more room than a hint
    text = shorten(value, cut).replace("\n", "⏎")
    mark = f" {DOUBTFUL}" if doubtful([confidence], settings) else ""
    return _cell(f"`{text}`" if "`" not in text else f"`` {text} ``") + mark


def _cell(text: str) -> str:
    return text.replace("|", "\\|")
