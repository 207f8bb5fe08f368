"""The kernel fence: a seccomp filter that keeps a sandboxed child from starting processes.

The audit hook (training/tracing/guard.py) sees only what Python reports, and some calls report nothing:
``_posixsubprocess.fork_exec`` starts any executable without an audit event. So each child, once contained
and just before the program runs, installs a seccomp BPF filter (``prctl(PR_SET_SECCOMP)`` through ctypes: no
dependency). The kernel then answers, for the rest of the child's life:

- ``execve``, ``execveat``, ``fork``, ``vfork``, and ``clone`` without ``CLONE_THREAD`` (a new process, not a
  thread): it kills the process with ``SIGSYS`` (``SECCOMP_RET_KILL_PROCESS``: no handler the program installs
  can catch it); the zygote reports that as ``forbidden``;
- ``clone3``: the error ``ENOSYS``, because its flags sit in memory a filter cannot read; glibc then falls back
  to ``clone``, whose flags the filter checks, so threads still start;
- ``mknod``, ``mknodat``: ``EPERM`` (FIFOs and device nodes: ``os.mkfifo`` has no audit event);
- a system call of another ABI (i386 or x32 on x86_64, arm32 on aarch64), which the numbers above would not
  match: it kills the process.

``prepare()`` builds the filter once (in the zygote); ``Fence.install`` applies it (in each child).
``unavailable()`` says, once per process, why no fence can be had here (another OS or architecture, or a
kernel that refuses the filter), by trying it in a short-lived interpreter.
"""

from __future__ import annotations

import ctypes
import functools
import logging
import os
import struct
import subprocess
import sys
from dataclasses import dataclass

KILLED_BY = "SIGSYS"  # how the zygote recognises a child the fence stopped
_PR_SET_NO_NEW_PRIVS = 38
_PR_SET_SECCOMP = 22
_SECCOMP_MODE_FILTER = 2
_RET_KILL_PROCESS = 0x80000000
_RET_ERRNO = 0x00050000
_RET_ALLOW = 0x7FFF0000
_CLONE_THREAD = 0x00010000
_X32_SYSCALL_BIT = 0x40000000
_ENOSYS, _EPERM = 38, 1

# BPF opcodes (linux/bpf_common.h): load a 32-bit word of seccomp_data, jumps, return.
_LD_ABS = 0x20
_JEQ, _JGE, _JSET = 0x15, 0x35, 0x45
_RET = 0x06
# struct seccomp_data: int nr; u32 arch; u64 instruction_pointer; u64 args[6] (low word first: little-endian).
_NR, _ARCH, _ARG0 = 0, 4, 16


@dataclass(frozen=True)
class _Arch:
    audit: int  # AUDIT_ARCH_*
    kill: tuple[int, ...]  # process-starting system calls
    clone: int
    clone3: int
    eperm: tuple[int, ...]
    x32: bool  # whether numbers with the x32 bit set must be refused


_ARCHES = {
    "x86_64": _Arch(audit=0xC000003E, kill=(59, 322, 57, 58), clone=56, clone3=435, eperm=(133, 259), x32=True),
    "aarch64": _Arch(audit=0xC00000B7, kill=(221, 281), clone=220, clone3=435, eperm=(33,), x32=False),
}


def _op(code: int, k: int, jt: int = 0, jf: int = 0) -> bytes:
    return struct.pack("=HBBI", code, jt, jf, k)


def program(arch: _Arch) -> bytes:
    """The filter, as the kernel reads it: an array of ``struct sock_filter``."""
    ops = [_op(_LD_ABS, _ARCH), _op(_JEQ, arch.audit, jt=1), _op(_RET, _RET_KILL_PROCESS), _op(_LD_ABS, _NR)]
    if arch.x32:
        ops += [_op(_JGE, _X32_SYSCALL_BIT, jf=1), _op(_RET, _RET_KILL_PROCESS)]
    rules = ([(nr, _RET_KILL_PROCESS) for nr in arch.kill] + [(arch.clone3, _RET_ERRNO | _ENOSYS)]
             + [(nr, _RET_ERRNO | _EPERM) for nr in arch.eperm])
    for nr, action in rules:  # if nr matches: the next op returns the action; otherwise it is skipped
        ops += [_op(_JEQ, nr, jf=1), _op(_RET, action)]
    ops += [_op(_JEQ, arch.clone, jf=3),  # not clone: allow
            _op(_LD_ABS, _ARG0),  # clone's flags
            _op(_JSET, _CLONE_THREAD, jt=1),  # a thread: allow
            _op(_RET, _RET_KILL_PROCESS),
            _op(_RET, _RET_ALLOW)]
    return b"".join(ops)


