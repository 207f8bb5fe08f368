"""Value rendering: the one deterministic, repr-like text the tracer records for a value.

Every rule, with an example, is in docs/tracer.md ("Value rendering"). In short: Python's repr, except that
containers are rendered by us (sets sorted, item, depth and length limits, cycles as ``[...]``), instances of
classes without their own ``__repr__`` show their attributes, and memory addresses never appear. The one
truncation marker is ``…`` (U+2026); Python's own ``...`` keeps its meaning (a cycle).

A rendering costs time in proportion to what it shows, not to the value's size: strings and bytes are sliced
before ``repr``, containers and attributes are visited one item at a time until the budget of characters is
spent, and sorting (sets, Counters) is capped at ``SORT_LIMIT`` elements per rendering. The tracer renders every
name at every step, so a value's full ``repr`` would make a big value cost its size at each step. Only objects
with a ``__repr__`` of their own (the program's, or a library's) cost what that ``__repr__`` costs.
"""

from __future__ import annotations

import collections
import contextlib
import re
from itertools import islice

TRUNCATED = "…"
DEFAULT_MAX_CHARS = 100
MAX_ITEMS = 20
MAX_DEPTH = 6
# Python refuses to convert ints longer than this to text (sys.get_int_max_str_digits), and doing so is slow.
MAX_INT_DIGITS = 4300
# Sets and Counters are shown sorted, which needs all their elements: at most this many are sorted in one
# rendering (nested sets included); a set that would pass it is shown as ``<set with N items>``.
SORT_LIMIT = 1000
_LOG10_2 = 0.30102999566398120

_ADDRESS = re.compile(r" at 0x[0-9a-fA-F]+")
# Every namedtuple class's __repr__ is made from this one code object.
_NAMEDTUPLE_REPR = collections.namedtuple("_Probe", "a").__repr__.__code__


class _Full(Exception):
    """Raised inside the renderer once the budget is spent: nothing more will be shown."""


def render(value: object, max_chars: int = DEFAULT_MAX_CHARS) -> str:
    """The rendering of ``value``: repr-like, deterministic, one line, at most ``max_chars`` characters."""
    t = type(value)
    if t is int:
        text = _int(value)  # type: ignore[arg-type]
    elif t is str:
        text = repr(value[: max_chars + 1])  # type: ignore[index]
    elif t is float or t is bool or value is None:
        text = repr(value)
    elif (t is list or t is tuple or t is dict) and len(value) <= MAX_ITEMS and _flat(value):  # type: ignore[arg-type]
        text = _flat_text(value, max_chars)  # the common case, without the general renderer's bookkeeping
    else:
        text = _render(value, max_chars, _Work(SORT_LIMIT))
    return _cut(text, max_chars)


def _render(value: object, max_chars: int, work: _Work) -> str:
    """The general renderer's text (before cutting); ``work`` is shared with nested sort keys."""
    r = _Renderer(max_chars, work)
    with contextlib.suppress(_Full):  # the budget is spent: what was added so far is the rendering
        r.value(value, 0)
    return "".join(r.parts)


class _Work:
    """How many more elements one rendering may sort (its sets' keys, rendered in turn, share it)."""

    __slots__ = ("left",)

    def __init__(self, left: int) -> None:
        self.left = left

    def take(self, n: int) -> bool:
        if n > self.left:
            return False
        self.left -= n
        return True


_ATOMS = frozenset({int, str, float, bool, type(None)})


def _flat(value: list | tuple | dict) -> bool:
    if type(value) is dict:
        return all(type(k) in _ATOMS and type(v) in _ATOMS for k, v in value.items())
    return all(type(x) in _ATOMS for x in value)


def _atom(v: object, max_chars: int) -> str:
    t = type(v)
    if t is int:
        return _int(v)  # type: ignore[arg-type]
    if t is str:
        return repr(v[: max_chars + 1])  # type: ignore[index]
    return repr(v)


def _flat_text(value: list | tuple | dict, max_chars: int) -> str:
    """What ``_Renderer`` makes of a short container of atoms (the same text, before cutting)."""
    if type(value) is dict:
        return "{" + ", ".join([f"{_atom(k, max_chars)}: {_atom(v, max_chars)}"
                                for k, v in value.items()]) + "}"
    inner = ", ".join([_atom(x, max_chars) for x in value])
    if type(value) is list:
        return f"[{inner}]"
    return f"({inner},)" if len(value) == 1 else f"({inner})"


def _cut(text: str, max_chars: int) -> str:
    if len(text) <= max_chars:
        return text
    return text[: max(max_chars - 1, 1)].rstrip() + TRUNCATED


def _int(n: int) -> str:
    if n.bit_length() <= 14_000:  # at most 4215 digits: safely under the conversion limit
        return repr(n)
    digits = _digit_count(n)
    if digits <= MAX_INT_DIGITS:
        return repr(n)
    return f"<int with {digits} digits>"


