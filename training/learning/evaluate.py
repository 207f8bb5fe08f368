"""`codeexecutor evaluate`: predict the traces of a dataset split and score them with the paper's metrics.

    codeexecutor evaluate --model DIR --data DIR [DIR ...] [--split test] [--limit N | --per-kind N] [--out REPORT_DIR]

``--model`` is a training checkpoint (greedy generation with `transformers` and its KV cache, batched) or
an exported ONNX directory (it has manifest.json: codeexecutor.model.engine.Engine, one program at a time, exactly what
the editor runs). The predicted text is read back with codeexecutor.model.prompt.parse_generation and scored against the
gold Trace JSON of each record (training/learning/metrics.py, docs/metrics.md): the paper's metrics and the
per-value accuracy of every kind, and a breakdown by construct (function calls, loops, string methods, ...:
training/dataset/structure.py reads them from each program's AST). Writes REPORT_DIR/report.json, report.md
(our numbers beside the paper's), metrics.png and predictions.jsonl. For an ONNX model, which gives each
value a (calibrated) confidence, it also reports per kind the expected calibration error and the precision and
coverage of the values shown at the editor's default threshold, and draws reliability.png. Several ``--data``
directories make one report, so that one command scores data/mix's test split and the real-code benchmark
together, as the model card does.

Both backends decode under the program's mask (codeexecutor.model.constraints; the checkpoint through
training/learning/masking.py), as the editor does; ``--unconstrained`` decodes from the whole vocabulary.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import torch

from codeexecutor.model.alignment import confidence_pairs
from codeexecutor.model.calibration import DEFAULT_THRESHOLD, Pair, expected_calibration_error, reliability, shown_at
from codeexecutor.model.prompt import make_prompt, parse_generation
from codeexecutor.model.tokenizer import BOS, EOS
from codeexecutor.model.trace import Trace
from codeexecutor.training.dataset.structure import CONSTRUCT_GROUPS, construct_groups
from codeexecutor.training.learning.data import read_records, shard_files, shard_kind
from codeexecutor.training.learning.metrics import (
    PAPER,
    ExampleScore,
    score_example,
    summarize_by_construct,
    summarize_by_kind,
)

Predictor = Callable[[list[dict[str, Any]]], list[str]]  # records -> generated texts


@dataclass(frozen=True)
class EvalConfig:
    """What `codeexecutor evaluate` was asked to do (saved in report.json)."""

    model: str
    data: tuple[str, ...]
    split: str = "test"
    limit: int | None = None
    per_kind: int | None = None
    batch_size: int = 16
    max_new_tokens: int | None = None  # None: up to the model's context
    device: str = "cpu"
    constrained: bool = True  # decode under the program's mask (codeexecutor.model.constraints)


def checkpoint_predictor(ckpt_dir: Path, batch_size: int, max_new_tokens: int | None,
                         device: torch.device, constrained: bool = True) -> Predictor:
    """Batched greedy generation from a training checkpoint (left padding, KV cache)."""
    from codeexecutor.model.constraints import TokenTable
    from codeexecutor.training.learning.checkpoint import load_checkpoint
    from codeexecutor.training.learning.masking import TraceMask

    model, tok, cfg = load_checkpoint(ckpt_dir)
    model.to(device)
    pad_id = model.generation_config.pad_token_id
    table = TokenTable(tok) if constrained else None

    def generate(batch: list[list[int]], programs: list[str]) -> list[str]:
        width = max(len(ids) for ids in batch)
        budget = cfg.max_positions - width
        if max_new_tokens is not None:
            budget = min(budget, max_new_tokens)
        if budget <= 0:  # the prompt fills the context: nothing can be predicted
            return ["" for _ in batch]
        inputs = torch.tensor([[pad_id] * (width - len(ids)) + ids for ids in batch], device=device)
        mask = (torch.arange(width, device=device)[None, :] >=
                torch.tensor([width - len(ids) for ids in batch], device=device)[:, None]).long()
        processors = [] if table is None else [TraceMask.for_programs(programs, table)]
        with torch.no_grad():
            out = model.generate(input_ids=inputs, attention_mask=mask, max_new_tokens=budget,
                                 do_sample=False, use_cache=True, logits_processor=processors)
        texts = [tok.decode(row[width:].tolist(), skip_special_tokens=False) for row in out]
        # After its EOS a row holds only padding (the batch's longer generations went on).
        return [t.split(EOS, 1)[0] + EOS if EOS in t else t for t in texts]

    def predict(records: list[dict[str, Any]]) -> list[str]:
        texts_in = [BOS + make_prompt(r["program"], r.get("stdin", "")) for r in records]
        prompts = [e.ids for e in tok.encode_batch(texts_in, add_special_tokens=False)]
        texts: list[str] = [""] * len(records)
        order = sorted(range(len(records)), key=lambda i: len(prompts[i]))  # similar lengths: less padding
        for start in range(0, len(order), batch_size):
            chunk = order[start:start + batch_size]
            generated = generate([prompts[i] for i in chunk], [records[i]["program"] for i in chunk])
            for i, text in zip(chunk, generated, strict=True):
                texts[i] = text
        return texts

    return predict


def onnx_predictor(model_dir: Path, max_new_tokens: int | None, constrained: bool = True,
                   pairs: dict[str, list[Pair]] | None = None) -> Predictor:
    """One program at a time through the exported model, as the language server runs it. With ``pairs``, also
    records under each record's id (confidence, right) for every value the prediction shows."""
    from codeexecutor.model.engine import Engine  # lazily: the export helper's onnxruntime engine

    engine = Engine.load(model_dir, constrained=constrained)
    kwargs = {} if max_new_tokens is None else {"max_new_tokens": max_new_tokens}

    def predict(records: list[dict[str, Any]]) -> list[str]:
        # The engine returns a Trace; its text form is what the generation meant (scoring reads the Trace).
        from codeexecutor.model.trace import to_text

        texts = []
        for r in records:
            prediction = engine.predict(r["program"], r.get("stdin", ""), **kwargs)
            if pairs is not None:
                pairs[r["id"]] = confidence_pairs(prediction.trace, prediction.confidence,
                                                  Trace.from_json(r["trace"]))
            texts.append(to_text(prediction.trace))
        return texts

    return predict


