"""SingleLine programs: a few variables initialised with literals, then one statement.

Like CodeExecutor's SingleLine dataset, each program is 1-4 assignment lines of random literals followed by
ONE statement from one of ``CATEGORIES`` (arithmetic, string methods, slicing, comprehensions, ...). The
statement is written as a template with typed holes, e.g. ``"$r:target = $s:str.count($c:sub(s))"``:

- ``$name:kind`` fills a hole: a variable kind (``int``, ``str``, ``list``, ...) declares a fresh variable
  with a random literal, a literal kind (``small``, ``word``, ``cmp``, ...) writes a literal or an operator;
- ``$name:kind(other)`` derives from another hole's value (an element, key, index or substring of it), so
  that most programs run cleanly while a few still raise (an index past the end, a missing key), as real code
  does;
- ``$name`` repeats a hole's text.

Program ``i`` of a seed depends only on ``(seed, i)``: one ``random.Random(seed)`` stream, so
``generate(n, seed)`` is a prefix of ``generate(m, seed)`` for ``n < m``. Literals stay small on purpose (ints
mostly 0-20, exponents 0-3, repetitions 2-4) so no value grows past what a trace can show; sets hold ints
only, because iterating or printing a set of strings changes with PYTHONHASHSEED and a gold trace must not.
``SourceProgram.origin`` is ``"singleline/<category>"``.
"""

from __future__ import annotations

import random
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from codeexecutor.training.dataset.sources import SourceProgram

