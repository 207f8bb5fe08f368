"""The pygls handlers: each turns an LSP message into a Session call and its result into lsprotocol types.

Requests answer at once from what is already predicted; prediction itself happens in the background
(server/scheduler.py). ``codeexecutor/trace`` is the one long request: it waits for a document's predictions
(the extension and the tests use it) and honours ``$/cancelRequest``. The ``codeexecutor.verify`` command is
the one thing that runs the user's code: in the sandbox, on request (server/verification.py).
"""

from __future__ import annotations

import logging
from typing import Any

from lsprotocol import types
from pygls.exceptions import FeatureRequestError, JsonRpcInvalidParams
from pygls.lsp.server import LanguageServer

from codeexecutor.server.hints import tooltip
from codeexecutor.server.positions import line_end
from codeexecutor.server.protocol import AnsweringProtocol, RequestFailed
from codeexecutor.server.session import Session
from codeexecutor.server.verification import VerifyError

log = logging.getLogger("codeexecutor.server")

NAME = "codeexecutor"
VERSION = "0.1.0"
TRACE_REQUEST = "codeexecutor/trace"
SET_EXAMPLE, CLEAR_CACHE, TOGGLE = "codeexecutor.setExample", "codeexecutor.clearCache", "codeexecutor.toggle"
VERIFY = "codeexecutor.verify"


class CodeExecutorServer(LanguageServer):
    def __init__(self) -> None:
        super().__init__(NAME, VERSION, text_document_sync_kind=types.TextDocumentSyncKind.Incremental,
                         protocol_cls=AnsweringProtocol)
        self.session = Session(self)

    def report_server_error(self, error: Exception, source: type) -> None:
        # pygls shows a message box for every notification it could not handle; a client that sends a change
        # for a document it never opened would then pop one up per keystroke. It goes to the log instead.
        if source is FeatureRequestError:
            return  # the request's answer is this error already
        message = f"CodeExecutor ignored a message it could not handle: {type(error).__name__}: {error}"
        log.warning(message)
        self.window_log_message(types.LogMessageParams(type=types.MessageType.Warning, message=message))

    @property
    def encoding(self) -> str:
        encoding = self.workspace.position_encoding or types.PositionEncodingKind.Utf16
        return encoding.value if isinstance(encoding, types.PositionEncodingKind) else str(encoding)


def build_server() -> CodeExecutorServer:
    """A server with every handler registered."""
    server = CodeExecutorServer()
    for register in (_lifecycle, _documents, _features, _commands):
        register(server)
    return server


def _lifecycle(server: CodeExecutorServer) -> None:
    @server.feature(types.INITIALIZE)
    def initialize(ls: CodeExecutorServer, params: types.InitializeParams) -> None:
        ls.session.initialize(params.initialization_options)

    @server.feature(types.INITIALIZED)
    async def initialized(ls: CodeExecutorServer, params: types.InitializedParams) -> None:
        await ls.session.start()

    @server.feature(types.WORKSPACE_DID_CHANGE_CONFIGURATION)
    async def did_change_configuration(ls: CodeExecutorServer,
                                       params: types.DidChangeConfigurationParams) -> None:
        # Push-style clients send the section; VS Code sends null and expects us to pull it.
        settings = params.settings
        pushed = settings.get("codeexecutor") if isinstance(settings, dict) else None
        await ls.session.configure(pushed)

    @server.feature(types.SHUTDOWN)
    def shutdown(ls: CodeExecutorServer, params: None) -> None:
        ls.session.scheduler.shutdown()


def _documents(server: CodeExecutorServer) -> None:
    @server.feature(types.TEXT_DOCUMENT_DID_OPEN)
    def did_open(ls: CodeExecutorServer, params: types.DidOpenTextDocumentParams) -> None:
        ls.session.opened(params.text_document.uri)

    @server.feature(types.TEXT_DOCUMENT_DID_CHANGE)
    def did_change(ls: CodeExecutorServer, params: types.DidChangeTextDocumentParams) -> None:
        ls.session.changed(params.text_document.uri)

    @server.feature(types.TEXT_DOCUMENT_DID_CLOSE)
    def did_close(ls: CodeExecutorServer, params: types.DidCloseTextDocumentParams) -> None:
        ls.session.closed(params.text_document.uri)