def chunks(records: list[dict[str, Any]], size: int) -> Iterator[list[dict[str, Any]]]:
    for i in range(0, len(records), size):
        yield records[i:i + size]


def report_markdown(cfg: EvalConfig, metrics: dict[str, dict[str, Any]], seconds: float,
                    constructs: dict[str, dict[str, dict[str, Any]]] | None = None) -> str:
    """report.md: our metrics per kind, the paper's beside them; then each kind's metrics per construct."""
    def pct(v: float | None) -> str:
        return "–" if v is None else f"{100 * v:.2f}"

    def paper(kind: str, key: str) -> str:
        v = PAPER.get(kind, {}).get(key)
        return "–" if v is None else f"{v:.2f}"

    data = " + ".join(f"`{d}`" for d in cfg.data)
    lines = [f"# Evaluation of `{cfg.model}` on {data} ({cfg.split})", "",
             f"{metrics['all']['examples']} examples, {seconds:.0f} s. Percentages; definitions in "
             "docs/metrics.md. Paper: Liu et al. 2023, CodeExecutor (Codex in brackets).", "",
             "| kind | n | output acc | paper | trace acc | paper (Codex) | line P / R / F1 "
             "| identifier P / R / F1 | value acc / P | well-formed |",
             "|---|---|---|---|---|---|---|---|---|---|"]
    for kind, m in metrics.items():
        codex = PAPER.get(kind, {}).get("codex_trace_accuracy")
        trace_paper = paper(kind, "trace_accuracy") + (f" ({codex:.2f})" if codex is not None else "")
        lines.append(
            f"| {kind} | {m['examples']} | {pct(m['output_accuracy'])} | {paper(kind, 'output_accuracy')} "
            f"| {pct(m['trace_accuracy'])} | {trace_paper} "
            f"| {pct(m['line_precision'])} / {pct(m['line_recall'])} / {pct(m['line_f1'])} "
            f"| {pct(m['identifier_precision'])} / {pct(m['identifier_recall'])} / {pct(m['identifier_f1'])} "
            f"| {pct(m['value_accuracy'])} / {pct(m['value_precision'])} | {pct(m['well_formed'])} |")
    lines += ["", "The paper's model has 125M parameters and its datasets are far larger; compare the shape "
              "of the numbers (SingleLine > Tutorial > CodeNet), not their size.", ""]
    for kind, groups in (constructs or {}).items():
        lines += [f"## {kind} by construct", "", "A program counts in every construct it has.", "",
                  "| construct | n | output acc | trace acc | line F1 | identifier F1 | value acc / P |",
                  "|---|---|---|---|---|---|---|"]
        lines += [f"| {g} | {m['examples']} | {pct(m['output_accuracy'])} | {pct(m['trace_accuracy'])} "
                  f"| {pct(m['line_f1'])} | {pct(m['identifier_f1'])} "
                  f"| {pct(m['value_accuracy'])} / {pct(m['value_precision'])} |" for g, m in groups.items()]
        lines.append("")
    return "\n".join(lines)


