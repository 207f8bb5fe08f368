"""`codeexecutor export`: a training checkpoint -> an ONNX model directory the engine loads without torch.

The design is one ONNX graph that serves both prefill and decoding: it takes the new tokens, their absolute
positions and the past keys/values of every layer (length 0 at prefill) and returns the logits of the last
position only plus the grown keys/values. One graph (rather than separate prefill and decode graphs) keeps
one copy of the weights on disk and in memory; logits for the last position only save the vocabulary
projection of every prompt token, which greedy decoding never reads.

The graph is traced with the TorchScript exporter (``dynamo=False``; the torch.export-based one needs
onnxscript and traces transformers' cache classes) from ``KVCacheWrapper``, which re-expresses each Llama
block over the model's own weights (``ExportBlock``: fused projections, constant reshapes, its own causal
mask), so no transformers cache class or mask builder is traced: those change between transformers versions
and specialise on the traced shapes. Measured on the "default" size: ~350 graph nodes instead of ~990 for the
traced transformers layers, mostly shape arithmetic that costs more than the matmuls of one decode step.
Every export is checked against PyTorch (transformers' own forward with its own cache) before it is written
out: ``ExportError`` on a mismatch, so a transformers change that the re-expression misses cannot ship.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
import warnings
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import torch
from torch import nn
from torch.nn import functional as F

from codeexecutor.model.config import ModelConfig
from codeexecutor.model.engine import sha256
from codeexecutor.model.graph import MANIFEST_FORMAT, GraphIO
from codeexecutor.model.trace import TRACE_FORMAT_VERSION

OPSET = 17
# fp32 ONNX vs PyTorch: the same arithmetic in a different order; anything above this is a wrong graph.
FP32_LOGIT_ATOL = 1e-3


class ExportError(RuntimeError):
    """The export failed or the exported graph does not reproduce the PyTorch model."""


@dataclass(frozen=True)
class ExportConfig:
    """What `codeexecutor export` was asked to do (saved in the manifest)."""

    checkpoint: str
    out: str
    quantization: str = "int8"  # "int8" (dynamic, weights only) or "fp32"
    opset: int = OPSET


def rotate_half(x: torch.Tensor, half: int) -> torch.Tensor:
    """transformers' rotate_half, the half size a constant (``x.shape`` would trace shape arithmetic)."""
    return torch.cat((-x[..., half:], x[..., :half]), dim=-1)


