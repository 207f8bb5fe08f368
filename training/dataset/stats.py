"""The dataset report: DIR/stats.md (tables) and DIR/stats.png (charts) from the shards' markers.

Each shard's completion marker holds its build counts (program outcomes, mutant drop reasons, cuts) and a
summary of its records (counts per split, operator and status, length and step histograms; the constructs
the programs use and their structure hashes, training/dataset/structure.py), so the report never has to
re-read a million records.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable
from pathlib import Path

from codeexecutor.training.dataset.structure import CONSTRUCTS, Description, describe

LENGTH_BIN = 256  # characters of program + trace text per histogram bar
STEPS_BIN = 8


class Summary:
    """Counts of a set of records, added one record at a time, in a form that adds up across shards.

    With ``structure``, also the constructs each program uses and the set of its structure hashes (about
    1 ms a record: the shards pay it in parallel; the pass after deduplication, which only removes exact
    copies, keeps the shards' figures).
    """

    def __init__(self, structure: bool = False) -> None:
        self.records = 0
        self.counts: dict[str, Counter] = {k: Counter() for k in ("split", "operator", "status", "length",
                                                                  "steps", "construct")}
        self.structure = structure
        self.structures: set[str] = set()

    def add(self, r: dict, described: Description | None = None) -> None:
        """Count ``r``; ``described``: ``describe(r["program"])`` when the caller already has it."""
        c = self.counts
        self.records += 1
        c["split"][r["split"]] += 1
        # A stacked mutant ("number+index") counts under each operator it used.
        for op in r["operator"].split("+"):
            c["operator"][op] += 1
        c["status"][r["trace"]["status"]] += 1
        c["length"][str(r["length"] // LENGTH_BIN * LENGTH_BIN)] += 1
        c["steps"][str(len(r["trace"]["steps"]) // STEPS_BIN * STEPS_BIN)] += 1
        if self.structure:
            digest, found = described if described is not None else describe(r["program"])
            c["construct"].update(found)
            if digest is not None:
                self.structures.add(digest)

    def to_json(self) -> dict:
        out = {"records": self.records, **{k: dict(v) for k, v in self.counts.items()}}
        if self.structure:
            out["structures"] = sorted(self.structures)
        else:
            del out["construct"]
        return out


def summarize(records: Iterable[dict]) -> dict:
    """The ``Summary`` of ``records`` as JSON."""
    summary = Summary()
    for r in records:
        summary.add(r)
    return summary.to_json()


def merge(markers: Iterable[dict]) -> tuple[dict[str, Counter], Counter]:
    """The summaries and the build counts of many shards added up (``totals["structures"]``: the distinct
    structure hashes, each counted once)."""
    totals: dict[str, Counter] = {k: Counter() for k in ("split", "operator", "status", "length", "steps",
                                                         "construct")}
    counts: Counter = Counter()
    structures: set[str] = set()
    for m in markers:
        counts.update(m["counts"])
        for key in totals:
            totals[key].update(m["summary"].get(key, {}))  # markers from before constructs lack two keys
        structures.update(m["summary"].get("structures", ()))
    totals["structures"] = Counter(dict.fromkeys(structures, 1))
    return totals, counts


def _table(title: str, counter: Counter, by_key: bool = False) -> list[str]:
    rows = sorted(counter.items(), key=lambda kv: int(kv[0])) if by_key else counter.most_common()
    total = sum(counter.values()) or 1
    lines = [f"| {title} | count | share |", "|---|---:|---:|"]
    lines += [f"| {k} | {v} | {100 * v / total:.1f}% |" for k, v in rows]
    return [*lines, ""]


def _coverage(construct: Counter, records: int) -> list[str]:
    """The share of records whose program uses each construct (a program counts under each it uses)."""
    if not construct:
        return []
    lines = ["| construct | records | share |", "|---|---:|---:|"]
    lines += [f"| {c} | {construct[c]} | {100 * construct[c] / (records or 1):.1f}% |" for c in CONSTRUCTS]
    return [*lines, ""]


def _read_markers(out: Path) -> dict[str, list[dict]]:
    """Each kind's shard markers, their summaries replaced by the final pass's (after deduplication)."""
    by_kind: dict[str, list[dict]] = {}
    for path in sorted((out / "_done").glob("*.json")):
        kind = path.stem.rsplit("-", 1)[0]
        by_kind.setdefault(kind, []).append({"name": path.stem, **json.loads(path.read_text())})
    for kind, markers in by_kind.items():
        final_path = out / "_done" / "final" / f"{kind}.json"
        if final_path.exists():
            final = json.loads(final_path.read_text())
            for m in markers:
                kept = {k: m["summary"][k] for k in ("construct", "structures") if k in m["summary"]}
                m["summary"] = {**final["summaries"].get(m["name"], m["summary"]), **kept}
            markers[0]["counts"] = {**markers[0]["counts"],
                                    "records dropped: duplicate across shards": final["removed_duplicates"]}
    return by_kind


def write_report(out: Path) -> Path:
    """Write DIR/stats.md and DIR/stats.png for every kind built in DIR; return the .md path."""
    by_kind = _read_markers(out)
    lines = [f"# Dataset report: {out}", ""]
    lines += ["| kind | shards | records | train | valid | test | distinct structures |",
              "|---|---:|---:|---:|---:|---:|---:|"]
    merged = {kind: merge(markers) for kind, markers in by_kind.items()}
    for kind, (totals, _) in merged.items():
        split = totals["split"]
        records = sum(split.values())
        distinct = len(totals["structures"])
        lines.append(f"| {kind} | {len(by_kind[kind])} | {records} | {split['train']} | "
                     f"{split['valid']} | {split['test']} | {distinct} ({100 * distinct / (records or 1):.1f}%) |")
    lines.append("")
    for kind, (totals, counts) in merged.items():
        lines += [f"## {kind}", ""]
        lines += _table("build outcome", counts)
        lines += _coverage(totals["construct"], sum(totals["split"].values()))
        lines += _table("operator", totals["operator"])
        lines += _table("trace status", totals["status"])
        lines += _table(f"length (chars, bins of {LENGTH_BIN})", totals["length"], by_key=True)
        lines += _table(f"steps (bins of {STEPS_BIN})", totals["steps"], by_key=True)
    md = out / "stats.md"
    md.write_text("\n".join(lines), encoding="utf-8")
    _plot(merged, out / "stats.png")
    return md


def _plot(merged: dict[str, tuple[dict[str, Counter], Counter]], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")  # files only: the builder runs on machines without a display
    import matplotlib.pyplot as plt

    kinds = list(merged)
    fig, axes = plt.subplots(len(kinds) or 1, 4, figsize=(22, 4.5 * max(1, len(kinds))), squeeze=False)
    for row, kind in enumerate(kinds):
        totals, counts = merged[kind]
        ops = totals["operator"].most_common(25)
        axes[row][0].barh([k for k, _ in ops][::-1], [v for _, v in ops][::-1])
        axes[row][0].set_title(f"{kind}: records per operator")
        for col, key, label in ((1, "length", "program + trace text (chars)"), (2, "steps", "trace steps")):
            bins = sorted((int(k), v) for k, v in totals[key].items())
            axes[row][col].bar([k for k, _ in bins], [v for _, v in bins],
                               width=LENGTH_BIN if key == "length" else STEPS_BIN, align="edge")
            axes[row][col].set_title(f"{kind}: {label}")
        lost = ("dropped", "failed", "skipped")
        drops = Counter({k: v for k, v in counts.items() if any(w in k for w in lost)})
        top = drops.most_common(15)
        axes[row][3].barh([k for k, _ in top][::-1], [v for _, v in top][::-1])
        axes[row][3].set_title(f"{kind}: drop reasons")
    fig.tight_layout()
    fig.savefig(path, dpi=80)
    plt.close(fig)
