"""Verify mode in the editor: a document's predicted scenarios run in the sandbox and checked value by value.

Nothing runs but on the user's explicit ``codeexecutor.verify`` command. Each scenario whose current
prediction is shown is run as its program on its stdin in the sandbox, with the sandbox's limits
(training/tracing/sandbox.py), and model/verify.py checks the prediction against that real run (the k-th
predicted run of line L in frame F against the k-th real run of L in F). A result holds for the document
version it was made for: it is kept in that version's record (server/documents.py), which the next edit
replaces.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from codeexecutor.model.alignment import ValueCheck
from codeexecutor.model.engine import Prediction
from codeexecutor.model.trace import Trace
from codeexecutor.model.verify import Verification, verify
from codeexecutor.server.scenarios import Scenario


class VerifyError(Exception):
    """Why a document could not be verified, and what to do about it (the command's error message)."""


@dataclass(frozen=True)
class ScenarioCheck:
    """One scenario's shown prediction checked against a real run of its program."""

    scenario: Scenario
    verification: Verification

    @property
    def prediction(self) -> Prediction:
        return self.verification.prediction

    @property
    def real(self) -> Trace:
        return self.verification.real

    def by_step(self) -> list[Mapping[str, ValueCheck]]:
        """Per predicted step, its checked values by name (or event key)."""
        return [{c.name: c for c in step} for step in self.verification.checks]

    def shown(self) -> list[ValueCheck]:
        """The checks of the values on the file lines this scenario shows (each run of a line counts)."""
        steps = self.prediction.trace.steps
        return [c for step, checks in zip(steps, self.verification.checks, strict=True)
                if (line := self.scenario.file_line(step.line)) is not None and self.scenario.owns(line)
                for c in checks]


def real_runs(scenarios: Sequence[Scenario]) -> list[Trace]:
    """Each scenario's program run on its stdin in the sandbox, with the sandbox's limits (blocking: call it
    off the event loop)."""
    # Imported here: only this command runs code, and the server does not load the tracer until it is used.
    from codeexecutor.training.tracing.tracer import SandboxError, trace_program

    out = []
    for scenario in scenarios:
        try:
            out.append(trace_program(scenario.program, scenario.stdin))
        except SandboxError as e:
            raise VerifyError(
                f"the sandbox failed while running {describe(scenario)}: {e}. That is the sandbox, not your "
                f"program: run the command again (a new sandbox worker starts); if it keeps failing, "
                f"`codeexecutor trace FILE` shows the sandbox's error from a terminal") from e
    return out


def check(predicted: Sequence[tuple[Scenario, Prediction]], real: Sequence[Trace]) -> list[ScenarioCheck]:
    """Each scenario's prediction checked against its real run (pure)."""
    return [ScenarioCheck(scenario, verify(prediction, trace))
            for (scenario, prediction), trace in zip(predicted, real, strict=True)]


def describe(scenario: Scenario) -> str:
    """The scenario as a message names it."""
    return "the module's code" if not scenario.call else f"the example {scenario.call.splitlines()[-1]}"


def summary(uri: str, version: int | None, checks: Sequence[ScenarioCheck],
            skipped: Sequence[tuple[Scenario, str]]) -> dict[str, Any]:
    """The command's answer: per scenario the values its lines show, how many are right, and how the real
    run ended; and the scenarios not verified, with why."""
    scenarios = []
    for c in checks:
        shown = c.shown()
        scenarios.append({"name": c.scenario.name, "call": c.scenario.call, "values": len(shown),
                          "right": sum(v.right for v in shown), "real_status": c.real.status,
                          "real_message": c.real.message})
    return {"uri": uri, "version": version, "values": sum(s["values"] for s in scenarios),
            "right": sum(s["right"] for s in scenarios), "scenarios": scenarios,
            "skipped": [{"name": s.name, "call": s.call, "why": why} for s, why in skipped]}
