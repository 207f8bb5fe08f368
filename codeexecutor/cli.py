"""`codeexecutor <command>`: dispatch only.

Each subcommand lives beside the code it drives, in a module exposing ``add_arguments(parser)`` and
``run(args) -> int``. Modules are imported only when their command runs, so the base install (no torch)
can run ``trace``, ``predict`` and ``serve``, and a training command without the training extra fails with
the exact install command.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from pathlib import Path

# name -> (module, one-line help, needs the training extra)
COMMANDS: dict[str, tuple[str, str, bool]] = {
    "trace": ("codeexecutor.training.tracing.tracer_cli", "run a program in the sandbox, print its exact trace", False),
    "build-dataset": ("codeexecutor.training.dataset.build_cli", "build a mutation-based execution dataset", True),
    "train": ("codeexecutor.training.learning.train", "train the model from a config file", True),
    "evaluate": ("codeexecutor.training.learning.evaluate", "score a model's predicted traces against gold ones", True),
    "export": ("codeexecutor.training.learning.export", "export a checkpoint to ONNX with a KV cache", True),
    "predict": ("codeexecutor.model.predict", "predict a program's trace with the ONNX model (no execution)", False),
    "serve": ("codeexecutor.server.__main__", "run the language server on stdio", False),
}

TRAIN_EXTRA_HINT = "pip install 'codeexecutor-lsp[train]'  (or: make dev)"


def _load(module: str, needs_train: bool):
    try:
        return importlib.import_module(module)
    except ModuleNotFoundError as e:
        if needs_train and e.name in {"torch", "transformers", "libcst", "safetensors", "matplotlib", "onnx"}:
            sys.exit(f"codeexecutor: this command needs the training extra ({e.name} is missing): "
                     f"{TRAIN_EXTRA_HINT}")
        raise


def read_user_file(path: Path, what: str, command: str) -> str | None:
    """A file named on the command line, or None after printing why it cannot be read."""
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        print(f"codeexecutor {command}: no such {what}: {path} (check the path)", file=sys.stderr)
    except (OSError, UnicodeDecodeError) as e:
        print(f"codeexecutor {command}: cannot read {what} {path}: {e}", file=sys.stderr)
    return None


def build_parser(argv: list[str]) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="codeexecutor", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    chosen = next((a for a in argv if not a.startswith("-")), None)
    for name, (module, help_text, needs_train) in COMMANDS.items():
        p = sub.add_parser(name, help=help_text, description=help_text)
        # Only the chosen command's module is imported: its flags are all the parser needs.
        if name == chosen:
            _load(module, needs_train).add_arguments(p)
    return parser


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    args = build_parser(argv).parse_args(argv)
    module, _, needs_train = COMMANDS[args.command]
    try:
        return int(_load(module, needs_train).run(args) or 0)
    except BrokenPipeError:
        # The reader went away (`codeexecutor trace f.py | head`): not an error worth a traceback.
        sys.stderr.close()
        return 0
