"""The generator's symbol table: which names exist, of which type, and which may change.

Like Csmith's, it is what makes every program valid by construction: an expression only reads names that
are bound on every path to it, of the type it needs; a statement only rebinds or resizes a name that is not
locked. A ``for`` locks the sequence it walks (no append while iterating: every loop ends) and its loop
names; a ``while`` locks its counter, so only the loop's own step moves it. Names bound inside a block
(an ``if`` branch, a loop body) are forgotten when the block ends: the block may not have run.
"""

from __future__ import annotations

import random
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TypeVar

T = TypeVar("T")
INT, STR, BOOL = "int", "str", "bool"
INTS, STRS = "list[int]", "list[str]"
DICT = "dict[str, int]"  # the only dict type: str keys, int values (what counting code holds)
SET = "set[int]"  # ints only: iterating a set of str changes with PYTHONHASHSEED, a gold trace must not
TYPES = (INT, STR, BOOL, INTS, STRS, DICT, SET)
ELEMENT = {INTS: INT, STRS: STR, SET: INT, STR: STR}

# The names a person gives a value of each type.
NAMES: dict[str, tuple[str, ...]] = {
    INT: ("count", "total", "n", "limit", "size", "step", "start", "end", "idx", "score", "value", "num",
          "width", "depth", "level", "offset", "target", "amount", "low", "high", "best", "k", "m", "acc",
          "length", "steps", "diff", "product", "largest", "smallest", "pos", "carry", "points", "rank"),
    STR: ("text", "word", "name", "s", "line", "sentence", "prefix", "suffix", "sep", "label", "message",
          "key", "title", "code", "pattern", "first", "last", "out", "joined", "cleaned", "initials",
          "padded", "reply", "tag", "greeting", "head", "tail", "chunk", "part", "token"),
    BOOL: ("found", "done", "is_valid", "ok", "flag", "has_digit", "matched", "changed", "is_sorted",
           "active"),
    INTS: ("nums", "values", "scores", "numbers", "data", "stack", "evens", "odds", "digits", "totals",
           "prices", "ages", "sizes", "queue", "squares", "lengths", "marks", "heights", "steps_list"),
    STRS: ("words", "names", "parts", "tokens", "lines", "tags", "letters", "fruits", "keys", "labels",
           "colors", "items", "chars", "pieces", "fields", "cities"),
    DICT: ("counts", "freq", "scores_by_name", "ages_by_name", "stock", "totals_by_key", "lookup",
           "inventory", "tally", "grades", "index", "seen_at", "votes", "sizes_by_word"),
    SET: ("seen", "unique", "visited", "ids", "picked", "found_ids", "done_ids", "buckets", "remainders"),
}
LOOP_NAMES: dict[str, tuple[str, ...]] = {
    INT: ("x", "n", "num", "value", "item", "score", "v", "d"),
    STR: ("w", "word", "name", "part", "token", "ch", "c", "letter", "item"),
    "index": ("i", "j", "k", "pos", "idx"),
    "key": ("key", "k", "name", "word"),
}


@dataclass(frozen=True)
class Func:
    """A function the program defined earlier, callable from later code."""

    name: str
    params: tuple[str, ...]  # parameter types
    returns: str


@dataclass
class Scope:
    """The state of one program while it is written: lines, names in scope and their types, locks."""

    rng: random.Random
    lines: list[str] = field(default_factory=list)
    vars: dict[str, str] = field(default_factory=dict)  # name in scope -> type
    taken: set[str] = field(default_factory=set)  # every name the program uses (no shadowing)
    locked: set[str] = field(default_factory=set)
    funcs: list[Func] = field(default_factory=list)
    indices: list[tuple[str, str]] = field(default_factory=list)  # (seq, i): i is a valid index of seq
    focus: list[str] = field(default_factory=list)  # names a loop body should rather use
    accumulators: set[str] = field(default_factory=set)  # just made empty: not a sequence to walk
    indent: int = 0
    loop: str | None = None  # "for" or "while" when inside one (break/continue allowed)
    returns: str | None = None  # the function's return type, when inside one
    generator: bool = False
    in_function: bool = False
    depth: int = 0  # nesting of compound statements
    loops: int = 0  # nesting of loops

    # -- drawing --------------------------------------------------------------------------------------
    def chance(self, p: float) -> bool:
        return self.rng.random() < p

    def pick(self, seq: Sequence):
        return seq[int(self.rng.random() * len(seq))]

    def between(self, lo: int, hi: int) -> int:
        return lo + int(self.rng.random() * (hi - lo + 1))

    def weighted(self, table: Sequence[tuple[float, T]], total: float) -> T:
        """An item of ``(weight, item)`` rows drawn by weight (``total``: the weights' sum)."""
        r = self.rng.random() * total
        for weight, item in table:
            r -= weight
            if r < 0:
                return item
        return table[-1][1]

    # -- names ----------------------------------------------------------------------------------------
    def fresh(self, pool: Sequence[str], prefix: str = "") -> str:
        for _ in range(8):
            name = prefix + self.pick(pool)
            if name not in self.taken:
                break
        else:
            name = next((prefix + n for n in pool if prefix + n not in self.taken), "")
            k = 2
            while not name or name in self.taken:
                name, k = f"{prefix}{pool[0]}{k}", k + 1
        self.taken.add(name)
        return name

    def declare(self, name: str, type_: str) -> str:
        self.vars[name] = type_
        self.taken.add(name)
        return name

    def names_of(self, type_: str, writable: bool = False) -> list[str]:
        return [n for n, t in self.vars.items() if t == type_ and not (writable and n in self.locked)]

    # -- writing --------------------------------------------------------------------------------------
    def emit(self, text: str) -> None:
        self.lines.append("    " * self.indent + text)

    @contextmanager
    def block(self, header: str, *, lock: Sequence[str] = (), loop: str | None = None,
              focus: Sequence[str] = ()) -> Iterator[None]:
        """Write ``header:`` and an indented body; names bound in the body are out of scope after it."""
        self.emit(header + ":")
        saved = (dict(self.vars), set(self.locked), self.loop, list(self.focus), len(self.indices), self.loops)
        self.indent += 1
        self.depth += 1
        self.loops += loop is not None
        self.locked.update(lock)
        self.loop = loop or self.loop
        self.focus = [*focus, *self.focus]
        start = len(self.lines)
        try:
            yield
        finally:
            if len(self.lines) == start:
                self.emit("pass")
            self.indent -= 1
            self.depth -= 1
            self.vars, self.locked, self.loop, self.focus, n, self.loops = saved
            del self.indices[n:]
