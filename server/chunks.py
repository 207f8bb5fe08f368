"""A half-typed file as its top-level statements: what parses is kept, what does not is set aside.

Python's parser rejects a whole file for one stray character. The server instead splits the file where
top-level statements start (a line at column 0 that does not continue a string, a bracket or a backslash
line) and parses each piece on its own, so a syntax error in one function leaves the others usable. A piece
that does not parse is split once more at "soft" starts (a column-0 ``def``/``class``/``import``/``@`` line
seen inside an unclosed string or bracket: most likely the unclosed thing is the typo, not the ``def``).
Parses are cached by text, so after an edit only the edited piece is parsed again.
"""

from __future__ import annotations

import ast
import itertools
import re
from dataclasses import dataclass
from functools import lru_cache

_CONTINUATION = re.compile(r"(else|elif|except|finally)\b")
_SOFT_START = re.compile(r"(?:(?:async\s+)?def|class|import|from)\b|@")
_PARSE_ERRORS = (SyntaxError, ValueError, RecursionError, MemoryError)
_MAX_SPLITS = 3  # how many times a piece that does not parse is split again


@dataclass(frozen=True)
class Statement:
    """Top-level statements sharing lines (usually one), with the column-0 comments directly above them."""

    nodes: tuple[ast.stmt, ...]  # line numbers relative to ``offset``
    offset: int  # 0-based file line of line 1 of the nodes' piece
    first: int  # 0-based file line where the statement starts, its leading comments included
    code: int  # 0-based file line of its first code line (a decorator's, if it has any)
    last: int  # 0-based file line where it ends (inclusive)
    source: str  # the parsed piece's text (for ast.get_source_segment)

    def file_line(self, lineno: int) -> int:
        """The 0-based file line of a 1-based line number inside this statement's piece."""
        return self.offset + lineno - 1


@dataclass(frozen=True)
class Outline:
    statements: tuple[Statement, ...]
    broken: tuple[tuple[int, int], ...]  # 0-based inclusive line ranges that do not parse


def outline(lines: list[str]) -> Outline:
    """Split a document (its lines) into top-level statements and the ranges that do not parse."""
    statements: list[Statement] = []
    broken: list[tuple[int, int]] = []
    _outline_range(lines, 0, len(lines), statements, broken, depth=0)
    return Outline(tuple(statements), tuple(broken))


def _outline_range(lines: list[str], start: int, end: int, statements: list[Statement],
                   broken: list[tuple[int, int]], depth: int) -> None:
    hard, soft, clean = _scan(lines, start, end)
    for a, b in _pieces(lines, hard, clean, start, end):
        text = "\n".join(lines[a:b])
        tree = parse(text)
        if tree is not None:
            statements += _statements(tree, a, text, lines)
            continue
        inner = [s for s in soft if a < s < b]
        if inner and depth < _MAX_SPLITS:
            # Each part is scanned afresh: the unclosed string or bracket is no longer open in the next part.
            for sub_a, sub_b in itertools.pairwise([a, *inner, b]):
                _outline_range(lines, sub_a, sub_b, statements, broken, depth + 1)
        elif (last := _last_code_line(lines, a, b)) is not None:
            broken.append((a, last))


@lru_cache(maxsize=8192)
def parse(text: str) -> ast.Module | None:
    """The module ``text`` parses to, or None (cached: unchanged pieces are not parsed again)."""
    try:
        return ast.parse(text)
    except _PARSE_ERRORS:
        return None


