"""Make a dataset directory of symlinks to the finished shards of others, so training can start (or resume)
on what is built while builds go on.

    python scripts/link_done_shards.py --out data/mix data/large [data/real ...]
    python scripts/link_done_shards.py --out data/mix8 data/mix data/gen2m \
        --include 'mix/generated-*' 'mix/singleline-*' 'mix/tutorial-*' 'gen2m/codenet-*'

A shard counts once its completion marker (``_done/<shard>.json``) exists. Relinking later adds the shards
finished since; training's token cache notices the new files (its fingerprint covers them). ``--include``
keeps only the shards whose ``<dataset dir name>/<shard>`` matches one of its glob patterns, to combine
kinds from different builds. Every build splits records by the same function of the program, so the
combination has no train/test leakage as long as the builds' test splits are not trained on.
"""

from __future__ import annotations

import argparse
from fnmatch import fnmatch
from pathlib import Path

from codeexecutor.training.dataset.shards import DONE, SPLITS


def link(sources: list[Path], out: Path, include: list[str] | None = None) -> int:
    """Symlink every finished shard of ``sources`` (those matching ``include``, if given) into ``out``."""
    n = 0
    for split in SPLITS:
        (out / split).mkdir(parents=True, exist_ok=True)
    for src in sources:
        for marker in sorted((src / DONE).glob("*.json")):
            if include and not any(fnmatch(f"{src.name}/{marker.stem}", pat) for pat in include):
                continue
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
    ap.add_argument("--include", nargs="+", metavar="GLOB",
                    help="link only shards whose '<dataset dir name>/<shard>' matches (e.g. 'mix/generated-*')")
    args = ap.parse_args()
    print(f"{link(args.sources, args.out, args.include)} shard files linked into {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