def calibration_by_kind(pairs: dict[str, list[Pair]]) -> dict[str, dict[str, Any]]:
    """Per kind (and "all"): values shown, fraction right, ECE, and precision / coverage at the default threshold."""
    out = {}
    for kind, ps in {**pairs, "all": [p for kind_pairs in pairs.values() for p in kind_pairs]}.items():
        precision, coverage = shown_at(ps, DEFAULT_THRESHOLD)
        out[kind] = {"values": len(ps), "right": sum(r for _, r in ps) / len(ps) if ps else None,
                     "ece": expected_calibration_error(ps), "threshold": DEFAULT_THRESHOLD,
                     "shown_precision": precision, "shown_coverage": coverage}
    return out


def calibration_markdown(summary: dict[str, dict[str, Any]]) -> str:
    def pct(v: float | None) -> str:
        return "–" if v is None else f"{100 * v:.1f}"

    lines = ["## Confidence", "", "The engine's (calibrated) confidence of each shown value against whether it is "
             f"right; shown = at or above the editor's default threshold {DEFAULT_THRESHOLD:g}.", "",
             "| kind | values | right | ECE | shown precision | shown coverage |", "|---|---|---|---|---|---|"]
    lines += [f"| {k} | {m['values']} | {pct(m['right'])} | {pct(m['ece'])} | {pct(m['shown_precision'])} "
              f"| {pct(m['shown_coverage'])} |" for k, m in summary.items()]
    return "\n".join(lines) + "\n"


def plot_reliability(pairs: dict[str, list[Pair]], path: Path) -> None:
    """One reliability curve per kind: mean confidence against fraction right, per confidence bin."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(4.5, 4.5))
    ax.plot([0, 1], [0, 1], color="grey", linestyle=":", label="perfect")
    for kind, ps in pairs.items():
        bins = [b for b in reliability(ps) if b.count]
        ax.plot([b.mean_confidence for b in bins], [b.accuracy for b in bins], marker="o",
                label=f"{kind} ({len(ps)})")
    ax.set_xlabel("confidence of a shown value")
    ax.set_ylabel("fraction right")
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def plot_metrics(metrics: dict[str, dict[str, Any]], path: Path) -> None:
    """Grouped bars: each metric per dataset kind, the paper's trace accuracy as markers."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    keys = ["output_accuracy", "trace_accuracy", "line_f1", "identifier_f1"]
    kinds = list(metrics)
    fig, ax = plt.subplots(figsize=(8, 4.5))
    width = 0.8 / len(keys)
    for j, key in enumerate(keys):
        values = [100 * (metrics[k][key] or 0.0) for k in kinds]
        ax.bar([i + j * width for i in range(len(kinds))], values, width, label=key.replace("_", " "))
    for i, kind in enumerate(kinds):
        if "trace_accuracy" in PAPER.get(kind, {}):
            ax.plot(i + width, PAPER[kind]["trace_accuracy"], "k*", markersize=10,
                    label="paper trace acc" if i == 0 else None)
    ax.set_xticks([i + 0.4 - width / 2 for i in range(len(kinds))], kinds)
    ax.set_ylabel("%")
    ax.set_ylim(0, 100)
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--model", type=Path, required=True,
                        help="a training checkpoint directory, or an exported ONNX directory (manifest.json)")
    parser.add_argument("--data", type=Path, nargs="+", required=True,
                        help="dataset directories (DIR/<split>/*.jsonl); several are scored together, each kind "
                        "coming from one of them")
    parser.add_argument("--split", default="test")
    sample = parser.add_mutually_exclusive_group()
    sample.add_argument("--limit", type=int, help="score N records of each dataset, spread evenly over its shards")
    sample.add_argument("--per-kind", type=int, metavar="N",
                        help="score N records of each dataset kind, spread evenly over its shards")
    parser.add_argument("--out", type=Path, help="report directory (default: MODEL/eval-DATA-SPLIT, DATA the "
                        "dataset directories' names joined by '+')")
    parser.add_argument("--batch-size", type=int, default=16, help="programs per generate call (checkpoint)")
    parser.add_argument("--max-new-tokens", type=int, help="cap on generated tokens (default: the context)")
    parser.add_argument("--unconstrained", action="store_true",
                        help="decode from the whole vocabulary, without the program's mask (for comparison)")
    parser.add_argument("--device", choices=("cpu", "cuda"),
                        help="checkpoint only; default: cuda if available")


