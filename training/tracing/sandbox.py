"""The sandbox: run each program in a forked, rlimited child of a warm "zygote" worker.

Why zygotes: starting an interpreter costs ~50 ms, a fork of a small warm one well under 1 ms, and the dataset
builder traces millions of programs. A ``Sandbox`` owns N zygote processes (fresh interpreters that imported
the runner once); for each program a zygote forks a child, which contains itself (rlimits, a temp working
directory, an audit hook (guard.py), a wall-clock alarm, last the kernel fence (fence.py)) and calls the runner
(``tracer.run_in_child``). The child sends its ``Trace`` back as JSON over a pipe; the zygote forwards it, or
makes one itself when the child was killed or died. Every outcome is a Trace: nothing a program does makes the
parent raise or hang.

What is and is not contained is written down in docs/tracer.md ("The tracer and its sandbox"). It is a
fence against accidents and ordinary hostile programs (fork bombs, deleting files, sockets, memory bombs),
not a security boundary against a determined attacker.
"""

from __future__ import annotations

import builtins
import contextlib
import gc
import json
import math
import os
import queue
import random
import resource
import select
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import asdict, dataclass, fields
from itertools import islice
from typing import Any, NoReturn, TypeVar

from codeexecutor.model.config import reject_unknown_keys
from codeexecutor.model.trace import Trace
from codeexecutor.training.tracing.fence import KILLED_BY, Fence, prepare, unavailable
from codeexecutor.training.tracing.guard import HEADER, Guard, forget_private_modules, trace_bytes, write_all

DEFAULT_RUNNER = "codeexecutor.training.tracing.tracer:run_in_child"
# Two zygotes per core: while one waits on its pipes (the fork, the child's reply, the parent's next job) the
# other keeps the core busy. Measured with scripts/bench_tracer.py on 2 cores: 2 workers 353 programs/s,
# 3 workers 481, 4 workers 513.
DEFAULT_WORKERS = 2 * (os.cpu_count() or 1)
T = TypeVar("T")
R = TypeVar("R")
_MAX_RESULT_BYTES = 256 << 20  # a trace is at most a few MB; more means the program wrote into our pipe


@dataclass(frozen=True)
class Limits:
    """What one traced program may use; every limit reached ends its trace with the status named below."""

    wall_seconds: float = 2.0  # -> timeout (soft alarm in the child, SIGKILL after grace_seconds more)
    cpu_seconds: int = 2  # -> timeout (RLIMIT_CPU)
    memory_mb: int = 512  # -> memory (RLIMIT_AS: the child's whole address space)
    max_output_bytes: int = 1_000_000  # -> output (stdout + stderr, UTF-8 bytes)
    max_steps: int = 10_000  # -> steps
    recursion_limit: int = 500  # the program's frames (module = 1); deeper calls raise RecursionError
    max_value_chars: int = 100  # each rendered value (model/render.py)
    max_message_chars: int = 200  # the message part of "Type: message"
    max_file_bytes: int = 1_000_000  # RLIMIT_FSIZE: larger writes fail with OSError (EFBIG)
    max_open_files: int = 64  # RLIMIT_NOFILE
    grace_seconds: float = 1.0  # how long after wall_seconds the zygote waits before SIGKILL

    def __post_init__(self) -> None:
        for f in fields(self):
            value = getattr(self, f.name)
            if not isinstance(value, (int, float)) or isinstance(value, bool) or value <= 0:
                raise ValueError(f"Limits.{f.name} must be a positive number, got {value!r}")

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Limits:
        reject_unknown_keys(cls, data, "Limits")
        return cls(**data)


class SandboxError(RuntimeError):
    """The sandbox itself failed (a zygote died, or a bug in the tracer): never caused by a program."""


# ---------------------------------------------------------------------------------------------------------
# Parent side: a pool of zygotes.


