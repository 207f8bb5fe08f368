"""Why a file, or part of it, is not predicted, in the user's words: text Python would refuse, a syntax
error, a function with no example, code that needs what a syntax error hides.

Each check is a pure function of the text (or of a parsed program) returning the message a hover shows; the
analysis (server/scenarios.py) decides where it applies.
"""

from __future__ import annotations

import ast
import builtins
from dataclasses import dataclass

from codeexecutor.server.positions import split_lines

_BUILTINS = frozenset(dir(builtins)) | {"__file__", "__builtins__", "__annotations__", "__cached__"}
NOTHING_PREDICTED = "nothing is predicted for this file"
SET_EXAMPLE_TITLE = "CodeExecutor: Set Example Call for This Function"  # vscode-extension/package.json


@dataclass(frozen=True)
class Unpredicted:
    """File lines ``first``..``last`` (0-based, inclusive) get no prediction, for ``reason`` (markdown)."""

    first: int
    last: int
    reason: str

    def covers(self, line: int) -> bool:
        return self.first <= line <= self.last


def text_problem(text: str) -> str:
    """Why Python could not read ``text`` as source at all ("" if it can): NUL bytes, text that was not
    UTF-8. Such a file is never sent to the model."""
    for n, line in enumerate(split_lines(text), 1):
        if "\x00" in line:
            return (f"Line {n} contains a NUL character (`\\x00`): this is not Python source (a binary file, "
                    f"or text saved as UTF-16?), so {NOTHING_PREDICTED}.")
        if any("\ud800" <= c <= "\udfff" for c in line):
            return (f"Line {n} is not valid Unicode text (an unpaired surrogate): Python reads source as UTF-8, "
                    f"so {NOTHING_PREDICTED}. Save the file as UTF-8.")
        if "\ufffd" in line:
            return (f"Line {n} contains U+FFFD (`\ufffd`), the mark an editor puts where the file's bytes were "
                    f"not valid UTF-8. Python reads source as UTF-8, so {NOTHING_PREDICTED}: reopen the file "
                    f"with its real encoding and save it as UTF-8.")
    return ""


def syntax_error(lines: list[str], first: int, last: int) -> tuple[int, str]:
    """(1-based file line, Python's message) of the syntax error in file lines ``first``..``last``."""
    try:
        ast.parse("\n".join(lines[first:last + 1]))
    except SyntaxError as e:
        return first + (e.lineno or 1), e.msg
    except (ValueError, RecursionError, MemoryError) as e:  # the ones chunks.parse also turns away
        return first + 1, f"{type(e).__name__}: {e}"
    return first + 1, "does not parse here on its own"


def syntax_error_reason(line: int, message: str) -> str:
    return f"Syntax error on line {line}: {message}. This part is not predicted until it parses."


def needs_broken_code(names: list[str], line: int, message: str) -> str:
    """A scenario that uses names nothing parsed defines, while a syntax error may be where they are."""
    shown = ", ".join(f"`{n}`" for n in names[:3]) + (" …" if len(names) > 3 else "")
    return (f"Not predicted: this code uses {shown}, which nothing that parses defines; the syntax error on "
            f"line {line} ({message}) may be where it is. Fix that to see values here.")


def no_example(name: str, bad_comment: str = "") -> str:
    """How to give a top-level function an entry point (every way server/scenarios.py supports)."""
    first = (f"The `# example:` comment above it is not a valid call (`{bad_comment}`). "
             if bad_comment else "")
    return (f"{first}No example runs `{name}`, so nothing is predicted for it. Give it one, any of:\n"
            f"- a comment directly above the `def`: `# example: {name}(...)`\n"
            f"- a doctest in its docstring: `>>> {name}(...)`\n"
            f"- a call `{name}(...)` in the module's code (at module level or under "
            f"`if __name__ == \"__main__\":`) whose arguments use only module-level names and builtins\n"
            f"- the command **{SET_EXAMPLE_TITLE}**")


def async_function(name: str) -> str:
    return (f"`{name}` is an `async` function: CodeExecutor gives async functions no example of their own, "
            f"so nothing is predicted for it.")


def unresolved_names(program: str) -> list[str]:
    """Names ``program`` reads that nothing in it binds and that are not builtins, in order of first use
    (over-generous on binding: a name bound in any scope counts, so a program is only flagged when sure)."""
    try:
        tree = ast.parse(program)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return []
    bound: set[str] = set()
    loads: list[str] = []
    # ``total += i`` reads total before it binds it: such a target counts as a read only.
    augmented = {id(n.target) for n in ast.walk(tree) if isinstance(n, ast.AugAssign)}
    for n in ast.walk(tree):
        if isinstance(n, ast.Name):
            (loads.append if isinstance(n.ctx, ast.Load) or id(n) in augmented else bound.add)(n.id)
        elif isinstance(n, ast.arg):
            bound.add(n.arg)
        elif isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            bound.add(n.name)
        elif isinstance(n, ast.Import | ast.ImportFrom):
            if any(a.name == "*" for a in n.names):
                return []  # a star import may bind anything
            bound.update(a.asname or a.name.split(".")[0] for a in n.names)
        elif isinstance(n, ast.ExceptHandler | ast.MatchAs | ast.MatchStar) and n.name:
            bound.add(n.name)
        elif isinstance(n, ast.MatchMapping) and n.rest:
            bound.add(n.rest)
    return list(dict.fromkeys(x for x in loads if x not in bound and x not in _BUILTINS))
