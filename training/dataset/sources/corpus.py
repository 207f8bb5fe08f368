"""Real Python code as CodeNet-like programs: any folder of .py files, the ``algorithms`` package, and the
standard library's doctest examples.

Library code defines functions but rarely calls them, so each module becomes programs that call them with
concrete arguments: its own doctest examples when it has some, otherwise calls whose arguments are chosen
from the parameters' annotations and names (``nums: list[int]`` -> a list of ints, ``s: str`` -> a short
string, ``n`` -> a small int). Functions whose parameters cannot be filled are left out. Which programs run
is the tracer's decision: the builder keeps only originals of this kind that finish without an error.
Nothing whose path or text mentions HumanEval is ever read into a program.
"""

from __future__ import annotations

import ast
import doctest
import importlib.util
import re
import sysconfig
from collections.abc import Iterable, Iterator
from pathlib import Path

from codeexecutor.training.dataset.sources import SourceProgram

VARIANTS = 2  # argument sets per function: two different runs of the same code

# Argument values per variant, by the kind of parameter; chosen to give short, non-trivial traces.
_VALUES: dict[str, tuple[str, ...]] = {
    "int": ("5", "3"),
    "small": ("3", "2"),
    "target": ("6", "9"),
    "float": ("2.5", "0.75"),
    "bool": ("True", "False"),
    "str": ("'abcab'", "'racecar'"),
    "digits": ("'234'", "'1205'"),
    "list_int": ("[5, 2, 8, 1, 9, 3]", "[3, 1, 2, 3]"),
    "list_str": ("['eat', 'tea', 'tan', 'ate']", "['ab', 'ba', 'abc']"),
    "matrix": ("[[1, 2, 3], [4, 5, 6], [7, 8, 9]]", "[[2, 0], [1, 3]]"),
    "grid_str": ("[['a', 'b'], ['c', 'd']]", "[['x', 'y', 'x'], ['y', 'x', 'y']]"),
}
_LIST_NAMES = {"arr", "nums", "array", "lst", "values", "items", "data", "seq", "numbers", "elements", "a",
               "collection", "heights", "prices", "stones", "candidates", "coins", "weights", "_list", "alist",
               "List", "sequence", "iterable", "xs"}
_INT_NAMES = {"n", "k", "m", "num", "number", "count", "size", "length", "x", "y", "amount", "base", "limit",
              "steps", "depth", "width", "height", "rows", "cols", "total", "capacity"}
_SMALL_NAMES = {"i", "j", "index", "start", "low", "lo", "left", "pos", "position", "shift", "r"}
_STR_NAMES = {"s", "string", "text", "word", "pattern", "word1", "word2", "first", "second", "t", "key",
              "sentence", "message", "plaintext", "expression"}
_SKIP_DIRS = {"__pycache__", "tests", "test", ".git", ".venv", "site-packages", "node_modules"}
# Standard-library parts that need a display, a network, other processes or the file system, or that are
# the test and tool suites: their examples say nothing about plain program behaviour.
_STDLIB_SKIP = {
    "antigravity", "this", "idlelib", "tkinter", "turtle", "turtledemo", "test", "lib2to3", "ensurepip",
    "venv", "webbrowser", "pydoc", "pydoc_data", "site", "doctest", "unittest", "multiprocessing",
    "concurrent", "asyncio", "subprocess", "socket", "socketserver", "http", "urllib", "ftplib", "smtplib",
    "imaplib", "poplib", "nntplib", "telnetlib", "xmlrpc", "wsgiref", "shutil", "tempfile", "os", "pathlib",
    "glob", "zipfile", "tarfile", "ctypes", "curses", "dbm", "sqlite3", "getpass", "pty", "tty", "signal",
    "threading", "__phello__", "distutils", "msilib", "email", "mailbox", "pdb", "bdb", "trace", "profile",
    "cProfile", "timeit", "code", "codeop", "runpy", "pkgutil", "importlib", "zipimport", "compileall",
    "py_compile", "ssl", "selectors", "asynchat", "asyncore", "smtpd", "imghdr", "sndhdr", "aifc", "sunau",
    "wave", "chunk", "crypt", "nis", "spwd", "uu", "xdrlib", "cgi", "cgitb", "mailcap", "pipes", "uuid",
    "platform", "sysconfig", "locale", "gettext", "logging", "secrets", "random", "filecmp", "fileinput",
    "netrc", "_pydecimal", "_pyio", "__future__", "typing", "dataclasses", "enum", "abc", "inspect"}


