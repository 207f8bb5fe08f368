"""Constrained decoding: the static analysis (exact, on small programs), the token-level mask, and the proof
that the mask never excludes the truth: every token of the gold traces of real built datasets is allowed."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from codeexecutor.model.analysis import analyse
from codeexecutor.model.constraints import TokenTable, TraceConstraint, first_disallowed
from codeexecutor.model.engine import WEIGHTS_DIR
from codeexecutor.model.tokenizer import EOS, load_tokenizer
from codeexecutor.model.trace import MODULE_FRAME, STATUSES
from codeexecutor.training.dataset.build import BuildConfig, build
from codeexecutor.training.dataset.shards import SPLITS

REPO = Path(__file__).parent.parent
CODENET_FIXTURE = Path(__file__).parent / "fixtures" / "codenet"

NESTED = """\
def outer(xs):
    total = 0
    def inner(x):
        nonlocal total
        total += x
    for x in xs:
        inner(x)
    return total

class Stack:
    def push(self, item):
        self.items.append(item)

n = outer([1, 2])
"""

LOOP = """\
total = 0
for i in range(3):
    total = total + i
    if total > 1:
        break
else:
    total = -1
print(total)
"""

CAUGHT = """\
try:
    x = 1 // 0
except ZeroDivisionError as e:
    x = 0
