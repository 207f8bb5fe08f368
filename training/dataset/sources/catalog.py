"""The catalog of real-code sources: one typed entry per public source, its license and its role.

A source's role is ``train`` (its programs are kind ``codenet``, mutated into the training data) or
``benchmark`` (kind ``realcode``: whole packages held out of training, built as originals only, every record
in the test split, scored by ``codeexecutor evaluate``). ``--corpus NAME`` takes these names; the builder
refuses a benchmark source in a train kind and a train source in ``realcode`` (``corpus_programs``).
Every package is pinned (the `corpora` extra of pyproject.toml installs them) and pure Python; none is or
ships a public evaluation benchmark (``FORBIDDEN``; tests/test_sources_catalog.py checks the list). Not
here: pygorithm, which installs a top-level ``tests`` package that shadows this project's tests/ (the
sandbox's test runners stop importing).
docs/dataset-sources.md has the table.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from codeexecutor.training.dataset.sources import SourceProgram

TRAIN, BENCHMARK = "train", "benchmark"
# Public evaluation benchmarks of code execution and generation: never a source, nor a package shipping one.
FORBIDDEN = ("humaneval", "mbpp", "cruxeval", "classeval", "apps", "codecontests", "livecodebench", "reval",
             "codesense")
DOCTESTS = "doctest examples of functions, classes and methods"
CALLS = "functions without examples: literal call sites in the package, else arguments from annotations and names"


@dataclass(frozen=True)
class Source:
    """One real-code source: a pinned PyPI package (or the standard library) and how programs are made."""

    name: str  # the ``--corpus`` name
    package: str  # PyPI distribution ("" for the standard library)
    version: str  # pinned; "" for the standard library (the running Python's)
    license: str  # SPDX identifier, from the package's metadata
    role: str  # TRAIN or BENCHMARK
    programs: str  # how programs are made from it
    module: str = ""  # import name, when it differs from ``name``
    skip: tuple[str, ...] = ()  # module paths left out: they read the clock, files, the network or the platform

    @property
    def kind(self) -> str:
        return "realcode" if self.role == BENCHMARK else "codenet"

    @property
    def install(self) -> str:
        return f"{self.package}=={self.version}" if self.package else ""


CATALOG: tuple[Source, ...] = (
    Source("algorithms", "algorithms", "1.0.1", "MIT", TRAIN, CALLS + "; " + DOCTESTS),
    Source("stdlib", "", "", "PSF-2.0", TRAIN, "doctest examples of pure standard-library modules, run after "
           "`import M`"),
    Source("pydash", "pydash", "8.1.0", "MIT", TRAIN, DOCTESTS),
    Source("sortedcontainers", "sortedcontainers", "2.4.0", "Apache-2.0", TRAIN, DOCTESTS),
    Source("roman", "roman", "5.2", "ZPL-2.1", TRAIN, CALLS),
    Source("humanize", "humanize", "4.17.0", "MIT", TRAIN, DOCTESTS, skip=("time", "i18n", "_version")),
    Source("binarytree", "binarytree", "6.5.1", "MIT", TRAIN, DOCTESTS),
    Source("pyrsistent", "pyrsistent", "0.20.0", "MIT", TRAIN, DOCTESTS),
    # Held out: never mutated, never trained on; the realcode kind.
    Source("more-itertools", "more-itertools", "11.2.1", "MIT", BENCHMARK, DOCTESTS, module="more_itertools"),
    Source("boltons", "boltons", "26.2.0", "BSD-3-Clause", BENCHMARK, DOCTESTS + "; " + CALLS,
           skip=("debugutils", "deprutils", "ecoutils", "fileutils", "gcutils", "ioutils", "jsonutils",
                 "mboxutils", "pathutils", "socketutils", "tbutils", "timeutils", "cacheutils")),
    Source("toolz", "toolz", "1.2.0", "BSD-3-Clause", BENCHMARK, DOCTESTS + "; " + CALLS,
           skip=("_signatures", "compatibility")),
    Source("funcy", "funcy", "2.1", "BSD-3-Clause", BENCHMARK, DOCTESTS + "; " + CALLS, skip=("debug", "_inspect")),
    Source("inflection", "inflection", "0.5.1", "MIT", BENCHMARK, DOCTESTS + "; " + CALLS),
    Source("python-string-utils", "python-string-utils", "1.0.0", "MIT", BENCHMARK, DOCTESTS + "; " + CALLS,
           module="string_utils"),
)
_BY_NAME = {s.name: s for s in CATALOG}


def is_forbidden(name: str) -> bool:
    """Whether a source or package name is (or names) a public evaluation benchmark."""
    words = re.split(r"[^a-z0-9]+", name.lower())
    joined = "".join(words)
    return any(w in FORBIDDEN for w in words) or any(f in joined for f in FORBIDDEN if len(f) > 4)


def problems(catalog: Iterable[Source]) -> list[str]:
    """What is wrong with a catalog (empty when nothing): a forbidden name, a missing license or version,
    an unknown role, a repeated name, a package in both roles."""
    out, seen, roles = [], set(), {}
    for s in catalog:
        if is_forbidden(s.name) or is_forbidden(s.package) or is_forbidden(s.module):
            out.append(f"{s.name}: a public evaluation benchmark must never be a source")
        if not s.license:
            out.append(f"{s.name}: no license")
        if s.role not in (TRAIN, BENCHMARK):
            out.append(f"{s.name}: role {s.role!r} is neither {TRAIN!r} nor {BENCHMARK!r}")
        if s.package and not s.version:
            out.append(f"{s.name}: {s.package} is not pinned")
        if s.name in seen:
            out.append(f"{s.name}: listed twice")
        seen.add(s.name)
        key = s.package or s.name
        if roles.setdefault(key, s.role) != s.role:
            out.append(f"{s.name}: {key} is in both roles")
    return out


def source(name: str) -> Source | None:
    return _BY_NAME.get(name)


def names(role: str) -> tuple[str, ...]:
    return tuple(s.name for s in CATALOG if s.role == role)


def load(src: Source) -> Iterator[SourceProgram]:
    """Every program of one catalog source, in a stable order, not traced (the builder traces them)."""
    from codeexecutor.training.dataset.sources import corpus

    if src.name == "stdlib":
        return corpus.load_stdlib_doctests()
    install = f"{src.install}  (every source: pip install -e '.[corpora]')"
    return corpus.load_package(src.module or src.name, install, src.kind, src.skip,
                               with_init=src.name != "algorithms")


def corpus_programs(entries: Iterable[str], kind: str) -> Iterator[SourceProgram]:
    """The programs of ``--corpus`` entries for ``kind``, in the order given: catalog names, else (``codenet``
    only) a CodeNet-layout root or a folder of .py files. Held-out sources never reach a train kind."""
    from codeexecutor.training.dataset.sources.codenet import load_codenet
    from codeexecutor.training.dataset.sources.corpus import load_folder

    check_entries(entries, kind)
    for entry in entries:
        src = source(entry)
        if src is not None:
            yield from load(src)
        elif (Path(entry) / "data").is_dir():
            yield from load_codenet(Path(entry))
        else:
            yield from load_folder(Path(entry))


def check_entries(entries: Iterable[str], kind: str) -> None:
    """Refuse a benchmark source in a train kind, and anything but benchmark sources in ``realcode``."""
    for entry in entries:
        src = source(entry)
        if kind == "realcode" and (src is None or src.role != BENCHMARK):
            raise SystemExit(f"build-dataset --kind realcode: {entry!r} is not a benchmark source; use some of "
                             f"{', '.join(names(BENCHMARK))} (see --list-corpora)")
        if kind != "realcode" and src is not None and src.role == BENCHMARK:
            raise SystemExit(f"build-dataset --kind {kind}: {entry!r} is held out of training (role benchmark); "
                             f"build it with --kind realcode, or train on some of {', '.join(names(TRAIN))}")


def listing(catalog: Iterable[Source] = CATALOG) -> list[str]:
    """``--list-corpora``: one line per source (name, role, programs, license), the programs counted by
    enumerating them, untraced (the build keeps those that run without an error and fit)."""
    lines = [f"{'name':<22}{'role':<11}{'programs':>9}  license  (programs enumerated, not traced)"]
    for src in catalog:
        try:
            count = f"{sum(1 for _ in load(src)):>9}"
        except ModuleNotFoundError as e:
            count = f"{'-':>9}"
            src_note = f"  [{e}]"
        else:
            src_note = ""
        lines.append(f"{src.name:<22}{src.role:<11}{count}  {src.license}{src_note}")
    return lines
