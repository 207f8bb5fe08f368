"""The tracer: run a program under ``sys.settrace`` in the sandbox and record its exact ``Trace``.

``trace_program`` / ``trace_many`` are the API (gold data for the dataset, ``codeexecutor trace``). What
runs in the sandboxed child is ``run_in_child``: it compiles the program, installs ``_Recorder`` as the trace
function and executes it. The semantics (which frames, when a step is recorded, what a state holds) are
those of docs/trace-format.md; docs/tracer.md explains the mechanics.

How the events become steps: settrace reports ``line`` *before* a line runs, so each traced activation keeps
one pending line, finished (its state read and rendered) at the activation's next ``line`` or ``return``
event. A ``return`` event is a return or a yield when the frame's last instruction is RETURN_VALUE /
RETURN_CONST / YIELD_VALUE, and otherwise an exception leaving the frame (the last ``exception`` event of that
frame says which); this is exact even when a ``finally`` block ran in between.

The recursion limit is enforced by the tracer, not by Python: the interpreter's own limit sits
``_HEADROOM`` frames higher so that the trace function never overflows (it would be silently switched off),
and a call deeper than the program's limit raises RecursionError from the trace function. Python then turns
tracing off; a one-shot profile function switches it back on as the failed frame unwinds, so the program
sees an ordinary RecursionError it may catch, and the trace goes on.
"""

from __future__ import annotations

import atexit
import dis
import io
import sys
import threading
import types
from collections.abc import Iterable, Iterator
from typing import Any

from codeexecutor.model.render import TRUNCATED, render, sanitize
from codeexecutor.model.trace import MODULE_FRAME, Step, Trace, frame_name, is_frame_code
from codeexecutor.training.tracing.guard import Guard
from codeexecutor.training.tracing.sandbox import DEFAULT_WORKERS, Limits, Sandbox, SandboxError

__all__ = ["Limits", "SandboxError", "run_in_child", "trace_many", "trace_program"]

PROGRAM_FILENAME = "<program>"
_RETURN_OPS = frozenset(dis.opmap[name] for name in ("RETURN_VALUE", "RETURN_CONST", "YIELD_VALUE")
                        if name in dis.opmap)
_HEADROOM = 100  # interpreter frames kept free above the program's limit for the tracer and rendering
_RECURSION_MESSAGE = "maximum recursion depth exceeded"
# Values that are not state: the program's machinery rather than its data.
_HIDDEN = (types.ModuleType, types.FunctionType, types.BuiltinFunctionType, types.MethodType, type,
           types.MethodWrapperType, types.WrapperDescriptorType, types.MethodDescriptorType,
           types.ClassMethodDescriptorType)


# ---------------------------------------------------------------------------------------------------------
# Public API (runs in the caller's process; the programs run in the sandbox).

_default: Sandbox | None = None
_default_lock = threading.Lock()


def trace_program(source: str, stdin: str = "", limits: Limits = Limits()) -> Trace:  # noqa: B008
    """The exact trace of one program run on ``stdin`` (a warm shared one-worker sandbox runs it)."""
    global _default
    with _default_lock:
        if _default is None:
            _default = Sandbox(workers=1)
            atexit.register(_default.close)
        sandbox = _default
    return sandbox.run(source, stdin, limits)


def trace_many(jobs: Iterable[tuple[str, str]], limits: Limits = Limits(),  # noqa: B008
               workers: int = DEFAULT_WORKERS) -> Iterator[Trace]:
    """Trace every (program, stdin) job with ``workers`` zygotes; results come in input order."""
    with Sandbox(workers=workers) as sandbox:
        yield from sandbox.run_many(jobs, limits)


# ---------------------------------------------------------------------------------------------------------
# In the sandboxed child.


