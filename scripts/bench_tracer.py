"""Tracer throughput: traced programs per second with the sandbox's zygote pool.

Two workloads: ~2000 short SingleLine-like programs (``a = 3; b = [1, 2]`` plus one statement) and ~300
20-40-line programs with loops and functions, through one warm pool (zygote start-up included), once per
``--batch`` value (jobs per zygote request: 1 is a forked child per program, as ``codeexecutor trace`` runs;
the dataset builder sends 16, and consecutive import-free programs then share a child). Reported: overall
programs/s, the fastest window's programs/s (windows of 100 / 20 programs: on a shared machine, the one least
disturbed by other load), and the CPU time per program (parent + zygotes + forked children; on a VM it also
grows with contention). Prints a table, then one JSON line.

    .venv/bin/python scripts/bench_tracer.py [--workers 4] [--batch 1 16] [--short 2000] [--long 300]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import sys
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from codeexecutor.model.trace import Trace
from codeexecutor.training.tracing.sandbox import DEFAULT_WORKERS, Sandbox

STATEMENTS = ["c = a + b[0]", "b.append(a)", "c = a * 2 - b[1]", "d = {a: b}", "c = len(b) + a",
              "c = a // 2", "s = str(a) * 2", "b = b[::-1]", "t = (a, b)", "c = max(b) ** 2"]


def short_programs(n: int, rng: random.Random) -> list[tuple[str, str]]:
    return [(f"a = {rng.randint(0, 99)}\nb = [{rng.randint(0, 9)}, {rng.randint(0, 9)}]\n"
             f"{rng.choice(STATEMENTS)}\n", "") for _ in range(n)]


def long_program(rng: random.Random) -> str:
    n, k = rng.randint(5, 15), rng.randint(2, 5)
    return f"""def collatz(n):
    steps = 0
    while n != 1:
        if n % 2 == 0:
            n = n // 2
        else:
            n = 3 * n + 1
        steps += 1
    return steps


def primes(limit):
    found = []
    for x in range(2, limit):
        if all(x % p for p in found):
            found.append(x)
    return found


total = 0
for i in range(1, {n}):
    total += collatz(i)
ps = primes({n * k})
pairs = {{}}
for p in ps:
    if p + 2 in ps:
        pairs[p] = p + 2
words = ["a", "bb", "ccc"] * {k}
lengths = [len(w) for w in words]
print(total, len(ps), pairs)
print(sum(lengths))
"""


def cpu_seconds() -> float:
    me, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime


def measure(name: str, jobs: list[tuple[str, str]], workers: int, window: int, batch: int) -> dict:
    """Throughput over all jobs, and of the fastest window (the least disturbed by other load)."""
    cpu0, t0 = cpu_seconds(), time.perf_counter()
    traces: list[Trace] = []
    window_rates = []
    with Sandbox(workers=workers) as sandbox:
        for start in range(0, len(jobs), window):
            chunk = jobs[start:start + window]
            b0 = time.perf_counter()
            traces.extend(sandbox.run_many(chunk, batch=batch))
            window_rates.append(len(chunk) / (time.perf_counter() - b0))
    wall, cpu = time.perf_counter() - t0, cpu_seconds() - cpu0  # CPU of the closed (waited) zygotes counts
    statuses = Counter(t.status for t in traces)
    steps = sum(len(t.steps) for t in traces) / len(traces)
    return {"workload": name, "programs": len(jobs), "workers": workers, "batch": batch,
            "seconds": round(wall, 2), "programs_per_s": round(len(jobs) / wall, 1),
            "best_window_programs_per_s": round(max(window_rates), 1),
            "cpu_ms_per_program": round(1000 * cpu / len(jobs), 2),
            "mean_steps": round(steps, 1), "statuses": dict(statuses)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workers", type=int, default=DEFAULT_WORKERS)
    parser.add_argument("--short", type=int, default=2000)
    parser.add_argument("--long", type=int, default=300)
    parser.add_argument("--batch", type=int, nargs="+", default=[1, 16],
                        help="jobs per zygote request, one measurement each (default: 1 16)")
    args = parser.parse_args()
    rows = []
    for batch in args.batch:
        rng = random.Random(0)
        rows += [measure("short (SingleLine-like)", short_programs(args.short, rng), args.workers, 100, batch),
                 measure("long (20-40 lines, loops)", [(long_program(rng), "") for _ in range(args.long)],
                         args.workers, 20, batch)]
    load = os.getloadavg()[0]
    print(f"{'workload':28} {'batch':>5} {'programs':>8} {'s':>7} {'programs/s':>11} {'best window/s':>14} "
          f"{'cpu ms/prog':>12} {'steps':>7}  statuses")
    for r in rows:
        print(f"{r['workload']:28} {r['batch']:>5} {r['programs']:>8} {r['seconds']:>7} {r['programs_per_s']:>11} "
              f"{r['best_window_programs_per_s']:>14} {r['cpu_ms_per_program']:>12} {r['mean_steps']:>7}  "
              f"{r['statuses']}")
    print(f"(load average {load:.2f} on {os.cpu_count()} cores during the run)")
    print(json.dumps({"bench": "tracer", "workers": args.workers, "cores": os.cpu_count(),
                      "load_average": round(load, 2), "results": rows}))


if __name__ == "__main__":
    main()
