"""The server never executes user code on its own: it imports neither the tracer (nor all of training/) nor
torch. Only the ``codeexecutor.verify`` command, on the user's request, imports the tracer, when it runs."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_the_server_loads_no_tracer_and_no_torch():
    code = ("import sys, codeexecutor.server.__main__, codeexecutor.server.server, codeexecutor.server.session\n"
            "print(sorted({m.split('.')[0] for m in sys.modules} & {'training', 'torch', 'transformers'}))")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_serve_command_help_names_its_options():
    out = subprocess.run([sys.executable, "-m", "codeexecutor", "serve", "--help"], cwd=ROOT,
                         capture_output=True, text=True, check=True)
    assert "--stdio" in out.stdout and "--model DIR" in out.stdout and "--log-level" in out.stdout
