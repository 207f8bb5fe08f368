"""Background prediction: debounced per document, one model call at a time, cached by program.

Written once here so no handler deals with timing: a document change (re)starts that document's debounce
timer; when it fires, the document's current scenarios (read from the document store, server/documents.py)
are compared with the cache and the missing ones are queued (the most recently changed document first). A
single worker thread runs the model, never a request thread. A running prediction whose program no open
document wants any more is cancelled through the engine's ``cancel`` callback, and its partial result is
dropped. Results are keyed by the program's hash, so a result can never be shown for a program other than the
one predicted, whatever version it was queued for. Everything but the model call runs on the event loop, so
no state here needs a lock.

Nothing here calls up into the session: what happens is put, in order, on one queue that the session reads
with ``async for update in scheduler.updates()``: ``Predicted(uri)`` when a document got a new prediction (its
hints are worth asking for again), ``Pending(count)`` when the number of scenarios waiting for or running on
the model changed. Predictions themselves are asked for with ``result`` whenever they are to be shown.
"""

from __future__ import annotations

import asyncio
import logging
import threading
from collections import OrderedDict
from collections.abc import AsyncIterator, Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Protocol

from codeexecutor.model.trace import Trace
from codeexecutor.server.scenarios import Analysis, Scenario

log = logging.getLogger(__name__)


class Prediction(Protocol):
    """What the scheduler needs of codeexecutor.model.engine.Prediction."""

    trace: Trace
    confidence: list[dict[str, float]]


# (program, stdin, cancelled) -> prediction; runs on the worker thread
Predict = Callable[[str, str, Callable[[], bool]], Prediction]


@dataclass(frozen=True)
class Predicted:
    """``uri``'s document got a new prediction."""

    uri: str


@dataclass(frozen=True)
class Pending:
    """How many scenarios are waiting for or running on the model, now that the number changed."""

    count: int


Update = Predicted | Pending


@dataclass
class _Job:
    scenario: Scenario
    cancel: threading.Event


