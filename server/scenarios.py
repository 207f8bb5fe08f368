"""Program text -> scenarios: the self-contained programs the model is asked to run.

The module's own code is one scenario (its stdin from ``# stdin: ...`` comments). A top-level function gets
one from the first of: an example set by the ``codeexecutor.setExample`` command, a ``# example: f(3)``
comment directly above it, its docstring's first doctest calling it (with the ``>>>`` lines before it as
set-up), a call to it in the module's own code (module level or under ``if __name__ == "__main__":``) whose
arguments only use module-level names; otherwise it gets none. A scenario's program is the function (or the
module code), what it needs from the file (imports, constants, functions and classes it names, transitively)
in file order, and the call; its line map sends the program's lines back to the file's. Two scenarios never
show the same line: a function with its own scenario owns its lines, the module scenario owns the rest.
"""

from __future__ import annotations

import ast
import builtins
import hashlib
import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache

from codeexecutor.model.trace import MODULE_FRAME
from codeexecutor.server.chunks import Statement, outline, parse
from codeexecutor.server.positions import split_lines
from codeexecutor.server.unpredicted import (
    Unpredicted,
    async_function,
    needs_broken_code,
    no_example,
    syntax_error,
    syntax_error_reason,
    text_problem,
    unresolved_names,
)

_EXAMPLE = re.compile(r"#\s*example:\s*(.+?)\s*$", re.IGNORECASE)
_STDIN = re.compile(r"#\s*stdin:\s?(.*)$", re.IGNORECASE)
_FUNCTIONS = (ast.FunctionDef, ast.AsyncFunctionDef)
_DEFINITIONS = (*_FUNCTIONS, ast.ClassDef)
_BINDINGS = (*_DEFINITIONS, ast.Assign, ast.AnnAssign, ast.AugAssign, ast.Import, ast.ImportFrom)
_BUILTINS = frozenset(dir(builtins))


@dataclass(frozen=True)
class Scenario:
    """One model call: a self-contained program and where its lines are in the file."""

    name: str  # MODULE_FRAME or the function's name
    source: str  # where the example came from: module, command, comment, doctest, call
    call: str  # the example call appended to the program ("" for the module)
    program: str
    stdin: str
    line_map: tuple[int | None, ...]  # program line i+1 -> 0-based file line (None: not from the file)
    owned: tuple[tuple[int, int], ...]  # 0-based inclusive file line ranges whose hints come from here
    digest: str  # hash of program and stdin: the prediction cache key

    def file_line(self, program_line: int) -> int | None:
        """The 0-based file line of a 1-based program line, if it came from the file."""
        return self.line_map[program_line - 1] if 1 <= program_line <= len(self.line_map) else None

    def owns(self, file_line: int) -> bool:
        return any(a <= file_line <= b for a, b in self.owned)


@dataclass(frozen=True)
class Analysis:
    """A document's scenarios, the line ranges that do not parse, and why the rest is not predicted."""

    scenarios: tuple[Scenario, ...]
    broken: tuple[tuple[int, int], ...]
    unpredicted: tuple[Unpredicted, ...] = ()  # syntax errors, functions without an example, ...
    problem: str = ""  # why the whole file is not predicted (a NUL byte, text that was not UTF-8)

    def owner(self, file_line: int) -> Scenario | None:
        return next((s for s in self.scenarios if s.owns(file_line)), None)

    def why_unpredicted(self, file_line: int) -> str:
        """Why this line gets no prediction ("" if nothing says it should not)."""
        if self.problem:
            return self.problem
        return next((u.reason for u in self.unpredicted if u.covers(file_line)), "")


