"""Statement strategies: each writes one statement (simple or compound) into the scope, or declines.

``statements(scope, n)`` writes about ``n`` of them, drawn by weight among those the scope allows (a
``break`` only in a loop, a ``return`` only in a function, nesting at most ``MAX_DEPTH``). Loops end by
construction: a ``for`` walks a sequence its body cannot resize, a ``while`` steps a counter its body
cannot touch, or pops from a stack its body cannot push to. ``RISKY`` statements are the exception on
purpose: an index or key that may be missing, ``int()`` of any text: real code fails so sometimes.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from codeexecutor.training.dataset.generator.expressions import atom, expr, name_of, par, sub
from codeexecutor.training.dataset.generator.scope import (
    BOOL,
    DICT,
    ELEMENT,
    INT,
    INTS,
    LOOP_NAMES,
    NAMES,
    SET,
    STR,
    STRS,
    TYPES,
    Scope,
)
from codeexecutor.training.dataset.generator.values import EMPTY, KEYS, literal

MAX_DEPTH = 3
MAX_LOOPS = 2  # loops nested at most: a third level multiplies a trace past what fits
Statement = Callable[[Scope], bool]
Then = Callable[[Scope], None] | None  # what a loop's body ends with (an accumulator's update)
RISKY_RATE = 0.07  # per statement drawn: with ~3-6 statements a program, about one program in ten raises


def new_name(s: Scope, type_: str) -> str:
    return s.fresh(NAMES[type_])


def writable(s: Scope, type_: str) -> str | None:
    names = s.names_of(type_, writable=True)
    focused = [n for n in s.focus if n in names]
    if focused and s.chance(0.5):
        return s.pick(focused)
    return s.pick(names) if names else None


# -- simple statements ----------------------------------------------------------------------------------
_MUTABLE = (INTS, STRS, DICT, SET)


def _aliases(type_: str, value: str) -> bool:
    """``tokens = words``: a second name for one list, which the locks (per name) would not see."""
    return type_ in _MUTABLE and value.isidentifier()


def assign_new(s: Scope) -> bool:
    type_ = s.pick(TYPES)
    # Inside a block a new name holds something computed, not a constant set again on every pass.
    value = expr(s, type_, compound=s.depth > 0 or s.chance(0.5))
    if _aliases(type_, value):
        value = f"{value}.copy()"
    s.emit(f"{s.declare(new_name(s, type_), type_)} = {value}")
    return True


def _grows(s: Scope, name: str, value: str, most: int) -> bool:
    """Whether ``value`` reads ``name`` more than ``most`` times inside a loop: ``s = s + s`` doubles on
    every pass, and twenty passes make a value no trace can show."""
    return s.loop is not None and len(re.findall(rf"\b{re.escape(name)}\b", value)) > most


def reassign(s: Scope) -> bool:
    type_ = s.pick(TYPES)
    name = writable(s, type_)
    if name is None:
        return False
    value = expr(s, type_)
    if _grows(s, name, value, 1) or _aliases(type_, value):
        return False
    s.emit(f"{name} = {value}")
    return True


def augment(s: Scope) -> bool:
    type_ = s.pick((INT, INT, INT, STR, INTS))
    name = writable(s, type_)
    if name is None:
        return False
    if type_ == INT:
        op = s.pick(("+=", "+=", "-=", "*=", "//=", "%="))
        value = str(s.between(2, 3)) if op in ("*=", "//=", "%=") else par(expr(s, INT, 1))
        if _grows(s, name, value, 0):
            value = str(s.between(1, 5))
        if op == "*=" and s.loop:
            op = "+="  # a product over a loop outgrows what a trace can show
        s.emit(f"{name} {op} {value}")
    elif type_ == STR:
        value = expr(s, STR, 1)
        if _grows(s, name, value, 0):
            return False
        s.emit(f"{name} += {value}")
    else:
        s.emit(f"{name} += [{expr(s, INT, 1)}]")
    return True


def list_method(s: Scope) -> bool:
    type_ = s.pick((INTS, INTS, STRS))
    name = writable(s, type_)
    if name is None:
        return False
    elem = ELEMENT[type_]
    e = expr(s, elem, 1)
    if _grows(s, name, e, 0):
        return False  # `keys.insert(0, ' '.join(keys))` in a loop grows without bound
    form = s.pick(("append", "append", "append", "extend", "insert", "sort", "reverse", "pop", "remove",
                   "index", "count", "copy"))
    if form == "append":
        s.emit(f"{name}.append({e})")
    elif form == "extend":
        value = expr(s, type_, 1)
        if _grows(s, name, value, 0):
            return False
        s.emit(f"{name}.extend({value})")
    elif form == "insert":
        s.emit(f"{name}.insert({s.between(0, 2)}, {e})")
    elif form == "sort":
        s.emit(f"{name}.sort({s.pick(('', 'reverse=True', 'key=len' if type_ == STRS else ''))})")
    elif form == "reverse":
        s.emit(f"{name}.reverse()")
    elif form == "pop":
        target = s.fresh(NAMES[elem])
        with s.block(f"if {name}"):
            s.emit(f"{s.declare(target, elem)} = {name}.pop({s.pick(('', '0', '-1'))})")
            statements(s, s.between(0, 1))
    elif form == "remove":
        with s.block(f"if {e} in {name}"):
            s.emit(f"{name}.remove({e})")
    elif form == "index":
        target = s.fresh(("pos", "where", "idx", "at", "place", "spot"))
        with s.block(f"if {e} in {name}"):
            s.emit(f"{s.declare(target, INT)} = {name}.index({e})")
            statements(s, s.between(0, 1))
    elif form == "count":
        s.emit(f"{s.declare(s.fresh(('times', 'hits', 'n_found', 'occurrences', 'count')), INT)} = "
               f"{name}.count({e})")
    else:
        s.emit(f"{s.declare(s.fresh(('backup', 'copy_of', 'snapshot', 'original', 'saved')), type_)} = "
               f"{name}.copy()")
    return True


def dict_method(s: Scope) -> bool:
    name = writable(s, DICT)
    if name is None:
        return False
    key = expr(s, STR, 0) if s.chance(0.6) else repr(s.pick(KEYS))
    form = s.pick(("set", "set", "count", "count", "setdefault", "update", "pop", "del", "get", "items"))
    if form == "set":
        s.emit(f"{name}[{key}] = {expr(s, INT, 1)}")
    elif form == "count":
        s.emit(f"{name}[{key}] = {name}.get({key}, 0) + {s.pick(('1', '1', expr(s, INT, 0)))}")
    elif form == "setdefault":
        s.emit(f"{name}.setdefault({key}, {expr(s, INT, 0)})")
    elif form == "update":
        s.emit(f"{name}.update({{{key}: {expr(s, INT, 0)}}})")
    elif form == "pop":
        s.emit(f"{s.declare(new_name(s, INT), INT)} = {name}.pop({key}, {s.between(0, 1)})")
    elif form == "del":
        with s.block(f"if {key} in {name}"):
            s.emit(f"del {name}[{key}]")
    elif form == "get":
        s.emit(f"{s.declare(new_name(s, INT), INT)} = {name}.get({key}, {s.between(-1, 0)})")
    else:
        s.emit(f"{s.declare(new_name(s, STRS), STRS)} = {s.pick(('sorted', 'list'))}({name}.keys())")
    return True


def set_method(s: Scope) -> bool:
    name = writable(s, SET)
    if name is None:
        return False
    form = s.pick(("add", "add", "discard", "update"))
    if form == "update":
        s.emit(f"{name}.update({expr(s, INTS, 1)})")
    else:
        s.emit(f"{name}.{form}({expr(s, INT, 1)})")
    return True


def unpack(s: Scope) -> bool:
    form = s.pick(("swap", "divmod", "partition", "minmax", "head"))
    ints = s.names_of(INT, writable=True)
    if form == "swap" and len(ints) >= 2:
        a, b = s.rng.sample(ints, 2)
        s.emit(f"{a}, {b} = {b}, {s.pick((a, f'{a} + {b}', f'{a} - {b}'))}")
    elif form == "divmod":
        q, r = s.pick((("q", "r"), ("quotient", "remainder"), ("tens", "ones"), ("hours", "minutes")))
        if q in s.taken or r in s.taken:
            return False
        value = f"divmod({expr(s, INT, 1)}, {s.between(2, 10)})"
        s.emit(f"{s.declare(q, INT)}, {s.declare(r, INT)} = {value}")
    elif form == "partition" and (text := name_of(s, STR)):
        h, t = s.fresh(("head", "before", "left", "key")), s.fresh(("tail", "after", "right", "rest"))
        s.emit(f"{s.declare(h, STR)}, _, {s.declare(t, STR)} = {text}.partition({sub(s)})")
    elif form == "minmax":
        lo, hi = s.fresh(("lo", "low", "smallest")), s.fresh(("hi", "high", "largest"))
        a, b = expr(s, INT, 1), expr(s, INT, 1)
        s.emit(f"{s.declare(lo, INT)}, {s.declare(hi, INT)} = min({a}, {b}), max({a}, {b})")
    elif form == "head" and (seq := name_of(s, INTS)):
        h, t = s.fresh(("first", "head")), s.fresh(("rest", "others", "remaining"))
        with s.block(f"if {seq}"):
            s.emit(f"{s.declare(h, INT)}, *{s.declare(t, INTS)} = {seq}")
            statements(s, s.between(0, 1))
    else:
        return False
    return True


def show(s: Scope) -> bool:
    held = [t for t in TYPES if s.names_of(t)]
    type_ = s.pick(held) if held and s.chance(0.9) else s.pick(TYPES)
    if s.chance(0.3):
        s.emit(f"print({expr(s, type_, 1)}, {expr(s, s.pick(TYPES), 0)})")
    else:
        s.emit(f"print({expr(s, type_, 1)})")
    return True


# -- control flow ---------------------------------------------------------------------------------------
def if_else(s: Scope) -> bool:
    with s.block(f"if {expr(s, BOOL)}"):
        statements(s, s.between(1, 2))
    while s.chance(0.3):
        with s.block(f"elif {expr(s, BOOL)}"):
            statements(s, s.between(1, 2))
    if s.chance(0.5):
        with s.block("else"):
            statements(s, s.between(1, 2))
    return True


def _loop_body(s: Scope, then: Then) -> None:
    # The shapes people write in a loop: a guard that skips or stops, an update of what came before.
    if s.chance(0.2):
        with s.block(f"if {expr(s, BOOL, 1)}"):
            s.emit(s.pick(("continue", "break")) if s.loop == "for" else "break")
    statements(s, s.between(0 if then else 1, 2 if then else 3))
    if then:
        then(s)
    if s.chance(0.15):
        with s.block(f"if {expr(s, BOOL, 1)}"):
            s.emit("break")


def _walkable(s: Scope, type_: str) -> str | None:
    names = [n for n in s.names_of(type_) if n not in s.accumulators]
    focused = [n for n in s.focus if n in names]
    if focused and s.chance(0.6):
        return s.pick(focused)
    return s.pick(names) if names else None


def for_loop(s: Scope, then: Then = None) -> bool:
    if s.loops >= MAX_LOOPS:
        return False
    short = s.loops > 0  # an inner loop runs on every pass of the outer one: keep it short
    ints, strs, texts, dicts = (_walkable(s, t) for t in (INTS, STRS, STR, DICT))
    seq = ints or strs
    if strs and ints and s.chance(0.5):
        seq = strs
    forms = ["range"] + (["list", "list", "enumerate", "zip", "range_len"] if seq else []) + \
        (["str", "split"] if texts else []) + (["items", "items", "keys"] if dicts else [])
    form = s.pick(forms)
    pair = None  # (seq, i): inside the body, seq[i] is a valid index
    if form == "range":
        i = s.fresh(LOOP_NAMES["index"])
        bounds = s.pick((f"{s.between(1, 6)}", f"{s.between(0, 2)}, {s.between(3, 7)}",
                         f"{s.between(5, 9)}, 0, -{s.between(1, 2)}", f"1, {s.between(5, 10)}, 2"))
        if short:
            bounds = s.pick((f"{s.between(1, 3)}", f"{s.between(0, 1)}, {s.between(2, 3)}"))
        header, binds, lock = f"for {i} in range({bounds})", [(i, INT)], [i]
    elif form == "range_len" and seq:
        i = s.fresh(LOOP_NAMES["index"])
        header, binds, lock = f"for {i} in range(len({seq}))", [(i, INT)], [i, seq]
        pair = (seq, i)
    elif form in ("list", "zip") and seq:
        elem = ELEMENT[s.vars[seq]]
        x = s.fresh(LOOP_NAMES[elem])
        other = name_of(s, s.pick((INTS, STRS)))
        if form == "zip" and other and other != seq:
            y = s.fresh(LOOP_NAMES[ELEMENT[s.vars[other]]])
            header = f"for {x}, {y} in zip({seq}, {other})"
            binds, lock = [(x, elem), (y, ELEMENT[s.vars[other]])], [x, y, seq, other]
        else:
            header, binds, lock = f"for {x} in {seq}", [(x, elem)], [x, seq]
    elif form == "enumerate" and seq:
        elem = ELEMENT[s.vars[seq]]
        i, x = s.fresh(LOOP_NAMES["index"]), s.fresh(LOOP_NAMES[elem])
        start = s.pick(("", "", ", 1", ", start=1"))
        header, binds, lock = f"for {i}, {x} in enumerate({seq}{start})", [(i, INT), (x, elem)], [i, x, seq]
    elif form in ("str", "split") and texts:
        c = s.fresh(LOOP_NAMES[STR])
        source = texts if form == "str" else f"{texts}.split()"
        header, binds, lock = f"for {c} in {source}", [(c, STR)], [c, texts]
    elif form in ("items", "keys") and dicts:
        k = s.fresh(LOOP_NAMES["key"])
        if form == "keys":
            header, binds, lock = f"for {k} in {dicts}", [(k, STR)], [k, dicts]
        else:
            v = s.fresh(("v", "value", "count", "n", "amount"))
            header = f"for {k}, {v} in {s.pick((f'{dicts}.items()', f'sorted({dicts}.items())'))}"
            binds, lock = [(k, STR), (v, INT)], [k, v, dicts]
    else:
        return False
    with s.block(header, lock=lock, loop="for", focus=[n for n, _ in binds]):
        for n, t in binds:
            s.declare(n, t)
        if pair:
            s.indices.append(pair)
        _loop_body(s, then)
    if s.chance(0.15):
        with s.block("else"):
            statements(s, 1)
    return True


def while_loop(s: Scope, then: Then = None) -> bool:
    if s.loops >= MAX_LOOPS:
        return False
    form = s.pick(("counter", "counter", "stack", "digits"))
    stack = next((n for n in (writable(s, INTS), writable(s, STRS)) if n and n not in s.accumulators), None)
    number = writable(s, INT)
    if form == "stack" and stack:
        item = s.fresh(LOOP_NAMES[ELEMENT[s.vars[stack]]])
        with s.block(f"while {stack}", lock=[stack], loop="while", focus=[item]):
            s.emit(f"{s.declare(item, ELEMENT[s.vars[stack]])} = {stack}.pop({s.pick(('', '0'))})")
            _loop_body(s, then)
    elif form == "digits" and number:
        digit = s.fresh(("digit", "d", "last_digit", "r"))
        with s.block(f"while {number} > 0", lock=[number], loop="while", focus=[digit]):
            s.emit(f"{s.declare(digit, INT)} = {number} % {s.pick((10, 10, 2))}")
            _loop_body(s, then)
            s.emit(f"{number} //= {10 if '% 10' in s.lines[-1] or s.chance(0.5) else 2}")
    else:
        i = s.fresh(LOOP_NAMES["index"])
        seq = name_of(s, INTS) or name_of(s, STR)
        limit = f"len({seq})" if seq and s.chance(0.5) and not s.loops else str(s.between(2, 6 - 3 * (s.loops > 0)))
        s.emit(f"{s.declare(i, INT)} = {s.pick(('0', '0', '1'))}")
        lock = [i, seq] if limit.startswith("len") else [i]
        with s.block(f"while {i} < {limit}", lock=lock, loop="while", focus=[i]):
            if s.chance(0.3):
                with s.block(f"if {expr(s, BOOL, 1)}"):
                    s.emit("break")
            statements(s, s.between(0 if then else 1, 2))
            if then:
                then(s)
            s.emit(f"{i} += {s.pick(('1', '1', '2'))}")
    return True


def try_except(s: Scope) -> bool:
    form = s.pick(("int", "index", "key", "div", "item"))
    ints, dicts = name_of(s, INTS), name_of(s, DICT)
    if form == "int":
        target, value, error, fallback, type_ = new_name(s, INT), f"int({expr(s, STR, 1)})", "ValueError", "0", INT
    elif form == "index" and ints:
        target, value, error, fallback, type_ = (s.fresh(("pos", "where", "idx")), f"{ints}.index({expr(s, INT, 1)})",
                                                  "ValueError", "-1", INT)
    elif form == "key" and dicts:
        target, value, error, fallback, type_ = new_name(s, INT), f"{dicts}[{expr(s, STR, 0)}]", "KeyError", "0", INT
    elif form == "div":
        target, value, error, fallback, type_ = (new_name(s, INT), f"{par(expr(s, INT, 1))} // {par(expr(s, INT, 1))}",
                                                  "ZeroDivisionError", "0", INT)
    elif form == "item" and ints:
        target, value, error, fallback, type_ = (new_name(s, INT), f"{ints}[{expr(s, INT, 1)}]", "IndexError",
                                                  s.pick(("-1", "0", "None")), INT)
        if fallback == "None":
            fallback = "0"
    else:
        return False
    with s.block("try"):
        s.emit(f"{target} = {value}")
        if s.chance(0.3):
            statements(s, 1)
    alias = " as e" if s.chance(0.2) and "e" not in s.taken else ""
    with s.block(f"except {error}{alias}"):
        s.emit(f"{target} = {fallback}")
        if alias:
            s.emit(f"print({s.pick(('str(e)', 'e', repr('error:') + ', e'))})")
    s.declare(target, type_)
    return True


def risky(s: Scope) -> bool:
    """An operation that fails for some values, unguarded: about one program in ten raises."""
    ints, dicts, text = name_of(s, INTS), name_of(s, DICT), name_of(s, STR)
    form = s.pick(("index", "key", "int", "item", "raise", "div"))
    if form == "index" and ints:
        value = f"{ints}.index({expr(s, INT, 1)})"
        s.emit(f"{s.declare(s.fresh(('pos', 'where')), INT)} = {value}")
    elif form == "key" and dicts:
        s.emit(f"{s.declare(new_name(s, INT), INT)} = {dicts}[{s.pick(KEYS)!r}]")
    elif form == "int" and text:
        s.emit(f"{s.declare(new_name(s, INT), INT)} = int({text})")
    elif form == "item" and ints:
        s.emit(f"{s.declare(new_name(s, INT), INT)} = {ints}[{s.between(0, 5)}]")
    elif form == "div":
        value = f"{par(expr(s, INT, 1))} // {atom(s, INT)}"
        s.emit(f"{s.declare(new_name(s, INT), INT)} = {value}")
    elif form == "raise":
        error = s.pick(("ValueError", "ValueError", "TypeError", "KeyError", "RuntimeError"))
        with s.block(f"if {expr(s, BOOL, 1)}"):
            s.emit(f"raise {error}({_message(s)})")
    else:
        return False
    return True


def _message(s: Scope) -> str:
    return repr(s.pick(("bad input", "negative value", "not found", "empty list", "too large", "invalid")))


def early_return(s: Scope) -> bool:
    if not s.returns or s.generator:
        return False
    with s.block(f"if {expr(s, BOOL, 1)}"):
        s.emit(f"return {expr(s, s.returns, 1)}")
    return True


def yield_value(s: Scope) -> bool:
    if not s.generator:
        return False
    s.emit(f"yield {expr(s, s.returns or INT, 1)}")
    return True


def accumulate(s: Scope) -> bool:
    """An accumulator, a loop that updates it: the most common shape of small functions."""
    type_ = s.pick((INT, INT, STR, INTS, INTS, STRS, DICT, SET, BOOL))
    if s.returns in TYPES and s.chance(0.6):
        type_ = s.returns  # what the function will return is what it accumulates
    acc = new_name(s, type_)
    s.emit(f"{s.declare(acc, type_)} = {EMPTY[type_] if s.chance(0.8) else literal(s, type_)}")
    s.focus.insert(0, acc)
    s.accumulators.add(acc)
    try:
        def update(s: Scope) -> None:
            if acc in s.locked:  # the loop walks the accumulator itself: growing it would never end
                return
            if s.chance(0.3) or type_ == BOOL:
                with s.block(f"if {expr(s, BOOL, 1)}"):
                    s.emit(_update(s, acc, type_))
            else:
                s.emit(_update(s, acc, type_))
        if not (s.chance(0.85) and for_loop(s, update)):
            while_loop(s, update)
    finally:
        s.focus.remove(acc)
        s.accumulators.discard(acc)
    return True


def _update(s: Scope, acc: str, type_: str) -> str:
    if type_ == INT:
        return f"{acc} += {s.pick(('1', par(expr(s, INT, 0))))}"
    if type_ == STR:
        return f"{acc} += {expr(s, STR, 0)}"
    if type_ in (INTS, STRS):
        return f"{acc}.append({expr(s, ELEMENT[type_], 0)})"
    if type_ == DICT:
        key = expr(s, STR, 0)
        return f"{acc}[{key}] = {acc}.get({key}, 0) + 1"
    if type_ == SET:
        return f"{acc}.add({expr(s, INT, 0)})"
    return f"{acc} = {s.pick(('True', 'True', f'not {acc}'))}"  # found = True: a flag set when a test passes


SIMPLE: list[tuple[float, Statement]] = [
    (3, assign_new), (1.5, reassign), (3, augment), (2.5, list_method), (2, dict_method), (0.8, set_method),
    (1, unpack), (0.8, show), (1.5, early_return), (3, yield_value),
]
COMPOUND: list[tuple[float, Statement]] = [
    (2.5, if_else), (3, for_loop), (1, while_loop), (1, try_except), (2.5, accumulate),
]


def statement(s: Scope) -> None:
    """One statement the scope allows (always writes at least one line)."""
    if s.chance(RISKY_RATE) and risky(s):
        return
    table = SIMPLE + (COMPOUND if s.depth < MAX_DEPTH and len(s.lines) < 18 else [])
    total = sum(w for w, _ in table)
    for _ in range(8):
        strategy = s.weighted(table, total)
        # an early return only inside a block (at a function's top level it would end the function)
        if (strategy is not early_return or s.depth > 0) and strategy(s):
            return
    assign_new(s)


def statements(s: Scope, n: int) -> None:
    for _ in range(n):
        statement(s)
