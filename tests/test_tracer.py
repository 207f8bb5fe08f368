"""The tracer's exact semantics: a corpus of ordinary programs with their expected traces, and the rules
that a corpus cannot show well (recursion limit, output attribution, limits, value rendering, the CLI)."""

from __future__ import annotations

import argparse
import collections
import json
from pathlib import Path

import pytest

from codeexecutor.model.render import render
from codeexecutor.model.trace import Step, Trace, from_text, to_text
from codeexecutor.training.tracing import tracer_cli
from codeexecutor.training.tracing.tracer import Limits, trace_many, trace_program

CORPUS = Path(__file__).parent / "programs" / "ordinary"
PROGRAMS = sorted(CORPUS.glob("*.py"))


def _job(path: Path) -> tuple[str, str]:
    stdin = path.with_suffix(".stdin")
    return path.read_text(encoding="utf-8"), stdin.read_text(encoding="utf-8") if stdin.exists() else ""


@pytest.fixture(scope="module")
def corpus_traces() -> dict[str, Trace]:
    traces = trace_many([_job(p) for p in PROGRAMS], workers=2)
    return {p.stem: t for p, t in zip(PROGRAMS, traces, strict=True)}


def test_corpus_is_not_empty() -> None:
    assert len(PROGRAMS) >= 12
    assert all(p.with_suffix(".json").exists() for p in PROGRAMS)


@pytest.mark.parametrize("path", PROGRAMS, ids=lambda p: p.stem)
def test_corpus_trace_is_exact(path: Path, corpus_traces: dict[str, Trace]) -> None:
    expected = Trace.from_json(json.loads(path.with_suffix(".json").read_text(encoding="utf-8")))
    assert corpus_traces[path.stem] == expected


@pytest.mark.parametrize("path", PROGRAMS, ids=lambda p: p.stem)
def test_corpus_trace_round_trips(path: Path, corpus_traces: dict[str, Trace]) -> None:
    trace = corpus_traces[path.stem]
    assert from_text(to_text(trace), strict=True) == trace
    assert Trace.from_json(json.loads(trace.dumps())) == trace


def test_same_program_twice_gives_the_same_trace(corpus_traces: dict[str, Trace]) -> None:
    source, stdin = _job(CORPUS / "classes.py")
    assert trace_program(source, stdin) == trace_program(source, stdin) == corpus_traces["classes"]


def test_string_hash_order_is_the_same_in_every_worker() -> None:
    source = "words = {'apple', 'banana', 'cherry', 'date', 'elder', 'fig'}\nprint(list(words))\n"
    outputs = {t.stdout for t in trace_many([(source, "")] * 4, workers=2)} | {trace_program(source).stdout}
    assert len(outputs) == 1


def test_trace_many_keeps_input_order() -> None:
    jobs = [(f"x = {i}\n", "") for i in range(12)]
    assert [t.steps[0].state for t in trace_many(jobs, workers=2)] == [{"x": str(i)} for i in range(12)]


def test_the_worked_example_of_the_trace_contract() -> None:
    source = "def sq(n):\n    r = n * n\n    return r\nx = sq(3)\nprint(x)\n"
    assert trace_program(source) == Trace(steps=[
        Step(1, "<module>", {}),
        Step(2, "sq", {"n": "3", "r": "9"}, call=True),
        Step(3, "sq", {"n": "3", "r": "9"}, ret="9"),
        Step(4, "<module>", {"x": "9"}),
        Step(5, "<module>", {"x": "9"}, output="9\n")], stdout="9\n", status="ok")


def test_output_belongs_to_the_innermost_traced_line() -> None:
    source = "def f():\n    print('in f')\n    return 1\nprint('a', end='')\nf()\nlist(map(print, [7]))\n"
    trace = trace_program(source)
    assert [(s.line, s.frame, s.output) for s in trace.steps] == [
        (1, "<module>", None), (4, "<module>", "a"), (2, "f", "in f\n"), (3, "f", None),
        (5, "<module>", None), (6, "<module>", "7\n")]
    assert trace.stdout == "ain f\n7\n"


def test_stdout_buffer_and_stderr() -> None:
    source = "import sys\nsys.stdout.buffer.write(b'raw\\n')\nsys.stderr.write('hidden')\n"
    trace = trace_program(source)
    assert trace.stdout == "raw\n"
    assert [s.output for s in trace.steps] == [None, "raw\n", None]


