"""Open documents as the server sees them: the analysis of each one's current text, and what to show.

An analysis is computed once per document version (a request and the scheduler share it). Hints and hovers
are built from whatever is already predicted, mapped through the *current* analysis's line maps, so a
function whose program did not change keeps its hints however the lines around it moved. A scenario
verified against a real run (server/verification.py) has its values marked right or wrong.
"""

from __future__ import annotations

from collections.abc import Callable

from codeexecutor.model.trace import MODULE_FRAME
from codeexecutor.server.config import HintSettings
from codeexecutor.server.hints import Hint, hint_for
from codeexecutor.server.hover import cut_note, hover_markdown, not_reached, verified_note
from codeexecutor.server.runs import Run, runs_by_line
from codeexecutor.server.scenarios import Analysis, Scenario, analyse
from codeexecutor.server.scheduler import Prediction
from codeexecutor.server.verification import ScenarioCheck

# scenario -> (prediction to show or None, whether it is the current program's)
Lookup = Callable[[Scenario], tuple[Prediction | None, bool]]
# scenario -> its verification for the document's current version, if it was verified
Checked = Callable[[Scenario], ScenarioCheck | None]


def unverified(scenario: Scenario) -> ScenarioCheck | None:
    return None


class Documents:
    """Each open document's analysis for its current version, and the examples set by command."""

    def __init__(self) -> None:
        self._analyses: dict[str, tuple[int | None, Analysis]] = {}
        self._examples: dict[str, dict[str, str]] = {}

    def analysis(self, uri: str, version: int | None, text: str) -> Analysis:
        cached = self._analyses.get(uri)
        if cached is not None and cached[0] == version and version is not None:
            return cached[1]
        analysis = analyse(text, self._examples.get(uri))
        self._analyses[uri] = (version, analysis)
        return analysis

    def set_example(self, uri: str, function: str, call: str) -> None:
        self._examples.setdefault(uri, {})[function] = call
        self._analyses.pop(uri, None)

    def close(self, uri: str) -> None:
        self._analyses.pop(uri, None)
        self._examples.pop(uri, None)


def scenario_label(scenario: Scenario) -> str:
    """How a hover or tooltip names the run its values come from."""
    if scenario.name == MODULE_FRAME:
        return "running the module" + (" with the `# stdin:` input" if scenario.stdin else "")
    call = scenario.call.splitlines()[-1] if scenario.call else scenario.name
    return f"example `{call}` from {scenario.source}"


def _runs(scenario: Scenario, prediction: Prediction,
          checked: Checked) -> tuple[dict[int, list[Run]], ScenarioCheck | None]:
    """The scenario's runs by file line, marked by its verification if it is of this very prediction."""
    check = checked(scenario)
    if check is not None and check.prediction is not prediction:
        check = None  # verified before the cache was cleared or the model changed: about another prediction
    checks = check.by_step() if check is not None else ()
    return runs_by_line(scenario, prediction.trace, prediction.confidence, checks), check


def hints_in_lines(analysis: Analysis, lookup: Lookup, first: int, last: int, settings: HintSettings,
                   checked: Checked = unverified) -> list[Hint]:
    """The hints of file lines ``first``..``last`` (0-based, inclusive), in line order."""
    hints: list[Hint] = []
    for scenario in analysis.scenarios:
        if not any(a <= last and first <= b for a, b in scenario.owned):
            continue
        prediction, _ = lookup(scenario)
        if prediction is None:
            continue
        for line, runs in _runs(scenario, prediction, checked)[0].items():
            if first <= line <= last and (hint := hint_for(line, runs, settings)) is not None:
                hints.append(hint)
    return sorted(hints, key=lambda h: h.line)


def hint_at(analysis: Analysis, lookup: Lookup, line: int, settings: HintSettings,
            checked: Checked = unverified) -> tuple[Hint, str] | None:
    """The hint of one line and the label of its scenario (for the tooltip)."""
    scenario = analysis.owner(line)
    if scenario is None:
        return None
    found = hints_in_lines(Analysis((scenario,), ()), lookup, line, line, settings, checked)
    return (found[0], scenario_label(scenario)) if found else None


def hover_at(analysis: Analysis, lookup: Lookup, line: int, settings: HintSettings,
             code_line: bool = True, checked: Checked = unverified) -> str | None:
    """Hover markdown for a file line: what it did in its scenario's predicted trace; else why nothing is
    predicted there; else, under a prediction that stopped early, that it stopped before this (code) line."""
    scenario = analysis.owner(line)
    prediction, current = lookup(scenario) if scenario is not None else (None, False)
    runs, check = None, None
    if scenario is not None and prediction is not None:
        by_line, check = _runs(scenario, prediction, checked)
        runs = by_line.get(line)
    if scenario is None or prediction is None or not runs:
        if why := analysis.why_unpredicted(line):
            return why
        if prediction is not None and code_line and not prediction.trace.complete:
            return not_reached(scenario, prediction.trace)
        return None
    notes = []
    if not current:
        notes.append("updating: these values are from before the last edit")
    if note := cut_note(scenario, prediction.trace):
        notes.append(note)
    if check is not None:
        notes.append(verified_note(check))
    return hover_markdown(line, runs, scenario_label(scenario), settings, "; ".join(notes))
