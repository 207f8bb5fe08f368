"""The Transformer: a small Llama-style decoder built from a ModelConfig with `transformers` (no hub).

How it differs from the paper's CodeExecutor (UniXcoder, 125M parameters, encoder-decoder-style masks) and
why:

- decoder-only, next-token prediction over ``prompt + trace``: one model and one KV cache serve both
  reading the program and writing the trace, which is what an editor-side greedy decoder wants;
- 0.2-20M parameters instead of 125M: it must answer within a keystroke's patience on a laptop CPU;
- rotary positions (no learned position table), so the trace can attend to *relative* offsets such as
  "the line N of the prompt";
- grouped-query attention (num_kv_heads < num_heads): a smaller KV cache to carry through ONNX decoding;
- tied input/output embeddings: at this size the embedding is a large share of all parameters;
- no dropout, no biases: the data is large relative to the model, and fewer ops export more simply.

The Llama blocks themselves (RMSNorm, SwiGLU MLP, SDPA attention) are the stock ``transformers`` ones, so
the ONNX export and KV-cache generation use well-trodden code.
"""

from __future__ import annotations

import torch
from transformers import LlamaConfig, LlamaForCausalLM

from codeexecutor.model.config import ModelConfig

# Special token ids fixed by codeexecutor.model.tokenizer (trained in this order); generation needs them in the config.
PAD_ID, BOS_ID, EOS_ID = 0, 1, 2


def llama_config(cfg: ModelConfig) -> LlamaConfig:
    """The `transformers` config for our ModelConfig."""
    return LlamaConfig(
        vocab_size=cfg.vocab_size, hidden_size=cfg.hidden_size, intermediate_size=cfg.intermediate_size,
        num_hidden_layers=cfg.num_layers, num_attention_heads=cfg.num_heads,
        num_key_value_heads=cfg.num_kv_heads, max_position_embeddings=cfg.max_positions,
        rope_parameters={"rope_type": "default", "rope_theta": float(cfg.rope_theta)},
        tie_word_embeddings=cfg.tie_embeddings, attention_dropout=0.0, attention_bias=False, mlp_bias=False,
        pad_token_id=PAD_ID, bos_token_id=BOS_ID, eos_token_id=EOS_ID, use_cache=True)


def build_model(cfg: ModelConfig) -> LlamaForCausalLM:
    """A freshly initialised model (the caller seeds torch for a reproducible initialisation)."""
    model = LlamaForCausalLM(llama_config(cfg))
    # The generation defaults must not depend on a hub download or on the tokenizer being at hand.
    model.generation_config.pad_token_id = PAD_ID
    model.generation_config.bos_token_id = BOS_ID
    model.generation_config.eos_token_id = EOS_ID
    return model


def count_parameters(model: torch.nn.Module) -> int:
    """Unique parameters (a tied embedding counted once)."""
    return sum(p.numel() for p in {id(p): p for p in model.parameters()}.values())