class Scheduler:
    """Predicts the scenarios of open documents in the background and keeps the results."""

    def __init__(self, current: Callable[[str], Analysis | None], cache_size: int = 256):
        self._current = current  # uri -> the analysis of its current text (None once closed)
        self._updates: asyncio.Queue[Update | None] = asyncio.Queue()  # None: shut down
        self._cache: OrderedDict[str, Prediction] = OrderedDict()
        self._cache_size = cache_size
        self._failed: set[str] = set()  # digests the engine raised on: not retried until the cache is cleared
        # (uri, scenario name) -> (program lines, its latest result): shown while the scenario is re-predicted
        self._latest: dict[tuple[str, str], tuple[int, Prediction]] = {}
        self._wanted: dict[str, list[Scenario]] = {}  # uri -> scenarios still to predict, in order
        self._timers: dict[str, asyncio.TimerHandle] = {}
        self._running: _Job | None = None
        self._predict: Predict | None = None
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="codeexecutor-model")
        self._wake = asyncio.Event()
        self._changed = asyncio.Condition()
        self._pump_task: asyncio.Task | None = None
        self._reported_pending = -1

    # -- what the handlers call ------------------------------------------------------------------------

    def set_predictor(self, predict: Predict | None) -> None:
        """Use another model (or none): its predictions replace everything cached."""
        self._predict = predict
        self.clear()

    def clear(self) -> None:
        """Forget every prediction and predict the open documents again."""
        self._cache.clear()
        self._failed.clear()
        self._latest.clear()
        if self._running is not None:
            self._running.cancel.set()
        for uri in list(self._wanted):
            self.schedule(uri, 0)

    def schedule(self, uri: str, delay_s: float) -> None:
        """(Re)start ``uri``'s debounce timer: its scenarios are queued once it has been quiet ``delay_s``."""
        if (timer := self._timers.pop(uri, None)) is not None:
            timer.cancel()
        self._wanted.setdefault(uri, [])
        self._timers[uri] = asyncio.get_running_loop().call_later(delay_s, self._queue, uri)

    def flush(self, uri: str) -> None:
        """Queue ``uri``'s scenarios now, without waiting for its debounce timer."""
        if (timer := self._timers.pop(uri, None)) is not None:
            timer.cancel()
        self._queue(uri)

    def forget(self, uri: str) -> None:
        """The document closed: stop predicting for it."""
        if (timer := self._timers.pop(uri, None)) is not None:
            timer.cancel()
        self._wanted.pop(uri, None)
        for key in [k for k in self._latest if k[0] == uri]:
            del self._latest[key]
        self._cancel_unwanted()
        self._report_pending()

    def result(self, uri: str, scenario: Scenario) -> tuple[Prediction | None, bool]:
        """The prediction to show for ``scenario`` and whether it is current (False: an older program's)."""
        if (hit := self._cache.get(scenario.digest)) is not None:
            self._cache.move_to_end(scenario.digest)
            self._latest[(uri, scenario.name)] = (len(scenario.line_map), hit)
            return hit, True
        # While a scenario is being predicted again, its previous result keeps its hints on screen if the
        # program still has as many lines (the common case of typing inside a line) instead of flickering.
        old = self._latest.get((uri, scenario.name))
        if old is not None and old[0] == len(scenario.line_map):
            return old[1], False
        return None, False

    async def updates(self) -> AsyncIterator[Update]:
        """What happened, in order, until ``shutdown`` (for one reader: each update is read once)."""
        while (update := await self._updates.get()) is not None:
            yield update

    def pending(self) -> int:
        digests = {s.digest for queue in self._wanted.values() for s in queue}
        if self._running is not None:
            digests.add(self._running.scenario.digest)
        return len(digests)

    async def settled(self, uri: str) -> None:
        """Wait until ``uri``'s current scenarios are all predicted (or there is no model to predict them)."""
        self.flush(uri)
        async with self._changed:
            await self._changed.wait_for(lambda: self._predict is None or not self._missing(uri))

    def shutdown(self) -> None:
        for timer in self._timers.values():
            timer.cancel()
        if self._running is not None:
            self._running.cancel.set()
        if self._pump_task is not None:
            self._pump_task.cancel()
        self._executor.shutdown(wait=False, cancel_futures=True)
        self._updates.put_nowait(None)

    async def run_on_worker(self, fn: Callable[[], object]) -> object:
        """Run ``fn`` on the model's thread (loading a model must not race a prediction)."""
        return await asyncio.get_running_loop().run_in_executor(self._executor, fn)

    # -- the queue ---------------------------------------------------------------------------------------

    def _missing(self, uri: str) -> list[Scenario]:
        analysis = self._current(uri)
        if analysis is None:
            return []
        return [s for s in analysis.scenarios if s.digest not in self._cache and s.digest not in self._failed]

    def _queue(self, uri: str) -> None:
        self._timers.pop(uri, None)
        if self._current(uri) is None:
            self.forget(uri)
            return
        self._wanted[uri] = self._missing(uri)
        # The most recently changed document goes first.
        self._wanted = {uri: self._wanted.pop(uri), **self._wanted}
        self._cancel_unwanted()
        self._report_pending()
        self._wake.set()
        if self._pump_task is None or self._pump_task.done():
            self._pump_task = asyncio.get_running_loop().create_task(self._pump())
        self._notify_changed()

    def _cancel_unwanted(self) -> None:
        job = self._running
        if job is not None and not any(s.digest == job.scenario.digest
                                       for queue in self._wanted.values() for s in queue):
            job.cancel.set()

    def _next(self) -> _Job | None:
        for queue in self._wanted.values():
            while queue:
                scenario = queue[0]
                if scenario.digest not in self._cache and scenario.digest not in self._failed:
                    return _Job(scenario, threading.Event())
                queue.pop(0)
        return None

    async def _pump(self) -> None:
        loop = asyncio.get_running_loop()
        while True:
            job = self._next() if self._predict is not None else None
            if job is None:
                self._wake.clear()
                self._report_pending()
                await self._wake.wait()
                continue
            self._running = job
            self._report_pending()
            predict = self._predict
            try:
                prediction = await loop.run_in_executor(
                    self._executor, predict, job.scenario.program, job.scenario.stdin, job.cancel.is_set)
            except Exception:
                # A bug in the engine must not stop the queue: log it and leave this scenario without hints.
                log.exception("prediction failed for scenario %s", job.scenario.name)
                self._failed.add(job.scenario.digest)
                prediction = None
            finally:
                self._running = None
            if job.cancel.is_set() or predict is not self._predict:
                # Dropped, partial. If a document wants this program again (an edit was undone), it is still
                # in that document's queue and runs again.
                self._report_pending()
                self._notify_changed()
                continue
            self._finish(job, prediction)

    def _finish(self, job: _Job, prediction: Prediction | None) -> None:
        """A finished prediction (None: the engine failed): keep it and tell the documents waiting for it."""
        digest = job.scenario.digest
        waiting = [uri for uri, queue in self._wanted.items() if any(s.digest == digest for s in queue)]
        for uri in waiting:
            self._wanted[uri] = [s for s in self._wanted[uri] if s.digest != digest]
        if prediction is not None:
            self._cache[digest] = prediction
            while len(self._cache) > self._cache_size:
                self._cache.popitem(last=False)
            for uri in waiting:
                self._latest[(uri, job.scenario.name)] = (len(job.scenario.line_map), prediction)
                self._updates.put_nowait(Predicted(uri))
        self._report_pending()
        self._notify_changed()

    def _report_pending(self) -> None:
        pending = self.pending() if self._predict is not None else 0
        if pending != self._reported_pending:
            self._reported_pending = pending
            self._updates.put_nowait(Pending(pending))

    def _notify_changed(self) -> None:
        async def notify() -> None:
            async with self._changed:
                self._changed.notify_all()
        asyncio.get_running_loop().create_task(notify())
