"""The checkpoint directory: weights, configs, tokenizer and the exact training state, written atomically.

Files (docs/architecture.md): ``model.safetensors`` (weights; its metadata holds the step),
``model_config.json``, ``tokenizer.json``, ``train_config.json`` and ``train_state.pt`` (optimizer, step,
RNG states: everything an exact resume needs; the data position is the step, see training/learning/data.py).

Every file is first written into ``.checkpoint-tmp/`` and then moved over the old one, ``train_state.pt``
last; a run killed mid-save (a GPU command hitting its time limit) leaves either the old checkpoint or the
new one, and the step recorded in both the weights and the state tells if they ever disagree.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import torch
from safetensors import safe_open
from safetensors.torch import load_model, save_model
from tokenizers import Tokenizer
from transformers import LlamaForCausalLM

from codeexecutor.model.architecture import build_model
from codeexecutor.model.config import ModelConfig
from codeexecutor.model.tokenizer import load_tokenizer

WEIGHTS, MODEL_CONFIG, TOKENIZER, TRAIN_CONFIG, TRAIN_STATE = (
    "model.safetensors", "model_config.json", "tokenizer.json", "train_config.json", "train_state.pt")


def unwrap(model: torch.nn.Module) -> torch.nn.Module:
    """The plain model inside DDP and torch.compile wrappers."""
    model = getattr(model, "module", model)  # DistributedDataParallel
    return getattr(model, "_orig_mod", model)  # torch.compile


def save_checkpoint(out_dir: Path, model: torch.nn.Module, tokenizer: Tokenizer, model_cfg: ModelConfig,
                    train_config: dict[str, Any], train_state: dict[str, Any]) -> None:
    """Write the checkpoint files into ``out_dir`` (``train_state["step"]`` is the step they are at)."""
    out_dir = Path(out_dir)
    tmp = out_dir / ".checkpoint-tmp"
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    step = int(train_state["step"])
    save_model(unwrap(model), str(tmp / WEIGHTS), metadata={"step": str(step)})
    (tmp / MODEL_CONFIG).write_text(json.dumps(model_cfg.to_dict(), indent=2) + "\n")
    tokenizer.save(str(tmp / TOKENIZER))
    (tmp / TRAIN_CONFIG).write_text(json.dumps(train_config, indent=2) + "\n")
    torch.save(train_state, tmp / TRAIN_STATE)
    for name in (WEIGHTS, MODEL_CONFIG, TOKENIZER, TRAIN_CONFIG, TRAIN_STATE):  # the state last
        (tmp / name).replace(out_dir / name)
    tmp.rmdir()


def has_checkpoint(out_dir: Path) -> bool:
    return (Path(out_dir) / TRAIN_STATE).is_file() and (Path(out_dir) / WEIGHTS).is_file()


def _require(ckpt_dir: Path, name: str) -> Path:
    path = Path(ckpt_dir) / name
    if not path.is_file():
        raise FileNotFoundError(f"{ckpt_dir} is not a training checkpoint (no {name}): pass the --out "
                                "directory of a `codeexecutor train` run")
    return path


def weights_step(ckpt_dir: Path) -> int:
    """The step recorded in the weights file's metadata."""
    with safe_open(str(_require(ckpt_dir, WEIGHTS)), framework="pt") as f:
        return int((f.metadata() or {}).get("step", -1))


def load_checkpoint(ckpt_dir: Path) -> tuple[LlamaForCausalLM, Tokenizer, ModelConfig]:
    """The trained model (in eval mode, on the CPU), its tokenizer and its config."""
    ckpt_dir = Path(ckpt_dir)
    cfg = ModelConfig.from_dict(json.loads(_require(ckpt_dir, MODEL_CONFIG).read_text()))
    model = build_model(cfg)
    load_model(model, str(_require(ckpt_dir, WEIGHTS)), strict=True)
    model.eval()
    return model, load_tokenizer(_require(ckpt_dir, TOKENIZER)), cfg


def save_bf16_copy(ckpt_dir: Path, dest: Path) -> None:
    """The checkpoint's weights in bf16 (half the file) with its configs and tokenizer, without the training
    state: what ships and what a new run starts from (``init_from`` loads it into fp32 parameters)."""
    dest = Path(dest)
    dest.mkdir(parents=True, exist_ok=True)
    model, _, _ = load_checkpoint(ckpt_dir)
    save_model(model.to(torch.bfloat16), str(dest / WEIGHTS), metadata={"step": str(weights_step(ckpt_dir))})
    for name in (MODEL_CONFIG, TOKENIZER, TRAIN_CONFIG):
        shutil.copy2(Path(ckpt_dir) / name, dest / name)


def load_train_config(ckpt_dir: Path) -> dict[str, Any]:
    return json.loads(_require(ckpt_dir, TRAIN_CONFIG).read_text())


def undecodable_reason(ckpt_dir: Path) -> str | None:
    """Why generation cannot use this checkpoint (None: it can): the decoder, its mask and the engine write
    the compact trace text only, and a run on the local text is an experiment scored by its loss."""
    if load_train_config(ckpt_dir).get("trace_text", "compact") == "compact":
        return None
    return (f"{ckpt_dir} was trained on the local trace text, which the decoder and the editor do not write "
            "(docs/trace-format.md): score it with scripts/heldout_loss.py, or use a checkpoint trained on "
            "the compact text")


def load_train_state(ckpt_dir: Path) -> dict[str, Any]:
    """The saved training state, checked against the weights' step (a save cut in the middle)."""
    state = torch.load(_require(ckpt_dir, TRAIN_STATE), map_location="cpu", weights_only=True)
    if weights_step(ckpt_dir) != int(state["step"]):
        raise RuntimeError(f"{ckpt_dir}: the weights are at step {weights_step(ckpt_dir)} but the training "
                           f"state at step {state['step']} (a save was cut short); resume is not exact: "
                           "start a new run or restore both files from a copy")
    return state
