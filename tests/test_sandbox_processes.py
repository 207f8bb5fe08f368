"""Every way we know for a traced program to start a process: none may start one or write outside the work
directory (each would create a marker file in pytest's tmp_path), and the trace never says ``ok``.

The audit hook (training/tracing/guard.py) stops what Python reports; the kernel fence
(training/tracing/fence.py) stops what it does not, e.g. ``_posixsubprocess.fork_exec``.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

from codeexecutor.training.tracing import fence, tracer_cli
from codeexecutor.training.tracing.sandbox import Limits, Sandbox

FAST = Limits(wall_seconds=1.0, grace_seconds=1.0, cpu_seconds=1, memory_mb=256)
FENCED = fence.unavailable() is None
needs_fence = pytest.mark.skipif(not FENCED, reason=f"no kernel fence here: {fence.unavailable()}")
KERNEL_FENCE = ("forbidden", "forbidden: starting a process (the kernel fence stopped an exec, fork or clone "
                             "system call; training/tracing/fence.py)")


@pytest.fixture(scope="module")
def sandbox():
    with Sandbox(workers=1) as s:
        yield s


@pytest.fixture
def marker(tmp_path: Path) -> Path:
    return tmp_path / "marker"


def _touch(marker: Path) -> str:
    """A command line, as a Python list literal, that creates ``marker``."""
    return repr([sys.executable, "-c", f"open({str(marker)!r}, 'w').close()"])


def _fork_exec(function: str, marker: Path) -> str:
    # CPython 3.11's signature: args, executable_list, close_fds, pass_fds, cwd, env, six stdio fds, the error
    # pipe, restore_signals, call_setsid, pgid_to_set, gid, extra_groups, uid, child_umask, preexec_fn,
    # allow_vfork.
    return (f"import os\nr, w = os.pipe()\ncmd = {_touch(marker)}\n"
            f"pid = {function}([os.fsencode(c) for c in cmd], [os.fsencode(cmd[0])], True, (), None, None,"
            f" -1, -1, -1, -1, -1, -1, r, w, False, False, -1, None, None, None, -1, None, False)\n"
            "os.waitpid(pid, 0)\n")


def _run(sandbox: Sandbox, source: str, marker: Path) -> tuple[str, str]:
    trace = sandbox.run(source, limits=FAST)
    assert not marker.exists(), f"the program started a process: {source}"
    assert sandbox.run("x = 1\n").status == "ok"  # and the sandbox is still answering
    return trace.status, trace.message


def test_importing_posixsubprocess_is_forbidden(sandbox: Sandbox, marker: Path) -> None:
    source = "import _posixsubprocess\n" + _fork_exec("_posixsubprocess.fork_exec", marker)
    assert _run(sandbox, source, marker) == (
        "forbidden", "forbidden: importing _posixsubprocess (it starts processes without an audit event) (import)")


@pytest.mark.parametrize("how", ["exec('import _posixsubprocess')",
                                 "import importlib\nimportlib.import_module('_posixsubprocess')",
                                 "__import__('_posixsubprocess')"])
def test_importing_posixsubprocess_indirectly_is_forbidden(sandbox: Sandbox, marker: Path, how: str) -> None:
    status, message = _run(sandbox, how + "\n", marker)
    assert (status, message) == (
        "forbidden", "forbidden: importing _posixsubprocess (it starts processes without an audit event) (import)")


@needs_fence
def test_fork_exec_through_the_subprocess_module_is_stopped_by_the_kernel(sandbox: Sandbox, marker: Path) -> None:
    # The issue's program: no audit event at all. Only the seccomp filter sees the vfork/clone/exec.
    source = "import subprocess\n" + _fork_exec("subprocess._fork_exec", marker)
    assert _run(sandbox, source, marker) == KERNEL_FENCE


@pytest.mark.parametrize(("name", "source", "message"), [
    ("os.posix_spawn", "import os\nos.posix_spawn(CMD[0], CMD, {})\n",
     "forbidden: starting a process (os.posix_spawn)"),
    ("os.execv", "import os\nos.execv(CMD[0], CMD)\n", "forbidden: replacing the process (os.exec*) (os.exec)"),
    ("os.system", "import os\nos.system(' '.join(CMD))\n", "forbidden: running a shell command (os.system)"),
    ("subprocess.run", "import subprocess\nsubprocess.run(CMD)\n", "forbidden: starting a process (subprocess.Popen)"),
    ("pty.spawn", "import pty\npty.spawn(CMD)\n", "forbidden: forking (os.forkpty)"),
    ("multiprocessing", "import multiprocessing, os\np = multiprocessing.Process(target=os.execv, args=(CMD[0], CMD))\n"
                        "p.start()\np.join()\n", "forbidden: forking (os.fork)"),
    ("ctypes fork", "import ctypes\nctypes.CDLL(None).fork()\n", "forbidden: ctypes (foreign memory and functions) "
                                                                 "is not allowed in the sandbox (ctypes.dlopen)"),
    ("ctypes system", "import ctypes\nctypes.CDLL(None).system(b'true')\n",
     "forbidden: ctypes (foreign memory and functions) is not allowed in the sandbox (ctypes.dlopen)"),
])
def test_every_way_to_start_a_process_is_forbidden(sandbox: Sandbox, marker: Path, name: str, source: str,
                                                   message: str) -> None:
    assert _run(sandbox, f"CMD = {_touch(marker)}\n" + source, marker) == ("forbidden", message)


def test_shared_memory_outside_the_work_directory_is_forbidden(sandbox: Sandbox) -> None:
    name = f"codeexecutor-test-{os.getpid()}"
    source = f"from multiprocessing import shared_memory\nshared_memory.SharedMemory({name!r}, create=True, size=8)\n"
    trace = sandbox.run(source, limits=FAST)
    assert (trace.status, trace.message) == (
        "forbidden", "forbidden: importing _posixshmem (it makes shared memory in /dev/shm without an audit "
                     "event) (import)")
    assert not Path("/dev/shm", name).exists()


@needs_fence
def test_a_fifo_cannot_be_made_anywhere(sandbox: Sandbox, tmp_path: Path) -> None:
    # os.mkfifo has no audit event: the kernel fence refuses mknod outright.
    trace = sandbox.run(f"import os\nos.mkfifo({str(tmp_path / 'fifo')!r})\n", limits=FAST)
    assert (trace.status, trace.message) == ("error", "PermissionError: [Errno 1] Operation not permitted")
    assert list(tmp_path.iterdir()) == []


def test_threads_still_run(sandbox: Sandbox) -> None:
    # clone3 fails with ENOSYS under the fence: glibc falls back to clone with CLONE_THREAD, which is allowed.
    source = ("import threading\nout = []\nt = threading.Thread(target=out.append, args=(7,))\nt.start()\n"
              "t.join()\n")
    trace = sandbox.run(source, limits=FAST)
    assert trace.status == "ok"
    assert trace.steps[-1].state["out"] == "[7]"


def test_subprocess_may_be_imported_but_not_used(sandbox: Sandbox) -> None:
    trace = sandbox.run("import subprocess\nx = subprocess.PIPE\n", limits=FAST)
    assert (trace.status, trace.steps[-1].state) == ("ok", {"x": "-1"})


@needs_fence
def test_codeexecutor_trace_reports_the_issue_program_as_forbidden(tmp_path: Path, marker: Path,
                                                                   capsys: pytest.CaptureFixture[str]) -> None:
    program = tmp_path / "p.py"
    program.write_text("import subprocess\n" + _fork_exec("subprocess._fork_exec", marker))
    parser = __import__("argparse").ArgumentParser()
    tracer_cli.add_arguments(parser)
    assert tracer_cli.run(parser.parse_args([str(program)])) == 0
    out = capsys.readouterr().out
    assert out.endswith("--- status ---\nforbidden: " + KERNEL_FENCE[1] + "\n")
    assert not marker.exists()
