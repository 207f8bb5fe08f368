"""`codeexecutor train`: curriculum training of the trace model, a linear script in the nanoGPT style.

    codeexecutor train --config training/configs/small-cpu.json [--out runs/small] [--resume]
                       [--device cpu|cuda] [--max-steps N] [--time-limit SECONDS]

Set-up (config, device, tokenizer, data, model, optimizer, resume), then one loop whose blocks run every N
steps: evaluate, log, save. What to know:

- Loss on ``to_text(trace) + EOS`` only; the prompt is context (training/learning/data.py builds the targets).
- Length bucketing, not packing (why: training/learning/data.py). The batch of a step is a pure function of
  (seed, step), so the data position is the step itself.
- AdamW (fused on CUDA), linear warmup then cosine decay to ``min_lr_ratio * lr`` (``schedule: "cosine"``)
  or warmup-stable-decay (``"wsd"``: constant after warmup, linear decay over the last ``decay_steps``), so
  a long run can stop, resume and be extended at any step and decays only at its end. The learning rate is a
  function of the step, so the "scheduler state" is the step too. Gradient clipping.
- ``precision: "auto"`` (the default): bf16 autocast (fp32 master weights and optimizer state) on CUDA and on
  a CPU with native bf16 (AVX512-BF16 or AMX), fp32 elsewhere: on a CPU without it bf16 is emulated and ~4x
  slower than fp32, with it ~4x faster (docs/training-log.md measures both). ``"bf16"`` / ``"fp32"`` force
  one. ``compile: true`` runs torch.compile.
- ``mix_batches: true``: each row of a batch draws its own kind from the stage's weights (easy and hard
  programs in every step); otherwise a batch holds one kind.
- Checkpoints (training/learning/checkpoint.py) hold the optimizer, the step and the RNG states: ``--resume``
  continues bit-for-bit, so a long run can be a chain of time-limited commands (``--time-limit``).
- Logs: ``log.jsonl`` (loss, lr, tokens/s, and MFU on CUDA) and ``curves.png``, beside the checkpoint.
- DDP: launched by ``torchrun`` (WORLD_SIZE set), each rank draws its own micro-batches; rank 0 logs and
  saves. Not exercised by the tests (no multi-GPU machine here).
"""

from __future__ import annotations

import argparse
import json
import math
import os
import time
from contextlib import nullcontext
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import torch
import torch.nn.functional as F
from tqdm import tqdm

from codeexecutor.model.architecture import build_model, count_parameters
from codeexecutor.model.config import ModelConfig, named_size, reject_unknown_keys
from codeexecutor.model.tokenizer import load_tokenizer, train_tokenizer
from codeexecutor.training.learning import checkpoint as ckpt
from codeexecutor.training.learning.data import (
    IGNORE,
    CurriculumSampler,
    Stage,
    eval_batches,
    load_split,
    pad_id_of,
    stage_at,
    training_texts,
    validate_stages,
)

PEAK_BF16_FLOPS = 989e12  # H100 SXM, dense: the MFU denominator