# fmt: off
TEMPLATES: dict[str, tuple[str, ...]] = {
    "arithmetic": (
        "$r:target = $a:int $op:arith $b:nzint", "$r:target = $a:num $o1:addmul $b:num $o2:addmul $c:num",
        "$r:target = ($a:int + $b:num) * $c:num", "$r:target = $a:int ** $e:exp",
        "$r:target = $a:float $op:fop $b:num", "$r:target = $a:int // $b:nzint + $a % $b",
        "$r:target = ($a:int - $b:int) / $c:nzint", "$r:target = -$a:int * $k:small",
        "$r:target = $a:float * $b:float - $c:int", "$a:int = $a $op:addmul $b:num",
        "$r:target = $a:int * $a - $b:num * $b",
    ),
    "comparison": (
        "$r:target = $a:int $c:cmp $b:num", "$r:target = $lo:int <= $x:int < $hi:int",
        "$r:target = $a:num $c1:lt $b:int $c2:lt $c:num", "$r:target = $s:str == $w:word",
        "$r:target = $s:str < $t:text", "$r:target = $v:elem(A) in $A:list",
        "$r:target = $v:elem(A) not in $A:list", "$r:target = $k:key(D) in $D:dict",
        "$r:target = len($s:str) > $n:small", "$r:target = $a:float >= $b:num",
        "$r:target = $A:list == sorted($A)", "$r:target = $t:tuple < $u:tuple",
        "$r:target = $a:int != $b:int == $c:num",
    ),
    "boolean": (
        "$r:target = $a:int > $b:num and $c:int < $d:num", "$r:target = $f:bool or $a:int $c:cmp $b:num",
        "$r:target = not $f:bool", "$r:target = not ($a:int > $b:int or $f:bool)",
        "$r:target = $a:int % 2 == 0 or $b:int % 3 == 0", "$r:target = $f:bool and not $g:bool",
        "$r:target = $A:list and $A[0]", "$r:target = $s:str or $w:word", "$r:target = $a:int or $b:num",
        "$r:target = bool($A:list) and len($A) > $n:small", "$r:target = $f:bool != ($a:int > $b:num)",
    ),
    "string_method": (
        "$r:target = $s:str.$m:case()", "$s:str = $s.$m:case()", "$r:target = $s:sentence.split()",
        "$r:target = $s:csv.split(',')", "$r:target = $j:joiner.join($W:words)",
        "$r:target = $s:str.replace($a:sub(s), $w:word)", "$r:target = $s:str.find($a:sub(s))",
        "$r:target = $s:str.count($a:sub(s))", "$r:target = $s:str.$m:startend($a:sub(s))",
        "$r:target = $s:str.$m:pred()", "$r:target = $s:str.$m:pad($n:width, $c:fillchar)",
        "$r:target = $s:digits.zfill($n:width)", "$r:target = $s:sentence.partition(' ')",
        "$r:target = $s:str.index($a:sub(s))", "$r:target = $s:sentence.strip().lower().replace(' ', '_')",
        "$r:target = $s:sentence.title().split()", "$r:target = $s:csv.rsplit(',', 1)",
    ),
    "string_format": (
        "$r:target = f'{$s:str} is {$a:int} years old'", "$r:target = f'{$p:float:.2f}'",
        "$r:target = f'{$a:int} + {$b:int} = {$a + $b}'", "$r:target = f'{$s:str!r} has {len($s)} chars'",
        "$r:target = f'[{$a:int:>5}]'", "$r:target = f'{$a:int:03d}-{$b:int:02d}'",
        "$r:target = f'{$p:float:.1%}'", "$r:target = '{} - {}'.format($s:text, $b:num)",
        "$r:target = '%s=%d' % ($w:word, $a:int)", "$r:target = $s:str + ' ' + str($a:int)",
        "$r:target = $s:str * $n:rep", "$r:target = f'{$W:words[0]} and {len($W) - 1} more'",
        "$r:target = '{:<8}|{:>6.1f}'.format($s:str, $p:float)", "$r:target = f'{$D:dict}'",
    ),
    "indexing": (
        "$r:target = $A:list[$i:index(A)]", "$r:target = $A:list[$sl:slice(A)]",
        "$r:target = $s:str[$sl:slice(s)]", "$r:target = $s:str[$i:index(s)]",
        "$r:target = $D:dict[$k:key(D)]", "$r:target = $T:tuple[$i:index(T)]",
        "$r:target = $G:grid[$i:index(G)][$j:col(G)]", "$A:list[$i:index(A)] = $v:lit",
        "$A:list[$sl:span(A)] = [$v:lit, $w:lit]", "$D:dict[$k:key(D)] = $v:lit", "del $A:list[$i:index(A)]",
        "$r:target = $W:words[$i:index(W)][0]", "$r:target = $A:nelist[len($A) // 2]",
        "$r:target = $W:words[$sl:slice(W)]", "$r:target = $G:grid[$i:index(G)]",
    ),
    "list_method": (
        "$A:list.append($v:num)", "$A:list.extend($B:list)", "$A:list.extend([$v:lit, $w:lit])",
        "$A:list.insert($i:index(A), $v:lit)", "$r:target = $A:nelist.pop()",
        "$r:target = $A:nelist.pop($i:index(A))", "$A:list.remove($v:elem(A))", "$A:list.sort()",
        "$A:list.sort(reverse=True)", "$W:words.sort(key=len)", "$A:list.reverse()",
        "$r:target = $A:list.index($v:elem(A))", "$r:target = $A:list.count($v:elem(A))",
        "$r:target = $A:list.copy()", "$A:list.clear()", "$r:target = $A:list + $B:list",
        "$r:target = $A:list * $n:rep", "$W:words.append($w:word)",
    ),
    "dict_method": (
        "$r:target = $D:dict.get($k:key(D))", "$r:target = $D:dict.get($k:key(D), $v:lit)",
        "$r:target = list($D:dict.$m:view())", "$D:dict.update({$k:key(D): $v:lit})",
        "$D:dict.update($E:dict)", "$r:target = $D:dict.setdefault($k:key(D), $v:lit)",
        "$r:target = $D:dict.pop($k:key(D))", "$r:target = $D:dict.pop($k:key(D), None)",
        "$D:dict[$k:key(D)] = $D.get($k, 0) + $n:small", "$r:target = max($D:nedict, key=$D.get)",
        "$r:target = dict(zip($W:words, $A:list))", "$r:target = {**$D:dict, $k:word: $v:lit}",
        "$r:target = sorted($D:dict.items())", "$r:target = sum($D:dict.values())",
        "$r:target = dict.fromkeys($W:words, $v:lit)", "del $D:dict[$k:key(D)]", "$r:target = $D:dict.copy()",
    ),
    "set_method": (
        "$S:set.add($v:num)", "$S:set.discard($v:elem(S))", "$S:set.remove($v:elem(S))",
        "$r:target = $S:set.$m:setmeth($T:set)", "$r:target = $S:set $o:setop $T:set",
        "$r:target = $S:set.$m:setpred($T:set)", "$r:target = set($A:list)", "$r:target = len(set($A:list))",
        "$S:set.update($A:list)", "$r:target = sorted($S:set)", "$r:target = $v:elem(S) in $S:set",
        "$r:target = $S:set.pop()", "$r:target = set($A:list) $o:setop $S:set",
    ),
    "tuple": (
        "$r:target = $T:tuple.count($v:elem(T))", "$r:target = $T:tuple.index($v:elem(T))",
        "$r:target = $T:tuple + ($v:lit, $w:lit)", "$r:target = $T:tuple * $n:rep",
        "$r:target = tuple($A:list)", "$r:target = $T:tuple[1:]", "$r:target = ($a:int, $b:num)",
        "$r:target = list($T:tuple)", "$r:target = $P:pair[0] * $P[1]",
        "$r:target = sorted($T:tuple, reverse=True)", "$r:target = len($T:tuple) + $P:pair[1]",
        "$r:target = ($s:str, $a:int) + $P:pair",
    ),
    "comprehension": (
        "$r:target = [$x:loop * $n:small for $x in $A:list]",
        "$r:target = [$x:loop for $x in $A:list if $x % 2 == 0]",
        "$r:target = [$x:loop for $x in $A:list if $x $c:cmp $n:lit]",
        "$r:target = {$w:loop: len($w) for $w in $W:words}",
        "$r:target = {$x:loop % $n:pos for $x in $A:list}",
        "$r:target = [$c:loop.upper() for $c in $s:str if $c.isalpha()]",
        "$r:target = [($i:loop, $v:loop) for $i, $v in enumerate($W:words)]",
        "$r:target = [$a:loop + $b:loop for $a, $b in zip($A:list, $B:list)]",
        "$r:target = {$k:loop: $v:loop * 2 for $k, $v in $D:dict.items() if $v > $n:lit}",
        "$r:target = [$x:loop if $x > 0 else 0 for $x in $A:list]",
        "$r:target = [$i:loop * $j:loop for $i in range($n:small) for $j in range($m:small)]",
        "$r:target = sum($x:loop * $x for $x in $A:list)",
        "$r:target = [$x:loop for $row:loop in $G:grid for $x in $row]",
        "$r:target = {len($w:loop) for $w in $W:words}",
        "$r:target = [$w:loop.upper() for $w in $W:words if len($w) > $n:small]",
        "$r:target = {$w:loop: $i:loop for $i, $w in enumerate($W:words)}",
    ),
    "builtin": (
        "$r:target = len($A:list)", "$r:target = len($s:str)", "$r:target = sorted($A:list)",
        "$r:target = sorted($A:list, reverse=True)", "$r:target = sorted($W:words, key=len)",
        "$r:target = sum($A:list)", "$r:target = $f:minmax($A:nelist)",
        "$r:target = list(zip($W:words, $A:list))", "$r:target = list(enumerate($W:words, start=$n:small))",
        "$r:target = abs($a:int - $b:int)", "$r:target = round($p:float, $n:ndigits)",
        "$r:target = list(range($n:small))", "$r:target = list(range($a:int, $b:int, $k:step))",
        "$r:target = list(reversed($A:list))", "$r:target = $f:anyall($x:loop > $n:lit for $x in $A:list)",
        "$r:target = list(map(lambda $x:loop: $x * $n:small, $A:list))",
        "$r:target = list(filter(lambda $x:loop: $x % 2, $A:list))", "$r:target = int($s:digits)",
        "$r:target = str($a:num)", "$r:target = divmod($a:int, $b:nzint)", "$r:target = pow($a:int, $e:exp)",
        "$r:target = float($s:digits)", "$r:target = max($W:words, key=len)",
        "$r:target = min($D:nedict.values())", "$r:target = sum($A:nelist) / len($A)",
        "$r:target = ord($c:char)", "$r:target = chr(65 + $n:lit % 26)", "$r:target = $f:binhex($a:int)",
        "$r:target = type($x:any).__name__", "$A:list = sorted($A)",
    ),
    "augmented_assignment": (
        "$a:int $op:augop $b:num", "$a:int //= $b:nzint", "$a:int %= $b:nzint", "$a:int **= $e:exp",
        "$p:float $op:faug $b:num", "$s:str += $w:word", "$s:str *= $n:rep", "$A:list += [$v:lit]",
        "$A:list += $B:list", "$S:set $op:setaug $T:set", "$a:int += len($s:str)", "$a:int += sum($A:list)",
        "$D:dict[$k:key(D)] += $n:small", "$a:int -= $b:int * $k:small",
    ),
    "unpacking": (
        "$a:int, $b:int = $b, $a", "$x:newvar, $y:newvar = $P:pair", "$h:newvar, *$t:newvar = $A:nelist",
        "*$h:newvar, $t:newvar = $A:nelist", "$q:newvar, $m:newvar = divmod($a:int, $b:nzint)",
        "$h:newvar, $t:newvar = $s:sentence.split(' ', 1)", "$x:newvar, $y:newvar, $z:newvar = $T:triple",
        "$lo:newvar, $hi:newvar = min($A:nelist), max($A)", "$k:newvar, $v:newvar = $w:word, $n:lit",
        "$a:int, $b:int = $b, $a + $b", "($x:newvar, $y:newvar), $z:newvar = $P:pair, $n:lit",
        "$x:newvar, $y:newvar = sorted($A:list)[:2]", "$k:newvar, $v:newvar = sorted($D:nedict.items())[0]",
    ),
    "ternary": (
        "$r:target = $a:int if $a > $b:int else $b", "$r:target = 'even' if $n:int % 2 == 0 else 'odd'",
        "$r:target = $A:list[0] if $A else None", "$r:target = $s:str.upper() if len($s) > $n:small else $s",
        "$r:target = $x:int if $x >= 0 else -$x",
        "$r:target = 'big' if $x:int > $h:lit else 'medium' if $x > $n:small else 'small'",
        "$r:target = $v:num if $f:bool else $w:num", "$r:target = $D:dict[$k:key(D)] if $k in $D else $v:lit",
        "$r:target = ($a:int + $b:int) // 2 if $a < $b else $a - $b",
        "$r:target = $W:words[-1] if len($W) > $n:small else ''",
    ),
}

