"""The real-code catalog: data hygiene (no public benchmark, a license each, train and benchmark disjoint),
the builder's refusals, --list-corpora, and the realcode kind built end to end from an installed package."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import pytest

from codeexecutor.training.dataset import build_cli
from codeexecutor.training.dataset.build import BuildConfig, build
from codeexecutor.training.dataset.shards import SPLITS
from codeexecutor.training.dataset.sources import catalog
from codeexecutor.training.dataset.sources.catalog import (
    BENCHMARK,
    CATALOG,
    FORBIDDEN,
    TRAIN,
    Source,
    check_entries,
    is_forbidden,
    listing,
    names,
    problems,
)
from codeexecutor.training.dataset.sources.corpus import load_algorithms


def test_catalog_is_clean() -> None:
    assert len(CATALOG) >= 10
    assert problems(CATALOG) == []
    assert all(s.license and s.role in (TRAIN, BENCHMARK) for s in CATALOG)
    assert all(s.version for s in CATALOG if s.package)  # pinned
    for s in CATALOG:
        for name in (s.name, s.package, s.module):
            assert not any(f in name.lower().replace("-", "").replace("_", "") for f in FORBIDDEN), name
    train = {s.package or s.name for s in CATALOG if s.role == TRAIN}
    held_out = {s.package or s.name for s in CATALOG if s.role == BENCHMARK}
    assert train and held_out and not train & held_out
    assert {"algorithms", "stdlib"} <= set(names(TRAIN))


@pytest.mark.parametrize(("name", "forbidden"), [
    ("HumanEval", True), ("human-eval", True), ("openai_humaneval", True), ("mbpp", True),
    ("CRUXEval-O", True), ("apps", True), ("deepmind-code_contests", True), ("code-contests", True),
    ("LiveCodeBench", True), ("REval", True), ("codesense", True), ("classeval", True),
    ("webapps", False), ("more-itertools", False), ("sortedcontainers", False), ("", False),
])
def test_forbidden_names(name: str, forbidden: bool) -> None:
    assert is_forbidden(name) is forbidden


def test_problems_names_each_fault() -> None:
    bad = (Source("mbpp", "mbpp", "1.0", "MIT", TRAIN, "x"),
           Source("a", "pkg", "1.0", "", TRAIN, "x"),
           Source("b", "pkg", "1.0", "MIT", BENCHMARK, "x"),
           Source("c", "other", "", "MIT", "eval", "x"),
           Source("c", "third", "2", "MIT", TRAIN, "x"))
    assert problems(bad) == [
        "mbpp: a public evaluation benchmark must never be a source",
        "a: no license",
        "b: pkg is in both roles",
        "c: role 'eval' is neither 'train' nor 'benchmark'",
        "c: other is not pinned",
        "c: listed twice",
    ]


def test_benchmark_sources_never_reach_a_train_kind() -> None:
    held_out = names(BENCHMARK)[0]
    for kind in ("codenet", "tutorial", "singleline", "generated"):
        with pytest.raises(SystemExit, match="held out of training"):
            check_entries(["algorithms", held_out], kind)
    with pytest.raises(SystemExit, match="not a benchmark source"):
        check_entries(["algorithms"], "realcode")
    with pytest.raises(SystemExit, match="not a benchmark source"):
        check_entries(["some/folder"], "realcode")
    check_entries(["algorithms", "stdlib", "some/folder"], "codenet")
    check_entries(list(names(BENCHMARK)), "realcode")


def _args(**kw: object) -> argparse.Namespace:
    parser = argparse.ArgumentParser()
    build_cli.add_arguments(parser)
    argv = [f"--{k.replace('_', '-')}={v}" for k, v in kw.items()]
    return parser.parse_args(argv)


def test_realcode_flags() -> None:
    cfg = build_cli.config_from_args(_args(kind="realcode", size=5, out="x"))
    assert cfg.corpus == names(BENCHMARK) and cfg.mutants_per_program == 0
    with pytest.raises(SystemExit, match="originals only"):
        build_cli.config_from_args(_args(kind="realcode", size=5, out="x", mutants_per_program=2))
    with pytest.raises(SystemExit, match="held out of training"):
        build_cli.config_from_args(_args(kind="codenet", size=5, out="x", corpus=names(BENCHMARK)[0]))
    with pytest.raises(ValueError, match="never mutated"):
        BuildConfig(kind="realcode", out="x", size=5)


def test_list_corpora_counts_by_enumerating() -> None:
    algorithms = catalog.source("algorithms")
    assert algorithms is not None
    missing = Source("not-installed", "no-such-package-here", "1.0", "MIT", TRAIN, "x", module="no_such_pkg")
    lines = listing((algorithms, missing))
    assert lines[0].split()[:4] == ["name", "role", "programs", "license"]
    assert "not traced" in lines[0]
    assert lines[1].split() == ["algorithms", "train", str(sum(1 for _ in load_algorithms())), "MIT"]
    assert lines[2].split()[:4] == ["not-installed", "train", "-", "MIT"]
    assert "pip install no-such-package-here==1.0" in lines[2]


def test_realcode_build_is_originals_in_test(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # A held-out source made of an installed package (``algorithms``, in the train extra), so the test runs
    # without the corpora extra.
    heldout = Source("heldout", "algorithms", "1.0.1", "MIT", BENCHMARK, "x", module="algorithms")
    monkeypatch.setattr(catalog, "_BY_NAME", {**catalog._BY_NAME, "heldout": heldout})
    build(BuildConfig(kind="realcode", out=str(tmp_path), size=12, corpus=("heldout",), mutants_per_program=0,
                      workers=2))
    recs = [json.loads(line) for split in SPLITS for path in (tmp_path / split).glob("*.jsonl")
            for line in path.read_text(encoding="utf-8").splitlines()]
    assert recs and len(recs) <= 12
    assert {(r["kind"], r["split"], r["operator"], r["trace"]["status"]) for r in recs} == {
        ("realcode", "test", "original", "ok")}
    assert all(r["id"].startswith("algorithms/") and r["id"].endswith("#orig") for r in recs)
    assert "| realcode | 1 |" in (tmp_path / "stats.md").read_text()


def test_corpora_extra_pins_the_catalog() -> None:
    import tomllib

    pyproject = tomllib.loads((Path(__file__).parent.parent / "pyproject.toml").read_text())
    extra = pyproject["project"]["optional-dependencies"]["corpora"]
    assert extra == [s.install for s in CATALOG if s.install]


def test_real_code_showing_an_address_is_dropped(tmp_path: Path) -> None:
    # A program that imports gets a child each, forked from one zygote: its two traces agree, but a re-trace
    # in another process shows another address.
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "a.py").write_text("import math\n\n\nclass Box:\n    pass\n\n\nprint(Box(), math.pi)\n")
    (corpus / "b.py").write_text("print(hex(2 ** 40))\n")  # a hex number in the output is fine
    out = tmp_path / "out"
    build(BuildConfig(kind="codenet", out=str(out), size=2, corpus=(str(corpus),), mutants_per_program=0))
    counts = json.loads((out / "_done" / "codenet-00000.json").read_text())["counts"]
    assert counts["program failed: original shows a memory address"] == 1
    assert counts["program ok"] == 1


def test_no_installed_source_shadows_the_project() -> None:
    # pygorithm installs a top-level ``tests`` package: it shadows tests/ and the sandbox's test runners
    # stop importing. Checked for the sources installed here.
    import importlib.metadata

    for s in CATALOG:
        try:
            files = importlib.metadata.distribution(s.package).files or [] if s.package else []
        except importlib.metadata.PackageNotFoundError:
            continue
        tops = {f.parts[0] for f in files if len(f.parts) > 1}
        assert not tops & {"tests", "test", "codeexecutor", "model", "server", "training"}, s.name
