"""Check the decoding mask against the gold traces of a dataset: every gold token must be allowed.

    .venv/bin/python scripts/check_constraints.py --data DIR [--split test] [--model model/weights]

A token of a real run's trace that the mask refuses is a bug in codeexecutor.model.analysis or
codeexecutor.model.constraints (the mask must be a superset of the truth). Prints each refusal with the text
around it, then one JSON line; exit status 1 when any record is refused.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from codeexecutor.model.analysis import analyse  # noqa: E402
from codeexecutor.model.constraints import TokenTable, first_disallowed  # noqa: E402
from codeexecutor.model.tokenizer import EOS, load_tokenizer  # noqa: E402
from codeexecutor.training.learning.data import read_records  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, required=True, help="dataset directory (DIR/<split>/*.jsonl)")
    parser.add_argument("--split", default="test")
    parser.add_argument("--model", type=Path, default=REPO / "model" / "weights", help="whose tokenizer.json")
    args = parser.parse_args()
    tok = load_tokenizer(args.model / "tokenizer.json")
    table = TokenTable(tok)
    checked, refused, tokens, t0 = {}, {}, 0, time.perf_counter()
    for r in read_records(args.data, args.split):
        ids = tok.encode(r["text"] + EOS, add_special_tokens=False).ids
        tokens += len(ids)
        checked[r["kind"]] = checked.get(r["kind"], 0) + 1
        at = first_disallowed(analyse(r["program"]), table, ids)
        if at is not None:
            refused[r["kind"]] = refused.get(r["kind"], 0) + 1
            context = tok.decode(ids[max(0, at - 16):at + 1], skip_special_tokens=False)
            print(f"{r['id']}: token {at} refused after ...{context!r}")
    seconds = time.perf_counter() - t0
    print(json.dumps({"check": "constraints", "data": str(args.data), "split": args.split, "records": checked,
                      "refused": refused, "tokens": tokens, "seconds": round(seconds, 1)}))
    return 1 if refused else 0


if __name__ == "__main__":
    raise SystemExit(main())