# Variable names by kind: the names a person would give such a value.
_INT_NAMES = ("a", "b", "c", "x", "y", "n", "m", "i", "j", "k", "count", "total", "num", "step", "limit",
              "size", "idx", "start", "end", "age", "score", "width", "height", "lo", "hi", "level", "offset",
              "base", "qty", "year", "days", "hours")
_FLOAT_NAMES = ("price", "rate", "ratio", "temp", "f", "weight", "avg", "dist", "amount", "speed", "balance",
                "pct", "g", "cost", "mean")
_STR_NAMES = ("s", "text", "name", "word", "line", "msg", "label", "key", "title", "prefix", "suffix",
              "greeting", "code", "path", "city", "user", "tag", "raw", "sentence", "phrase")
_LIST_NAMES = ("nums", "items", "values", "data", "xs", "ys", "scores", "arr", "lst", "numbers", "ages",
               "stack", "queue", "marks", "heights", "temps", "counts_list", "sizes")
_WORDS_NAMES = ("words", "names", "parts", "tokens", "fruits", "colors", "animals", "cities", "keys",
                "labels", "langs", "lines", "tags", "users")
_DICT_NAMES = ("d", "counts", "prices", "mapping", "inventory", "config", "stock", "totals", "grades",
               "table", "freq", "votes", "cache", "ages_by_name", "scores_by_name")