def mentions_humaneval(path: Path, text: str) -> bool:
    """True for anything that may come from HumanEval, which must never be in the training data."""
    return "humaneval" in str(path).lower() or "humaneval" in text.lower()


def _bound_names(node: ast.stmt) -> list[str]:
    """The names a top-level definition binds (a def, a class, ``NAME = ...``); [] for other statements,
    which always stay."""
    if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
        return [node.name]
    if isinstance(node, ast.Assign) and all(isinstance(t, ast.Name) for t in node.targets):
        return [t.id for t in node.targets if isinstance(t, ast.Name)]
    if isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name) and node.value is not None:
        return [node.target.id]
    return []


def _is_docstring(node: ast.stmt) -> bool:
    return isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant) and isinstance(node.value.value, str)


def _docstring_lines(tree: ast.Module) -> set[int]:
    """0-based lines of the docstrings of the module, its classes and functions (never a body's only
    statement): they never run, and they cost the token budget (their examples become the program's end)."""
    lines: set[int] = set()
    for node in ast.walk(tree):
        body = getattr(node, "body", None)
        if (isinstance(node, (ast.Module, ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)) and body
                and len(body) > 1 and _is_docstring(body[0])):
            lines.update(range(body[0].lineno - 1, body[0].end_lineno or body[0].lineno))
    return lines


def trimmed_module(source: str, tree: ast.Module, roots: set[str]) -> str:
    """The module without its docstrings, its ``if __name__ == "__main__":`` blocks (demos, tests) and the
    top-level functions, classes and ``NAME = ...`` assignments that neither ``roots`` nor the module's
    other code reach: mutating code that never runs only makes equivalent mutants, it spends the token
    budget, and a module-level object the call never uses may read the clock or the process id."""
    defs: dict[str, list[ast.stmt]] = {}
    for n in tree.body:
        for name in _bound_names(n):
            defs.setdefault(name, []).append(n)
    main_blocks = [n for n in tree.body if isinstance(n, ast.If) and "__name__" in ast.unparse(n.test)]
    others = [n for n in tree.body if not _bound_names(n) and n not in main_blocks]
    needed: set[str] = set()
    todo = set(roots) | {x.id for n in others for x in ast.walk(n) if isinstance(x, ast.Name)}
    while todo:
        name = todo.pop()
        if name in defs and name not in needed:
            needed.add(name)
            todo |= {x.id for node in defs[name] for x in ast.walk(node) if isinstance(x, ast.Name)}
    dropped = main_blocks + [n for n in tree.body if _bound_names(n) and not needed.intersection(_bound_names(n))]
    drop = _docstring_lines(tree)
    for node in dropped:
        first = min([node.lineno] + [d.lineno for d in getattr(node, "decorator_list", [])])
        drop.update(range(first - 1, node.end_lineno or node.lineno))
    kept_nodes = [n for n in tree.body if n not in dropped]
    used = set(roots) | {x.id for n in kept_nodes for x in ast.walk(n) if isinstance(x, ast.Name)}
    replace = _unused_imports(kept_nodes, used, drop)
    lines = source.splitlines(keepends=True)
    kept = "".join(replace.get(i, line) for i, line in enumerate(lines) if i not in drop)
    kept = re.sub(r"\n{4,}", "\n\n\n", kept).lstrip("\n")  # the gaps the removed parts leave
    return kept if kept.endswith("\n") or not kept else kept + "\n"