def analyse(text: str, examples: Mapping[str, str] | None = None) -> Analysis:
    """The scenarios of a document; ``examples`` maps function names to calls set by the user."""
    if not text.strip():
        return Analysis((), ())  # nothing to run: an empty file never reaches the model
    if problem := text_problem(text):
        return Analysis((), (), problem=problem)
    lines = split_lines(text)
    shape = outline(lines)
    statements = shape.statements
    index = _Index(statements)
    scenarios: list[Scenario] = []
    notes: list[Unpredicted] = []
    owned_by_functions: set[int] = set()
    for i, st in enumerate(statements):
        node = st.nodes[0]
        if len(st.nodes) != 1 or not isinstance(node, _FUNCTIONS):
            continue
        if isinstance(node, ast.AsyncFunctionDef):
            notes.append(Unpredicted(st.first, st.last, async_function(node.name)))
            continue
        found = _example(node, st, lines, index, examples or {})
        if found is None:
            notes.append(Unpredicted(st.first, st.last, no_example(node.name, _bad_example(st, lines))))
            continue
        source, call = found
        needed = index.closure([i], extra_uses=_free_names(call))
        program, line_map = _program([statements[j] for j in needed], lines, call)
        scenarios.append(_scenario(node.name, source, call, program, "", line_map, ((st.first, st.last),)))
        owned_by_functions.add(i)
    module = _module_scenario(statements, lines, index, owned_by_functions)
    if module is not None:
        scenarios.insert(0, module)
    errors = [syntax_error(lines, a, b) for a, b in shape.broken]
    notes += [Unpredicted(a, b, syntax_error_reason(*e)) for (a, b), e in zip(shape.broken, errors, strict=True)]
    if errors:
        scenarios, blocked = _without_blocked(scenarios, errors[0])
        notes += blocked
    # Notes are searched in order: a syntax error or a blocked scenario says more than "no example".
    notes.sort(key=lambda u: not u.reason.startswith(("Syntax error", "Not predicted")))
    return Analysis(tuple(scenarios), shape.broken, tuple(notes))


def _without_blocked(scenarios: list[Scenario], error: tuple[int, str]) -> tuple[list[Scenario],
                                                                                  list[Unpredicted]]:
    """Scenarios that read a name nothing parsed binds are not predicted while the file has a syntax error:
    the broken part probably defines it, and the prediction would be a NameError the file does not have."""
    kept: list[Scenario] = []
    blocked: list[Unpredicted] = []
    for s in scenarios:
        if missing := unresolved_names(s.program):
            blocked += [Unpredicted(a, b, needs_broken_code(missing, *error)) for a, b in s.owned]
        else:
            kept.append(s)
    return kept, blocked


def _bad_example(st: Statement, lines: list[str]) -> str:
    """The text of an ``# example:`` comment above the statement that does not parse ("" if none)."""
    for line in lines[st.first:st.code]:
        if (m := _EXAMPLE.match(line)) and parse(m.group(1)) is None:
            return m.group(1)
    return ""


def _module_scenario(statements: tuple[Statement, ...], lines: list[str], index: _Index,
                     skip: set[int]) -> Scenario | None:
    roots = [i for i, st in enumerate(statements) if _is_module_code(st)]
    if not roots:
        return None
    needed = index.closure(roots)
    program, line_map = _program([statements[j] for j in needed], lines, "")
    stdin = "".join(m.group(1) + "\n" for line in lines if (m := _STDIN.match(line)))
    owned = tuple((st.first, st.last) for i, st in enumerate(statements) if i not in skip)
    return _scenario(MODULE_FRAME, "module", "", program, stdin, line_map, owned)


def _scenario(name: str, source: str, call: str, program: str, stdin: str, line_map: tuple[int | None, ...],
              owned: tuple[tuple[int, int], ...]) -> Scenario:
    digest = hashlib.sha256(f"{program}\x00{stdin}".encode("utf-8", "surrogatepass")).hexdigest()[:24]
    return Scenario(name, source, call, program, stdin, line_map, owned, digest)


def _is_module_code(st: Statement) -> bool:
    """Whether the statement does something when the module runs (beyond defining and importing)."""
    for node in st.nodes:
        if isinstance(node, (*_DEFINITIONS, ast.Import, ast.ImportFrom)):
            continue
        if isinstance(node, ast.Expr) and isinstance(getattr(node.value, "value", None), str):
            continue  # a docstring
        return True
    return False


def _example(node: ast.FunctionDef, st: Statement, lines: list[str], index: _Index,
             examples: Mapping[str, str]) -> tuple[str, str] | None:
    """(source, call) of the function's example, in the documented order of precedence."""
    if (call := examples.get(node.name, "").strip()) and parse(call) is not None:
        return "command", call
    for line in lines[st.first:st.code]:
        if (m := _EXAMPLE.match(line)) and parse(m.group(1)) is not None:
            return "comment", m.group(1)
    if (call := _doctest_call(node)) and parse(call) is not None:
        return "doctest", call
    if (call := index.call_in_module(node.name)) is not None:
        return "call", call
    return None


def _doctest_call(node: ast.FunctionDef) -> str | None:
    """The docstring's ``>>>`` examples up to the first one calling the function, as one program."""
    doc = ast.get_docstring(node)
    if not doc:
        return None
    calls_it = re.compile(rf"\b{re.escape(node.name)}\s*\(")
    examples: list[list[str]] = []
    for line in doc.splitlines():
        stripped = line.strip()
        if stripped.startswith(">>>"):
            if examples and calls_it.search("\n".join(examples[-1])):
                break
            examples.append([_after_prompt(stripped)])
        elif stripped.startswith("...") and examples:
            examples[-1].append(_after_prompt(stripped))
    while examples and not calls_it.search("\n".join(examples[-1])):
        examples.pop()
    return "\n".join("\n".join(e) for e in examples) or None


