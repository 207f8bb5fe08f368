"""What a program can do, read from its source alone (``ast`` and ``compile``; nothing is executed).

Constrained decoding (codeexecutor.model.constraints) asks three questions of a program, and the answers are
supersets of the truth, never narrower (a mask that excludes what really happens is a bug, so where the
analysis is unsure it allows more):

- which lines can be a step of a frame: the lines of the frame's code objects, as ``co_lines()`` reports them
  (exactly the lines the tracer's line events can carry, multi-line statements included);
- which frames exist: every function and method the program defines, named as the tracer names them
  (``co_qualname`` without ``<locals>.``: ``Stack.push``, ``outer.inner``);
- which names a step may set or delete (``<s>``/``<d>``): those the line binds (assignment, augmented, ``for``,
  ``with``, ``except``, ``import``, ``def``/``class`` and walrus targets), and, when the line may mutate an
  object (a call that is not a known-pure builtin or method, an item or attribute store, an in-place
  operator), every name of the frame, because aliases make any name's rendered value change with it; but
  a name the activation has not bound yet only where the line binds it (or a function declares it ``global``
  or ``nonlocal``): a call can change objects, not bring a new name into the caller. The first step of an
  activation adds the arguments (and, for a generator resumed, every local);
- which value a name certainly has after a line: a line that is nothing but an assignment of a literal
  (``rate = 0.05``, ``a, b = 1, 'x'``) gives its names exactly the literal's rendering (codeexecutor.model.render);
  in the same way ``return -1`` what its step returns and ``print('done')`` what it prints; and a line
  ``x = y`` (or ``return y``) copies the value the trace holds for ``y`` (codeexecutor.model.certain).

``co_lines`` and the frame names come from the running interpreter's compiler, the one the tracer uses.
"""

from __future__ import annotations

import ast
import dis
import types
from collections import Counter, defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field

from codeexecutor.model.calls import CallFacts, bindings, call_facts
from codeexecutor.model.certain import copied_names, literal_values
from codeexecutor.model.trace import MODULE_FRAME, RETURN_KEY, frame_name, is_frame_code

# As training/tracing/tracer.py decides which code objects are frames of their own.
_GENERATOR_FLAGS = 0x20 | 0x100 | 0x200  # CO_GENERATOR | CO_COROUTINE | CO_ASYNC_GENERATOR
_VARARGS, _VARKEYWORDS = 0x4, 0x8

# Builtins that never change an object the program can name (unless the program rebinds them).
PURE_CALLS = frozenset({
    "abs", "all", "any", "ascii", "bin", "bool", "bytes", "callable", "chr", "complex", "dict", "divmod",
    "enumerate", "filter", "float", "format", "frozenset", "hasattr", "hash", "hex", "id", "input", "int",
    "isinstance", "issubclass", "iter", "len", "list", "map", "max", "min", "oct", "ord", "pow", "print",
    "range", "repr", "reversed", "round", "set", "slice", "sorted", "str", "sum", "tuple", "type", "zip"})
# The pure builtins that call what they are given (``map(f, xs)``, ``sorted(xs, key=f)``).
_CALLING_BUILTINS = frozenset({"filter", "iter", "map", "max", "min", "sorted"})
# Method names that change no object on any builtin type (unless the program defines a function so named).
PURE_METHODS = frozenset({
    "capitalize", "casefold", "center", "count", "decode", "encode", "endswith", "find", "format", "get",
    "index", "isalnum", "isalpha", "isdecimal", "isdigit", "isidentifier", "islower", "isnumeric", "isspace",
    "istitle", "isupper", "join", "ljust", "lower", "lstrip", "partition", "removeprefix", "removesuffix",
    "replace", "rfind", "rindex", "rjust", "rpartition", "rsplit", "rstrip", "split", "splitlines",
    "startswith", "strip", "swapcase", "title", "upper", "zfill", "keys", "values", "items", "copy", "union",
    "intersection", "difference", "symmetric_difference", "issubset", "issuperset", "isdisjoint", "bit_length",
    "bit_count", "is_integer", "most_common", "sqrt", "isqrt", "floor", "ceil", "gcd", "lcm", "log", "log2",
    "log10", "exp", "factorial", "comb", "perm", "fabs", "trunc", "hypot", "dist", "sin", "cos", "tan", "atan",
    "atan2", "radians", "degrees", "deepcopy", "randint", "randrange", "choice", "random", "uniform"})
