"""Certain calls: which lines must call a program function before their step, and the mask that makes the
model write that ``<call>`` instead of skipping the function (gold traces of real runs are never refused)."""

from __future__ import annotations

import ast
from collections import Counter

import pytest

from codeexecutor.model.analysis import analyse
from codeexecutor.model.calls import CallFacts, CertainCall, bindings, call_facts
from codeexecutor.model.constraints import TokenTable, TraceConstraint, first_disallowed
from codeexecutor.model.engine import WEIGHTS_DIR
from codeexecutor.model.tokenizer import EOS, load_tokenizer
from codeexecutor.model.trace import MODULE_FRAME, to_text
from codeexecutor.training.tracing.tracer import trace_program

ADD = """\
def add(a, b):
    total = a + b
    return total


x = add(2, 3)
y = x * 2
print(add(y, 1))
"""


@pytest.fixture(scope="module")
def table() -> TokenTable:
    return TokenTable(load_tokenizer(WEIGHTS_DIR / "tokenizer.json"))


def facts_of(program: str) -> CallFacts:
    tree = ast.parse(program)
    return call_facts(tree, Counter(bindings(tree)))


def test_a_call_with_constant_or_name_arguments_is_certain() -> None:
    facts = facts_of(ADD)
    assert facts.certain == {
        (MODULE_FRAME, 6): CertainCall(callee="add", defined_at=1, names=frozenset()),
        (MODULE_FRAME, 8): CertainCall(callee="add", defined_at=1, names=frozenset({"y"})),
    }
    assert facts.once == {MODULE_FRAME: frozenset({1, 6, 7, 8}), "add": frozenset({2})}


@pytest.mark.parametrize("line", [
    "x = add(xs[0], 1)",  # the argument may fail before the call
    "x = add(1, 2) if flag else 0",  # the call may not run
    "x = len(xs) + add(1, 2)",  # len may fail first
    "x = add(*xs)",
    "x = 1; y = add(1, 2)",  # two statements on the line
    "x = [add(i, 1) for i in range(3)]",  # called from the comprehension's frame
])
def test_a_call_that_may_not_happen_first_is_not_certain(line: str) -> None:
    program = f"def add(a, b):\n    return a + b\n{line}\n"
    assert facts_of(program).certain == {}


@pytest.mark.parametrize("program", [
    "def add(a, b):\n    return a + b\nadd = max\nx = add(1, 2)\n",  # rebound: maybe not the def
    "@staticmethod\ndef add(a, b):\n    return a + b\nx = add(1, 2)\n",  # decorated
    "def add(a, b):\n    yield a\nx = add(1, 2)\n",  # a generator's frame opens later
    "def add(a, b):\n    return a + b\nprint = len\nx = print(add(1, 2))\n",  # print is not the builtin
])
def test_only_plain_functions_of_the_program_are_certain_callees(program: str) -> None:
    assert facts_of(program).certain == {}


def text_of(program: str) -> str:
    return to_text(trace_program(program)) + EOS


def test_the_gold_trace_is_allowed_and_skipping_the_call_is_not(table: TokenTable) -> None:
    gold = text_of(ADD)
    assert gold.startswith("<line> 1 <call> add <line> 2")
    facts = analyse(ADD)
    assert first_disallowed(facts, table, table.tokenizer.encode(gold, add_special_tokens=False).ids) is None

    c = TraceConstraint(facts, table)
    for token in table.tokenizer.encode("<line> 1 ", add_special_tokens=False).ids:
        c.advance(token)
    assert not c.allowed()[table.marker["<line>"]]  # line 6 is next, and it calls add first
    assert c.allowed()[table.marker["<call>"]]


def test_no_call_is_owed_while_an_argument_is_unbound(table: TokenTable) -> None:
    # The call on line 3 names ``n``, which no step has bound: it may raise a NameError before calling.
    program = "def twice(v):\n    return 2 * v\nm = twice(n)\n"
    c = TraceConstraint(analyse(program), table)
    for token in table.tokenizer.encode("<line> 1 ", add_special_tokens=False).ids:
        c.advance(token)
    assert c.allowed()[table.marker["<line>"]]
    trace = trace_program(program)
    assert trace.status == "error" and "<call>" not in to_text(trace)
    ids = table.tokenizer.encode(text_of(program), add_special_tokens=False).ids
    assert first_disallowed(analyse(program), table, ids) is None


def test_calls_made_inside_the_callee_s_first_line_may_come_first(table: TokenTable) -> None:
    # ``<call>`` comes with a frame's first finished step, so helper's frame is written before outer's.
    program = ("def helper(x):\n    return x + 1\ndef outer(x):\n    return helper(x) * 2\n"
               "r = outer(3)\nprint(r)\n")
    gold = text_of(program)
    assert gold.index("<call> helper") < gold.index("<call> outer")
    ids = table.tokenizer.encode(gold, add_special_tokens=False).ids
    assert first_disallowed(analyse(program), table, ids) is None
