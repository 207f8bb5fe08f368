"""The model as the server uses it: loaded from the settings, asked for at most ``max_steps`` steps."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from codeexecutor.model.engine import Engine, ModelLoadError, Prediction, default_model_dir
from codeexecutor.server.config import PredictionSettings, max_steps_message

# A step of the text form is a handful of tokens (<line> N <s> name value ...); this budget lets a trace of
# ``max_steps`` ordinary steps finish, and the model's context size bounds it anyway.
TOKENS_PER_STEP = 24
MAX_NEW_TOKENS = 8192

__all__ = ["LoadedModel", "ModelLoadError", "load_model"]


@dataclass(frozen=True)
class LoadedModel:
    """An engine ready to predict, and where it came from (for messages)."""

    engine: Engine
    path: Path

    def predictor(self, max_steps: int, constrained: bool) -> Callable[[str, str, Callable[[], bool]], Prediction]:
        """(program, stdin, cancelled) -> Prediction cut to ``max_steps`` steps; runs on the model thread."""
        budget = min(MAX_NEW_TOKENS, max_steps * TOKENS_PER_STEP)

        def predict(program: str, stdin: str, cancelled: Callable[[], bool]) -> Prediction:
            p = self.engine.predict(program, stdin, max_new_tokens=budget, cancel=cancelled,
                                    constrained=constrained)
            if len(p.trace.steps) <= max_steps:
                return p
            trace = p.trace.cut(max_steps, max_steps_message(max_steps))
            return Prediction(trace=trace, confidence=p.confidence[:max_steps], tokens=p.tokens,
                              seconds=p.seconds)

        return predict


def load_model(settings: PredictionSettings) -> LoadedModel:
    """Load the configured model (``modelPath``, or the shipped one); ModelLoadError names cause and fix."""
    path = Path(settings.model_path).expanduser() if settings.model_path else default_model_dir()
    # The server shares the machine with the editor: two threads are plenty for a model this size.
    # Constrained or not is chosen per prediction (LoadedModel.predictor), so the setting applies live.
    return LoadedModel(Engine.load(path, threads=2), path)