def default_report_dir(model: Path, data: list[Path], split: str) -> Path:
    """Where a report goes without --out: named for the datasets too, so that scoring one model on two datasets
    (data/mix, then data/realcode) keeps both reports."""
    names = "+".join(Path(os.path.abspath(d)).name for d in data)  # abspath: "." and "..", not links
    return model / f"eval-{names}-{split}"


def read_datasets(data: list[Path], split: str, limit: int | None,
                  per_kind: int | None) -> list[dict[str, Any]]:
    """The records to score, dataset by dataset; a kind found in two datasets is refused (ValueError), since
    its per-kind sample and its row of the report would mix two different test sets."""
    records: list[dict[str, Any]] = []
    seen: dict[str, Path] = {}
    for d in data:
        kinds = {shard_kind(path) for path in shard_files(d, split)}
        if clash := sorted(kinds & seen.keys()):
            raise ValueError(f"kind {clash[0]!r} is in both {seen[clash[0]]} and {d}: name one of them")
        seen.update(dict.fromkeys(kinds, d))
        records += read_records(d, split, limit, per_kind)
    return records


def run(args: argparse.Namespace) -> int:
    device = args.device or ("cuda" if torch.cuda.is_available() else "cpu")
    cfg = EvalConfig(model=str(args.model), data=tuple(map(str, args.data)), split=args.split, limit=args.limit,
                     per_kind=args.per_kind, batch_size=args.batch_size, max_new_tokens=args.max_new_tokens,
                     device=device, constrained=not args.unconstrained)
    out = args.out or default_report_dir(args.model, args.data, args.split)
    try:
        records = read_datasets(args.data, args.split, args.limit, args.per_kind)
    except (ValueError, FileNotFoundError) as e:
        print(f"codeexecutor evaluate: {e}", file=sys.stderr)
        return 2
    pairs: dict[str, list[Pair]] | None = None
    if (args.model / "manifest.json").is_file():
        pairs = {}
        predict = onnx_predictor(args.model, args.max_new_tokens, cfg.constrained, pairs)
    else:
        from codeexecutor.training.learning.checkpoint import undecodable_reason

        if (reason := undecodable_reason(args.model)) is not None:
            print(f"codeexecutor evaluate: {reason}", file=sys.stderr)
            return 2
        predict = checkpoint_predictor(args.model, args.batch_size, args.max_new_tokens, torch.device(device),
                                       cfg.constrained)

    from tqdm import tqdm

    t0 = time.time()
    texts: list[str] = []
    with tqdm(total=len(records), desc="evaluate", unit="program") as bar:
        for chunk in chunks(records, max(64, args.batch_size)):
            texts += predict(chunk)
            bar.update(len(chunk))
    seconds = time.time() - t0

    scores: list[ExampleScore] = []
    out.mkdir(parents=True, exist_ok=True)
    with (out / "predictions.jsonl").open("w") as f:
        for rec, text in zip(records, texts, strict=True):
            pred = parse_generation(text)
            score = score_example(Trace.from_json(rec["trace"]), pred, rec["kind"],
                                  construct_groups(rec["program"]))
            scores.append(score)
            f.write(json.dumps({"id": rec["id"], "kind": rec["kind"], "generation": text,
                                "trace_correct": score.trace_correct, "output_correct": score.output_correct,
                                "values_right": score.value_right_real, "values": score.value_real,
                                "constructs": score.constructs}, ensure_ascii=False) + "\n")
    metrics = summarize_by_kind(scores)
    by_construct = summarize_by_construct(scores, tuple(CONSTRUCT_GROUPS))
    report = {"config": cfg.__dict__, "split": args.split, "examples": len(records), "seconds": seconds,
              "metrics": metrics, "constructs": by_construct, "paper": PAPER}
    markdown = report_markdown(cfg, metrics, seconds, by_construct)
    if pairs is not None:
        by_kind: dict[str, list[Pair]] = {}
        for rec in records:
            by_kind.setdefault(rec["kind"], []).extend(pairs[rec["id"]])
        report["calibration"] = calibration_by_kind(by_kind)
        markdown += "\n" + calibration_markdown(report["calibration"])
        plot_reliability(by_kind, out / "reliability.png")
    (out / "report.json").write_text(json.dumps(report, indent=2) + "\n")
    (out / "report.md").write_text(markdown)
    plot_metrics(metrics, out / "metrics.png")
    print((out / "report.md").read_text())
    print(f"report: {out}/report.json, report.md, predictions.jsonl")
    return 0