def run_in_child(source: str, stdin: str, limits: Limits, guard: Guard) -> Trace:
    """Compile and run ``source`` under the recorder; the sandbox has already contained this process."""
    try:
        code = compile(source, PROGRAM_FILENAME, "exec", dont_inherit=True)
    except (SyntaxError, ValueError) as e:  # ValueError: the source contains a NUL byte
        return Trace(status="error", message=describe(e, limits.max_message_chars))
    recorder = _Recorder(code, limits, guard)
    guard.partial = recorder.partial
    return recorder.run()  # the sandbox already put stdin on file descriptor 0


def describe(exc: BaseException, max_chars: int = 200) -> str:
    """``Type: message`` of an exception (just ``Type`` when the message is empty)."""
    name = type(exc).__name__
    try:
        message = str(exc)
    # A user's __str__ may raise anything; describing it must not change the run.
    except BaseException as e:
        message = f"<str failed: {type(e).__name__}>"
    message = sanitize(message)
    if len(message) > max_chars:
        message = message[: max_chars - 1] + TRUNCATED
    return f"{name}: {message}" if message else name


def _program_codes(module: types.CodeType) -> dict[int, str]:
    """id of every code object in the program -> its frame name ("" for code that is not traced itself)."""
    names = {id(module): MODULE_FRAME}
    stack = [module]
    while stack:
        for const in stack.pop().co_consts:
            if isinstance(const, types.CodeType):
                names[id(const)] = frame_name(const) if is_frame_code(const) else ""
                stack.append(const)
    return names


class _Activation:
    """One run of a traced frame (a call, or a generator resumed) and its pending line."""

    __slots__ = ("depth", "exc", "first", "frame", "line", "name", "output")

    def __init__(self, frame: types.FrameType, name: str, depth: int) -> None:
        self.frame = frame
        self.name = name
        self.depth = depth
        self.line: int | None = None  # the line started but not finished
        self.first = name != MODULE_FRAME  # the next finished step is the activation's first
        self.output: list[str] | None = None
        self.exc: BaseException | None = None  # the last exception seen passing through this frame