def _digit_count(n: int) -> int:
    n = abs(n)
    estimate = int(n.bit_length() * _LOG10_2)  # n has `estimate` or `estimate + 1` digits
    return estimate + 1 if n >= 10**estimate else estimate


def sanitize(text: str) -> str:
    """A foreign repr made safe: no memory address, no ``<locals>.``, no raw newline, no outer whitespace."""
    if " at 0x" in text:
        text = _ADDRESS.sub("", text)
    if "<locals>." in text:
        text = text.replace("<locals>.", "")
    if "\n" in text or "\r" in text:
        text = text.replace("\r", "\\r").replace("\n", "\\n")
    return text.strip()


def _own_repr(obj: object) -> str:
    try:
        text = repr(obj)
    # A user's __repr__ may raise anything (even SystemExit); rendering must never change the run.
    except BaseException as e:
        return f"<repr failed: {type(e).__name__}>"
    if not isinstance(text, str):
        return f"<repr failed: {type(text).__name__}>"
    return sanitize(text) or f"<empty repr: {type(obj).__name__}>"


def _has_default_repr(t: type) -> bool:
    return t.__repr__ is object.__repr__


def _instance_attrs(obj: object) -> list[tuple[str, object]] | None:
    """The first ``MAX_ITEMS + 1`` attributes to show for an instance without its own __repr__ (one more than
    shown, so the renderer knows to add the marker); None: they cannot be read."""
    try:
        d = object.__getattribute__(obj, "__dict__")
    except AttributeError:
        d = None
    except Exception:
        return None
    attrs: list[tuple[str, object]] = []
    if isinstance(d, dict):
        attrs.extend(islice(((k, v) for k, v in d.items() if isinstance(k, str)), MAX_ITEMS + 1))
    for klass in type(obj).__mro__:
        slots = klass.__dict__.get("__slots__", ())
        for name in (slots,) if isinstance(slots, str) else slots:
            if len(attrs) > MAX_ITEMS:
                return attrs
            if name in ("__dict__", "__weakref__"):
                continue
            try:
                attrs.append((name, object.__getattribute__(obj, name)))
            except AttributeError:  # an unset slot is simply not shown
                continue
            except Exception:
                return None
    return attrs


