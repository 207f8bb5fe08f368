"""Calibrated confidence (model/calibration.py): the fit, the calibration error, shown-hint precision, and
the engine applying the calibration saved in a model's manifest."""

from __future__ import annotations

import json
import shutil

import pytest

from codeexecutor.model.calibration import Calibration, expected_calibration_error, fit, shown_at
from codeexecutor.model.engine import Engine, ModelLoadError

# An over-confident model: values at 0.9 are right half the time, values at 0.5 one time in ten.
OVERCONFIDENT = [(0.9, True)] * 50 + [(0.9, False)] * 50 + [(0.5, True)] * 10 + [(0.5, False)] * 90


def test_fit_maps_raw_confidence_to_the_observed_chance_of_being_right():
    calibration = fit(OVERCONFIDENT, {"data": "synthetic"})
    assert calibration(0.9) == pytest.approx(0.5, abs=2e-3)
    assert calibration(0.5) == pytest.approx(0.1, abs=2e-3)
    assert calibration.fitted_on == {"data": "synthetic", "values": 200}
    assert expected_calibration_error(OVERCONFIDENT) == pytest.approx(0.4)
    assert expected_calibration_error([(calibration(c), r) for c, r in OVERCONFIDENT]) < 0.005


def test_fit_refuses_data_with_only_right_or_only_wrong_values():
    with pytest.raises(ValueError, match="needs both right and wrong values; got 3 values, 3 right"):
        fit([(0.5, True)] * 3, {})


def test_calibration_error_and_shown_hints_are_exact():
    pairs = [(0.95, True), (0.95, False), (0.15, False), (0.15, False)]
    assert expected_calibration_error(pairs) == pytest.approx(0.3)
    assert shown_at(pairs, 0.9) == (0.5, 0.5)
    assert shown_at(pairs, 0.99) == (None, 0.0)


def test_the_engine_applies_the_manifest_calibration(tiny_model_dir, tiny_programs, tmp_path):
    src, _ = tiny_programs["square.py"]
    model = tmp_path / "model"
    shutil.copytree(tiny_model_dir, model)
    manifest = json.loads((model / "manifest.json").read_text())
    # a = 0, b = 0: every value is a coin flip, whatever the raw confidence.
    flat = Calibration(0.0, 0.0, {"data": "test"}).to_json()
    (model / "manifest.json").write_text(json.dumps({**manifest, "calibration": flat}))
    confidence = Engine.load(model, threads=1).predict(src).confidence
    assert confidence == [{}, {"n": 0.5, "r": 0.5}, {"<return>": 0.5}, {"x": 0.5}, {"<output>": 0.5}]

    (model / "manifest.json").write_text(json.dumps({**manifest, "calibration": {"method": "isotonic"}}))
    with pytest.raises(ModelLoadError, match=r"unusable calibration.*scripts/calibrate\.py"):
        Engine.load(model, threads=1)