# Dunder methods the program may define without making plain operations run its code in surprising places.
_HARMLESS_DUNDERS = frozenset({"__init__", "__repr__", "__str__"})
# Names through which a program can create module globals the compiler does not see.
_DYNAMIC_NAMES = frozenset({"globals", "locals", "vars", "exec", "eval", "__import__", "__dict__", "modules",
                            "__builtins__"})
_STORE_OPS = frozenset({"STORE_NAME", "DELETE_NAME", "STORE_GLOBAL", "DELETE_GLOBAL"})


@dataclass(frozen=True)
class FrameFacts:
    """One frame (the module, or a function/method of the program) and what its steps can say."""

    name: str
    lines: frozenset[int]  # the lines its code can run (a step's ``<line>``)
    names: frozenset[str] | None  # every name its state can hold; None: unknown (any name)
    first_names: frozenset[str]  # names the first step of an activation may list besides what the line binds
    changes: dict[int, frozenset[str]] = field(default_factory=dict)  # line -> names it may set/delete
    successors: dict[int, frozenset[int]] | None = None  # line -> lines whose step may follow it; None: any
    # line -> name (or RETURN_KEY, OUTPUT_KEY) -> its certain value after the line, as the text form writes it
    values: dict[int, dict[str, str]] = field(default_factory=dict)
    copies: dict[int, dict[str, str]] = field(default_factory=dict)  # line -> name (or RETURN_KEY) -> source name
    # line -> names it may bring into the activation (what it binds, and every global/nonlocal declared name)
    fresh: dict[int, frozenset[str]] = field(default_factory=dict)

    def next_lines(self, previous: int | None) -> frozenset[int]:
        """Lines the activation's next step may name, after a step at ``previous`` (None: its first step)."""
        if previous is None or self.successors is None:
            return self.lines
        return self.successors.get(previous) or self.lines

    def step_names(self, line: int, first: bool, bound: frozenset[str] | None = None) -> frozenset[str] | None:
        """Names a step of this frame at ``line`` may set or delete (None: any name); given ``bound``, the names
        the activation's steps have set so far, a name outside it only where the line may bring it in."""
        if self.names is None:
            return None
        names = self.changes.get(line, self.names)
        fresh = self.fresh.get(line)
        if bound is not None and fresh is not None:
            names = names & (bound | fresh)
        if first:
            names = names | self.first_names
        return names & self.names


@dataclass(frozen=True)
class ProgramFacts:
    """Every frame of a program; ``frames`` is None when the program does not compile (nothing is known)."""

    frames: dict[str, FrameFacts] | None
    line_count: int
    # The names a "NameError: name '...' is not defined" of this program can mention: every name its code
    # objects hold (a superset of what it loads). None: anything (the program does not compile, makes names
    # dynamically, or names NameError itself, so it may raise one with a message of its own).
    name_error_names: frozenset[str] | None = None
    # The lines that must call a function of the program before their step (codeexecutor.model.calls); None:
    # the program makes names dynamically, so nothing is certain.
    calls: CallFacts | None = None

    def frame_lines(self, frame: str, previous: int | None = None) -> frozenset[int]:
        """The lines the next step of ``frame`` may name, after its step at ``previous`` (None: any of the
        frame's lines); every line of the file where the frame is unknown."""
        facts = self.frames.get(frame) if self.frames is not None else None
        if facts is None or not facts.lines:
            return frozenset(range(1, self.line_count + 1))
        return facts.next_lines(previous)

    def step_names(self, frame: str, line: int, first: bool,
                   bound: frozenset[str] | None = None) -> frozenset[str] | None:
        facts = self.frames.get(frame) if self.frames is not None else None
        return facts.step_names(line, first, bound) if facts is not None else None

    def certain_value(self, frame: str, line: int, key: str) -> str | None:
        """The value a name (or RETURN_KEY, OUTPUT_KEY: the step's event) certainly has after ``frame`` ran
        ``line``, as the text form writes it (None: not known)."""
        facts = self.frames.get(frame) if self.frames is not None else None
        return facts.values.get(line, {}).get(key) if facts is not None else None

    def copy_of(self, frame: str, line: int, key: str) -> tuple[str, bool] | None:
        """The name whose value a name (or RETURN_KEY) gets from ``frame``'s ``line``, and whether the line
        sets that name too (``a, b = b, a``: then its value before the line counts); None: not a copy."""
        facts = self.frames.get(frame) if self.frames is not None else None
        copies = facts.copies.get(line, {}) if facts is not None else {}
        source = copies.get(key)
        return (source, source in copies) if source is not None else None

    def called_frames(self) -> frozenset[str] | None:
        """The frames a ``<call>`` may open (None: unknown)."""
        if self.frames is None:
            return None
        return frozenset(name for name in self.frames if name != MODULE_FRAME)