class _Renderer:
    """Appends the pieces of one rendering, stopping (``_Full``) once past the character budget."""

    __slots__ = ("active", "limit", "parts", "size", "work")

    def __init__(self, max_chars: int, work: _Work) -> None:
        self.parts: list[str] = []
        self.size = 0
        self.limit = max_chars
        self.work = work
        self.active: set[int] = set()  # ids of the containers being rendered: a revisit is a cycle

    def add(self, text: str) -> None:
        self.parts.append(text)
        self.size += len(text)
        if self.size > self.limit:
            raise _Full

    def value(self, v: object, depth: int) -> None:
        t = type(v)
        if t is int:
            self.add(_int(v))  # type: ignore[arg-type]
        elif t is str or t is bytes:
            self.add(repr(v[: self.limit + 1]))  # type: ignore[index]
        elif t is float or t is bool or v is None:
            self.add(repr(v))
        elif isinstance(v, (list, tuple, dict, set, frozenset, collections.deque)):
            self.container(v, depth)
        elif _has_default_repr(t):
            self.instance(v, depth)
        elif isinstance(v, (str, bytes)) and t.__repr__ in (str.__repr__, bytes.__repr__):
            self.add(repr(v[: self.limit + 1]))  # type: ignore[index]
        elif isinstance(v, bytearray) and t.__repr__ is bytearray.__repr__:
            self.add(_bytearray(v, self.limit))
        else:
            self.add(_own_repr(v))

    def container(self, v: object, depth: int) -> None:
        t = type(v)
        r = t.__repr__
        if r is list.__repr__ or r is tuple.__repr__ or r is dict.__repr__:
            self.items(v, depth)  # subclasses too: Python shows them like their base type
        elif (r is set.__repr__ or r is frozenset.__repr__ or r is collections.Counter.__repr__) and not (
                depth >= MAX_DEPTH or self.work.take(len(v))):  # type: ignore[arg-type]
            self.add(f"<{t.__name__} with {len(v)} items>")  # type: ignore[arg-type]
        elif r is set.__repr__ or r is frozenset.__repr__:
            if t is set:
                self.items(v, depth) if v else self.add("set()")
            else:
                self.call_form(t.__name__, v, depth)
        elif getattr(r, "__code__", None) is _NAMEDTUPLE_REPR:
            self.named_tuple(v, depth)  # type: ignore[arg-type]
        elif r is collections.OrderedDict.__repr__ or r is collections.Counter.__repr__:
            self.call_form(t.__name__, v, depth)
        elif r is collections.defaultdict.__repr__:
            factory = v.default_factory  # type: ignore[attr-defined]
            name = getattr(factory, "__qualname__", None)
            head = sanitize(name) if isinstance(name, str) else _own_repr(factory)
            self.add(f"{t.__name__}({head}, ")
            self.items(v, depth)
            self.add(")")
        elif r is collections.deque.__repr__:
            self.add(f"{t.__name__}(")
            self.items(v, depth)
            self.add(")" if v.maxlen is None else f", maxlen={v.maxlen})")  # type: ignore[attr-defined]
        else:
            self.add(_own_repr(v))

    def call_form(self, name: str, v: object, depth: int) -> None:
        """``Name({...})``, or ``Name()`` when empty: how Python shows these subclasses."""
        if not v:
            self.add(f"{name}()")
            return
        self.add(name + "(")
        self.items(v, depth)
        self.add(")")

    def items(self, v: object, depth: int) -> None:
        if isinstance(v, (dict, set, frozenset)):
            opening, closing = "{", "}"
        elif isinstance(v, tuple):
            opening, closing = "(", ")"
        else:
            opening, closing = "[", "]"
        key = id(v)
        if key in self.active:  # a cycle, shown as Python shows one
            self.add(f"{opening}...{closing}")
            return
        if depth >= MAX_DEPTH:
            self.add(f"{opening}{TRUNCATED}{closing}")
            return
        self.active.add(key)
        self.add(opening)
        if isinstance(v, dict):
            self.dict_items(v, depth)
        else:
            elements = _sorted_set(v, self.work) if isinstance(v, (set, frozenset)) else v
            for i, item in enumerate(elements):  # type: ignore[arg-type]
                if i:
                    self.add(", ")
                if i == MAX_ITEMS:
                    self.add(TRUNCATED)
                    break
                self.value(item, depth + 1)
            if isinstance(v, tuple) and len(v) == 1:
                self.add(",")
        self.add(closing)
        self.active.discard(key)

    def dict_items(self, d: dict, depth: int) -> None:
        if isinstance(d, collections.Counter) and type(d).__repr__ is collections.Counter.__repr__:
            pairs = d.most_common()  # Counter's own order: by count, ties in insertion order
        else:
            pairs = d.items()  # type: ignore[assignment]
        for i, (k, item) in enumerate(pairs):
            if i:
                self.add(", ")
            if i == MAX_ITEMS:
                self.add(TRUNCATED)
                break
            self.value(k, depth + 1)
            self.add(": ")
            self.value(item, depth + 1)

    def named_tuple(self, v: tuple, depth: int) -> None:
        t = type(v)
        key = id(v)
        if key in self.active:
            self.add(f"{t.__name__}(...)")
            return
        if depth >= MAX_DEPTH:
            self.add(f"{t.__name__}({TRUNCATED})")
            return
        self.active.add(key)
        self.add(t.__name__ + "(")
        for i, (name, item) in enumerate(zip(t._fields, v, strict=False)):  # type: ignore[attr-defined]
            if i:
                self.add(", ")
            self.add(f"{name}=")
            self.value(item, depth + 1)
        self.add(")")
        self.active.discard(key)

    def instance(self, obj: object, depth: int) -> None:
        name = type(obj).__name__
        key = id(obj)
        if key in self.active:
            self.add(f"{name}(...)")
            return
        if depth >= MAX_DEPTH:
            self.add(f"{name}({TRUNCATED})")
            return
        attrs = _instance_attrs(obj)
        if attrs is None:
            self.add(f"<repr failed: {name}>")
            return
        self.active.add(key)
        self.add(name + "(")
        for i, (attr, item) in enumerate(attrs):
            if i:
                self.add(", ")
            if i == MAX_ITEMS:
                self.add(TRUNCATED)
                break
            self.add(f"{attr}=")
            self.value(item, depth + 1)
        self.add(")")
        self.active.discard(key)


def _bytearray(v: bytearray, limit: int) -> str:
    """Python's repr of the first ``limit + 1`` bytes, sanitized as any foreign repr used to be."""
    text = repr(bytearray(v[: limit + 1]))  # a slice of a subclass is a bytearray: put the type's name back
    return sanitize(type(v).__name__ + text[len("bytearray"):])


def _sorted_set(s: set | frozenset, work: _Work) -> list:
    """A set's elements in a deterministic order: ints by value, anything else by rendering (the caller has
    taken ``len(s)`` from ``work``; the elements' own sets take theirs as their keys are rendered)."""
    if all(type(x) is int for x in s):
        return sorted(s)
    keyed = [(_key(x, work), i, x) for i, x in enumerate(s)]
    keyed.sort(key=lambda e: e[0])
    return [x for _, _, x in keyed]


def _key(x: object, work: _Work) -> str:
    """``render(x)``, sharing the rendering's sort budget."""
    text = _atom(x, DEFAULT_MAX_CHARS) if type(x) in _ATOMS else _render(x, DEFAULT_MAX_CHARS, work)
    return _cut(text, DEFAULT_MAX_CHARS)
