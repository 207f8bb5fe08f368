"""Open documents as the server sees them: the analysis of each one's current text.

An analysis is computed once per document version (a request and the scheduler share it). What a document
shows is built from it by server/present.py.
"""

from __future__ import annotations

from codeexecutor.server.scenarios import Analysis, analyse


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

