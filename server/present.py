"""What a document shows: its inlay hints and hovers, from its analysis and what is predicted for it (pure).

The caller looks the predictions up (server/session.py: the scheduler's results, and verify's checks kept for
this document version) and passes them in as data, one ``Shown`` per scenario that has something to show.
Hints and hovers are mapped through the *current* analysis's line maps, so a function whose program did not
change keeps its hints however the lines around it moved. A scenario verified against a real run
(server/verification.py) has its values marked right or wrong.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from codeexecutor.model.trace import MODULE_FRAME
from codeexecutor.server.config import HintSettings
from codeexecutor.server.hints import Hint, hint_for
from codeexecutor.server.hover import cut_note, hover_markdown, not_reached, verified_note
from codeexecutor.server.runs import Run, runs_by_line
from codeexecutor.server.scenarios import Analysis, Scenario
from codeexecutor.server.scheduler import Prediction
from codeexecutor.server.verification import ScenarioCheck


@dataclass(frozen=True)
class Shown:
    """A scenario's prediction to show, whether it is of the current program (False: an older program's,
    kept on screen while it is predicted again), and its check against a real run if this very prediction
    was verified at this document version."""

    prediction: Prediction
    current: bool = True
    check: ScenarioCheck | None = None


def scenario_label(scenario: Scenario) -> str:
    """How a hover or tooltip names the run its values come from."""
    if scenario.name == MODULE_FRAME:
        return "running the module" + (" with the `# stdin:` input" if scenario.stdin else "")
    call = scenario.call.splitlines()[-1] if scenario.call else scenario.name
    return f"example `{call}` from {scenario.source}"


def _runs(scenario: Scenario, shown: Shown) -> dict[int, list[Run]]:
    """The scenario's runs by file line, marked by its verification if it has one."""
    checks = shown.check.by_step() if shown.check is not None else ()
    return runs_by_line(scenario, shown.prediction.trace, shown.prediction.confidence, checks)


def hints_in_lines(analysis: Analysis, shown: Mapping[Scenario, Shown], first: int, last: int,
                   settings: HintSettings) -> list[Hint]:
    """The hints of file lines ``first``..``last`` (0-based, inclusive), in line order."""
    hints: list[Hint] = []
    for scenario in analysis.scenarios:
        if not any(a <= last and first <= b for a, b in scenario.owned):
            continue
        if (found := shown.get(scenario)) is None:
            continue
        for line, runs in _runs(scenario, found).items():
            if first <= line <= last and (hint := hint_for(line, runs, settings)) is not None:
                hints.append(hint)
    return sorted(hints, key=lambda h: h.line)


def hint_at(analysis: Analysis, shown: Mapping[Scenario, Shown], line: int,
            settings: HintSettings) -> tuple[Hint, str] | None:
    """The hint of one line and the label of its scenario (for the tooltip)."""
    scenario = analysis.owner(line)
    if scenario is None:
        return None
    found = hints_in_lines(Analysis((scenario,), ()), shown, line, line, settings)
    return (found[0], scenario_label(scenario)) if found else None


def hover_at(analysis: Analysis, shown: Mapping[Scenario, Shown], line: int, settings: HintSettings,
             code_line: bool = True) -> str | None:
    """Hover markdown for a file line: what it did in its scenario's predicted trace; else why nothing is
    predicted there; else, under a prediction that stopped early, that it stopped before this (code) line."""
    scenario = analysis.owner(line)
    found = shown.get(scenario) if scenario is not None else None
    runs = _runs(scenario, found).get(line) if scenario is not None and found is not None else None
    if scenario is None or found is None or not runs:
        if why := analysis.why_unpredicted(line):
            return why
        if found is not None and code_line and not found.prediction.trace.complete:
            return not_reached(scenario, found.prediction.trace)
        return None
    notes = []
    if not found.current:
        notes.append("updating: these values are from before the last edit")
    if note := cut_note(scenario, found.prediction.trace):
        notes.append(note)
    if found.check is not None:
        notes.append(verified_note(found.check))
    return hover_markdown(line, runs, scenario_label(scenario), settings, "; ".join(notes))
