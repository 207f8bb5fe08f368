"""The inference engine: load an exported model directory, predict a program's trace (onnxruntime, no torch).

``Engine.load`` trusts a directory only after checking its manifest.json (format, trace-format version, every
file's sha256), so a stale or half-copied model fails at load with the cause and the fix, not later with
nonsense predictions. ``Engine.predict`` never raises on what the model writes: malformed or cut-off output
becomes a partial Trace (status "steps") whose message says why.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import onnxruntime as ort
from tokenizers import Tokenizer

from codeexecutor.model.analysis import analyse
from codeexecutor.model.calibration import Calibration
from codeexecutor.model.config import ModelConfig
from codeexecutor.model.constraints import TokenTable, TraceConstraint
from codeexecutor.model.decode import KVDecoder, step_confidences
from codeexecutor.model.graph import MANIFEST_FORMAT, GraphShape
from codeexecutor.model.prompt import make_prompt, parse_generation
from codeexecutor.model.tokenizer import BOS, EOS
from codeexecutor.model.trace import TRACE_FORMAT_VERSION, Trace

DEFAULT_MAX_NEW_TOKENS = 1024
CUT_OFF = "the text ended before <end>"  # codeexecutor.model.trace.from_text's message for a cut text
EXPORT_HINT = "codeexecutor export --checkpoint CHECKPOINT_DIR --out DIR"
WEIGHTS_DIR = Path(__file__).resolve().parent / "weights"


class ModelLoadError(Exception):
    """A model directory that cannot be used; the message names the cause and the fix."""


def default_model_dir() -> Path:
    """The shipped model (model/weights/); ``ModelLoadError`` saying how to get one when none is shipped."""
    if not (WEIGHTS_DIR / "manifest.json").is_file():
        raise ModelLoadError(f"no model is shipped in {WEIGHTS_DIR} yet: pass --model DIR with a directory "
                             f"written by `{EXPORT_HINT}`, or export one into {WEIGHTS_DIR}")
    return WEIGHTS_DIR


@dataclass
class Prediction:
    """A predicted trace, per step the confidence of each changed value/event, and what it cost."""

    trace: Trace
    confidence: list[dict[str, float]]
    tokens: int
    seconds: float

    def to_json(self) -> dict[str, Any]:
        """Trace.to_json() plus, on each step that has any, a "confidence": {name: float}."""
        data = self.trace.to_json()
        for step, conf in zip(data["steps"], self.confidence, strict=False):
            if conf:
                step["confidence"] = conf
        return data


@dataclass(frozen=True)
class SessionSettings:
    """onnxruntime settings for a small laptop/CI CPU: a couple of threads, one op at a time."""

    threads: int = 2

    def options(self) -> ort.SessionOptions:
        opts = ort.SessionOptions()
        opts.intra_op_num_threads = self.threads
        opts.inter_op_num_threads = 1
        opts.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
        opts.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        # No spin-waiting between ops: on a busy 2-core machine (editor, server, a build) spinning threads
        # fight for the cores (measured here: 2 spinning threads decoded several times slower).
        opts.add_session_config_entry("session.intra_op.allow_spinning", "0")
        return opts


def default_threads() -> int:
    # Past 4 threads a model this small gains nothing and steals cores from the editor.
    return max(1, min(4, os.cpu_count() or 1))


def read_manifest(model_dir: Path) -> dict[str, Any]:
    """manifest.json after every check (format, trace version, files and hashes); else ModelLoadError."""
    path = model_dir / "manifest.json"
    if not model_dir.is_dir():
        raise ModelLoadError(f"model directory {model_dir} does not exist: pass a directory written by "
                             f"`{EXPORT_HINT}`")
    if not path.is_file():
        raise ModelLoadError(f"{path} is missing, so {model_dir} is not an exported model: "
                             f"write one with `{EXPORT_HINT}`")
    try:
        manifest = json.loads(path.read_text())
    except json.JSONDecodeError as e:
        raise ModelLoadError(f"{path} is not valid JSON ({e}): export the model again with "
                             f"`{EXPORT_HINT}`") from e
    if not isinstance(manifest, dict) or manifest.get("format") != MANIFEST_FORMAT:
        raise ModelLoadError(f"{path} is not a {MANIFEST_FORMAT} manifest: export the model again with "
                             f"`{EXPORT_HINT}`")
    version = manifest.get("trace_format_version")
    if version != TRACE_FORMAT_VERSION:
        raise ModelLoadError(f"{path} says the model writes trace format version {version}, but this "
                             f"codeexecutor reads version {TRACE_FORMAT_VERSION}: export the model again "
                             "from a checkpoint trained on this version, or install the matching "
                             "codeexecutor")
    files = manifest.get("files") or {}
    for name in ("model.onnx", "tokenizer.json"):
        if name not in files:
            raise ModelLoadError(f"{path} does not list {name}: export the model again with `{EXPORT_HINT}`")
    for name, digest in files.items():
        file = model_dir / name
        if not file.is_file():
            raise ModelLoadError(f"{file} is missing (listed in manifest.json): copy the whole model "
                                 f"directory again, or export it again with `{EXPORT_HINT}`")
        if sha256(file) != digest:
            raise ModelLoadError(f"{file} does not match its sha256 in manifest.json (changed or "
                                 f"half-copied): copy the whole model directory again, or export it again "
                                 f"with `{EXPORT_HINT}`")
    return manifest


def sha256(path: Path) -> str:
    """Hex sha256 of a file (the manifest's per-file check)."""
    h = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


class Engine:
    """An exported model ready to predict traces."""

    def __init__(self, decoder: KVDecoder, tokenizer: Tokenizer, manifest: dict[str, Any],
                 constrained: bool = True, calibration: Calibration | None = None) -> None:
        self.decoder = decoder
        self.tokenizer = tokenizer
        self.manifest = manifest
        # Maps each value's raw confidence to the chance it is right (model/calibration.py); None: raw.
        self.calibration = calibration
        # Constrained decoding (codeexecutor.model.constraints): only lines, frames and names the program has.
        self.constrained = constrained
        self._table: TokenTable | None = None
        self.bos_id = _special_id(tokenizer, BOS)
        self.eos_id = _special_id(tokenizer, EOS)

    @classmethod
    def load(cls, model_dir: Path, threads: int | None = None, constrained: bool = True) -> Engine:
        """Check the directory's manifest, then open the ONNX session and the tokenizer."""
        model_dir = Path(model_dir)
        manifest = read_manifest(model_dir)
        try:
            cfg = ModelConfig.from_dict(manifest["model_config"])
        except (KeyError, TypeError, ValueError) as e:
            raise ModelLoadError(f"{model_dir / 'manifest.json'} has no usable model_config ({e!r}): export "
                                 f"the model again with `{EXPORT_HINT}`") from e
        settings = SessionSettings(threads=threads or default_threads())
        try:
            session = ort.InferenceSession(str(model_dir / "model.onnx"), sess_options=settings.options(),
                                           providers=["CPUExecutionProvider"])
            tokenizer = Tokenizer.from_file(str(model_dir / "tokenizer.json"))
        except Exception as e:  # onnxruntime and tokenizers raise their own untyped errors: name the file
            raise ModelLoadError(f"cannot open the model in {model_dir}: {e}; export it again with "
                                 f"`{EXPORT_HINT}`") from e
        shape = GraphShape(num_layers=cfg.num_layers, num_kv_heads=cfg.num_kv_heads,
                           head_dim=cfg.hidden_size // cfg.num_heads, max_positions=cfg.max_positions)
        try:
            calibration = Calibration.from_manifest(manifest)
        except (KeyError, TypeError, ValueError) as e:
            raise ModelLoadError(f"{model_dir / 'manifest.json'} has an unusable calibration ({e}): fit it "
                                 "again with `python scripts/calibrate.py --model DIR --data DIR --write`, or "
                                 "delete its \"calibration\" key") from e
        return cls(KVDecoder(session, shape), tokenizer, manifest, constrained=constrained,
                   calibration=calibration)

    def prompt_ids(self, program: str, stdin: str = "") -> list[int]:
        """BOS + the prompt, as in training (the prompt ends at a marker, so its tokens do not merge on)."""
        return self.tokenizer.encode(BOS + make_prompt(program, stdin), add_special_tokens=False).ids

    def predict(self, program: str, stdin: str = "", max_new_tokens: int = DEFAULT_MAX_NEW_TOKENS,
                cancel: Callable[[], bool] | None = None, constrained: bool | None = None) -> Prediction:
        """Predict the trace of ``program`` (never executed); a malformed generation gives a partial Trace.

        ``constrained`` overrides the engine's setting for this prediction (None: ``self.constrained``).
        """
        prompt = self.prompt_ids(program, stdin)
        use = self.constrained if constrained is None else constrained
        result = self.decoder.greedy(prompt, self.eos_id, max_new_tokens, cancel,
                                     self.constraint(program) if use else None)
        text = self.tokenizer.decode(result.tokens, skip_special_tokens=False)
        trace = parse_generation(text)
        if result.stop != "eos" and trace.message.endswith(CUT_OFF):
            # The text was cut, not malformed: say what cut it.
            trace = replace(trace, message="incomplete prediction: " + _stop_reason(
                result.stop, result.prompt_tokens, max_new_tokens, self.decoder.shape.max_positions))
        confidence = step_confidences(result.tokens, result.probs, self.tokenizer)[: len(trace.steps)]
        confidence += [{} for _ in range(len(trace.steps) - len(confidence))]
        if self.calibration is not None:
            confidence = [{k: round(self.calibration(v), 4) for k, v in c.items()} for c in confidence]
        return Prediction(trace=trace, confidence=confidence, tokens=len(result.tokens),
                          seconds=result.seconds)


    @property
    def token_table(self) -> TokenTable:
        """The tokenizer's per-token facts the mask needs (computed once, on first use)."""
        if self._table is None:
            self._table = TokenTable(self.tokenizer)
        return self._table

    def constraint(self, program: str) -> TraceConstraint:
        """The decoding constraint for ``program``: built once per prediction, from the source alone."""
        return TraceConstraint(analyse(program), self.token_table)


def _special_id(tokenizer: Tokenizer, token: str) -> int:
    token_id = tokenizer.token_to_id(token)
    if token_id is None:
        raise ModelLoadError(f"the model's tokenizer.json has no {token} token: it was not trained by "
                             f"codeexecutor; export the model again with `{EXPORT_HINT}`")
    return token_id


def _stop_reason(stop: str, prompt_tokens: int, budget: int, context: int) -> str:
    return {
        "budget": f"the token budget ({budget} new tokens) ran out before <end>; raise --max-new-tokens",
        "context": f"the program and its prediction filled the model's context ({context} tokens; the prompt "
                   f"alone is {prompt_tokens})",
        "cancelled": "cancelled",
    }[stop]