def analyse(program: str) -> ProgramFacts:
    """The facts of ``program``; a program that does not compile gets "anything goes" (frames None)."""
    line_count = max(1, len(program.splitlines()))
    try:
        tree = ast.parse(program)
        code = compile(tree, "<program>", "exec", dont_inherit=True)
    except (SyntaxError, ValueError, OverflowError, RecursionError, MemoryError):
        return ProgramFacts(frames=None, line_count=line_count)
    codes = _frame_codes(code)
    dynamic = _is_dynamic(code)
    implicit = _runs_implicit_code(tree)
    function_names = {n.name for n in ast.walk(tree) if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef)}
    class_names = {n.name for n in ast.walk(tree) if isinstance(n, ast.ClassDef)}
    bound = Counter(bindings(tree))
    rebound = frozenset(bound)  # a builtin of such a name may not be the builtin
    judge = _Purity(program_callables=function_names | class_names, rebound=rebound,
                    program_methods=function_names | _queue_methods(tree), everything_impure=implicit,
                    lookups_insert="defaultdict" in program)
    # What print writes is known only where it is the builtin (not rebound, ``builtins.print`` untouched) and
    # writes to the real stdout.
    prints = "print" not in rebound and "stdout" not in program and "builtins" not in program
    per_line, kinds = _line_effects(tree, judge, prints)
    declared = frozenset(n for node in ast.walk(tree) if isinstance(node, ast.Global | ast.Nonlocal)
                         for n in node.names)
    hidden = _always_hidden(kinds, declared)
    module_names = None if dynamic else _module_names(code) - hidden.get(MODULE_FRAME, frozenset())
    frames: dict[str, FrameFacts] = {}
    for name, objs in codes.items():
        generator = any(c.co_flags & _GENERATOR_FLAGS for c in objs)
        lines = frozenset(line for c in objs for _, _, line in c.co_lines() if line)  # 0: RESUME
        if name == MODULE_FRAME:
            names, first = module_names, frozenset()
        else:
            names = None if dynamic else frozenset(
                n for c in objs for n in (*c.co_varnames, *c.co_cellvars, *c.co_freevars)
            ) - hidden.get(name, frozenset())
            first = (names or frozenset()) if generator else frozenset(
                n for c in objs for n in (*_parameters(c), *c.co_freevars))
        changes = {line: frozenset(effect.binds) if effect.pure else (names or frozenset())
                   for (frame, line), effect in per_line.items() if frame == name}
        # A generator's activations end at a yield and resume after it: successors do not describe them.
        successors = None if generator else _merge(
            [_line_successors(c) for c in objs])
        fresh = {line: frozenset(effect.binds) | declared for (frame, line), effect in per_line.items()
                 if frame == name}
        values, copies = _certain(per_line, name, generator)
        frames[name] = FrameFacts(name=name, lines=lines, names=names, first_names=first, changes=changes,
                                  successors=successors, values=values, copies=copies,
                                  fresh=fresh)
    return ProgramFacts(frames=frames, line_count=line_count,
                        name_error_names=None if dynamic else _loadable_names(code),
                        calls=None if dynamic else call_facts(tree, bound))


