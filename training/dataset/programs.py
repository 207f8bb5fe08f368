"""The programs a build traces: each with its normalized code (the key of deduplication and splitting) and its
structure for the report, for generated programs made in a helper process while the builder traces.
"""

from __future__ import annotations

import ast
import hashlib
import multiprocessing
import os
import signal
import threading
import time
from collections import deque
from collections.abc import Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool

from codeexecutor.training.dataset.sources import SourceProgram
from codeexecutor.training.dataset.structure import Description, describe_tree


def normalized(program: str) -> str | None:
    """The program's code with formatting and comments removed (None when it does not parse)."""
    try:
        return ast.unparse(ast.parse(program))
    except (SyntaxError, ValueError, RecursionError):
        return None


# The builder's input: a program, its normalized code (None: it does not parse) and its structure for the
# report (None: not known yet, ShardWriter works it out).
Made = tuple[SourceProgram, "str | None", "Description | None"]


def with_code(programs: Iterable[SourceProgram]) -> Iterator[Made]:
    return ((p, normalized(p.program), None) for p in programs)


def _made(program: SourceProgram) -> Made:
    """``normalized`` and ``describe`` of the program from one parse."""
    try:
        tree = ast.parse(program.program)
    except (SyntaxError, ValueError, RecursionError):
        return program, None, (None, set())
    try:
        code = ast.unparse(tree)
    except (ValueError, RecursionError):
        code = None
    return program, code, describe_tree(tree)


def made(seed: int, start: int, stop: int) -> list[Made]:
    """Generated programs ``start``..``stop - 1`` of ``seed``, normalized and described: the costliest part
    of the main process's work per generated program, done in a helper process (``made_in``)."""
    from codeexecutor.training.dataset.sources.generated import generated

    return [_made(generated(seed, i)) for i in range(start, stop)]


def helper_process() -> ProcessPoolExecutor:
    """One helper process for ``made_in``, forked at once: call it before any thread exists (a fork copies
    only the calling thread, and the locks other threads held)."""
    pool = ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("fork"), initializer=_helper_start,
                               initargs=(os.getpid(),))
    pool.submit(int).result()  # with fork, the process starts with the first task
    return pool


def _helper_start(parent: int) -> None:
    """In the helper: Ctrl-C is the parent's to handle, and the helper ends when the parent does, even by
    ``kill -9`` (its task queue never reports the end: the helper holds a copy of the writing end)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    threading.Thread(target=_end_with, args=(parent,), name="end-with-parent", daemon=True).start()


def _end_with(parent: int) -> None:
    while os.getppid() == parent:
        time.sleep(0.5)
    os._exit(0)


def made_in(pool: ProcessPoolExecutor, seed: int, start: int, stop: int, per_task: int = 64,
            ahead: int = 16) -> Iterator[Made]:
    """``made(seed, start, stop)`` from ``pool``, in order, at most ``ahead`` tasks of ``per_task`` programs
    ahead of the reader (memory stays flat whatever the shard size)."""
    pending: deque[Future[list[Made]]] = deque()
    try:
        for lo in range(start, stop, per_task):
            pending.append(pool.submit(made, seed, lo, min(lo + per_task, stop)))
            if len(pending) >= ahead:
                yield from pending.popleft().result()
        while pending:
            yield from pending.popleft().result()
    except BrokenProcessPool as e:
        raise RuntimeError(f"build-dataset: the helper process that makes the generated programs died ({e}); "
                           f"rerun the command to resume (finished shards are kept), or pass --workers 1 to "
                           f"make them in this process") from e


def dedup_key(code: str, stdin: str) -> str:
    return hashlib.sha256(f"{code}\0{stdin}".encode()).hexdigest()[:32]
