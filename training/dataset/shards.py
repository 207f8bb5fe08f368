"""A built dataset's files: one JSONL file per split and shard, and a marker per finished shard.

``DIR/<split>/<kind>-<shard>.jsonl`` holds the records; ``DIR/_done/<kind>-<shard>.json`` (counts and a
summary) says the shard is finished. A shard without its marker is rebuilt by a rerun.
"""

from __future__ import annotations

import json
import os
from collections import Counter
from pathlib import Path

from codeexecutor.training.dataset import stats
from codeexecutor.training.dataset.structure import Description

SPLITS = ("train", "valid", "test")
DONE = "_done"


def write_atomic(path: Path, text: str) -> None:
    """Write ``path`` so that a reader sees the old file or the whole new one, never a part."""
    tmp = path.with_name(f"{path.name}.tmp-{os.getpid()}")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)


class ShardWriter:
    """A shard's split files, written record by record under temporary names (memory stays flat however
    large the shard); ``commit`` renames them into place, then writes the marker: a shard is done iff its
    marker exists. Left uncommitted (an error, a kill), only temporary files remain, which a rerun deletes."""

    def __init__(self, out: Path, name: str) -> None:
        self.out, self.name = out, name
        self.summary = stats.Summary(structure=True)
        self.files = {}
        for split in SPLITS:
            (out / split).mkdir(parents=True, exist_ok=True)
            self.files[split] = open(self._tmp(split), "w", encoding="utf-8")  # noqa: SIM115 -- closed in commit

    def _tmp(self, split: str) -> Path:
        return self.out / split / f"{self.name}.jsonl.tmp-{os.getpid()}"

    def add(self, record: dict, described: Description | None = None) -> None:
        self.files[record["split"]].write(json.dumps(record, ensure_ascii=False) + "\n")
        self.summary.add(record, described)

    def commit(self, counts: Counter) -> None:
        for split, f in self.files.items():
            f.close()
            os.replace(self._tmp(split), self.out / split / f"{self.name}.jsonl")
        marker = {"counts": dict(counts), "summary": self.summary.to_json()}
        (self.out / DONE).mkdir(parents=True, exist_ok=True)
        write_atomic(self.out / DONE / f"{self.name}.json", json.dumps(marker, indent=1, sort_keys=True))

    def discard(self) -> None:
        for split, f in self.files.items():
            f.close()
            self._tmp(split).unlink(missing_ok=True)
