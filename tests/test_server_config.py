"""Settings: parsed from the flat client section, bad values reported and the previous value kept."""

from __future__ import annotations

from codeexecutor.server.config import HintSettings, PredictionSettings, Settings, parse_settings


def test_every_key_lands_in_its_branch():
    raw = {"enable": False, "maxHintLength": 20, "confidenceThreshold": 0.25, "debounceMs": 50,
           "modelPath": " /m ", "maxSteps": 99, "constrainedDecoding": False, "logLevel": "DEBUG",
           "maxHoverRows": 3, "interpreter": "py"}
    settings, problems = parse_settings(raw)
    assert problems == []
    assert settings == Settings(HintSettings(False, 20, 0.25, 3), PredictionSettings(50, "/m", 99, False), "debug")


def test_initialization_options_may_nest_the_section_and_missing_keys_keep_the_base():
    base = Settings(prediction=PredictionSettings(model_path="/base"))
    settings, problems = parse_settings({"codeexecutor": {"debounceMs": 10}}, base)
    assert problems == [] and settings.prediction == PredictionSettings(10, "/base", 200)
    assert parse_settings(None, base) == (base, [])


def test_bad_values_are_reported_with_the_value_kept():
    settings, problems = parse_settings({"maxHintLength": "long", "confidenceThreshold": 2, "enable": "yes",
                                         "logLevel": "loud", "debounceMs": 12.5})
    assert settings == Settings()
    assert problems == [
        "setting codeexecutor.enable = 'yes' must be true or false; keeping True",
        "setting codeexecutor.maxHintLength = 'long' must be a whole number from 4 to 10000; keeping 40",
        "setting codeexecutor.confidenceThreshold = 2 must be a number from 0 to 1; keeping 0.9",
        "setting codeexecutor.debounceMs = 12.5 must be a whole number from 0 to 60000; keeping 300",
        "setting codeexecutor.logLevel = 'loud' must be one of error, warning, info, debug; keeping 'info'",
    ]
    problems = parse_settings([1], Settings())[1]
    assert problems == ["settings 'codeexecutor' must be an object, got list; ignored"]