def _scan(lines: list[str], start: int, end: int) -> tuple[list[int], list[int], dict[int, bool]]:
    """Hard statement starts, soft starts, and whether each line begins outside any string or bracket."""
    hard: list[int] = []
    soft: list[int] = []
    clean: dict[int, bool] = {}
    quote: str | None = None  # the open triple quote, if any
    depth = 0
    continued = False
    for n in range(start, end):
        line = lines[n]
        is_clean = quote is None and depth == 0 and not continued
        clean[n] = is_clean
        head = line[:1]
        if head and not head.isspace() and head != "#":
            if is_clean and head not in ")]}" and not _CONTINUATION.match(line):
                hard.append(n)
            elif not is_clean and _SOFT_START.match(line):
                soft.append(n)
        quote, depth, continued = _lex_line(line, quote, depth)
    return hard, soft, clean


def _lex_line(line: str, quote: str | None, depth: int) -> tuple[str | None, int, bool]:
    """The string/bracket state after ``line``: only what statement boundaries need, never an error."""
    i, n = 0, len(line)
    while i < n:
        if quote is not None:
            close = _find_close(line, i, quote)
            if close < 0:
                return quote, depth, False
            quote, i = None, close
            continue
        c = line[i]
        if c == "#":
            break
        if c in "'\"":
            if line.startswith(c * 3, i):
                quote, i = c * 3, i + 3
                continue
            close = _find_close(line, i + 1, c)
            i = n if close < 0 else close  # an unclosed one-line string ends with its line
            continue
        if c in "([{":
            depth += 1
        elif c in ")]}":
            depth = max(0, depth - 1)
        i += 1
    return quote, depth, line.rstrip().endswith("\\") and not line.lstrip().startswith("#")


def _find_close(line: str, i: int, quote: str) -> int:
    """Index just past the closing ``quote`` from ``i`` (backslashes escape), or -1."""
    n = len(line)
    while i < n:
        if line[i] == "\\":
            i += 2
        elif line.startswith(quote, i):
            return i + len(quote)
        else:
            i += 1
    return -1


def _pieces(lines: list[str], hard: list[int], clean: dict[int, bool], start: int,
            end: int) -> list[tuple[int, int]]:
    """[start, end) line ranges, one per hard start, with a decorator kept with what it decorates."""
    starts: list[int] = []
    for s in hard:
        if starts and lines[starts[-1]].startswith("@") and not _defines(lines, starts[-1], s):
            continue
        # Column-0 comments directly above a statement belong to it (an "# example:" comment, say).
        while (s > start and clean[s - 1] and lines[s - 1].startswith("#")
               and (not starts or s - 1 > starts[-1])):
            s -= 1
        starts.append(s)
    if not starts:
        return []
    bounds = [*starts, end]
    if starts[0] > start:
        bounds = [start, *bounds]
    return list(itertools.pairwise(bounds))


def _defines(lines: list[str], start: int, end: int) -> bool:
    return any(re.match(r"(async\s+)?(def|class)\b", line) for line in lines[start:end])


def _last_code_line(lines: list[str], start: int, end: int) -> int | None:
    for n in range(end - 1, start - 1, -1):
        stripped = lines[n].strip()
        if stripped and not stripped.startswith("#"):
            return n
    return None


def _statements(tree: ast.Module, offset: int, text: str, lines: list[str]) -> list[Statement]:
    """The piece's statements; ones sharing a line (``a = 1; b = 2``) become one."""
    groups: list[list[ast.stmt]] = []
    spans: list[tuple[int, int]] = []
    for node in tree.body:
        first = min([node.lineno, *(d.lineno for d in getattr(node, "decorator_list", []))])
        last = node.end_lineno or node.lineno
        if spans and first <= spans[-1][1]:
            groups[-1].append(node)
            spans[-1] = (spans[-1][0], max(spans[-1][1], last))
        else:
            groups.append([node])
            spans.append((first, last))
    out = []
    previous_end = offset - 1
    for nodes, (first, last) in zip(groups, spans, strict=True):
        code = offset + first - 1
        top = code
        while top - 1 > previous_end and lines[top - 1].startswith("#"):
            top -= 1
        out.append(Statement(tuple(nodes), offset, top, code, offset + last - 1, text))
        previous_end = offset + last - 1
    return out
