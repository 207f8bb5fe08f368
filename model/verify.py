"""Verify mode: a prediction checked against a real run of the same program, value by value (pure).

Only ever used on the user's explicit request (``codeexecutor predict --verify``): the caller runs the program
in the sandbox and hands the real trace here. Which value is right is model/alignment.py's rule: the k-th
predicted run of line L in frame F against the k-th real run of L in F.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from codeexecutor.model.alignment import ValueCheck, check_values
from codeexecutor.model.engine import Prediction
from codeexecutor.model.trace import EXCEPTION_KEY, OUTPUT_KEY, RETURN_KEY, Trace

_EVENT_WORDS = {RETURN_KEY: "return", OUTPUT_KEY: "print", EXCEPTION_KEY: "raise"}


@dataclass(frozen=True)
class Verification:
    """A prediction, its real run, and per predicted step the check of each value it shows."""

    prediction: Prediction
    real: Trace
    checks: list[list[ValueCheck]]

    @property
    def shown(self) -> int:
        return sum(len(step) for step in self.checks)

    @property
    def right(self) -> int:
        return sum(c.right for step in self.checks for c in step)


def verify(prediction: Prediction, real: Trace) -> Verification:
    return Verification(prediction, real, check_values(prediction.trace, real))


def verified_json(v: Verification) -> dict[str, Any]:
    """The prediction's JSON with ``"verified": {name: bool}`` on each step that shows a value, and a summary."""
    data = v.prediction.to_json()
    for step, checks in zip(data["steps"], v.checks, strict=True):
        if checks:
            step["verified"] = {c.name: c.right for c in checks}
    data["verification"] = {"real_status": v.real.status, "values": v.shown, "right": v.right,
                            "real_stdout": v.real.stdout}
    return data


def _describe(name: str, value: str) -> str:
    word = _EVENT_WORDS.get(name)
    if name == OUTPUT_KEY:
        value = repr(value)  # printed text: its newlines shown, not obeyed
    return f"{word} {value}" if word else f"{name} = {value}"


def verify_report(v: Verification) -> str:
    """Plain text: how many shown values a real run confirms, then each wrong one beside the real value."""
    out = [f"--- verified by running the program in the sandbox (real run: {v.real.status}) ---",
           f"{v.right} of {v.shown} predicted values are right"]
    for checks in v.checks:
        for c in checks:
            if c.right:
                continue
            step = v.prediction.trace.steps[c.step]
            where = f"line {step.line}" + ("" if step.frame == "<module>" else f" (in {step.frame})")
            real = "no such run in the real program" if c.actual is None else _describe(c.name, c.actual)
            out.append(f"{where}: predicted {_describe(c.name, c.value)}, real: {real}")
    return "\n".join(out)
