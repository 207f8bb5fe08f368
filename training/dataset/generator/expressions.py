"""Expression strategies: ``expr(scope, type)`` writes a well-typed expression that cannot raise.

Each type has a table of small strategies (a literal, a name, ``len(x)``, ``s.upper()``, a comprehension,
a call of a function defined earlier, ...). A strategy returns ``None`` when the scope lacks what it needs,
and another is drawn. Operations that could fail are written in a form that cannot: ``//`` and ``%`` take
a positive literal, ``max`` takes ``default=``, an index is one a loop proved valid. (statements.py writes
the few risky operations on purpose.)
"""

from __future__ import annotations

import re
from collections.abc import Callable

from codeexecutor.training.dataset.generator.scope import (
    BOOL,
    DICT,
    INT,
    INTS,
    LOOP_NAMES,
    SET,
    STR,
    STRS,
    TYPES,
    Scope,
)
from codeexecutor.training.dataset.generator.values import KEYS, SEPS, SUBS, WORDS, literal

Strategy = Callable[[Scope, int], "str | None"]
_CASE = ("upper", "lower", "strip", "title", "capitalize", "swapcase", "lstrip", "rstrip")
_IS = ("isalpha", "isdigit", "isupper", "islower", "isspace")
_SET_OPS = ("union", "intersection", "difference")
_SIMPLE = re.compile(r"[\w.]+|'[^']*'|\"[^\"]*\"")


def par(e: str) -> str:
    """``e`` in parentheses unless it is a name or a literal (the builder's normalizing drops extra ones)."""
    return e if _SIMPLE.fullmatch(e) else f"({e})"


def name_of(s: Scope, type_: str) -> str | None:
    names = s.names_of(type_)
    if not names:
        return None
    focused = [n for n in s.focus if n in names]
    if focused and s.chance(0.6):
        return s.pick(focused)
    # Recent names are likelier: code mostly reads what it just computed.
    return names[-1 - min(int(s.rng.expovariate(0.7)), len(names) - 1)]


def atom(s: Scope, type_: str) -> str:
    name = name_of(s, type_) if s.chance(0.85) else None
    if name is None and type_ == BOOL and s.names_of(INT):
        # no flag to read: a condition compares a number, as people write it (not `if True:`)
        return f"{name_of(s, INT)} {s.pick(('<', '>', '<=', '>=', '==', '!='))} {s.between(0, 9)}"
    return name or literal(s, type_)


def expr(s: Scope, type_: str, depth: int = 2, compound: bool = False) -> str:
    """A ``type_`` expression of nesting at most ``depth`` that runs without error in the current scope
    (``compound``: not a bare name or literal)."""
    # A literal True/False as a condition is not code people write: a bool is a name or a comparison.
    if depth <= 0 or (not compound and s.chance(0.3) and (type_ != BOOL or s.names_of(BOOL))):
        return atom(s, type_)
    table = EXPRS[type_]
    for _ in range(6):
        got = s.weighted(table, _TOTALS[type_])(s, depth - 1)
        if got is not None and (type_ != BOOL or _reads_name(got)):
            return got  # a condition on constants only (`8 % 2 == 0`) is decided before it runs
    return atom(s, type_)


_STRING = re.compile(r"'[^']*'|\"[^\"]*\"")
_WORD = re.compile(r"[A-Za-z_]\w*")
_KEYWORDS = frozenset(("and", "or", "not", "in", "is", "if", "else", "for", "True", "False", "None", "len",
                       "sum", "max", "min", "abs", "any", "all", "default", "sorted", "str", "ord"))


def _reads_name(e: str) -> bool:
    return any(w not in _KEYWORDS for w in _WORD.findall(_STRING.sub("", e)))


def sub(s: Scope) -> str:
    return repr(s.pick(SUBS))


def _need(s: Scope, type_: str) -> str | None:
    return name_of(s, type_)


