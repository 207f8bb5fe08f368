"""Where the dataset's programs come from: one record type shared by every source.

Sources: ``singleline`` (generated one-statement programs), ``tutorial`` (the hand-written seed programs under
``training/dataset/seeds/tutorial``), ``codenet`` (competition-style programs) and ``generated`` (typed random
small functions, classes and scripts from training/dataset/generator/), and ``realcode`` (the held-out
real-code benchmark: the catalog's benchmark sources, sources/catalog.py). docs/dataset-sources.md shows
what each produces.
"""

from __future__ import annotations

from dataclasses import dataclass

KINDS = ("singleline", "tutorial", "codenet", "generated", "realcode")


@dataclass(frozen=True)
class SourceProgram:
    """One original program, before mutation and tracing."""

    id: str  # stable across runs, e.g. "tutorial/bubble_sort" or "singleline/7-0000123"
    kind: str  # one of KINDS
    program: str  # runnable as a script; inputs are inlined unless ``stdin`` is set
    stdin: str = ""
    origin: str = ""  # where it came from (file path, generator category), for the stats report
