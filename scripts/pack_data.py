"""Pack a dataset's train and valid splits into one small .tar.xz, for a GPU machine that cannot build it.

    .venv/bin/python scripts/pack_data.py --data data/large [--out data/large.tar.xz]

Why: the device tool carries at most 64 MiB of files to its GPU machine, which reaches no package registry
(no `algorithms` corpus) and runs another Python (3.12, whose traces can differ from 3.11's). data/large is
1.5 GB, but training reads only a record's kind, program, stdin and text (``TRAINING_FIELDS``), and the
mutants of one program compress against each other. Unpacked (`tar -xJf data/large.tar.xz -C data`), it is a
dataset directory with the same shard names that `codeexecutor train` tokenizes to the same arrays.
"""

from __future__ import annotations

import argparse
import json
import sys
import tarfile
import tempfile
from pathlib import Path

from tqdm import tqdm

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from codeexecutor.training.learning.data import TRAINING_FIELDS, shard_files

CARRY_LIMIT_MIB = 64


def slim_shard(src: Path, dst: Path) -> int:
    """Write ``src``'s records with only the fields training reads; the number of records."""
    n = 0
    with src.open(encoding="utf-8") as lines, dst.open("w", encoding="utf-8") as out:
        for line in lines:
            if line.strip():
                record = json.loads(line)
                missing = [k for k in TRAINING_FIELDS if k not in record]
                if missing:
                    raise SystemExit(f"pack_data: a record of {src} has no {', '.join(missing)}: not a dataset "
                                     "shard (build one with `codeexecutor build-dataset`)")
                out.write(json.dumps({k: record[k] for k in TRAINING_FIELDS}) + "\n")
                n += 1
    return n


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", type=Path, required=True, help="a dataset directory (codeexecutor build-dataset)")
    ap.add_argument("--out", type=Path, help="default: the data directory's path + .tar.xz")
    ap.add_argument("--splits", nargs="+", default=["train", "valid"])
    args = ap.parse_args()
    out = args.out or args.data.with_name(args.data.name + ".tar.xz")
    shards = [p for split in args.splits for p in shard_files(args.data, split)]
    records = 0
    tmp_out = out.with_name(out.name + ".tmp")
    try:
        with tempfile.TemporaryDirectory(dir=out.parent) as tmp, tarfile.open(tmp_out, "w:xz") as tar:
            for src in tqdm(shards, desc="pack", unit="shard"):
                slim = Path(tmp) / src.name
                records += slim_shard(src, slim)
                tar.add(slim, arcname=f"{args.data.name}/{src.parent.name}/{src.name}")
                slim.unlink()
    except BaseException:
        tmp_out.unlink(missing_ok=True)  # no half-written pack left beside the data
        raise
    tmp_out.replace(out)
    mib = out.stat().st_size / 2**20
    print(f"{out}: {records:,} records in {len(shards)} shards, {mib:.1f} MiB")
    if mib > CARRY_LIMIT_MIB:
        print(f"pack_data: over the device tool's {CARRY_LIMIT_MIB} MiB carry limit; pack fewer splits or "
              "build a smaller dataset", file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()