def test_recursion_error_can_be_caught_and_the_trace_goes_on() -> None:
    source = ("def f(n):\n    return f(n + 1)\ntry:\n    f(0)\nexcept RecursionError as e:\n"
              "    m = str(e)\nx = 1\n")
    trace = trace_program(source, limits=Limits(recursion_limit=30))
    f_steps = [s for s in trace.steps if s.frame == "f"]
    assert len(f_steps) == 29  # the module is frame 1; the call that would be frame 31 raises
    assert all(s.call and s.exception == "RecursionError: maximum recursion depth exceeded" for s in f_steps)
    assert trace.steps[-2].state["m"] == "'maximum recursion depth exceeded'"
    assert trace.steps[-1].state["x"] == "1"
    assert trace.status == "ok"


def test_program_may_raise_its_recursion_limit() -> None:
    source = ("import sys\nsys.setrecursionlimit(300)\nlimit = sys.getrecursionlimit()\n"
              "def depth(n):\n    return n if n == 250 else depth(n + 1)\nd = depth(1)\n")
    trace = trace_program(source, limits=Limits(recursion_limit=50, max_steps=100_000))
    assert trace.status == "ok"
    assert trace.steps[-1].state == {"limit": "300", "d": "250"}


def test_syntax_error_is_an_error_trace_without_steps() -> None:
    trace = trace_program("x = (1,\n")
    assert trace.status == "error"
    assert trace.steps == []
    assert trace.message.startswith("SyntaxError: ")


def test_step_limit_keeps_the_first_steps() -> None:
    trace = trace_program("i = 0\nwhile True:\n    i += 1\n", limits=Limits(max_steps=7))
    assert trace.status == "steps"
    assert trace.message == "the trace reached 7 steps (Limits.max_steps)"
    assert [s.line for s in trace.steps] == [1, 2, 3, 2, 3, 2, 3]
    assert trace.steps[-1].state == {"i": "3"}


def test_values_are_rendered_and_cut() -> None:
    source = "s = 'x' * 500\nbig = list(range(100))\nfrom collections import Counter\nc = Counter('abca')\n"
    state = trace_program(source, limits=Limits(max_value_chars=30)).steps[-1].state
    assert state == {"s": "'xxxxxxxxxxxxxxxxxxxxxxxxxxxx…", "big": "[0, 1, 2, 3, 4, 5, 6, 7, 8, 9…",
                     "c": "Counter({'a': 2, 'b': 1, 'c':…"}
    assert all(len(v) <= 30 for v in state.values())


def test_hidden_names_are_left_out_of_the_state() -> None:
    source = ("import math\nfrom os import path\n__x__ = 1\nf = len\ng = lambda: 0\nclass C: pass\n"
              "h = 'kept'\n")
    assert trace_program(source).steps[-1].state == {"h": "'kept'"}


class _Slots:
    __slots__ = ("a", "b")

    def __init__(self) -> None:
        self.a = 1


class _Plain:
    def __init__(self) -> None:
        self.items = [1]


class _BadRepr:
    def __repr__(self) -> str:
        raise KeyError("no")


@pytest.mark.parametrize(("value", "text"), [
    ({3, 1, 10, 2}, "{1, 2, 3, 10}"),
    ({"b", "a", 1}, "{'a', 'b', 1}"),
    (frozenset({2, 1}), "frozenset({1, 2})"),
    (set(), "set()"),
    ({"k": [1, (2,)]}, "{'k': [1, (2,)]}"),
    (_Plain(), "_Plain(items=[1])"),
    (_Slots(), "_Slots(a=1)"),
    (_BadRepr(), "<repr failed: KeyError>"),
    (collections.OrderedDict(a=1), "OrderedDict({'a': 1})"),
    (collections.defaultdict(list), "defaultdict(list, {})"),
    (collections.deque([1], maxlen=2), "deque([1], maxlen=2)"),
    (collections.namedtuple("P", "x y")(1, 2), "P(x=1, y=2)"),
    (list(range(25)), "[0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, …]"),
    ([[[[[[[[1]]]]]]]], "[[[[[[[…]]]]]]]"),
    (2**20000, "<int with 6021 digits>"),
    (0.1 + 0.2, "0.30000000000000004"),
    ("a\nb", "'a\\nb'"),
    (len, "<built-in function len>"),
], ids=lambda v: type(v).__name__ if not isinstance(v, str) else None)
def test_render_rules(value: object, text: str) -> None:
    assert render(value) == text