def _comprehension_var(s: Scope, type_: str) -> str:
    pool = LOOP_NAMES[type_]
    name = next((n for n in pool if n not in s.taken and n not in s.vars), None)
    return name or s.fresh(pool)


def _with_var(s: Scope, name: str, type_: str, make: Callable[[], str]) -> str:
    """``make()`` with ``name`` bound to ``type_`` (a comprehension's own variable) and focused."""
    saved = s.vars.get(name)
    s.vars[name] = type_
    s.focus.insert(0, name)
    try:
        return make()
    finally:
        s.focus.remove(name)
        if saved is None:
            del s.vars[name]
        else:
            s.vars[name] = saved


def _call(s: Scope, type_: str, depth: int) -> str | None:
    funcs = [f for f in s.funcs if f.returns == type_]
    if not funcs:
        return None
    f = s.pick(funcs)
    return f"{f.name}({', '.join(expr(s, t, depth) for t in f.params)})"


def _indexed(s: Scope, type_: str) -> str | None:
    pairs = [(seq, i) for seq, i in s.indices if s.vars.get(seq) in ({INT: INTS, STR: STRS}.get(type_), )
             or (type_ == STR and s.vars.get(seq) == STR)]
    if not pairs:
        return None
    seq, i = s.pick(pairs)
    return f"{seq}[{i}]"


# -- int ------------------------------------------------------------------------------------------------
def _int_binop(s: Scope, d: int) -> str:
    a = par(expr(s, INT, d))
    op = s.pick(("+", "+", "-", "*", "//", "%"))
    if op in ("//", "%", "*"):
        return f"{a} {op} {s.between(2, 5) if op != '*' else s.between(2, 3)}"
    return f"{a} {op} {par(_other(s, a, d))}"


INT_EXPRS: list[tuple[float, Strategy]] = [
    (4, _int_binop),
    (3, lambda s, d: f"len({s.pick([n for t in (STR, INTS, STRS, DICT, SET) for n in s.names_of(t)] or [None])})"
     if any(s.names_of(t) for t in (STR, INTS, STRS, DICT, SET)) else None),
    (1.5, lambda s, d: (n := _need(s, INTS)) and f"sum({n})"),
    (1, lambda s, d: (n := _need(s, INTS)) and f"{s.pick(('max', 'min'))}({n}, default=0)"),
    (1.5, lambda s, d: f"{s.pick(('max', 'min'))}({(a := expr(s, INT, d))}, {_other(s, a, d)})"),
    (1, lambda s, d: f"abs({expr(s, INT, d)})"),
    (1.5, lambda s, d: (n := _need(s, STR)) and f"{n}.{s.pick(('count', 'find', 'rfind'))}({sub(s)})"),
    (1, lambda s, d: (n := _need(s, INTS)) and f"{n}.count({expr(s, INT, d)})"),
    (1.5, lambda s, d: (n := _need(s, DICT)) and f"{n}.get({expr(s, STR, 0)}, 0)"),
    (1, lambda s, d: f"{par(expr(s, INT, d))} if {expr(s, BOOL, d)} else {par(expr(s, INT, d))}"),
    (1, lambda s, d: (n := _need(s, STR)) and f"len({n}.split({s.pick(('', repr(s.pick(SEPS))))}))"
     .replace("split(''", "split(")),
    (2, lambda s, d: _call(s, INT, d)),
    (2, lambda s, d: _indexed(s, INT)),
    (1, lambda s, d: (n := _need(s, INTS)) and f"sum({x} for {x} in {n} if {x} {s.pick(('>', '<', '%'))} "
     f"{s.between(1, 5)})".replace("% " + "", "% ")
     if (x := _comprehension_var(s, INT)) else None),
    (0.5, lambda s, d: (n := _need(s, STR)) and f"ord({n}[0]) if {n} else 0"),
]

