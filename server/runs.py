"""A predicted trace as the file's lines see it: for each line, every time it ran and what it changed."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from codeexecutor.model.trace import MODULE_FRAME, Trace, state_delta
from codeexecutor.server.scenarios import Scenario

RETURN, OUTPUT, EXCEPTION = "<return>", "<output>", "<exception>"  # confidence keys of events (model.engine)


@dataclass(frozen=True)
class Run:
    """One execution of a line: its frame's state after it, what it changed, and its events."""

    step: int  # index of the step in the trace
    frame: str
    state: Mapping[str, str]
    changed: Mapping[str, str]  # vs the previous state of the same activation (codeexecutor.model.trace.state_delta)
    deleted: tuple[str, ...]
    output: str | None
    ret: str | None
    exception: str | None
    confidence: Mapping[str, float]  # name (or an event key) -> confidence of this step's predicted value


def runs_by_line(scenario: Scenario, trace: Trace,
                 confidence: Sequence[Mapping[str, float]] = ()) -> dict[int, list[Run]]:
    """0-based file line -> its runs in execution order, for the lines ``scenario`` owns."""
    stack: list[dict[str, str]] = [{}]
    frames = [MODULE_FRAME]
    out: dict[int, list[Run]] = {}
    for i, step in enumerate(trace.steps):
        # The same activation bookkeeping as codeexecutor.model.trace.to_text, so "changed" means what the model wrote.
        if step.call or step.frame != frames[-1]:
            stack.append({})
            frames.append(step.frame)
        changed, deleted = state_delta(stack[-1], step.state)
        stack[-1] = dict(step.state)
        if step.closes_frame and len(stack) > 1:
            stack.pop()
            frames.pop()
        line = scenario.file_line(step.line)
        if line is None or not scenario.owns(line):
            continue
        conf = confidence[i] if i < len(confidence) else {}
        out.setdefault(line, []).append(Run(i, step.frame, step.state, changed, tuple(deleted), step.output,
                                            step.ret, step.exception, conf))
    return out
