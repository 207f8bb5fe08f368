"""The trace: the one data structure shared by the tracer, the model and the server.

A trace is what a program did when it ran: its executed steps in the order they *finished*, each with the
1-based line, the frame (function) it ran in and the full state of that frame after the line ran, plus the
events of that line (printed output, the value a function returned, the exception that left the frame).
docs/trace-format.md is the human reference; this module is the only definition in code. It imports no
third-party package, so the server, the model and the training code can all use it.

Three forms, all loss-free round trips:

1. the dataclasses below (``Trace``, ``Step``);
2. JSON (``Trace.to_json`` / ``Trace.from_json``), printed by ``codeexecutor trace --json`` and
   ``codeexecutor predict --json``;
3. the compact text form the model reads and writes (``to_text`` / ``from_text``). Each step writes only
   what changed in its frame; a ``<call>`` opens a new activation of a function and a step with a return
   value or an escaping exception closes it, so the decoder rebuilds every full state with a stack.

Worked example, for this program::

    1  def sq(n):
    2      r = n * n
    3      return r
    4  x = sq(3)
    5  print(x)

the trace is (JSON, abridged)::

    {"steps": [
       {"line": 1, "frame": "<module>", "state": {}},
       {"line": 2, "frame": "sq", "call": true, "state": {"n": "3", "r": "9"}},
       {"line": 3, "frame": "sq", "state": {"n": "3", "r": "9"}, "return": "9"},
       {"line": 4, "frame": "<module>", "state": {"x": "9"}},
       {"line": 5, "frame": "<module>", "state": {"x": "9"}, "output": "9\\n"}],
     "stdout": "9\\n", "status": "ok"}

and its text form is::

    <line> 1 <call> sq <line> 2 <s> n 3 <s> r 9 <line> 3 <ret> 9 <line> 4 <s> x 9 <line> 5 <out> '9\\n' <end> ok

(``<call> sq`` comes before the first step of the new activation, whose first delta lists its arguments.)
"""

from __future__ import annotations

import ast
import json
import re
import types
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, replace
from typing import Any

TRACE_FORMAT_VERSION = 1
MODULE_FRAME = "<module>"
# Which code objects are frames of their own, and their names: every function of the program, but not
# comprehensions, generator expressions or lambdas (their effects show on the enclosing line).
_INLINE_CODE_NAMES = frozenset({"<listcomp>", "<dictcomp>", "<setcomp>", "<genexpr>", "<lambda>"})
_FUNCTION_FLAGS = 0x1 | 0x2  # CO_OPTIMIZED | CO_NEWLOCALS


def is_frame_code(code: types.CodeType) -> bool:
    """Whether a (non-module) code object is traced as a frame of its own."""
    return code.co_flags & _FUNCTION_FLAGS == _FUNCTION_FLAGS and code.co_name not in _INLINE_CODE_NAMES


def frame_name(code: types.CodeType) -> str:
    """A function's frame name: its qualified name without ``<locals>.`` (``Stack.push``, ``outer.inner``)."""
    return code.co_qualname.replace("<locals>.", "")

# Why a trace ended. The first two are complete runs; the others were cut, and ``message`` says why.
STATUSES = ("ok", "error", "timeout", "memory", "forbidden", "steps", "output")
COMPLETE_STATUSES = ("ok", "error")


@dataclass(frozen=True)
class Step:
    """One executed line: where it ran, the frame's state after it ran, and what it did."""

    line: int
    frame: str
    state: dict[str, str]
    call: bool = False  # the first step of a new activation of ``frame`` (a call, or a generator resumed)
    output: str | None = None  # text the line printed
    ret: str | None = None  # the value the frame returned (or yielded) on this line; closes the activation
    exception: str | None = None  # "Type: message" of an exception that left the frame here; closes it too

    @property
    def closes_frame(self) -> bool:
        return self.ret is not None or self.exception is not None