def _queue_methods(tree: ast.Module) -> set[str]:
    """``get`` takes an item out of a queue (``queue``, ``asyncio``, ``multiprocessing``): where the program
    imports one, ``x.get()`` may change ``x``, as a method of the program's own would."""
    modules = {a.name.split(".")[0] for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names}
    modules |= {(n.module or "").split(".")[0] for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)}
    return {"get"} if modules & {"queue", "asyncio", "multiprocessing"} else set()


def _frame_codes(module: types.CodeType) -> dict[str, list[types.CodeType]]:
    """Frame name -> its code objects (a name defined twice has two)."""
    out: dict[str, list[types.CodeType]] = defaultdict(list)
    out[MODULE_FRAME].append(module)
    for code in _nested_codes(module):
        if is_frame_code(code):
            out[frame_name(code)].append(code)
    return dict(out)


def _nested_codes(code: types.CodeType) -> Iterator[types.CodeType]:
    for const in code.co_consts:
        if isinstance(const, types.CodeType):
            yield const
            yield from _nested_codes(const)


def _parameters(code: types.CodeType) -> tuple[str, ...]:
    count = code.co_argcount + code.co_kwonlyargcount
    count += bool(code.co_flags & _VARARGS) + bool(code.co_flags & _VARKEYWORDS)
    return code.co_varnames[:count]


def _is_dynamic(module: types.CodeType) -> bool:
    """Whether the program can make names the compiler does not see (``globals()``, ``exec``, ``import *``)."""
    for code in (module, *_nested_codes(module)):
        if _DYNAMIC_NAMES & set(code.co_names):
            return True
        if any(ins.opname == "IMPORT_STAR" for ins in dis.get_instructions(code)):
            return True
    return False


def _loadable_names(module: types.CodeType) -> frozenset[str] | None:
    """Every name the program's code objects hold; None where the program mentions ``NameError`` itself."""
    names: set[str] = set()
    for code in (module, *_nested_codes(module)):
        names.update(code.co_names, code.co_varnames, code.co_cellvars, code.co_freevars)
    return None if "NameError" in names else frozenset(names)


def _module_names(module: types.CodeType) -> frozenset[str]:
    """Every name the program can store in its module's globals (module-level stores, ``global`` stores)."""
    names: set[str] = set()
    for code in (module, *_nested_codes(module)):
        for ins in dis.get_instructions(code):
            # A class body's STORE_NAME fills the class namespace, not the module's.
            if ins.opname in ("STORE_GLOBAL", "DELETE_GLOBAL") or (code is module and ins.opname in _STORE_OPS):
                names.add(ins.argval)
    return frozenset(names)


_UNCONDITIONAL = frozenset({"JUMP_FORWARD", "JUMP_BACKWARD", "JUMP_BACKWARD_NO_INTERRUPT", "JUMP",
                            "JUMP_NO_INTERRUPT", "JUMP_ABSOLUTE", "RETURN_VALUE", "RETURN_CONST",
                            "RAISE_VARARGS", "RERAISE"})
_JUMPS = frozenset(dis.hasjrel) | frozenset(dis.hasjabs)