def _unused_imports(nodes: list[ast.stmt], used: set[str], drop: set[int]) -> dict[int, str]:
    """Leave out the top-level imports of names nothing kept uses: add the lines of an import with none
    left to ``drop``, and return the one line that replaces an import with some left (0-based line ->
    text). A library module imports for all its functions; one function's program needs few of them."""
    replace: dict[int, str] = {}
    for node in nodes:
        if not isinstance(node, (ast.Import, ast.ImportFrom)) or (
                isinstance(node, ast.ImportFrom) and node.module == "__future__"):
            continue
        keep = [a for a in node.names if a.name == "*" or (a.asname or a.name.split(".")[0]) in used]
        if len(keep) == len(node.names):
            continue
        lines = range(node.lineno - 1, node.end_lineno or node.lineno)
        drop.update(lines)
        if keep:
            copy = ast.Import(names=keep) if isinstance(node, ast.Import) else ast.ImportFrom(
                module=node.module, names=keep, level=node.level)
            drop.discard(lines[0])
            replace[lines[0]] = f"{ast.unparse(copy)}\n"
    return replace


def absolute_imports(source: str, module: str, is_package: bool) -> str:
    """``source`` with its relative imports made absolute (``from .recipes import x`` in ``more_itertools.more``
    -> ``from more_itertools.recipes import x``): a module pasted into a program is no longer inside its
    package, but the installed package still is."""
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError):
        return source
    relative = [n for n in ast.walk(tree) if isinstance(n, ast.ImportFrom) and n.level]
    if not relative:
        return source
    lines = source.splitlines(keepends=True)
    package = module.split(".") if is_package else module.split(".")[:-1]
    for node in sorted(relative, key=lambda n: -n.lineno):  # bottom up: earlier line numbers stay valid
        base = package[: len(package) - (node.level - 1)] + ([node.module] if node.module else [])
        absolute = ast.ImportFrom(module=".".join(base), names=node.names, level=0)
        indent = lines[node.lineno - 1][: node.col_offset]
        lines[node.lineno - 1: node.end_lineno] = [f"{indent}{ast.unparse(absolute)}\n"]
    return "".join(lines)


def literal_call_sites(sources: Iterable[str]) -> dict[str, list[str]]:
    """Per function name, the argument lists of its calls written with literals only in ``sources`` (e.g.
    ``roman.toRoman(1994)`` -> ``{"toRoman": ["1994"]}``), in source order: arguments the authors chose."""
    sites: dict[str, list[str]] = {}
    for source in sources:
        try:
            tree = ast.parse(source)
        except (SyntaxError, ValueError):
            continue
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call) or not (node.args or node.keywords):
                continue
            name = node.func.id if isinstance(node.func, ast.Name) else (
                node.func.attr if isinstance(node.func, ast.Attribute) else None)
            values = [*node.args, *(k.value for k in node.keywords)]
            if name is None or any(k.arg is None for k in node.keywords) or not all(map(_is_literal, values)):
                continue
            text = ", ".join([*map(ast.unparse, node.args), *(f"{k.arg}={ast.unparse(k.value)}"
                                                                for k in node.keywords)])
            if len(text) <= 80 and text not in sites.setdefault(name, []):
                sites[name].append(text)
    return sites


def _is_literal(node: ast.expr) -> bool:
    if isinstance(node, ast.Starred):
        return False
    try:
        ast.literal_eval(node)
    except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
        return False
    return True


def _value_kind(name: str, annotation: str) -> str | None:
    """Which ``_VALUES`` row fills a parameter, from its annotation first and its name second."""
    ann = annotation.replace(" ", "").replace("List[", "list[").replace("typing.", "")
    by_annotation = {"int": "int", "float": "float", "bool": "bool", "str": "str", "list[int]": "list_int",
                     "list": "list_int", "Sequence[int]": "list_int", "list[int|float]": "list_int",
                     "list[float]": "list_int", "list[str]": "list_str", "list[list[int]]": "matrix",
                     "list[list[str]]": "grid_str"}
    if ann in by_annotation:
        kind = by_annotation[ann]
        if kind == "int":
            return "target" if name == "target" else "small" if name in _SMALL_NAMES else "int"
        if kind == "str" and name in ("digits", "num", "number"):
            return "digits"
        return kind
    if ann:
        return None  # an annotation we cannot fill (a TreeNode, a dict, a callable)
    if name in _LIST_NAMES:
        return "list_int"
    if name == "target":
        return "target"
    if name in _INT_NAMES:
        return "int"
    if name in _SMALL_NAMES:
        return "small"
    if name in _STR_NAMES:
        return "str"
    if name in ("matrix", "grid", "board"):
        return "matrix"
    return None


