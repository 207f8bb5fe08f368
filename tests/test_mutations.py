"""Mutations: an exact before/after for every operator, site numbering, and never raising on real code."""

from __future__ import annotations

import random

import libcst as cst
import pytest

from codeexecutor.training.dataset.mutants import apply_at, apply_path, collect_sites, mutants, mutate
from codeexecutor.training.dataset.mutations import OPERATORS

# (operator, before, seed, after): one site each, so the seed only picks among an operator's variants.
CASES = [
    ("arithmetic", "x = a + b\n", 0, "x = a - b\n"),
    ("arithmetic", "x = a * b\n", 0, "x = a // b\n"),
    ("arithmetic", "x = a ** 2\n", 0, "x = a * 2\n"),
    ("relational", "ok = a < b\n", 0, "ok = a <= b\n"),
    ("relational", "ok = a == b\n", 0, "ok = a != b\n"),
    ("relational", "ok = a in b\n", 0, "ok = a not in b\n"),
    ("relational", "ok = a is not None\n", 0, "ok = a is None\n"),
    ("logical", "ok = a and b\n", 0, "ok = a or b\n"),
    ("not_removal", "ok = not a\n", 0, "ok = a\n"),
    ("not_removal", "if not(a):\n    pass\n", 0, "if (a):\n    pass\n"),
    ("condition", "if a > b:\n    x = 1\n", 0, "if not (a > b):\n    x = 1\n"),
    ("condition", "while not done:\n    done = True\n", 0, "while done:\n    done = True\n"),
    ("condition", "if ok:\n    x = 1\n", 0, "if not ok:\n    x = 1\n"),
    ("assignment", "x += 2\n", 0, "x -= 2\n"),
    ("assignment", "x *= 2\n", 0, "x //= 2\n"),
    ("bitwise", "x = a & b\n", 0, "x = a | b\n"),
    ("bitwise", "x = a << 1\n", 0, "x = a >> 1\n"),
    ("unary", "x = -a\n", 0, "x = a\n"),
    ("unary", "x = ~a\n", 0, "x = -a\n"),
    ("number", "x = 5\n", 0, "x = 4\n"),
    ("number", "x = 0\n", 0, "x = 1\n"),
    ("number", "x = 2.5\n", 1, "x = 3.5\n"),
    ("string", "s = 'abc'\n", 0, "s = 'bc'\n"),
    ("string", "s = ''\n", 0, "s = 'x'\n"),
    ("boolean", "flag = True\n", 0, "flag = False\n"),
    ("break_continue", "for i in r:\n    break\n", 0, "for i in r:\n    continue\n"),
    ("break_continue", "for i in r:\n    continue\n", 0, "for i in r:\n    break\n"),
    ("index", "x = a[i]\n", 0, "x = a[i - 1]\n"),
    ("index", "x = a[0]\n", 1, "x = a[1]\n"),
    ("index", "x = a[n % 3]\n", 1, "x = a[n % 3 + 1]\n"),
    ("slice", "x = a[1:]\n", 0, "x = a[:]\n"),
    ("slice", "x = a[:]\n", 0, "x = a[::-1]\n"),
    ("slice", "x = a[::2]\n", 0, "x = a[:]\n"),
    ("argument_swap", "x = f(a, b)\n", 0, "x = f(b, a)\n"),
    ("operand_swap", "x = a - b\n", 0, "x = b - a\n"),
    ("operand_swap", "x = a - b - c\n", 0, "x = c - (a - b)\n"),
    ("statement_deletion", "x = 1\ny = 2\n", 0, "x = 1\n"),
    ("range", "for i in range(n):\n    pass\n", 0, "for i in range(n + 1):\n    pass\n"),
    ("range", "for i in range(1, 5):\n    pass\n", 1, "for i in range(0, 5):\n    pass\n"),
]


def test_every_operator_has_a_case() -> None:
    assert {c[0] for c in CASES} == set(OPERATORS)
    assert len(OPERATORS) >= 14


@pytest.mark.parametrize(("operator", "before", "seed", "after"), CASES)
def test_before_after(operator: str, before: str, seed: int, after: str) -> None:
    assert mutate(before, operator, random.Random(seed)) == after


@pytest.mark.parametrize(("operator", "source"), [
    ("string", 'def f():\n    """doc"""\n    return 1\n'),  # docstrings are not sites
    ("statement_deletion", "import os\nx = 1\n"),  # imports are kept; x = 1 is not the only statement...
    ("statement_deletion", "if a:\n    x = 1\n"),  # ...but the only statement of a block is never deleted
    ("index", "def f(x: list[int]) -> dict[str, int]:\n    return {}\n"),  # annotations index nothing
    ("index", "d = {}\nv = d['key']\n"),  # a string key shifted by one is only ever a TypeError
    ("argument_swap", "xs = list(map(int, s))\n"),  # map(s, int) is only ever a TypeError
    ("arithmetic", "x = a & b\n"),
])
def test_no_site(operator: str, source: str) -> None:
    tree = cst.parse_module(source)
    paths = collect_sites(tree, [operator])[operator]
    if operator == "statement_deletion" and source.startswith("import"):
        assert [p[-1].body[0].__class__.__name__ for p in paths] == ["Assign"]
    else:
        assert paths == []


def test_unknown_operator_names_the_known_ones() -> None:
    with pytest.raises(KeyError, match="arithmetic"):
        mutate("x = 1\n", "nonsense", random.Random(0))


def test_program_that_does_not_parse_gives_none() -> None:
    assert mutate("x = (\n", "number", random.Random(0)) is None
    assert mutants("x = (\n", 3, random.Random(0)) == []


PROGRAM = '''def f(a, b):
    """Sum some items."""
    s = 0
    for i in range(1, len(a)):
        if a[i] < b and not s:
            s += a[i] * 2 - 1
        elif i == 3:
            break
    x = a[1:] + [-1]
    return s, "hi", True, x, a[:], a[::2] if b else f(b, a)


print(f([1, 2, 3, 4], 3))
'''


def test_path_rebuild_agrees_with_the_transformer_pass() -> None:
    tree = cst.parse_module(PROGRAM)
    sites = collect_sites(tree)
    assert sum(len(p) for p in sites.values()) == 41
    for operator, paths in sites.items():
        for i, path in enumerate(paths):
            expected = apply_at(tree, operator, i, random.Random(i))
            assert apply_path(operator, path, random.Random(i)) == expected


def test_mutants_are_distinct_valid_and_seeded() -> None:
    got = mutants(PROGRAM, 12, random.Random(7))
    assert len(got) == 12
    codes = [code for _, code in got]
    assert len(set(codes)) == 12 and PROGRAM not in codes
    for code in codes:
        compile(code, "<m>", "exec")
    assert got == mutants(PROGRAM, 12, random.Random(7))
    assert got != mutants(PROGRAM, 12, random.Random(8))


def test_stacked_mutants_name_every_operator() -> None:
    got = mutants(PROGRAM, 20, random.Random(3), max_order=3)
    orders = {len(op.split("+")) for op, _ in got}
    assert orders == {1, 2, 3}
    assert all(name in OPERATORS for op, _ in got for name in op.split("+"))


def test_never_raises_on_the_tutorial_seeds() -> None:
    from codeexecutor.training.dataset.sources.tutorial import load_seeds

    for i, seed in enumerate(load_seeds()[:20]):
        for operator, code in mutants(seed.program, 6, random.Random(i), max_order=2):
            assert code != seed.program
            compile(code, operator, "exec")