@dataclass(frozen=True)
class Trace:
    """A whole run: the steps, everything printed, and how (and whether) it ended."""

    steps: list[Step] = field(default_factory=list)
    stdout: str = ""
    status: str = "ok"
    message: str = ""  # why it stopped: the uncaught exception, or the limit that cut it

    @property
    def complete(self) -> bool:
        return self.status in COMPLETE_STATUSES

    def to_json(self) -> dict[str, Any]:
        """The public JSON form (a dict ready for ``json.dumps``); optional keys only when present."""
        steps = []
        for s in self.steps:
            d: dict[str, Any] = {"line": s.line, "frame": s.frame}
            if s.call:
                d["call"] = True
            d["state"] = dict(s.state)
            if s.output is not None:
                d["output"] = s.output
            if s.ret is not None:
                d["return"] = s.ret
            if s.exception is not None:
                d["exception"] = s.exception
            steps.append(d)
        out: dict[str, Any] = {"version": TRACE_FORMAT_VERSION, "steps": steps, "stdout": self.stdout,
                               "status": self.status, "complete": self.complete}
        if self.message:
            out["message"] = self.message
        return out

    def dumps(self, indent: int | None = None) -> str:
        return json.dumps(self.to_json(), indent=indent, ensure_ascii=False)

    @classmethod
    def from_json(cls, data: dict[str, Any] | str) -> Trace:
        """Read the JSON form (a dict or its text); raise ``TraceFormatError`` naming what is wrong."""
        if isinstance(data, str):
            try:
                data = json.loads(data)
            except json.JSONDecodeError as e:
                raise TraceFormatError(f"trace JSON does not parse: {e}") from e
        if not isinstance(data, dict):
            raise TraceFormatError("trace JSON must be an object with a 'steps' list")
        version = data.get("version", TRACE_FORMAT_VERSION)
        if version != TRACE_FORMAT_VERSION:
            raise TraceFormatError(f"trace format version {version} is not the supported {TRACE_FORMAT_VERSION}")
        steps = []
        for i, d in enumerate(data.get("steps", [])):
            try:
                steps.append(Step(line=int(d["line"]), frame=str(d["frame"]), call=bool(d.get("call", False)),
                                  state={str(k): str(v) for k, v in d.get("state", {}).items()},
                                  output=d.get("output"), ret=d.get("return"), exception=d.get("exception")))
            except (KeyError, TypeError, ValueError, AttributeError) as e:
                raise TraceFormatError(f"step {i} of the trace JSON is malformed: {e!r}") from e
        status = data.get("status", "ok")
        if status not in STATUSES:
            raise TraceFormatError(f"unknown trace status {status!r}; expected one of {', '.join(STATUSES)}")
        return cls(steps=steps, stdout=data.get("stdout", ""), status=status, message=data.get("message", ""))

    def cut(self, max_steps: int, reason: str) -> Trace:
        """The first ``max_steps`` steps, marked as cut (how over-long traces are shortened)."""
        if len(self.steps) <= max_steps:
            return self
        kept = self.steps[:max_steps]
        return replace(self, steps=kept, stdout="".join(s.output or "" for s in kept), status="steps",
                       message=reason)


class TraceFormatError(ValueError):
    """A trace (JSON or text) that does not follow docs/trace-format.md."""


# ---------------------------------------------------------------------------------------------------------
# The text form.
# Markers are single tokens for the model. Values are reprs (never a raw newline), so the only way a value
# can clash with a marker is by containing one literally; such a value has every "<" written as "<lt>".

LINE, CALL, SET, DEL, OUT, RET, EXC, END, STDOUT, LT = (
    "<line>", "<call>", "<s>", "<d>", "<out>", "<ret>", "<exc>", "<end>", "<stdout>", "<lt>")
MARKERS = (LINE, CALL, SET, DEL, OUT, RET, EXC, END, STDOUT, LT)
# The tokenizer's other single-token strings (model/tokenizer.py, model/prompt.py). A value holding one (a frame's
# repr names its file '<program>') is escaped as well, or it would be read as that token.
BOS, EOS, PAD = "<bos>", "<eos>", "<pad>"
PROGRAM, STDIN, TRACE = "<program>", "<stdin>", "<trace>"
_RESERVED = (*MARKERS, BOS, EOS, PAD, PROGRAM, STDIN, TRACE)
# A predicted step's confidence (codeexecutor.model.engine.Prediction) is keyed by the names it set and, for
# its events, by these keys (never a Python name).
RETURN_KEY, OUTPUT_KEY, EXCEPTION_KEY = "<return>", "<output>", "<exception>"


def event_values(step: Step) -> dict[str, str]:
    """The step's events (return, output, exception) by their confidence key, only those it has."""
    pairs = ((RETURN_KEY, step.ret), (OUTPUT_KEY, step.output), (EXCEPTION_KEY, step.exception))
    return {key: value for key, value in pairs if value is not None}


