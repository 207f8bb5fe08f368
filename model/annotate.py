"""The human form of a trace: the source with each line's values as end-of-line comments (pure, torch-free).

Shared by ``codeexecutor predict`` and (the same layout) ``codeexecutor trace``. A line that ran several
times shows its last execution, as a debugger stopped after the program would. Predicted values whose
confidence is below ``codeexecutor.model.calibration.DEFAULT_THRESHOLD`` are marked with a ``?``.
"""

from __future__ import annotations

from codeexecutor.model.calibration import DEFAULT_THRESHOLD, doubtful
from codeexecutor.model.trace import EXCEPTION_KEY, RETURN_KEY, Trace, deltas


def _mark(text: str, confidence: float | None) -> str:
    return f"{text} ?" if doubtful([confidence], DEFAULT_THRESHOLD) else text


def line_notes(trace: Trace, confidence: list[dict[str, float]] | None = None) -> dict[int, str]:
    """Per line, what its last execution changed (``x = 3, y = [1]``), returned or raised."""
    notes: dict[int, str] = {}
    for i, delta in enumerate(deltas(trace.steps)):
        step = delta.step
        conf = confidence[i] if confidence is not None and i < len(confidence) else {}
        parts = [_mark(f"{k} = {v}", conf.get(k)) for k, v in delta.changed.items()]
        parts += [f"del {k}" for k in delta.deleted]
        if step.ret is not None:
            parts.append(_mark(f"return {step.ret}", conf.get(RETURN_KEY)))
        if step.exception is not None:
            parts.append(_mark(f"raise {step.exception}", conf.get(EXCEPTION_KEY)))
        if parts:
            notes[step.line] = ", ".join(parts)
    return notes


def annotate(source: str, trace: Trace, confidence: list[dict[str, float]] | None = None) -> str:
    """The source with end-of-line notes, then stdout and the status."""
    notes = line_notes(trace, confidence)
    lines = source.splitlines()
    width = max((len(line) for i, line in enumerate(lines, 1) if i in notes), default=0)
    out = [f"{line.ljust(width)}  # {notes[i]}" if i in notes else line for i, line in enumerate(lines, 1)]
    out += ["", "--- stdout ---", trace.stdout.rstrip("\n") if trace.stdout else "(nothing)",
            "--- status ---", f"{trace.status}: {trace.message}" if trace.message else trace.status]
    return "\n".join(out)
