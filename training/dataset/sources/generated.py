"""Generated programs: small typed random functions, classes and scripts (training/dataset/generator/).

Program ``i`` of a seed depends only on ``(seed, i)`` (its own ``random.Random``), so any shard can be
built alone and ``generate(n, seed)`` is a prefix of ``generate(m, seed)`` for ``n < m``.
``SourceProgram.origin`` is ``"generated/<shape>"``.
"""

from __future__ import annotations

import random
from collections.abc import Iterator

from codeexecutor.training.dataset.generator.shapes import program
from codeexecutor.training.dataset.sources import SourceProgram


def generate(n: int, seed: int) -> Iterator[SourceProgram]:
    """Yield ``n`` generated programs; the same (n, seed) always gives the same programs."""
    if n < 0 or seed < 0:
        raise ValueError(f"generated.generate: n and seed must be >= 0, got n={n}, seed={seed}")
    for i in range(n):
        yield generated(seed, i)


def generated(seed: int, i: int) -> SourceProgram:
    """Program ``i`` of ``seed`` (what ``generate`` yields at position ``i``)."""
    code, shape = program(random.Random(f"generated:{seed}:{i}"))
    return SourceProgram(id=f"generated/{seed}-{i:07d}", kind="generated", program=code,
                         origin=f"generated/{shape}")
