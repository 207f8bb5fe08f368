"""The language server end to end: a pytest-lsp client over stdio, the real server subprocess, a real model.

The model is conftest's ``memorised_model_dir``: the tiny model trained on the scenario programs of
lsp_client.DOC until it writes each trace exactly (checked), so hints can be asserted to the character.
Programs it did not memorise get garbage predictions, so tests on those assert behaviour (positions,
survival, responsiveness), never values.
"""

from __future__ import annotations

import asyncio
import json
import random
import shutil
import time
from pathlib import Path

import pytest
import pytest_asyncio
from lsp_client import (
    DOC,
    DOC_HINTS,
    SETTINGS,
    SQ_LINES,
    edit,
    hints,
    hover,
    open_doc,
    predicted,
    reconfigure,
    start_server,
    stop_server,
    uri_of,
)
from lsprotocol import types
from pygls.exceptions import JsonRpcException, JsonRpcInvalidParams, JsonRpcRequestCancelled
from pytest_lsp import LanguageClient

pytestmark = [pytest.mark.asyncio(loop_scope="module"), pytest.mark.slow, pytest.mark.timeout(600)]


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def client(memorised_model_dir: Path):
    c = await start_server({"modelPath": str(memorised_model_dir), **SETTINGS})
    open_doc(c, uri_of("doc.py"), DOC)
    await predicted(c, uri_of("doc.py"))
    yield c
    await stop_server(c)


# --------------------------------------------------------------------------------------------------------
# Hints and hover


async def test_hints_for_script_and_each_kind_of_example_at_exact_utf16_positions(client):
    assert await hints(client, uri_of("doc.py")) == DOC_HINTS
    # what the server told the client on the way: status, work-done progress, a refresh
    states = [s.state for s in client.statuses]
    assert states[0] == "starting" and "predicting" in states and states[-1] == "ready"
    kinds = [type(v).__name__ for reports in client.progress_reports.values() for v in reports]
    assert kinds[0] == "WorkDoneProgressBegin" and kinds[-1] == "WorkDoneProgressEnd"
    # the refresh is coalesced (feedback.REFRESH_DELAY_S), so it may land just after the answers
    await asyncio.wait_for(client.refreshed.wait(), 10)


async def test_a_range_starting_mid_file_or_ending_mid_line_gets_exactly_its_hints(client):
    assert await hints(client, uri_of("doc.py"), (9, 0), (12, 0)) == [h for h in DOC_HINTS if 9 <= h[0] <= 11]
    # line 1's hint sits at character 9, past a range ending at (1, 5)
    assert await hints(client, uri_of("doc.py"), (0, 0), (1, 5)) == DOC_HINTS[:1]


async def test_hover_shows_every_run_of_the_line(client):
    assert await hover(client, uri_of("doc.py"), 3) == (
        "**Line 4**, ran 3 times — *predicted, not executed* (running the module)\n"
        "\n"
        "| # | s | total | i |\n"
        "|---|---|---|---|\n"
        "| 1 | `'héllo 𝄞'` | `0` | `0` |\n"
        "| 2 | `'héllo 𝄞'` | `1` | `1` |\n"
        "| 3 | `'héllo 𝄞'` | `3` | `2` |")
    assert (await hover(client, uri_of("doc.py"), 9)).startswith(
        "**Line 10**, ran 1 time — *predicted, not executed* (example `sq(3)` from comment)")
    assert await hover(client, uri_of("doc.py"), 6) is None  # a blank line never runs


async def test_tooltip_resolves_to_the_full_value(client):
    result = await client.text_document_inlay_hint_async(types.InlayHintParams(
        text_document=types.TextDocumentIdentifier(uri_of("doc.py")),
        range=types.Range(types.Position(0, 0), types.Position(1, 0))))
    resolved = await client.inlay_hint_resolve_async(result[0])
    assert resolved.tooltip.value == "*predicted, not executed* — running the module\n```\ns = 'héllo 𝄞'\n```"


# --------------------------------------------------------------------------------------------------------
# Edits


