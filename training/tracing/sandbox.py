"""The sandbox: run each program in a forked, rlimited child of a warm "zygote" worker.

Why zygotes: starting an interpreter costs ~50 ms, a fork of a small warm one well under 1 ms, and the dataset
builder traces millions of programs. A ``Sandbox`` owns N zygote processes (fresh interpreters that imported
the runner once); for each program a zygote forks a child, which contains itself (rlimits, a temp working
directory, an audit hook, a wall-clock alarm) and calls the runner (``tracer.run_in_child``). The
child sends its ``Trace`` back as JSON over a pipe; the zygote forwards it, or makes one itself when the child
was killed or died. Every outcome is a Trace: nothing a program does makes the parent raise or hang.

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
import struct
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

DEFAULT_RUNNER = "codeexecutor.training.tracing.tracer:run_in_child"
# Two zygotes per core: while one waits on its pipes (the fork, the child's reply, the parent's next job) the
# other keeps the core busy. Measured with scripts/bench_tracer.py on 2 cores: 2 workers 353 programs/s,
# 3 workers 481, 4 workers 513.
DEFAULT_WORKERS = 2 * (os.cpu_count() or 1)
_HEADER = struct.Struct("!I")
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
    max_value_chars: int = 100  # each rendered value (training/tracing/render.py)
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

    def __init__(self, runner: str) -> None:
        env = dict(os.environ)
        # One hash seed for every zygote: a program that prints a set of strings prints it the same way
        # whichever zygote runs it, so its trace is reproducible.
        env["PYTHONHASHSEED"] = "0"
        self.proc = subprocess.Popen(
            [sys.executable, "-c", f"from {__name__} import zygote_main; zygote_main()", runner],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, env=env,
            start_new_session=True)  # terminal signals (Ctrl-C) go to the parent, which closes us

    def request(self, payload: bytes, timeout: float) -> bytes:
        assert self.proc.stdin is not None and self.proc.stdout is not None
        try:
            self.proc.stdin.write(_HEADER.pack(len(payload)) + payload)
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
        self._idle: queue.Queue[_Zygote] = queue.Queue()
        self._all: list[_Zygote] = []
        self._lock = threading.Lock()
        for _ in range(workers):
            self._add()

    def _add(self) -> None:
        z = _Zygote(self.runner)
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
        size = _HEADER.unpack_from(reply, at)[0]
        frames.append(reply[at + _HEADER.size:at + _HEADER.size + size])
        at += _HEADER.size + size
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
    header = _read_exact(fd, _HEADER.size, deadline)
    if header is None:
        return None
    return _read_exact(fd, _HEADER.unpack(header)[0], deadline)


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


def zygote_main() -> None:
    """Entry point of a zygote process: serve jobs from stdin until it closes."""
    module, _, name = sys.argv[1].partition(":")
    runner = getattr(__import__(module, fromlist=[name]), name)
    comm_in, comm_out = os.dup(0), os.dup(1)
    # Stray prints (ours or a library's) must never corrupt the message stream: fd 1 goes to stderr.
    devnull = os.open(os.devnull, os.O_RDONLY)
    os.dup2(devnull, 0)
    os.close(devnull)
    os.dup2(2, 1)
    base = os.path.realpath(tempfile.mkdtemp(prefix="codeexecutor-sandbox-"))  # the hook compares realpaths
    # Everything alive now is shared with every child: frozen, the collector never touches (copies) it.
    gc.collect()
    gc.freeze()
    try:
        while True:
            message = _read_frame(comm_in, None)
            if message is None:
                return
            reply = _serve(json.loads(message), runner, base, (comm_in, comm_out))
            os.write(comm_out, _HEADER.pack(len(reply)))
            _write_all(comm_out, reply)
    finally:
        shutil.rmtree(base, ignore_errors=True)  # best effort: a temp dir, and the zygote is exiting


def _serve(request: dict[str, Any], runner: Callable[..., Trace], base: str, comm: tuple[int, int]) -> bytes:
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
        replies += _run_child(jobs[start:end], limits, runner, base, comm)
    return b"".join(_HEADER.pack(len(r)) + r for r in replies)


def batchable(source: str) -> bool:
    """Whether a program may share its child with the next ones: it names nothing that reaches process state.

    The dataset builder traces millions of short programs, and a fork per program is most of their cost. A
    program that imports nothing, touches no dunder and calls none of these builtins can change nothing a
    later program sees (the child also checks builtins, modules and the work dir after each one), so its
    trace is the one a fresh child would make. Anything else runs alone, as before.
    """
    return not any(word in source for word in _BATCH_BLOCKERS)


_BATCH_BLOCKERS = ("import", "__", "exec", "eval", "compile", "getattr", "setattr", "delattr", "globals",
                   "vars", "breakpoint", "help", "exit", "quit", "open")


def _run_child(jobs: list[dict[str, Any]], limits: Limits, runner: Callable[..., Trace], base: str,
               comm: tuple[int, int]) -> list[bytes]:
    """Fork one child for ``jobs``; the traces of the jobs it finished (at least one: a failure has a verdict)."""
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
            for fd in comm:
                os.close(fd)
            _child(jobs, limits, workdir, stdin_paths, write_fd, runner)
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
        while len(buffer) >= _HEADER.size:
            size = _HEADER.unpack_from(buffer)[0]
            if size > _MAX_RESULT_BYTES:
                return frames, False, True
            if len(buffer) < _HEADER.size + size:
                break
            frame = bytes(buffer[_HEADER.size:_HEADER.size + size])
            del buffer[:_HEADER.size + size]
            if not frame:  # the end marker: the child wrote everything it will write
                return frames, True, False
            frames.append(frame)
            deadline = time.monotonic() + per_job  # the next job's time starts now


def _verdict(status: int, killed: bool, limits: Limits) -> bytes:
    if killed:
        return _trace_bytes("timeout", f"the program ran past {limits.wall_seconds:g}s of wall-clock time "
                                       f"and was killed (Limits.wall_seconds)")
    if os.WIFSIGNALED(status):
        sig = os.WTERMSIG(status)
        name = signal.Signals(sig).name if sig in signal.Signals._value2member_map_ else str(sig)
        if sig in (signal.SIGXCPU, signal.SIGKILL):
            return _trace_bytes("timeout", f"the program used more than {limits.cpu_seconds}s of CPU time "
                                           f"(Limits.cpu_seconds) and was killed by {name}")
        if sig in (signal.SIGSEGV, signal.SIGBUS, signal.SIGABRT):
            return _trace_bytes("memory", f"the program's process crashed with {name} (out of memory or "
                                          f"stack, Limits.memory_mb)")
        return _trace_bytes("forbidden", f"the program's process was ended by {name}")
    code = os.WEXITSTATUS(status)
    return _trace_bytes("forbidden", f"the program ended its process (exit code {code}) without unwinding, "
                                     f"e.g. with os._exit: the tracer cannot follow that")


def _trace_bytes(status: str, message: str) -> bytes:
    return Trace(status=status, message=message).dumps().encode()


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view):]


# ---------------------------------------------------------------------------------------------------------
# The child: contain, run, report.


def _child(jobs: list[dict[str, Any]], limits: Limits, workdir: str, stdin_paths: list[str], result_fd: int,
           runner: Callable[..., Trace]) -> NoReturn:
    guard = Guard(result_fd, workdir)
    try:
        _contain(limits, workdir, guard, len(jobs))
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
    sys.addaudithook(guard.audit)


def _interpreter_state(workdir: str) -> tuple[Any, ...]:
    """What a program could leave behind for the next one in its child; a change ends the batch."""
    return tuple(vars(builtins).items()), len(sys.modules), tuple(os.listdir(workdir))


class Guard:
    """The child's containment: the audit hook, and how results leave (``write`` a frame; ``stop``: write, end).

    The runner sets ``partial`` (how to make a Trace of the run so far) and sets ``trusted`` around its own
    audited calls (sys.settrace, sys.setprofile), which the hook forbids to the program. ``active`` is true
    while a program runs: the hook and the alarms only act then, not on the child's own work between jobs.
    """

    def __init__(self, result_fd: int, workdir: str) -> None:
        self.fd = result_fd
        self.workdir = workdir
        self.partial: Callable[[str, str], Trace] = lambda status, message: Trace(status=status,
                                                                                 message=message)
        self.trusted = False
        self.active = False
        self.stopping = False

    def stop(self, status: str, message: str) -> None:
        """End the run now with the partial trace (from a signal handler, the audit hook or the tracer)."""
        if self.stopping or not self.active:  # a second alarm while we are already sending, or a late one
            return
        self.stopping = True
        signal.setitimer(signal.ITIMER_REAL, 0)
        try:
            trace = self.partial(status, message)
        except MemoryError:
            trace = Trace(status="memory", message="out of memory while collecting the partial trace "
                                                   f"(it stopped because: {message})")
        self.send(trace)
        self.end()

    def send(self, trace: Trace) -> None:
        """The trace as one frame (the zygote counts frames to know which job each one answers)."""
        try:
            data = trace.dumps().encode("utf-8", "surrogatepass")
        except MemoryError:
            data = _trace_bytes("memory", "out of memory while sending the trace (Limits.memory_mb)")
        self._frame(data)

    def _frame(self, data: bytes) -> None:
        _write_all(self.fd, _HEADER.pack(len(data)) + data)

    def end(self) -> NoReturn:
        """The end marker (an empty frame), then exit: the zygote hands any jobs left to a new child."""
        self.stopping = True
        _write_all(self.fd, _HEADER.pack(0))
        os._exit(0)

    def crash(self, exc: BaseException) -> NoReturn:
        self.stopping = True
        self._frame(json.dumps({"sandbox_error": f"{type(exc).__name__}: {exc}"}).encode())
        self.end()

    def audit(self, event: str, args: tuple[Any, ...]) -> None:
        if self.stopping or not self.active:
            return
        check = _CHECKS.get(event)
        if check is not None:
            why = check(self, args)
        elif event.startswith("ctypes."):
            why = "ctypes (foreign memory and functions) is not allowed in the sandbox"
        else:
            return
        if why:
            self.stop("forbidden", f"forbidden: {why} ({event})")

    def outside(self, path: Any, dir_fd: Any = None) -> bool:
        """Whether ``path`` (as the program named it) lies outside the work directory."""
        if isinstance(path, int):  # an already open descriptor: opening it created nothing
            return False
        try:
            text = os.fsdecode(path)
        except TypeError:
            return True
        if isinstance(dir_fd, int) and dir_fd >= 0 and not os.path.isabs(text):  # -1: no dir_fd given
            try:
                text = os.path.join(os.readlink(f"/proc/self/fd/{dir_fd}"), text)
            except OSError:
                return True
        try:
            real = os.path.realpath(text)
        except ValueError:  # a NUL in the path: the operation itself will refuse it
            return False
        return not (real == self.workdir or real.startswith(self.workdir + os.sep))


def _always(why: str) -> Callable[[Guard, tuple[Any, ...]], str]:
    return lambda guard, args: why


def _paths(why: str, *positions: int, dir_fd: int | None = None) -> Callable[[Guard, tuple[Any, ...]], str]:
    """A check that forbids the event when any of the given path arguments lies outside the work dir."""
    def check(guard: Guard, args: tuple[Any, ...]) -> str:
        fd = args[dir_fd] if dir_fd is not None and dir_fd < len(args) else None
        for i in positions:
            if i < len(args) and args[i] is not None and guard.outside(args[i], fd):
                return f"{why} outside the sandbox's work directory: {args[i]!r}"
        return ""
    return check


_WRITE_FLAGS = os.O_WRONLY | os.O_RDWR | os.O_APPEND | os.O_CREAT | os.O_TRUNC


def _check_open(guard: Guard, args: tuple[Any, ...]) -> str:
    path, mode, flags = (*args, None, None, None)[:3]
    writes = (any(c in mode for c in "wax+") if isinstance(mode, str)
              else isinstance(flags, int) and bool(flags & _WRITE_FLAGS))
    if writes and path != os.devnull and guard.outside(path):
        return f"writing to {path!r} outside the sandbox's work directory"
    return ""


def _check_trace(guard: Guard, args: tuple[Any, ...]) -> str:
    return "" if guard.trusted else "changing the trace or profile function would blind the tracer"


def _check_sqlite(guard: Guard, args: tuple[Any, ...]) -> str:
    db = args[0] if args else None
    if db in (":memory:", b":memory:", "") or not guard.outside(db):
        return ""
    return f"an SQLite database outside the sandbox's work directory: {db!r}"


_CHECKS: dict[str, Callable[[Guard, tuple[Any, ...]], str]] = {
    "open": _check_open,
    "os.remove": _paths("removing a file", 0, dir_fd=1),
    "os.rmdir": _paths("removing a directory", 0, dir_fd=1),
    "os.mkdir": _paths("making a directory", 0, dir_fd=2),
    "os.rename": _paths("renaming", 0, 1, dir_fd=2),
    "os.chmod": _paths("changing permissions", 0, dir_fd=2),
    "os.chown": _paths("changing an owner", 0, dir_fd=3),
    "os.truncate": _paths("truncating a file", 0),
    "os.utime": _paths("changing file times", 0, dir_fd=3),
    "os.chflags": _paths("changing file flags", 0),
    "os.lchflags": _paths("changing file flags", 0),
    "os.setxattr": _paths("setting extended attributes", 0),
    "os.removexattr": _paths("removing extended attributes", 0),
    "shutil.rmtree": _paths("removing a tree", 0),
    "shutil.copyfile": _paths("copying a file", 1),
    "shutil.copytree": _paths("copying a tree", 1),
    "shutil.move": _paths("moving", 0, 1),
    "shutil.unpack_archive": _paths("unpacking an archive", 1),
    "shutil.make_archive": _paths("making an archive", 0),
    "sqlite3.connect": _check_sqlite,
    "os.link": _always("making links"),
    "os.symlink": _always("making links"),
    "os.system": _always("running a shell command"),
    "os.exec": _always("replacing the process (os.exec*)"),
    "os.posix_spawn": _always("starting a process"),
    "os.spawn": _always("starting a process"),
    "os.fork": _always("forking"),
    "os.forkpty": _always("forking"),
    "subprocess.Popen": _always("starting a process"),
    "os.kill": _always("sending a signal"),
    "os.killpg": _always("sending a signal"),
    "signal.pthread_kill": _always("sending a signal"),
    "socket.__new__": _always("opening a socket"),
    "socket.connect": _always("connecting a socket"),
    "socket.bind": _always("binding a socket"),
    "socket.getaddrinfo": _always("looking up a host"),
    "socket.gethostbyname": _always("looking up a host"),
    "socket.gethostbyaddr": _always("looking up a host"),
    "resource.setrlimit": _always("changing resource limits"),
    "resource.prlimit": _always("changing resource limits"),
    "sys.settrace": _check_trace,
    "sys.setprofile": _check_trace,
}