_SET_NAMES = ("seen", "ids", "visited", "uniq", "group", "picked", "allowed", "found", "done_ids", "tags_set",
              "codes")
_TUPLE_NAMES = ("t", "point", "pair", "coords", "dims", "rgb", "bounds", "p", "origin", "span", "size_hw",
                "corner", "shape")
_BOOL_NAMES = ("flag", "done", "ok", "is_valid", "ready", "enabled", "active", "verbose", "debug", "is_admin")
_GRID_NAMES = ("grid", "matrix", "board", "cells", "mat", "rows")
_TARGET_NAMES = ("result", "res", "out", "r", "z", "ans", "value", "tmp", "output", "new", "combined",
                 "merged", "got", "w", "u", "v", "h", "e", "cnt", "diff", "prod", "half", "best", "answer",
                 "val")
_LOOP_NAMES = ("x", "v", "n", "w", "c", "item", "e", "k", "i", "ch", "num", "val", "p", "el", "y", "j", "t",
               "row", "entry", "a", "b")

_WORDS = ("apple", "banana", "cherry", "kiwi", "mango", "red", "green", "blue", "cat", "dog", "bird",
          "python", "code", "data", "hello", "world", "alpha", "beta", "gamma", "level", "radar", "tree",
          "river", "stone", "Alice", "Bob", "Carol", "Dave", "Eve", "Paris", "Oslo", "Rome", "north", "south",
          "x", "ab", "abc")
