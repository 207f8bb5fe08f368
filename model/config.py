"""The model's shape: a typed config and the named sizes (torch-free; training, export, engine share it)."""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields, replace
from typing import Any


@dataclass(frozen=True)
class ModelConfig:
    """Hyper-parameters of the decoder-only Transformer (model/architecture.py builds it)."""

    vocab_size: int
    hidden_size: int
    num_layers: int
    num_heads: int
    num_kv_heads: int  # < num_heads: grouped-query attention, a smaller KV cache for the editor's CPU decode
    intermediate_size: int
    max_positions: int  # prompt + trace tokens; longer examples are cut in training
    rope_theta: float = 10000.0
    tie_embeddings: bool = True  # the embedding is a large share of a small model's parameters

    def __post_init__(self) -> None:
        if self.hidden_size % self.num_heads:
            raise ValueError(f"hidden_size {self.hidden_size} must be a multiple of num_heads "
                             f"{self.num_heads}")
        if self.num_heads % self.num_kv_heads:
            raise ValueError(f"num_heads {self.num_heads} must be a multiple of num_kv_heads "
                             f"{self.num_kv_heads}")

    @property
    def head_dim(self) -> int:
        return self.hidden_size // self.num_heads

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> ModelConfig:
        """Read ``to_dict()``'s form; unknown keys are an error (a config from a newer version)."""
        reject_unknown_keys(cls, d, "model config")
        return cls(**d)

    def with_overrides(self, **overrides: Any) -> ModelConfig:
        return replace(self, **overrides) if overrides else self

    def num_parameters(self) -> int:
        """Parameters of the built model (counted from the shapes, so it needs no torch)."""
        h, kv = self.hidden_size, self.num_kv_heads * self.head_dim
        attention = 2 * h * h + 2 * h * kv  # q, o and k, v projections, no biases
        mlp = 3 * h * self.intermediate_size  # gate, up, down (SwiGLU)
        per_layer = attention + mlp + 2 * h  # two RMSNorm weights
        embed = self.vocab_size * h * (1 if self.tie_embeddings else 2)
        return embed + self.num_layers * per_layer + h  # final norm


# "tiny" trains in seconds on a laptop CPU (tests); "small" trains on a CPU overnight; "default" is what ships
# (<= 20M parameters keeps CPU decoding in the editor fast: ~40 MB of weights, ~20 MB int8).
def reject_unknown_keys(cls: type, d: dict[str, Any], what: str) -> None:
    """Raise ValueError naming keys of ``d`` that are not fields of the dataclass ``cls`` (a typo, a newer file)."""
    known = {f.name for f in fields(cls)}
    unknown = sorted(set(d) - known)
    if unknown:
        raise ValueError(f"unknown {what} keys {unknown}; expected some of {sorted(known)}")


SIZES: dict[str, ModelConfig] = {
    "tiny": ModelConfig(vocab_size=2048, hidden_size=64, num_layers=2, num_heads=4, num_kv_heads=2,
                        intermediate_size=192, max_positions=512),
    # What 2 CPU cores can train in about an hour (~2M parameters); the shipped model when no GPU was lent.
    "mini": ModelConfig(vocab_size=2048, hidden_size=192, num_layers=4, num_heads=6, num_kv_heads=2,
                        intermediate_size=512, max_positions=1024),
    "small": ModelConfig(vocab_size=2048, hidden_size=256, num_layers=6, num_heads=8, num_kv_heads=4,
                         intermediate_size=704, max_positions=1024),
    "default": ModelConfig(vocab_size=2048, hidden_size=384, num_layers=10, num_heads=6, num_kv_heads=2,
                           intermediate_size=1024, max_positions=2048),
}


def named_size(name: str) -> ModelConfig:
    """The named size, or an error listing the names."""
    if name not in SIZES:
        raise ValueError(f"unknown model size {name!r}; choose one of {', '.join(SIZES)}")
    return SIZES[name]
