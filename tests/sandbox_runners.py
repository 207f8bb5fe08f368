"""Runners for tests/test_sandbox.py that show which child ran a job (loaded by the zygotes by name)."""

from __future__ import annotations

import builtins
import os
from typing import Any

from codeexecutor.model.trace import Trace


def pid_runner(source: str, stdin: str, limits: Any, guard: Any) -> Trace:
    """A trace whose stdout is the child's pid; the program ``leak`` leaves a name in builtins."""
    if source == "leak":
        builtins.leaked = True
    return Trace(stdout=str(os.getpid()))