y = x
"""


@pytest.fixture(scope="module")
def table() -> TokenTable:
    return TokenTable(load_tokenizer(WEIGHTS_DIR / "tokenizer.json"))


# -- the analysis -----------------------------------------------------------------------------------------

def test_frames_are_the_defined_functions_named_as_the_tracer_names_them() -> None:
    facts = analyse(NESTED)
    assert facts.frames is not None
    assert sorted(facts.frames) == ["<module>", "Stack.push", "outer", "outer.inner"]
    assert facts.called_frames() == {"Stack.push", "outer", "outer.inner"}
    assert facts.frames["outer.inner"].lines == {3, 5}  # the def line, and the body (nonlocal has no code)
    assert facts.frames["Stack.push"].lines == {11, 12}
    assert facts.frames[MODULE_FRAME].lines == {1, 10, 14}


def test_names_are_the_frames_variables_without_functions_classes_or_modules() -> None:
    frames = analyse(NESTED).frames
    assert frames is not None
    assert frames[MODULE_FRAME].names == {"n"}  # outer and Stack are only ever a function and a class
    assert frames["outer"].names == {"total", "x", "xs"}  # inner is only a function
    assert frames["outer.inner"].names == {"total", "x"}  # the free variable shows in the closure's state
    assert frames["Stack.push"].names == {"item", "self"}


def test_a_pure_line_may_change_only_what_it_binds() -> None:
    frames = analyse(LOOP).frames
    assert frames is not None
    module = frames[MODULE_FRAME]
    assert {line: module.step_names(line, False) for line in sorted(module.lines)} == {
        1: {"total"}, 2: {"i"}, 3: {"total"}, 4: set(), 5: set(), 7: {"total"}, 8: set()}


def test_a_line_that_may_mutate_or_call_the_program_may_change_every_name_of_its_frame() -> None:
    frames = analyse(NESTED).frames
    assert frames is not None
    outer = frames["outer"]
    assert outer.step_names(6, False) == {"x"}  # for x in xs: binds x
    assert outer.step_names(7, False) == {"total", "x", "xs"}  # inner(x) may change total (nonlocal)
    assert outer.step_names(2, True) == {"total", "xs"}  # the first step lists the arguments too
    assert frames["Stack.push"].step_names(12, False) == {"item", "self"}  # self.items.append(...)
    assert frames[MODULE_FRAME].step_names(14, False) == {"n"}


def test_a_call_changes_only_names_already_bound_or_declared_global() -> None:
    program = ("def grow(xs):\n    xs.append(1)\n    return len(xs)\n"
               "def setup():\n    global ready\n    ready = True\n"
               "items = []\ngrow(items)\ntotal = grow(items)\nsetup()\n")
    module = analyse(program).frames[MODULE_FRAME]
    assert module.step_names(8, False) == {"items", "total", "ready"}  # without what the run has bound
    # After ``items = []``, ``grow(items)`` may change items, or ``ready`` (a global of setup), never total yet.
    assert module.step_names(8, False, frozenset({"items"})) == {"items", "ready"}
    assert module.step_names(9, False, frozenset({"items"})) == {"items", "total", "ready"}  # binds total
    assert module.step_names(10, False, frozenset()) == {"ready"}


def test_the_mask_keeps_a_name_out_of_a_call_line_until_the_run_binds_it(table: TokenTable) -> None:
    program = "def grow(xs):\n    xs.append(1)\nitems = []\ngrow(items)\ntotal = len(items)\n"
    c = TraceConstraint(analyse(program), table)
    feed(c, table, "<line> 1 <line> 3 <s> items [] <call> grow <line> 2 <s> xs [1] <ret> None <line> 4 <s>")
    assert allowed_texts(c, table) & {"Ġitems", "Ġtotal"} == {"Ġitems"}


def test_a_builtin_given_a_mutating_method_may_change_every_name() -> None:
    program = "pool = [1, 2]\nresult = [0]\nout = tuple(map(pool.pop, result))\nkeys = sorted(pool, key=abs)\n"
    frames = analyse(program).frames
    assert frames is not None
    assert frames[MODULE_FRAME].step_names(3, False) == {"pool", "result", "out", "keys"}  # pop empties pool
    assert frames[MODULE_FRAME].step_names(4, False) == {"keys"}


@pytest.mark.parametrize(("program", "line", "names"), [
    # A queue's get takes the item out; a dict's get does not (without a queue module imported).
    ("import queue\nq = queue.Queue()\nq.put(1)\nfront = q.get()\n", 4, {"q", "front"}),
    ("d = {1: 2}\nfront = d.get(1)\n", 2, {"front"}),
    # A defaultdict's lookup stores the missing key.
    ("from collections import defaultdict\ng = defaultdict(list)\nfor v in g[0]:\n    pass\n", 3,
     {"defaultdict", "g", "v"}),
    ("g = {0: []}\nfor v in g[0]:\n    pass\n", 2, {"v"}),
])
def test_lookups_that_change_their_object_may_change_every_name(program: str, line: int, names: set[str]) -> None:
    frames = analyse(program).frames
    assert frames is not None
    assert frames[MODULE_FRAME].step_names(line, False) == names


def test_except_as_name_may_be_deleted_on_any_line_of_its_handler() -> None:
    frames = analyse(CAUGHT).frames
    assert frames is not None
    module = frames[MODULE_FRAME]
    assert [module.step_names(line, False) for line in (2, 3, 4, 5)] == [{"x"}, {"e"}, {"e", "x"}, {"y"}]


def test_successors_follow_loops_breaks_else_and_exception_handlers() -> None:
    frames = analyse(LOOP).frames
    assert frames is not None
    loop = frames[MODULE_FRAME]
    assert {line: loop.next_lines(line) for line in sorted(loop.lines)} == {
        1: {1, 2}, 2: {2, 3, 7}, 3: {3, 4}, 4: {2, 4, 5}, 5: {5, 8}, 7: {7, 8}, 8: {8}}
    assert loop.next_lines(None) == loop.lines  # the activation's first step: any of its lines
    caught = analyse(CAUGHT).frames
    assert caught is not None
    assert caught[MODULE_FRAME].next_lines(2) == {2, 3, 5}  # on, into the handler, or past it


def test_a_program_that_does_not_compile_constrains_lines_only_to_the_file() -> None:
    facts = analyse("x = (\ny = 2\n")
    assert facts.frames is None and facts.called_frames() is None
    assert facts.frame_lines(MODULE_FRAME) == {1, 2}
    assert facts.step_names(MODULE_FRAME, 1, False) is None


def test_globals_or_exec_leave_module_names_unconstrained() -> None:
    frames = analyse("globals()['a'] = 1\nprint(a)\n").frames
    assert frames is not None and frames[MODULE_FRAME].names is None


# -- the token-level mask ---------------------------------------------------------------------------------

def allowed_texts(constraint: TraceConstraint, table: TokenTable) -> set[str]:
    return {table.tokenizer.id_to_token(int(i)) for i in np.flatnonzero(constraint.allowed())}


def feed(constraint: TraceConstraint, table: TokenTable, text: str) -> None:
    for token in table.tokenizer.encode(text, add_special_tokens=False).ids:
        assert constraint.allowed()[token], table.tokenizer.id_to_token(token)
        constraint.advance(token)


def test_markers_names_lines_and_frames_are_only_what_the_program_has(table: TokenTable) -> None:
    c = TraceConstraint(analyse(NESTED), table)
    assert allowed_texts(c, table) == {"<line>", "<call>", "<stdout>", "<end>"}
    feed(c, table, "<line> 1 <line> 10 <line>")
    assert allowed_texts(c, table) == {"Ġ1"}  # after line 10 only line 14 (or 10 again) can come
    feed(c, table, " 14 <call>")
    first = allowed_texts(c, table)
    assert first == {table.tokenizer.id_to_token(table.spell(f)[0]) for f in ("outer", "outer.inner", "Stack.push")}
    feed(c, table, " outer <line> 2 ")
    assert allowed_texts(c, table) == {"<s>", "<d>", "<out>", "<ret>", "<exc>", "<line>", "<call>", "<stdout>",
                                       "<end>"}
    feed(c, table, "<s>")
    assert allowed_texts(c, table) == {table.tokenizer.id_to_token(table.spell(n)[0]) for n in ("total", "xs")}
    feed(c, table, " xs [1, 2] <s> total 0 <line> 3 <line> 6 <s> x 1 <line> 7 <call> outer.inner <line> 5 "
                   "<s> x 1 <s> total 1 <ret> None <line> 7 <s> total 1 <line> 6 <s> x 2 <line> 7 <call> outer.inner "
                   "<line> 5 <s> x 2 <s> total 3 <ret> None <line> 7 <s> total 3 <line> 6 <line> 8 <ret> 3 <line> 14 "
                   "<s> n 3 <end>")
    assert allowed_texts(c, table) == {table.tokenizer.id_to_token(table.spell(s)[0]) for s in STATUSES}
    feed(c, table, " ok")
    assert table.eos in np.flatnonzero(c.allowed())
    assert not c.allowed()[table.marker["<line>"]]


def test_the_module_never_returns_and_a_value_needs_content_before_the_next_marker(table: TokenTable) -> None:
    c = TraceConstraint(analyse(LOOP), table)
    feed(c, table, "<line> 1 ")
    assert "<ret>" not in allowed_texts(c, table)
    feed(c, table, "<s> total 0 <line> 2 <s> i 0 <line> 3 <s> total")
    assert not any(m.startswith("<") for m in allowed_texts(c, table))  # a value, never a marker, comes next
    feed(c, table, " 0 ")
    assert "<line>" in allowed_texts(c, table) and "<lt>" in allowed_texts(c, table)


LITERALS = """\
rate = 0.05
a, b = 'ok', {3, 1}
def grow(n: int) -> int:
    step: int = 2
    if n: step = 3
    return n + step
