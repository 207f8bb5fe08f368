"""The dataset builder end to end (real sources, real tracer, tiny sizes), and its sources' inlining rules."""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest

from codeexecutor.model.trace import Step, Trace, to_text
from codeexecutor.training.dataset.build import BuildConfig, build, fit, split_of
from codeexecutor.training.dataset.programs import dedup_key, normalized
from codeexecutor.training.dataset.shards import SPLITS
from codeexecutor.training.dataset.sources.codenet import inline_stdin, load_codenet
from codeexecutor.training.dataset.sources.corpus import call_arguments, load_folder, module_programs
from codeexecutor.training.dataset.verify import retrace, sample_records
from codeexecutor.training.tracing.tracer import trace_program

FIXTURE = Path(__file__).parent / "fixtures" / "codenet"
REPO = Path(__file__).parent.parent
RECORD_KEYS = {"id", "kind", "program", "stdin", "trace", "text", "operator", "origin", "split", "length", "dedup"}


def records(out: Path) -> list[dict]:
    return [json.loads(line) for split in SPLITS for path in sorted((out / split).glob("*.jsonl"))
            for line in path.read_text(encoding="utf-8").split("\n")[:-1]]


def marker_counts(out: Path) -> Counter:
    total: Counter = Counter()
    for path in (out / "_done").glob("*.json"):
        total.update(json.loads(path.read_text())["counts"])
    return total


