"""The LSP test harness: the real server as a subprocess driven by a pytest-lsp client, and the document
its model memorised.

``DOC`` is a file whose every scenario program the tiny model of training/learning/memorise.py is trained on
(conftest's ``memorised_model_dir``) until it writes each trace exactly, so hints on it can be asserted to the
character. Programs the model did not memorise get garbage predictions: tests on those assert behaviour.
``MISTAUGHT_DOC`` is DOC with sq's example changed to ``sq(4)``: the model is taught sq(3)'s trace for that
program, so its prediction there is known to be wrong (``x = 3`` where the real run has 4), for verify mode.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import os
import sys
from pathlib import Path

from lsprotocol import types
from pytest_lsp import ClientServerConfig, LanguageClient

from codeexecutor.server.scenarios import analyse

ROOT = Path(__file__).resolve().parents[1]

DOC = '''s = "héllo 𝄞"
total = 0
for i in range(3):
    total += i
print(total)


# example: sq(3)
def sq(x):
    y = x * x
    return y


def dbl(x):
    """>>> dbl(4)"""
    return x * 2


def inc(x):
    return x + 1


print(inc(41))
'''
# (line, UTF-16 character, label) of every hint in DOC; line 0's end is 13 code points but 14 UTF-16 units.
DOC_HINTS = [
    (0, 14, "s = 'héllo 𝄞'"), (1, 9, "total = 0"), (2, 18, "i: 0 → 2 (4×)"), (3, 14, "total = 3 (3×)"),
    (4, 12, "prints 3"), (9, 13, "x = 3, y = 9"), (10, 12, "→ 9"), (15, 16, "x = 4, → 8"),
    (19, 16, "x = 41, → 42"), (22, 14, "prints 42"),
]
SQ_LINES = {9, 10}
MISTAUGHT_DOC = DOC.replace("# example: sq(3)", "# example: sq(4)")
# Memorised means right under greedy decoding, not necessarily confident: no "?" marks in exact labels.
SETTINGS = {"debounceMs": 50, "confidenceThreshold": 0.0}


# --------------------------------------------------------------------------------------------------------
# The memorising model


def doc_programs() -> dict[str, tuple[str, object]]:
    """DOC's scenario programs with their real traces, and MISTAUGHT_DOC's sq program with sq(3)'s trace."""
    from codeexecutor.training.tracing.tracer import trace_program

    programs = {s.name: (s.program, trace_program(s.program, s.stdin)) for s in analyse(DOC).scenarios}
    wrong = next(s for s in analyse(MISTAUGHT_DOC).scenarios if s.name == "sq")
    programs["sq, mistaught"] = (wrong.program, programs["sq"][1])
    return programs


def model_cache_key(programs) -> str:
    h = hashlib.sha256(json.dumps({k: [p, t.to_json()] for k, (p, t) in programs.items()}).encode())
    sources = [*ROOT.glob("model/*.py"), ROOT / "training/learning/export.py", ROOT / "training/learning/memorise.py"]
    for path in sorted(sources):
        h.update(path.read_bytes())
    return h.hexdigest()[:16]


def memorises(model_dir: Path, programs) -> bool:
    from codeexecutor.model.engine import Engine, ModelLoadError
    from codeexecutor.model.trace import to_text

    try:
        engine = Engine.load(model_dir)
    except ModelLoadError:
        return False
    return all(to_text(engine.predict(p).trace) == to_text(t) for p, t in programs.values())


# --------------------------------------------------------------------------------------------------------
# Client helpers

CAPABILITIES = types.ClientCapabilities(
    workspace=types.WorkspaceClientCapabilities(
        configuration=True, inlay_hint=types.InlayHintWorkspaceClientCapabilities(refresh_support=True)),
    window=types.WindowClientCapabilities(work_done_progress=True),
)


async def start_server(settings: dict, args: tuple[str, ...] = ()) -> LanguageClient:
    """The real server (``python -m codeexecutor.server *args``), initialized, with ``settings`` as its
    workspace configuration; the client records statuses and refreshes."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    command = [sys.executable, "-m", "codeexecutor.server", *args]
    client = await ClientServerConfig(server_command=command, server_env=env).start()
    client.set_configuration(settings, section="codeexecutor")
    client.statuses = []
    client.refreshed = asyncio.Event()
    client.feature("codeexecutor/status")(lambda params: client.statuses.append(params))

    @client.feature(types.WORKSPACE_INLAY_HINT_REFRESH)
    def refresh(params: None) -> None:
        client.refreshed.set()

    await client.initialize_session(types.InitializeParams(capabilities=CAPABILITIES, root_uri=ROOT.as_uri()))
    return client


async def stop_server(client: LanguageClient) -> None:
    await client.shutdown_session()
    await client.stop()


def uri_of(name: str) -> str:
    return (ROOT / "tests" / "lsp-docs" / name).as_uri()  # never written: documents live in the client


def open_doc(client: LanguageClient, uri: str, text: str, version: int = 1) -> None:
    client.text_document_did_open(types.DidOpenTextDocumentParams(
        types.TextDocumentItem(uri=uri, language_id="python", version=version, text=text)))


def edit(client: LanguageClient, uri: str, version: int, line: int, char: int, end_line: int, end_char: int,
         text: str) -> None:
    change = types.TextDocumentContentChangePartial(
        range=types.Range(types.Position(line, char), types.Position(end_line, end_char)), text=text)
    client.text_document_did_change(types.DidChangeTextDocumentParams(
        types.VersionedTextDocumentIdentifier(uri=uri, version=version), [change]))


async def predicted(client: LanguageClient, uri: str):
    """Wait (codeexecutor/trace) until the document's scenarios are predicted."""
    return await client.protocol.send_request_async("codeexecutor/trace", {"uri": uri})


async def hints(client: LanguageClient, uri: str, start=(0, 0), end=(10_000, 0)) -> list[tuple]:
    result = await client.text_document_inlay_hint_async(types.InlayHintParams(
        text_document=types.TextDocumentIdentifier(uri), range=types.Range(types.Position(*start),
                                                                          types.Position(*end))))
    return [(h.position.line, h.position.character, h.label) for h in result or []]


async def hover(client: LanguageClient, uri: str, line: int) -> str | None:
    result = await client.text_document_hover_async(types.HoverParams(
        types.TextDocumentIdentifier(uri), types.Position(line, 2)))
    return result.contents.value if result else None


async def reconfigure(client: LanguageClient, **settings) -> None:
    """Change settings the VS Code way (null in the notification: the server pulls); wait for the refresh."""
    client.set_configuration({**client.get_configuration(section="codeexecutor"), **settings},
                             section="codeexecutor")
    await asyncio.sleep(0.2)  # let any refresh already on its way arrive first
    client.refreshed.clear()
    client.workspace_did_change_configuration(types.DidChangeConfigurationParams(settings=None))
    await asyncio.wait_for(client.refreshed.wait(), 30)