# -- str ------------------------------------------------------------------------------------------------
STR_EXPRS: list[tuple[float, Strategy]] = [
    (3, lambda s, d: f"{par(expr(s, STR, d))} + {par(expr(s, STR, d))}"),
    (3, lambda s, d: (n := _need(s, STR)) and f"{n}.{s.pick(_CASE)}()"),
    (2, lambda s, d: (n := _need(s, STR)) and f"{n}.replace({sub(s)}, {s.pick((*SUBS, '', '*'))!r})"),
    (2.5, lambda s, d: (n := _need(s, STRS)) and f"{s.pick(SEPS)!r}.join({n})"),
    (2, lambda s, d: (n := _need(s, STR)) and f"{n}[{s.pick(('::-1', '1:', ':3', '-2:', '::2', ':-1', '1:4'))}]"),
    (2.5, lambda s, d: _fstring(s, d)),
    (1.5, lambda s, d: f"str({expr(s, INT, d)})"),
    (1, lambda s, d: (n := _need(s, STR)) and f"{n} * {s.between(2, 3)}"),
    (1, lambda s, d: f"'{{}}: {{}}'.format({expr(s, STR, d)}, {expr(s, INT, d)})"),
    (1, lambda s, d: (n := _need(s, STR)) and f"{n}[0] if {n} else ''"),
    (1, lambda s, d: (n := _need(s, STR)) and f"{n}.zfill({s.between(3, 6)})"),
    (1, lambda s, d: (n := _need(s, STRS)) and f"{n}[-1] if {n} else ''"),
    (1, lambda s, d: f"{par(expr(s, STR, d))} if {expr(s, BOOL, d)} else {par(expr(s, STR, d))}"),
    (2, lambda s, d: _call(s, STR, d)),
    (2, lambda s, d: _indexed(s, STR)),
    (1, lambda s, d: (n := _need(s, STR)) and f"''.join({c} for {c} in {n} if {c}.{s.pick(_IS[:4])}())"
     if (c := _comprehension_var(s, STR)) else None),
    (0.7, lambda s, d: (n := _need(s, STR)) and f"{n}.partition({sub(s)})[{s.pick((0, 2))}]"),
]


def _fstring(s: Scope, d: int) -> str:
    a = expr(s, s.pick((STR, INT, INT)), max(d - 1, 0))
    b = expr(s, s.pick((STR, INT, INTS)), max(d - 1, 0))
    if "'" in a + b or "{" in a + b or "\\" in a + b:
        return f"'{{}}={{}}'.format({a}, {b})"
    form = s.pick(("{a}: {b}", "{a} has {b}", "{a}-{b}", "[{a}] {b}", "{a}={b}"))
    return "f'" + form.replace("{a}", "{" + a + "}").replace("{b}", "{" + b + "}") + "'"


# -- bool -----------------------------------------------------------------------------------------------
BOOL_EXPRS: list[tuple[float, Strategy]] = [
    (4, lambda s, d: _compare(s, d)),
    (2, lambda s, d: f"{par(expr(s, INT, d))} % 2 == {s.pick((0, 1))}"),
    (2, lambda s, d: (n := _need(s, STR)) and f"{n}.{s.pick(('startswith', 'endswith'))}({sub(s)})"),
    (2, lambda s, d: (n := _need(s, STR)) and f"{n}.{s.pick(_IS)}()"),
    (1.5, lambda s, d: (n := _need(s, INTS)) and f"{expr(s, INT, d)} in {n}"),
    (1.5, lambda s, d: (n := _need(s, DICT)) and f"{expr(s, STR, 0)} {s.pick(('in', 'not in'))} {n}"),
    (1, lambda s, d: (n := _need(s, SET)) and f"{expr(s, INT, d)} in {n}"),
    (1, lambda s, d: (n := _need(s, STR)) and f"{sub(s)} in {n}"),
    (1, lambda s, d: (n := _need(s, STRS)) and f"{expr(s, STR, 0)} in {n}"),
    (1, lambda s, d: f"not {par(expr(s, BOOL, d))}"),
    (1.5, lambda s, d: f"{par(expr(s, BOOL, d))} {s.pick(('and', 'or'))} {par(expr(s, BOOL, d))}"),
    (1, lambda s, d: (n := _need(s, s.pick((STR, INTS, STRS))))
     and f"len({n}) {s.pick(('>', '<', '=='))} {s.between(0, 4)}"),
    (1, lambda s, d: f"{expr(s, STR, d)} == {s.pick(WORDS)!r}"),
    (1, lambda s, d: _call(s, BOOL, d)),
    (0.7, lambda s, d: (n := _need(s, INTS))
     and f"{s.pick(('any', 'all'))}({x} {s.pick(('>', '<'))} {s.between(0, 9)} for {x} in {n})"
     if (x := _comprehension_var(s, INT)) else None),
]

