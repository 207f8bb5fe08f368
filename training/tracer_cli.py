"""`codeexecutor trace FILE`: run a program in the sandbox and print its exact trace.

Without ``--json`` the trace is shown on the source: each line ends with a comment of the values it changed
(the last time it ran), then what the program printed and how it ended.
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import replace
from pathlib import Path

from model.trace import Trace, state_delta
from training.sandbox import Limits
from training.tracer import trace_program


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("file", type=Path, help="the Python program to run")
    parser.add_argument("--stdin", type=Path, metavar="FILE", help="a file to feed to the program's stdin")
    parser.add_argument("--json", action="store_true", help="print the trace as JSON (docs/trace-format.md)")
    parser.add_argument("--max-steps", type=int, default=Limits.max_steps, metavar="N",
                        help=f"stop after N steps (default {Limits.max_steps})")
    parser.add_argument("--timeout", type=float, default=Limits.wall_seconds, metavar="S",
                        help=f"wall-clock seconds before the run is stopped "
                             f"(default {Limits.wall_seconds:g})")


def run(args: argparse.Namespace) -> int:
    source = _read(args.file, "program")
    stdin = _read(args.stdin, "--stdin file") if args.stdin else ""
    if source is None or stdin is None:
        return 2
    try:
        limits = replace(Limits(), max_steps=args.max_steps, wall_seconds=args.timeout,
                         cpu_seconds=max(1, int(args.timeout + 0.999)))
    except ValueError as e:
        print(f"codeexecutor trace: {e}", file=sys.stderr)
        return 2
    trace = trace_program(source, stdin, limits)
    print(trace.dumps(indent=2) if args.json else annotate(source, trace))
    return 0


def _read(path: Path, what: str) -> str | None:
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        print(f"codeexecutor trace: no such {what}: {path} (check the path)", file=sys.stderr)
    except (OSError, UnicodeDecodeError) as e:
        print(f"codeexecutor trace: cannot read {what} {path}: {e}", file=sys.stderr)
    return None


def line_notes(trace: Trace) -> dict[int, str]:
    """Per line, what its last execution changed (``x = 3, y = [1]``), returned or raised."""
    notes: dict[int, str] = {}
    previous: list[dict[str, str]] = [{}]  # per open activation, as in model.trace.to_text
    names = ["<module>"]
    for step in trace.steps:
        if step.call or step.frame != names[-1]:
            previous.append({})
            names.append(step.frame)
        changed, deleted = state_delta(previous[-1], step.state)
        parts = [f"{k} = {v}" for k, v in changed.items()] + [f"del {k}" for k in deleted]
        if step.ret is not None:
            parts.append(f"return {step.ret}")
        if step.exception is not None:
            parts.append(f"raise {step.exception}")
        if parts:
            notes[step.line] = ", ".join(parts)
        previous[-1] = dict(step.state)
        if step.closes_frame and len(previous) > 1:
            previous.pop()
            names.pop()
    return notes


def annotate(source: str, trace: Trace) -> str:
    """The human form: the source with end-of-line notes, then stdout and the status."""
    notes = line_notes(trace)
    lines = source.splitlines()
    width = max((len(line) for i, line in enumerate(lines, 1) if i in notes), default=0)
    out = [f"{line.ljust(width)}  # {notes[i]}" if i in notes else line for i, line in enumerate(lines, 1)]
    out.append("")
    out.append("--- stdout ---")
    out.append(trace.stdout.rstrip("\n") if trace.stdout else "(nothing)")
    out.append("--- status ---")
    out.append(f"{trace.status}: {trace.message}" if trace.message else trace.status)
    return "\n".join(out)
