"""What the server tells the client besides answers: status, progress, hint refreshes and messages.

Each is sent only if the client said it supports it (``window.workDoneProgress``,
``workspace.inlayHint.refreshSupport``); the custom ``codeexecutor/status`` notification is always sent
(clients ignore notifications they do not know). Everything here runs on the event loop.
"""

from __future__ import annotations

import asyncio
import itertools
import logging

from lsprotocol import types
from pygls.lsp.server import LanguageServer

STATUS = "codeexecutor/status"
STATES = ("starting", "predicting", "ready", "error")
REFRESH_DELAY_S = 0.05  # results landing together cause one refresh

log = logging.getLogger("codeexecutor.server")


class Feedback:
    def __init__(self, ls: LanguageServer) -> None:
        self.ls = ls
        self._tokens = itertools.count(1)
        self._progress: str | None = None  # the token of the progress being shown
        self._begun = False
        self._refresh: asyncio.TimerHandle | None = None
        self.state = "starting"
        self.message = ""

    def status(self, state: str, pending: int = 0, message: str = "") -> None:
        """Send ``codeexecutor/status`` (the extension's status item)."""
        assert state in STATES, state
        self.state, self.message = state, message
        self.ls.protocol.notify(STATUS, {"state": state, "pending": pending, "message": message})

    def error(self, message: str) -> None:
        """One user-facing error: a message box and a log line."""
        log.error(message)
        self.ls.window_log_message(types.LogMessageParams(type=types.MessageType.Error, message=message))
        self.ls.window_show_message(types.ShowMessageParams(type=types.MessageType.Error, message=message))

    def warning(self, message: str) -> None:
        log.warning(message)
        self.ls.window_show_message(types.ShowMessageParams(type=types.MessageType.Warning, message=message))

    def refresh_hints(self) -> None:
        """Ask the client to request inlay hints again (coalesced)."""
        if not self._supports_refresh() or self._refresh is not None:
            return

        def send() -> None:
            self._refresh = None
            self.ls.workspace_inlay_hint_refresh(None)

        self._refresh = asyncio.get_running_loop().call_later(REFRESH_DELAY_S, send)

    def progress(self, pending: int) -> None:
        """Show work-done progress while scenarios are waiting for the model."""
        caps = self.ls.client_capabilities.window
        if caps is None or not caps.work_done_progress:
            return
        if pending and self._progress is None:
            token = self._progress = f"codeexecutor-predict-{next(self._tokens)}"
            self.ls.work_done_progress.create(token, lambda *_: self._begin(token, pending))
        elif pending and self._begun:
            self.ls.work_done_progress.report(self._progress, types.WorkDoneProgressReport(
                message=_predicting(pending)))
        elif not pending and self._progress is not None:
            if self._begun:
                self.ls.work_done_progress.end(self._progress, types.WorkDoneProgressEnd())
            self._progress, self._begun = None, False

    def _begin(self, token: str, pending: int) -> None:
        if self._progress != token:
            return  # finished before the client answered: nothing to show
        self._begun = True
        self.ls.work_done_progress.begin(token, types.WorkDoneProgressBegin(
            title="CodeExecutor", message=_predicting(pending), cancellable=False))

    def _supports_refresh(self) -> bool:
        workspace = self.ls.client_capabilities.workspace
        return bool(workspace and workspace.inlay_hint and workspace.inlay_hint.refresh_support)


def _predicting(pending: int) -> str:
    return f"predicting {pending} scenario{'s' if pending != 1 else ''}"
