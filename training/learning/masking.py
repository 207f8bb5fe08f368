"""Constrained decoding for `transformers` generation: codeexecutor.model.constraints as a LogitsProcessor.

The ONNX engine (codeexecutor.model.engine) and PyTorch generation share the same per-program state machine;
this adapter only feeds it each row's newest token and masks the scores, so greedy decoding picks the same
tokens through either backend (tests/test_export.py checks it token for token).
"""

from __future__ import annotations

import numpy as np
import torch
from transformers import LogitsProcessor

from codeexecutor.model.analysis import analyse
from codeexecutor.model.constraints import TokenTable, TraceConstraint


class TraceMask(LogitsProcessor):
    """Masks each row's scores to what its program's constraint allows (one constraint per batch row)."""

    def __init__(self, constraints: list[TraceConstraint]) -> None:
        self.constraints = constraints
        self.prompt_width: int | None = None

    @classmethod
    def for_programs(cls, programs: list[str], table: TokenTable) -> TraceMask:
        return cls([TraceConstraint(analyse(p), table) for p in programs])

    def __call__(self, input_ids: torch.LongTensor, scores: torch.Tensor) -> torch.Tensor:
        if self.prompt_width is None:
            self.prompt_width = input_ids.shape[1]  # the first call sees the (left-padded) prompts only
        else:
            for constraint, token in zip(self.constraints, input_ids[:, -1].tolist(), strict=True):
                constraint.advance(token)
        allowed = np.stack([c.allowed() for c in self.constraints])
        vocab = scores.shape[-1]
        mask = torch.from_numpy(allowed[:, :vocab]).to(scores.device)
        if vocab > allowed.shape[1]:  # an embedding padded past the tokenizer: those ids are never allowed
            mask = torch.nn.functional.pad(mask, (0, vocab - allowed.shape[1]), value=False)
        return scores.masked_fill(~mask, float("-inf"))
