"""Diversity and construct coverage of generated programs (training/dataset/generator/).

Generates N programs of one seed, then prints the share of distinct structures (training/dataset/structure.py:
names and constants abstracted), the share of programs using each construct, the shapes, the line counts,
and the generator's speed; ends with one JSON line.

    .venv/bin/python scripts/generated_diversity.py [--n 100000] [--seed 0]
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from codeexecutor.training.dataset.sources.generated import generate
from codeexecutor.training.dataset.structure import CONSTRUCTS, constructs, structure_hash


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    start = time.process_time()
    programs = list(generate(args.n, args.seed))
    gen_cpu = time.process_time() - start
    start = time.process_time()
    structures = {structure_hash(p.program) for p in programs}
    texts = {p.program for p in programs}
    used: Counter = Counter()
    for p in programs:
        used.update(constructs(p.program))
    hash_cpu = time.process_time() - start
    shapes = Counter(p.origin.split("/")[1] for p in programs)
    lines = sorted(len(p.program.splitlines()) for p in programs)
    n = len(programs)
    print(f"{'programs':28} {n:>8}")
    print(f"{'distinct texts':28} {len(texts):>8} {100 * len(texts) / n:6.1f}%")
    print(f"{'distinct structures':28} {len(structures):>8} {100 * len(structures) / n:6.1f}%")
    print(f"{'lines: median / p90 / max':28} {lines[n // 2]:>4} / {lines[n * 9 // 10]} / {lines[-1]}")
    print(f"{'generator CPU per program':28} {1000 * gen_cpu / n:8.2f} ms")
    print(f"{'hash+constructs CPU/program':28} {1000 * hash_cpu / n:8.2f} ms")
    print("\nconstruct                    share")
    for c in CONSTRUCTS:
        print(f"{c:28} {100 * used[c] / n:6.1f}%")
    print("\nshape                        share")
    for shape, k in shapes.most_common():
        print(f"{shape:28} {100 * k / n:6.1f}%")
    print(json.dumps({"bench": "generated_diversity", "n": n, "seed": args.seed,
                      "distinct_structures": len(structures), "distinct_share": round(len(structures) / n, 4),
                      "constructs": {c: round(used[c] / n, 4) for c in CONSTRUCTS},
                      "shapes": {k: round(v / n, 4) for k, v in shapes.items()},
                      "generator_ms_per_program": round(1000 * gen_cpu / n, 3)}))


if __name__ == "__main__":
    main()
