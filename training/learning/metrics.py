"""The paper's code-execution metrics, on Trace objects (torch-free). docs/metrics.md defines each exactly.

Per example (gold trace G, predicted trace P; a step's *state* is its frame's full state after the line):

- output: correct iff ``P.stdout == G.stdout``; counted only for examples whose gold stdout is non-empty;
- trace: correct iff P and G have the same number of steps and, step by step, the same line and state;
- line level: the multisets of (line, state) pairs of P and of G; true positives = their multiset
  intersection;
- identifier level: the multisets of (line, name, value) triples, one per name of every step's state;
- per value (what a hint shows): codeexecutor.model.alignment.count_values, the k-th run of line L in frame F
  against the real k-th run of L in F, value by value.

Over a set of examples, accuracies are the fraction correct, and precision = sum(TP) / sum(|P|), recall =
sum(TP) / sum(|G|), F1 = their harmonic mean (micro-averaged: long traces weigh more, as in the paper's
"ratio of correctly identified lines among all lines"); value accuracy = sum(right real values) / sum(real
values), value precision = sum(right shown values) / sum(shown values).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any

from codeexecutor.model.alignment import count_values
from codeexecutor.model.trace import Trace

# Table 2 and 3 of Liu et al. 2023 (CodeExecutor), in percent: what report.md sets ours beside.
PAPER = {
    "singleline": {"trace_accuracy": 94.03},
    "tutorial": {"trace_accuracy": 76.42, "codex_trace_accuracy": 13.07},
    "codenet": {"output_accuracy": 48.06, "trace_accuracy": 33.38, "codex_trace_accuracy": 17.45},
}
INCOMPLETE = "incomplete prediction:"  # codeexecutor.model.trace.from_text's message for a malformed or cut generation


@dataclass(frozen=True)
class ExampleScore:
    """The counts one example contributes to the metrics."""

    kind: str
    has_output: bool
    output_correct: bool
    trace_correct: bool
    well_formed: bool  # the generation parsed to its <end> marker
    line_tp: int
    line_pred: int
    line_gold: int
    id_tp: int
    id_pred: int
    id_gold: int
    value_shown: int = 0  # values the prediction shows (alignment.ValueCounts)
    value_right_shown: int = 0
    value_real: int = 0  # values the real run shows
    value_right_real: int = 0
    constructs: tuple[str, ...] = ()  # the program's construct groups (structure.construct_groups)


def line_pairs(trace: Trace) -> Counter:
    return Counter((s.line, frozenset(s.state.items())) for s in trace.steps)


def identifier_triples(trace: Trace) -> Counter:
    return Counter((s.line, name, value) for s in trace.steps for name, value in s.state.items())


def traces_match(gold: Trace, pred: Trace) -> bool:
    return len(gold.steps) == len(pred.steps) and all(
        g.line == p.line and g.state == p.state for g, p in zip(gold.steps, pred.steps, strict=True))


def score_example(gold: Trace, pred: Trace, kind: str, constructs: tuple[str, ...] = ()) -> ExampleScore:
    gl, pl = line_pairs(gold), line_pairs(pred)
    gi, pi = identifier_triples(gold), identifier_triples(pred)
    values = count_values(pred, gold)
    return ExampleScore(
        kind=kind, has_output=bool(gold.stdout), output_correct=pred.stdout == gold.stdout,
        trace_correct=traces_match(gold, pred), well_formed=not pred.message.startswith(INCOMPLETE),
        line_tp=sum((gl & pl).values()), line_pred=sum(pl.values()), line_gold=sum(gl.values()),
        id_tp=sum((gi & pi).values()), id_pred=sum(pi.values()), id_gold=sum(gi.values()),
        value_shown=values.shown, value_right_shown=values.right_shown, value_real=values.real,
        value_right_real=values.right_real, constructs=constructs)


def _ratio(num: int, den: int) -> float | None:
    return num / den if den else None


def _f1(p: float | None, r: float | None) -> float | None:
    if p is None or r is None:
        return None
    return 2 * p * r / (p + r) if p + r else 0.0


def summarize(scores: list[ExampleScore]) -> dict[str, Any]:
    """The metrics of a set of examples (fractions in [0, 1]; None where a metric has no denominator)."""
    with_output = [s for s in scores if s.has_output]
    lp = _ratio(sum(s.line_tp for s in scores), sum(s.line_pred for s in scores))
    lr = _ratio(sum(s.line_tp for s in scores), sum(s.line_gold for s in scores))
    ip = _ratio(sum(s.id_tp for s in scores), sum(s.id_pred for s in scores))
    ir = _ratio(sum(s.id_tp for s in scores), sum(s.id_gold for s in scores))
    return {
        "examples": len(scores),
        "output_accuracy": _ratio(sum(s.output_correct for s in with_output), len(with_output)),
        "trace_accuracy": _ratio(sum(s.trace_correct for s in scores), len(scores)),
        "line_precision": lp, "line_recall": lr, "line_f1": _f1(lp, lr),
        "identifier_precision": ip, "identifier_recall": ir, "identifier_f1": _f1(ip, ir),
        "well_formed": _ratio(sum(s.well_formed for s in scores), len(scores)),
        "value_accuracy": _ratio(sum(s.value_right_real for s in scores), sum(s.value_real for s in scores)),
        "value_precision": _ratio(sum(s.value_right_shown for s in scores), sum(s.value_shown for s in scores)),
    }


def summarize_by_kind(scores: list[ExampleScore]) -> dict[str, dict[str, Any]]:
    """``summarize`` per dataset kind (in first-seen order) and over all examples ("all")."""
    kinds = list(dict.fromkeys(s.kind for s in scores))
    out = {k: summarize([s for s in scores if s.kind == k]) for k in kinds}
    out["all"] = summarize(scores)
    return out


def summarize_by_construct(scores: list[ExampleScore],
                           order: Sequence[str] = ()) -> dict[str, dict[str, dict[str, Any]]]:
    """``summarize`` per dataset kind and construct group (an example counts in every group it has), the
    groups in ``order`` first, then as first seen; groups no example has are left out."""
    out: dict[str, dict[str, dict[str, Any]]] = {}
    for kind in dict.fromkeys(s.kind for s in scores):
        mine = [s for s in scores if s.kind == kind]
        seen = set(g for s in mine for g in s.constructs)
        groups = dict.fromkeys([*(g for g in order if g in seen), *(g for s in mine for g in s.constructs)])
        out[kind] = {g: summarize([s for s in mine if g in s.constructs]) for g in groups}
    return out


def score_dict(score: ExampleScore) -> dict[str, Any]:
    return asdict(score)
