"""Greedy decoding over the exported ONNX graph with a KV cache, and per-value confidence (no torch).

The graph (its names in model/graph.py) takes ``input_ids``, ``position_ids`` and every layer's past
keys/values and returns the last position's logits and the grown keys/values. Decoding runs the whole
prompt once (past of length 0), then one token per call. The keys/values stay OrtValues from one call to the next
(``run_with_ort_values``): they are never copied into numpy, which is the cost that grows with the sequence.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import onnxruntime as ort
from tokenizers import Tokenizer

from codeexecutor.model.constraints import TraceConstraint
from codeexecutor.model.graph import GraphIO, GraphShape
from codeexecutor.model.trace import CALL, DEL, END, EVENT_KEYS, EXC, LINE, OUT, RET, SET, STDOUT


@dataclass
class DecodeResult:
    """The generated tokens (EOS excluded), each one's probability, why decoding stopped, and timings."""

    tokens: list[int] = field(default_factory=list)
    probs: list[float] = field(default_factory=list)
    stop: str = "budget"  # "eos" | "budget" | "context" | "cancelled"
    prompt_tokens: int = 0
    times: list[float] = field(default_factory=list)  # seconds since the start when each token was chosen
    seconds: float = 0.0


class KVDecoder:
    """One onnxruntime session of the KV-cache graph and the greedy loop over it."""

    def __init__(self, session: ort.InferenceSession, shape: GraphShape) -> None:
        self.session = session
        self.shape = shape
        io = GraphIO(shape.num_layers)
        self.past_names = io.past_names
        self.output_names = io.output_names
        empty = np.zeros((1, shape.num_kv_heads, 0, shape.head_dim), dtype=np.float32)
        self._empty = ort.OrtValue.ortvalue_from_numpy(empty)

    def _run(self, ids: list[int], start: int, past: list[ort.OrtValue]) -> tuple[np.ndarray, list]:
        feed = {
            "input_ids": ort.OrtValue.ortvalue_from_numpy(np.array([ids], dtype=np.int64)),
            "position_ids": ort.OrtValue.ortvalue_from_numpy(
                np.arange(start, start + len(ids), dtype=np.int64)[None]),
            **dict(zip(self.past_names, past, strict=True)),
        }
        outs = self.session.run_with_ort_values(self.output_names, feed)
        return outs[0].numpy()[0], list(outs[1:])

    def greedy(self, prompt: list[int], eos_id: int, max_new_tokens: int,
               cancel: Callable[[], bool] | None = None,
               constraint: TraceConstraint | None = None) -> DecodeResult:
        """Greedy decoding from ``prompt`` until EOS, the token budget, the context size or ``cancel()``.

        With ``constraint`` (codeexecutor.model.constraints) each choice is among the tokens it allows.
        """
        t0 = time.perf_counter()
        result = DecodeResult(prompt_tokens=len(prompt))
        if len(prompt) >= self.shape.max_positions:
            result.stop = "context"
            return result
        past = [self._empty] * len(self.past_names)
        ids, position = list(prompt), 0
        while True:
            if cancel is not None and cancel():
                result.stop = "cancelled"
                break
            logits, past = self._run(ids, position, past)
            position += len(ids)
            token, prob = pick(logits, None if constraint is None else constraint.allowed())
            if constraint is not None:
                constraint.advance(token)
            result.times.append(time.perf_counter() - t0)
            if token == eos_id:
                result.stop = "eos"
                break
            result.tokens.append(token)
            result.probs.append(prob)
            if len(result.tokens) >= max_new_tokens:
                result.stop = "budget"
                break
            if position >= self.shape.max_positions:
                result.stop = "context"
                break
            ids = [token]
        result.seconds = time.perf_counter() - t0
        return result


def pick(logits: np.ndarray, allowed: np.ndarray | None = None) -> tuple[int, float]:
    """The greedy token (among ``allowed``, a boolean mask, if given) and its probability.

    The probability is the model's own, from the unmasked softmax (docs/inference.md): where the mask
    overrules the model, the value it forced shows as doubtful instead of certain.
    """
    token = int(logits.argmax()) if allowed is None else int(np.where(allowed, logits, -np.inf).argmax())
    top = logits.max()
    return token, float(np.exp(logits[token] - top) / np.exp(logits - top).sum())


# ---------------------------------------------------------------------------------------------------------
# Confidence: the generated tokens are split at the trace markers (each a single token); a value's
# confidence is the smallest probability among its marker and the tokens that spell it, so one doubtful
# token makes the whole value doubtful.


def step_confidences(tokens: list[int], probs: list[float], tokenizer: Tokenizer) -> list[dict[str, float]]:
    """Per predicted step (each ``<line>``), name -> confidence of the values it set, and of its events."""
    marker_of = {tokenizer.token_to_id(m): m for m in (LINE, CALL, SET, DEL, OUT, RET, EXC, END, STDOUT)}
    steps: list[dict[str, float]] = []
    segment: tuple[str, list[int], float] | None = None  # (marker, value token ids, min probability)

    def close() -> None:
        if segment is None or not steps:
            return
        marker, ids, conf = segment
        if marker == SET:
            name = tokenizer.decode(ids, skip_special_tokens=False).strip().partition(" ")[0]
            if name:
                steps[-1][name] = round(conf, 4)
        elif marker in EVENT_KEYS:
            steps[-1][EVENT_KEYS[marker]] = round(conf, 4)

    for token, prob in zip(tokens, probs, strict=True):
        marker = marker_of.get(token)
        if marker is None:
            if segment is not None:
                segment = (segment[0], [*segment[1], token], min(segment[2], prob))
            continue
        close()
        segment = None
        if marker == LINE:
            steps.append({})
        elif marker in (SET, *EVENT_KEYS):
            segment = (marker, [], prob)
        elif marker == END:
            break
    close()
    return steps
