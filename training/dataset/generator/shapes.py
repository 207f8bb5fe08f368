"""Program shapes: what a whole program looks like, the way people write small ones.

A shape writes the definitions (one function, a helper and a function that calls it, a small class, a
bounded recursion, a generator) and then the module code that calls them with concrete arguments
(``result = count_vowels('banana')``), or a module-level script. ``program(rng)`` draws a shape by weight.
"""

from __future__ import annotations

import random
from collections.abc import Callable

from codeexecutor.training.dataset.generator.expressions import expr, name_of
from codeexecutor.training.dataset.generator.scope import (
    BOOL,
    DICT,
    INT,
    INTS,
    NAMES,
    SET,
    STR,
    STRS,
    TYPES,
    Func,
    Scope,
)
from codeexecutor.training.dataset.generator.statements import (
    accumulate,
    for_loop,
    new_name,
    statement,
    statements,
)
from codeexecutor.training.dataset.generator.values import literal, small_int

VERBS = ("count", "sum", "find", "build", "merge", "filter", "clean", "parse", "score", "collect", "group",
         "split", "normalize", "check", "make", "compute", "total", "reverse", "encode", "format", "rank",
         "pick", "scan", "update", "join", "tally", "average", "flatten", "compress", "label", "shift")
NOUNS = ("words", "items", "scores", "vowels", "pairs", "values", "names", "letters", "digits", "evens",
         "chars", "lines", "tokens", "prices", "totals", "matches", "runs", "keys", "stock", "grades",
         "numbers", "text", "counts", "odds", "squares", "parts", "data", "row", "list", "string")
CLASSES = ("Counter", "Stack", "Inventory", "BankAccount", "Queue", "Tracker", "Cart", "Scoreboard", "Library",
           "Buffer", "Ledger", "Playlist", "Register", "Tally", "WordBank", "Team", "Basket", "Wallet")
METHODS = ("add", "remove", "total", "reset", "update", "push", "pop_item", "peek", "size", "summary",
           "apply", "record", "count_items", "best", "describe", "deposit", "withdraw", "insert", "lookup",
           "clear_all", "report", "grow", "shrink", "merge_in", "score")
RESULT_NAMES = ("result", "answer", "output", "res", "value", "out", "final", "got")
PARAM_TYPES = (INT, INT, STR, STR, INTS, INTS, STRS, DICT, BOOL, SET)
RETURN_TYPES = (INT, INT, INT, STR, STR, INTS, INTS, STRS, DICT, BOOL, SET)


def func_name(s: Scope) -> str:
    return s.fresh([f"{v}_{n}" for v in VERBS for n in NOUNS[:12]] if s.chance(0.5)
                   else [f"{v}_{n}" for v in VERBS[:12] for n in NOUNS])


def argument(s: Scope, type_: str) -> str:
    return literal(s, type_)


def function(s: Scope, name: str, params: list[tuple[str, str]], returns: str, n: int, *,
             generator: bool = False, prefix: tuple[str, ...] = (), keep: dict[str, str] | None = None,
             body: Callable[[Scope], None] | None = None) -> None:
    """``def name(params):`` with ``n`` statements and a return of ``returns`` (or yields)."""
    saved = (s.vars, s.locked, s.focus, s.returns, s.generator, s.in_function)
    s.vars, s.locked, s.focus = dict(keep or {}), set(), []
    s.returns, s.generator, s.in_function = returns, generator, True
    header = f"def {name}({', '.join([*prefix, *(p for p, _ in params)])})"
    with s.block(header, focus=[p for p, _ in params] + list(keep or {})):
        for p, t in params:
            s.declare(p, t)
        ints = [p for p, t in params if t == INT]
        if ints and s.chance(0.08):
            with s.block(f"if {ints[0]} < 0"):
                s.emit(f"raise ValueError({s.pick(('negative', 'must be >= 0', 'bad value'))!r})")
        if body:
            body(s)
        else:
            if s.chance(0.6):
                accumulate(s)
                statements(s, max(0, n - 1))
            else:
                statements(s, n)
        if not generator and returns:
            s.emit(f"return {expr(s, returns, 1)}")
    s.vars, s.locked, s.focus, s.returns, s.generator, s.in_function = saved


def _params(s: Scope, k: int) -> list[tuple[str, str]]:
    out = []
    for _ in range(k):
        t = s.pick(PARAM_TYPES)
        out.append((new_name(s, t), t))
    return out