class _Zygote:
    """One warm worker process, spoken to with length-prefixed messages over its stdin/stdout."""

    def __init__(self, runner: str, fenced: bool) -> None:
        env = dict(os.environ)
        # One hash seed for every zygote: a program that prints a set of strings prints it the same way
        # whichever zygote runs it, so its trace is reproducible.
        env["PYTHONHASHSEED"] = "0"
        self.proc = subprocess.Popen(
            [sys.executable, "-c", f"from {__name__} import zygote_main; zygote_main()", runner,
             "fence" if fenced else "no-fence"],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, env=env,
            start_new_session=True)  # terminal signals (Ctrl-C) go to the parent, which closes us

    def request(self, payload: bytes, timeout: float) -> bytes:
        assert self.proc.stdin is not None and self.proc.stdout is not None
        try:
            self.proc.stdin.write(HEADER.pack(len(payload)) + payload)
            self.proc.stdin.flush()
        except BrokenPipeError as e:
            raise SandboxError(f"a sandbox worker died (exit code {self.proc.poll()})") from e
        reply = _read_frame(self.proc.stdout.fileno(), time.monotonic() + timeout)
        if reply is None:
            raise SandboxError(f"a sandbox worker stopped answering (exit code {self.proc.poll()})")
        return reply

    def close(self) -> None:
        if self.proc.stdin is not None:
            with contextlib.suppress(BrokenPipeError):
                self.proc.stdin.close()
        try:
            self.proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        if self.proc.stdout is not None:
            self.proc.stdout.close()


class Sandbox:
    """A pool of ``workers`` zygotes; ``run`` and ``run_many`` turn (program, stdin) jobs into Traces."""

    def __init__(self, workers: int = DEFAULT_WORKERS, runner: str = DEFAULT_RUNNER) -> None:
        if workers < 1:
            raise ValueError(f"workers must be at least 1, got {workers}")
        self.workers = workers
        self.runner = runner
        # Whether each child installs the kernel fence (training/tracing/fence.py); without one, the log says so.
        self.fenced = unavailable() is None
        self._idle: queue.Queue[_Zygote] = queue.Queue()
        self._all: list[_Zygote] = []
        self._lock = threading.Lock()
        for _ in range(workers):
            self._add()

    def _add(self) -> None:
        z = _Zygote(self.runner, self.fenced)
        with self._lock:
            self._all.append(z)
        self._idle.put(z)

    def run(self, source: str, stdin: str = "", limits: Limits | None = None) -> Trace:
        """Trace one program in a free zygote (blocks while all are busy)."""
        return self.run_batch([(source, stdin)], limits)[0]

    def run_batch(self, jobs: Sequence[tuple[str, str]], limits: Limits | None = None) -> list[Trace]:
        """Trace several (program, stdin) jobs in one free zygote; consecutive ``batchable`` programs share
        a forked child there, which is most of the speed of the dataset builder."""
        limits = limits or Limits()
        payload = json.dumps({"jobs": [{"source": source, "stdin": stdin} for source, stdin in jobs],
                              "limits": limits.to_json()}).encode()
        # The zygote answers within wall + grace per job; the margin covers its own work (fork, JSON, cleanup).
        timeout = len(jobs) * (limits.wall_seconds + limits.grace_seconds) + 10.0
        for attempt in (1, 2):
            z = self._idle.get()
            try:
                reply = z.request(payload, timeout)
            # Interrupted mid-message (even by KeyboardInterrupt), a zygote's stream is unusable: replace it.
            except BaseException as e:
                self._replace(z)
                if isinstance(e, SandboxError) and attempt == 1:
                    continue  # a dead zygote: the programs are tried once more in the new one
                raise
            self._idle.put(z)
            return [_parse_reply(frame) for frame in _split_frames(reply, len(jobs))]
        raise AssertionError("unreachable: the second attempt returns or raises")

    def _replace(self, z: _Zygote) -> None:
        z.proc.kill()
        z.close()
        with self._lock:
            self._all.remove(z)
        self._add()

    def run_many(self, jobs: Iterable[tuple[str, str]], limits: Limits | None = None,
                 batch: int = 1) -> Iterator[Trace]:
        """Trace every (program, stdin) job; results in input order. Requests of up to ``batch`` consecutive
        jobs (see ``run_batch``) go to the zygotes, a few in flight."""
        for traces in in_order(lambda group: self.run_batch(group, limits), batched(jobs, batch), self.workers):
            yield from traces

    def close(self) -> None:
        with self._lock:
            zygotes, self._all = self._all, []
        for z in zygotes:
            z.close()

    def __enter__(self) -> Sandbox:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def batched(items: Iterable[T], n: int) -> Iterator[list[T]]:
    """Consecutive groups of ``n`` items (the last one shorter); lazily, as the items come."""
    it = iter(items)
    while group := list(islice(it, n)):
        yield group


