"""What a line certainly sets, read from its source alone: the values the mask spells for the model.

A line that is nothing but a statement of literals leaves no doubt about what it sets: ``rate = 0.05`` gives
``rate`` exactly the rendering of ``0.05`` (codeexecutor.model.render, the function the tracer renders with),
``return -1`` returns ``-1``, ``print('done')`` prints ``'done\\n'``. A line ``x = y`` (or ``a, b = b, a``, or
``return y``) copies a value the trace already holds: ``copied_names`` says from which name, and the mask
(codeexecutor.model.constraints) takes the value the trace gave that name. Only what is certain is returned.
"""

from __future__ import annotations

import ast
from collections import Counter

from codeexecutor.model.render import render
from codeexecutor.model.trace import OUTPUT_KEY, RETURN_KEY


def literal_values(stmt: ast.stmt, prints: bool) -> dict[str, str]:
    """What a one-line statement of literals certainly sets, as the text form writes it: its names for an
    assignment (``x = 5``, ``a = b = 'hi'``, ``p, q = 1, [2]`` element by element, ``n: int = 3``), RETURN_KEY
    for ``return -1``, OUTPUT_KEY for ``print('a', 1, sep='')`` where ``prints``. A name assigned twice is
    left out, and so is a value with a ``<`` (the text form may escape it)."""
    if stmt.lineno != stmt.end_lineno:
        return {}
    if isinstance(stmt, ast.Return):
        text = "None" if stmt.value is None else _rendered(stmt.value)
        return {RETURN_KEY: text} if text is not None and "<" not in text else {}
    if isinstance(stmt, ast.Expr) and prints:
        output = _printed(stmt.value)
        return {OUTPUT_KEY: repr(output)} if output and "<" not in output else {}
    pairs = _assignment_pairs(stmt)
    if pairs is None:
        return {}
    names = Counter(t.id for t, _ in pairs if isinstance(t, ast.Name))
    out: dict[str, str] = {}
    for target, node in pairs:
        if not isinstance(target, ast.Name) or names[target.id] > 1 or target.id.startswith("__"):
            continue
        text = _rendered(node)
        if text is not None and "<" not in text:
            out[target.id] = text
    return out


def _assignment_pairs(stmt: ast.stmt) -> list[tuple[ast.expr, ast.expr]] | None:
    """(target, value) of each name a one-line assignment sets, a tuple unpacked element by element (None:
    not such an assignment, or one whose pairing is unsure)."""
    if stmt.lineno != stmt.end_lineno:
        return None
    if isinstance(stmt, ast.Assign):
        targets, value = stmt.targets, stmt.value
    elif isinstance(stmt, ast.AnnAssign) and stmt.value is not None:
        targets, value = [stmt.target], stmt.value
    else:
        return None
    pairs: list[tuple[ast.expr, ast.expr]] = []
    for target in targets:
        if isinstance(target, ast.Tuple | ast.List) and isinstance(value, ast.Tuple | ast.List):
            if len(target.elts) != len(value.elts) or any(isinstance(e, ast.Starred)
                                                          for e in (*target.elts, *value.elts)):
                return None  # a starred item moves the others: ``a, b, c = *[], 5, *[6, 7]`` sets b to 6
            pairs.extend(zip(target.elts, value.elts, strict=True))
        else:
            pairs.append((target, value))
    return pairs


_NOT_LITERAL = (ValueError, TypeError, SyntaxError, MemoryError, RecursionError)  # what literal_eval raises


def _rendered(node: ast.expr) -> str | None:
    """The rendering of a literal's value (None: not a literal: a name, a call, an operator but a sign)."""
    try:
        return render(ast.literal_eval(node))
    except _NOT_LITERAL:
        return None


def _printed(node: ast.expr) -> str | None:
    """What ``print(...)`` of literals writes (None: not such a call, or it writes elsewhere)."""
    if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "print"):
        return None
    options = {"sep": " ", "end": "\n"}
    try:
        for keyword in node.keywords:
            if keyword.arg not in ("sep", "end", "flush"):
                return None  # file=..., or **kwargs
            value = ast.literal_eval(keyword.value)
            if keyword.arg != "flush":
                if not isinstance(value, str | None):
                    return None  # print raises TypeError
                options[keyword.arg] = options[keyword.arg] if value is None else value
        if any(isinstance(a, ast.Starred) for a in node.args):
            return None
        texts = [str(ast.literal_eval(a)) for a in node.args]
    except _NOT_LITERAL:
        return None
    return options["sep"].join(texts) + options["end"]


def copied_names(stmt: ast.stmt) -> dict[str, str]:
    """For a one-line ``x = y``, ``a, b = b, a`` or ``return y``: each name set (or RETURN_KEY) -> the name
    whose value (before the line) it gets. A name set twice (the line's own sets must all be known: the mask
    copies a name the line also sets from before the line), starred or nested targets leave the line out."""
    if stmt.lineno != stmt.end_lineno:
        return {}
    if isinstance(stmt, ast.Return):
        return {RETURN_KEY: stmt.value.id} if isinstance(stmt.value, ast.Name) else {}
    pairs = _assignment_pairs(stmt)
    if not pairs or not all(isinstance(t, ast.Name) and isinstance(v, ast.Name) for t, v in pairs):
        return {}
    targets = Counter(t.id for t, _ in pairs)  # type: ignore[attr-defined]
    if max(targets.values()) > 1:
        return {}
    return {t.id: v.id for t, v in pairs if t.id != v.id}  # type: ignore[attr-defined]