def _call_line(s: Scope, f: Func) -> None:
    args = ", ".join(argument(s, t) for t in f.params)
    r = s.rng.random()
    if r < 0.6:
        target = s.fresh(RESULT_NAMES)
        s.emit(f"{target} = {f.name}({args})")
        if s.chance(0.3):
            s.emit(f"print({target})")
    elif r < 0.8:
        s.emit(f"print({f.name}({args}))")
    else:
        a, b = s.fresh(("first", "a", "one")), s.fresh(("second", "b", "two"))
        s.emit(f"{a} = {f.name}({args})")
        s.emit(f"{b} = {f.name}({', '.join(argument(s, t) for t in f.params)})")


# -- shapes ---------------------------------------------------------------------------------------------
def one_function(s: Scope) -> None:
    params = _params(s, s.pick((1, 1, 2, 2, 3)))
    f = Func(func_name(s), tuple(t for _, t in params), s.pick(RETURN_TYPES))
    function(s, f.name, params, f.returns, s.between(1, 4))
    _call_line(s, f)


def helper_and_caller(s: Scope) -> None:
    hp = _params(s, s.pick((1, 1, 2)))
    helper = Func(func_name(s), tuple(t for _, t in hp), s.pick((INT, INT, STR, BOOL, BOOL)))
    function(s, helper.name, hp, helper.returns, s.between(0, 2))
    s.funcs.append(helper)
    params = _params(s, s.pick((1, 2)))
    main = Func(func_name(s), tuple(t for _, t in params), s.pick(RETURN_TYPES))
    start = len(s.lines)

    def body(s: Scope) -> None:
        statements(s, s.between(1, 3))
        if not any(f"{helper.name}(" in line for line in s.lines[start:]):
            accumulate_with(s, helper)

    function(s, main.name, params, main.returns, 0, body=body)
    s.funcs.remove(helper)
    _call_line(s, main)


def accumulate_with(s: Scope, helper: Func) -> None:
    """A line that calls ``helper`` on what the caller holds."""
    args = ", ".join(expr(s, t, 1) for t in helper.params)
    if helper.returns == BOOL:
        with s.block(f"if {helper.name}({args})"):
            statement(s)
    else:
        s.emit(f"{s.declare(new_name(s, helper.returns), helper.returns)} = {helper.name}({args})")


def small_class(s: Scope) -> None:
    cls = s.fresh(CLASSES)
    s.emit(f"class {cls}:")
    s.indent += 1
    attrs: dict[str, str] = {}
    params = _params(s, s.pick((1, 1, 2)))
    saved = dict(s.vars)
    s.vars = {}
    with s.block(f"def __init__(self, {', '.join(p for p, _ in params)})"):
        for p, t in params:
            s.declare(p, t)
            attr = s.fresh([p, *NAMES[t]], prefix="self.")
            s.emit(f"{attr} = {p}")
            attrs[attr] = t
        for _ in range(s.between(0, 2)):
            t = s.pick((INT, INTS, STRS, DICT, SET, STR))
            attr = s.fresh(NAMES[t], prefix="self.")
            s.emit(f"{attr} = {_empty(t)}")
            attrs[attr] = t
    s.vars = saved
    methods = []
    for _ in range(s.between(1, 3)):
        mp = _params(s, s.pick((0, 1, 1, 2)))
        returns = s.pick((None, None, *RETURN_TYPES))
        m = Func(s.fresh(METHODS), tuple(t for _, t in mp), returns or "")
        function(s, m.name, mp, returns or "", s.between(1, 3), prefix=("self",), keep=attrs)
        methods.append(m)
    s.indent -= 1
    obj = s.fresh(("obj", "c", "box", "account", "tracker", "cart", "stack", "counter", "item"))
    s.emit(f"{obj} = {cls}({', '.join(argument(s, t) for _, t in params)})")
    for m in methods + [s.pick(methods) for _ in range(s.between(0, 2))]:
        call = f"{obj}.{m.name}({', '.join(argument(s, t) for t in m.params)})"
        if m.returns and s.chance(0.7):
            s.emit(f"{s.fresh(RESULT_NAMES)} = {call}")
        else:
            s.emit(call)
    if s.chance(0.3):
        s.emit(f"print({obj}.{next(iter(attrs))[5:]})")


def _empty(t: str) -> str:
    return {INT: "0", INTS: "[]", STRS: "[]", DICT: "{}", SET: "set()", STR: "''"}[t]