def in_order(fn: Callable[[T], R], items: Iterable[T], workers: int) -> Iterator[R]:
    """``fn`` over ``items`` on ``workers`` threads, results in input order, at most 4 per thread in flight;
    with one worker, strictly one at a time in this thread (the debugging mode)."""
    if workers == 1:
        yield from map(fn, items)
        return
    window: deque[Future[R]] = deque()
    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="sandbox") as pool:
        for item in items:
            window.append(pool.submit(fn, item))
            if len(window) >= 4 * workers:
                yield window.popleft().result()
        while window:
            yield window.popleft().result()


def _split_frames(reply: bytes, n: int) -> list[bytes]:
    frames, at = [], 0
    while at < len(reply):
        size = HEADER.unpack_from(reply, at)[0]
        frames.append(reply[at + HEADER.size:at + HEADER.size + size])
        at += HEADER.size + size
    if len(frames) != n:
        raise SandboxError(f"a sandbox worker answered {len(frames)} traces for {n} programs (a bug)")
    return frames


def _parse_reply(reply: bytes) -> Trace:
    try:
        data = json.loads(reply)
    except (json.JSONDecodeError, UnicodeDecodeError):
        return Trace(status="forbidden", message="the sandboxed process sent a malformed result "
                                                 "(did the program write into the tracer's pipe?)")
    if isinstance(data, dict) and "sandbox_error" in data:
        raise SandboxError(f"the tracer failed (a bug, please report it with the program): "
                           f"{data['sandbox_error']}")
    try:
        return Trace.from_json(data)
    except ValueError:
        return Trace(status="forbidden", message="the sandboxed process sent a malformed trace "
                                                 "(did the program write into the tracer's pipe?)")


def _read_frame(fd: int, deadline: float | None) -> bytes | None:
    """One length-prefixed message from ``fd`` (None at EOF or past the deadline, if any)."""
    header = _read_exact(fd, HEADER.size, deadline)
    if header is None:
        return None
    return _read_exact(fd, HEADER.unpack(header)[0], deadline)


def _read_exact(fd: int, n: int, deadline: float | None) -> bytes | None:
    chunks: list[bytes] = []
    while n:
        if deadline is not None:
            remaining = deadline - time.monotonic()
            if remaining <= 0 or not select.select([fd], [], [], remaining)[0]:
                return None
        chunk = os.read(fd, min(n, 1 << 20))
        if not chunk:
            return None
        chunks.append(chunk)
        n -= len(chunk)
    return b"".join(chunks)


# ---------------------------------------------------------------------------------------------------------
# The zygote: a loop of fork, wait, answer.


@dataclass(frozen=True)
class _Worker:
    """What a zygote gives every child: the runner, the temp dir, its own pipes (closed in the child), the fence."""

    runner: Callable[..., Trace]
    base: str
    comm: tuple[int, int]
    fence: Fence | None


def zygote_main() -> None:
    """Entry point of a zygote process: serve jobs from stdin until it closes."""
    module, _, name = sys.argv[1].partition(":")
    runner = getattr(__import__(module, fromlist=[name]), name)
    fence = None
    if sys.argv[2] == "fence":
        prepared = prepare()
        if isinstance(prepared, str):
            raise SandboxError(f"the parent found a kernel fence but this zygote has none: {prepared}")
        fence = prepared
    comm_in, comm_out = os.dup(0), os.dup(1)
    # Stray prints (ours or a library's) must never corrupt the message stream: fd 1 goes to stderr.
    devnull = os.open(os.devnull, os.O_RDONLY)
    os.dup2(devnull, 0)
    os.close(devnull)
    os.dup2(2, 1)
    base = os.path.realpath(tempfile.mkdtemp(prefix="codeexecutor-sandbox-"))  # the hook compares realpaths
    worker = _Worker(runner, base, (comm_in, comm_out), fence)
    # Everything alive now is shared with every child: frozen, the collector never touches (copies) it.
    gc.collect()
    gc.freeze()
    try:
        while True:
            message = _read_frame(comm_in, None)
            if message is None:
                return
            reply = _serve(json.loads(message), worker)
            os.write(comm_out, HEADER.pack(len(reply)))
            write_all(comm_out, reply)
    finally:
        shutil.rmtree(base, ignore_errors=True)  # best effort: a temp dir, and the zygote is exiting


def _serve(request: dict[str, Any], worker: _Worker) -> bytes:
    """Every job of the request, one reply frame each: batchable runs share a child, the rest get their own."""
    limits = Limits.from_json(request["limits"])
    jobs = request["jobs"]
    replies: list[bytes] = []
    while len(replies) < len(jobs):
        start = end = len(replies)
        end += 1
        if batchable(jobs[start]["source"]):
            while end < len(jobs) and batchable(jobs[end]["source"]):
                end += 1
        # A child may end its batch early (a program changed the interpreter): the rest go to a new one.
        replies += _run_child(jobs[start:end], limits, worker)
    return b"".join(HEADER.pack(len(r)) + r for r in replies)


