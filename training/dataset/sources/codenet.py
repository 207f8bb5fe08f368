"""Project CodeNet submissions as dataset programs, with their stdin inlined where that is exact.

Accepted layouts under a root directory (docs/dataset.md):

* the real Project CodeNet tree: ``ROOT/data/<problem>/Python/<submission>.py`` with the problem's input in
  ``ROOT/derived/input_output/data/<problem>/input.txt``;
* the same ``data/`` tree with the input beside the submissions: ``ROOT/data/<problem>/input.txt``.

A problem with no input file gets an empty stdin. Inlining: when every read is a bare ``input()`` or
``sys.stdin.readline()`` in straight-line module code (no loop, branch, function or comprehension around it),
and nothing else touches stdin, each read is replaced in source order with the next line as a literal, so
the program needs no stdin at all. Any other program (reads in a loop or function, ``sys.stdin.read()``,
``open(0)``, ``input`` rebound) keeps its code unchanged and carries the input in ``SourceProgram.stdin``:
static order equals run order only for straight-line code, and a wrong inlining would be a wrong trace.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import libcst as cst

from codeexecutor.training.dataset.sources import SourceProgram

# Nodes under which a read's run order (or its running at all) is unknown from the source.
_NOT_STRAIGHT = (cst.For, cst.While, cst.If, cst.IfExp, cst.Try, cst.TryStar, cst.FunctionDef, cst.Lambda,
                 cst.ClassDef, cst.ListComp, cst.SetComp, cst.DictComp, cst.GeneratorExp,
                 cst.BooleanOperation, cst.Match, cst.With)


def _is_input_call(node: cst.Call) -> bool:
    return isinstance(node.func, cst.Name) and node.func.value == "input" and not node.args


def _is_readline_call(node: cst.Call) -> bool:
    f = node.func
    return (isinstance(f, cst.Attribute) and f.attr.value == "readline" and not node.args
            and isinstance(f.value, cst.Attribute) and f.value.attr.value == "stdin"
            and isinstance(f.value.value, cst.Name) and f.value.value.value == "sys")


class FindReads(cst.CSTVisitor):
    """Count the stdin reads of a program and decide whether all of them can be inlined."""

    def __init__(self) -> None:
        super().__init__()
        self.reads = 0
        self.straight = True
        self.other_stdin = False
        self._depth = 0
        self._readlines = 0
        self._inputs = 0
        self._stdin_names = 0
        self._input_names = 0

    @property
    def inlinable(self) -> bool:
        # Each read holds one ``stdin`` or ``input`` name; any more is another use (``input = ...``,
        # ``from sys import stdin``, ``sys.stdin.read()``) whose reads cannot be replaced one by one.
        return (self.straight and not self.other_stdin and self._stdin_names == self._readlines
                and self._input_names == self._inputs)

    def on_visit(self, node: cst.CSTNode) -> bool:
        if isinstance(node, _NOT_STRAIGHT):
            self._depth += 1
        if isinstance(node, cst.Call) and (_is_input_call(node) or _is_readline_call(node)):
            self.reads += 1
            self._readlines += _is_readline_call(node)
            self._inputs += _is_input_call(node)
            self.straight &= self._depth == 0
        elif isinstance(node, cst.Call) and isinstance(node.func, cst.Name) and node.func.value in (
                "input", "open"):
            self.other_stdin = True  # input("prompt") prints the prompt; open(0) reads stdin as a file
        elif isinstance(node, cst.Name):
            self._stdin_names += node.value == "stdin"
            self._input_names += node.value == "input"
            self.other_stdin |= node.value == "fileinput"
        return True

    def on_leave(self, original_node: cst.CSTNode) -> None:
        if isinstance(original_node, _NOT_STRAIGHT):
            self._depth -= 1


class InlineReads(cst.CSTTransformer):
    """Replace each ``input()`` / ``sys.stdin.readline()`` with the next input line as a string literal."""

    def __init__(self, lines: list[str]) -> None:
        super().__init__()
        self._lines = iter(lines)

    def leave_Call(self, original_node: cst.Call, updated_node: cst.Call) -> cst.BaseExpression:
        if _is_input_call(original_node):
            return cst.SimpleString(repr(next(self._lines)))
        if _is_readline_call(original_node):
            return cst.SimpleString(repr(next(self._lines) + "\n"))
        return updated_node


def inline_stdin(program: str, stdin: str) -> tuple[str, str]:
    """(program, stdin) with the reads replaced by literals when that is exact, else unchanged."""
    try:
        tree = cst.parse_module(program)
    except cst.ParserSyntaxError:
        return program, stdin  # the builder reports it as a program that does not parse
    finder = FindReads()
    tree.visit(finder)
    lines = stdin.split("\n")
    if stdin.endswith("\n"):
        lines.pop()
    if not finder.inlinable or finder.reads > len(lines):
        return program, stdin
    return tree.visit(InlineReads(lines)).code, ""


def _input_file(root: Path, problem: str) -> Path | None:
    for candidate in (root / "derived" / "input_output" / "data" / problem / "input.txt",
                      root / "data" / problem / "input.txt"):
        if candidate.is_file():
            return candidate
    return None


def _read_text(path: Path) -> str:
    # CodeNet holds some non-UTF-8 and CRLF files; neither may stop a build or leak "\r" into literals.
    return path.read_bytes().decode("utf-8", errors="replace").replace("\r\n", "\n")


def load_codenet(root: Path) -> Iterator[SourceProgram]:
    """Every Python submission under ``root`` (a CodeNet-layout tree) in a stable order, stdin inlined."""
    data = root / "data"
    if not data.is_dir():
        raise FileNotFoundError(f"{root} has no data/ folder; expected the Project CodeNet layout "
                                f"ROOT/data/<problem>/Python/<submission>.py (see docs/dataset.md)")
    for problem_dir in sorted(p for p in data.iterdir() if p.is_dir()):
        input_path = _input_file(root, problem_dir.name)
        stdin = _read_text(input_path) if input_path else ""
        for path in sorted((problem_dir / "Python").glob("*.py")):
            text = _read_text(path)
            if "humaneval" in str(path).lower() or "humaneval" in text.lower():
                continue  # HumanEval must never reach the training data
            program, rest = inline_stdin(text, stdin)
            yield SourceProgram(id=f"codenet/{problem_dir.name}/{path.stem}", kind="codenet", program=program,
                                stdin=rest, origin=path.relative_to(root).as_posix())