class ExportBlock(nn.Module):
    """One Llama decoder layer re-expressed for a cheap ONNX graph (same arithmetic as transformers').

    The differences are in bookkeeping only: q, k and v come from one fused matmul (q pre-scaled by
    1/sqrt(head_dim)), gate and up from another; rotary positions are applied to q and k in one go; grouped
    query heads attend by reshaping q to the key/value head count instead of repeating k and v; every reshape
    uses constant sizes. The traced transformers layer has ~90 nodes, mostly shape arithmetic that costs more
    than the matmuls for one token on a 2-core CPU; this one has ~30.
    """

    def __init__(self, layer: nn.Module, num_heads: int, num_kv_heads: int, head_dim: int) -> None:
        super().__init__()
        attn, mlp = layer.self_attn, layer.mlp
        self.heads, self.kv_heads, self.head_dim = num_heads, num_kv_heads, head_dim
        self.input_norm = layer.input_layernorm
        self.post_norm = layer.post_attention_layernorm
        with torch.no_grad():
            wq = attn.q_proj.weight * attn.scaling
            self.qkv = nn.Parameter(torch.cat([wq, attn.k_proj.weight, attn.v_proj.weight]).clone())
            self.gate_up = nn.Parameter(torch.cat([mlp.gate_proj.weight, mlp.up_proj.weight]).clone())
        self.o_proj = attn.o_proj
        self.inter = mlp.gate_proj.weight.shape[0]
        self.down_proj = mlp.down_proj
        self.act = mlp.act_fn

    def forward(self, x: torch.Tensor, cos: torch.Tensor, sin: torch.Tensor, mask: torch.Tensor,
                past_k: torch.Tensor, past_v: torch.Tensor):
        h, kv, d = self.heads, self.kv_heads, self.head_dim
        qkv = F.linear(self.input_norm(x), self.qkv).view(1, -1, h + 2 * kv, d).transpose(1, 2)
        qk, v = qkv.split([h + kv, kv], dim=1)
        qk = qk * cos + rotate_half(qk, d // 2) * sin
        q, k = qk.split([h, kv], dim=1)
        k = torch.cat([past_k, k], dim=2)
        v = torch.cat([past_v, v], dim=2)
        # (1, h, T, d) -> (1, kv, h/kv * T, d): each key/value head serves its group of query heads.
        scores = torch.matmul(q.reshape(1, kv, -1, d), k.transpose(2, 3)) + mask
        probs = torch.softmax(scores, dim=-1, dtype=torch.float32).to(q.dtype)
        out = torch.matmul(probs, v).reshape(1, h, -1, d).transpose(1, 2).reshape(1, -1, h * d)
        x = x + self.o_proj(out)
        gate, up = F.linear(self.post_norm(x), self.gate_up).split([self.inter, self.inter], dim=-1)
        return x + self.down_proj(self.act(gate) * up), k, v


class KVCacheWrapper(nn.Module):
    """(input_ids, position_ids, past k/v...) -> (last position's logits, present k/v...) of a Llama."""

    def __init__(self, model: nn.Module) -> None:
        super().__init__()
        check_supported(model.config)
        cfg = model.config
        inner = model.model
        self.embed_tokens = inner.embed_tokens
        self.rotary_emb = inner.rotary_emb
        self.norm = inner.norm
        self.lm_head = model.lm_head
        heads, kv_heads = cfg.num_attention_heads, cfg.num_key_value_heads
        self.group = heads // kv_heads
        self.blocks = nn.ModuleList(ExportBlock(layer, heads, kv_heads, cfg.hidden_size // heads)
                                    for layer in inner.layers)

    def forward(self, input_ids: torch.Tensor, position_ids: torch.Tensor, *past: torch.Tensor):
        x = self.embed_tokens(input_ids)
        cos, sin = self.rotary_emb(x, position_ids=position_ids)
        cos, sin = cos.unsqueeze(1), sin.unsqueeze(1)
        # Key j is visible to query i iff j <= position_i. Key positions 0..past+T-1 come from tensor data
        # (a cumsum of ones), so the traced graph stays dynamic in both lengths without shape arithmetic.
        ones = torch.cat([torch.ones_like(past[0][0, 0, :, 0]),
                          torch.ones_like(position_ids[0], dtype=x.dtype)])
        key_pos = torch.cumsum(ones, dim=0) - 1
        hidden = key_pos[None, :] > position_ids[0][:, None].to(x.dtype)
        mask = torch.where(hidden, torch.finfo(x.dtype).min, 0.0).to(x.dtype)
        mask = torch.cat([mask] * self.group, dim=0)[None, None]  # rows ordered as the grouped queries
        present = []
        for i, block in enumerate(self.blocks):
            x, k, v = block(x, cos, sin, mask, past[2 * i], past[2 * i + 1])
            present += [k, v]
        return (self.lm_head(self.norm(x[:, -1, :])), *present)


def check_supported(cfg) -> None:
    """The Llama variant ExportBlock re-expresses; anything else must fail here, not export wrongly."""
    problems = []
    if getattr(cfg, "attention_bias", False) or getattr(cfg, "mlp_bias", False):
        problems.append("biases in attention or MLP")
    if getattr(cfg, "hidden_act", "silu") != "silu":
        problems.append(f"hidden_act {cfg.hidden_act!r}")
    if getattr(cfg, "head_dim", None) not in (None, cfg.hidden_size // cfg.num_attention_heads):
        problems.append(f"head_dim {cfg.head_dim} != hidden_size / num_heads")
    if problems:
        raise ExportError(f"the exporter supports the plain Llama block only, not: {', '.join(problems)}; "
                          "extend training/learning/export.py's ExportBlock")


def empty_past(cfg: ModelConfig, dtype=torch.float32) -> list[torch.Tensor]:
    head_dim = cfg.hidden_size // cfg.num_heads
    return [torch.zeros(1, cfg.num_kv_heads, 0, head_dim, dtype=dtype) for _ in range(2 * cfg.num_layers)]


def export_fp32(model: nn.Module, cfg: ModelConfig, path: Path, opset: int = OPSET) -> None:
    """Trace the wrapper on a non-degenerate shape (past 3, new 2) with every length marked dynamic."""
    io = GraphIO(cfg.num_layers)
    wrapper = KVCacheWrapper(model.eval())
    head_dim = cfg.hidden_size // cfg.num_heads
    past = [torch.randn(1, cfg.num_kv_heads, 3, head_dim) for _ in range(2 * cfg.num_layers)]
    args = (torch.tensor([[5, 6]], dtype=torch.long), torch.tensor([[3, 4]], dtype=torch.long), *past)
    dynamic = {"input_ids": {1: "new"}, "position_ids": {1: "new"}}
    dynamic |= {n: {2: "past"} for n in io.past_names}
    dynamic |= {n: {2: "total"} for n in io.present_names}
    # The TorchScript exporter is deprecated in favour of torch.export, which needs onnxscript and traces
    # transformers' cache classes; its deprecation notices say nothing actionable here.
    with torch.no_grad(), warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        torch.onnx.export(wrapper, args, str(path), dynamo=False, opset_version=opset,
                          input_names=io.input_names, output_names=io.output_names, dynamic_axes=dynamic,
                          do_constant_folding=True)


def quantize_int8(src: Path, dst: Path) -> None:
    """Dynamic int8 quantization of the MatMul weights (activations stay fp32, quantized per call)."""
    from onnxruntime.quantization import QuantType, quantize_dynamic

    quantize_dynamic(str(src), str(dst), weight_type=QuantType.QInt8, op_types_to_quantize=["MatMul"])


def torch_reference(model: nn.Module, ids: list[int], steps: int) -> tuple[list[np.ndarray], list[int]]:
    """PyTorch's last-position logits, transformers' own cache: the prefill, then ``steps`` greedy ones."""
    logits: list[np.ndarray] = []
    tokens: list[int] = []
    with torch.no_grad():
        out = model(torch.tensor([ids]), use_cache=True)
        while True:
            logits.append(out.logits[0, -1].float().numpy())
            tokens.append(int(logits[-1].argmax()))
            if len(logits) > steps:
                return logits, tokens
            out = model(torch.tensor([[tokens[-1]]]), past_key_values=out.past_key_values, use_cache=True)


def onnx_logits(model_path: Path, cfg: ModelConfig, ids: list[int], tokens: list[int]) -> list[np.ndarray]:
    """The ONNX graph's last-position logits, fed the tokens the PyTorch reference chose (teacher forcing)."""
    import onnxruntime as ort

    io = GraphIO(cfg.num_layers)
    session = ort.InferenceSession(str(model_path), providers=["CPUExecutionProvider"])
    feed_ids, start = list(ids), 0
    past = [p.numpy() for p in empty_past(cfg)]
    result = []
    for tok in [None, *tokens[:-1]]:
        if tok is not None:
            feed_ids = [tok]
        pos = np.arange(start, start + len(feed_ids), dtype=np.int64)[None]
        outs = session.run(None, {"input_ids": np.array([feed_ids], dtype=np.int64), "position_ids": pos,
                                  **dict(zip(io.past_names, past, strict=True))})
        result.append(outs[0][0])
        past = outs[1:]
        start += len(feed_ids)
    return result


def verify(model: nn.Module, cfg: ModelConfig, model_path: Path, ids: list[int], steps: int = 4) -> float:
    """Max |logit difference| between ONNX and PyTorch over a prefill and ``steps`` cached decode steps."""
    ref, tokens = torch_reference(model, ids, steps)
    got = onnx_logits(model_path, cfg, ids, tokens)
    return max(float(np.abs(a - b).max()) for a, b in zip(ref, got, strict=True))


def write_manifest(out: Path, cfg: ModelConfig, config: ExportConfig, extra: dict) -> dict:
    """manifest.json: what the engine checks before it trusts the directory."""
    files = sorted(p.name for p in out.iterdir() if p.is_file() and p.name != "manifest.json")
    io = GraphIO(cfg.num_layers)
    manifest = {
        "format": MANIFEST_FORMAT,
        "trace_format_version": TRACE_FORMAT_VERSION,
        "model_config": cfg.to_dict(),
        "quantization": config.quantization,
        "files": {name: sha256(out / name) for name in files},
        "io": {"inputs": io.input_names, "outputs": io.output_names},
        "created": datetime.now(UTC).isoformat(timespec="seconds"),
        "export_config": asdict(config),
        **extra,
    }
    (out / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n")
    return manifest


def export_model(model: nn.Module, tokenizer, cfg: ModelConfig, config: ExportConfig,
                 sample_ids: list[int]) -> dict:
    """Export, check against PyTorch, quantize if asked, write the model directory; return the manifest."""
    out = Path(config.out)
    out.mkdir(parents=True, exist_ok=True)
    for name in ("model.onnx", "model.onnx.data", "manifest.json"):
        (out / name).unlink(missing_ok=True)
    with tempfile.TemporaryDirectory(prefix="codeexecutor-export-") as tmp:
        fp32 = Path(tmp) / "model.onnx"
        export_fp32(model, cfg, fp32, config.opset)
        diff = verify(model, cfg, fp32, sample_ids)
        if not diff <= FP32_LOGIT_ATOL:
            raise ExportError(f"the exported graph's logits differ from PyTorch by {diff:.2e} "
                              f"(> {FP32_LOGIT_ATOL}): the export is wrong; report it with the checkpoint")
        extra = {"parity": {"fp32_max_abs_logit_diff": diff, "decode_steps_checked": 4}}
        if config.quantization == "int8":
            quantize_int8(fp32, out / "model.onnx")
            extra["parity"]["int8_max_abs_logit_diff"] = verify(model, cfg, out / "model.onnx", sample_ids)
        else:
            shutil.copyfile(fp32, out / "model.onnx")
    tokenizer.save(str(out / "tokenizer.json"))
    return write_manifest(out, cfg, config, extra)


def sample_prompt_ids(tokenizer) -> list[int]:
    """Token ids of a real prompt, the input the export is verified on."""
    from codeexecutor.model.prompt import make_prompt
    from codeexecutor.model.tokenizer import BOS

    program = "def sq(n):\n    r = n * n\n    return r\nx = sq(3)\nprint(x)\n"
    return tokenizer.encode(BOS + make_prompt(program), add_special_tokens=False).ids


# ---------------------------------------------------------------------------------------------------------
# CLI


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--checkpoint", required=True, type=Path, help="a training checkpoint directory")
    parser.add_argument("--out", required=True, type=Path, help="the model directory to write")
    q = parser.add_mutually_exclusive_group()
    q.add_argument("--int8", dest="quantization", action="store_const", const="int8",
                   help="int8 dynamic quantization of the weights (the default: ~3x smaller, faster on CPU)")
    q.add_argument("--fp32", dest="quantization", action="store_const", const="fp32",
                   help="full-precision weights (exactly the PyTorch model's predictions)")
    parser.set_defaults(quantization="int8")
    parser.add_argument("--opset", type=int, default=OPSET, help=f"ONNX opset (default {OPSET})")


def run(args: argparse.Namespace) -> int:
    from codeexecutor.training.learning.checkpoint import load_checkpoint, undecodable_reason

    config = ExportConfig(checkpoint=str(args.checkpoint), out=str(args.out), quantization=args.quantization,
                          opset=args.opset)
    if not (args.checkpoint / "model_config.json").is_file():
        print(f"codeexecutor export: {args.checkpoint} is not a checkpoint directory (no model_config.json); "
              "pass the directory `codeexecutor train` wrote", file=sys.stderr)
        return 2
    if (reason := undecodable_reason(args.checkpoint)) is not None:
        print(f"codeexecutor export: {reason}", file=sys.stderr)
        return 2
    model, tokenizer, cfg = load_checkpoint(args.checkpoint)
    try:
        manifest = export_model(model, tokenizer, cfg, config, sample_prompt_ids(tokenizer))
    except ExportError as e:
        print(f"codeexecutor export: {e}", file=sys.stderr)
        return 1
    size = sum((args.out / n).stat().st_size for n in manifest["files"])
    print(f"wrote {args.out} ({config.quantization}, {size / 1e6:.1f} MB); "
          f"max |logit diff| vs PyTorch: {json.dumps(manifest['parity'])}")
    return 0
