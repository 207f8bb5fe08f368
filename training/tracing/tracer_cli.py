"""`codeexecutor trace FILE`: run a program in the sandbox and print its exact trace.

Without ``--json`` the trace is shown on the source: each line ends with a comment of the values it changed
(the last time it ran), then what the program printed and how it ended.
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import replace
from pathlib import Path

from codeexecutor.cli import read_user_file
from codeexecutor.model.annotate import annotate
from codeexecutor.training.tracing.sandbox import Limits
from codeexecutor.training.tracing.tracer import trace_program


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
    source = read_user_file(args.file, "program", "trace")
    stdin = read_user_file(args.stdin, "--stdin file", "trace") if args.stdin else ""
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