def batchable(source: str) -> bool:
    """Whether a program may share its child with the next ones: it names nothing that reaches process state.

    The dataset builder traces millions of short programs, and a fork per program is most of their cost. A
    program that imports nothing, touches no dunder and calls none of these builtins can change nothing a
    later program sees (the child also checks builtins, modules and the work dir after each one), so its
    trace is the one a fresh child would make. Anything else runs alone, as before. Defining a class's
    ``__init__`` is the one use of ``__`` allowed (a method of the program's own class reaches nothing new);
    any other dunder, ``__init__`` named elsewhere included, still blocks.
    """
    return not any(word in source.replace(_ALLOWED_DUNDER, "") for word in _BATCH_BLOCKERS)


_ALLOWED_DUNDER = "def __init__("


_BATCH_BLOCKERS = ("import", "__", "exec", "eval", "compile", "getattr", "setattr", "delattr", "globals",
                   "vars", "breakpoint", "help", "exit", "quit", "open")


def _run_child(jobs: list[dict[str, Any]], limits: Limits, worker: _Worker) -> list[bytes]:
    """Fork one child for ``jobs``; the traces of the jobs it finished (at least one: a failure has a verdict)."""
    base = worker.base
    workdir = os.path.join(base, "work")
    if os.path.isdir(workdir) and os.listdir(workdir):
        shutil.rmtree(workdir)
    os.makedirs(workdir, exist_ok=True)
    stdin_paths = []
    for i, job in enumerate(jobs):
        stdin_path = os.devnull  # most programs read nothing: skip writing a file for them
        if job["stdin"]:
            stdin_path = os.path.join(base, f"stdin-{i}")
            with open(stdin_path, "w", encoding="utf-8") as f:
                f.write(job["stdin"])
        stdin_paths.append(stdin_path)
    read_fd, write_fd = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: it never returns from here
        try:
            os.close(read_fd)
            for fd in worker.comm:
                os.close(fd)
            _child(jobs, limits, workdir, stdin_paths, write_fd, worker)
        finally:
            os._exit(70)
    os.close(write_fd)
    frames, ended, killed = _collect(read_fd, limits.wall_seconds + limits.grace_seconds)
    if killed:
        os.kill(pid, signal.SIGKILL)
    os.close(read_fd)
    _, status = os.waitpid(pid, 0)
    if ended and frames:
        return frames
    # The child died (or was killed) during job len(frames): that job's trace is the verdict on how.
    return [*frames, _verdict(status, killed, limits)]


def _collect(fd: int, per_job: float) -> tuple[list[bytes], bool, bool]:
    """The child's frames until EOF; ``ended``: it closed with the end marker; ``killed``: it must be killed
    (no frame within ``per_job`` seconds, or too much data)."""
    frames: list[bytes] = []
    buffer = bytearray()
    deadline = time.monotonic() + per_job
    while True:
        remaining = deadline - time.monotonic()
        if remaining <= 0 or not select.select([fd], [], [], remaining)[0]:
            return frames, False, True
        chunk = os.read(fd, 1 << 20)
        if not chunk:
            return frames, False, False
        buffer += chunk
        while len(buffer) >= HEADER.size:
            size = HEADER.unpack_from(buffer)[0]
            if size > _MAX_RESULT_BYTES:
                return frames, False, True
            if len(buffer) < HEADER.size + size:
                break
            frame = bytes(buffer[HEADER.size:HEADER.size + size])
            del buffer[:HEADER.size + size]
            if not frame:  # the end marker: the child wrote everything it will write
                return frames, True, False
            frames.append(frame)
            deadline = time.monotonic() + per_job  # the next job's time starts now