def shorten(value: str, limit: int) -> str:
    """``value`` cut to ``limit`` characters, the last one an ellipsis when it was cut (hints, hover)."""
    return value if len(value) <= limit else value[:limit - 1] + "…"
EVENT_KEYS = {RET: RETURN_KEY, OUT: OUTPUT_KEY, EXC: EXCEPTION_KEY}
_MARKER_RE = re.compile("(" + "|".join(re.escape(m) for m in MARKERS if m != LT) + ")")


def _escape(value: str) -> str:
    if any(m in value for m in _RESERVED):
        return value.replace("<", LT)
    return value


def _unescape(value: str) -> str:
    return value.replace(LT, "<") if LT in value else value


def state_delta(before: dict[str, str], after: dict[str, str]) -> tuple[dict[str, str], list[str]]:
    """What changed from ``before`` to ``after``: the new or changed names, and the deleted ones."""
    changed = {k: v for k, v in after.items() if before.get(k) != v}
    deleted = [k for k in before if k not in after]
    return changed, deleted


@dataclass(frozen=True)
class Delta:
    """A step and what it changed in its activation: the rule the text form is written by."""

    step: Step
    opens: bool  # the step starts a new activation (``<call>`` in the text form)
    changed: dict[str, str]  # new or changed names vs the activation's previous state
    deleted: list[str]


def deltas(steps: Iterable[Step]) -> Iterator[Delta]:
    """Each step with its changes, keeping the stack of open activations (the module always at the bottom).

    The one implementation of the delta rule: to_text writes it, and the annotator and the server's runs
    read traces by it, so "changed" means the same everywhere.
    """
    stack: list[dict[str, str]] = [{}]
    names: list[str] = [MODULE_FRAME]
    for step in steps:
        # A hand-written trace may lack ``call`` flags; a frame change still opens an activation.
        opens = step.call or step.frame != names[-1]
        if opens:
            stack.append({})
            names.append(step.frame)
        changed, deleted = state_delta(stack[-1], step.state)
        yield Delta(step, opens, changed, deleted)
        stack[-1] = dict(step.state)
        if step.closes_frame and len(stack) > 1:
            stack.pop()
            names.pop()


def to_text(trace: Trace, source: list[str] | None = None) -> str:
    """The compact text form: per step, only the names its line changed in its frame.

    With ``source`` (the program's lines), the *local* variant: each ``<line> N`` is followed by line N's
    own code, stripped, so a step's code sits next to the values it computes (an experiment of
    docs/trace-format.md, not what the shipped model reads).
    """
    return text_and_copies(trace, source)[0]


def text_and_copies(trace: Trace, source: list[str] | None = None) -> tuple[str, list[tuple[int, int]]]:
    """``to_text`` and the character spans of the copied source lines in it, each with the space before it
    (none without ``source``): what the local form adds to the compact one, known from the program, so not
    the model's to predict."""
    parts: list[str] = []
    copied: list[int] = []  # indices into parts
    for delta in deltas(trace.steps):
        step = delta.step
        if delta.opens:
            parts += [CALL, step.frame]
        parts += [LINE, str(step.line)]
        code = source[step.line - 1].strip() if source is not None and 0 < step.line <= len(source) else ""
        if code:
            copied.append(len(parts))
            parts.append(_escape(code))
        for name in delta.deleted:
            parts += [DEL, name]
        for name, value in delta.changed.items():
            parts += [SET, name, _escape(value)]
        if step.output is not None:
            parts += [OUT, _escape(repr(step.output))]
        if step.ret is not None:
            parts += [RET, _escape(step.ret)]
        if step.exception is not None:
            parts += [EXC, _escape(repr(step.exception))]
    concat = "".join(s.output or "" for s in trace.steps)
    if trace.stdout != concat:
        parts += [STDOUT, _escape(repr(trace.stdout))]
    parts += [END, trace.status]
    if trace.message and trace.message != _implied_message(trace.status, trace.steps):
        parts.append(_escape(repr(trace.message)))
    text = " ".join(parts)
    if not copied:  # the compact form (dataset builds call this in a loop): no spans to find
        return text, []
    spans, start, k = [], 0, 0
    for i, part in enumerate(parts):
        if k < len(copied) and copied[k] == i:
            spans.append((start - 1, start + len(part)))  # with the space before it, which the code adds
            k += 1
        start += len(part) + 1
    return text, spans