def call_arguments(func: ast.FunctionDef, variant: int) -> str | None:
    """Concrete literal arguments for ``func`` (variant 0 or 1), or None when a parameter cannot be filled."""
    args = func.args
    if args.posonlyargs or any(d is None for d in args.kw_defaults):
        return None
    required = args.args[: len(args.args) - len(args.defaults)]
    parts = []
    for param in required:
        kind = _value_kind(param.arg, ast.unparse(param.annotation) if param.annotation else "")
        if kind is None:
            return None
        parts.append(_VALUES[kind][variant % len(_VALUES[kind])])
    return ", ".join(parts)


def _doctest_lines(docstring: str) -> list[str]:
    """A docstring's examples as program lines (``+SKIP`` ones left out); one expecting output is printed,
    one expecting an exception runs under ``try`` and prints the exception's type (a program that stops
    at its first example would lose the rest)."""
    lines = []
    for example in doctest.DocTestParser().get_examples(docstring):
        if example.options.get(doctest.SKIP):
            continue
        try:
            tree = ast.parse(example.source)
        except SyntaxError:
            return []  # the examples build on each other: without this one the rest is meaningless
        if example.exc_msg is not None:
            body = "\n".join("    " + line for line in ast.unparse(tree).splitlines())
            lines.append(f"try:\n{body}\nexcept Exception as error:\n    print(type(error).__name__)")
        elif example.want.strip() and len(tree.body) == 1 and isinstance(tree.body[0], ast.Expr):
            # Unparsed, not pasted: ``f(1)  # doctest: +ELLIPSIS`` inside print( ) would swallow the ")".
            lines.append(f"print({ast.unparse(tree.body[0].value)})")
        else:
            lines.append(example.source.rstrip("\n"))
    return lines


def _argument_sets(func: ast.FunctionDef, sites: dict[str, list[str]]) -> list[str]:
    """Up to ``VARIANTS`` argument lists for ``func``: its literal call sites first, then generated ones."""
    found = list(sites.get(func.name, ()))
    for variant in range(VARIANTS):
        arguments = call_arguments(func, variant)
        if arguments is None:
            break
        if arguments not in found:
            found.append(arguments)
    return found[:VARIANTS]


def _examples_program(source: str, tree: ast.Module, examples: list[str]) -> str:
    calls = "\n".join(examples) + "\n"
    used = {x.id for x in ast.walk(ast.parse(calls)) if isinstance(x, ast.Name)}
    return trimmed_module(source, tree, used) + "\n" + calls


def module_programs(source: str, origin: str, kind: str = "codenet",
                    sites: dict[str, list[str]] | None = None) -> Iterator[SourceProgram]:
    """Programs calling one module's functions and classes: with their doctest examples, or (functions)
    with arguments from literal call sites in ``sites`` (``literal_call_sites``) or generated ones."""
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError):
        return
    sites = sites or {}
    for node in tree.body:
        if isinstance(node, ast.ClassDef) and not node.name.startswith("_"):
            # A class's examples live in its docstring and its methods': one program per docstring.
            documented = [("", node)] + [(f".{n.name}", n) for n in node.body
                                         if isinstance(n, ast.FunctionDef) and not n.name.startswith("__")]
            for suffix, doc_node in documented:
                examples = _doctest_lines(ast.get_docstring(doc_node) or "")
                if examples:
                    yield SourceProgram(id=f"{origin}::{node.name}{suffix}", kind=kind,
                                        program=_examples_program(source, tree, examples), origin=origin)
        if not isinstance(node, ast.FunctionDef) or node.name.startswith("_"):
            continue
        examples = _doctest_lines(ast.get_docstring(node) or "")
        if examples:
            yield SourceProgram(id=f"{origin}::{node.name}", kind=kind,
                                program=_examples_program(source, tree, examples), origin=origin)
            continue
        base = trimmed_module(source, tree, {node.name})
        for variant, arguments in enumerate(_argument_sets(node, sites)):
            yield SourceProgram(id=f"{origin}::{node.name}#{variant}", kind=kind,
                                program=f"{base}\nprint({node.name}({arguments}))\n", origin=origin)


