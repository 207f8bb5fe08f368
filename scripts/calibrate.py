"""Fit an exported model's confidence calibration on a validation split, and report how well it is calibrated.

    python scripts/calibrate.py --model model/weights --data data/mix --per-kind 100 [--write] [--plot FILE]

Predicts each record with the ONNX engine (raw confidences, under the decoding mask, as the editor runs it),
marks every shown value right or wrong against the gold trace (model/alignment.py), fits Platt scaling on all
of them (model/calibration.py) and prints, per kind, the expected calibration error before and after, and
the precision and coverage of inline hints at a range of thresholds. ``--write`` saves the calibration in the
model's manifest.json (the engine applies it from then on); ``--plot`` draws the reliability diagram.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

from codeexecutor.model.alignment import confidence_pairs
from codeexecutor.model.calibration import Calibration, Pair, expected_calibration_error, fit, reliability, shown_at
from codeexecutor.model.engine import Engine
from codeexecutor.model.trace import Trace
from codeexecutor.training.learning.data import read_records

THRESHOLDS = (0.3, 0.5, 0.6, 0.7, 0.8, 0.9)


def value_pairs(engine: Engine, record: dict) -> list[Pair]:
    """(raw confidence, right) of every value the prediction of ``record`` shows."""
    prediction = engine.predict(record["program"], record.get("stdin", ""))
    return confidence_pairs(prediction.trace, prediction.confidence, Trace.from_json(record["trace"]))


def _pct(v: float | None) -> str:
    return "–" if v is None else f"{100 * v:.1f}"


def report(by_kind: dict[str, list[Pair]], calibration: Calibration) -> str:
    lines = ["| kind | values | right | ECE raw | ECE calibrated | "
             + " | ".join(f"shown ≥{t:g}: precision / coverage" for t in THRESHOLDS) + " |",
             "|---|---|---|---|---|" + "---|" * len(THRESHOLDS)]
    for kind, pairs in {**by_kind, "all": [p for ps in by_kind.values() for p in ps]}.items():
        cal = [(calibration(c), r) for c, r in pairs]
        cells = [kind, str(len(pairs)), _pct(sum(r for _, r in pairs) / len(pairs) if pairs else None),
                 _pct(expected_calibration_error(pairs)), _pct(expected_calibration_error(cal))]
        for t in THRESHOLDS:
            precision, coverage = shown_at(cal, t)
            cells.append(f"{_pct(precision)} / {_pct(coverage)}")
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def plot(pairs: list[Pair], calibration: Calibration, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(4.5, 4.5))
    ax.plot([0, 1], [0, 1], color="grey", linestyle=":", label="perfect")
    for label, ps in (("raw", pairs), ("calibrated", [(calibration(c), r) for c, r in pairs])):
        bins = [b for b in reliability(ps) if b.count]
        ax.plot([b.mean_confidence for b in bins], [b.accuracy for b in bins], marker="o", label=label)
    ax.set_xlabel("confidence of a shown value")
    ax.set_ylabel("fraction right")
    ax.set_title(f"reliability ({len(pairs)} values)")
    ax.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=110)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--model", type=Path, required=True)
    ap.add_argument("--data", type=Path, required=True)
    ap.add_argument("--split", default="valid")
    ap.add_argument("--per-kind", type=int, default=100)
    ap.add_argument("--write", action="store_true", help="save the fitted calibration in the model's manifest")
    ap.add_argument("--use-manifest", action="store_true",
                    help="do not fit: report with the calibration already in the model's manifest (e.g. on the "
                         "realcode benchmark, to choose the inline threshold)")
    ap.add_argument("--plot", type=Path, help="write the reliability diagram (PNG) here")
    args = ap.parse_args()
    engine = Engine.load(args.model)
    saved = engine.calibration
    if args.use_manifest and saved is None:
        sys.exit(f"calibrate: {args.model / 'manifest.json'} has no calibration: fit one with --write first")
    engine.calibration = None  # raw confidences: fitted on, and reported beside the calibrated ones
    records = list(read_records(args.data, args.split, per_kind=args.per_kind))
    if not records:
        sys.exit(f"calibrate: no {args.split} records in {args.data}: build a dataset there first")
    by_kind: dict[str, list[Pair]] = {}
    start = time.perf_counter()
    for i, record in enumerate(records, 1):
        by_kind.setdefault(record["kind"], []).extend(value_pairs(engine, record))
        if i % 50 == 0:
            print(f"{i}/{len(records)} records, {time.perf_counter() - start:.0f} s", file=sys.stderr)
    pairs = [p for ps in by_kind.values() for p in ps]
    calibration = saved if args.use_manifest else fit(
        pairs, {"data": str(args.data), "split": args.split, "per_kind": args.per_kind, "records": len(records)})
    print(f"Platt scaling: a = {calibration.a:.4f}, b = {calibration.b:.4f} "
          f"({len(pairs)} values of {len(records)} records)")
    print(report(by_kind, calibration))
    if args.plot:
        plot(pairs, calibration, args.plot)
        print(f"reliability diagram: {args.plot}")
    if args.write and not args.use_manifest:
        path = args.model / "manifest.json"
        manifest = json.loads(path.read_text())
        manifest["calibration"] = calibration.to_json()
        path.write_text(json.dumps(manifest, indent=2) + "\n")
        print(f"calibration saved in {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
