"""Tutorial programs: the hand-written seed programs under ``training/dataset/seeds/tutorial``, one file each."""

from __future__ import annotations

from pathlib import Path

from codeexecutor.training.dataset.sources import SourceProgram

SEEDS_DIR = Path(__file__).resolve().parent.parent / "seeds" / "tutorial"


def load_seeds(root: Path | None = None) -> list[SourceProgram]:
    """Every ``*.py`` under ``root`` (default: the packaged seeds), sorted by file name."""
    root = SEEDS_DIR if root is None else Path(root)
    if not root.is_dir():
        raise FileNotFoundError(f"tutorial seeds: {root} is not a directory; pass the folder that holds the "
                                f"seed programs (the packaged ones are in {SEEDS_DIR})")
    paths = sorted(root.glob("*.py"))
    if not paths:
        raise FileNotFoundError(f"tutorial seeds: no *.py files in {root}; add seed programs there or pass "
                                f"another folder")
    return [
        SourceProgram(id=f"tutorial/{path.stem}", kind="tutorial", program=path.read_text(encoding="utf-8"),
                      origin=_origin(path))
        for path in paths
    ]


def _origin(path: Path) -> str:
    """The path relative to the repository when it lies inside it, so origins match across machines."""
    repo = SEEDS_DIR.parents[3]  # training/dataset/seeds/tutorial
    resolved = path.resolve()
    return str(resolved.relative_to(repo)) if resolved.is_relative_to(repo) else str(path)