def _after_prompt(line: str) -> str:
    return line[4:] if line[3:4] == " " else line[3:]


def _free_names(code: str) -> set[str]:
    """Names ``code`` reads that it does not bind itself (lambda parameters, comprehension targets)."""
    tree = parse(code)
    if tree is None:
        return set()
    loads, binds = set(), set()
    for n in ast.walk(tree):
        if isinstance(n, ast.Name):
            (loads if isinstance(n.ctx, ast.Load) else binds).add(n.id)
        elif isinstance(n, ast.arg):
            binds.add(n.arg)
    return loads - binds


def _program(statements: list[Statement], lines: list[str], call: str) -> tuple[str, tuple[int | None, ...]]:
    """The statements' text in file order, then the call; and where each program line is in the file."""
    out: list[str] = []
    line_map: list[int | None] = []
    previous: Statement | None = None
    for st in statements:
        # One blank line around definitions, whatever the file has: the program must not change when only
        # the spacing around it does (it is the cache key).
        if previous is not None and (_is_definition(previous) or _is_definition(st)):
            out.append("")
            line_map.append(None)
        out += lines[st.first:st.last + 1]
        line_map += range(st.first, st.last + 1)
        previous = st
    if call:
        if out:
            out.append("")
            line_map.append(None)
        call_lines = split_lines(call)
        out += call_lines
        line_map += [None] * len(call_lines)
    return "\n".join(out) + "\n", tuple(line_map)


def _is_definition(st: Statement) -> bool:
    return any(isinstance(n, _DEFINITIONS) for n in st.nodes)


class _Index:
    """Which statements bind which names, and which names each statement reads."""

    def __init__(self, statements: tuple[Statement, ...]):
        self.statements = statements
        self.binders: dict[str, list[int]] = {}
        self.always: list[int] = []  # star and __future__ imports: needed by everything
        self.uses: list[set[str]] = []
        self.calls: dict[str, list[str]] = {}  # function name -> its calls in module code, in file order
        for i, st in enumerate(statements):
            if _is_module_code(st):
                for node in st.nodes:
                    for n in ast.walk(node):
                        if isinstance(n, ast.Call) and isinstance(n.func, ast.Name):
                            text = ast.get_source_segment(st.source, n)
                            if text is not None:
                                self.calls.setdefault(n.func.id, []).append(text)
            self.uses.append(set().union(*(_reads(node) for node in st.nodes)))
            for node in st.nodes:
                if isinstance(node, ast.ImportFrom) and (node.module == "__future__"
                                                         or any(a.name == "*" for a in node.names)):
                    self.always.append(i)
                for name in _bound_names(node):
                    self.binders.setdefault(name, []).append(i)

    def closure(self, roots: list[int], extra_uses: set[str] | None = None) -> list[int]:
        """The roots and every statement binding a name they (transitively) read, in file order."""
        needed = set(roots) | set(self.always)
        todo = [name for i in needed for name in self.uses[i]] + sorted(extra_uses or ())
        seen: set[str] = set()
        while todo:
            name = todo.pop()
            if name in seen:
                continue
            seen.add(name)
            for i in self.binders.get(name, ()):
                if i not in needed:
                    needed.add(i)
                    todo += self.uses[i]
        return sorted(needed)

    def call_in_module(self, name: str) -> str | None:
        """The first call ``name(...)`` in module code whose arguments need only module-level names."""
        for text in self.calls.get(name, ()):
            if all(f in self.binders or f in _BUILTINS for f in _free_names(text)):
                return text
        return None


@lru_cache(maxsize=16384)
def _reads(node: ast.stmt) -> frozenset[str]:
    """Every name the statement reads anywhere (cached: unchanged statements keep their parsed nodes)."""
    return frozenset(n.id for n in ast.walk(node) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load))


def _bound_names(node: ast.stmt) -> list[str]:
    """The module-level names a binding statement defines (none for other statements)."""
    if isinstance(node, _DEFINITIONS):
        return [node.name]
    if isinstance(node, ast.Import | ast.ImportFrom):
        return [a.asname or a.name.split(".")[0] for a in node.names if a.name != "*"]
    if isinstance(node, _BINDINGS):
        targets = node.targets if isinstance(node, ast.Assign) else [node.target]
        return [n.id for t in targets for n in ast.walk(t) if isinstance(n, ast.Name)]
    return []
