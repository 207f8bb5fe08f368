"""The ``generated`` kind: valid, deterministic programs that run in the sandbox, built end to end."""

from __future__ import annotations

import ast
import json
from collections import Counter
from pathlib import Path

import pytest

from codeexecutor.training.dataset.build import BuildConfig, build
from codeexecutor.training.dataset.sources.generated import generate
from codeexecutor.training.dataset.structure import CONSTRUCTS, constructs, describe, structure_hash
from codeexecutor.training.dataset.verify import retrace, sample_records
from codeexecutor.training.tracing.sandbox import Sandbox

# Names a program would need to reach files, the network, the clock or the interpreter's insides.
FORBIDDEN = {"open", "eval", "exec", "compile", "__import__", "input", "globals", "locals", "vars", "id",
             "hash", "getattr", "setattr", "breakpoint", "exit", "quit"}


@pytest.fixture(scope="module")
def programs() -> list:
    return list(generate(300, 5))


def test_same_seed_same_programs_and_a_prefix(programs: list) -> None:
    assert [p.program for p in generate(120, 5)] == [p.program for p in programs[:120]]
    assert [p.program for p in generate(20, 6)] != [p.program for p in programs[:20]]
    assert programs[7].id == "generated/5-0000007" and programs[7].kind == "generated"


def test_every_program_parses_and_stays_small_and_closed(programs: list) -> None:
    for p in programs:
        tree = ast.parse(p.program)
        assert 3 <= len(p.program.splitlines()) <= 25, p.program
        assert not [n for n in ast.walk(tree) if isinstance(n, ast.Import | ast.ImportFrom)], p.program
        names = {n.id for n in ast.walk(tree) if isinstance(n, ast.Name)}
        assert not names & FORBIDDEN, p.program
        assert p.origin.split("/")[1] in {"one_function", "helper_and_caller", "small_class", "recursion",
                                          "generator", "script"}


def test_every_program_runs_to_the_end_in_the_sandbox(programs: list) -> None:
    with Sandbox(workers=1) as sandbox:
        traces = list(sandbox.run_batch([(p.program, "") for p in programs]))
    status = Counter(t.status for t in traces)
    # ok or an exception the program raised; never forbidden (files, network, clock) or memory. A timeout
    # (2 s of wall clock) only when the machine is overloaded: these programs run for milliseconds.
    assert set(status) <= {"ok", "error", "steps", "timeout"}, status
    assert status["steps"] + status["timeout"] <= len(programs) // 50
    assert 0.03 <= status["error"] / len(programs) <= 0.2, status


def test_build_and_retrace(tmp_path: Path) -> None:
    out = tmp_path / "gen"
    build(BuildConfig(kind="generated", out=str(out), size=40, seed=11, mutants_per_program=0,
                      max_tokens=1000))
    done = json.loads((out / "_done" / "generated-00000.json").read_text())
    assert done["counts"]["program ok"] == 40
    checked = list(retrace(sample_records(out, "train", 20, 0)))
    assert checked and all(ok for _, ok in checked)
    # the report counts distinct structures and constructs from the markers
    programs = [json.loads(line)["program"] for path in out.glob("*/generated-00000.jsonl")
                for line in path.read_text().splitlines()]
    distinct = len({structure_hash(p) for p in programs})
    assert sorted(done["summary"]["structures"]) == sorted({structure_hash(p) for p in programs})
    loops = sum("loop" in constructs(p) for p in programs)
    report = (out / "stats.md").read_text()
    assert "| generated | 1 | 40 | " in report and f"| {distinct} ({100 * distinct / 40:.1f}%) |" in report
    assert f"| loop | {loops} | {100 * loops / 40:.1f}% |" in report


def test_structure_hash_abstracts_names_and_constants_only() -> None:
    loop = "total = 0\nfor x in nums:\n    total += x\n"
    assert structure_hash(loop) == structure_hash("count = 5\nfor item in values:\n    count += item\n")
    assert structure_hash(loop) != structure_hash("total = 0\nfor x in nums:\n    total -= x\n")
    assert structure_hash("x = 1\n") == structure_hash("y = 2\n") != structure_hash("y = 'a'\n")
    # builtins and the builtin types' methods are structure, names the program gives are not
    assert structure_hash("r = len(s)\n") != structure_hash("r = abs(s)\n")
    assert structure_hash("r = s.upper()\n") != structure_hash("r = s.lower()\n")
    assert structure_hash("self.a = 1\n") == structure_hash("self.b = 1\n")
    # order of first use: the same names in another role are another structure
    assert structure_hash("a = 1\nb = a\n") != structure_hash("a = 1\nb = b\n")
    assert structure_hash("def f(:\n") is None
    assert len(structure_hash(loop)) == 16


def test_constructs_of_a_program() -> None:
    program = ("def count_vowels(word):\n    if not word:\n        return 0\n"
               "    rest = count_vowels(word[1:])\n    return rest + (word[0] in 'aeiou')\n"
               "counts = {}\nfor i, w in enumerate(['a', 'b']):\n    for ch in w.upper():\n"
               "        counts[ch] = counts.get(ch, 0) + 1\nresult = count_vowels('banana')\nprint(result)\n")
    assert constructs(program) == {"function", "if", "early return", "recursion", "calls own function", "slicing",
                                   "dict", "loop", "for", "nested loop", "tuple unpacking", "string method",
                                   "dict method", "print"}
    assert describe(program) == (structure_hash(program), constructs(program))


def test_generated_programs_are_diverse_and_cover_the_constructs() -> None:
    programs = [p.program for p in generate(1000, 0)]
    described = [describe(p) for p in programs]
    assert len({h for h, _ in described}) >= 950
    used = Counter(c for _, found in described for c in found)
    for construct in CONSTRUCTS:
        assert used[construct] >= 20, (construct, used[construct])
    assert used["calls own function"] >= 600 and used["loop"] >= 600
