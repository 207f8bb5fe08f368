"""The server never executes user code on its own: it imports neither the tracer (nor all of training/) nor
torch. Only the ``codeexecutor.verify`` command, on the user's request, imports the tracer, when it runs."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def test_the_server_loads_no_tracer_and_no_torch():
    code = ("import sys, codeexecutor.server.__main__, codeexecutor.server.server, codeexecutor.server.session\n"
            "print(sorted({m.split('.')[0] for m in sys.modules} & {'torch', 'transformers'}"
            " | {m for m in sys.modules if m.startswith('codeexecutor.training')}))")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_serve_command_help_names_its_options():
    out = subprocess.run([sys.executable, "-m", "codeexecutor", "serve", "--help"], cwd=ROOT,
                         capture_output=True, text=True, check=True)
    assert "--stdio" in out.stdout and "--model DIR" in out.stdout and "--log-level" in out.stdout


def _message(payload: dict) -> bytes:
    body = json.dumps(payload).encode()
    return f"Content-Length: {len(body)}\r\n\r\n".encode() + body


def _read_message(stream) -> dict:
    length = None
    while (line := stream.readline()) not in (b"\r\n", b""):
        name, _, value = line.decode().partition(":")
        if name.lower() == "content-length":
            length = int(value)
    assert length is not None, "the server closed stdout before answering"
    return json.loads(stream.read(length))


@pytest.mark.parametrize(("folders", "env"), [
    # One namespace: folders named like the repo's top-level ones shadow nothing, even with the cwd on sys.path.
    (("server", "model", "training"), {}),
    # A workspace package named `codeexecutor` would; the extension sets PYTHONSAFEPATH so the cwd is not
    # on sys.path at all.
    (("codeexecutor",), {"PYTHONSAFEPATH": "1"}),
])
def test_a_workspace_with_folders_named_like_our_packages_still_starts_the_server(tmp_path, folders, env):
    # The extension starts the server from the workspace folder (the language client's default cwd), and
    # `python -m` puts the cwd first on sys.path unless PYTHONSAFEPATH is set.
    for name in folders:
        (tmp_path / name).mkdir()
        (tmp_path / name / "__init__.py").write_text(f"raise SystemExit('the workspace {name}/ was imported')\n")
        (tmp_path / name / "__main__.py").write_text(f"raise SystemExit('the workspace {name}/ was run')\n")
    proc = subprocess.Popen([sys.executable, "-m", "codeexecutor.server"], cwd=tmp_path, stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, env={**os.environ, **env})
    try:
        proc.stdin.write(_message({"jsonrpc": "2.0", "id": 1, "method": "initialize",
                                   "params": {"processId": None, "rootUri": tmp_path.as_uri(), "capabilities": {}}}))
        proc.stdin.flush()
        answer = _read_message(proc.stdout)
        assert answer["id"] == 1 and "error" not in answer, answer
        assert answer["result"]["serverInfo"]["name"] == "codeexecutor"
        assert answer["result"]["capabilities"]["inlayHintProvider"]
        for message in ({"jsonrpc": "2.0", "id": 2, "method": "shutdown"}, {"jsonrpc": "2.0", "method": "exit"}):
            proc.stdin.write(_message(message))
            proc.stdin.flush()
        assert _read_message(proc.stdout) == {"jsonrpc": "2.0", "id": 2, "result": None}
        assert proc.wait(timeout=30) == 0, proc.stderr.read().decode()
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
