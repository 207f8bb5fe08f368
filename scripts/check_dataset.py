"""Re-trace a random sample of a built dataset and count the stored traces that are exact.

Each sampled record's program is traced again in a fresh sandboxed child (training/dataset/verify.py). Prints a
table per kind, then one JSON line; exits 1 if any trace differs (their ids go to stderr).

    .venv/bin/python scripts/check_dataset.py --data data/large [--sample 500] [--split train] [--seed 0]
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from codeexecutor.training.dataset.verify import retrace, sample_records


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, required=True)
    parser.add_argument("--split", default="train")
    parser.add_argument("--sample", type=int, default=500, help="records per kind")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    total: Counter = Counter()
    exact: Counter = Counter()
    for record, ok in retrace(sample_records(args.data, args.split, args.sample, args.seed)):
        total[record["kind"]] += 1
        exact[record["kind"]] += ok
        if not ok:
            print(f"differs: {record['id']}", file=sys.stderr)
    print(f"{'kind':12} {'sampled':>8} {'exact':>8}")
    for kind in sorted(total):
        print(f"{kind:12} {total[kind]:>8} {exact[kind]:>8}")
    print(json.dumps({"check": "dataset", "data": str(args.data), "split": args.split,
                      "sampled": dict(total), "exact": dict(exact)}))
    sys.exit(0 if exact == total else 1)


if __name__ == "__main__":
    main()