def _verdict(status: int, killed: bool, limits: Limits) -> bytes:
    if killed:
        return trace_bytes("timeout", f"the program ran past {limits.wall_seconds:g}s of wall-clock time "
                                       f"and was killed (Limits.wall_seconds)")
    if os.WIFSIGNALED(status):
        sig = os.WTERMSIG(status)
        name = signal.Signals(sig).name if sig in signal.Signals._value2member_map_ else str(sig)
        if sig in (signal.SIGXCPU, signal.SIGKILL):
            return trace_bytes("timeout", f"the program used more than {limits.cpu_seconds}s of CPU time "
                                           f"(Limits.cpu_seconds) and was killed by {name}")
        if name == KILLED_BY:
            return trace_bytes("forbidden", "forbidden: starting a process (the kernel fence stopped an exec, "
                                            "fork or clone system call; training/tracing/fence.py)")
        if sig in (signal.SIGSEGV, signal.SIGBUS, signal.SIGABRT):
            return trace_bytes("memory", f"the program's process crashed with {name} (out of memory or "
                                          f"stack, Limits.memory_mb)")
        return trace_bytes("forbidden", f"the program's process was ended by {name}")
    code = os.WEXITSTATUS(status)
    return trace_bytes("forbidden", f"the program ended its process (exit code {code}) without unwinding, "
                                     f"e.g. with os._exit: the tracer cannot follow that")


# ---------------------------------------------------------------------------------------------------------
# The child: contain, run, report.


def _child(jobs: list[dict[str, Any]], limits: Limits, workdir: str, stdin_paths: list[str], result_fd: int,
           worker: _Worker) -> NoReturn:
    guard = Guard(result_fd, workdir)
    runner = worker.runner
    try:
        _contain(limits, workdir, guard, len(jobs))
        if worker.fence is not None:  # last: the kernel refuses new processes from here on
            worker.fence.install()
        baseline = _interpreter_state(workdir)
        for job, stdin_path in zip(jobs, stdin_paths, strict=True):
            stdin_fd = os.open(stdin_path, os.O_RDONLY)
            os.dup2(stdin_fd, 0)
            os.close(stdin_fd)
            # RLIMIT_CPU counts the whole process: each job gets cpu_seconds more than its predecessors used.
            used = resource.getrusage(resource.RUSAGE_SELF)
            soft = math.ceil(used.ru_utime + used.ru_stime) + limits.cpu_seconds
            hard = resource.getrlimit(resource.RLIMIT_CPU)[1]
            resource.setrlimit(resource.RLIMIT_CPU, (min(soft, hard), hard))
            # Every program starts from one state of the global generator (random reseeds itself from the OS
            # in a forked child): unseeded random numbers then give one trace whichever zygote runs them.
            random.seed(0)
            guard.active = True
            signal.setitimer(signal.ITIMER_REAL, limits.wall_seconds)
            trace = runner(job["source"], job["stdin"], limits, guard)
            signal.setitimer(signal.ITIMER_REAL, 0)
            guard.active = False
            guard.send(trace)
            if _interpreter_state(workdir) != baseline:
                break
        guard.end()
    except BaseException as e:  # a bug of ours: report it rather than fall back into the zygote's loop
        guard.crash(e)


def _contain(limits: Limits, workdir: str, guard: Guard, jobs: int) -> None:
    """Output to /dev/null, the work dir as cwd, the rlimits, the alarms and the audit hook: once per child."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 1)
    os.dup2(devnull, 2)
    os.close(devnull)
    os.chdir(workdir)
    mb = limits.memory_mb << 20
    resource.setrlimit(resource.RLIMIT_AS, (mb, mb))
    cpu = limits.cpu_seconds * jobs + 1
    resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu + 1))
    resource.setrlimit(resource.RLIMIT_FSIZE, (limits.max_file_bytes, limits.max_file_bytes))
    resource.setrlimit(resource.RLIMIT_NOFILE, (limits.max_open_files, limits.max_open_files))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # an over-large write then fails with EFBIG instead
    signal.signal(signal.SIGALRM, lambda *_: guard.stop(
        "timeout", f"the program ran past {limits.wall_seconds:g}s of wall-clock time (Limits.wall_seconds)"))
    signal.signal(signal.SIGXCPU, lambda *_: guard.stop(
        "timeout", f"the program used more than {limits.cpu_seconds}s of CPU time (Limits.cpu_seconds)"))
    sys.dont_write_bytecode = True  # an import must not write __pycache__ outside the work dir
    os.environ["TMPDIR"] = workdir
    tempfile.tempdir = workdir
    forget_private_modules()  # importing one again raises the audit event the hook refuses
    sys.addaudithook(guard.audit)


def _interpreter_state(workdir: str) -> tuple[Any, ...]:
    """What a program could leave behind for the next one in its child; a change ends the batch."""
    return tuple(vars(builtins).items()), len(sys.modules), tuple(os.listdir(workdir))
