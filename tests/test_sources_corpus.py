"""How library code becomes programs (training/dataset/sources/corpus.py): imports, call sites, class and
method examples, expected exceptions, trimming; and the construct groups of the benchmark's breakdown."""

from __future__ import annotations

import ast

from codeexecutor.training.dataset.sources.corpus import (
    absolute_imports,
    literal_call_sites,
    module_programs,
    trimmed_module,
)
from codeexecutor.training.dataset.structure import construct_groups
from codeexecutor.training.tracing.tracer import trace_program


def test_relative_imports_become_absolute() -> None:
    src = ("import re\nfrom .recipes import (\n    take,\n    nth,\n)\nfrom .. import top\n"
           "if True:\n    from . import x\n")
    assert absolute_imports(src, "pkg.sub.more", is_package=False) == (
        "import re\nfrom pkg.sub.recipes import take, nth\nfrom pkg import top\nif True:\n    from pkg.sub import x\n")
    assert absolute_imports("from .m import f\n", "pkg", is_package=True) == "from pkg.m import f\n"
    assert absolute_imports("import os\n", "pkg", is_package=True) == "import os\n"


def test_literal_call_sites_keep_literal_arguments_only() -> None:
    sites = literal_call_sites(["toRoman(1994)\nfromRoman('XIV')\ntoRoman(n)\nx.pad('ab', width=4)\n"
                                "toRoman(1994)\nf(*xs)\ng()\n", "def (: broken"])
    assert sites == {"toRoman": ["1994"], "fromRoman": ["'XIV'"], "pad": ["'ab', width=4"]}


MODULE = '''"""A module."""
import os

CACHE = os.getpid()
LIMIT = 3


class Stack:
    """
    >>> s = Stack()
    >>> s.push(2)
    >>> s.pop()
    2
    """

    def __init__(self):
        self.items = []

    def push(self, x):
        self.items.append(x)

    def pop(self):
        """
        >>> Stack().pop()
        Traceback (most recent call last):
        IndexError: pop from empty list
        """
        return self.items.pop()


def clip(values):
    return [v for v in values if v < LIMIT]


def shout(word):
    return word.upper()


shout("hey")
'''


def test_classes_methods_and_call_sites_become_programs() -> None:
    progs = list(module_programs(MODULE, "m.py", kind="realcode", sites={"clip": ["[1, 5, 2]"]}))
    assert [p.id for p in progs] == ["m.py::Stack", "m.py::Stack.pop", "m.py::clip#0", "m.py::clip#1",
                                     "m.py::shout#0", "m.py::shout#1"]
    assert {p.kind for p in progs} == {"realcode"}
    stack, pop, clip = progs[0].program, progs[1].program, progs[2].program
    # Unreached definitions and module-level values (the pid) go, and so do docstrings; the rest is kept.
    assert "CACHE" not in stack and "def clip" not in stack and '"""' not in stack
    assert stack.endswith("s = Stack()\ns.push(2)\nprint(s.pop())\n")
    assert pop.endswith("try:\n    Stack().pop()\nexcept Exception as error:\n    print(type(error).__name__)\n")
    assert clip.endswith("print(clip([1, 5, 2]))\n") and "LIMIT = 3" in clip and "class Stack" not in clip
    assert progs[3].program.endswith("print(clip([5, 2, 8, 1, 9, 3]))\n")  # then a generated argument set
    assert trace_program(stack).stdout == "2\n"
    assert trace_program(pop).stdout == "IndexError\n"
    assert trace_program(clip).stdout == "[1, 2]\n"


def test_trim_keeps_what_other_module_code_reaches() -> None:
    src = "A = 1\nB = A + 1\nC = 5\n\n\ndef f():\n    return B\n"
    assert trimmed_module(src, ast.parse(src), {"f"}) == "A = 1\nB = A + 1\n\n\ndef f():\n    return B\n"


def test_construct_groups() -> None:
    program = ("class Box:\n    def __init__(self):\n        self.d = {}\n\n"
               "def f(words):\n    out = []\n    for w in words:\n        out.append(w.upper())\n"
               "    try:\n        out.index('x')\n    except ValueError:\n        pass\n    return out\n"
               "print(f(['a']))\n")
    assert construct_groups(program) == ("function calls", "loops", "string methods", "list methods", "dicts",
                                         "classes", "exceptions")
    assert construct_groups("x = 1\n") == ()
    assert construct_groups("def (") == ()


def test_trim_drops_imports_nothing_kept_uses() -> None:
    src = ("from __future__ import annotations\nimport os, re\nimport os.path\nfrom x import (a,\n    b)\n"
           "from y import *\n\n\ndef f():\n    return re.sub(a, '', 's')\n\n\ndef g():\n    return b\n")
    assert trimmed_module(src, ast.parse(src), {"f"}) == (
        "from __future__ import annotations\nimport re\nfrom x import a\nfrom y import *\n\n\n"
        "def f():\n    return re.sub(a, '', 's')\n\n\n")
