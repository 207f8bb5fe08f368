"""Literal strategies: small concrete values of each type, so traces stay short."""

from __future__ import annotations

from codeexecutor.training.dataset.generator.scope import BOOL, DICT, INT, INTS, SET, STR, STRS, Scope

WORDS = ("apple", "kiwi", "hello", "data", "cat", "level", "banana", "sky", "python", "red", "blue", "tree",
         "dog", "sun", "moon", "code", "ab", "abc", "noon", "tea", "Bob", "Ann", "zoo", "pear", "fig", "owl",
         "map", "key", "box", "go")
TEXTS = ("hello world", "the cat sat", "a b c", "one two three", "red green blue", "Hello World", "a,b,c",
         "1,2,3", "x-y-z", "  padded  ", "abc123", "42", "7", "2024", "racecar", "Mississippi", "hi there",
         "key=value", "CamelCase", "snake_case", "aeiou", "banana split", "no", "", "A1B2", "to be or not")
KEYS = ("a", "b", "c", "x", "y", "apple", "kiwi", "red", "blue", "ann", "bob", "cat", "dog", "key")
SUBS = ("a", "e", "o", "an", "l", ",", " ", "-", "x", "ab", "1", "the", "=")
SEPS = (",", " ", "-", ", ", "", "_", ":", "/")


def small_int(s: Scope) -> int:
    r = s.rng.random()
    if r < 0.7:
        return s.between(0, 9)
    return s.between(10, 20) if r < 0.9 else -s.between(1, 5)


def int_lit(s: Scope) -> str:
    return str(small_int(s))


def str_value(s: Scope) -> str:
    return s.pick(WORDS) if s.chance(0.55) else s.pick(TEXTS)


def str_lit(s: Scope) -> str:
    return repr(str_value(s))


def ints_lit(s: Scope) -> str:
    return repr([small_int(s) for _ in range(s.between(0 if s.chance(0.05) else 2, 5))])


def strs_lit(s: Scope) -> str:
    return repr([s.pick(WORDS) for _ in range(s.between(1, 4))])


def dict_lit(s: Scope) -> str:
    keys = dict.fromkeys(s.pick(KEYS) for _ in range(s.between(1, 3)))
    return repr({k: s.between(0, 9) for k in keys})


def set_lit(s: Scope) -> str:
    items = sorted({s.between(0, 9) for _ in range(s.between(1, 4))})
    return "{" + ", ".join(map(str, items)) + "}"


LITERALS = {INT: int_lit, STR: str_lit, BOOL: lambda s: s.pick(("True", "False")), INTS: ints_lit,
            STRS: strs_lit, DICT: dict_lit, SET: set_lit}
# What an accumulator starts as.
EMPTY = {INT: "0", STR: "''", BOOL: "False", INTS: "[]", STRS: "[]", DICT: "{}", SET: "set()"}


def literal(s: Scope, type_: str) -> str:
    return LITERALS[type_](s)