def _python_files(root: Path) -> Iterator[Path]:
    for path in sorted(root.rglob("*.py")):
        if not _SKIP_DIRS.intersection(path.relative_to(root).parts[:-1]):
            yield path


def load_folder(root: Path) -> Iterator[SourceProgram]:
    """Every .py file under ``root`` run as a script, plus its functions called as by ``module_programs``."""
    if not root.is_dir():
        raise FileNotFoundError(f"--corpus {root}: not a folder of .py files")
    for path in _python_files(root):
        text = path.read_bytes().decode("utf-8", errors="replace")
        if mentions_humaneval(path, text):
            continue
        origin = f"corpus/{path.relative_to(root).as_posix()}"
        yield SourceProgram(id=origin, kind="codenet", program=text, origin=origin)
        yield from module_programs(text, origin)


def package_root(module: str, install: str) -> Path:
    """The folder of an installed package, or an error naming the install command."""
    spec = importlib.util.find_spec(module)
    if spec is None or not spec.submodule_search_locations:
        raise ModuleNotFoundError(f"the {module!r} package is not installed; run: pip install {install}")
    return Path(next(iter(spec.submodule_search_locations)))


def load_package(module: str, install: str, kind: str = "codenet", skip: Iterable[str] = (),
                 with_init: bool = True) -> Iterator[SourceProgram]:
    """Programs from an installed pure-Python package: every module (but those named in ``skip``, and
    ``__init__.py`` unless ``with_init``) through ``module_programs``, relative imports made absolute, the
    literal call sites of the whole package shared. Ids ``<module>/<path>::<function>[#variant]``."""
    root = package_root(module, install)
    skipped = set(skip)
    texts: dict[Path, str] = {}
    for path in _python_files(root):
        rel = path.relative_to(root).with_suffix("")
        if (path.name == "__init__.py" and not with_init) or rel.as_posix() in skipped:
            continue
        text = path.read_text(encoding="utf-8")
        if mentions_humaneval(path, text):
            continue
        is_init = path.name == "__init__.py"
        dotted = ".".join([module, *(rel.parts[:-1] if is_init else rel.parts)])
        texts[path] = absolute_imports(text, dotted, is_init)
    sites = literal_call_sites(texts.values())
    for path, text in texts.items():
        yield from module_programs(text, f"{module}/{path.relative_to(root).as_posix()}", kind, sites)


def load_algorithms() -> Iterator[SourceProgram]:
    """Programs from the ``algorithms`` PyPI package (MIT): its functions with examples or generated calls."""
    return load_package("algorithms", "algorithms", with_init=False)


def _stdlib_modules() -> Iterator[tuple[str, Path]]:
    root = Path(sysconfig.get_paths()["stdlib"])
    for path in sorted(root.rglob("*.py")):
        parts = path.relative_to(root).with_suffix("").parts
        if parts[-1] == "__init__":
            parts = parts[:-1]
        third_party = "site-packages" in path.parts or "dist-packages" in path.parts
        if (not parts or parts[0] in _STDLIB_SKIP or third_party
                or any(p.startswith("_") or p in _SKIP_DIRS or "-" in p for p in parts)):
            continue
        yield ".".join(parts), path


def load_stdlib_doctests() -> Iterator[SourceProgram]:
    """One program per standard-library docstring with examples: import the module, run the examples."""
    for module, path in _stdlib_modules():
        try:
            tree = ast.parse(path.read_text(encoding="utf-8"))
        except (SyntaxError, UnicodeDecodeError, ValueError):
            continue
        nodes: list[tuple[str, ast.AST]] = [("", tree)]
        nodes += [(n.name, n) for n in ast.walk(tree)
                  if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef))]
        for name, node in nodes:
            docstring = ast.get_docstring(node, clean=True) or ""
            if ">>>" not in docstring:
                continue
            try:
                lines = _doctest_lines(docstring)
            except ValueError:
                continue  # a malformed example (doctest's parser is strict about indentation)
            header = f"import {module}\nfrom {module} import *\n"
            line = getattr(node, "lineno", 0)  # names repeat across classes; the line makes the id unique
            yield SourceProgram(id=f"doctest/{module}/{name or '<module>'}@{line}", kind="codenet",
                                program=header + "\n".join(lines) + "\n", origin=f"stdlib/{module}")
