"""Make a dataset directory of symlinks to the finished shards of others, so training can start (or resume)
on what is built while builds go on.

    python scripts/link_done_shards.py --out data/mix data/large [data/real ...]

A shard counts once its completion marker (``_done/<shard>.json``) exists. Relinking later adds the shards
finished since; training's token cache notices the new files (its fingerprint covers them).
"""

from __future__ import annotations

import argparse
from pathlib import Path

from codeexecutor.training.dataset.shards import DONE, SPLITS


def link(sources: list[Path], out: Path) -> int:
    n = 0
    for split in SPLITS:
        (out / split).mkdir(parents=True, exist_ok=True)
    for src in sources:
        for marker in sorted((src / DONE).glob("*.json")):
            for split in SPLITS:
                shard = (src / split / f"{marker.stem}.jsonl").resolve()
                target = out / split / f"{src.name}-{marker.stem}.jsonl"
                if shard.is_file() and not target.exists():
                    target.symlink_to(shard)
                    n += 1
    return n


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("sources", nargs="+", type=Path, help="dataset directories built by build-dataset")
    ap.add_argument("--out", type=Path, required=True)
    args = ap.parse_args()
    print(f"{link(args.sources, args.out)} shard files linked into {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