async def test_edits_elsewhere_keep_hints_and_move_them_with_their_lines(client):
    uri = uri_of("edited.py")
    open_doc(client, uri, DOC)
    await predicted(client, uri)
    edit(client, uri, 2, 0, 0, 0, 0, "\n\n\n")  # three lines above everything: every program unchanged
    shifted = [(line + 3, char, label) for line, char, label in DOC_HINTS]
    assert await hints(client, uri) == shifted  # at once, from the cache
    edit(client, uri, 3, 12, 13, 12, 13, " + 0")  # sq's body: only sq's program changes (line count same)
    # until sq is predicted again its previous values stay (no flicker), and the hover says so; both requests
    # leave with the edit, inside its 50 ms debounce (one after the other, a loaded machine can miss it)
    during, said = await asyncio.gather(hints(client, uri), hover(client, uri, 12))
    assert during == [(h[0], h[1] + 4 * (h[0] == 12), h[2]) for h in shifted]
    assert "updating" in said
    await predicted(client, uri)
    after = await hints(client, uri)
    assert [h for h in after if h[0] - 3 not in SQ_LINES] == [h for h in shifted if h[0] - 3 not in SQ_LINES]


async def test_a_syntax_error_in_one_function_keeps_the_others(client):
    uri = uri_of("broken.py")
    open_doc(client, uri, DOC.replace("def sq(x):", "def sq(x:"))
    result = await predicted(client, uri)
    assert result.broken == [[7, 10]]
    assert await hints(client, uri) == [h for h in DOC_HINTS if h[0] not in SQ_LINES]


async def test_set_example_command_gives_a_function_its_scenario(client):
    uri = uri_of("inc_only.py")
    open_doc(client, uri, "def inc(x):\n    return x + 1\n")
    assert (await predicted(client, uri)).scenarios == []
    await client.workspace_execute_command_async(types.ExecuteCommandParams(
        command="codeexecutor.setExample", arguments=[uri, "inc", "inc(41)"]))
    await predicted(client, uri)
    assert await hints(client, uri) == [(1, 16, "x = 41, → 42")]
    with pytest.raises(Exception, match="takes \\[document uri, function name, call text\\]"):
        await client.workspace_execute_command_async(types.ExecuteCommandParams(
            command="codeexecutor.setExample", arguments=[uri]))


async def test_settings_and_toggle_apply_without_restart(client):
    uri = uri_of("doc.py")
    await reconfigure(client, maxHintLength=8, confidenceThreshold=5)
    assert (await hints(client, uri))[0] == (0, 14, "s = 'héllo …")
    assert client.messages[-1].message == ("setting codeexecutor.confidenceThreshold = 5 must be a number "
                                           "from 0 to 1; keeping 0.0")
    await reconfigure(client, maxHintLength=40, confidenceThreshold=0.0)
    assert await hints(client, uri) == DOC_HINTS
    toggled = await client.workspace_execute_command_async(types.ExecuteCommandParams(
        command="codeexecutor.toggle"))
    assert toggled == {"enabled": False}
    assert await hints(client, uri) == [] and await hover(client, uri, 3) is None
    await client.workspace_execute_command_async(types.ExecuteCommandParams(command="codeexecutor.toggle"))
    assert await hints(client, uri) == DOC_HINTS


# --------------------------------------------------------------------------------------------------------
# Verify mode: the document's scenarios run in the sandbox, the hints marked against the real run


async def verify(client: LanguageClient, *arguments):
    return await client.workspace_execute_command_async(types.ExecuteCommandParams(
        command="codeexecutor.verify", arguments=list(arguments)))


def _scenario(name: str, call: str, values: int, right: int) -> dict:
    return {"name": name, "call": call, "values": values, "right": right, "real_status": "ok", "real_message": ""}


