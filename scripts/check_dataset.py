"""Re-trace a random sample of a built dataset and count the stored traces that are exact.

Each sampled record's program is traced again with one fresh sandboxed child per program (no batches: the
reference the builder's batched tracing must match); a record cut to fit the token budget is compared with
the new trace cut the same way. Prints a table per kind, then one JSON line; exits 1 if any trace differs.

    .venv/bin/python scripts/check_dataset.py --data data/large [--sample 500] [--split train] [--seed 0]
"""

from __future__ import annotations

import argparse
import json
import random
import sys
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from model.trace import Trace
from training.data import shard_files
from training.tracer import trace_many


def sample(data: Path, split: str, per_kind: int, seed: int) -> list[dict]:
    """``per_kind`` records of each kind, drawn uniformly (reservoir sampling: one pass, flat memory)."""
    rng = random.Random(seed)
    seen: Counter = Counter()
    picked: dict[str, list[dict]] = {}
    for path in shard_files(data, split):
        with open(path, encoding="utf-8", newline="\n") as lines:
            for line in lines:
                record = json.loads(line)
                kind = record["kind"]
                seen[kind] += 1
                bucket = picked.setdefault(kind, [])
                if len(bucket) < per_kind:
                    bucket.append(record)
                elif (j := rng.randrange(seen[kind])) < per_kind:
                    bucket[j] = record
    return [r for kind in sorted(picked) for r in picked[kind]]


def expected(stored: dict, fresh: Trace) -> dict:
    """The fresh trace as the builder would have stored it (cut to the stored number of steps if it was)."""
    if stored["status"] == "steps" and stored["message"].startswith("cut to"):
        fresh = fresh.cut(len(stored["steps"]), stored["message"])
    return fresh.to_json()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, required=True)
    parser.add_argument("--split", default="train")
    parser.add_argument("--sample", type=int, default=500, help="records per kind")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    records = sample(args.data, args.split, args.sample, args.seed)
    fresh = trace_many((r["program"], r["stdin"]) for r in records)
    total: Counter = Counter()
    exact: Counter = Counter()
    for record, trace in zip(records, fresh, strict=True):
        total[record["kind"]] += 1
        if expected(record["trace"], trace) == record["trace"]:
            exact[record["kind"]] += 1
        else:
            print(f"differs: {record['id']}", file=sys.stderr)
    print(f"{'kind':12} {'sampled':>8} {'exact':>8}")
    for kind in sorted(total):
        print(f"{kind:12} {total[kind]:>8} {exact[kind]:>8}")
    print(json.dumps({"check": "dataset", "data": str(args.data), "split": args.split,
                      "sampled": dict(total), "exact": dict(exact)}))
    sys.exit(0 if exact == total else 1)


if __name__ == "__main__":
    main()
