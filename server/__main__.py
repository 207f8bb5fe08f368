"""`codeexecutor serve` / `python -m codeexecutor.server`: the language server on stdio."""

from __future__ import annotations

import argparse
import logging
import sys
from dataclasses import replace


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--stdio", action="store_true",
                        help="talk LSP over stdin/stdout (the default; accepted because editors pass it)")
    parser.add_argument("--model", metavar="DIR", default="",
                        help="exported model directory used when the client sets no codeexecutor.modelPath "
                             "(default: the shipped model in model/weights/)")
    parser.add_argument("--log-level", choices=("error", "warning", "info", "debug"), default="info",
                        help="log level on stderr until the client's codeexecutor.logLevel setting arrives")


def run(args: argparse.Namespace) -> int:
    # stdout carries the protocol: logs go to stderr (editors show it in the server's output channel).
    logging.basicConfig(stream=sys.stderr, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("codeexecutor.server").setLevel(args.log_level.upper())
    # pygls logs every message it sends at INFO (whole documents): keep it to its warnings.
    logging.getLogger("pygls").setLevel(logging.WARNING)
    from codeexecutor.server.server import build_server  # after logging is set up; imports onnxruntime

    server = build_server()
    session = server.session
    if args.model:
        session.settings = replace(session.settings, prediction=replace(session.settings.prediction,
                                                                        model_path=args.model))
    session.settings = replace(session.settings, log_level=args.log_level)
    server.start_io()
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m codeexecutor.server", description=__doc__.splitlines()[0])
    add_arguments(parser)
    return run(parser.parse_args(argv))


if __name__ == "__main__":
    sys.exit(main())