async def test_verify_marks_each_hint_and_shows_the_real_value_beside_a_wrong_one(client):
    uri = uri_of("verified.py")
    open_doc(client, uri, DOC)
    await predicted(client, uri)
    assert await hints(client, uri) == DOC_HINTS  # nothing is run, nor marked, before the command
    summary = await verify(client, uri)
    # per scenario, every value on the lines it shows (each run of a line counts): all memorised, all right
    assert summary == {"uri": uri, "version": 1, "values": 16, "right": 16, "skipped": [], "scenarios": [
        _scenario("<module>", "", 9, 9), _scenario("sq", "sq(3)", 3, 3), _scenario("dbl", "dbl(4)", 2, 2),
        _scenario("inc", "inc(41)", 2, 2)]}
    assert await hints(client, uri) == [
        (0, 14, "s = 'héllo 𝄞' ✓"), (1, 9, "total = 0 ✓"), (2, 18, "i: 0 → 2 ✓ (4×)"),
        (3, 14, "total = 3 ✓ (3×)"), (4, 12, "prints 3 ✓"), (9, 13, "x = 3 ✓, y = 9 ✓"), (10, 12, "→ 9 ✓"),
        (15, 16, "x = 4 ✓, → 8 ✓"), (19, 16, "x = 41 ✓, → 42 ✓"), (22, 14, "prints 42 ✓")]
    # sq's example becomes sq(4) (lsp_client.MISTAUGHT_DOC), a program the model was taught sq(3)'s trace for:
    # a known wrong prediction
    edit(client, uri, 2, 7, 14, 7, 15, "4")
    await predicted(client, uri)
    summary = await verify(client, uri)
    assert (summary["version"], summary["values"], summary["right"]) == (2, 16, 13)
    assert summary["scenarios"][1] == _scenario("sq", "sq(4)", 3, 0)
    marked = dict(((line, label) for line, _, label in await hints(client, uri)))
    assert (marked[9], marked[10]) == ("x = 3 ✗ real 4, y = 9 ✗ real 16", "→ 9 ✗ real 16")
    assert marked[3] == "total = 3 ✓ (3×)"
    assert (await hover(client, uri, 9)).splitlines() == [
        "**Line 10**, ran 1 time — *predicted, not executed* (example `sq(4)` from comment)",
        "*verified by running it in the sandbox: 0 of 3 values right (real run: ok)*",
        "",
        "| # | x | y |",
        "|---|---|---|",
        "| 1 | `3` ✗ real `4` | `9` ✗ real `16` |",
        "",
        "✓ / ✗: checked against a real run of the program in the sandbox (`codeexecutor.verify`), ✗ with the "
        "real value; a value a run did not change is checked at the run that set it"]
    # an edit that changes no program (a space on a blank line): same predictions, but the marks go at once
    edit(client, uri, 3, 5, 0, 5, 0, " ")
    assert await hints(client, uri) == DOC_HINTS
    assert "verified" not in await hover(client, uri, 9)


async def test_a_real_run_that_times_out_is_reported_and_requests_are_answered_meanwhile(client):
    uri = uri_of("forever.py")
    open_doc(client, uri, "n = sum(range(10**12))\n")  # one step, seconds of CPU: the sandbox's time limit
    await predicted(client, uri)
    running = asyncio.ensure_future(verify(client, uri))
    await asyncio.sleep(0.5)  # the sandbox is running the sum now (it stops it after 2 s)
    assert (await hover(client, uri_of("doc.py"), 3)).startswith("**Line 4**, ran 3 times")
    assert not running.done()  # answered while the sandbox runs, not after it
    summary = await running
    assert [(s["name"], s["real_status"]) for s in summary["scenarios"]] == [("<module>", "timeout")]
    assert summary["scenarios"][0]["real_message"] == (
        "the program ran past 2s of wall-clock time and was killed (Limits.wall_seconds)")


async def test_verify_answers_a_document_that_is_not_open_or_bad_arguments_with_a_clear_error(client):
    never = uri_of("never-opened.py")
    with pytest.raises(JsonRpcException) as failed:
        await verify(client, never)
    assert failed.value.code == types.LSPErrorCodes.RequestFailed.value
    assert failed.value.message == (f"CodeExecutor cannot verify {never}: it is not open: open it in the "
                                    f"editor, then verify it")
    with pytest.raises(JsonRpcInvalidParams, match=r"codeexecutor.verify takes \[document uri\]"):
        await verify(client)
    empty = uri_of("empty.py")
    open_doc(client, empty, "\n\n")
    with pytest.raises(JsonRpcException, match=r"nothing to verify: it has no module code to run and no function "
                                               r"with an example"):
        await verify(client, empty)
    await client.workspace_execute_command_async(types.ExecuteCommandParams(command="codeexecutor.toggle"))
    try:
        with pytest.raises(JsonRpcException, match=r"predictions are turned off \(setting codeexecutor.enable\)"):
            await verify(client, uri_of("doc.py"))
    finally:
        await client.workspace_execute_command_async(types.ExecuteCommandParams(command="codeexecutor.toggle"))


# --------------------------------------------------------------------------------------------------------
# Cancellation, bad input, a bad model


