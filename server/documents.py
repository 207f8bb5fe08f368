"""Open documents as the server sees them: one record per document version, holding all that is about its text.

A record is made once per version and shared by the requests, the scheduler and ``codeexecutor.verify``: the
text's analysis (its scenarios), its lines, and what verify found when it ran the scenarios of this very text.
A new version, an example set by command, or a close replaces the record, so nothing made for an older text
is ever taken for the current one. A document without a version number cannot be told from its next text: it
gets a new record at every look-up (and so never keeps a verification).

What is predicted is not kept here: the scheduler keeps predictions by program, across versions
(server/scheduler.py), so a function whose program did not change keeps its values whatever the edit.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from urllib.parse import unquote

from pygls.workspace import TextDocument

from codeexecutor.server.positions import split_lines
from codeexecutor.server.scenarios import Analysis, Scenario, analyse
from codeexecutor.server.scheduler import Prediction
from codeexecutor.server.verification import ScenarioCheck


@dataclass
class Version:
    """One document version: its analysis, its lines and verify's results for it."""

    version: int | None
    analysis: Analysis
    lines: list[str]
    checks: dict[str, ScenarioCheck] = field(default_factory=dict)  # scenario digest -> checked at this version

    def verified(self, checks: Sequence[ScenarioCheck]) -> None:
        """Keep verify's results for this version (replacing an earlier verify's)."""
        self.checks = {c.scenario.digest: c for c in checks}

    def check_of(self, scenario: Scenario, prediction: Prediction) -> ScenarioCheck | None:
        """The scenario's check if it is of this very prediction (after the cache was cleared, or another
        model loaded, the one shown is not the one verified)."""
        found = self.checks.get(scenario.digest)
        return found if found is not None and found.prediction is prediction else None


class Documents:
    """Each open document's record for its current version, and the examples set by command."""

    def __init__(self, open_documents: Callable[[], Mapping[str, TextDocument]]) -> None:
        # pygls's open documents by URI; a callable because pygls makes its workspace at `initialize`.
        self._open = open_documents
        self._versions: dict[str, Version] = {}
        self._examples: dict[str, dict[str, str]] = {}

    def current(self, uri: str) -> Version | None:
        """The record of the open document's current text (None if it is not open)."""
        docs = self._open()
        # pygls keys its documents by the unquoted URI; clients send paths with spaces as %20.
        doc = docs.get(uri) or docs.get(unquote(uri))
        if doc is None:
            return None
        cached = self._versions.get(uri)
        if cached is not None and cached.version == doc.version and doc.version is not None:
            return cached
        text = doc.source
        record = self._versions[uri] = Version(doc.version, analyse(text, self._examples.get(uri)),
                                               split_lines(text))
        return record

    def analysis(self, uri: str) -> Analysis | None:
        """The analysis of the document's current text (None if it is not open)."""
        record = self.current(uri)
        return record.analysis if record is not None else None

    def uris(self) -> Iterator[str]:
        """The open documents' URIs."""
        return iter(list(self._open()))

    def set_example(self, uri: str, function: str, call: str) -> None:
        self._examples.setdefault(uri, {})[function] = call
        self._versions.pop(uri, None)  # the same text now has other scenarios

    def close(self, uri: str) -> None:
        self._versions.pop(uri, None)
        self._examples.pop(uri, None)
