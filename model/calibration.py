"""Calibrated confidence: the model's raw confidence of a value mapped to the chance that the value is right.

A value's raw confidence is the probability of its least probable token (model/decode.py), which is not the
probability that the value is right. Platt scaling fits ``p = sigmoid(a * logit(raw) + b)`` on predicted
values of a validation split, each marked right or wrong by model/alignment.py; two numbers, saved in the
model's manifest (``"calibration"``) by scripts/calibrate.py and applied by the engine. Pure and torch-free.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any

_EPS = 1e-6

# Values below this (calibrated) confidence are doubtful: not shown inline, marked in the hover and by
# `codeexecutor predict`. The editor's setting codeexecutor.confidenceThreshold defaults to it. With the shipped
# model, shown values at 0.9 are ~90 % right on small programs (data/mix) and rare on real modules (0.5 % of
# them shown, mostly wrong): a lower threshold shows far more wrong values (docs/model-card.md, "Confidence").
DEFAULT_THRESHOLD = 0.9

Pair = tuple[float, bool]  # (confidence, the value was right)


def _logit(p: float) -> float:
    p = min(1 - _EPS, max(_EPS, p))
    return math.log(p / (1 - p))


def _sigmoid(z: float) -> float:
    return 1 / (1 + math.exp(-z)) if z >= 0 else math.exp(z) / (1 + math.exp(z))


@dataclass(frozen=True)
class Calibration:
    """Platt scaling of raw confidences; ``fitted_on`` says on what (kept in the manifest for the model card)."""

    a: float
    b: float
    fitted_on: dict[str, Any]

    def __call__(self, raw: float) -> float:
        return _sigmoid(self.a * _logit(raw) + self.b)

    def to_json(self) -> dict[str, Any]:
        return {"method": "platt", **asdict(self)}

    @classmethod
    def from_manifest(cls, manifest: dict[str, Any]) -> Calibration | None:
        """The manifest's calibration; None when the model has none (its confidences are then raw)."""
        data = manifest.get("calibration")
        if data is None:
            return None
        if not isinstance(data, dict) or data.get("method") != "platt":
            raise ValueError(f"manifest calibration {data!r} is not a Platt scaling: fit it again with "
                             "`python scripts/calibrate.py --model DIR --data DIR --write`")
        return cls(float(data["a"]), float(data["b"]), dict(data.get("fitted_on") or {}))


def doubtful(confidences: Sequence[float | None], threshold: float) -> bool:
    """Whether a value with these confidences (one per run it stands for) is below ``threshold``."""
    # An engine that gave no confidence for a value makes no claim either way: not doubtful.
    known = [c for c in confidences if c is not None]
    return bool(known) and min(known) < threshold


def fit(pairs: Sequence[Pair], fitted_on: dict[str, Any], steps: int = 100) -> Calibration:
    """Logistic regression of rightness on logit(raw): Newton's method with a backtracking line search (plain
    Newton can overshoot far from the optimum), a small ridge keeping it finite."""
    if not pairs or all(r for _, r in pairs) or not any(r for _, r in pairs):
        raise ValueError(f"calibration needs both right and wrong values; got {len(pairs)} values, "
                         f"{sum(r for _, r in pairs)} right: evaluate on more records")
    xs = [_logit(c) for c, _ in pairs]
    ys = [1.0 if r else 0.0 for _, r in pairs]
    ridge = 1e-3

    def loss(a: float, b: float) -> float:
        total = 0.0
        for x, y in zip(xs, ys, strict=True):
            z = a * x + b
            total += max(z, 0) - z * y + math.log1p(math.exp(-abs(z)))  # log(1 + e^z) - z*y, stable
        return total + ridge * (a * a + b * b) / 2

    a, b = 1.0, 0.0
    current = loss(a, b)
    for _ in range(steps):
        ga, gb, haa, hab, hbb = ridge * a, ridge * b, ridge, 0.0, ridge
        for x, y in zip(xs, ys, strict=True):
            p = _sigmoid(a * x + b)
            w = p * (1 - p)
            ga += (p - y) * x
            gb += p - y
            haa += w * x * x
            hab += w * x
            hbb += w
        det = haa * hbb - hab * hab
        da, db = (hbb * ga - hab * gb) / det, (haa * gb - hab * ga) / det
        t = 1.0
        while t > 1e-6 and loss(a - t * da, b - t * db) > current:
            t /= 2
        a, b = a - t * da, b - t * db
        previous, current = current, loss(a, b)
        if previous - current < 1e-10:
            break
    return Calibration(a, b, {**fitted_on, "values": len(pairs)})


@dataclass(frozen=True)
class Bin:
    """One reliability bin: values whose confidence fell in [low, high)."""

    low: float
    high: float
    count: int
    mean_confidence: float | None
    accuracy: float | None


def reliability(pairs: Sequence[Pair], bins: int = 10) -> list[Bin]:
    out = []
    for i in range(bins):
        low, high = i / bins, (i + 1) / bins
        inside = [(c, r) for c, r in pairs if low <= c < high or (i == bins - 1 and c == 1.0)]
        n = len(inside)
        out.append(Bin(low, high, n, sum(c for c, _ in inside) / n if n else None,
                       sum(r for _, r in inside) / n if n else None))
    return out


def expected_calibration_error(pairs: Sequence[Pair], bins: int = 10) -> float | None:
    """Sum over bins of |accuracy - mean confidence|, weighted by the bin's share of the values."""
    if not pairs:
        return None
    return sum(b.count * abs(b.accuracy - b.mean_confidence) for b in reliability(pairs, bins)
               if b.count) / len(pairs)


def shown_at(pairs: Sequence[Pair], threshold: float) -> tuple[float | None, float | None]:
    """(precision, coverage) of the values shown inline at ``threshold``: right among shown, shown among all."""
    shown = [r for c, r in pairs if c >= threshold]
    precision = sum(shown) / len(shown) if shown else None
    return precision, (len(shown) / len(pairs) if pairs else None)