def recursion(s: Scope) -> None:
    name = func_name(s)
    kind = s.pick((INT, INT, STR, INTS))
    returns = s.pick((INT, INT, STR, INTS)) if kind != STR else s.pick((INT, STR, STR))
    p = new_name(s, kind)
    saved = (s.vars, s.locked, s.focus, s.returns, s.in_function)
    s.vars, s.locked, s.focus, s.returns, s.in_function = {}, set(), [], returns, True
    with s.block(f"def {name}({p})"):
        s.declare(p, kind)
        if kind == INT:
            step = s.pick(("1", "1", "2"))
            # `== 0` only with a step of 1: n - 2 from an odd n would step over it
            stop = s.pick(('<= 0', '< 1', '< 2') if step == "2" else ('<= 0', '< 1', '== 0', '< 2'))
            with s.block(f"if {p} {stop}"):
                s.emit(f"return {_base(s, returns, p, kind)}")
            arg = f"{p} - {step}"
        else:
            with s.block(f"if {s.pick((f'not {p}', f'len({p}) == 0', f'len({p}) <= 1'))}"):
                s.emit(f"return {_base(s, returns, p, kind)}")
            first = s.fresh(("first", "head", "ch", "top"))
            s.emit(f"{s.declare(first, STR if kind == STR else INT)} = {p}[0]")
            arg = f"{p}[1:]"
        rest = s.fresh(("rest", "sub", "smaller", "tail_result", "prev"))
        s.emit(f"{s.declare(rest, returns)} = {name}({arg})")
        s.focus = [rest, *s.focus]
        statements(s, s.between(0, 1))
        s.emit(f"return {expr(s, returns, 2)}")
    s.vars, s.locked, s.focus, s.returns, s.in_function = saved
    size = {INT: lambda: str(s.between(0, 6)),
            STR: lambda: repr(s.pick(("abc", "hello", "kiwi", "ab", "noon", "", "data"))),
            INTS: lambda: repr([small_int(s) for _ in range(s.between(0, 4))])}[kind]
    target = s.fresh(RESULT_NAMES)
    s.emit(f"{target} = {name}({size()})")
    if s.chance(0.3):
        s.emit(f"print({target}, {name}({size()}))")


def _base(s: Scope, returns: str, p: str, kind: str) -> str:
    if returns == kind and s.chance(0.5):
        return p
    return s.pick({INT: ("0", "1"), STR: ("''",), INTS: ("[]",)}[returns])


def generator(s: Scope) -> None:
    params = _params(s, s.pick((1, 1, 2)))
    name = s.fresh([f"{v}_{n}" for v in ("gen", "iter", "each", "walk", "yield", "stream") for n in NOUNS])
    elem = s.pick((INT, INT, STR))

    def body(s: Scope) -> None:
        def give(s: Scope) -> None:
            if s.chance(0.4):
                with s.block(f"if {expr(s, BOOL, 1)}"):
                    s.emit(f"yield {expr(s, elem, 1)}")
            else:
                s.emit(f"yield {expr(s, elem, 1)}")
        statements(s, s.between(0, 1))
        if not for_loop(s, give):
            from codeexecutor.training.dataset.generator.statements import while_loop
            while_loop(s, give)

    function(s, name, params, elem, 0, generator=True, body=body)
    args = ", ".join(argument(s, t) for _, t in params)
    r = s.rng.random()
    target = s.fresh(RESULT_NAMES)
    if r < 0.5:
        s.emit(f"{target} = list({name}({args}))")
    elif r < 0.75:
        agg = "sum" if elem == INT else "'-'.join"
        s.emit(f"{target} = {agg}({name}({args}))")
    else:
        s.emit(f"{target} = []")
        v = s.fresh(("v", "x", "item", "piece"))
        with s.block(f"for {v} in {name}({args})"):
            s.emit(f"{target}.append({v})")


def script(s: Scope) -> None:
    for _ in range(s.between(1, 3)):
        t = s.pick(TYPES)
        s.emit(f"{s.declare(new_name(s, t), t)} = {literal(s, t)}")
    if s.chance(0.5):
        accumulate(s)
    statements(s, s.between(1, 4))
    if s.chance(0.5):
        s.emit(f"print({name_of(s, s.pick(TYPES)) or expr(s, STR, 1)})")


SHAPES: list[tuple[float, Callable[[Scope], None]]] = [
    (4, one_function), (1.5, helper_and_caller), (1.5, small_class), (1, recursion), (0.7, generator),
    (2, script),
]
_TOTAL = sum(w for w, _ in SHAPES)
MAX_LINES = 25


def program(rng: random.Random) -> tuple[str, str]:
    """One program and its shape's name; drawn again (same stream) while it passes ``MAX_LINES``."""
    while True:
        s = Scope(rng)
        shape = s.weighted(SHAPES, _TOTAL)
        shape(s)
        if 3 <= len(s.lines) <= MAX_LINES:
            return "\n".join(s.lines) + "\n", shape.__name__
