"""scripts/link_done_shards.py: combining the finished shards of several builds into one training directory."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from codeexecutor.training.dataset.shards import DONE, SPLITS

ROOT = Path(__file__).resolve().parent.parent


def make_build(root: Path, name: str, shards: dict[str, bool]) -> Path:
    """A dataset directory with one line per split file; ``shards`` maps a shard to whether it is finished."""
    d = root / name
    (d / DONE).mkdir(parents=True)
    for shard, done in shards.items():
        for split in SPLITS:
            (d / split).mkdir(exist_ok=True)
            (d / split / f"{shard}.jsonl").write_text(f'{{"from": "{name}/{split}/{shard}"}}\n')
        if done:
            (d / DONE / f"{shard}.json").write_text("{}")
    return d


def run_link(*args: str) -> str:
    proc = subprocess.run([sys.executable, str(ROOT / "scripts" / "link_done_shards.py"), *args],
                          capture_output=True, text=True, check=True)
    return proc.stdout


def test_include_keeps_only_the_matching_finished_shards(tmp_path: Path) -> None:
    mix = make_build(tmp_path, "mix", {"generated-00000": True, "codenet-00000": True, "singleline-00000": False})
    big = make_build(tmp_path, "gen2m", {"generated-00000": True, "codenet-00000": True})
    out = tmp_path / "mix8"

    printed = run_link("--out", str(out), str(mix), str(big), "--include", "mix/generated-*", "mix/singleline-*",
                       "gen2m/codenet-*")

    assert printed == f"6 shard files linked into {out}\n"
    for split in SPLITS:
        assert sorted(p.name for p in (out / split).iterdir()) == ["gen2m-codenet-00000.jsonl",
                                                                   "mix-generated-00000.jsonl"]
        assert (out / split / "gen2m-codenet-00000.jsonl").read_text() == \
            f'{{"from": "gen2m/{split}/codenet-00000"}}\n'


def test_without_include_every_finished_shard_is_linked_once(tmp_path: Path) -> None:
    mix = make_build(tmp_path, "mix", {"generated-00000": True, "codenet-00000": True})
    out = tmp_path / "all"

    assert run_link("--out", str(out), str(mix)) == f"6 shard files linked into {out}\n"
    assert run_link("--out", str(out), str(mix)) == f"0 shard files linked into {out}\n"
    assert sorted(p.name for p in (out / "train").iterdir()) == ["mix-codenet-00000.jsonl",
                                                                 "mix-generated-00000.jsonl"]
