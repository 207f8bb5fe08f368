"""Re-trace stored records and compare: the check that a built dataset's traces are exact.

The reference is one fresh sandboxed child per program (``Sandbox.run_many`` with batch 1), which the
builder's batched tracing must match; a record cut to fit the token budget is compared with the new trace
cut the same way. ``scripts/check_dataset.py`` runs it on a sample of a dataset directory.
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Iterable, Iterator
from pathlib import Path

from codeexecutor.model.trace import Trace
from codeexecutor.training.learning.data import read_records
from codeexecutor.training.tracing.sandbox import DEFAULT_WORKERS
from codeexecutor.training.tracing.tracer import trace_many


def sample_records(data: Path, split: str, per_kind: int, seed: int = 0) -> list[dict]:
    """``per_kind`` records of each kind, drawn uniformly (reservoir sampling: one pass, flat memory)."""
    rng = random.Random(seed)
    seen: Counter = Counter()
    picked: dict[str, list[dict]] = {}
    for record in read_records(data, split):
        kind = record["kind"]
        seen[kind] += 1
        bucket = picked.setdefault(kind, [])
        if len(bucket) < per_kind:
            bucket.append(record)
        elif (j := rng.randrange(seen[kind])) < per_kind:
            bucket[j] = record
    return [r for kind in sorted(picked) for r in picked[kind]]


def as_stored(stored: dict, fresh: Trace) -> dict:
    """The fresh trace as the builder would have stored it (cut to the stored number of steps if it was)."""
    if stored["status"] == "steps" and stored["message"].startswith("cut to"):
        fresh = fresh.cut(len(stored["steps"]), stored["message"])
    return fresh.to_json()


def retrace(records: Iterable[dict], workers: int = DEFAULT_WORKERS) -> Iterator[tuple[dict, bool]]:
    """Each record with whether its stored trace is exactly what the tracer gives now."""
    records = list(records)
    fresh = trace_many(((r["program"], r["stdin"]) for r in records), workers=workers)
    for record, trace in zip(records, fresh, strict=True):
        yield record, as_stored(record["trace"], trace) == record["trace"]
