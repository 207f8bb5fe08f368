"""The exported ONNX graph's contract, in one torch-free place: its input/output names, the shape the
decoder needs, and the manifest's format name. training/learning/export.py writes graphs to it;
model/decode.py and model/engine.py read them by it.
"""

from __future__ import annotations

from dataclasses import dataclass

MANIFEST_FORMAT = "codeexecutor-onnx"


@dataclass(frozen=True)
class GraphIO:
    """The names of the graph's inputs and outputs: the new tokens, their positions, each layer's cache."""

    num_layers: int

    @property
    def past_names(self) -> list[str]:
        return [f"past_{kind}_{i}" for i in range(self.num_layers) for kind in ("key", "value")]

    @property
    def present_names(self) -> list[str]:
        return [f"present_{kind}_{i}" for i in range(self.num_layers) for kind in ("key", "value")]

    @property
    def input_names(self) -> list[str]:
        return ["input_ids", "position_ids", *self.past_names]

    @property
    def output_names(self) -> list[str]:
        return ["logits", *self.present_names]


@dataclass(frozen=True)
class GraphShape:
    """What the decoder needs to know about the graph: layer count and the key/value tensor shape."""

    num_layers: int
    num_kv_heads: int
    head_dim: int
    max_positions: int