_STRINGS = ("hello", "world", "Hello World", "  padded  ", "a,b,c", "one two three", "abc", "racecar",
            "Mississippi", "x-y-z", "42", "007", "CamelCase", "snake_case", "", "hello world", "Python 3",
            "The quick brown fox", "foo bar baz", "level", "UPPER", "lower", "MiXeD", "tab\tsep", "line\n",
            "data.csv", "a1b2c3", "  ", "banana", "key=value", "3.14", "hi!", "ok", "Zebra", "yes/no")
_SENTENCES = ("the cat sat on the mat", "hello big world", "  leading and trailing  ", "one two three four",
              "Python is fun", "to be or not to be", "a b c", "red green blue", "first second",
              "keep it simple", "x = 1", "lorem ipsum dolor", "good morning Alice", "go", "sum of all parts")
_KEYS = ("a", "b", "c", "x", "y", "apple", "banana", "red", "blue", "alice", "bob", "id", "name", "n",
         "total")
_LETTERS = "abcdefghijklmnopqrstuvwxyz"

_OPS: dict[str, tuple[str, ...]] = {
    "arith": ("+", "-", "*", "/", "//", "%"),
    "addmul": ("+", "-", "*"),
    "fop": ("+", "-", "*", "/"),
    "cmp": ("<", "<=", ">", ">=", "==", "!="),
    "lt": ("<", "<="),
    "case": ("upper", "lower", "title", "capitalize", "swapcase", "strip", "lstrip", "rstrip", "casefold"),
    "pred": ("isdigit", "isalpha", "isalnum", "isupper", "islower", "isspace", "istitle"),
    "startend": ("startswith", "endswith"),
    "pad": ("center", "ljust", "rjust"),
    "setop": ("|", "&", "-", "^"),
    "setaug": ("|=", "&=", "-=", "^="),
    "setmeth": ("union", "intersection", "difference", "symmetric_difference"),
    "setpred": ("issubset", "issuperset", "isdisjoint"),
    "view": ("keys", "values", "items"),
    "minmax": ("min", "max"),
    "anyall": ("any", "all"),
    "binhex": ("bin", "hex", "oct"),
    "augop": ("+=", "-=", "*="),
    "faug": ("+=", "-=", "*=", "/="),
    "joiner": ("''", "' '", "', '", "'-'", "'_'", "'/'", "' | '", "'\\n'"),
    "fillchar": ("'*'", "'-'", "'='", "'.'", "' '", "'#'"),
    "char": ("'a'", "'z'", "'A'", "'0'", "' '", "','", "'!'", "'e'", "'_'"),
    "step": ("1", "2", "3", "-1", "-2"),
    "exp": ("0", "1", "2", "2", "3"),
    "rep": ("2", "3", "4"),
    "ndigits": ("0", "1", "2"),
}
# fmt: on
CATEGORIES: tuple[str, ...] = tuple(TEMPLATES)
_PRINT_RATE = 0.07  # share of `target = expr` statements written as `print(expr)` instead
_HOLE = re.compile(r"\$(\w+)(?::(\w+)(?:\((\w+)\))?)?")