total = grow(1); total = 7
label = '<s>'
"""


def test_a_line_assigning_a_literal_gives_its_names_exactly_that_value() -> None:
    facts = analyse(LITERALS)
    assert facts.frames is not None
    assert facts.frames["<module>"].values == {1: {"rate": "0.05"}, 2: {"a": "'ok'", "b": "{1, 3}"}}
    # Not: a line with two statements (``if n: step = 3``, ``total = ...; total = 7``), nor a value the text
    # form may escape.
    assert facts.frames["grow"].values == {4: {"step": "2"}}
    assert facts.certain_value("grow", 4, "step") == "2" and facts.certain_value("grow", 4, "n") is None
    assert analyse("a, b, c = *[], 5, *[6, 7]\n").certain_value("<module>", 1, "b") is None  # b is 6


def test_the_mask_writes_a_certain_value_token_by_token(table: TokenTable) -> None:
    c = TraceConstraint(analyse(LITERALS), table)
    feed(c, table, "<line> 1 <s> rate")
    expected = table.tokenizer.encode(" 0.05 ", add_special_tokens=False).ids
    for token in expected:
        assert np.flatnonzero(c.allowed()).tolist() == [token]
        c.advance(token)
    assert "<line>" in allowed_texts(c, table) and "<lt>" not in allowed_texts(c, table)
    feed(c, table, "<line> 2 <s> a 'ok' <s> b {1, 3} <line> 3 <line> 7 <call> grow <line> 4 <s> n 1 <s> step")
    assert np.flatnonzero(c.allowed()).tolist() == table.tokenizer.encode(" 2", add_special_tokens=False).ids
    feed(c, table, " 2 <line> 5 <s> step")
    assert len(allowed_texts(c, table)) > 100  # line 5 may leave step at 2 or set it to 3: any value


def only(c: TraceConstraint, table: TokenTable, text: str) -> bool:
    """Whether the mask allows exactly the first token of ``text`` and nothing else."""
    return np.flatnonzero(c.allowed()).tolist() == table.tokenizer.encode(text, add_special_tokens=False).ids[:1]


def test_a_copy_takes_the_tokens_the_trace_wrote_for_its_source(table: TokenTable) -> None:
    program = "def pick(a, b):\n    c = a\n    return c\nx = 1\ny = pick([7, 8], x)\nx, y = y, x\n"
    facts = analyse(program)
    assert facts.copy_of("pick", 2, "c") == ("a", False) and facts.copy_of("<module>", 6, "x") == ("y", True)
    c = TraceConstraint(facts, table)
    # The model wrote a wrong value for a; c = a and return c repeat it (the trace stays consistent).
    feed(c, table, "<line> 1 <line> 4 <s> x 1 <call> pick <line> 2 <s> a [7, 9] <s> b 1 <s> c")
    assert only(c, table, " [")
    feed(c, table, " [7, 9] <line> 3 <ret>")
    assert only(c, table, " [")
    feed(c, table, " [7, 9] <line> 5 <s> y [7, 8] <line> 6 <s> x")
    assert only(c, table, " [")
    feed(c, table, " [7, 8] <s> y")
    assert only(c, table, " 1")  # x as it was before the line, not the value just written


EVENTS = """\
def find(xs, x):
    for i, v in enumerate(xs):
        if v == x: return i
    return -1
