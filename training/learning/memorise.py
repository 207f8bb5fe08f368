"""A tiny model that memorises a few programs' traces: the real model, trainer-free, for end-to-end tests.

Tests and the VS Code end-to-end script need a real ONNX model whose predictions are known exactly; a tiny
model trained full-batch on a handful of (program, gold trace) pairs until greedy decoding writes every trace
exactly gives that in seconds on a CPU. Any other program gets a garbage (but well-formed or partial)
prediction. Not for real training: that is training/learning/train.py.
"""

from __future__ import annotations

from codeexecutor.model.trace import Trace

TRAIN_SEED = 0
MAX_TRAIN_STEPS = 600


def memorise(programs: dict[str, tuple[str, Trace]]):
    """A tiny model trained (full batch, loss on the trace tokens) until it writes every trace exactly."""
    import torch

    torch.manual_seed(TRAIN_SEED)
    # One thread: a 100k-parameter model gains nothing from more, and on a busy 2-core machine a second
    # OpenMP thread spin-waits for the core the other one holds (measured: 2 s per step instead of 0.05 s).
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        return _train_loop(programs)
    finally:
        torch.set_num_threads(threads)


def _train_loop(programs: dict[str, tuple[str, Trace]]):
    import torch
    import torch.nn.functional as F

    from codeexecutor.model.architecture import build_model
    from codeexecutor.model.config import SIZES
    from codeexecutor.model.prompt import make_prompt
    from codeexecutor.model.tokenizer import BOS, EOS, PAD, train_tokenizer
    from codeexecutor.model.trace import to_text

    pairs = [(BOS + make_prompt(src), to_text(trace) + EOS) for src, trace in programs.values()]
    tok = train_tokenizer([p + t for p, t in pairs] * 4, vocab_size=400)
    cfg = SIZES["tiny"].with_overrides(vocab_size=tok.get_vocab_size())
    model = build_model(cfg)
    prompts = [tok.encode(p, add_special_tokens=False).ids for p, _ in pairs]
    targets = [tok.encode(t, add_special_tokens=False).ids for _, t in pairs]
    width = max(len(p) + len(t) for p, t in zip(prompts, targets, strict=True))
    pad, ignore = tok.token_to_id(PAD), -100
    inputs = torch.full((len(pairs), width), pad)
    labels = torch.full((len(pairs), width), ignore)
    for row, (p, t) in enumerate(zip(prompts, targets, strict=True)):
        seq = p + t
        inputs[row, : len(seq)] = torch.tensor(seq)
        labels[row, len(p) - 1 : len(seq) - 1] = torch.tensor(t)  # position i predicts token i + 1
    optimizer = torch.optim.AdamW(model.parameters(), lr=1e-2, weight_decay=0.0)
    model.train()
    step = 0
    for step in range(1, MAX_TRAIN_STEPS + 1):
        logits = model(inputs).logits
        loss = F.cross_entropy(logits.flatten(0, 1), labels.flatten(), ignore_index=ignore)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        if step % 10 == 0 and _memorised(model, inputs, labels):
            break
    model.eval()
    if not _memorised(model, inputs, labels):
        raise RuntimeError(f"the tiny model did not memorise its {len(pairs)} programs in {step} steps: "
                           "raise MAX_TRAIN_STEPS in training/learning/memorise.py or memorise fewer, shorter programs")
    return model, tok, cfg, step


def _memorised(model, inputs, labels) -> bool:
    """Every trace token is the argmax under teacher forcing, which is exactly "greedy decoding writes it"."""
    import torch

    with torch.no_grad():
        predicted = model(inputs).logits.argmax(-1)
    keep = labels != -100
    return bool((predicted[keep] == labels[keep]).all())
