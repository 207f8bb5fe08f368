"""Bad input for the real server subprocess: every request is answered (a result or the right LSP error) within
a second, nothing bad reaches the model, and after each case the server still answers a normal hover and
inlayHint request exactly.

The model is conftest's ``memorised_model_dir`` (lsp_client.DOC memorised), so "still answers" is checked
to the character on DOC.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import hashlib
import json
import shutil
import time
import uuid
from pathlib import Path

import pytest
import pytest_asyncio
from lsp_client import (
    DOC,
    DOC_HINTS,
    SETTINGS,
    edit,
    hints,
    hover,
    open_doc,
    predicted,
    start_server,
    stop_server,
    uri_of,
)
from lsprotocol import types
from pygls.exceptions import JsonRpcInvalidParams, JsonRpcMethodNotFound, JsonRpcRequestCancelled
from pytest_lsp import LanguageClient

pytestmark = [pytest.mark.asyncio(loop_scope="module"), pytest.mark.slow, pytest.mark.timeout(300)]

ANSWER_S = 1.0  # every request here must be answered within this
DOC_URI = uri_of("doc.py")
LINE_4_HOVER = (
    "**Line 4**, ran 3 times — *predicted, not executed* (running the module)\n\n| # | s | total | i |\n"
    "|---|---|---|---|\n| 1 | `'héllo 𝄞'` | `0` | `0` |\n| 2 | `'héllo 𝄞'` | `1` | `1` |\n"
    "| 3 | `'héllo 𝄞'` | `3` | `2` |")


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def client(memorised_model_dir: Path):
    c = await start_server({"modelPath": str(memorised_model_dir), **SETTINGS})
    open_doc(c, DOC_URI, DOC)
    await predicted(c, DOC_URI)
    yield c
    assert c.messages == [], "no case may pop up a message box"
    await stop_server(c)


async def answered(request):
    """The answer to a request (a coroutine or future), which must come within ANSWER_S."""
    start = time.perf_counter()
    result = await asyncio.wait_for(asyncio.ensure_future(request), ANSWER_S * 5)
    assert time.perf_counter() - start < ANSWER_S, f"answered after {time.perf_counter() - start:.2f} s"
    return result


async def assert_alive(client: LanguageClient) -> None:
    assert await answered(hover(client, DOC_URI, 3)) == LINE_4_HOVER
    assert await answered(hints(client, DOC_URI)) == DOC_HINTS


def raw(client: LanguageClient, method: str, params: object) -> asyncio.Future:
    """A request with params exactly as given: the client would turn known methods' params into lsprotocol
    types first (and refuse malformed ones), so the message is written as JSON directly."""
    msg_id = f"raw-{uuid.uuid4()}"
    future: concurrent.futures.Future = concurrent.futures.Future()
    client.protocol._request_futures[msg_id] = future  # where pygls puts the answer to ``msg_id``
    client.protocol._send_data({"jsonrpc": "2.0", "id": msg_id, "method": method, "params": params})
    return asyncio.wrap_future(future)


def closed(client: LanguageClient, uri: str) -> None:
    client.text_document_did_close(types.DidCloseTextDocumentParams(types.TextDocumentIdentifier(uri)))


# --------------------------------------------------------------------------------------------------------
# Malformed requests and positions


@pytest.mark.parametrize(("method", "params", "why"), [
    ("textDocument/inlayHint", {"textDocument": {"uri": DOC_URI}}, "required field missing @ $.params.range"),
    ("textDocument/hover", {"textDocument": {"uri": DOC_URI}, "position": {"line": "x", "character": 0}},
     "invalid value for type, expected int @ $.params.position.line"),
    ("textDocument/hover", {"textDocument": 5, "position": [0, 0]},
     "invalid value for type, expected str @ $.params.textDocument.uri; invalid value for type, expected int "
     "@ $.params.position.line; invalid value for type, expected int @ $.params.position.character"),
    ("textDocument/inlayHint", {"textDocument": {"uri": DOC_URI}, "range": {
        "start": {"line": -1, "character": 0}, "end": {"line": 2, "character": 0}}},
     "invalid value @ $.params.range.start"),
    ("codeexecutor/trace", {}, 'codeexecutor/trace takes {"uri": "file:///..."}; its uri is None'),
    ("codeexecutor/trace", {"uri": 5}, 'codeexecutor/trace takes {"uri": "file:///..."}; its uri is 5'),
])
async def test_malformed_params_get_invalid_params_naming_the_field(client, method, params, why):
    with pytest.raises(JsonRpcInvalidParams) as error:
        await answered(raw(client, method, params))
    assert why in error.value.message
    await assert_alive(client)


async def test_positions_past_the_end_and_odd_requests_get_plain_answers(client):
    assert await answered(hover(client, DOC_URI, 1_000_000)) is None
    far = await answered(client.text_document_hover_async(types.HoverParams(
        types.TextDocumentIdentifier(DOC_URI), types.Position(3, 1_000_000))))
    assert far.contents.value == LINE_4_HOVER
    assert await answered(hints(client, DOC_URI, (5000, 0), (6000, 0))) == []
    assert await answered(hints(client, DOC_URI, (9, 0), (2, 0))) == []  # start after end: an empty range
    strange = types.InlayHint(position=types.Position(0, 0), label="x", data={"uri": 3, "line": "two"})
    assert (await answered(client.inlay_hint_resolve_async(strange))).tooltip is None
    with pytest.raises(JsonRpcMethodNotFound):
        await answered(raw(client, "codeexecutor/noSuchThing", {}))
    with pytest.raises(Exception, match="takes \\[document uri, function name, call text\\]"):
        await answered(client.workspace_execute_command_async(types.ExecuteCommandParams(
            command="codeexecutor.setExample", arguments=[1, 2, 3])))
    await assert_alive(client)


# --------------------------------------------------------------------------------------------------------
# Documents that are not open


async def test_closed_and_never_opened_documents_get_empty_answers_at_once(client):
    never = uri_of("never-opened.py")
    assert await answered(hover(client, never, 0)) is None
    assert await answered(hints(client, never)) == []
    assert (await answered(predicted(client, never))).error == f"{never} is not open: open it first " \
                                                               "(textDocument/didOpen)"
    edit(client, never, 2, 0, 0, 0, 0, "x = 1\n")  # a change for a document never opened: logged, ignored
    closed(client, never)
    once = uri_of("opened-then-closed.py")
    open_doc(client, once, DOC)
    closed(client, once)
    assert await answered(hover(client, once, 3)) is None and await answered(hints(client, once)) == []
    await assert_alive(client)
    assert any("could not handle" in m.message for m in client.log_messages)


async def test_a_uri_with_percent_escapes_finds_its_document(client):
    uri = uri_of("with space.py")
    assert "%20" in uri
    open_doc(client, uri, DOC)
    await predicted(client, uri)
    assert await answered(hints(client, uri)) == DOC_HINTS
    closed(client, uri)
    await assert_alive(client)


# --------------------------------------------------------------------------------------------------------
# Text the model must never see


@pytest.mark.parametrize("text", ["", "   \n\n\t\n"])
async def test_empty_documents_never_reach_the_model(client, text):
    uri = uri_of("empty.py")
    open_doc(client, uri, text)
    result = await answered(predicted(client, uri))
    assert (result.scenarios, result.broken) == ([], [])
    assert await answered(hints(client, uri)) == [] and await answered(hover(client, uri, 1)) is None
    closed(client, uri)
    await assert_alive(client)


@pytest.mark.parametrize(("text", "message"), [
    ("x = 1\ny = '\x00'\nprint(y)\n",
     "Line 2 contains a NUL character (`\\x00`): this is not Python source (a binary file, or text saved as "
     "UTF-16?), so nothing is predicted for this file."),
    ("x = 1\ns = '\ud800'\n",
     "Line 2 is not valid Unicode text (an unpaired surrogate): Python reads source as UTF-8, so nothing is "
     "predicted for this file. Save the file as UTF-8."),
    ("s = 'caf\ufffd'\nprint(s)\n",
     "Line 1 contains U+FFFD (`\ufffd`), the mark an editor puts where the file's bytes were not valid UTF-8. "
     "Python reads source as UTF-8, so nothing is predicted for this file: reopen the file with its real "
     "encoding and save it as UTF-8."),
])
async def test_nul_bytes_and_text_that_was_not_utf8_get_a_clear_message_and_no_prediction(client, text,
                                                                                          message):
    uri = uri_of("unreadable.py")
    open_doc(client, uri, text)
    result = await answered(predicted(client, uri))
    assert (result.scenarios, result.problem) == ([], message)
    assert await answered(hover(client, uri, 0)) == message
    assert await answered(hints(client, uri)) == []
    closed(client, uri)
    await assert_alive(client)


async def test_a_syntax_error_is_reported_as_such_and_the_rest_still_predicted(client):
    uri = uri_of("syntax.py")
    # DOC with `total = 0` broken: the module's code needs total, so it is not predicted (it would be a
    # NameError the file does not have); sq, dbl and inc need nothing from there and keep their hints.
    open_doc(client, uri, DOC.replace("total = 0", "total = 0 +"))
    result = await answered(predicted(client, uri))
    assert result.broken == [[1, 1]]
    assert [s.name for s in result.scenarios] == ["sq", "dbl", "inc"]
    assert await answered(hover(client, uri, 1)) == ("Syntax error on line 2: invalid syntax. This part is not "
                                                     "predicted until it parses.")
    assert await answered(hover(client, uri, 3)) == (
        "Not predicted: this code uses `total`, which nothing that parses defines; the syntax error on line 2 "
        "(invalid syntax) may be where it is. Fix that to see values here.")
    assert await answered(hints(client, uri)) == [h for h in DOC_HINTS if h[0] in (9, 10, 15, 19)]
    closed(client, uri)
    await assert_alive(client)


# --------------------------------------------------------------------------------------------------------
# Big files, storms


async def test_a_10000_line_file_answers_within_a_second(client):
    uri = uri_of("big.py")
    big = DOC + "".join(f"def f{i}(a):\n    return a + {i}\n\n\n" for i in range(2500))
    assert big.count("\n") == 10_023
    open_doc(client, uri, big)
    assert await answered(hints(client, uri, (0, 0), (30, 0))) == DOC_HINTS  # DOC's programs: cached
    assert (await answered(hover(client, uri, 10_020))).startswith("No example runs `f2499`, so nothing is "
                                                                  "predicted for it. Give it one, any of:\n")
    assert len((await predicted(client, uri)).scenarios) == 4
    closed(client, uri)
    await assert_alive(client)


async def test_an_edit_storm_ends_on_the_last_text(client):
    uri = uri_of("storm.py")
    open_doc(client, uri, DOC)
    version = 1
    for n in range(200):  # type a character and delete it again, 400 changes, hovers in between
        edit(client, uri, version := version + 1, 0, 0, 0, 0, "#")
        edit(client, uri, version := version + 1, 0, 0, 0, 1, "")
        if n % 40 == 0:
            assert (await answered(hover(client, DOC_URI, 3))) == LINE_4_HOVER
    result = await predicted(client, uri)
    assert result.version == 401
    assert await answered(hints(client, uri)) == DOC_HINTS
    closed(client, uri)
    await assert_alive(client)


async def test_a_cancel_storm_answers_every_request(client):
    # Functions the model never saw keep it busy; 40 long requests and 40 hovers, each cancelled at once,
    # and cancels for ids nobody sent. Every request gets its result or a cancelled error.
    uri = uri_of("busy.py")
    open_doc(client, uri, "".join(f"# example: g{k}({k})\ndef g{k}(a):\n    return a - {k}\n\n\n"
                                  for k in range(200)))
    futures = []
    for n in range(40):
        futures.append(client.protocol.send_request("codeexecutor/trace", {"uri": uri}, msg_id=f"long-{n}"))
        futures.append(client.protocol.send_request("textDocument/hover", types.HoverParams(
            types.TextDocumentIdentifier(DOC_URI), types.Position(3, 2)), msg_id=f"hover-{n}"))
        for msg_id in (f"long-{n}", f"hover-{n}", f"nobody-{n}"):
            client.protocol.notify("$/cancelRequest", types.CancelParams(id=msg_id))
    outcomes = await asyncio.wait_for(asyncio.gather(*(asyncio.wrap_future(f) for f in futures),
                                                     return_exceptions=True), 10)
    assert all(isinstance(o, JsonRpcRequestCancelled) or not isinstance(o, BaseException)
               for o in outcomes), [o for o in outcomes if isinstance(o, Exception)]
    closed(client, uri)
    await assert_alive(client)


# --------------------------------------------------------------------------------------------------------
# A corrupt model directory


async def test_a_corrupt_model_directory_is_reported_and_the_server_keeps_answering(memorised_model_dir,
                                                                                    tmp_path):
    broken_manifest = tmp_path / "broken-manifest"
    shutil.copytree(memorised_model_dir, broken_manifest)
    (broken_manifest / "manifest.json").write_text("{not json")
    garbage_onnx = tmp_path / "garbage-onnx"  # its manifest even lists the garbage's sha256
    shutil.copytree(memorised_model_dir, garbage_onnx)
    (garbage_onnx / "model.onnx").write_bytes(b"garbage")
    manifest = json.loads((garbage_onnx / "manifest.json").read_text())
    manifest["files"]["model.onnx"] = hashlib.sha256(b"garbage").hexdigest()
    (garbage_onnx / "manifest.json").write_text(json.dumps(manifest))

    c = await start_server({"debounceMs": 50}, args=("--model", str(broken_manifest)))
    try:
        open_doc(c, DOC_URI, DOC)
        result = await predicted(c, DOC_URI)
        assert result.error == (
            f"CodeExecutor cannot load its model: {broken_manifest}/manifest.json is not valid JSON (Expecting "
            "property name enclosed in double quotes: line 1 column 2 (char 1)): export the model again with "
            "`codeexecutor export --checkpoint CHECKPOINT_DIR --out DIR` (setting codeexecutor.modelPath = "
            f"{str(broken_manifest)!r})")
        assert [(m.type, m.message) for m in c.messages] == [(types.MessageType.Error, result.error)]
        assert c.statuses[-1].state == "error" and c.statuses[-1].message == result.error
        # alive: requests answered at once, no values (there is no model), the other messages still shown
        assert await answered(hints(c, DOC_URI)) == [] and await answered(hover(c, DOC_URI, 3)) is None
        open_doc(c, uri_of("nul.py"), "x = '\x00'\n")
        assert (await answered(hover(c, uri_of("nul.py"), 0))).startswith("Line 1 contains a NUL character")

        c.set_configuration({"debounceMs": 50, "modelPath": str(garbage_onnx)}, section="codeexecutor")
        c.workspace_did_change_configuration(types.DidChangeConfigurationParams(settings=None))
        while len(c.messages) < 2:
            await asyncio.sleep(0.05)
        assert c.messages[1].message.startswith(f"CodeExecutor cannot load its model: cannot open the model in "
                                                f"{garbage_onnx}: [ONNXRuntimeError]")
        assert await answered(hints(c, DOC_URI)) == [] and await answered(hover(c, DOC_URI, 3)) is None
    finally:
        await stop_server(c)
