"""Training data: dataset shards -> token arrays -> curriculum batches that are a pure function of the step.

Batching is **length bucketing**, not packing: each example is alone in its row, starting at position 0 with
nothing before it, exactly as the model sees a program at prediction time (packing would let a trace attend
to an unrelated earlier program unless every row got a block-diagonal mask). Rows of one batch come from one
length bucket (width ``BUCKET`` tokens), so padding stays below one bucket width per row, and the number of
rows is ``batch_tokens // bucket length``: every batch holds about the same number of tokens. Bucket lengths
are multiples of ``BUCKET``, so a compiled model sees few distinct shapes.

The batch of step ``s`` is drawn by a generator seeded with ``(seed, s, micro-batch index)``: the data
position *is* the step, resume needs no sampler state, and DDP ranks draw disjoint micro-batch indices.
Sampling is with replacement (no epochs): the curriculum's mixing weights, not a pass over the data, decide
what the model sees.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from tokenizers import Tokenizer

from codeexecutor.model.prompt import make_prompt
from codeexecutor.model.tokenizer import BOS, EOS, PAD, special_id
from codeexecutor.model.trace import Trace, text_and_copies

KINDS = ("singleline", "tutorial", "codenet", "generated", "realcode")  # append only: caches store the index
BUCKET = 64  # tokens; bucket lengths are multiples of this
IGNORE = -100  # target of positions without loss (the prompt, padding)
# What training reads of a record (tokenize_split); scripts/pack_data.py keeps only these.
TRAINING_FIELDS = ("id", "kind", "program", "stdin", "text")


@dataclass(frozen=True)
class Stage:
    """One curriculum stage: how often each dataset kind is drawn, for how many optimizer steps."""

    kinds: dict[str, float]
    steps: int

    def probabilities(self) -> tuple[list[str], np.ndarray]:
        names = sorted(self.kinds)
        weights = np.array([self.kinds[k] for k in names], dtype=np.float64)
        return names, weights / weights.sum()


def validate_stages(stages: list[Stage]) -> None:
    """Raise naming the stage at fault if a stage is empty or has an unknown kind or a bad weight."""
    if not stages:
        raise ValueError("the training config needs at least one stage in 'stages'")
    for i, st in enumerate(stages):
        unknown = sorted(set(st.kinds) - set(KINDS))
        if unknown:
            raise ValueError(f"stage {i}: unknown dataset kinds {unknown}; use some of {', '.join(KINDS)}")
        weights = list(st.kinds.values())
        if st.steps <= 0 or not weights or min(weights) < 0 or not sum(weights):
            raise ValueError(f"stage {i}: needs steps > 0 and non-negative kind weights with a positive sum")


def stage_at(stages: list[Stage], step: int) -> int:
    """Index of the stage that step ``step`` (0-based) belongs to; steps past the end stay in the last."""
    end = 0
    for i, st in enumerate(stages):
        end += st.steps
        if step < end:
            return i
    return len(stages) - 1


# ---------------------------------------------------------------------------------------------------------
# Reading shards


def shard_files(data_dir: Path, split: str) -> list[Path]:
    """The split's shards, sorted; an error saying how to build a dataset if there are none."""
    files = sorted((Path(data_dir) / split).glob("*.jsonl"))
    if not files:
        raise FileNotFoundError(f"no {split} shards (*.jsonl) under {Path(data_dir) / split}: build a "
                                "dataset with `codeexecutor build-dataset` or pass the right --data / 'data'")
    return files


def shard_kind(path: Path) -> str:
    """The kind a shard file holds: its name without the shard number (``generated-00003.jsonl``)."""
    return path.stem.rsplit("-", 1)[0]


def read_records(data_dir: Path, split: str, limit: int | None = None,
                 per_kind: int | None = None) -> Iterator[dict[str, Any]]:
    """The split's records in shard order; with ``limit``, that many spread evenly over all shards; with
    ``per_kind``, that many of each kind, spread evenly over the kind's shards (kinds in name order).

    Shards are per kind, so "the first N" would all be one kind: the spread keeps the kinds' proportions, and
    ``per_kind`` gives small kinds as many examples as large ones (an evaluation's per-kind table).
    """
    files = shard_files(data_dir, split)
    if per_kind is None:
        yield from _spread(files, limit)
        return
    by_kind: dict[str, list[Path]] = {}
    for path in files:
        by_kind.setdefault(shard_kind(path), []).append(path)
    for kind in sorted(by_kind):
        yield from _spread(by_kind[kind], per_kind)