def test_render_flat_and_nested_containers_agree() -> None:
    # Flat containers of atoms take a fast path; nested ones the general renderer: same text either way.
    assert render([1, "a", None, 2.5]) == "[1, 'a', None, 2.5]"
    assert render([[1, "a", None, 2.5]]) == "[[1, 'a', None, 2.5]]"
    assert render((7,)) + render(((7,),)) == "(7,)((7,),)"
    assert render({1: "x" * 200}, 12) == "{1: 'xxxxxx…"
    assert render({1: ["x" * 200]}, 12) == "{1: ['xxxxx…"


class _Bytes(bytearray):
    pass


def test_render_bytearrays_as_python_does_but_only_what_is_shown() -> None:
    assert render(bytearray(b"a'b")) == repr(bytearray(b"a'b")) == 'bytearray(b"a\\\'b")'
    assert render(_Bytes(b"xy")) == "_Bytes(b'xy')"
    assert render(bytearray(10**7), 24) == "bytearray(b'\\x00\\x00\\x0…"


def test_render_sorts_at_most_sort_limit_elements() -> None:
    # Sorting needs every element: sets and Counters past the budget are shown by size, never sorted.
    assert render(set(range(1001))) == "<set with 1001 items>"
    assert render(frozenset(range(2000))) == "<frozenset with 2000 items>"
    assert render(collections.Counter(range(1001))) == "<Counter with 1001 items>"
    assert render(set(range(1000)), 30) == "{0, 1, 2, 3, 4, 5, 6, 7, 8, 9…"
    # The budget is per rendering: the first set takes 600 of the 1000, the second does not fit.
    assert render([set(range(600)), set(range(600))], 300) == (
        "[{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, …}, <set with 600 items>]")
    # Elements' keys are rendered with the same budget: a set of big sets cannot cost 1000 x 1000.
    assert render({frozenset(range(i, i + 600)) for i in (0, 1)}) == (
        "{<frozenset with 600 items>, <frozenset with 600 items>}")


def test_render_reads_only_the_attributes_it_shows() -> None:
    many = _Plain()
    for i in range(10**5):
        setattr(many, f"a{i}", i)
    assert render(many, 1000) == "_Plain(items=[1], " + ", ".join(f"a{i}={i}" for i in range(19)) + ", …)"


def test_render_cycles_and_addresses() -> None:
    a: list = [1]
    a.append(a)
    d: dict = {}
    d["me"] = d
    node = _Plain()
    node.items.append(node)

    def gen():
        yield 1

    assert render(a) == "[1, [...]]"
    assert render(d) == "{'me': {...}}"
    assert render(node) == "_Plain(items=[1, _Plain(...)])"
    assert render(gen()) == "<generator object test_render_cycles_and_addresses.gen>"


def _cli_args(path: Path, **kw: object) -> argparse.Namespace:
    parser = argparse.ArgumentParser()
    tracer_cli.add_arguments(parser)
    argv = [str(path)] + [x for k, v in kw.items() for x in (f"--{k.replace('_', '-')}", str(v))]
    return parser.parse_args(argv)


def test_cli_human_form(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    program = tmp_path / "p.py"
    program.write_text("x = 3\ny = [x]\nprint(y)\n")
    assert tracer_cli.run(_cli_args(program)) == 0
    assert capsys.readouterr().out == ("x = 3    # x = 3\ny = [x]  # y = [3]\nprint(y)\n\n"
                                       "--- stdout ---\n[3]\n--- status ---\nok\n")


def test_cli_json_with_stdin_and_limits(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    program, stdin = tmp_path / "p.py", tmp_path / "in.txt"
    program.write_text("a = input()\nwhile True:\n    pass\n")
    stdin.write_text("hello\n")
    args = _cli_args(program, stdin=stdin, max_steps=4)
    args.json = True
    assert tracer_cli.run(args) == 0
    printed = Trace.from_json(capsys.readouterr().out)
    assert printed.status == "steps"
    assert [s.line for s in printed.steps] == [1, 2, 3, 2]
    assert printed.steps[0].state == {"a": "'hello'"}


def test_cli_missing_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert tracer_cli.run(_cli_args(tmp_path / "nope.py")) == 2
    assert "no such program" in capsys.readouterr().err