@dataclass
class TrainConfig:
    """Everything a run depends on; saved as train_config.json in every checkpoint."""

    data: str  # dataset directory (DIR/<split>/<kind>-<shard>.jsonl)
    stages: list[Stage]  # the curriculum; total steps = sum of the stages' steps
    model: str = "small"  # a name of codeexecutor.model.config.SIZES
    model_overrides: dict[str, Any] = field(default_factory=dict)  # e.g. {"num_layers": 4}
    tokenizer: str | None = None  # a tokenizer.json to reuse; None: train one on the train split
    init_from: str | None = None  # fine-tune: a checkpoint directory whose weights, size and tokenizer start the run
    tokenizer_records: int = 50_000  # train records the tokenizer is trained on
    string_chars: bool = False  # a trained tokenizer cuts string literals into characters (model/tokenizer.py)
    trace_text: str = "compact"  # "compact" | "local" (each line's code after its number; an experiment)
    max_len: int = 1024  # tokens per example (prompt + trace); longer traces are cut
    batch_tokens: int = 8192  # token budget of one micro-batch (rows x bucket length)
    grad_accum: int = 1
    lr: float = 1e-3
    min_lr_ratio: float = 0.1
    warmup_steps: int = 100
    weight_decay: float = 0.1
    beta1: float = 0.9
    beta2: float = 0.95
    grad_clip: float = 1.0
    eval_every: int = 250
    eval_per_kind: int = 200  # valid examples per dataset kind in the eval loss
    log_every: int = 10
    save_every: int = 500
    seed: int = 0
    compile: bool = False
    precision: str = "auto"  # "auto" | "bf16" (autocast; fp32 master weights and optimizer state) | "fp32"
    schedule: str = "cosine"  # "cosine" | "wsd" (warmup, stable, linear decay over the last decay_steps)
    decay_steps: int = 0  # wsd only: 0 means the last 20% of the steps
    mix_batches: bool = False  # every batch mixes the stage's kinds row by row
    limit_train: int | None = None  # read only the first N train records (quick runs)

    @property
    def total_steps(self) -> int:
        return sum(s.steps for s in self.stages)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> TrainConfig:
        reject_unknown_keys(cls, d, "training config")
        d = dict(d)
        d["stages"] = [Stage(kinds=dict(s["kinds"]), steps=int(s["steps"])) for s in d.get("stages", [])]
        cfg = cls(**d)
        validate_stages(cfg.stages)
        if cfg.precision not in ("auto", "bf16", "fp32"):
            raise ValueError(f"precision {cfg.precision!r}: use 'auto', 'bf16' or 'fp32'")
        if cfg.trace_text not in ("compact", "local"):
            raise ValueError(f"trace_text {cfg.trace_text!r}: use 'compact' or 'local' (docs/trace-format.md)")
        if cfg.schedule not in ("cosine", "wsd"):
            raise ValueError(f"schedule {cfg.schedule!r}: use 'cosine' or 'wsd'")
        return cfg

    @classmethod
    def load(cls, path: Path) -> TrainConfig:
        try:
            return cls.from_dict(json.loads(Path(path).read_text()))
        except (OSError, json.JSONDecodeError, KeyError, TypeError, ValueError) as e:
            raise SystemExit(f"codeexecutor train: bad config {path}: {e}") from e

    def model_config(self, vocab_size: int) -> ModelConfig:
        """The named size with the overrides, its vocabulary fitted to the tokenizer (a multiple of 64)."""
        base = named_size(self.model).with_overrides(**self.model_overrides)
        cfg = base.with_overrides(vocab_size=-(-vocab_size // 64) * 64)
        if self.max_len > cfg.max_positions:
            raise ValueError(f"max_len {self.max_len} exceeds the model's max_positions {cfg.max_positions}")
        return cfg


def cpu_has_native_bf16(cpuinfo: str | None = None) -> bool:
    """Whether this CPU multiplies bf16 in hardware (Linux /proc/cpuinfo flags; False where unknown)."""
    if cpuinfo is None:
        try:
            cpuinfo = Path("/proc/cpuinfo").read_text()
        except OSError:
            return False
    flags = {f for line in cpuinfo.splitlines() if line.startswith("flags") for f in line.split(":", 1)[1].split()}
    return bool(flags & {"avx512_bf16", "amx_bf16"})


def uses_bf16(precision: str, device_type: str) -> bool:
    """The precision a run trains in: ``auto`` is bf16 on CUDA and on a CPU with native bf16."""
    if precision == "auto":
        return device_type == "cuda" or cpu_has_native_bf16()
    return precision == "bf16"


def decay_start(cfg: TrainConfig) -> int:
    """The first step of a wsd schedule's decay (the learning rate is constant before it)."""
    decay = cfg.decay_steps or max(1, cfg.total_steps // 5)
    return max(cfg.warmup_steps, cfg.total_steps - decay)


def lr_at(cfg: TrainConfig, step: int) -> float:
    """Linear warmup to ``lr``, then cosine decay, or constant then linear decay (wsd), to ``min_lr_ratio * lr``."""
    if step < cfg.warmup_steps:
        return cfg.lr * (step + 1) / cfg.warmup_steps
    floor = cfg.lr * cfg.min_lr_ratio
    if cfg.schedule == "wsd":
        start = decay_start(cfg)
        progress = min(1.0, max(0, step - start) / max(1, cfg.total_steps - start))
        return cfg.lr - (cfg.lr - floor) * progress
    progress = min(1.0, (step - cfg.warmup_steps) / max(1, cfg.total_steps - cfg.warmup_steps))
    return floor + (cfg.lr - floor) * 0.5 * (1.0 + math.cos(math.pi * progress))


def extension_error(old: TrainConfig, new: TrainConfig, step: int) -> str | None:
    """Why ``new`` cannot continue a run made with ``old`` at ``step`` (None: it can).

    A resume keeps the config, except that a wsd run still before its decay may change its stages (their
    lengths and data mixture, e.g. a kind built since) and ``decay_steps``: the steps already taken had the
    same learning rate under both configs."""
    a, b = old.to_dict(), new.to_dict()
    changed = sorted(k for k in b if b[k] != a.get(k))
    if not changed:
        return None
    if set(changed) <= {"stages", "decay_steps"} and old.schedule == "wsd" and \
            step <= min(decay_start(old), decay_start(new)):
        return None
    return (f"it differs from the checkpoint's config in {changed}; a resume must keep the config (a wsd run "
            "before its decay may change only its stages and decay_steps): start a new run to change it")


def make_optimizer(model: torch.nn.Module, cfg: TrainConfig, device: torch.device) -> torch.optim.AdamW:
    """AdamW; matrices decay, norms do not (decaying a norm's scale only fights the model)."""
    params = {id(p): p for p in model.parameters() if p.requires_grad}.values()
    decay = [p for p in params if p.dim() >= 2]
    no_decay = [p for p in params if p.dim() < 2]
    groups = [{"params": decay, "weight_decay": cfg.weight_decay}, {"params": no_decay, "weight_decay": 0.0}]
    return torch.optim.AdamW(groups, lr=cfg.lr, betas=(cfg.beta1, cfg.beta2), fused=device.type == "cuda")


def batch_loss(model: torch.nn.Module, inputs: torch.Tensor, targets: torch.Tensor) -> torch.Tensor:
    """Summed cross-entropy over the positions with a target (the caller divides by the token count)."""
    logits = model(input_ids=inputs, use_cache=False).logits
    return F.cross_entropy(logits.float().flatten(0, 1), targets.flatten(), ignore_index=IGNORE,
                           reduction="sum")


@torch.no_grad()
def evaluate_loss(model: torch.nn.Module, batches: list, device: torch.device, autocast) -> dict[str, float]:
    """Mean loss per trace token on the fixed eval batches, overall and per dataset kind."""
    model.eval()
    sums: dict[str, list[float]] = {}
    for b in batches:
        with autocast:
            inputs, targets = torch.from_numpy(b.inputs).to(device), torch.from_numpy(b.targets).to(device)
            loss = batch_loss(model, inputs, targets)
        s = sums.setdefault(b.kind, [0.0, 0])
        s[0] += float(loss)
        s[1] += b.loss_tokens
    model.train()
    out = {f"eval_loss_{k}": v[0] / v[1] for k, v in sums.items()}
    if sums:  # a tiny dataset can have an empty valid split: then there is nothing to report
        out["eval_loss"] = sum(v[0] for v in sums.values()) / sum(v[1] for v in sums.values())
    return out


def rng_state() -> dict[str, Any]:
    state = {"torch": torch.get_rng_state()}
    if torch.cuda.is_available():
        state["cuda"] = torch.cuda.get_rng_state_all()
    return state


def set_rng_state(state: dict[str, Any]) -> None:
    torch.set_rng_state(state["torch"])
    if "cuda" in state and torch.cuda.is_available():
        torch.cuda.set_rng_state_all(state["cuda"])


def read_log(path: Path, upto_step: int) -> list[dict[str, Any]]:
    """The log's records up to a step (a resumed run drops what the killed run logged after its save)."""
    if not path.is_file():
        return []
    records = [json.loads(line) for line in path.read_text().splitlines() if line.strip()]
    return [r for r in records if r["step"] <= upto_step]


def plot_curves(log: list[dict[str, Any]], path: Path) -> None:
    """Train and eval loss against the step, the learning rate on a second axis (PNG)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    train = [r for r in log if r["type"] == "train"]
    evals = [r for r in log if r["type"] == "eval" and "eval_loss" in r]
    fig, ax = plt.subplots(figsize=(8, 4.5))
    ax.plot([r["step"] for r in train], [r["loss"] for r in train], label="train loss", lw=1)
    ax.plot([r["step"] for r in evals], [r["eval_loss"] for r in evals], "o-", label="eval loss")
    for kind in sorted({k for r in evals for k in r if k.startswith("eval_loss_")}):
        pts = [(r["step"], r[kind]) for r in evals if kind in r]
        label = kind.replace("eval_loss_", "eval ")
        ax.plot([s for s, _ in pts], [v for _, v in pts], "--", lw=1, label=label)
    ax.set_xlabel("step")
    ax.set_ylabel("loss per trace token")
    ax.set_yscale("log")
    ax.legend(loc="upper right", fontsize=8)
    if train:
        lr_ax = ax.twinx()
        lr_ax.plot([r["step"] for r in train], [r["lr"] for r in train], color="grey", lw=0.8, alpha=0.6)
        lr_ax.set_ylabel("learning rate", color="grey")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--config", type=Path, help="training config JSON (training/configs/); "
                        "with --resume it may be left out (the checkpoint's copy is used)")
    parser.add_argument("--out", type=Path,
                        help="run directory: checkpoint, log, plot (default runs/<config name>)")
    parser.add_argument("--resume", action="store_true",
                        help="continue the checkpoint in --out exactly (starts fresh if there is none)")
    parser.add_argument("--device", choices=("cpu", "cuda"), help="default: cuda if available")
    parser.add_argument("--max-steps", type=int, help="stop (and save) after this global step; the "
                        "schedule still spans the whole config, so a later --resume continues it")
    parser.add_argument("--time-limit", type=float, help="stop (and save) after this many seconds")


def run(args: argparse.Namespace) -> int:
    # ---------------------------------------------------------------- set-up: where, what, from which step
    if args.out is None and args.config is None:
        raise SystemExit("codeexecutor train: pass --config FILE (and/or --out DIR with --resume)")
    out = args.out or Path("runs") / args.config.stem
    resuming = args.resume and ckpt.has_checkpoint(out)
    if args.resume and not resuming:
        print(f"codeexecutor train: no checkpoint in {out}; starting from step 0")
    if not args.resume and ckpt.has_checkpoint(out):
        raise SystemExit(f"codeexecutor train: {out} already holds a checkpoint: pass --resume to continue "
                         "it, or choose another --out")
    if resuming:
        cfg = TrainConfig.from_dict(ckpt.load_train_config(out))
        if args.config is not None:
            new = TrainConfig.load(args.config)
            why = extension_error(cfg, new, int(ckpt.load_train_state(out)["step"]))
            if why:
                raise SystemExit(f"codeexecutor train: {args.config}: {why}")
            cfg = new
    elif args.config is None:
        raise SystemExit("codeexecutor train: pass --config FILE to start a run")
    else:
        cfg = TrainConfig.load(args.config)

    ddp = int(os.environ.get("WORLD_SIZE", "1")) > 1
    rank, world = 0, 1
    if ddp:
        torch.distributed.init_process_group(backend="nccl" if torch.cuda.is_available() else "gloo")
        rank, world = torch.distributed.get_rank(), torch.distributed.get_world_size()
    device_type = args.device or ("cuda" if torch.cuda.is_available() else "cpu")
    if device_type == "cuda" and not torch.cuda.is_available():
        raise SystemExit("codeexecutor train: --device cuda but torch sees no CUDA device; use --device cpu")
    device = torch.device(f"cuda:{int(os.environ.get('LOCAL_RANK', 0))}" if device_type == "cuda" else "cpu")
    if device.type == "cuda":
        torch.cuda.set_device(device)
        torch.backends.cuda.matmul.allow_tf32 = True
        torch.backends.cudnn.allow_tf32 = True
    bf16 = uses_bf16(cfg.precision, device.type)
    autocast = torch.autocast(device.type, dtype=torch.bfloat16) if bf16 else nullcontext()
    master = rank == 0
    out.mkdir(parents=True, exist_ok=True)

    # ---------------------------------------------------------------- tokenizer and data
    if resuming:
        tok = load_tokenizer(out / ckpt.TOKENIZER)
    elif cfg.init_from:
        tok = load_tokenizer(Path(cfg.init_from) / ckpt.TOKENIZER)
    elif cfg.tokenizer:
        tok = load_tokenizer(Path(cfg.tokenizer))
    else:
        # Deterministic, so every DDP rank trains the same one without talking to the others.
        tok = train_tokenizer(training_texts(Path(cfg.data), cfg.tokenizer_records),
                              named_size(cfg.model).with_overrides(**cfg.model_overrides).vocab_size,
                              string_chars=cfg.string_chars)
    pad_id = pad_id_of(tok)
    local = cfg.trace_text == "local"
    train_split = load_split(Path(cfg.data), "train", tok, cfg.max_len, out / "cache", cfg.limit_train, local)
    valid_split = load_split(Path(cfg.data), "valid", tok, cfg.max_len, out / "cache", local=local)
    sampler = CurriculumSampler(train_split, cfg.stages, cfg.batch_tokens, pad_id, cfg.seed, cfg.mix_batches)
    evals = eval_batches(valid_split, cfg.batch_tokens, pad_id, cfg.eval_per_kind, cfg.seed)

    # ---------------------------------------------------------------- model, optimizer, resume
    torch.manual_seed(cfg.seed)
    if cfg.init_from and not resuming:
        model, _, model_cfg = ckpt.load_checkpoint(Path(cfg.init_from))
        model = model.to(device)
    else:
        model_cfg = (ModelConfig.from_dict(json.loads((out / ckpt.MODEL_CONFIG).read_text())) if resuming
                     else cfg.model_config(tok.get_vocab_size()))
        model = build_model(model_cfg).to(device)
    model.train()
    n_params = count_parameters(model)
    optimizer = make_optimizer(model, cfg, device)
    step = 0
    if resuming:
        from safetensors.torch import load_model

        state = ckpt.load_train_state(out)
        load_model(model, str(out / ckpt.WEIGHTS), strict=True, device=str(device))
        optimizer.load_state_dict(state["optimizer"])
        set_rng_state(state["rng"])
        step = int(state["step"])
    log = read_log(out / "log.jsonl", step)
    if master:
        (out / "log.jsonl").write_text("".join(json.dumps(r) + "\n" for r in log))
    train_model: torch.nn.Module = model
    if cfg.compile:
        train_model = torch.compile(train_model)
    if ddp:
        train_model = torch.nn.parallel.DistributedDataParallel(train_model, device_ids=[device.index])
    stop = min(cfg.total_steps, args.max_steps if args.max_steps is not None else cfg.total_steps)
    if master:
        print(f"model {cfg.model}: {n_params:,} parameters; train {len(train_split):,} examples "
              f"({train_split.dropped} dropped: prompt > max_len), valid {len(valid_split):,}; "
              f"device {device}, {'bf16 autocast' if bf16 else 'fp32'}; steps {step} -> {stop} of {cfg.total_steps}")

    def save() -> None:
        if master:
            ckpt.save_checkpoint(out, model, tok, model_cfg, cfg.to_dict(),
                                 {"step": step, "optimizer": optimizer.state_dict(), "rng": rng_state()})
            plot_curves(log, out / "curves.png")

    def append_log(record: dict[str, Any]) -> None:
        log.append(record)
        if master:
            with (out / "log.jsonl").open("a") as f:
                f.write(json.dumps(record) + "\n")

    # ---------------------------------------------------------------- the loop
    t_start = time.time()
    saved_at = step  # a fresh run has nothing to save at step 0; a resumed one was just loaded from here
    t_window, tokens_window = time.time(), 0
    loss_window = torch.zeros((), device=device)  # summed on the device: no host sync per step
    steps_window = 0
    bar = tqdm(total=stop, initial=step, disable=not master, desc="train", unit="step")
    while True:
        paused = time.time()  # evaluating and saving are not training: kept out of tokens/s
        # -- every eval_every steps (and at the first and the last): evaluate
        done_here = bool(log) and log[-1]["type"] == "eval" and log[-1]["step"] == step  # resumed here
        if (step % cfg.eval_every == 0 or step == stop) and not done_here:
            append_log({"type": "eval", "step": step, **evaluate_loss(model, evals, device, autocast)})
        # -- every save_every steps, at the last step, or at the time limit: save
        out_of_time = args.time_limit is not None and time.time() - t_start > args.time_limit
        if step == stop or out_of_time or (step % cfg.save_every == 0 and step != saved_at):
            save()
            saved_at = step
            if ddp:
                torch.distributed.barrier()
        if step >= stop or out_of_time:
            break
        t_window += time.time() - paused

        # -- one optimizer step over grad_accum micro-batches
        lr = lr_at(cfg, step)
        for group in optimizer.param_groups:
            group["lr"] = lr
        batches = [sampler.batch(step, micro * world + rank) for micro in range(cfg.grad_accum)]
        loss_tokens = sum(b.loss_tokens for b in batches)
        for micro, b in enumerate(batches):
            inputs = torch.from_numpy(b.inputs).to(device, non_blocking=True)
            targets = torch.from_numpy(b.targets).to(device, non_blocking=True)
            sync = not ddp or micro == len(batches) - 1  # DDP all-reduces on the last micro-batch only
            with autocast, (nullcontext() if sync else train_model.no_sync()):
                loss = batch_loss(train_model, inputs, targets) / loss_tokens
            loss.backward()
            loss_window += loss.detach()
            tokens_window += b.real_tokens
        grad_norm = torch.nn.utils.clip_grad_norm_(model.parameters(), cfg.grad_clip)
        optimizer.step()
        optimizer.zero_grad(set_to_none=True)
        step += 1
        steps_window += 1
        bar.update(1)

        # -- every log_every steps: log (the only host-device sync of the loop)
        if step % cfg.log_every == 0 or step == stop:
            loss_mean = float(loss_window) / steps_window  # waits for the device: the clock is now honest
            elapsed = time.time() - t_window
            record = {"type": "train", "step": step, "stage": stage_at(cfg.stages, step - 1),
                      "loss": loss_mean, "lr": lr, "grad_norm": float(grad_norm),
                      "tokens_per_s": tokens_window * world / elapsed, "elapsed_s": time.time() - t_start}
            if device.type == "cuda":
                record["mfu"] = 6 * n_params * record["tokens_per_s"] / (PEAK_BF16_FLOPS * world)
            append_log(record)
            bar.set_postfix(loss=f"{record['loss']:.3f}", tok_s=f"{record['tokens_per_s']:.0f}")
            loss_window.zero_()
            t_window, tokens_window, steps_window = time.time(), 0, 0
    bar.close()
    if ddp:
        torch.distributed.destroy_process_group()
    if master:
        last_eval = next((r for r in reversed(log) if r["type"] == "eval" and "eval_loss" in r), None)
        loss = f"eval loss {last_eval['eval_loss']:.4f}" if last_eval else "no valid examples to evaluate"
        print(f"step {step}: {loss}; checkpoint in {out}")
    return 0