def _line_successors(code: types.CodeType) -> dict[int, frozenset[int]]:
    """Line -> the lines whose line event can come next in the same activation.

    The tracer gets a line event when execution reaches an instruction whose line differs from the previous
    instruction's, or jumps backwards; so from every instruction of a line the walk follows fall-through,
    jumps and exception handlers (the exception table) through instructions of the same line or of none,
    up to the first instruction that starts an event. A line is always its own successor (an instruction
    without a line between two of the line's own starts a new event for it).
    """
    ins = list(dis.get_instructions(code))
    at = {i.offset: k for k, i in enumerate(ins)}
    line = [i.positions.lineno if i.positions is not None else None for i in ins]
    handlers = dis.Bytecode(code).exception_entries
    edges: list[list[tuple[int, bool]]] = []
    for k, i in enumerate(ins):
        out = []
        if i.opname not in _UNCONDITIONAL and k + 1 < len(ins):
            out.append((k + 1, False))
        if i.opcode in _JUMPS and i.argval in at:
            out.append((at[i.argval], i.argval <= i.offset))
        out += [(at[e.target], e.target <= i.offset) for e in handlers if e.start <= i.offset < e.end]
        edges.append(out)
    successors: dict[int, set[int]] = defaultdict(set)
    for start_line in {n for n in line if n}:
        found = successors[start_line]
        found.add(start_line)
        todo = [k for k, n in enumerate(line) if n == start_line]
        seen = set(todo)
        while todo:
            for nxt, backwards in edges[todo.pop()]:
                n = line[nxt]
                if n is not None and (n != start_line or backwards):
                    found.add(n)
                elif nxt not in seen:
                    seen.add(nxt)
                    todo.append(nxt)
    return {n: frozenset(lines) for n, lines in successors.items()}


def _merge(maps: list[dict[int, frozenset[int]]]) -> dict[int, frozenset[int]]:
    out: dict[int, frozenset[int]] = {}
    for m in maps:
        for line, lines in m.items():
            out[line] = out.get(line, frozenset()) | lines
    return out


def _runs_implicit_code(tree: ast.Module) -> bool:
    """Whether plain operations can run the program's own code: dunders, properties, generators."""
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            if node.name.startswith("__") and node.name.endswith("__") and node.name not in _HARMLESS_DUNDERS:
                return True
            if any(not (isinstance(d, ast.Name) and d.id in ("staticmethod", "classmethod"))
                   for d in node.decorator_list):
                return True
            if isinstance(node, ast.AsyncFunctionDef):
                return True
        elif isinstance(node, ast.Yield | ast.YieldFrom | ast.Await):
            return True
    return False


@dataclass(frozen=True)
class _Purity:
    """Decides whether an expression can change an object some name of the frame refers to."""

    program_callables: set[str]
    rebound: frozenset[str]
    program_methods: set[str]
    everything_impure: bool
    lookups_insert: bool = False  # a defaultdict's ``d[k]`` stores the missing key: a load that changes ``d``

    def pure(self, nodes: list[ast.AST]) -> bool:
        if self.everything_impure:
            return False
        for root in nodes:
            for node in ast.walk(root):
                if not self._pure_node(node):
                    return False
        return True

    def _pure_node(self, node: ast.AST) -> bool:
        if isinstance(node, ast.Call):
            func = node.func
            if isinstance(func, ast.Name):
                if func.id in _CALLING_BUILTINS and any(
                        isinstance(a, ast.Attribute) and a.attr not in PURE_METHODS
                        for a in (*node.args, *(k.value for k in node.keywords))):
                    return False  # ``map(pool.pop, xs)``: the builtin calls a method that may mutate
                return func.id in PURE_CALLS and func.id not in self.rebound
            if isinstance(func, ast.Attribute):
                return func.attr in PURE_METHODS and func.attr not in self.program_methods
            return False
        if isinstance(node, ast.Subscript | ast.Attribute):
            return isinstance(node.ctx, ast.Load) and not (isinstance(node, ast.Subscript) and self.lookups_insert)
        if isinstance(node, ast.Name):
            # A program function passed along (``key=f``) may be called by the builtin it is passed to.
            return not (isinstance(node.ctx, ast.Load) and node.id in self.program_callables)
        return not isinstance(node, ast.Yield | ast.YieldFrom | ast.Await | ast.With | ast.AsyncWith)


@dataclass
class _Effect:
    binds: set[str] = field(default_factory=set)
    pure: bool = True
    statements: int = 0  # how many statements (or headers, handlers) have a part on the line
    values: dict[str, str] = field(default_factory=dict)  # what a literal assignment on the line sets
    copies: dict[str, str] = field(default_factory=dict)  # name -> the name it copies (``x = y``)