def _other(s: Scope, a: str, d: int) -> str:
    """An int expression other than ``a`` (``max(n, n)`` says nothing)."""
    b = expr(s, INT, d)
    return str(s.between(0, 9)) if b == a else b


def _compare(s: Scope, d: int) -> str:
    a = par(expr(s, INT, d))
    b = par(expr(s, INT, d))
    if b == a or (not (a + b).replace("-", "").strip("()").replace(" ", "").isalnum() and s.chance(0.5)):
        b = str(s.between(0, 9))  # `n <= n` is no test; and most comparisons are with a constant
    return f"{a} {s.pick(('<', '>', '<=', '>=', '==', '!='))} {b}"


# -- list[int] ------------------------------------------------------------------------------------------
def _listcomp(s: Scope, source: str, kind: str) -> str | None:
    """``[body for x in source if cond]`` with ``x`` and ``body`` of the same type."""
    x = _comprehension_var(s, kind)

    def make() -> str:
        body = expr(s, kind, 1)
        cond = f" if {expr(s, BOOL, 1)}" if s.chance(0.5) else ""
        return f"[{body} for {x} in {source}{cond}]"
    return _with_var(s, x, kind, make)


def _int_listcomp(s: Scope, d: int) -> str | None:
    source = _need(s, INTS) or _need(s, SET)
    if source is None:
        source = f"range({s.between(1, 6)})"
    return _listcomp(s, source, INT)


INTS_EXPRS: list[tuple[float, Strategy]] = [
    (2, lambda s, d: (n := _need(s, INTS)) and f"sorted({n}{s.pick(('', ', reverse=True'))})"),
    (2, lambda s, d: (n := _need(s, INTS)) and f"{n}[{s.pick(('1:', ':2', '::-1', '::2', '-2:', ':-1'))}]"),
    (4, _int_listcomp),
    (1, lambda s, d: f"list(range({s.between(1, 6)}))" if s.chance(0.5)
     else f"list(range({s.between(0, 3)}, {s.between(4, 9)}, {s.between(1, 3)}))"),
    (1, lambda s, d: (a := _need(s, INTS)) and f"{a} + {expr(s, INTS, 0)}"),
    (1.5, lambda s, d: (n := _need(s, DICT)) and f"list({n}.values())"),
    (2, lambda s, d: (n := _need(s, STRS)) and f"[len({w}) for {w} in {n}]"
     if (w := _comprehension_var(s, STR)) else None),
    (1, lambda s, d: (n := _need(s, SET)) and f"sorted({n})"),
    (1, lambda s, d: (n := _need(s, STR)) and f"[{s.pick(('ord', 'len'))}({c}) for {c} in {n}]"
     if (c := _comprehension_var(s, STR)) else None),
    (2, lambda s, d: _call(s, INTS, d)),
]

# -- list[str] ------------------------------------------------------------------------------------------
def _str_listcomp(s: Scope, d: int) -> str | None:
    source = _need(s, STRS) or _need(s, STR)
    if source is None:
        return None
    return _listcomp(s, source, STR)


