"""Value rendering cost for big values, and (with ``--baseline``) the same values through another render.py.

The tracer renders every name at every step, so what one rendering of a big value costs is paid at each step
(model/render.py). For each big value this prints the mean time of one ``render(value)``; with
``--baseline FILE`` (an older render.py, e.g. ``git show REV:model/render.py > /tmp/old.py``) it
also times that file's ``render`` and checks, on a few thousand seeded random small values, that both give
the same text for every value whose rendering is not cut (no ``…``). Prints a table, then one JSON line.

    .venv/bin/python scripts/bench_render.py [--baseline /tmp/render_old.py] [--repeat 3]
"""

from __future__ import annotations

import argparse
import collections
import importlib.util
import json
import random
import sys
import time
from collections.abc import Callable
from pathlib import Path
from types import ModuleType

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from codeexecutor.model import render as current

MB = 1 << 20


class Bag:
    """An instance without its own __repr__: rendered from its attributes."""


def big_values() -> dict[str, object]:
    bag = Bag()
    for i in range(200_000):
        setattr(bag, f"a{i}", i)
    return {
        "bytearray 20 MB": bytearray(20 * MB),
        "bytes 20 MB": bytes(20 * MB),
        "str 20 MB": "x" * (20 * MB),
        "list 5M ints": list(range(5_000_000)),
        "tuple 5M ints": tuple(range(5_000_000)),
        "dict 1M": dict.fromkeys(range(1_000_000), 0),
        "set 1M ints": set(range(1_000_000)),
        "set 200k strs": {f"s{i}" for i in range(200_000)},
        "frozenset 200k tuples": frozenset((i, i) for i in range(200_000)),
        "deque 1M": collections.deque(range(1_000_000)),
        "Counter 200k": collections.Counter(range(200_000)),
        "object 200k attrs": bag,
        "list of 1M lists": [[i] for i in range(1_000_000)],
    }


def mean_seconds(fn: Callable[[object], str], value: object, repeat: int) -> float:
    fn(value)  # warm: the first call pays for caches and the slice's allocation pattern
    start = time.perf_counter()
    for _ in range(repeat):
        fn(value)
    return (time.perf_counter() - start) / repeat


def random_value(rng: random.Random, depth: int = 0) -> object:
    """A small value of the kinds the tracer meets; sizes around the item limit so some are cut."""
    atoms: list[Callable[[], object]] = [
        lambda: rng.randint(-10**6, 10**6), lambda: rng.random(), lambda: rng.choice([None, True, False]),
        lambda: "".join(rng.choice("ab'\"\\\n é") for _ in range(rng.randint(0, 8))),
        lambda: bytes(rng.randint(0, 255) for _ in range(rng.randint(0, 6))),
        lambda: bytearray(rng.choice(b"ab'\"\\\x00 at 0x1") for _ in range(rng.randint(0, 12)))]
    if depth >= 3 or rng.random() < 0.4:
        return rng.choice(atoms)()
    n = rng.choice([0, 1, 2, 3, 5, 19, 20, 21, 25])
    hashable = [lambda: rng.randint(-50, 50), lambda: rng.choice("abcxyz") * rng.randint(1, 3),
                lambda: (rng.randint(0, 9), rng.choice("ab")), lambda: frozenset(rng.sample(range(9), 3))]
    kind = rng.randrange(8)
    if kind == 0:
        return [random_value(rng, depth + 1) for _ in range(n)]
    if kind == 1:
        return tuple(random_value(rng, depth + 1) for _ in range(n))
    if kind == 2:
        return {rng.choice(hashable)(): random_value(rng, depth + 1) for _ in range(n)}
    if kind == 3:
        return {rng.choice(hashable)() for _ in range(n)}
    if kind == 4:
        return frozenset(rng.choice(hashable)() for _ in range(n))
    if kind == 5:
        return collections.deque((random_value(rng, depth + 1) for _ in range(n)), maxlen=rng.choice([None, 30]))
    if kind == 6:
        return collections.Counter(rng.choice("abcdefghijklmnopqrstuvwxyz") for _ in range(n))
    bag = Bag()
    for i in range(n):
        setattr(bag, f"f{i}", random_value(rng, depth + 1))
    return bag


def compare(old: ModuleType, values: list[object]) -> tuple[int, int, int]:
    """(values, uncut ones, uncut ones whose texts differ)."""
    uncut = differ = 0
    for value in values:
        new = current.render(value)
        if current.TRUNCATED in new:
            continue
        uncut += 1
        if old.render(value) != new:
            differ += 1
            print(f"DIFFERENT: {old.render(value)!r} != {new!r}", file=sys.stderr)
    return len(values), uncut, differ


def load(path: Path) -> ModuleType:
    spec = importlib.util.spec_from_file_location("baseline_render", path)
    assert spec is not None and spec.loader is not None, f"cannot load {path}"
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--baseline", type=Path, help="an older render.py to time and compare against")
    parser.add_argument("--repeat", type=int, default=3, help="renderings per value and version")
    parser.add_argument("--random", type=int, default=5000, help="random small values to compare")
    args = parser.parse_args()
    old = load(args.baseline) if args.baseline else None
    rows = []
    print(f"{'value':<24} {'current ms':>11} {'baseline ms':>12}  rendering (current)")
    for name, value in big_values().items():
        now = mean_seconds(current.render, value, args.repeat)
        before = mean_seconds(old.render, value, args.repeat) if old else None
        text = current.render(value)
        rows.append({"value": name, "current_ms": round(now * 1e3, 3),
                     "baseline_ms": None if before is None else round(before * 1e3, 3)})
        shown = "-" if before is None else f"{before * 1e3:.3f}"
        print(f"{name:<24} {now * 1e3:>11.3f} {shown:>12}  {text[:40]}")
    figures: dict[str, object] = {"bench": "render", "repeat": args.repeat, "results": rows}
    if old is not None:
        rng = random.Random(0)
        total, uncut, differ = compare(old, [random_value(rng) for _ in range(args.random)])
        print(f"random small values: {total}, not cut: {uncut}, not cut and different: {differ}")
        figures.update(random_values=total, uncut=uncut, uncut_different=differ)
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