def gen():
    yield 1
    return 2
print('not found:', find([], 3), sep='')
print('done', 0.5)
"""


def test_a_literal_returned_or_printed_is_the_only_event_value(table: TokenTable) -> None:
    facts = analyse(EVENTS)
    assert facts.certain_value("find", 4, "<return>") == "-1"
    assert facts.certain_value("find", 3, "<return>") is None  # ``if v == x: return i``
    assert facts.certain_value("gen", 7, "<return>") is None  # a generator's return step shows what it yielded
    assert facts.certain_value("<module>", 8, "<output>") is None  # the call's value is not a literal
    assert facts.certain_value("<module>", 9, "<output>") == repr("done 0.5\n")
    c = TraceConstraint(facts, table)
    feed(c, table, "<line> 1 <line> 5 <line> 8 <call> find <line> 2 <s> xs [] <s> x 3 <line> 4 <ret>")
    assert np.flatnonzero(c.allowed()).tolist() == table.tokenizer.encode(" -", add_special_tokens=False).ids
    feed(c, table, " -1 <line> 8 <out> 'not found:-1\\n' <line> 9 <out>")
    assert np.flatnonzero(c.allowed()).tolist() == table.tokenizer.encode(" '", add_special_tokens=False).ids
    assert analyse("print = len\nprint('a')\n").certain_value("<module>", 2, "<output>") is None
    assert analyse("import sys\nsys.stdout = None\nprint('a')\n").certain_value("<module>", 3, "<output>") is None
    assert analyse("import builtins\nbuiltins.print = len\nprint('a')\n").certain_value(
        "<module>", 3, "<output>") is None


TYPO = """\
total = 0
print(totl)
"""


def test_a_name_error_names_only_a_name_the_program_holds(table: TokenTable) -> None:
    facts = analyse(TYPO)
    assert facts.name_error_names == {"total", "totl", "print"}
    head = '<line> 1 <s> total 0 <line> 2 <exc> "NameError: name '
    def refused(text: str) -> str | None:
        ids = table.tokenizer.encode(text + " <end> error" + EOS, add_special_tokens=False).ids
        at = first_disallowed(facts, table, ids)
        return None if at is None else table.tokenizer.id_to_token(ids[at])
    assert refused(head + "'totl' is not defined\"") is None
    assert refused(head + "'limit' is not defined\"") == "l"  # the model's favourite, from other programs
    assert refused(head + "'tot' is not defined\"") == "'"  # a prefix of a name is not a name
    assert refused('<line> 1 <s> total 0 <line> 2 <exc> "TypeError: name \'limit\'"') is None  # other errors: free


def test_a_program_that_names_name_error_may_raise_any_message() -> None:
    assert analyse('raise NameError("name \'ghost\' is not defined")\n').name_error_names is None
    assert analyse("x = eval('y')\n").name_error_names is None


# -- the proof: gold traces of real datasets pass the mask ----------------------------------------------------

@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> dict[str, list[dict]]:
    """Small real datasets of every kind (the real builder, sources and tracer), all their records."""
    configs = {
        "singleline": dict(size=40, mutants_per_program=2, seed=2),
        "tutorial": dict(size=6, mutants_per_program=3),
        "generated": dict(size=40, mutants_per_program=1, seed=4),
        "codenet": dict(size=10, corpus=(str(CODENET_FIXTURE),), mutants_per_program=3),
    }
    out: dict[str, list[dict]] = {}
    for kind, flags in configs.items():
        root = tmp_path_factory.mktemp(kind)
        build(BuildConfig(kind=kind, out=str(root), **flags))  # type: ignore[arg-type]
        out[kind] = [json.loads(line) for split in SPLITS for path in sorted((root / split).glob("*.jsonl"))
                     for line in path.read_text(encoding="utf-8").splitlines()]
    return out


@pytest.mark.parametrize("kind", ["singleline", "tutorial", "generated", "codenet"])
def test_every_gold_token_of_every_split_is_allowed(built: dict[str, list[dict]], table: TokenTable,
                                                    kind: str) -> None:
    records = built[kind]
    assert len(records) >= 10 and {r["kind"] for r in records} == {kind}
    refused = []
    for r in records:
        ids = table.tokenizer.encode(r["text"] + EOS, add_special_tokens=False).ids
        at = first_disallowed(analyse(r["program"]), table, ids)
        if at is not None:
            refused.append((r["id"], table.tokenizer.decode(ids[max(0, at - 12):at + 1], skip_special_tokens=False)))
    assert refused == []


# -- the shipped model under the mask ---------------------------------------------------------------------

def test_predict_names_only_lines_frames_and_names_the_program_has() -> None:
    program = REPO / "examples" / "functions.py"
    run = subprocess.run([sys.executable, "-m", "codeexecutor", "predict", str(program), "--json"],
                         capture_output=True, text=True, timeout=120, check=True)
    trace = json.loads(run.stdout)
    facts = analyse(program.read_text())
    assert facts.frames is not None and trace["steps"]
    for step in trace["steps"]:
        frame = facts.frames[step["frame"]]
        assert step["line"] in frame.lines
        assert frame.names is not None and set(step["state"]) <= frame.names
