"""A program's structure (its AST with names and constants abstracted) and the constructs it uses.

``structure_hash`` measures diversity: two programs that differ only in names or constant values hash the
same. Names become ``_0, _1, ...`` in their order of first use (variables, parameters, functions, classes,
attributes the program sets), constants their type (``int``, ``str``); builtins (``len``) and methods of
the builtin types (``.split``) stay, as they are structure. Example::

    structure_hash("total = 0\\nfor x in nums:\\n    total += x\\n")
    == structure_hash("count = 5\\nfor item in values:\\n    count += item\\n")

``constructs`` names what a program uses (a call of a function it defines, a loop, a string method, ...);
the dataset report counts the share of records that use each. Both come from one pass over the AST
(``describe``), as the report runs them on every record of a build.
"""

from __future__ import annotations

import ast
import builtins
import hashlib

_BUILTINS = frozenset(dir(builtins))
_TYPE_METHODS = {t: frozenset(n for n in dir(t) if not n.startswith("_")) for t in (str, list, dict, set)}
_METHODS = frozenset().union(*_TYPE_METHODS.values())
# A method counts for a type only when its name says the type: count, index, pop, copy, clear, update ... of
# several types are not counted.
_METHOD_LABEL = {m: f"{t.__name__.replace('str', 'string')} method" for t, names in _TYPE_METHODS.items()
                 for m in names if all(m not in other for u, other in _TYPE_METHODS.items() if u is not t)}
CONSTRUCTS = ("calls own function", "function", "class", "loop", "for", "while", "nested loop", "if",
              "break/continue", "early return", "recursion", "generator", "comprehension", "try/except",
              "raise", "string method", "list method", "dict method", "set method", "dict", "slicing",
              "f-string", "tuple unpacking", "print")
# The benchmark's per-construct breakdown (codeexecutor evaluate): each group and the constructs that put a
# program in it; a program counts in every group it has.
CONSTRUCT_GROUPS = {"function calls": ("calls own function",), "loops": ("loop",),
                    "string methods": ("string method",), "list methods": ("list method",),
                    "dicts": ("dict", "dict method"), "classes": ("class",), "exceptions": ("try/except", "raise")}
_PLAIN = {ast.ClassDef: "class", ast.If: "if", ast.IfExp: "if", ast.Break: "break/continue",
          ast.Continue: "break/continue", ast.Yield: "generator", ast.YieldFrom: "generator",
          ast.ListComp: "comprehension", ast.SetComp: "comprehension", ast.GeneratorExp: "comprehension",
          ast.Try: "try/except", ast.Raise: "raise", ast.Dict: "dict", ast.JoinedStr: "f-string"}
_NAMED = ("name", "attr", "id", "arg")  # written by the visitor itself, abstracted


