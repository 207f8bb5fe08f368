"""Which lines must call one of the program's functions before their step can be written.

The trace writes a line's step when the line is done, so a call made by line L comes *before* ``<line> L``:
``<line> 1 <call> add <line> 2 ... <ret> 5 <line> 6 <s> x 5`` for ``x = add(2, 3)`` on line 6. A small model
often skips the call and writes ``<line> 6`` straight away, with a guessed value. Where the source says the
call cannot be avoided, the decoding mask (codeexecutor.model.constraints) refuses ``<line> L`` until the
``<call>`` came, so the model has to run the function.

A call is *certain* here only when nothing on the line can fail or branch before it: a single-line simple
statement whose value starts with ``f(args)`` (or ``print(f(args))``, ``f(args) * 2``, ...), ``f`` a plain
function defined once at module level (no decorator, not a generator), every argument a constant or a name.
Whether ``f``'s ``def`` has run and the names are bound depends on the run: the mask checks that against the
trace written so far (``CertainCall.defined_at``, ``CertainCall.names``).
"""

from __future__ import annotations

import ast
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass

from codeexecutor.model.trace import MODULE_FRAME

# Builtins that look up nothing of the program's and call nothing before their arguments are evaluated.
_OUTER_BUILTINS = frozenset({"print", "len", "str", "repr", "int", "float", "bool", "list", "tuple", "set",
                             "sorted", "sum", "min", "max", "abs", "round"})
# Statements that run once each time execution reaches their line (a line is its own successor only in loops).
_ONCE = (ast.Assign, ast.AnnAssign, ast.AugAssign, ast.Expr, ast.Import, ast.ImportFrom, ast.Pass, ast.Global,
         ast.Nonlocal)


@dataclass(frozen=True)
class CertainCall:
    """Line ``line`` of a frame calls ``callee`` before anything on it can fail."""

    callee: str  # the frame the call opens (a module-level function's name)
    defined_at: int  # the module line of the callee's ``def``: the callee exists once that step was written
    names: frozenset[str]  # the names the line loads before the call: each must be bound


@dataclass(frozen=True)
class CallFacts:
    """Per frame: its lines that certainly call, and its lines that run once per arrival."""

    certain: dict[tuple[str, int], CertainCall]
    once: dict[str, frozenset[int]]


def call_facts(tree: ast.Module, bound: Counter[str]) -> CallFacts:
    """The certain calls and run-once lines of a parsed program (no dynamic names: the caller checks that);
    ``bound`` counts its ``bindings``."""
    callees = _plain_functions(tree, bound)
    builtins = _OUTER_BUILTINS - bound.keys()
    certain: dict[tuple[str, int], CertainCall] = {}
    once: dict[str, set[int]] = {}

    def visit(body: list[ast.stmt], frame: str) -> None:
        per_line = Counter(s.lineno for s in body)
        for stmt in body:
            alone = per_line[stmt.lineno] == 1
            single = alone and stmt.lineno == stmt.end_lineno
            if (single and isinstance(stmt, _ONCE)) or (
                    alone and _plain_def(stmt) and stmt.body[0].lineno > stmt.lineno):
                once.setdefault(frame, set()).add(stmt.lineno)
            call = _statement_call(stmt, callees, builtins) if single else None
            if call is not None:
                certain[(frame, stmt.lineno)] = call
            if isinstance(stmt, ast.FunctionDef | ast.AsyncFunctionDef):
                inner = stmt.name if frame == MODULE_FRAME else f"{frame}.{stmt.name}"
                visit(stmt.body, inner)
            elif not isinstance(stmt, ast.ClassDef):  # a class body's lines belong to no frame we follow
                for block in _blocks(stmt):
                    visit(block, frame)

    visit(tree.body, MODULE_FRAME)
    return CallFacts(certain=certain, once={f: frozenset(lines) for f, lines in once.items()})


def _plain_def(stmt: ast.stmt) -> bool:
    return isinstance(stmt, ast.FunctionDef) and not stmt.decorator_list


def _plain_functions(tree: ast.Module, bindings: Counter[str]) -> dict[str, int]:
    """Module-level plain functions (name -> def line) whose name the program binds nowhere else."""
    out = {}
    for stmt in tree.body:
        if _plain_def(stmt) and bindings[stmt.name] == 1 and not _is_generator(stmt):
            out[stmt.name] = stmt.lineno
    return out


