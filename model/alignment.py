"""Which predicted value is right: a predicted trace set against a real one, run by run, value by value.

Hints show, for each execution of a line, the values the line changed and its events (return, output,
exception). The k-th execution of line L in frame F in the prediction is compared with the k-th real
execution of L in F (its *occurrence*); a value is right when the real run has the same value there. A
predicted run with no real counterpart has every value wrong. Evaluation (per-value accuracy), calibration and
verify mode all use this one rule; docs/metrics.md states it.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from codeexecutor.model.trace import Step, Trace, deltas, event_values

Occurrence = tuple[str, int, int]  # (frame, line, k): the k-th (0-based) run of ``line`` in ``frame``


def occurrences(steps: Iterable[Step]) -> list[Occurrence]:
    """Each step's occurrence key, in order."""
    seen: dict[tuple[str, int], int] = {}
    out = []
    for s in steps:
        k = seen.get((s.frame, s.line), 0)
        seen[(s.frame, s.line)] = k + 1
        out.append((s.frame, s.line, k))
    return out


def shown_values(trace: Trace) -> list[dict[str, str]]:
    """Per step, the values a hint shows: the names the line changed, then its events (by their event key)."""
    return [{**delta.changed, **event_values(delta.step)} for delta in deltas(trace.steps)]


def _value_at(step: Step, name: str) -> str | None:
    # Event keys (``<return>``, …) cannot be variable names, so one lookup serves both.
    events = event_values(step)
    return events[name] if name in events else step.state.get(name)


@dataclass(frozen=True)
class ValueCheck:
    """One shown value of one step, and whether the real run agrees."""

    step: int  # index of the step in its own trace
    name: str  # a variable, or an event key (codeexecutor.model.trace.EVENT_KEYS)
    value: str
    right: bool
    actual: str | None  # the real value there (None: no such run, or the name is not set there)


def check_values(predicted: Trace, actual: Trace) -> list[list[ValueCheck]]:
    """For each predicted step, its shown values checked against the same occurrence in ``actual``."""
    real = dict(zip(occurrences(actual.steps), actual.steps, strict=True))
    out = []
    for i, (key, values) in enumerate(zip(occurrences(predicted.steps), shown_values(predicted), strict=True)):
        counterpart = real.get(key)
        checks = []
        for name, value in values.items():
            truth = None if counterpart is None else _value_at(counterpart, name)
            checks.append(ValueCheck(i, name, value, truth == value, truth))
        out.append(checks)
    return out


@dataclass(frozen=True)
class ValueCounts:
    """Per-value counts of one example: ``right_shown / shown`` is precision; ``right_real / real`` accuracy."""

    shown: int  # values the prediction shows
    right_shown: int  # of those, right
    real: int  # values the real run shows (its changed names and events)
    right_real: int  # of those, predicted with the same value at the same occurrence


def count_values(predicted: Trace, actual: Trace) -> ValueCounts:
    checks = [c for step in check_values(predicted, actual) for c in step]
    reverse = [c for step in check_values(actual, predicted) for c in step]
    return ValueCounts(len(checks), sum(c.right for c in checks), len(reverse), sum(c.right for c in reverse))


def confidence_pairs(predicted: Trace, confidence: Sequence[dict[str, float]],
                     actual: Trace) -> list[tuple[float, bool]]:
    """(confidence, right) of every value ``predicted`` shows: what calibration fits and evaluation measures."""
    return [(conf.get(c.name, 0.0), c.right)
            for conf, step in zip(confidence, check_values(predicted, actual), strict=True) for c in step]
