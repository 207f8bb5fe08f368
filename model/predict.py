"""`codeexecutor predict FILE`: the model's predicted trace of a program, which is never run (no torch).

``--json`` prints the same JSON as ``codeexecutor trace --json`` plus an optional per-step "confidence";
without it the source is shown with the predicted values as end-of-line comments (``?`` marks doubtful ones).
``--verify`` (opt-in: it runs the program in the sandbox) marks each predicted value right or wrong
(model/verify.py).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from codeexecutor.cli import read_user_file
from codeexecutor.model.annotate import annotate
from codeexecutor.model.engine import DEFAULT_MAX_NEW_TOKENS, Engine, ModelLoadError, Prediction, default_model_dir
from codeexecutor.model.verify import verified_json, verify, verify_report


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("file", type=Path, help="the Python program (it is read, never executed)")
    parser.add_argument("--stdin", type=Path, metavar="FILE", help="a file the program would read as stdin")
    parser.add_argument("--json", action="store_true", help="print the predicted trace as JSON")
    parser.add_argument("--model", type=Path, metavar="DIR",
                        help="an exported model directory (default: the shipped model in model/weights/)")
    parser.add_argument("--max-new-tokens", type=int, default=DEFAULT_MAX_NEW_TOKENS, metavar="N",
                        help=f"stop the prediction after N tokens (default {DEFAULT_MAX_NEW_TOKENS})")
    parser.add_argument("--threads", type=int, metavar="N", help="onnxruntime threads (default: up to 4)")
    parser.add_argument("--unconstrained", action="store_true",
                        help="decode from the whole vocabulary, without the mask of the program's lines, frames "
                             "and names (docs/inference.md; for comparison)")
    parser.add_argument("--verify", action="store_true",
                        help="ALSO RUN the program in the sandbox (docs/tracer.md says what it contains) and "
                             "mark each predicted value right or wrong against the real run")


def run(args: argparse.Namespace) -> int:
    source = read_user_file(args.file, "program", "predict")
    stdin = read_user_file(args.stdin, "--stdin file", "predict") if args.stdin else ""
    if source is None or stdin is None:
        return 2
    if args.max_new_tokens < 1:
        print("codeexecutor predict: --max-new-tokens must be at least 1", file=sys.stderr)
        return 2
    try:
        engine = Engine.load(args.model or default_model_dir(), threads=args.threads,
                             constrained=not args.unconstrained)
    except ModelLoadError as e:
        print(f"codeexecutor predict: {e}", file=sys.stderr)
        return 2
    prediction = engine.predict(source, stdin, max_new_tokens=args.max_new_tokens)
    if args.verify:
        return _print_verified(source, stdin, prediction, args.json)
    if args.json:
        print(json.dumps(prediction.to_json(), indent=2, ensure_ascii=False))
    else:
        print(annotate(source, prediction.trace, prediction.confidence))
        print(f"(predicted, not run: {prediction.tokens} tokens in {prediction.seconds:.2f} s)")
    return 0


def _print_verified(source: str, stdin: str, prediction: Prediction, as_json: bool) -> int:
    # Imported here: only --verify runs code, and only it needs the sandbox.
    from codeexecutor.training.tracing.tracer import trace_program

    v = verify(prediction, trace_program(source, stdin))
    if as_json:
        print(json.dumps(verified_json(v), indent=2, ensure_ascii=False))
    else:
        print(annotate(source, prediction.trace, prediction.confidence))
        print(verify_report(v))
    return 0
