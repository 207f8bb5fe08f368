"""What the model reads (program -> prompt) and what its output means (generated text -> Trace).

A training example is ``BOS + make_prompt(program, stdin) + to_text(trace) + EOS``, with the loss on
``to_text(trace) + EOS`` only. For this program and stdin ``"3\\n"``::

    x = int(input())
    print(x * 2)

the prompt is::

    <program>
    1 x = int(input())
    2 print(x * 2)
    <stdin> '3\\n'
    <trace>

and the model continues with ``<line> 1 <s> x 3 <line> 2 <out> '6\\n' <end> ok<eos>``. Each program line is
numbered as the trace numbers it, so the ``<line> N`` the model writes can attend to the ``N`` in the prompt.
"""

from __future__ import annotations

import re

from codeexecutor.model.tokenizer import BOS, EOS, PAD, PROGRAM, STDIN, TRACE
from codeexecutor.model.trace import Trace, from_text

_NEWLINE = re.compile(r"\r\n|\r|\n")  # the line ends Python itself counts


def number_lines(program: str) -> str:
    """Each line prefixed with its 1-based number and a space (an empty line is just its number)."""
    lines = _NEWLINE.split(program)
    if lines and lines[-1] == "":  # the final newline does not start another line
        lines.pop()
    return "\n".join(f"{i} {line}" if line else str(i) for i, line in enumerate(lines, start=1))


def make_prompt(program: str, stdin: str = "") -> str:
    """The text the model reads; it ends right where the trace's text form begins."""
    parts = [PROGRAM, "\n", number_lines(program), "\n"]
    if stdin:
        parts += [STDIN, " ", repr(stdin), "\n"]  # repr: stdin's newlines must not look like program lines
    parts.append(TRACE)
    return "".join(parts)


def parse_generation(text: str) -> Trace:
    """The Trace in a generation (a partial trace if it is malformed or cut); never raises.

    ``text`` may be the continuation alone or the whole sequence with the prompt: everything up to the last
    ``<trace>`` is dropped, and everything from the first ``<eos>`` on.
    """
    if TRACE in text:
        text = text.rsplit(TRACE, 1)[1]
    text = text.split(EOS, 1)[0].replace(BOS, "").replace(PAD, "")
    return from_text(text, strict=False)
