"""One adversarial program per property of the sandbox: each asserts the status and that nothing outside the
sandbox changed (canary files in pytest's tmp_path, the sandbox still answering)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from codeexecutor.training.tracing.sandbox import Limits, Sandbox, batchable

FAST = Limits(wall_seconds=0.5, grace_seconds=0.5, cpu_seconds=1, memory_mb=256)


@pytest.fixture(scope="module")
def sandbox():
    with Sandbox(workers=1) as s:
        yield s


@pytest.fixture
def canary(tmp_path: Path) -> Path:
    path = tmp_path / "canary.txt"
    path.write_text("alive")
    return path


def _untouched(canary: Path) -> None:
    assert canary.read_text() == "alive"
    assert sorted(p.name for p in canary.parent.iterdir()) == ["canary.txt"]


def test_infinite_loop_is_cut_by_the_step_limit(sandbox: Sandbox) -> None:
    trace = sandbox.run("while True:\n    pass\n", limits=FAST)
    assert trace.status == "steps"
    assert len(trace.steps) == FAST.max_steps


def test_infinite_loop_without_step_limit_times_out_with_its_partial_trace(sandbox: Sandbox) -> None:
    # A generous grace: on a loaded machine, sending ~10^5 steps can take a while.
    limits = Limits(wall_seconds=0.5, grace_seconds=5, max_steps=10**9)
    trace = sandbox.run("i = 0\nwhile True:\n    i += 1\n", limits=limits)
    assert trace.status == "timeout"
    assert trace.message == "the program ran past 0.5s of wall-clock time (Limits.wall_seconds)"
    assert len(trace.steps) > 10  # the soft alarm sent what was recorded so far


def test_cpu_hog_in_one_c_call_is_killed(sandbox: Sandbox) -> None:
    trace = sandbox.run("x = 10 ** 10 ** 8\n", limits=FAST)
    assert trace.status == "timeout"
    assert trace.steps == []  # killed from outside: nothing could be sent
    assert sandbox.run("y = 1\n").status == "ok"


def test_fork_bomb_is_forbidden(sandbox: Sandbox) -> None:
    trace = sandbox.run("import os\nwhile True:\n    os.fork()\n", limits=FAST)
    assert trace.status == "forbidden"
    assert trace.message == "forbidden: forking (os.fork)"
    assert [s.line for s in trace.steps] == [1, 2]


def test_memory_bomb(sandbox: Sandbox) -> None:
    source = "chunks = []\nwhile True:\n    chunks.append(' ' * 10**8)\n"
    trace = sandbox.run(source, limits=Limits(memory_mb=256))
    assert trace.status == "memory"
    assert trace.message == "MemoryError"
    assert trace.steps[-1].exception == "MemoryError"


def test_a_growing_bytearray_is_a_memory_bomb_not_a_timeout(sandbox: Sandbox) -> None:
    # Each step renders `data`: it must cost what is shown, not the 10 MB more of every step.
    source = "data = bytearray()\nwhile True:\n    data += bytearray(10**7)\n"
    trace = sandbox.run(source, limits=Limits(memory_mb=256))
    assert (trace.status, trace.message) == ("memory", "MemoryError")
    assert trace.steps[-1].state == {"data": "bytearray(b'" + "\\x00" * 21 + "\\x0…"}


def test_one_huge_allocation(sandbox: Sandbox) -> None:
    trace = sandbox.run("x = [0] * 10**10\n", limits=FAST)
    assert (trace.status, trace.message) == ("memory", "MemoryError")


def test_deleting_a_file_outside_is_forbidden(sandbox: Sandbox, canary: Path) -> None:
    trace = sandbox.run(f"import os\nos.remove({str(canary)!r})\n", limits=FAST)
    assert trace.status == "forbidden"
    assert trace.message.startswith("forbidden: removing a file outside the sandbox's work directory")
    _untouched(canary)


def test_removing_a_tree_outside_is_forbidden(sandbox: Sandbox, canary: Path) -> None:
    trace = sandbox.run(f"import shutil\nshutil.rmtree({str(canary.parent)!r})\n", limits=FAST)
    assert trace.status == "forbidden"
    _untouched(canary)


def test_writing_a_file_outside_is_forbidden(sandbox: Sandbox, canary: Path) -> None:
    target = canary.parent / "new.txt"
    for source in (f"open({str(target)!r}, 'w').write('x')\n", f"open({str(canary)!r}, 'a').write('x')\n",
                   f"import os\nos.open({str(target)!r}, os.O_CREAT | os.O_WRONLY)\n"):
        trace = sandbox.run(source, limits=FAST)
        assert trace.status == "forbidden", source
        assert "outside the sandbox's work directory" in trace.message
    _untouched(canary)


def test_files_inside_the_work_directory_are_fine(sandbox: Sandbox) -> None:
    source = ("import os\nwith open('note.txt', 'w') as f:\n    f.write('hi')\n"
              "text = open('note.txt').read()\nos.remove('note.txt')\nleft = os.listdir('.')\n")
    trace = sandbox.run(source, limits=FAST)
    assert trace.status == "ok"
    assert trace.steps[-1].state == {"f": trace.steps[-1].state["f"], "text": "'hi'", "left": "[]"}


def test_sockets_are_forbidden(sandbox: Sandbox) -> None:
    trace = sandbox.run("import socket\ns = socket.socket()\ns.connect(('127.0.0.1', 9))\n", limits=FAST)
    assert (trace.status, trace.message) == ("forbidden", "forbidden: opening a socket (socket.__new__)")


def test_os_system_is_forbidden(sandbox: Sandbox, canary: Path) -> None:
    trace = sandbox.run(f"import os\nos.system('rm {canary}')\n", limits=FAST)
    assert (trace.status, trace.message) == ("forbidden", "forbidden: running a shell command (os.system)")
    _untouched(canary)


def test_subprocess_is_forbidden(sandbox: Sandbox, canary: Path) -> None:
    trace = sandbox.run(f"import subprocess\nsubprocess.run(['rm', {str(canary)!r}])\n", limits=FAST)
    assert (trace.status, trace.message) == ("forbidden", "forbidden: starting a process (subprocess.Popen)")
    _untouched(canary)


def test_killing_the_parent_is_forbidden(sandbox: Sandbox) -> None:
    trace = sandbox.run("import os, signal\nos.kill(os.getppid(), signal.SIGKILL)\n", limits=FAST)
    assert (trace.status, trace.message) == ("forbidden", "forbidden: sending a signal (os.kill)")
    assert sandbox.run("x = 1\n").status == "ok"


def test_ctypes_is_forbidden(sandbox: Sandbox) -> None:
    trace = sandbox.run("import ctypes\nctypes.CDLL(None)\n", limits=FAST)
    assert trace.status == "forbidden"
    assert trace.message.startswith("forbidden: ctypes")


def test_deep_recursion_is_a_recursion_error(sandbox: Sandbox) -> None:
    trace = sandbox.run("def f(n):\n    return f(n + 1)\nf(0)\n", limits=FAST)
    assert trace.status == "error"
    assert trace.message == "RecursionError: maximum recursion depth exceeded"
    assert len(trace.steps) == 1 + (FAST.recursion_limit - 1) + 1  # def, every f frame, the module's call


def test_a_hundred_megabytes_of_output(sandbox: Sandbox) -> None:
    trace = sandbox.run("while True:\n    print('x' * 10**6)\n", limits=Limits(max_steps=10**9))
    assert trace.status == "output"
    assert trace.message == "the program printed more than 1000000 bytes (Limits.max_output_bytes)"
    assert len(trace.stdout) <= 1_000_000
    assert sandbox.run("print('x' * 10**8)\n").status == "output"


def test_sys_exit_3_is_an_error(sandbox: Sandbox) -> None:
    trace = sandbox.run("import sys\nsys.exit(3)\n", limits=FAST)
    assert (trace.status, trace.message) == ("error", "SystemExit: 3")


def test_reading_past_stdin_is_an_eof_error(sandbox: Sandbox) -> None:
    trace = sandbox.run("a = input()\nb = input()\n", "one\n", limits=FAST)
    assert (trace.status, trace.message) == ("error", "EOFError: EOF when reading a line")
    assert trace.steps[0].state == {"a": "'one'"}


def test_catching_base_exception_does_not_escape_containment(sandbox: Sandbox, canary: Path) -> None:
    source = (f"import os\ntry:\n    os.remove({str(canary)!r})\nexcept BaseException:\n    pass\n"
              "print('survived')\n")
    trace = sandbox.run(source, limits=FAST)
    assert trace.status == "forbidden"
    assert trace.stdout == ""
    _untouched(canary)
    looping = ("while True:\n    try:\n        while True:\n            pass\n"
               "    except BaseException:\n        pass\n")
    trace = sandbox.run(looping, limits=Limits(wall_seconds=0.5, grace_seconds=0.5, max_steps=10**9))
    assert trace.status == "timeout"


def test_blinding_the_tracer_is_forbidden(sandbox: Sandbox) -> None:
    trace = sandbox.run("import sys\nsys.settrace(None)\nx = 1\n", limits=FAST)
    assert trace.status == "forbidden"
    assert trace.message.endswith("(sys.settrace)")


def test_a_crash_is_reported_not_raised(sandbox: Sandbox) -> None:
    trace = sandbox.run("import faulthandler\nfaulthandler._sigsegv()\n", limits=FAST)
    assert trace.status == "memory"
    assert "SIGSEGV" in trace.message


def test_os_exit_is_reported(sandbox: Sandbox) -> None:
    trace = sandbox.run("import os\nos._exit(0)\n", limits=FAST)
    assert trace.status == "forbidden"
    assert trace.message.startswith("the program ended its process (exit code 0) without unwinding")


def test_unseeded_random_numbers_are_the_same_in_every_zygote() -> None:
    program = "import random\nx = random.randint(1, 10 ** 9)\n"
    with Sandbox(workers=2) as a, Sandbox(workers=1) as b:
        states = {t.steps[-1].state["x"] for t in a.run_many([(program, "")] * 4)}
        states.add(b.run(program).steps[-1].state["x"])
    assert len(states) == 1


def test_a_dead_zygote_is_replaced() -> None:
    with Sandbox(workers=1) as own:
        zygote = own._all[0]
        zygote.proc.kill()
        zygote.proc.wait()
        assert own.run("x = 1\n").steps[0].state == {"x": "1"}
        assert own._all[0] is not zygote


def test_a_nul_in_a_path_fails_as_in_python(sandbox: Sandbox) -> None:
    trace = sandbox.run("open('a\\0b', 'w')\n", limits=FAST)
    assert (trace.status, trace.message) == ("error", "ValueError: embedded null byte")


def test_limits_are_validated() -> None:
    with pytest.raises(ValueError, match=r"Limits\.wall_seconds must be a positive number"):
        Limits(wall_seconds=0)


# ---------------------------------------------------------------------------------------------------------
# Batches: consecutive import-free programs share a child, and get the traces a child of their own gives.


def test_batched_programs_share_a_child_until_one_changes_the_interpreter(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PYTHONPATH", str(Path(__file__).resolve().parents[1]))  # the runner lives in tests/
    jobs = ["a = 1", "b = 2", "leak", "c = 3", "import math", "d = 4", "e = 5"]
    with Sandbox(workers=1, runner="tests.sandbox_runners:pid_runner") as own:
        pids = [t.stdout for t in own.run_batch([(j, "") for j in jobs])]
    a, b, leak, c, imports, d, e = pids
    assert a == b == leak  # one child for the first three
    assert c not in (a, imports, d)  # `leak` changed builtins: a new child for the rest
    assert imports not in (a, c, d)  # a program that imports runs alone
    assert d == e


@pytest.mark.parametrize(("source", "alone"), [
    ("class Stack:\n    def __init__(self):\n        self.items = []\n", False),  # the one dunder allowed
    ("class Stack:\n    def __init__(self):\n        self.k = self.__class__\n", True),
    ("s = Stack()\ns.__init__()\n", True),  # naming __init__ elsewhere than its definition
    ("class A:\n    def __init__(self, n):\n        self.n = n\nclass B:\n    def __init__(self):\n        pass\n",
     False),
    ("impdef __init__(ort", True),  # what is left once the definitions are taken out is what counts
])
def test_which_programs_share_a_child(source: str, alone: bool) -> None:
    assert batchable(source) is not alone


def test_a_batch_gives_the_traces_of_one_child_per_program(sandbox: Sandbox) -> None:
    ordinary = Path(__file__).parent / "programs" / "ordinary"
    jobs = []
    for path in sorted(ordinary.glob("*.py")):
        stdin = path.with_suffix(".stdin")
        jobs.append((path.read_text(), stdin.read_text() if stdin.exists() else ""))
    # A program stopped by each limit in the middle: the child ends, the next ones go to a new child.
    # (A wall-clock timeout inside one C call: killed by the zygote, so its trace does not depend on timing.)
    jobs[3:3] = [("while True:\n    pass\n", ""), ("x = sum(range(10 ** 10))\n", "")]
    jobs[8:8] = [("print('x' * 2_000_000)\n", "")]
    limits = Limits(wall_seconds=0.5, grace_seconds=0.5, cpu_seconds=5, memory_mb=256, max_steps=1000)
    alone = [sandbox.run(source, stdin, limits).dumps() for source, stdin in jobs]
    together = [t.dumps() for t in sandbox.run_batch(jobs, limits)]
    assert together == alone
    statuses = [json.loads(t)["status"] for t in together]
    assert statuses[3:5] == ["steps", "timeout"] and statuses[8] == "output"


def test_each_program_of_a_batch_gets_the_whole_cpu_limit(sandbox: Sandbox) -> None:
    # ~0.6 s of CPU each in one C call: together they use more than cpu_seconds, and none is cut.
    busy = "n = sum(range(30_000_000))\n"
    traces = sandbox.run_batch([(busy, "")] * 3, Limits(wall_seconds=3, cpu_seconds=1))
    assert [(t.status, t.steps[0].state) for t in traces] == [("ok", {"n": "449999985000000"})] * 3