@dataclass(frozen=True)
class _Hole:
    name: str
    kind: str | None  # None: repeat the text of the hole called ``name``
    ref: str | None = None  # the hole whose value a derived kind reads


@dataclass(frozen=True)
class _Template:
    category: str
    tokens: tuple[str | _Hole, ...]
    fill_order: tuple[_Hole, ...]  # independent holes, then derived ones, then targets
    as_print: tuple[str | _Hole, ...] | None  # the `print(expr)` form of a `target = expr` template


class _Draft:
    """The state of one program while its holes are filled: declared names, values and init lines."""

    __slots__ = ("decls", "rand", "texts", "used", "values")

    def __init__(self, rand: Callable[[], float]) -> None:
        self.rand = rand
        self.used: set[str] = set()
        self.decls: list[str] = []
        self.values: dict[str, Any] = {}
        self.texts: dict[str, str] = {}

    def pick(self, seq: tuple | list | str) -> Any:
        return seq[int(self.rand() * len(seq))]

    def below(self, n: int) -> int:
        return int(self.rand() * n)

    def fresh(self, pool: tuple[str, ...]) -> str:
        for _ in range(6):
            name = pool[int(self.rand() * len(pool))]
            if name not in self.used:
                self.used.add(name)
                return name
        name = next((n for n in pool if n not in self.used), None) or f"{pool[0]}{len(self.used)}"
        self.used.add(name)
        return name

    def declare(self, hole: str, kind: str) -> str:
        pool, make = _VAR_KINDS[kind]
        name = self.fresh(pool)
        value = make(self)
        self.values[hole] = value
        self.decls.append(f"{name} = {value!r}")
        return name

    # -- literal values ---------------------------------------------------------------------------------
    def int_value(self) -> int:
        r = self.rand()
        if r < 0.75:
            return self.below(21)
        return -1 - self.below(10) if r < 0.9 else 21 + self.below(80)

    def nonzero_int(self) -> int:
        v = self.int_value()
        return v if v or self.rand() < 0.03 else 1 + self.below(9)  # a rare zero divisor is realistic

    def float_value(self) -> float:
        return round(self.rand() * 30 - 5, 1 + self.below(2))

    def str_value(self) -> str:
        if self.rand() < 0.3:
            return "".join(self.pick(_LETTERS) for _ in range(2 + self.below(7)))
        return self.pick(_STRINGS)

    def sentence_value(self) -> str:
        if self.rand() < 0.5:
            return self.pick(_SENTENCES)
        return " ".join(self.pick(_WORDS) for _ in range(2 + self.below(3)))

    def csv_value(self) -> str:
        if self.rand() < 0.5:
            return ",".join(str(self.below(50)) for _ in range(2 + self.below(4)))
        return ",".join(self.pick(_WORDS) for _ in range(2 + self.below(4)))

    def digits_value(self) -> str:
        if self.rand() < 0.92:
            return str(self.below(1000))
        return self.pick((" 42 ", "-7", "4a", "3.5", "1e3", ""))  # int() rejects some: realistic errors

    def int_list(self, min_len: int = 0) -> list[int]:
        n = min_len + self.below(8 - min_len) if self.rand() > 0.06 else min_len
        return [self.below(21) if self.rand() < 0.7 else self.below(36) - 5 for _ in range(n)]

    def word_list(self) -> list[str]:
        return [self.pick(_WORDS) for _ in range(1 + self.below(5))]

    def dict_value(self, min_len: int = 0) -> dict[str, int]:
        n = min_len + self.below(5 - min_len) if self.rand() > 0.05 else min_len
        return {self.pick(_KEYS): self.below(51) for _ in range(n)}

    def set_value(self) -> set[int]:
        return {self.below(16) for _ in range(self.below(6))}

    def tuple_value(self, n: int = 0) -> tuple[int, ...]:
        return tuple(self.int_value() for _ in range(n or 2 + self.below(4)))

    def grid_value(self) -> list[list[int]]:
        cols = 2 + self.below(2)
        return [[self.below(10) for _ in range(cols)] for _ in range(2 + self.below(2))]

    # -- holes derived from another hole's value ----------------------------------------------------------
    def elem(self, container: Any) -> str:
        items = list(container)
        if items and self.rand() < 0.88:
            return repr(self.pick(items))
        if items and isinstance(items[0], str):
            return repr(self.pick(_WORDS))
        return str(self.below(31))

    def key(self, d: dict) -> str:
        if d and self.rand() < 0.85:
            return repr(self.pick(list(d)))
        return repr(self.pick(_KEYS))

    def index(self, seq: Any) -> str:
        n = len(seq)
        r = self.rand()
        if n == 0:
            return "0"
        if r < 0.8:
            return str(self.below(n))
        return str(-1 - self.below(n)) if r < 0.93 else str(n + self.below(2))

    def slice(self, seq: Any) -> str:
        n = max(len(seq), 1)
        a, b = self.below(n), self.below(n + 1)
        forms = (f"{a}:{b}", f":{b}", f"{a}:", "::-1", "::2", f"-{1 + self.below(n)}:", f"{a}:-1", "1::2",
                 f"{a}:{b}:2", "::-2")
        return self.pick(forms)

    def span(self, seq: Any) -> str:
        n = len(seq)
        a = self.below(n + 1)
        return f"{a}:{a + self.below(n - a + 1)}"

    def sub(self, s: str) -> str:
        if s and self.rand() < 0.8:
            start = self.below(len(s))
            return repr(s[start:start + 1 + self.below(3)])
        return self.pick(("'a'", "'o'", "' '", "','", "'x'", "'lo'", "'an'"))

    def col(self, grid: list[list[int]]) -> str:
        return str(self.below(len(grid[0]) + (self.rand() < 0.1)))

    def fill(self, hole: _Hole) -> str:
        kind = hole.kind
        if kind in _VAR_KINDS:
            return self.declare(hole.name, kind)
        if kind in _OPS:
            return self.pick(_OPS[kind])
        if hole.ref is not None:
            return _DERIVED[kind](self, self.values[hole.ref])
        return _LITERALS[kind](self, hole.name)


