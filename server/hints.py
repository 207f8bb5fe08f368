"""A line's runs -> the text of its inlay hint: what the line changed, summarised when it ran many times.

Once: ``total = 15, i = 4``. Many times: a whole-number progression reads ``i: 0 → 4``, anything else its last
value ``total = 10``, and the count ends the label ``(5×)``. Events: ``→ 9`` (returned), ``prints hello``,
``raises ValueError: bad``. Each value is cut to ``max_hint_length`` characters (the tooltip has it whole).
A value predicted with less than ``confidence_threshold`` confidence is doubtful: it is left out of the hint
(quiet doubt: most wrong values are the unsure ones), and the hover lists it marked as doubtful.
After ``codeexecutor.verify`` (server/verification.py) each value of a verified scenario is shown, doubtful or
not, marked against the real run: ``total = 3 ✓``, ``x = 3 ✗ real 4``; on a line that ran many times a
wrong value that is not the last one shown names its run: ``i: 0 → 2 ✗ run 2: real 5 (4×)``.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

from codeexecutor.model.alignment import ValueCheck
from codeexecutor.model.calibration import doubtful as is_doubtful
from codeexecutor.model.trace import EXCEPTION_KEY, OUTPUT_KEY, RETURN_KEY, shorten
from codeexecutor.server.config import HintSettings
from codeexecutor.server.runs import Run

PREDICTED = "predicted, not executed"
RIGHT, WRONG = "✓", "✗"  # a value a real run agrees with, and one it does not
NOT_RUN = "not in the real run"  # no real run of that line there, or the name not set in it


@dataclass(frozen=True)
class Hint:
    line: int  # 0-based file line; the hint goes at its end
    label: str
    parts: tuple[tuple[str, str], ...]  # (name or event, full value) behind the label, for the tooltip
    runs: int


def hint_for(line: int, runs: list[Run], settings: HintSettings) -> Hint | None:
    """The hint of a line that ran ``len(runs)`` times; None when it changed and did nothing visible, or
    when every value it would show is doubtful."""
    if not runs:
        return None
    cut = settings.max_hint_length
    labels: list[str] = []
    parts: list[tuple[str, str]] = []
    names = list(dict.fromkeys(name for run in runs for name in run.changed))
    for name in names:
        changed = [(k, r) for k, r in enumerate(runs, 1) if name in r.changed]
        values = [(r.changed[name], r.confidence.get(name)) for _, r in changed]
        checks = [(k, r.checks.get(name)) for k, r in changed]
        # Judge a progression on the value after every run (repeats merged), not only the changed ones:
        # total 0, 1, 3 is no "1 → 3" just because the first run left it at 0.
        seen = [v for r in runs if (v := r.state.get(name)) is not None]
        series = [v for i, v in enumerate(seen) if i == 0 or v != seen[i - 1]]
        progression = _progression(series) and len(series) == len(values)
        if (label := _summary(name, values, settings, progression, _checked(checks))):
            labels.append(label + verdict(checks, settings))
            parts.append((name, values[-1][0]))
    for name in dict.fromkeys(name for run in runs for name in run.deleted):
        labels.append(f"del {name}")
    for key, prefix, pick in ((RETURN_KEY, "→ ", lambda r: r.ret), (OUTPUT_KEY, "prints ", _printed),
                              (EXCEPTION_KEY, "raises ", lambda r: r.exception)):
        events = [(k, r, v) for k, r in enumerate(runs, 1) if (v := pick(r)) is not None]
        values = [(v, r.confidence.get(key)) for _, r, v in events]
        checks = [(k, r.checks.get(key)) for k, r, _ in events]
        if values and (_checked(checks) or not doubtful([c for _, c in values], settings)):
            labels.append(prefix + _cut(values[-1][0], settings) + verdict(checks, settings))
            parts.append((key, values[-1][0]))
    if not labels:
        return None
    label = ", ".join(labels)
    if len(runs) > 1:
        label += f" ({len(runs)}×)"
    limit = 3 * cut  # many names on one line: keep the label to about three values' width
    label = shorten(label, limit)
    return Hint(line, label, tuple(parts), len(runs))


def _summary(name: str, values: list[tuple[str, float | None]], settings: HintSettings,
             progression: bool, checked: bool) -> str | None:
    """``name: first → last`` or ``name = last``; None when what it would show is doubtful (and unchecked:
    a value checked against a real run is shown whatever the model's confidence)."""
    if progression and len(values) > 1:
        if not checked and doubtful([c for _, c in values], settings):
            return None
        return f"{name}: {values[0][0]} → {_cut(values[-1][0], settings)}"
    if not checked and doubtful([values[-1][1]], settings):
        return None
    return f"{name} = {_cut(values[-1][0], settings)}"


def _checked(checks: list[tuple[int, ValueCheck | None]]) -> bool:
    return any(c is not None for _, c in checks)


def verdict(checks: list[tuple[int, ValueCheck | None]], settings: HintSettings) -> str:
    """What a real run says of the values behind one part of a label ((run number, check) of each; the label
    shows the last): `` ✓`` when all are right, else `` ✗`` and the real value of the last one if it is wrong,
    or of the first wrong run; "" when none was checked."""
    if not _checked(checks):
        return ""
    wrong = [(k, c) for k, c in checks if c is not None and not c.right]
    if not wrong:
        return f" {RIGHT}"
    k, c = wrong[-1] if wrong[-1] == checks[-1] else wrong[0]
    run = "" if (k, c) == checks[-1] else f"run {k}: "
    return f" {WRONG} {run}{real_value(c, settings)}"


def real_value(check: ValueCheck, settings: HintSettings) -> str:
    """``real 4`` (what the real run has there, cut like a value), or that it has nothing there."""
    if check.actual is None:
        return NOT_RUN
    actual = _one_line(check.actual) if check.name == OUTPUT_KEY else check.actual
    return f"real {_cut(actual, settings)}"


def doubtful(confidences: list[float | None], settings: HintSettings) -> bool:
    return is_doubtful(confidences, settings.confidence_threshold)


def _cut(value: str, settings: HintSettings) -> str:
    return shorten(value, settings.max_hint_length)


def _progression(values: list[str]) -> bool:
    """Whole numbers going up or down by the same non-zero step (a loop counter)."""
    try:
        numbers = [int(v) for v in values]
    except ValueError:
        return False
    steps = {b - a for a, b in itertools.pairwise(numbers)}
    return len(steps) == 1 and 0 not in steps


def _printed(run: Run) -> str | None:
    return None if run.output is None else _one_line(run.output)


def _one_line(printed: str) -> str:
    # One line of label: drop the final newline print adds, show the others as ⏎.
    return printed.removesuffix("\n").replace("\n", "⏎")


def tooltip(hint: Hint, scenario_label: str) -> str:
    """Markdown for the hint's tooltip: every value in full, and what these values are."""
    rows = [f"*{PREDICTED}* — {scenario_label}"]
    if hint.runs > 1:
        rows.append(f"ran {hint.runs}×; values after the last run:")
    rows.append("```")
    names = {RETURN_KEY: "returned", OUTPUT_KEY: "printed", EXCEPTION_KEY: "raised"}
    rows += [f"{names.get(name, name)} = {value}" for name, value in hint.parts]
    rows.append("```")
    return "\n".join(rows)