def _features(server: CodeExecutorServer) -> None:
    @server.feature(types.TEXT_DOCUMENT_INLAY_HINT, types.InlayHintOptions(resolve_provider=True))
    def inlay_hint(ls: CodeExecutorServer, params: types.InlayHintParams) -> list[types.InlayHint]:
        uri, lines = params.text_document.uri, ls.session.lines(params.text_document.uri)
        start, end = params.range.start, params.range.end
        out = []
        for hint in ls.session.hints(uri, start.line, min(end.line, len(lines) - 1)):
            position = types.Position(hint.line, line_end(lines[hint.line], ls.encoding))
            # A hint sits at its line's end: only inside the range if that end is (a range may end mid-line).
            if (position.line, position.character) <= (end.line, end.character):
                out.append(types.InlayHint(position=position, label=hint.label, padding_left=True,
                                           data={"uri": uri, "line": hint.line}))
        return out

    @server.feature(types.INLAY_HINT_RESOLVE)
    def inlay_hint_resolve(ls: CodeExecutorServer, hint: types.InlayHint) -> types.InlayHint:
        data = hint.data if isinstance(hint.data, dict) else {}
        uri, line = data.get("uri"), data.get("line")
        if not isinstance(uri, str) or not isinstance(line, int) or isinstance(line, bool):
            return hint  # not one of ours (or its data was lost): nothing to add
        found = ls.session.hint_tooltip(uri, line)
        if found is not None:
            hint.tooltip = types.MarkupContent(kind=types.MarkupKind.Markdown, value=tooltip(*found))
        return hint

    @server.feature(types.TEXT_DOCUMENT_HOVER)
    def hover(ls: CodeExecutorServer, params: types.HoverParams) -> types.Hover | None:
        uri, line = params.text_document.uri, params.position.line
        lines = ls.session.lines(uri)
        markdown = ls.session.hover(uri, line) if line < len(lines) else None
        if markdown is None:
            return None
        end = types.Position(line, line_end(lines[line], ls.encoding))
        return types.Hover(contents=types.MarkupContent(kind=types.MarkupKind.Markdown, value=markdown),
                           range=types.Range(types.Position(line, 0), end))

    @server.feature(TRACE_REQUEST)
    async def trace(ls: CodeExecutorServer, params: Any) -> dict[str, Any]:
        uri = _field(params, "uri")
        if not isinstance(uri, str):
            raise JsonRpcInvalidParams(f"{TRACE_REQUEST} takes {{\"uri\": \"file:///...\"}}; its uri is {uri!r}")
        return await ls.session.predictions(uri)


def _commands(server: CodeExecutorServer) -> None:
    @server.command(SET_EXAMPLE)
    def set_example(ls: CodeExecutorServer, *args: Any) -> dict[str, Any]:
        if len(args) != 3 or not all(isinstance(a, str) for a in args):
            raise ValueError(f"{SET_EXAMPLE} takes [document uri, function name, call text], "
                             f"e.g. [\"file:///a.py\", \"f\", \"f(3)\"]; got {list(args)!r}")
        ls.session.set_example(*args)
        return {"function": args[1], "call": args[2]}

    @server.command(CLEAR_CACHE)
    def clear_cache(ls: CodeExecutorServer, *args: Any) -> None:
        ls.session.clear_cache()

    @server.command(TOGGLE)
    def toggle(ls: CodeExecutorServer, *args: Any) -> dict[str, bool]:
        return {"enabled": ls.session.toggle()}

    @server.command(VERIFY)
    async def verify(ls: CodeExecutorServer, *args: Any) -> dict[str, Any]:
        if len(args) != 1 or not isinstance(args[0], str):
            raise JsonRpcInvalidParams(f"{VERIFY} takes [document uri], e.g. [\"file:///a.py\"]; got {list(args)!r}")
        try:
            return await ls.session.verify(args[0])
        except VerifyError as e:
            raise RequestFailed(f"CodeExecutor cannot verify {args[0]}: {e}") from e


def _field(params: Any, name: str) -> Any:
    """A field of a custom request's params (pygls hands them over as a dict or an attribute object)."""
    if isinstance(params, dict):
        return params.get(name)
    return getattr(params, name, None)