class _Walk:
    """One pass: the abstracted token stream (``out``) and the constructs seen (``found``)."""

    def __init__(self, tree: ast.Module) -> None:
        self.names: dict[str, str] = {}
        self.out: list[object] = []
        self.found: set[str] = set()
        self.loops = 0
        self.functions: list[list] = []  # per enclosing def: [name, returns seen]
        self.defined: set[str] = set()
        self.called: set[str] = set()  # names called (``f(...)``, ``obj.f(...)``): own ones known at the end
        self.visit(tree)
        if self.called & self.defined:
            self.found.add("calls own function")

    def name(self, name: str) -> str:
        return self.names.setdefault(name, f"_{len(self.names)}")

    def visit(self, node: ast.AST) -> None:
        out, found, t = self.out, self.found, type(node)
        out.append(t.__name__)
        if t in _PLAIN:
            found.add(_PLAIN[t])
        if t is ast.Name:
            out.append(node.id if node.id in _BUILTINS and node.id not in self.names else self.name(node.id))
            return
        if t is ast.Constant:
            out.append(type(node.value).__name__)
            return
        if t is ast.arg:
            out.append(self.name(node.arg))
            return
        if t is ast.Attribute:
            out.append(node.attr if node.attr in _METHODS and node.attr not in self.names else self.name(node.attr))
        elif t is ast.ClassDef:
            out.append(self.name(node.name))
            self.defined.add(node.name)
        elif t is ast.Call:
            self.call(node.func)
        elif t is ast.Subscript and type(node.slice) is ast.Slice:
            found.add("slicing")
        elif t is ast.DictComp:
            found.update(("comprehension", "dict"))
        elif t is ast.Assign and any(type(x) is ast.Tuple for x in node.targets):
            found.add("tuple unpacking")
        elif t is ast.Return and self.functions:
            self.functions[-1][1] += 1
        if t is ast.For or t is ast.While:
            found.update(("loop", "for" if t is ast.For else "while"))
            if self.loops:
                found.add("nested loop")
            if t is ast.For and type(node.target) is ast.Tuple:
                found.add("tuple unpacking")
            self.loops += 1
            self.fields(node)
            self.loops -= 1
        elif t is ast.FunctionDef:
            found.add("function")
            out.append(self.name(node.name))
            self.defined.add(node.name)
            self.functions.append([node.name, 0])
            saved, self.loops = self.loops, 0
            self.fields(node)
            self.loops = saved
            _, returns = self.functions.pop()
            if returns > 1 or (returns and type(node.body[-1]) is not ast.Return):
                found.add("early return")
        else:
            self.fields(node)

    def call(self, f: ast.expr) -> None:
        found = self.found
        if type(f) is ast.Name:
            self.called.add(f.id)
            if any(f.id == name for name, _ in self.functions):
                found.add("recursion")
            elif f.id in ("print", "dict") and f.id not in self.names:
                found.add(f.id)
        elif type(f) is ast.Attribute:
            self.called.add(f.attr)
            label = _METHOD_LABEL.get(f.attr)
            if label:
                found.add(label)
                if label == "dict method":
                    found.add("dict")

    def fields(self, node: ast.AST) -> None:
        out = self.out
        for field in node._fields:
            if field == "ctx":
                continue
            value = getattr(node, field)
            if type(value) is list:
                out.append(len(value))
                for item in value:
                    if isinstance(item, ast.AST):
                        self.visit(item)
                    else:
                        out.append(item)
            elif isinstance(value, ast.AST):
                self.visit(value)
            elif value is not None and field not in _NAMED:
                out.append(value)


def _walk(program: str) -> _Walk | None:
    try:
        return _Walk(ast.parse(program))
    except (SyntaxError, ValueError, RecursionError):
        return None


def _digest(walk: _Walk) -> str:
    return hashlib.blake2b(repr(walk.out).encode(), digest_size=8).hexdigest()


def structure_hash(program: str) -> str | None:
    """16 hex digits naming the program's structure; None when it does not parse."""
    walk = _walk(program)
    return None if walk is None else _digest(walk)


def constructs(program: str) -> set[str]:
    """The names in ``CONSTRUCTS`` that ``program`` uses (empty when it does not parse)."""
    walk = _walk(program)
    return set() if walk is None else walk.found


# A program's structure hash (None: it does not parse) and the constructs it uses.
Description = tuple["str | None", set[str]]


def describe(program: str) -> Description:
    """``structure_hash`` and ``constructs`` of a program from one parse."""
    walk = _walk(program)
    return (None, set()) if walk is None else (_digest(walk), walk.found)


def describe_tree(tree: ast.Module) -> Description:
    """``describe`` of a program already parsed (the tree is only read)."""
    try:
        walk = _Walk(tree)
    except RecursionError:
        return None, set()
    return _digest(walk), walk.found


def construct_groups(program: str) -> tuple[str, ...]:
    """The ``CONSTRUCT_GROUPS`` that ``program`` has, in their order."""
    found = constructs(program)
    return tuple(g for g, members in CONSTRUCT_GROUPS.items() if found.intersection(members))