@pytest.fixture(scope="module")
def singleline(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("singleline")
    build(BuildConfig(kind="singleline", out=str(out), size=50, shards=2, mutants_per_program=2, seed=1))
    return out


def test_singleline_records_follow_the_contract(singleline: Path) -> None:
    recs = records(singleline)
    counts = marker_counts(singleline)
    assert counts["program ok"] == 50
    assert len(recs) == 50 + counts["mutants kept"]
    assert [r["operator"] for r in recs].count("original") == 50
    assert len({r["id"] for r in recs}) == len(recs)
    for r in recs:
        assert set(r) == RECORD_KEYS
        assert r["kind"] == "singleline" and r["split"] in SPLITS
        assert r["text"] == to_text(Trace.from_json(r["trace"]))
        assert r["length"] == len(r["program"]) + len(r["text"])
        assert r["trace"]["complete"]
    assert (singleline / "stats.md").read_text().count("| singleline | 2 |") == 1
    assert (singleline / "stats.png").stat().st_size > 10_000
    assert json.loads((singleline / "config.json").read_text())["singleline"]["flags"]["size"] == 50


def test_mutants_differ_from_their_original(singleline: Path) -> None:
    by_origin: dict[str, list[dict]] = {}
    for r in records(singleline):
        by_origin.setdefault(r["origin"], []).append(r)
    for group in by_origin.values():
        original = next(r for r in group if r["operator"] == "original")
        for r in group:
            assert r["split"] == original["split"]  # the split follows the original program
            if r is not original:
                assert r["trace"] != original["trace"] and r["program"] != original["program"]


def test_stored_traces_are_what_the_tracer_gives(singleline: Path) -> None:
    for r in random.Random(0).sample(records(singleline), 8):
        assert trace_program(r["program"], r["stdin"]).to_json() == r["trace"]
    sample = sample_records(singleline, "train", per_kind=40, seed=1)
    assert len(sample) == 40
    assert all(ok for _, ok in retrace(sample, workers=2))
    tampered = json.loads(json.dumps(sample[0]))
    tampered["trace"]["steps"][-1]["state"]["zz"] = "1"
    assert [ok for _, ok in retrace([tampered], workers=1)] == [False]


def test_tutorial_from_three_seeds(tmp_path: Path) -> None:
    from codeexecutor.training.dataset.sources.tutorial import load_seeds

    build(BuildConfig(kind="tutorial", out=str(tmp_path), size=3, mutants_per_program=3))
    recs = records(tmp_path)
    originals = sorted(r["origin"] for r in recs if r["operator"] == "original")
    assert originals == [s.id for s in load_seeds()[:3]]
    assert {r["kind"] for r in recs} == {"tutorial"}
    assert len(recs) > 3
    assert [ok for _, ok in retrace(recs, workers=2)] == [True] * len(recs)


def test_codenet_fixture(tmp_path: Path) -> None:
    build(BuildConfig(kind="codenet", out=str(tmp_path), size=10, corpus=(str(FIXTURE),),
                      mutants_per_program=3))
    recs = records(tmp_path)
    originals = {r["origin"]: r for r in recs if r["operator"] == "original"}
    assert sorted(originals) == ["codenet/p00001/s100000001", "codenet/p00001/s100000002",
                                 "codenet/p00002/s200000001", "codenet/p00002/s200000002"]
    assert originals["codenet/p00001/s100000001"]["trace"]["stdout"] == "33\n"
    assert [ok for _, ok in retrace(recs, workers=2)] == [True] * len(recs)
    assert originals["codenet/p00002/s200000001"]["stdin"] == ""  # inlined
    assert originals["codenet/p00002/s200000002"]["stdin"] == "4\n5 1 4 2\n"  # reads in a function: kept
    assert originals["codenet/p00002/s200000002"]["trace"]["stdout"] == "4\n"
    assert marker_counts(tmp_path)["mutants kept"] == len(recs) - 4


def test_codenet_loader_accepts_both_input_layouts() -> None:
    programs = {p.id: p for p in load_codenet(FIXTURE)}
    # p00001's input is under derived/input_output/, p00002's beside its submissions.
    assert programs["codenet/p00001/s100000001"].program == (
        "n = int('3')\na, b = map(int, '4 7'.split())\ntotal = n * (a + b)\nprint(total)\n")
    assert programs["codenet/p00002/s200000001"].program.startswith(
        "n = int('4')\nnums = list(map(int, '5 1 4 2'")
    assert programs["codenet/p00001/s100000001"].origin == "data/p00001/Python/s100000001.py"
    with pytest.raises(FileNotFoundError, match="CodeNet layout"):
        list(load_codenet(FIXTURE / "data"))


@pytest.mark.parametrize(("program", "stdin", "expected"), [
    ("s = input()\nprint(s)\n", "abc\n", ("s = 'abc'\nprint(s)\n", "")),
    ("import sys\nx = sys.stdin.readline()\n", "7\n", ("import sys\nx = '7\\n'\n", "")),
    ("x = 1\n", "unused\n", ("x = 1\n", "")),  # no read: no stdin needed
    ("for _ in range(2):\n    print(input())\n", "a\nb\n", None),  # a read in a loop
    ("import sys\ninput = sys.stdin.readline\nn = input()\n", "1\n", None),  # input rebound
    ("from sys import stdin\nn = stdin.readline()\n", "1\n", None),
    ("data = open(0).read()\n", "1\n", None),
    ("n = input('n? ')\n", "1\n", None),  # the prompt is output
    ("a = input()\nb = input()\n", "1\n", None),  # more reads than lines
])
def test_inline_stdin(program: str, stdin: str, expected: tuple[str, str] | None) -> None:
    assert inline_stdin(program, stdin) == (expected or (program, stdin))


MODULE = '''import math


def top(nums: list[int], k: int) -> list[int]:
    return sorted(nums)[:k]


def _double(x):
    return 2 * x


def area(w, h):
    """
    >>> area(2, 3)  # doctest: +ELLIPSIS
    12
    >>> area(1, 1)  # doctest: +SKIP
    """
    return _double(w * h)


def skip(node: TreeNode):
    return node


if __name__ == "__main__":
    print(top([1], 1))
'''


def test_generated_calls_and_doctests() -> None:
    progs = list(module_programs(MODULE, "corpus/m.py"))
    assert [p.id for p in progs] == ["corpus/m.py::top#0", "corpus/m.py::top#1", "corpus/m.py::area"]
    # Only the called function and what it reaches stay; the main block and the unused import go.
    assert progs[0].program == ("def top(nums: list[int], k: int) -> list[int]:\n"
                                "    return sorted(nums)[:k]\n\n\n\nprint(top([5, 2, 8, 1, 9, 3], 5))\n")
    assert progs[1].program.endswith("\nprint(top([3, 1, 2, 3], 3))\n")
    assert "def _double(x):" in progs[2].program and "def top" not in progs[2].program
    assert progs[2].program.endswith("    return _double(w * h)\n\n\n\nprint(area(2, 3))\n")
    assert {p.origin for p in progs} == {"corpus/m.py"}


def test_call_arguments_by_annotation_and_name() -> None:
    import ast

    def args(src: str, variant: int = 0) -> str | None:
        return call_arguments(ast.parse(src).body[0], variant)

    assert args("def f(s: str, target: int, flag=1): pass") == "'abcab', 6"
    assert args("def f(arr, n): pass", 1) == "[3, 1, 2, 3], 3"
    assert args("def f(graph: dict): pass") is None
    assert args("def f(x, *, key): pass") is None


def test_folder_loader_skips_humaneval(tmp_path: Path) -> None:
    (tmp_path / "a.py").write_text("print(1)\n")
    (tmp_path / "humaneval_task.py").write_text("print(2)\n")
    (tmp_path / "b.py").write_text("# from the HumanEval set\nprint(3)\n")
    assert [p.id for p in load_folder(tmp_path)] == ["corpus/a.py"]


def test_duplicates_removed_within_and_across_shards(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "a.py").write_text("total = sum([1, 2, 3])\nprint(total)\n")
    (corpus / "b.py").write_text("total = sum([1, 2, 3])  # a.py again, same shard\nprint(total)\n")
    (corpus / "c.py").write_text("xs = [3, 1, 2]\nxs.sort()\nprint(xs)\n")
    (corpus / "d.py").write_text("total = sum([1,2,3])\nprint(total)\n")  # a.py again, next shard
    out = tmp_path / "out"
    build(BuildConfig(kind="codenet", out=str(out), size=4, corpus=(str(corpus),), mutants_per_program=0,
                      shards=2))  # shard 0: a, b; shard 1: c, d
    counts = marker_counts(out)
    assert counts["program skipped: duplicate"] == 1
    final = json.loads((out / "_done" / "final" / "codenet.json").read_text())
    assert final["removed_duplicates"] == 1
    recs = records(out)
    assert sorted(r["origin"] for r in recs) == ["corpus/a.py", "corpus/c.py"]
    keys = [dedup_key(normalized(r["program"]), r["stdin"]) for r in recs]
    assert keys == [r["dedup"] for r in recs]
    assert len(keys) == len(set(keys))
    assert "| codenet | 2 | 2 |" in (out / "stats.md").read_text()  # the report counts what is left


def test_kill_9_then_rerun_gives_the_uninterrupted_dataset(tmp_path: Path) -> None:
    flags = ["--kind", "singleline", "--size", "24", "--shards", "4", "--mutants-per-program", "1",
             "--seed", "3"]
    whole, killed = tmp_path / "whole", tmp_path / "killed"
    # The reference build also runs with one worker: the records may not depend on the worker count.
    build(BuildConfig(kind="singleline", out=str(whole), size=24, shards=4, mutants_per_program=1, seed=3,
                      workers=1))
    command = [sys.executable, "-m", "codeexecutor", "build-dataset", *flags, "--out", str(killed)]
    proc = subprocess.Popen(command, cwd=REPO, start_new_session=True, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 60
        while not list((killed / "_done").glob("*.json")) and time.monotonic() < deadline:
            time.sleep(0.02)
    finally:
        os.killpg(proc.pid, signal.SIGKILL)  # the builder and its sandbox processes, all at once
        proc.wait()
    done_at_kill = len(list((killed / "_done").glob("*.json")))
    assert 1 <= done_at_kill < 4
    build(BuildConfig(kind="singleline", out=str(killed), size=24, shards=4, mutants_per_program=1, seed=3))
    assert sorted(map(json.dumps, records(killed))) == sorted(map(json.dumps, records(whole)))
    assert not list(killed.rglob("*.tmp-*"))


def test_rerun_with_other_settings_is_refused(singleline: Path) -> None:
    with pytest.raises(SystemExit, match="other settings"):
        build(BuildConfig(kind="singleline", out=str(singleline), size=50, shards=2, mutants_per_program=3,
                          seed=1))


def test_fit_cuts_long_traces() -> None:
    steps = [Step(line=1, frame="<module>", state={"i": str(i)}) for i in range(100)]
    trace = Trace(steps=steps)
    assert fit("x", trace, 1000) == (trace, to_text(trace))
    cut, text = fit("x", trace, 100)
    assert cut.status == "steps" and len(cut.steps) == 14
    assert cut.message == "cut to 14 steps to fit 100 tokens"
    one_more = trace.cut(15, "cut to 15 steps to fit 100 tokens")
    assert len("x") + len(text) <= 300 < len("x") + len(to_text(one_more))
    assert fit("x" * 400, trace, 100) is None


def test_split_is_a_stable_90_5_5_hash() -> None:
    got = Counter(split_of(f"program-{i}") for i in range(2000))
    assert got == Counter({"train": 1788, "valid": 110, "test": 102})
    assert split_of("program-0") == split_of("program-0")


# ---------------------------------------------------------------------------------------------------------
# The streamed build of generated programs: a helper process makes them, the sandbox traces 64 a request.


def test_generated_build_is_the_same_with_the_helper_process_and_in_order(tmp_path: Path) -> None:
    pooled, alone = tmp_path / "pooled", tmp_path / "alone"
    build(BuildConfig(kind="generated", out=str(pooled), size=40, shards=2, seed=5, mutants_per_program=0,
                      max_tokens=1000, workers=2))
    build(BuildConfig(kind="generated", out=str(alone), size=40, shards=2, seed=5, mutants_per_program=0,
                      max_tokens=1000, workers=1))  # in this process, in order: the debugging mode
    assert len(records(pooled)) == 40
    assert [json.dumps(r) for r in records(pooled)] == [json.dumps(r) for r in records(alone)]
    for name in ("generated-00000.json", "generated-00001.json"):
        assert (pooled / "_done" / name).read_text() == (alone / "_done" / name).read_text()


def _dying_maker(seed: int, start: int, stop: int) -> list:
    """``build.made`` that kills its (helper) process at its second task, as the OOM killer would."""
    from codeexecutor.training.dataset.programs import _made
    from codeexecutor.training.dataset.sources.generated import generated

    if start >= 64:
        os._exit(9)
    return [_made(generated(seed, i)) for i in range(start, stop)]


def test_a_dead_helper_process_fails_the_build_with_the_fix(tmp_path: Path,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    from codeexecutor.training.dataset import programs

    monkeypatch.setattr(programs, "made", _dying_maker)  # the helper is forked: it sees this one
    started = time.monotonic()
    with pytest.raises(RuntimeError, match=r"helper process that makes the generated programs died.*--workers 1"):
        build(BuildConfig(kind="generated", out=str(tmp_path), size=200, seed=1, mutants_per_program=0,
                          workers=2))
    assert time.monotonic() - started < 60  # an error, not a hang
    assert not list((tmp_path / "_done").glob("*.json"))  # the shard is not marked done
    assert not list(tmp_path.rglob("*.tmp-*"))


def test_the_helper_process_ends_when_the_builder_is_killed(tmp_path: Path) -> None:
    command = [sys.executable, "-m", "codeexecutor", "build-dataset", "--kind", "generated", "--size", "100000",
               "--out", str(tmp_path)]
    proc = subprocess.Popen(command, cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    def children() -> list[int]:
        found = []
        for stat in Path("/proc").glob("[0-9]*/stat"):
            try:
                fields = stat.read_text().rsplit(")", 1)[1].split()
            except OSError:  # ended meanwhile
                continue
            if int(fields[1]) == proc.pid:
                found.append(int(stat.parent.name))
        return found

    def running(pid: int) -> bool:
        try:
            return (Path("/proc") / str(pid) / "stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
        except OSError:
            return False

    try:
        deadline = time.monotonic() + 60
        while len(children()) < 5 and time.monotonic() < deadline:  # the helper and 4 zygotes
            time.sleep(0.05)
        helper = min(children())  # forked first
        assert running(helper)
    finally:
        proc.kill()  # the builder alone (not its process group): nothing tells its processes
        proc.wait()
    deadline = time.monotonic() + 10
    while running(helper) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not running(helper)


def test_a_program_killed_mid_batch_loses_none_of_the_others(tmp_path: Path) -> None:
    from codeexecutor.training.dataset.build import build_shard, sandbox_tracer
    from codeexecutor.training.dataset.programs import with_code
    from codeexecutor.training.dataset.sources import SourceProgram
    from codeexecutor.training.dataset.sources.generated import generated
    from codeexecutor.training.tracing.sandbox import Limits, Sandbox

    programs = [generated(7, i) for i in range(12)]
    # Killed by the zygote inside one C call (the rest of its child's batch goes to a new child), and
    # stopped by the step limit: both in the middle of one 64-job request.
    programs[3:3] = [SourceProgram(id="slow", kind="generated", program="x = sum(range(10 ** 10))\n")]
    programs[8:8] = [SourceProgram(id="loop", kind="generated", program="while True:\n    pass\n")]
    limits = Limits(wall_seconds=0.5, grace_seconds=0.5, cpu_seconds=1, max_steps=1000)
    cfg = BuildConfig(kind="generated", out=str(tmp_path), size=14, mutants_per_program=0, max_tokens=100_000)
    got: list[dict] = []
    with Sandbox(workers=2) as sandbox:
        counts = build_shard(with_code(programs), cfg, sandbox_tracer(sandbox, limits, batch=64),
                             lambda record, described: got.append(record))
    assert counts["program ok"] == 12
    assert counts["program failed: original timeout"] == 1 and counts["program failed: original steps"] == 1
    ok = [p for p in programs if p.id not in ("slow", "loop")]
    assert [r["id"] for r in got] == [f"{p.id}#orig" for p in ok]
    # Each record is exactly what a child of its own gives the program.
    assert [r["trace"] for r in got] == [trace_program(p.program, "", limits).to_json() for p in ok]


def test_generated_originals_are_traced_twice_for_a_sample_and_others_always() -> None:
    from codeexecutor.training.dataset.build import traced_twice
    from codeexecutor.training.dataset.sources import SourceProgram

    cfg = BuildConfig(kind="generated", out="unused", size=2000, seed=11, mutants_per_program=0)
    programs = [SourceProgram(id=f"generated/11-{i:07d}", kind="generated", program="") for i in range(2000)]
    sample = [traced_twice(p, cfg) for p in programs]
    assert sum(sample) == 526  # ~ --check-rate 0.25
    other_seed = BuildConfig(kind="generated", out="unused", size=2000, seed=12, mutants_per_program=0)
    assert sample != [traced_twice(p, other_seed) for p in programs]
    none = BuildConfig(kind="generated", out="unused", size=1, mutants_per_program=0, check_rate=0.0)
    assert not any(traced_twice(p, none) for p in programs)
    for kind in ("singleline", "tutorial", "codenet", "realcode"):
        assert traced_twice(SourceProgram(id="x", kind=kind, program=""), none)


def test_a_sampled_generated_original_whose_traces_differ_is_dropped(tmp_path: Path) -> None:
    from codeexecutor.training.dataset.build import build_shard, traced_twice
    from codeexecutor.training.dataset.programs import with_code
    from codeexecutor.training.dataset.sources.generated import generated

    def drifting(jobs):  # every trace differs from the one before: no original survives a second trace
        for n, _ in enumerate(jobs):
            yield Trace(steps=[Step(line=1, frame="<module>", state={"n": str(n)})])

    cfg = BuildConfig(kind="generated", out=str(tmp_path), size=40, seed=3, mutants_per_program=0)
    programs = [generated(3, i) for i in range(40)]
    twice = [traced_twice(p, cfg) for p in programs]
    got: list[dict] = []
    counts = build_shard(with_code(programs), cfg, drifting, lambda record, described: got.append(record))
    assert 0 < sum(twice) < 40
    assert counts["program failed: original not deterministic"] == sum(twice)
    assert [r["origin"] for r in got] == [p.id for p, t in zip(programs, twice, strict=True) if not t]
