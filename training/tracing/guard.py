"""The sandboxed child's audit hook (``Guard``) and how results leave the child (length-prefixed frames).

Python raises an audit event before most acts that reach outside the process (opening a file for writing,
starting a process, opening a socket, ...). ``Guard.audit`` looks each one up in ``_CHECKS`` while a program
runs; a forbidden act never raises (the program could catch that): the hook writes the partial trace, the end
marker, and ends the process. What has no audit event is left to the kernel fence (training/tracing/fence.py).
The list, and what it does not cover, is in docs/tracer.md ("What is contained").
"""

from __future__ import annotations

import json
import os
import signal
import struct
import sys
from collections.abc import Callable
from typing import Any, NoReturn

from codeexecutor.model.trace import Trace

HEADER = struct.Struct("!I")  # every message between parent, zygote and child: a 4-byte length, then the bytes


def trace_bytes(status: str, message: str) -> bytes:
    return Trace(status=status, message=message).dumps().encode()


def write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view):]


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
            data = trace_bytes("memory", "out of memory while sending the trace (Limits.memory_mb)")
        self._frame(data)

    def _frame(self, data: bytes) -> None:
        write_all(self.fd, HEADER.pack(len(data)) + data)

    def end(self) -> NoReturn:
        """The end marker (an empty frame), then exit: the zygote hands any jobs left to a new child."""
        self.stopping = True
        write_all(self.fd, HEADER.pack(0))
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


# Private modules that act outside the process without an audit event. The child drops them from sys.modules
# (``forget_private_modules``), so that importing one is a real import, which raises the "import" event.
PRIVATE_MODULES = {
    "_posixsubprocess": "starts processes",  # subprocess needs it: the standard library may import it
    "_posixshmem": "makes shared memory in /dev/shm",
    "_multiprocessing": "makes named semaphores in /dev/shm",
}
_STDLIB = os.path.dirname(os.__file__) + os.sep


def forget_private_modules() -> None:
    for name in PRIVATE_MODULES:
        sys.modules.pop(name, None)


def _check_import(guard: Guard, args: tuple[Any, ...]) -> str:
    name = args[0] if args else None
    what = PRIVATE_MODULES.get(name) if isinstance(name, str) else None
    if what is None or (name == "_posixsubprocess" and _imported_by_stdlib()):
        return ""
    return f"importing {name} (it {what} without an audit event)"


def _imported_by_stdlib() -> bool:
    """Whether the code importing (the first frame outside importlib) is a standard-library module, e.g.
    subprocess (whose Popen is audited; a raw fork_exec from there is left to the kernel fence)."""
    frame = sys._getframe(2)
    while frame is not None and (frame.f_code.co_filename.startswith("<frozen importlib")
                                 or frame.f_globals.get("__name__") == "importlib"):
        frame = frame.f_back
    if frame is None:
        return False
    path = frame.f_code.co_filename
    return path.startswith(_STDLIB) and "-packages" not in path[len(_STDLIB):]


_CHECKS: dict[str, Callable[[Guard, tuple[Any, ...]], str]] = {
    "import": _check_import,
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
