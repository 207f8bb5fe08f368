"""The background scheduler with an injected predict function: debounce, cache, cancellation, failures."""

from __future__ import annotations

import asyncio
import threading
from dataclasses import dataclass, field

from codeexecutor.model.trace import Trace
from codeexecutor.server.scenarios import analyse
from codeexecutor.server.scheduler import Predicted, Scheduler

URI = "file:///t.py"
TWO = "# example: f(1)\ndef f(a):\n    return a\n\n# example: g(2)\ndef g(b):\n    return b\n"


@dataclass
class Prediction:
    trace: Trace
    confidence: list = field(default_factory=list)


class Model:
    """Counts calls; 'slow' in a program: runs until cancelled (the first time only); 'boom': raises."""

    def __init__(self) -> None:
        self.calls: list[str] = []
        self.cancelled: list[str] = []
        self.started = threading.Event()

    def __call__(self, program: str, stdin: str, cancelled) -> Prediction:
        self.calls.append(program)
        self.started.set()
        if "boom" in program:
            raise RuntimeError("engine bug")
        while "slow" in program and not cancelled() and not self.cancelled:
            threading.Event().wait(0.005)
        if cancelled():
            self.cancelled.append(program)
        return Prediction(Trace(message=program))


def make(texts: dict[str, str], model: Model):
    results, pending = [], []
    scheduler = Scheduler(lambda uri: analyse(texts[uri]) if uri in texts else None)
    scheduler.set_predictor(model)
    asyncio.get_running_loop().create_task(collect(scheduler, results, pending))
    return scheduler, results, pending


async def collect(scheduler: Scheduler, results: list[str], pending: list[int]) -> None:
    """The scheduler's updates as the session reads them: the URIs that got a result, the pending counts."""
    async for update in scheduler.updates():
        if isinstance(update, Predicted):
            results.append(update.uri)
        else:
            pending.append(update.count)


async def test_debounce_runs_each_scenario_once_and_caches_by_program():
    texts, model = {URI: TWO}, Model()
    scheduler, results, pending = make(texts, model)
    for _ in range(5):  # a burst of changes: the timer restarts each time
        scheduler.schedule(URI, 0.02)
    await asyncio.sleep(0.05)
    await scheduler.settled(URI)
    assert sorted(p.split("\n")[1] for p in model.calls) == ["def f(a):", "def g(b):"]
    assert results == [URI, URI] and pending[-1] == 0 and max(pending) == 2
    # Moving g down and editing f: only f's program changed.
    texts[URI] = TWO.replace("return a", "return a + 1").replace("# example: g", "\n\n# example: g")
    scheduler.schedule(URI, 0)
    await scheduler.settled(URI)
    assert len(model.calls) == 3 and "return a + 1" in model.calls[-1]
    g = analyse(texts[URI]).scenarios[1]
    prediction, current = scheduler.result(URI, g)
    assert current and prediction.trace.message == g.program
    scheduler.shutdown()


async def test_a_prediction_nobody_wants_any_more_is_cancelled_and_dropped():
    texts, model = {URI: "# example: f(1)\ndef f(a):\n    slow = a\n    return slow\n"}, Model()
    scheduler, results, _ = make(texts, model)
    scheduler.flush(URI)
    await asyncio.get_running_loop().run_in_executor(None, model.started.wait, 5)
    texts[URI] = "# example: f(1)\ndef f(a):\n    return a\n"
    scheduler.flush(URI)
    await scheduler.settled(URI)
    assert len(model.cancelled) == 1 and "slow" in model.cancelled[0]
    old = analyse("# example: f(1)\ndef f(a):\n    slow = a\n    return slow\n").scenarios[0]
    assert scheduler.result(URI, old) == (None, False)  # the cancelled, partial result was not kept
    assert results == [URI]
    scheduler.shutdown()


async def test_an_undone_edit_predicts_the_program_again_after_its_run_was_cancelled():
    slow = "# example: f(1)\ndef f(a):\n    slow = a\n    return slow\n"
    texts, model = {URI: slow}, Model()
    scheduler, results, _ = make(texts, model)
    scheduler.flush(URI)
    await asyncio.get_running_loop().run_in_executor(None, model.started.wait, 5)
    texts[URI] = slow.replace("slow = a", "slow = a + 1")
    scheduler.flush(URI)  # cancels the running prediction...
    texts[URI] = slow
    scheduler.flush(URI)  # ...which the undo makes wanted again
    await scheduler.settled(URI)
    assert model.calls == [analyse(slow).scenarios[0].program] * 2 and len(model.cancelled) == 1
    assert scheduler.result(URI, analyse(slow).scenarios[0])[1] is True and results == [URI]
    scheduler.shutdown()


async def test_an_engine_error_leaves_that_scenario_without_hints_and_the_queue_running():
    texts, model = {URI: TWO.replace("return a", "return 'boom'")}, Model()
    scheduler, _, _ = make(texts, model)
    await scheduler.settled(URI)
    f, g = analyse(texts[URI]).scenarios
    assert scheduler.result(URI, f) == (None, False)
    assert scheduler.result(URI, g)[1] is True
    scheduler.shutdown()


async def test_while_re_predicting_the_previous_result_stays_if_the_line_count_did_not_change():
    texts, model = {URI: TWO}, Model()
    scheduler, _, _ = make(texts, model)
    await scheduler.settled(URI)
    f_before = analyse(TWO).scenarios[0]
    texts[URI] = TWO.replace("return a", "return a * 2")
    f_after = analyse(texts[URI]).scenarios[0]
    prediction, current = scheduler.result(URI, f_after)
    assert not current and prediction.trace.message == f_before.program
    texts[URI] = TWO.replace("return a", "x = a\n    return x")  # one more line: nothing until predicted
    assert scheduler.result(URI, analyse(texts[URI]).scenarios[0]) == (None, False)
    scheduler.shutdown()


async def test_without_a_model_nothing_runs_and_settled_returns():
    texts, model = {URI: TWO}, Model()
    scheduler, _, pending = make(texts, model)
    scheduler.set_predictor(None)
    await scheduler.settled(URI)
    assert model.calls == [] and pending[-1:] in ([], [0])
    scheduler.shutdown()