class _Recorder:
    """The trace function and everything it records."""

    def __init__(self, code: types.CodeType, limits: Limits, guard: Guard) -> None:
        self.code = code
        self.limits = limits
        self.guard = guard
        self.names = _program_codes(code)
        self.bytecode: dict[int, bytes] = {}
        self.steps: list[Step] = []
        self.acts: list[_Activation] = []
        self.depths: dict[int, int] = {}  # id(frame) -> depth, for the live traced activations
        self.stdout: list[str] = []
        self.out_bytes = 0
        self.recursion_limit = limits.recursion_limit
        self.base_depth = 0
        self.real_setrecursionlimit = sys.setrecursionlimit
        self.real_getrecursionlimit = sys.getrecursionlimit

    # -- the run ------------------------------------------------------------------------------------------

    def run(self) -> Trace:
        namespace: dict[str, Any] = {"__name__": "__main__", "__builtins__": __builtins__}
        self._install_streams()
        self._install_recursion_limit()
        status, message = "ok", ""
        self.guard.trusted = True
        sys.settrace(self.global_trace)
        self.guard.trusted = False
        try:
            exec(self.code, namespace)
        except SystemExit as e:
            if not (e.code is None or e.code == 0):
                status, message = "error", describe(e, self.limits.max_message_chars)
        except MemoryError as e:
            status, message = "memory", describe(e, self.limits.max_message_chars)
        # Anything the program lets escape ends it as Python would: this is the run's outcome, not ours.
        except BaseException as e:
            status, message = "error", describe(e, self.limits.max_message_chars)
        finally:
            intact = sys.gettrace() == self.global_trace
            self.guard.trusted = True
            sys.settrace(None)
            sys.setprofile(None)
            self.guard.trusted = False
            # The next program of a batch (training/tracing/sandbox.py) starts from the real functions again.
            sys.setrecursionlimit, sys.getrecursionlimit = self.real_setrecursionlimit, self.real_getrecursionlimit
        if not intact:
            return self.partial("memory", "the trace function was switched off, most likely by a "
                                          "RecursionError in library code; the trace is incomplete")
        return Trace(steps=self.steps, stdout="".join(self.stdout), status=status, message=message)

    def partial(self, status: str, message: str) -> Trace:
        """The trace so far (lines not yet finished are left out), ending with ``status``."""
        return Trace(steps=list(self.steps), stdout="".join(self.stdout), status=status, message=message)

    def _install_streams(self) -> None:
        sys.stdin = open(0, encoding="utf-8", closefd=False)  # noqa: SIM115 -- the program's stdin
        sys.stdout = _Stream(self, captured=True)
        sys.stderr = _Stream(self, captured=False)
        sys.argv = [PROGRAM_FILENAME]

    def _install_recursion_limit(self) -> None:
        frame, depth = sys._getframe(), 0
        while frame is not None:
            frame, depth = frame.f_back, depth + 1
        self.base_depth = depth  # the frames below the program (run() and exec() sit below its module)
        self.real_setrecursionlimit(self.base_depth + self.recursion_limit + _HEADROOM)
        sys.setrecursionlimit = self.setrecursionlimit
        sys.getrecursionlimit = self.getrecursionlimit

    def setrecursionlimit(self, limit: int) -> None:
        """The program's sys.setrecursionlimit: counts its own frames only."""
        if not isinstance(limit, int):
            raise TypeError("'" + type(limit).__name__ + "' object cannot be interpreted as an integer")
        if limit < 1:
            raise ValueError("recursion limit must be greater or equal than 1")
        self.real_setrecursionlimit(self.base_depth + limit + _HEADROOM)
        self.recursion_limit = limit

    def getrecursionlimit(self) -> int:
        return self.recursion_limit

    # -- trace functions ----------------------------------------------------------------------------------

    def global_trace(self, frame: types.FrameType, event: str, arg: Any) -> Any:
        name = self.names.get(id(frame.f_code))
        if name is None:  # library code: not traced (and returning None keeps it fast)
            return None
        depth = self._depth(frame, name)
        if depth > self.recursion_limit:
            self._refuse_call()
        if not name:
            return None
        try:
            act = _Activation(frame, name, depth)
            self.acts.append(act)
            self.depths[id(frame)] = depth
        except MemoryError:
            self.guard.stop("memory", "out of memory while tracing (Limits.memory_mb)")
        return self.local_trace

    def local_trace(self, frame: types.FrameType, event: str, arg: Any) -> Any:
        try:
            if event == "line":
                act = self.acts[-1]
                if act.frame is not frame:
                    act = self._find(frame)
                if act.line is not None:
                    self._finish(act, None, None)
                act.line = frame.f_lineno
            elif event == "return":
                self._close(frame, arg)
            elif event == "exception":
                self._find(frame).exc = arg[1]
        except (MemoryError, RecursionError) as e:
            what = "memory" if isinstance(e, MemoryError) else "stack"
            self.guard.stop("memory", f"the tracer ran out of {what} (Limits.memory_mb)")
        return self.local_trace

    def _depth(self, frame: types.FrameType, name: str) -> int:
        if name == MODULE_FRAME and frame.f_code is self.code:
            return 1
        back, n = frame.f_back, 1
        while back is not None:
            known = self.depths.get(id(back))
            if known is not None:
                return known + n
            back, n = back.f_back, n + 1
        return n

    def _refuse_call(self) -> None:
        # Raising here makes Python switch tracing off (an audited sys.settrace(None): trusted until _rearm);
        # the profile hook turns it back on when the refused frame unwinds, before any traced frame sees the
        # exception.
        self.guard.trusted = True
        sys.setprofile(self._rearm)
        raise RecursionError(_RECURSION_MESSAGE)

    def _rearm(self, frame: types.FrameType, event: str, arg: Any) -> None:
        self.guard.trusted = True
        sys.settrace(self.global_trace)
        sys.setprofile(None)
        self.guard.trusted = False

    def _find(self, frame: types.FrameType) -> _Activation:
        for act in reversed(self.acts):
            if act.frame is frame:
                return act
        raise AssertionError(f"no activation for a traced frame of {frame.f_code.co_qualname}")

    def _close(self, frame: types.FrameType, arg: Any) -> None:
        act = self.acts.pop()
        if act.frame is not frame:  # cannot happen with balanced events; keep the stack honest if it does
            self.acts.append(act)
            act = self._find(frame)
            self.acts.remove(act)
        self.depths.pop(id(frame), None)
        if act.line is None:  # an activation that ran no line (e.g. a generator resumed only to finish)
            return
        if self._returned(frame):
            ret = None if act.name == MODULE_FRAME else render(arg, self.limits.max_value_chars)
            self._finish(act, ret, None)
        else:
            exc = act.exc
            # Every exception that leaves a frame passes an 'exception' event in it first.
            text = describe(exc, self.limits.max_message_chars) if exc is not None else "Exception"
            self._finish(act, None, text)

    def _returned(self, frame: types.FrameType) -> bool:
        code = frame.f_code
        raw = self.bytecode.get(id(code))
        if raw is None:
            raw = self.bytecode[id(code)] = code.co_code
        return raw[frame.f_lasti] in _RETURN_OPS

    def _finish(self, act: _Activation, ret: str | None, exc: str | None) -> None:
        if len(self.steps) >= self.limits.max_steps:
            self.guard.stop("steps", f"the trace reached {self.limits.max_steps} steps (Limits.max_steps)")
        output = "".join(act.output) if act.output else None
        self.steps.append(Step(line=act.line, frame=act.name, state=self._state(act.frame),  # type: ignore[arg-type]
                               call=act.first, output=output, ret=ret, exception=exc))
        act.first = False
        act.output = None
        act.line = None

    def _state(self, frame: types.FrameType) -> dict[str, str]:
        chars = self.limits.max_value_chars
        return {name: render(value, chars) for name, value in list(frame.f_locals.items())
                if not (name[:2] == "__" and name[-2:] == "__") and not isinstance(value, _HIDDEN)}

    # -- output -------------------------------------------------------------------------------------------

    def write(self, text: str, captured: bool) -> None:
        self.out_bytes += len(text) if text.isascii() else len(text.encode("utf-8", "surrogatepass"))
        if self.out_bytes > self.limits.max_output_bytes:
            self.guard.stop("output", f"the program printed more than {self.limits.max_output_bytes} bytes "
                                      f"(Limits.max_output_bytes)")
        if not captured or not text:
            return
        self.stdout.append(text)
        for act in reversed(self.acts):  # the innermost traced frame's current line
            if act.line is not None:
                if act.output is None:
                    act.output = []
                act.output.append(text)
                return


class _Stream(io.TextIOBase):
    """The program's sys.stdout (recorded) or sys.stderr (only counted against the output limit)."""

    def __init__(self, recorder: _Recorder, captured: bool) -> None:
        super().__init__()
        self._recorder = recorder
        self._captured = captured
        self.buffer = _BinaryStream(self)

    @property
    def encoding(self) -> str:
        return "utf-8"

    def writable(self) -> bool:
        return True

    def isatty(self) -> bool:
        return False

    def write(self, text: str) -> int:
        if not isinstance(text, str):
            raise TypeError(f"write() argument must be str, not {type(text).__name__}")
        self._recorder.write(text, self._captured)
        return len(text)


class _BinaryStream(io.RawIOBase):
    """``sys.stdout.buffer``: bytes are decoded as UTF-8 and recorded like text."""

    def __init__(self, text: _Stream) -> None:
        super().__init__()
        self._text = text

    def writable(self) -> bool:
        return True

    def write(self, data: Any) -> int:
        raw = bytes(data)
        self._text.write(raw.decode("utf-8", "replace"))
        return len(raw)