async def test_cancelling_the_long_request_and_staying_responsive(client):
    # Functions the model never saw: seconds of predictions however quickly the model gives up on each one.
    uri = uri_of("many.py")
    open_doc(client, uri, "".join(f"# example: f{k}({k})\ndef f{k}(a):\n    return a * {k}\n\n\n"
                                  for k in range(400)))
    future = client.protocol.send_request("codeexecutor/trace", {"uri": uri}, msg_id="long-one")
    await asyncio.sleep(0.3)
    client.protocol.notify("$/cancelRequest", types.CancelParams(id="long-one"))
    with pytest.raises(JsonRpcRequestCancelled):
        await asyncio.wrap_future(future)
    client.text_document_did_close(types.DidCloseTextDocumentParams(types.TextDocumentIdentifier(uri)))
    assert (await hover(client, uri_of("doc.py"), 3)).startswith("**Line 4**, ran 3 times")


async def test_random_bytes_a_huge_file_and_an_edit_storm_leave_the_server_responsive(memorised_model_dir):
    c = await start_server({"modelPath": str(memorised_model_dir), **SETTINGS})
    try:
        open_doc(c, uri_of("doc.py"), DOC)
        await predicted(c, uri_of("doc.py"))
        rss_before = _rss_mb(c)
        rng = random.Random(0)
        junk = bytes(rng.randrange(256) for _ in range(20_000)).decode("latin-1")
        open_doc(c, uri_of("junk.py"), junk)
        assert (await predicted(c, uri_of("junk.py"))).uri == uri_of("junk.py")
        big = "".join(f"def f{i}(a):\n    return a + {i}\n\n\n" for i in range(2500))  # 10,000 lines
        open_doc(c, uri_of("big.py"), big)
        for n in range(500):  # a storm of edits: one character at a time, in a few seconds
            edit(c, uri_of("big.py"), n + 2, 4 * (n % 2500) + 1, 4, 4 * (n % 2500) + 1, 4, "#")
            if n % 50 == 0:
                await asyncio.sleep(0.05)
        start = time.perf_counter()
        answer = await hover(c, uri_of("doc.py"), 3)
        assert time.perf_counter() - start < 5.0, "hover took too long after the storm"
        assert answer.startswith("**Line 4**, ran 3 times")
        result = await predicted(c, uri_of("big.py"))
        assert result.version == 501 and len(result.scenarios) == 0
        assert _rss_mb(c) - rss_before < 200, "server memory grew by more than 200 MB"
        assert await hints(c, uri_of("doc.py")) == DOC_HINTS
    finally:
        await stop_server(c)


def _rss_mb(client: LanguageClient) -> float:
    status = Path(f"/proc/{client._server.pid}/status").read_text()
    return int(next(line.split()[1] for line in status.splitlines() if line.startswith("VmRSS:"))) / 1024


async def test_a_bad_model_is_reported_once_and_the_server_keeps_serving(memorised_model_dir, tmp_path):
    old_version = tmp_path / "old"
    shutil.copytree(memorised_model_dir, old_version)
    manifest = json.loads((old_version / "manifest.json").read_text())
    (old_version / "manifest.json").write_text(json.dumps({**manifest, "trace_format_version": 999}))
    c = await start_server({"modelPath": str(old_version), **SETTINGS})
    try:
        open_doc(c, uri_of("doc.py"), DOC)
        result = await predicted(c, uri_of("doc.py"))
        assert "trace format version 999" in result.error
        assert [m.type for m in c.messages] == [types.MessageType.Error]
        assert c.messages[0].message.startswith("CodeExecutor cannot load its model: ")
        assert c.statuses[-1].state == "error"
        assert await hints(c, uri_of("doc.py")) == [] and await hover(c, uri_of("doc.py"), 3) is None
        with pytest.raises(JsonRpcException, match=r"there is no prediction to verify: CodeExecutor cannot load "
                                                   r"its model: .*trace format version 999"):
            await verify(c, uri_of("doc.py"))
        corrupt = tmp_path / "corrupt"
        shutil.copytree(memorised_model_dir, corrupt)
        (corrupt / "model.onnx").write_bytes(b"not a model")
        c.set_configuration({**SETTINGS, "modelPath": str(corrupt)}, section="codeexecutor")
        c.workspace_did_change_configuration(types.DidChangeConfigurationParams(settings=None))
        while len(c.messages) < 2:  # a second load, a second (and only a second) message
            await asyncio.sleep(0.05)
        assert "model.onnx does not match its sha256" in c.messages[1].message
        await reconfigure(c, modelPath=str(memorised_model_dir))  # fixing the setting reloads the model
        await predicted(c, uri_of("doc.py"))
        assert await hints(c, uri_of("doc.py")) == DOC_HINTS
        assert len(c.messages) == 2 and c.statuses[-1].state == "ready"
    finally:
        await stop_server(c)