def _spread(files: list[Path], limit: int | None) -> Iterator[dict[str, Any]]:
    """The records of ``files`` in order; with ``limit``, that many at evenly spaced positions."""
    keep: set[tuple[int, int]] | None = None
    if limit is not None:
        counts = [sum(1 for line in p.open(encoding="utf-8") if line.strip()) for p in files]
        total = sum(counts)
        picked = set(range(total)) if limit >= total else {i * total // limit for i in range(limit)}
        keep, start = set(), 0
        for f, n in enumerate(counts):
            keep.update((f, i - start) for i in picked if start <= i < start + n)
            start += n
    for f, path in enumerate(files):
        with path.open(encoding="utf-8") as lines:
            for i, line in enumerate(line for line in lines if line.strip()):
                if keep is None or (f, i) in keep:
                    yield json.loads(line)


def training_texts(data_dir: Path, limit: int) -> Iterator[str]:
    """Programs and text-form traces of the train split: the tokenizer's training corpus."""
    for rec in read_records(data_dir, "train", limit):
        yield make_prompt(rec["program"], rec.get("stdin", ""))
        yield rec["text"]


# ---------------------------------------------------------------------------------------------------------
# Tokenized split


@dataclass
class TokenizedSplit:
    """Every example of a split as token ids: ``tokens[offsets[i]:offsets[i+1]]``, the first
    ``prompt_lens[i]`` of which are BOS + prompt (no loss)."""

    tokens: np.ndarray  # uint16, all examples concatenated
    offsets: np.ndarray  # int64, n + 1
    prompt_lens: np.ndarray  # int32
    kinds: np.ndarray  # int8, index into KINDS
    dropped: int  # examples whose prompt alone fills max_len
    copied: np.ndarray | None = None  # bool per token: copied source of the local trace text (no loss)

    def __len__(self) -> int:
        return len(self.prompt_lens)

    def lengths(self) -> np.ndarray:
        return np.diff(self.offsets)

    def example(self, i: int) -> np.ndarray:
        return self.tokens[self.offsets[i]:self.offsets[i + 1]]


def whole_examples(ts: TokenizedSplit, eos_id: int) -> np.ndarray:
    """Indices of the examples whose trace was not cut at max_len (they end with EOS)."""
    return np.flatnonzero(ts.tokens[ts.offsets[1:] - 1] == eos_id)


def trace_text(rec: dict[str, Any], local: bool) -> tuple[str, list[tuple[int, int]]]:
    """The trace text a model learns from a record, and the spans of it copied from the program (no loss):
    the record's compact text as built, or its local variant (model/trace.py) rendered from its trace."""
    if not local:
        return rec["text"], []
    if "trace" not in rec:
        raise ValueError(f"record {rec.get('id')!r} has no 'trace' (packed data keeps only TRAINING_FIELDS): the "
                         "local trace text is rendered from it, so train on the dataset as built")
    # Python's line breaks only: str.splitlines also breaks at form feeds and U+2028, which would shift lines.
    return text_and_copies(Trace.from_json(rec["trace"]), re.split(r"\r\n|\r|\n", rec["program"]))


def copied_tokens(offsets: list[tuple[int, int]], spans: list[tuple[int, int]]) -> np.ndarray:
    """Which tokens (by their character offsets) overlap a copied span."""
    out = np.zeros(len(offsets), dtype=bool)
    k = 0
    for i, (start, end) in enumerate(offsets):
        while k < len(spans) and spans[k][1] <= start:
            k += 1
        out[i] = k < len(spans) and start < spans[k][1] and end > spans[k][0]
    return out


def tokenize_split(data_dir: Path, split: str, tok: Tokenizer, max_len: int,
                   limit: int | None = None, local: bool = False) -> TokenizedSplit:
    """Tokenize a split; examples longer than ``max_len`` keep their first ``max_len`` tokens (no EOS).
    ``local``: the local trace text, its copied source marked in ``copied``."""
    if tok.get_vocab_size() > np.iinfo(np.uint16).max:
        raise ValueError("the tokenizer's vocabulary does not fit uint16 token arrays")
    chunks: list[np.ndarray] = []
    lengths: list[int] = []
    prompt_lens: list[int] = []
    kinds: list[int] = []
    copies: list[np.ndarray] = []
    dropped = 0
    batch: list[dict[str, Any]] = []

    def flush() -> None:
        nonlocal dropped
        prompts = tok.encode_batch([BOS + make_prompt(r["program"], r.get("stdin", "")) for r in batch],
                                   add_special_tokens=False)
        texts = [trace_text(r, local) for r in batch]
        traces = tok.encode_batch([text + EOS for text, _ in texts], add_special_tokens=False)
        for rec, p, t, (_, spans) in zip(batch, prompts, traces, texts, strict=True):
            if len(p.ids) >= max_len - 1:  # no room for a single trace token to learn from
                dropped += 1
                continue
            ids = np.array((p.ids + t.ids)[:max_len], dtype=np.uint16)
            if local:
                copies.append(np.concatenate([np.zeros(len(p.ids), dtype=bool),
                                              copied_tokens(t.offsets, spans)])[:max_len])
            chunks.append(ids)
            lengths.append(len(ids))
            prompt_lens.append(len(p.ids))
            kinds.append(KINDS.index(rec["kind"]))
        batch.clear()

    for rec in read_records(data_dir, split, limit):
        if rec["kind"] not in KINDS:
            raise ValueError(f"record {rec.get('id')!r} has unknown kind {rec['kind']!r}")
        batch.append(rec)
        if len(batch) >= 4096:
            flush()
    flush()
    offsets = np.zeros(len(lengths) + 1, dtype=np.int64)
    np.cumsum(lengths, out=offsets[1:])
    tokens = np.concatenate(chunks) if chunks else np.zeros(0, dtype=np.uint16)
    copied = (np.concatenate(copies) if copies else np.zeros(0, dtype=bool)) if local else None
    return TokenizedSplit(tokens, offsets, np.array(prompt_lens, dtype=np.int32),
                          np.array(kinds, dtype=np.int8), dropped, copied)


def fingerprint(data_dir: Path, split: str, tok: Tokenizer, max_len: int, limit: int | None,
                local: bool = False) -> str:
    """Changes when the shards, the tokenizer, the cut or the trace text change: the key of the token cache."""
    h = hashlib.sha256(tok.to_str().encode())
    h.update(f"{split}|{max_len}|{limit}{'|local' if local else ''}".encode())
    for p in shard_files(data_dir, split):
        st = p.stat()
        h.update(f"{p.name}|{st.st_size}|{st.st_mtime_ns}".encode())
    return h.hexdigest()[:16]


def load_split(data_dir: Path, split: str, tok: Tokenizer, max_len: int, cache_dir: Path,
               limit: int | None = None, local: bool = False) -> TokenizedSplit:
    """``tokenize_split`` through an .npz cache in ``cache_dir`` (resumed runs skip re-tokenizing)."""
    key = fingerprint(data_dir, split, tok, max_len, limit, local)
    path = Path(cache_dir) / f"tokens-{split}-{key}.npz"
    if path.is_file():
        z = np.load(path)
        return TokenizedSplit(z["tokens"], z["offsets"], z["prompt_lens"], z["kinds"], int(z["dropped"]),
                              z["copied"] if local else None)
    ts = tokenize_split(data_dir, split, tok, max_len, limit, local)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f"{path.stem}.{os.getpid()}.tmp.npz")  # DDP ranks may write at once
    extra = {"copied": ts.copied} if ts.copied is not None else {}
    np.savez(tmp, tokens=ts.tokens, offsets=ts.offsets, prompt_lens=ts.prompt_lens, kinds=ts.kinds,
             dropped=np.array(ts.dropped), **extra)
    tmp.replace(path)
    return ts


