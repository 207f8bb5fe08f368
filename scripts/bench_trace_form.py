"""How much shorter our delta text form is than the paper's full-state form, on real traces.

Traces the Tutorial seeds and a SingleLine sample, writes each trace both ways and compares characters
(and tokens, with a tokenizer file if one is given). Prints a table, then one JSON line.

    .venv/bin/python scripts/bench_trace_form.py [--singleline 500] [--tokenizer model/weights/tokenizer.json]
"""

from __future__ import annotations

import argparse
import json
import statistics
from pathlib import Path

from codeexecutor.model.trace import Trace, to_text
from codeexecutor.training.dataset.sources import singleline, tutorial
from codeexecutor.training.tracing.tracer import trace_many


def paper_text(trace: Trace) -> str:
    """The paper's form: the full state after every step (`<line> k <state> x : 1 <dictsep> ... </state>`)."""
    parts = []
    for step in trace.steps:
        state = " <dictsep> ".join(f"{k} : {v}" for k, v in step.state.items())
        parts.append(f"<line> {step.line} <state> {state} </state>")
    return " ".join(parts)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--singleline", type=int, default=500)
    ap.add_argument("--tokenizer", type=Path, default=None)
    args = ap.parse_args()
    encode = None
    if args.tokenizer:
        from tokenizers import Tokenizer
        tok = Tokenizer.from_file(str(args.tokenizer))
        encode = lambda s: len(tok.encode(s).ids)  # noqa: E731

    sets = {"tutorial": tutorial.load_seeds(), "singleline": list(singleline.generate(args.singleline, seed=1))}
    rows = {}
    for kind, programs in sets.items():
        traces = list(trace_many([(p.program, p.stdin) for p in programs]))
        ours = [len(to_text(t)) for t in traces]
        paper = [len(paper_text(t)) for t in traces]
        row = {"programs": len(traces), "chars_ours": sum(ours), "chars_paper": sum(paper),
               "ratio_chars": round(sum(ours) / sum(paper), 3),
               "median_ratio": round(statistics.median(o / p for o, p in zip(ours, paper, strict=True) if p), 3)}
        if encode:
            t_ours = sum(encode(to_text(t)) for t in traces)
            t_paper = sum(encode(paper_text(t)) for t in traces)
            row.update(tokens_ours=t_ours, tokens_paper=t_paper, ratio_tokens=round(t_ours / t_paper, 3))
        rows[kind] = row

    print(f"{'kind':<12}{'programs':>10}{'chars ours':>12}{'chars paper':>13}{'ratio':>8}{'median':>8}")
    for kind, r in rows.items():
        print(f"{kind:<12}{r['programs']:>10}{r['chars_ours']:>12}{r['chars_paper']:>13}"
              f"{r['ratio_chars']:>8}{r['median_ratio']:>8}")
    print(json.dumps(rows))


if __name__ == "__main__":
    main()