def _num(d: _Draft, hole: str) -> str:
    return d.declare(hole, "int") if d.rand() < 0.65 else str(d.below(21))


def _text(d: _Draft, hole: str) -> str:
    return d.declare(hole, "str") if d.rand() < 0.6 else repr(d.pick(_WORDS))


def _any(d: _Draft, hole: str) -> str:
    return d.declare(hole, d.pick(_DISTRACTOR_KINDS))


_VAR_KINDS: dict[str, tuple[tuple[str, ...], Callable[[_Draft], Any]]] = {
    "int": (_INT_NAMES, _Draft.int_value),
    "nzint": (_INT_NAMES, _Draft.nonzero_int),
    "float": (_FLOAT_NAMES, _Draft.float_value),
    "str": (_STR_NAMES, _Draft.str_value),
    "sentence": (_STR_NAMES, _Draft.sentence_value),
    "csv": (_STR_NAMES, _Draft.csv_value),
    "digits": (_STR_NAMES, _Draft.digits_value),
    "list": (_LIST_NAMES, _Draft.int_list),
    "nelist": (_LIST_NAMES, lambda d: d.int_list(1)),
    "words": (_WORDS_NAMES, _Draft.word_list),
    "dict": (_DICT_NAMES, _Draft.dict_value),
    "nedict": (_DICT_NAMES, lambda d: d.dict_value(1)),
    "set": (_SET_NAMES, _Draft.set_value),
    "tuple": (_TUPLE_NAMES, _Draft.tuple_value),
    "pair": (_TUPLE_NAMES, lambda d: d.tuple_value(2)),
    "triple": (_TUPLE_NAMES, lambda d: d.tuple_value(3)),
    "bool": (_BOOL_NAMES, lambda d: d.rand() < 0.5),
    "grid": (_GRID_NAMES, _Draft.grid_value),
}
_DISTRACTOR_KINDS = ("int", "int", "float", "str", "list", "words", "dict", "set", "tuple", "bool")
_DERIVED: dict[str, Callable[[_Draft, Any], str]] = {
    "elem": _Draft.elem, "key": _Draft.key, "index": _Draft.index, "slice": _Draft.slice, "span": _Draft.span,
    "sub": _Draft.sub, "col": _Draft.col,
}
_LITERALS: dict[str, Callable[[_Draft, str], str]] = {
    "num": _num,
    "text": _text,
    "any": _any,
    "lit": lambda d, _: str(d.below(51)),
    "small": lambda d, _: str(1 + d.below(9)),
    "pos": lambda d, _: str(1 + d.below(10)),
    "width": lambda d, _: str(5 + d.below(10)),
    "word": lambda d, _: repr(d.pick(_WORDS)),
    "loop": lambda d, _: d.fresh(_LOOP_NAMES),
    "newvar": lambda d, _: d.fresh(_TARGET_NAMES),
    "target": lambda d, _: d.fresh(_TARGET_NAMES),
}


