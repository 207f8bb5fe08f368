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
from codeexecutor.training.dataset.programs import dedup_key, normalized
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


def dedupe_across_shards(out: Path, kind: str, names: list[str]) -> int:
    """Remove records whose code and stdin appear in an earlier shard; return how many the build lost so.

    Streams every shard once (flat memory: only the keys are kept). Safe to rerun after a kill: shard files
    are replaced atomically, the count is the markers' record counts (written with the shards, never
    changed) minus what is left, and the summaries of what is left go to DIR/_done/final/<kind>.json,
    written last, which the report prefers to the markers'.
    """
    seen: set[str] = set()
    written = kept_total = 0
    summaries = {}
    for name in names:
        written += json.loads((out / DONE / f"{name}.json").read_text())["summary"]["records"]
        summary = stats.Summary()
        for split in SPLITS:
            path = out / split / f"{name}.jsonl"
            tmp = path.with_name(f"{path.name}.tmp-{os.getpid()}")
            dropped = 0
            # newline="\n": JSON strings may hold U+2028 and friends unescaped, which must not split lines.
            with (open(path, encoding="utf-8", newline="\n") as src,
                  open(tmp, "w", encoding="utf-8") as dst):
                for line in src:
                    record = json.loads(line)
                    key = record.get("dedup") or dedup_key(normalized(record["program"]) or record["program"],
                                                           record["stdin"])  # builds from before "dedup"
                    if key in seen:
                        dropped += 1
                        continue
                    seen.add(key)
                    dst.write(line)
                    summary.add(record)
            if dropped:
                os.replace(tmp, path)
            else:
                tmp.unlink()
        kept_total += summary.records
        summaries[name] = summary.to_json()
    removed = written - kept_total
    (out / DONE / "final").mkdir(parents=True, exist_ok=True)
    final = {"removed_duplicates": removed, "summaries": summaries}
    write_atomic(out / DONE / "final" / f"{kind}.json", json.dumps(final, indent=1, sort_keys=True))
    return removed