def from_text(text: str, strict: bool = False, local: bool = False) -> Trace:
    """Rebuild a Trace from the text form (``local``: the variant with each line's code after its number).

    Model output can be malformed or cut off mid-step. By default the valid prefix is kept and the trace is
    marked ``status="steps"`` with a message saying what was wrong; ``strict=True`` raises
    ``TraceFormatError`` instead (for gold data, where any defect is a bug).
    """
    tokens = [t for t in _MARKER_RE.split(text)]
    # tokens alternate: [text, marker, text, marker, ...]; pair each marker with the text after it.
    items = [(tokens[i], tokens[i + 1].strip()) for i in range(1, len(tokens) - 1, 2)]
    if tokens[0].strip():
        return _malformed([], f"text before the first marker: {tokens[0].strip()[:40]!r}", strict)
    steps: list[Step] = []
    stack: list[tuple[str, dict[str, str]]] = [(MODULE_FRAME, {})]
    cur: dict[str, Any] | None = None
    pending_call = False
    stdout: str | None = None

    def finish() -> None:
        nonlocal cur
        if cur is None:
            return
        step = Step(**cur)
        steps.append(step)
        stack[-1] = (stack[-1][0], dict(step.state))
        if step.closes_frame and len(stack) > 1:
            stack.pop()
        cur = None

    for marker, arg in items:
        try:
            if marker == CALL:
                finish()
                if not arg or " " in arg:
                    raise TraceFormatError(f"bad frame name {arg!r}")
                stack.append((arg, {}))
                pending_call = True
            elif marker == LINE:
                finish()
                number = arg.split(" ", 1)[0] if local else arg
                cur = {"line": int(number), "frame": stack[-1][0], "state": dict(stack[-1][1]), "call": pending_call}
                pending_call = False
            elif marker == END:
                finish()
                status, _, message = arg.partition(" ")
                if status not in STATUSES:
                    raise TraceFormatError(f"unknown status {status!r}")
                msg = _literal_str(_unescape(message)) if message else _implied_message(status, steps)
                out = stdout if stdout is not None else "".join(s.output or "" for s in steps)
                return Trace(steps=steps, stdout=out, status=status, message=msg)
            elif marker == STDOUT:
                finish()
                stdout = _literal_str(_unescape(arg))
            elif cur is None:
                raise TraceFormatError(f"{marker} outside a step")
            elif marker == SET:
                name, _, value = arg.partition(" ")
                if not name or not value:
                    raise TraceFormatError(f"{SET} needs a name and a value, got {arg!r}")
                cur["state"][name] = _unescape(value)
            elif marker == DEL:
                if arg not in cur["state"]:
                    raise TraceFormatError(f"{DEL} of unknown name {arg!r}")
                del cur["state"][arg]
            elif marker == OUT:
                cur["output"] = _literal_str(_unescape(arg))
            elif marker == RET:
                cur["ret"] = _unescape(arg)
            elif marker == EXC:
                cur["exception"] = _literal_str(_unescape(arg))
        except (TraceFormatError, ValueError) as e:
            return _malformed(steps, f"malformed {marker} {arg[:40]!r}: {e}", strict)
    # The step being written when the text ran out may be cut mid-value: only finished steps are kept.
    return _malformed(steps, "the text ended before <end>", strict)


def _implied_message(status: str, steps: list[Step]) -> str:
    # An uncaught exception is already written on the last step; the text form does not repeat it.
    if status == "error" and steps and steps[-1].exception:
        return steps[-1].exception
    return ""


def _literal_str(text: str) -> str:
    try:
        value = ast.literal_eval(text)
    except (ValueError, SyntaxError) as e:
        raise TraceFormatError(f"not a string literal: {text[:40]!r}") from e
    if not isinstance(value, str):
        raise TraceFormatError(f"not a string literal: {text[:40]!r}")
    return value


def _malformed(steps: list[Step], why: str, strict: bool) -> Trace:
    if strict:
        raise TraceFormatError(why)
    return Trace(steps=steps, stdout="".join(s.output or "" for s in steps), status="steps",
                 message=f"incomplete prediction: {why}")