def _line_effects(tree: ast.Module, judge: _Purity, prints: bool
                  ) -> tuple[dict[tuple[str, int], _Effect], dict[str, dict[str, set[str]]]]:
    """(frame, line) -> what the statement parts on that line may bind, whether they are pure, and the
    values they certainly set (``prints``: including what a ``print`` of literals writes); and per frame,
    name -> how it is bound ("def": an undecorated def/class, "import": ``import m``, "other")."""
    effects: dict[tuple[str, int], _Effect] = defaultdict(_Effect)
    kinds: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))

    def record(frame: str, lines: range, binds: set[str], pure: bool, stmt: ast.stmt | None = None) -> None:
        for line in lines:
            effect = effects[(frame, line)]
            effect.binds |= binds
            effect.pure = effect.pure and pure
            effect.statements += 1
            if stmt is not None:
                effect.values.update(literal_values(stmt, prints))
                effect.copies.update(copied_names(stmt))

    def visit(body: list[ast.stmt], frame: str, qual: str, in_class: bool) -> None:
        for stmt in body:
            header, children = _header(stmt)
            lines = range(_first_line(stmt), _header_end(stmt, children) + 1)
            binds = _bound_names(stmt, header)
            if not in_class:
                record(frame, lines, binds, judge.pure(header) and not _in_place(stmt), stmt)
                for name in binds:
                    kinds[frame][name].add(_binding_kind(stmt, name))
            if isinstance(stmt, ast.FunctionDef | ast.AsyncFunctionDef):
                inner = f"{qual}.{stmt.name}" if qual else stmt.name
                visit(stmt.body, inner.replace("<locals>.", ""), inner + ".<locals>", False)
                continue
            if isinstance(stmt, ast.ClassDef):
                inner = f"{qual}.{stmt.name}" if qual else stmt.name
                visit(stmt.body, frame, inner, True)
                continue
            for handler in getattr(stmt, "handlers", []):
                # ``except E as e`` deletes ``e`` when the handler ends, on whichever of its lines ran last.
                hlines = range(handler.lineno, (handler.end_lineno or handler.lineno) + 1)
                hbinds = {handler.name} if handler.name else set()
                if not in_class:
                    record(frame, hlines, hbinds, judge.pure([handler.type] if handler.type else []))
                    for name in hbinds:
                        kinds[frame][name].add("other")
            for child in children:
                visit(child, frame, qual, in_class)

    visit(tree.body, MODULE_FRAME, "", False)
    return effects, kinds


def _certain(per_line: dict[tuple[str, int], _Effect], frame: str, generator: bool
             ) -> tuple[dict[int, dict[str, str]], dict[int, dict[str, str]]]:
    """A frame's certain values and copies, line by line: only on a line with one statement (``x = 1; x +=
    1`` leaves x at 2), and no return value in a generator (its return step shows what it yielded)."""
    values: dict[int, dict[str, str]] = {}
    copies: dict[int, dict[str, str]] = {}
    for (owner, line), effect in per_line.items():
        if owner != frame or effect.statements != 1:
            continue
        for found, out in ((effect.values, values), (effect.copies, copies)):
            kept = {k: v for k, v in found.items() if k != RETURN_KEY or not generator}
            if kept:
                out[line] = kept
    return values, copies


def _binding_kind(stmt: ast.stmt, name: str) -> str:
    if isinstance(stmt, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef) and stmt.name == name:
        return "other" if stmt.decorator_list else "def"
    if isinstance(stmt, ast.Import):
        return "import"  # ``import a.b`` and ``import a as b`` bind modules
    return "other"


def _always_hidden(kinds: dict[str, dict[str, set[str]]], declared: frozenset[str]) -> dict[str, frozenset[str]]:
    """Per frame, the names only ever bound to a function, class or module (and not declared global or
    nonlocal anywhere): the trace never shows them."""
    return {frame: frozenset(name for name, how in names.items()
                             if how <= {"def", "import"} and name not in declared)
            for frame, names in kinds.items()}