# ---------------------------------------------------------------------------------------------------------
# Batches


@dataclass
class Batch:
    """Right-padded rows: ``inputs`` predict ``targets`` (IGNORE where there is no loss)."""

    inputs: np.ndarray  # int64 [rows, length]
    targets: np.ndarray  # int64 [rows, length]
    kind: str
    real_tokens: int  # non-padding input positions: what tokens/s counts

    @property
    def loss_tokens(self) -> int:
        return int((self.targets != IGNORE).sum())


def bucket_length(n_inputs: int) -> int:
    return max(BUCKET, -(-n_inputs // BUCKET) * BUCKET)


def make_batch(ts: TokenizedSplit, rows: np.ndarray, pad_id: int, kind: str) -> Batch:
    """Rows ``rows`` of the split as one right-padded batch (inputs = seq[:-1], targets = seq[1:])."""
    length = bucket_length(int(max(ts.lengths()[rows]) - 1))
    inputs = np.full((len(rows), length), pad_id, dtype=np.int64)
    targets = np.full((len(rows), length), IGNORE, dtype=np.int64)
    for r, i in enumerate(rows):
        seq = ts.example(int(i)).astype(np.int64)
        n = len(seq) - 1
        inputs[r, :n] = seq[:-1]
        targets[r, :n] = seq[1:]
        targets[r, :ts.prompt_lens[i] - 1] = IGNORE  # the targets that are still prompt tokens
        if ts.copied is not None:  # copied source is given, not predicted
            start = int(ts.offsets[i])
            targets[r, :n][ts.copied[start + 1:start + 1 + n]] = IGNORE
    return Batch(inputs, targets, kind, int(ts.lengths()[rows].sum()) - len(rows))


class CurriculumSampler:
    """The training batches: ``batch(step, index)`` is deterministic in (seed, step, index)."""

    def __init__(self, ts: TokenizedSplit, stages: list[Stage], batch_tokens: int, pad_id: int, seed: int,
                 mix: bool = False):
        self.ts, self.stages, self.batch_tokens = ts, stages, batch_tokens
        self.pad_id, self.seed, self.mix = pad_id, seed, mix
        buckets = np.array([bucket_length(int(n) - 1) for n in ts.lengths()], dtype=np.int64)
        self.by_kind: dict[str, np.ndarray] = {}  # kind -> example indices
        self.by_bucket: dict[tuple[str, int], np.ndarray] = {}  # (kind, bucket length) -> example indices
        self.bucket_of = buckets
        for k, name in enumerate(KINDS):
            idx = np.flatnonzero(ts.kinds == k)
            if len(idx):
                self.by_kind[name] = idx
                for b in np.unique(buckets[idx]):
                    self.by_bucket[(name, int(b))] = idx[buckets[idx] == b]
        for i, st in enumerate(stages):
            missing = [k for k, w in st.kinds.items() if w > 0 and k not in self.by_kind]
            if missing:
                raise ValueError(f"stage {i} draws from {missing} but the train split has no such examples: "
                                 f"it has {sorted(self.by_kind)}; build those kinds or change the stage")

    def batch(self, step: int, index: int = 0) -> Batch:
        rng = np.random.default_rng([self.seed, step, index])
        names, p = self.stages[stage_at(self.stages, step)].probabilities()
        kind = names[int(rng.choice(len(names), p=p))]
        # A random example picks the bucket, so buckets are drawn as often as they hold examples.
        anchor = int(rng.choice(self.by_kind[kind]))
        length = int(self.bucket_of[anchor])
        n = max(1, self.batch_tokens // length)
        if not self.mix:
            pool = self.by_bucket[(kind, length)]
            rows = rng.choice(pool, size=n, replace=len(pool) < n)
            return make_batch(self.ts, rows, self.pad_id, kind)
        # Mixed: each row draws its own kind, so one step sees easy and hard programs together; a kind with no
        # example of this length gives its row to the anchor's kind.
        row_kinds = [names[int(k)] for k in rng.choice(len(names), size=n, p=p)]
        pools = [self.by_bucket.get((k, length), self.by_bucket[(kind, length)]) for k in row_kinds]
        rows = np.array([int(pool[int(rng.integers(len(pool)))]) for pool in pools], dtype=np.int64)
        return make_batch(self.ts, rows, self.pad_id, "mixed")


def eval_batches(ts: TokenizedSplit, batch_tokens: int, pad_id: int, per_kind: int, seed: int,
                 among: np.ndarray | None = None) -> list[Batch]:
    """A fixed evaluation set: up to ``per_kind`` examples of each kind (of the indices ``among``, if
    given), length-sorted into batches."""
    rng = np.random.default_rng(seed)
    out: list[Batch] = []
    lengths = ts.lengths()
    for k, name in enumerate(KINDS):
        idx = np.flatnonzero(ts.kinds == k)
        if among is not None:
            idx = np.intersect1d(idx, among)
        if not len(idx):
            continue
        idx = np.sort(rng.choice(idx, size=min(per_kind, len(idx)), replace=False))
        idx = idx[np.argsort(lengths[idx], kind="stable")]
        start = 0
        while start < len(idx):
            length = bucket_length(int(lengths[idx[start]]) - 1)
            n = max(1, batch_tokens // length)
            # rows are sorted by length: grow n until the batch's longest row would exceed the budget
            end = start + 1
            while end < len(idx) and end - start < n and \
                    bucket_length(int(lengths[idx[end]]) - 1) * (end - start + 1) <= batch_tokens:
                end += 1
            out.append(make_batch(ts, idx[start:end], pad_id, name))
            start = end
    return out


def pad_id_of(tok: Tokenizer) -> int:
    return special_id(tok, PAD)
