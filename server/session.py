"""The server's state and what the handlers ask of it: settings, documents, the model and the scheduler.

A request is answered from the document's record for its current version (server/documents.py) and what the
scheduler has predicted for its scenarios, looked up here and handed as plain data to the pure presentation
functions (server/present.py). What the scheduler reports (a new prediction, the pending count) is read in one
loop, ``_follow_scheduler``, and turned into hint refreshes, status and progress (server/feedback.py).
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import replace
from functools import partial
from typing import Any

from lsprotocol import types
from pygls.lsp.server import LanguageServer

from codeexecutor.server.config import SECTION, Settings, parse_settings
from codeexecutor.server.documents import Documents, Version
from codeexecutor.server.feedback import Feedback
from codeexecutor.server.hints import Hint
from codeexecutor.server.predictor import LoadedModel, ModelLoadError, load_model
from codeexecutor.server.present import Shown, hint_at, hints_in_lines, hover_at
from codeexecutor.server.scenarios import Scenario
from codeexecutor.server.scheduler import Predicted, Scheduler, Update
from codeexecutor.server.verification import VerifyError, check, real_runs, summary

log = logging.getLogger("codeexecutor.server")
NOT_PREDICTED = "the model is still predicting it; verify again once the status says ready"
NO_SCENARIO = ("it has no module code to run and no function with an example (a `# example: f(3)` comment, "
               "a doctest, a call)")


class Session:
    """One client's session."""

    def __init__(self, ls: LanguageServer) -> None:
        self.ls = ls
        self.settings = Settings()
        self.documents = Documents(lambda: ls.workspace.text_documents)
        self.feedback = Feedback(ls)
        self.scheduler = Scheduler(self.documents.analysis)
        self.model: LoadedModel | None = None
        self.model_error = ""
        self.model_loaded = asyncio.Event()  # set once a load attempt finished (either way)
        self._follower: asyncio.Task | None = None

    # -- settings and model --------------------------------------------------------------------------------

    def initialize(self, options: Any) -> None:
        """Read ``initializationOptions`` (the same keys as the ``codeexecutor`` settings section), and start
        following the scheduler (no document can be opened before this)."""
        self._apply(options)
        if self._follower is None:
            self._follower = asyncio.get_running_loop().create_task(self._follow_scheduler())

    async def start(self) -> None:
        """After ``initialized``: read the workspace settings, then load the model."""
        await self.configure(None)
        if self.model is None and not self.model_loaded.is_set():
            await self.load_model()

    async def configure(self, pushed: Any) -> None:
        """Take settings pushed by the client, or pull them with ``workspace/configuration``."""
        raw = pushed
        workspace = self.ls.client_capabilities.workspace
        if raw is None and workspace is not None and workspace.configuration:
            answer = await self.ls.workspace_configuration_async(
                types.ConfigurationParams(items=[types.ConfigurationItem(section=SECTION)]))
            raw = answer[0] if answer else None
        before = self.settings
        self._apply(raw)
        after = self.settings
        if after.prediction.model_path != before.prediction.model_path and self.model_loaded.is_set():
            await self.load_model()  # (a load in progress picks the new path up itself)
        elif self.model is not None and (after.prediction.max_steps, after.prediction.constrained_decoding) != (
                before.prediction.max_steps, before.prediction.constrained_decoding):
            self.scheduler.set_predictor(self.model.predictor(after.prediction.max_steps,
                                                              after.prediction.constrained_decoding))
        if after.hints != before.hints:
            self.feedback.refresh_hints()
        if after.hints.enable != before.hints.enable:
            self._enabled_changed()

    def _apply(self, raw: Any) -> None:
        self.settings, problems = parse_settings(raw, self.settings)
        for problem in problems:
            self.feedback.warning(problem)
        level = getattr(logging, self.settings.log_level.upper())
        logging.getLogger("codeexecutor.server").setLevel(level)

    async def load_model(self) -> None:
        """Load the configured model on the model thread; a failure is reported once and serving goes on."""
        self.model_loaded.clear()
        self.feedback.status("starting", 0, "loading the model")
        self.scheduler.set_predictor(None)
        while True:
            wanted = self.settings.prediction
            try:
                self.model = await self.scheduler.run_on_worker(partial(load_model, wanted))
                self.model_error = ""
            except ModelLoadError as e:
                self.model = None
                self.model_error = (f"CodeExecutor cannot load its model: {e} (setting "
                                    f"codeexecutor.modelPath = {wanted.model_path!r})")
            if self.settings.prediction.model_path == wanted.model_path:
                break  # else the setting changed while loading: load what it says now
        self.model_loaded.set()
        if self.model is None:
            self.feedback.error(self.model_error)
            self.feedback.status("error", 0, self.model_error)
            return
        log.info("model loaded from %s", self.model.path)
        self.feedback.status("ready", 0, f"model {self.model.path}")
        self.scheduler.set_predictor(self.model.predictor(self.settings.prediction.max_steps,
                                                          self.settings.prediction.constrained_decoding))
        self._schedule_all(0)

    # -- documents ---------------------------------------------------------------------------------------

    def lines(self, uri: str) -> list[str]:
        record = self.documents.current(uri)
        return record.lines if record is not None else []

    def opened(self, uri: str) -> None:
        # Nobody is typing yet: no debounce, the first values should come as soon as the model allows.
        if self.settings.hints.enable:
            self.scheduler.schedule(uri, 0)

    def changed(self, uri: str) -> None:
        if self.settings.hints.enable:
            self.scheduler.schedule(uri, self.settings.prediction.debounce_ms / 1000)

    def closed(self, uri: str) -> None:
        self.scheduler.forget(uri)
        self.documents.close(uri)

    def hints(self, uri: str, first: int, last: int) -> list[Hint]:
        record = self.documents.current(uri)
        if record is None or not self.settings.hints.enable:
            return []
        return hints_in_lines(record.analysis, self._shown(uri, record), first, last, self.settings.hints)

    def hint_tooltip(self, uri: str, line: int) -> tuple[Hint, str] | None:
        record = self.documents.current(uri)
        if record is None or not self.settings.hints.enable:
            return None
        return hint_at(record.analysis, self._shown(uri, record), line, self.settings.hints)

    def hover(self, uri: str, line: int) -> str | None:
        record = self.documents.current(uri)
        if record is None or not self.settings.hints.enable:
            return None
        text = record.lines[line].strip() if 0 <= line < len(record.lines) else ""
        return hover_at(record.analysis, self._shown(uri, record), line, self.settings.hints,
                        code_line=bool(text) and not text.startswith("#"))

    def _shown(self, uri: str, record: Version) -> dict[Scenario, Shown]:
        """What each scenario of this version has to show: the scheduler's prediction for it, and verify's
        check of that prediction."""
        shown = {}
        for scenario in record.analysis.scenarios:
            prediction, current = self.scheduler.result(uri, scenario)
            if prediction is not None:
                shown[scenario] = Shown(prediction, current, record.check_of(scenario, prediction))
        return shown

    # -- commands ----------------------------------------------------------------------------------------

    def set_example(self, uri: str, function: str, call: str) -> None:
        self.documents.set_example(uri, function, call)
        self.changed(uri)

    def toggle(self) -> bool:
        hints = self.settings.hints
        self.settings = replace(self.settings, hints=replace(hints, enable=not hints.enable))
        self.feedback.refresh_hints()
        self._enabled_changed()
        return self.settings.hints.enable

    def clear_cache(self) -> None:
        self.scheduler.clear()
        self.feedback.refresh_hints()

    async def verify(self, uri: str) -> dict[str, Any]:
        """Run the document's predicted scenarios in the sandbox and check each shown value against the real
        run (``codeexecutor.verify``: the only thing that runs the user's code); VerifyError says why not."""
        record = self.documents.current(uri)
        if record is None:
            raise VerifyError("it is not open: open it in the editor, then verify it")
        if not self.model_loaded.is_set():
            raise VerifyError("the model is still loading: verify again once the status says ready")
        if self.model is None:
            raise VerifyError(f"there is no prediction to verify: {self.model_error}")
        if not self.settings.hints.enable:
            raise VerifyError("predictions are turned off (setting codeexecutor.enable): turn them on "
                              "(CodeExecutor: Toggle Predicted Values), then verify")
        analysis = record.analysis
        if not analysis.scenarios:
            raise VerifyError(f"nothing to verify: {analysis.problem or NO_SCENARIO}")
        shown = self._shown(uri, record)
        predicted, skipped = [], []
        for scenario in analysis.scenarios:
            if (found := shown.get(scenario)) is not None and found.current:
                predicted.append((scenario, found.prediction))
            else:
                skipped.append((scenario, NOT_PREDICTED))
        if not predicted:
            raise VerifyError(f"there is no prediction to verify yet: {NOT_PREDICTED}")
        real = await asyncio.to_thread(real_runs, [scenario for scenario, _ in predicted])  # blocking: off the loop
        now = self.documents.current(uri)
        if now is None or now.version != record.version:
            raise VerifyError("the document changed while it was being verified: verify it again")
        checks = check(predicted, real)
        record.verified(checks)
        self.feedback.refresh_hints()
        return summary(uri, record.version, checks, skipped)

    async def predictions(self, uri: str) -> dict[str, Any]:
        """Wait for the document's predictions and return them (the long ``codeexecutor/trace`` request)."""
        if self.documents.current(uri) is None:  # answered at once, whether or not the model is loaded yet
            return {"uri": uri, "error": f"{uri} is not open: open it first (textDocument/didOpen)"}
        await self.model_loaded.wait()
        await self.scheduler.settled(uri)
        record = self.documents.current(uri)
        if record is None:
            return {"uri": uri, "error": f"{uri} was closed while its predictions were waited for"}
        analysis, shown = record.analysis, self._shown(uri, record)
        out = []
        for s in analysis.scenarios:
            found = shown.get(s)
            prediction = found.prediction if found is not None else None
            out.append({"name": s.name, "source": s.source, "call": s.call, "digest": s.digest,
                        "program": s.program, "current": found is not None and found.current,
                        "trace": prediction.trace.to_json() if prediction is not None else None,
                        "tokens": getattr(prediction, "tokens", None),
                        "seconds": getattr(prediction, "seconds", None)})
        return {"uri": uri, "version": record.version, "scenarios": out,
                "error": self.model_error, "broken": [list(b) for b in analysis.broken],
                "problem": analysis.problem}

    # -- the scheduler -----------------------------------------------------------------------------------

    def _schedule_all(self, delay_s: float) -> None:
        if not self.settings.hints.enable:
            return
        for uri in self.documents.uris():
            self.scheduler.schedule(uri, delay_s)

    def _enabled_changed(self) -> None:
        if self.settings.hints.enable:
            self._schedule_all(0)
        else:  # disabled: stop predicting (what is cached stays for when it is enabled again)
            for uri in self.documents.uris():
                self.scheduler.forget(uri)

    async def _follow_scheduler(self) -> None:
        """Tell the client what the scheduler reports, until it shuts down: a new prediction asks for the
        hints again; a new pending count updates the status and the progress."""
        async for update in self.scheduler.updates():
            try:
                self._tell(update)
            except Exception:
                # One message the client could not be sent must not end the loop: later results still count.
                log.exception("CodeExecutor could not tell the client about %s", update)

    def _tell(self, update: Update) -> None:
        if isinstance(update, Predicted):
            self.feedback.refresh_hints()
            return
        pending = update.count
        if self.model is not None:
            state = "predicting" if pending else "ready"
            self.feedback.status(state, pending, f"predicting {pending} scenarios" if pending else "")
        self.feedback.progress(pending)