def _compile(category: str, text: str) -> _Template:
    """Parse a template once at import, failing loudly on an unknown kind or an undefined hole."""
    tokens: list[str | _Hole] = []
    pos = 0
    for m in _HOLE.finditer(text):
        tokens.append(text[pos:m.start()])
        tokens.append(_Hole(m.group(1), m.group(2), m.group(3)))
        pos = m.end()
    tokens.append(text[pos:])
    holes = [t for t in tokens if isinstance(t, _Hole) and t.kind is not None]
    defined = {h.name for h in holes}
    for t in tokens:
        if not isinstance(t, _Hole):
            continue
        known = t.kind is None or t.kind in _VAR_KINDS or t.kind in _OPS or t.kind in _LITERALS
        if t.ref is not None:
            known = t.kind in _DERIVED and t.ref in defined
        if not known or t.name not in defined:
            raise ValueError(f"singleline template {text!r}: bad hole ${t.name}:{t.kind}({t.ref})")
    order = ([h for h in holes if h.ref is None and h.kind != "target"] + [h for h in holes if h.ref]
             + [h for h in holes if h.kind == "target"])
    as_print = None
    if text.startswith("$r:target = "):
        # tokens: "", the target hole, " = " and the expression's first text, the rest of the expression
        as_print = ("print(", tokens[2][len(" = "):], *tokens[3:], ")")
    return _Template(category, tuple(t for t in tokens if t != ""), tuple(order), as_print)


_COMPILED: tuple[tuple[_Template, ...], ...] = tuple(
    tuple(_compile(cat, t) for t in templates) for cat, templates in TEMPLATES.items()
)


def _render(template: _Template, rand: Callable[[], float]) -> str:
    """One program from one template: init lines (with 0-2 unused distractors), then the statement."""
    d = _Draft(rand)
    tokens = template.tokens
    printed = template.as_print is not None and rand() < _PRINT_RATE
    if printed:
        tokens = template.as_print
    texts = d.texts
    for hole in template.fill_order:
        if printed and hole.kind == "target":
            continue
        texts[hole.name] = d.fill(hole)
    statement = "".join(t if isinstance(t, str) else texts[t.name] for t in tokens)
    decls = d.decls
    room = 4 - len(decls)
    extra = (1 if not decls else 0) + (d.below(min(room, 2) + 1) if room > 0 and rand() < 0.45 else 0)
    for _ in range(min(extra, room)):
        before = len(decls)
        d.declare("_", d.pick(_DISTRACTOR_KINDS))
        decls.insert(d.below(before + 1), decls.pop())
    return "\n".join(decls) + "\n" + statement + "\n"


def generate(n: int, seed: int) -> Iterator[SourceProgram]:
    """Yield ``n`` SingleLine programs; the same (n, seed) always gives the same programs."""
    if n < 0 or seed < 0:
        # random.seed(-s) is random.seed(s): a negative seed would silently repeat another seed's programs
        raise ValueError(f"singleline.generate: n and seed must be >= 0, got n={n}, seed={seed}")
    rng = random.Random(seed)
    rand = rng.random
    for i in range(n):
        templates = _COMPILED[int(rand() * len(_COMPILED))]
        template = templates[int(rand() * len(templates))]
        yield SourceProgram(
            id=f"singleline/{seed}-{i:07d}",
            kind="singleline",
            program=_render(template, rand),
            origin=f"singleline/{template.category}",
        )