class _SockFprog(ctypes.Structure):
    _fields_ = [("len", ctypes.c_ushort), ("filter", ctypes.c_void_p)]


class Fence:
    """A prepared filter: ``install`` applies it to the calling (single-threaded) process, for good."""

    def __init__(self, code: bytes) -> None:
        self._code = ctypes.create_string_buffer(code, len(code))  # kept alive: the kernel copies it at install
        self._prog = _SockFprog(len(code) // 8, ctypes.addressof(self._code))
        libc = ctypes.CDLL(None, use_errno=True)
        self._prctl = libc.prctl
        self._prctl.argtypes = [ctypes.c_int, ctypes.c_ulong, ctypes.c_ulong, ctypes.c_ulong, ctypes.c_ulong]
        self._prctl.restype = ctypes.c_int

    def install(self) -> None:
        """Raises OSError when the kernel refuses."""
        # No new privileges (setuid binaries) is what lets an unprivileged process install a filter.
        self._call(_PR_SET_NO_NEW_PRIVS, 1, 0)
        self._call(_PR_SET_SECCOMP, _SECCOMP_MODE_FILTER, ctypes.addressof(self._prog))

    def _call(self, option: int, arg2: int, arg3: int) -> None:
        if self._prctl(option, arg2, arg3, 0, 0) != 0:
            err = ctypes.get_errno()
            raise OSError(err, f"prctl({option}) failed: {os.strerror(err)}")


def prepare() -> Fence | str:
    """The fence for this machine, or why there is none (another OS or architecture)."""
    if sys.platform != "linux":
        return f"seccomp is Linux-only and this is {sys.platform}"
    machine = os.uname().machine
    arch = _ARCHES.get(machine)
    if arch is None or sys.maxsize < 2**32:
        return f"the seccomp filter is written for 64-bit x86_64 and aarch64 processes, not {machine}"
    return Fence(program(arch))


@functools.cache
def unavailable() -> str | None:
    """Why no kernel fence can be had here (None: it can), found once per process and then said in the log."""
    reason = _why_not()
    if reason is not None:
        logging.getLogger(__name__).warning(
            "no kernel fence for the sandbox: %s; a traced program that starts a process without an audit "
            "event (e.g. _posixsubprocess.fork_exec) is not stopped (docs/tracer.md)", reason)
    return reason


def _why_not() -> str | None:
    fence = prepare()
    if isinstance(fence, str):
        return fence
    # Installing is irreversible, so it is tried in a short-lived interpreter, never in this one.
    try:
        probe = subprocess.run([sys.executable, "-c", f"from {__name__} import _probe; _probe()"],
                               capture_output=True, text=True, timeout=60, check=False)
    except subprocess.TimeoutExpired:
        return "trying the seccomp filter in a new interpreter took over 60 s"
    if probe.returncode == 0:
        return None
    last = probe.stderr.strip().splitlines()[-1:] or [f"exit code {probe.returncode}"]
    return f"the kernel refused the seccomp filter ({last[0]})"


def _probe() -> None:
    """Install the fence in this throw-away process, then show that it acts (mknodat refused with EPERM)."""
    fence = prepare()
    assert isinstance(fence, Fence), fence
    fence.install()
    try:
        os.mkfifo("/nonexistent-dir/fifo")
    except PermissionError:  # EPERM from the filter, before the kernel looks at the path
        return
    except OSError as e:
        raise SystemExit(f"the filter was installed but did not act (mkfifo: {e})") from e