STRS_EXPRS: list[tuple[float, Strategy]] = [
    (3, lambda s, d: (n := _need(s, STR)) and f"{n}.split({s.pick(('', repr(s.pick(SEPS[:4]))))})"),
    (2, lambda s, d: (n := _need(s, STRS)) and f"sorted({n}{s.pick(('', ', key=len', ', reverse=True'))})"),
    (3, _str_listcomp),
    (1.5, lambda s, d: (n := _need(s, DICT)) and s.pick((f"list({n})", f"list({n}.keys())", f"sorted({n})"))),
    (1, lambda s, d: (n := _need(s, STR)) and f"list({n})"),
    (1, lambda s, d: (n := _need(s, STRS)) and f"{n}[{s.pick(('1:', ':2', '::-1', '-2:'))}]"),
    (2, lambda s, d: _call(s, STRS, d)),
]

# -- dict[str, int] -------------------------------------------------------------------------------------
def _dict_comp(s: Scope, d: int) -> str | None:
    n = _need(s, STRS)
    if n is not None:
        w = _comprehension_var(s, STR)
        return _with_var(s, w, STR, lambda: f"{{{w}: {expr(s, INT, 1)} for {w} in {n}}}")
    m = _need(s, DICT)
    if m is None:
        return None
    k, v = s.pick((("k", "v"), ("key", "value"), ("name", "count")))
    if k in s.vars or v in s.vars:
        return None
    cond = f" if {v} {s.pick(('>', '<', '!='))} {s.between(0, 5)}" if s.chance(0.6) else ""
    return f"{{{k}: {v} {s.pick(('*', '+', '-'))} {s.between(1, 3)} for {k}, {v} in {m}.items(){cond}}}"


DICT_EXPRS: list[tuple[float, Strategy]] = [
    (3, _dict_comp),
    (1.5, lambda s, d: (a := _need(s, STRS)) and (b := _need(s, INTS)) and f"dict(zip({a}, {b}))"),
    (1, lambda s, d: (n := _need(s, DICT)) and s.pick((f"dict({n})", f"{n}.copy()"))),
    (1, lambda s, d: (n := _need(s, STRS)) and f"dict.fromkeys({n}, {s.between(0, 3)})"),
    (2, lambda s, d: _call(s, DICT, d)),
]

# -- set[int] -------------------------------------------------------------------------------------------
SET_EXPRS: list[tuple[float, Strategy]] = [
    (3, lambda s, d: (n := _need(s, INTS)) and f"set({n})"),
    (2, lambda s, d: (n := _need(s, INTS)) and f"{{{x} % {s.between(2, 5)} for {x} in {n}}}"
     if (x := _comprehension_var(s, INT)) else None),
    (2, lambda s, d: (a := _need(s, SET)) and f"{a} {s.pick(('|', '&', '-', '^'))} {expr(s, SET, 0)}"),
    (2, lambda s, d: (a := _need(s, SET)) and f"{a}.{s.pick(_SET_OPS)}({expr(s, SET, 0)})"),
    (1, lambda s, d: (n := _need(s, STRS)) and f"{{len({w}) for {w} in {n}}}"
     if (w := _comprehension_var(s, STR)) else None),
    (1, lambda s, d: _call(s, SET, d)),
]

EXPRS: dict[str, list[tuple[float, Strategy]]] = {INT: INT_EXPRS, STR: STR_EXPRS, BOOL: BOOL_EXPRS,
                                                  INTS: INTS_EXPRS, STRS: STRS_EXPRS, DICT: DICT_EXPRS,
                                                  SET: SET_EXPRS}
_TOTALS = {t: sum(w for w, _ in EXPRS[t]) for t in TYPES}
__all__ = ["EXPRS", "KEYS", "atom", "expr", "name_of", "par", "sub"]