def bindings(tree: ast.Module) -> Iterator[str]:
    """Every binding of a name anywhere in the program, once per binding (def, class, store, del, import,
    parameter, ``global``/``nonlocal``, ``except ... as``, ``match`` capture)."""
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            yield node.name
        elif isinstance(node, ast.Name) and not isinstance(node.ctx, ast.Load):
            yield node.id
        elif isinstance(node, ast.alias):
            yield (node.asname or node.name).split(".")[0]
        elif isinstance(node, ast.arg):
            yield node.arg
        elif isinstance(node, ast.Global | ast.Nonlocal):
            yield from node.names
        elif isinstance(node, ast.ExceptHandler | ast.MatchAs | ast.MatchStar) and node.name:
            yield node.name
        elif isinstance(node, ast.MatchMapping) and node.rest:
            yield node.rest


def _is_generator(fn: ast.FunctionDef) -> bool:
    """A generator's frame opens at its first ``next``, not at the call."""
    todo: list[ast.AST] = list(fn.body)
    while todo:
        node = todo.pop()
        if isinstance(node, ast.Yield | ast.YieldFrom | ast.Await):
            return True
        if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef | ast.Lambda):
            todo.extend(ast.iter_child_nodes(node))
    return False


def _blocks(stmt: ast.stmt) -> list[list[ast.stmt]]:
    blocks = [getattr(stmt, name, None) for name in ("body", "orelse", "finalbody")]
    blocks += [h.body for h in getattr(stmt, "handlers", [])]
    blocks += [c.body for c in getattr(stmt, "cases", [])]
    return [b for b in blocks if isinstance(b, list) and b and isinstance(b[0], ast.stmt)]


def _statement_call(stmt: ast.stmt, callees: dict[str, int], builtins: frozenset[str]) -> CertainCall | None:
    loaded: set[str] = set()
    if isinstance(stmt, ast.Assign | ast.Expr | ast.Return) or (
            isinstance(stmt, ast.AnnAssign) and isinstance(stmt.target, ast.Name)):
        value = stmt.value
    elif isinstance(stmt, ast.AugAssign) and isinstance(stmt.target, ast.Name):
        value, loaded = stmt.value, {stmt.target.id}  # ``x += f(1)`` loads x first
    else:
        return None
    return _first_call(value, callees, builtins, loaded) if value is not None else None


def _first_call(expr: ast.expr, callees: dict[str, int], builtins: frozenset[str],
                loaded: set[str]) -> CertainCall | None:
    """The program call that ``expr`` makes before anything in it can fail, if there is one."""
    if isinstance(expr, ast.BinOp):
        left = _first_call(expr.left, callees, builtins, loaded)
        if left is not None or not _safe(expr.left, loaded):
            return left
        return _first_call(expr.right, callees, builtins, loaded)
    if not isinstance(expr, ast.Call) or not isinstance(expr.func, ast.Name):
        return None
    name = expr.func.id
    if name in callees:
        args = [*expr.args, *(k.value for k in expr.keywords)]
        if any(k.arg is None for k in expr.keywords) or not all(_safe(a, loaded) for a in args):
            return None
        return CertainCall(callee=name, defined_at=callees[name], names=frozenset(loaded))
    if name not in builtins or expr.keywords:
        return None
    for arg in expr.args:  # a builtin evaluates its arguments in order, then runs
        if not _safe(arg, loaded):
            return _first_call(arg, callees, builtins, loaded)
    return None


def _safe(expr: ast.expr, loaded: set[str]) -> bool:
    """Whether evaluating ``expr`` can neither fail nor run code, given its names are bound (added to
    ``loaded``)."""
    if isinstance(expr, ast.Constant):
        return True
    if isinstance(expr, ast.UnaryOp) and isinstance(expr.op, ast.USub):
        return isinstance(expr.operand, ast.Constant) and isinstance(expr.operand.value, int | float)
    if isinstance(expr, ast.Name):
        loaded.add(expr.id)
        return True
    if isinstance(expr, ast.Tuple | ast.List):
        return all(not isinstance(e, ast.Starred) and _safe(e, loaded) for e in expr.elts)
    return False
