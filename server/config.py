"""The server's settings: a typed tree parsed once at the edge and passed down.

The client sends the flat ``codeexecutor`` section (VS Code settings ``codeexecutor.*``) in
``initializationOptions`` and answers ``workspace/configuration`` with it; both go through ``parse_settings``.
A bad value keeps the previous one and is reported (never silently replaced); unknown keys (such as the
extension's own ``interpreter``) are ignored.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

from codeexecutor.model.calibration import DEFAULT_THRESHOLD

SECTION = "codeexecutor"
LOG_LEVELS = ("error", "warning", "info", "debug")
# Values predicted with less confidence are left out of inline hints (the hover lists them, marked doubtful).
# The one place the server's default lives; vscode-extension/package.json declares the same value
# (tests/test_settings_declared_once.py holds them together).
DEFAULT_CONFIDENCE_THRESHOLD = DEFAULT_THRESHOLD  # model/calibration.py


@dataclass(frozen=True)
class HintSettings:
    """How predictions are shown."""

    enable: bool = True
    max_hint_length: int = 40  # characters of one value in a hint label; the tooltip has it whole
    confidence_threshold: float = DEFAULT_CONFIDENCE_THRESHOLD  # below it: not inline, "(doubtful)" on hover
    max_hover_rows: int = 10  # runs listed in a hover table before "… N more"


@dataclass(frozen=True)
class PredictionSettings:
    """How and when the model runs."""

    debounce_ms: int = 300
    model_path: str = ""  # empty: the shipped model (model/weights/)
    max_steps: int = 200  # trace steps predicted per scenario
    constrained_decoding: bool = True  # mask of the program's lines, frames and names (docs/inference.md)


def max_steps_message(max_steps: int) -> str:
    """The message of a trace cut at ``maxSteps`` steps (server/predictor.py writes it, the hover reads it)."""
    return f"only the first {max_steps} steps were predicted (maxSteps)"


@dataclass(frozen=True)
class Settings:
    hints: HintSettings = HintSettings()
    prediction: PredictionSettings = PredictionSettings()
    log_level: str = "info"


# wire key -> (branch of the tree, field, check) ; check returns the parsed value or raises ValueError
def _bool(v: Any) -> bool:
    if isinstance(v, bool):
        return v
    raise ValueError("must be true or false")


def _int_in(lo: int, hi: int):
    def check(v: Any) -> int:
        if isinstance(v, bool) or not isinstance(v, int | float) or v != int(v) or not lo <= v <= hi:
            raise ValueError(f"must be a whole number from {lo} to {hi}")
        return int(v)
    return check


def _fraction(v: Any) -> float:
    if isinstance(v, bool) or not isinstance(v, int | float) or math.isnan(v) or not 0 <= v <= 1:
        raise ValueError("must be a number from 0 to 1")
    return float(v)


def _path(v: Any) -> str:
    if not isinstance(v, str):
        raise ValueError("must be a folder path (text), or empty for the shipped model")
    return v.strip()


def _log_level(v: Any) -> str:
    if not isinstance(v, str) or v.lower() not in LOG_LEVELS:
        raise ValueError(f"must be one of {', '.join(LOG_LEVELS)}")
    return v.lower()


_KEYS = {
    "enable": ("hints", "enable", _bool),
    "maxHintLength": ("hints", "max_hint_length", _int_in(4, 10_000)),
    "confidenceThreshold": ("hints", "confidence_threshold", _fraction),
    "maxHoverRows": ("hints", "max_hover_rows", _int_in(1, 1000)),
    "debounceMs": ("prediction", "debounce_ms", _int_in(0, 60_000)),
    "modelPath": ("prediction", "model_path", _path),
    "maxSteps": ("prediction", "max_steps", _int_in(1, 100_000)),
    "constrainedDecoding": ("prediction", "constrained_decoding", _bool),
    "logLevel": (None, "log_level", _log_level),
}
# The wire keys the server reads; vscode-extension/package.json declares each (tests/test_settings_declared_once.py).
WIRE_KEYS = tuple(_KEYS)


def parse_settings(raw: Any, base: Settings = Settings()) -> tuple[Settings, list[str]]:
    """``base`` updated with the values present in ``raw``, and one message per value that was rejected."""
    if raw is None:
        return base, []
    if isinstance(raw, Mapping) and isinstance(raw.get(SECTION), Mapping):
        raw = raw[SECTION]  # initializationOptions may nest the section
    if not isinstance(raw, Mapping):
        return base, [f"settings '{SECTION}' must be an object, got {type(raw).__name__}; ignored"]
    hints, prediction, top = {}, {}, {}
    problems = []
    for key, (branch, name, check) in _KEYS.items():
        if key not in raw or raw[key] is None:
            continue
        try:
            value = check(raw[key])
        except ValueError as e:
            problems.append(f"setting {SECTION}.{key} = {raw[key]!r} {e}; keeping "
                            f"{_current(base, branch, name)!r}")
            continue
        {"hints": hints, "prediction": prediction, None: top}[branch][name] = value
    settings = replace(base, hints=replace(base.hints, **hints),
                       prediction=replace(base.prediction, **prediction), **top)
    return settings, problems


def _current(settings: Settings, branch: str | None, name: str) -> Any:
    return getattr(getattr(settings, branch) if branch else settings, name)