def _header(stmt: ast.stmt) -> tuple[list[ast.AST], list[list[ast.stmt]]]:
    """The expressions a statement evaluates on its own lines, and its nested statement blocks."""
    if isinstance(stmt, ast.FunctionDef | ast.AsyncFunctionDef):
        return [*stmt.decorator_list, stmt.args, *([stmt.returns] if stmt.returns else [])], []
    if isinstance(stmt, ast.ClassDef):
        return [*stmt.decorator_list, *stmt.bases, *stmt.keywords], []
    if isinstance(stmt, ast.If | ast.While):
        return [stmt.test], [stmt.body, stmt.orelse]
    if isinstance(stmt, ast.For | ast.AsyncFor):
        return [stmt.target, stmt.iter], [stmt.body, stmt.orelse]
    if isinstance(stmt, ast.With | ast.AsyncWith):
        return [stmt], [stmt.body]  # the With node itself: __enter__/__exit__ may run any code
    if isinstance(stmt, ast.Try | getattr(ast, "TryStar", ast.Try)):
        return [], [stmt.body, *[h.body for h in stmt.handlers], stmt.orelse, stmt.finalbody]
    if isinstance(stmt, ast.Match):
        return [stmt.subject, *[c.pattern for c in stmt.cases], *[c.guard for c in stmt.cases if c.guard]], \
            [c.body for c in stmt.cases]
    return [stmt], []


def _first_line(stmt: ast.stmt) -> int:
    decorators = getattr(stmt, "decorator_list", [])
    return min([stmt.lineno, *(d.lineno for d in decorators)])


def _header_end(stmt: ast.stmt, children: list[list[ast.stmt]]) -> int:
    if isinstance(stmt, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
        return stmt.body[0].lineno - 1 if stmt.body[0].lineno > stmt.lineno else stmt.lineno
    blocks = [b for b in children if b]
    if blocks:
        return max(stmt.lineno, blocks[0][0].lineno - 1) if blocks[0][0].lineno > stmt.lineno else stmt.lineno
    return stmt.end_lineno or stmt.lineno


def _in_place(stmt: ast.stmt) -> bool:
    """An augmented assignment that may change an object in place (``xs += [1]`` changes every alias)."""
    if not isinstance(stmt, ast.AugAssign):
        return False
    if not isinstance(stmt.target, ast.Name):
        return True
    value = stmt.value.operand if isinstance(stmt.value, ast.UnaryOp) else stmt.value
    return not (isinstance(value, ast.Constant) and isinstance(value.value, int | float | str | bytes))


def _bound_names(stmt: ast.stmt, header: list[ast.AST]) -> set[str]:
    """Names the statement's own lines bind or delete in its frame."""
    names: set[str] = set()
    if isinstance(stmt, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
        names.add(stmt.name)
    elif isinstance(stmt, ast.Import | ast.ImportFrom):
        names |= {(a.asname or a.name).split(".")[0] for a in stmt.names}
    for root in header:
        names |= _targets(root)
    return names


def _targets(root: ast.AST) -> set[str]:
    """Store/Del names in an expression or simple statement, not those local to a comprehension or lambda."""
    names: set[str] = set()

    def walk(node: ast.AST, local: bool) -> None:
        if isinstance(node, ast.NamedExpr) and isinstance(node.target, ast.Name):
            names.add(node.target.id)  # a walrus binds in the enclosing frame, even inside a comprehension
        elif isinstance(node, ast.Name) and not isinstance(node.ctx, ast.Load) and not local:
            names.add(node.id)
        elif isinstance(node, ast.MatchAs | ast.MatchStar) and node.name and not local:
            names.add(node.name)
        elif isinstance(node, ast.MatchMapping) and node.rest and not local:
            names.add(node.rest)
        inner = local or isinstance(node, ast.ListComp | ast.SetComp | ast.DictComp | ast.GeneratorExp
                                    | ast.Lambda | ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef)
        for child in ast.iter_child_nodes(node):
            walk(child, inner)

    walk(root, False)
    return names
