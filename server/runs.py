"""A predicted trace as the file's lines see it: for each line, every time it ran and what it changed."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from codeexecutor.model.alignment import ValueCheck
from codeexecutor.model.trace import Trace, deltas
from codeexecutor.server.scenarios import Scenario


@dataclass(frozen=True)
class Run:
    """One execution of a line: its frame's state after it, what it changed, and its events."""

    step: int  # index of the step in the trace
    frame: str
    state: Mapping[str, str]
    changed: Mapping[str, str]  # vs the previous state of the same activation (codeexecutor.model.trace.deltas)
    deleted: tuple[str, ...]
    output: str | None
    ret: str | None
    exception: str | None
    confidence: Mapping[str, float]  # name (or an event key) -> confidence of this step's predicted value
    # name (or an event key) -> its value checked against a real run (verify mode; empty when not verified)
    checks: Mapping[str, ValueCheck] = field(default_factory=dict)


def runs_by_line(scenario: Scenario, trace: Trace, confidence: Sequence[Mapping[str, float]] = (),
                 checks: Sequence[Mapping[str, ValueCheck]] = ()) -> dict[int, list[Run]]:
    """0-based file line -> its runs in execution order, for the lines ``scenario`` owns; ``checks`` (per
    step, as confidence) are a verified prediction's values checked against the real run."""
    out: dict[int, list[Run]] = {}
    for i, delta in enumerate(deltas(trace.steps)):
        step = delta.step
        line = scenario.file_line(step.line)
        if line is None or not scenario.owns(line):
            continue
        conf = confidence[i] if i < len(confidence) else {}
        checked = checks[i] if i < len(checks) else {}
        out.setdefault(line, []).append(Run(i, step.frame, step.state, delta.changed, tuple(delta.deleted),
                                            step.output, step.ret, step.exception, conf, checked))
    return out
