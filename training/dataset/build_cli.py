"""`codeexecutor build-dataset`'s command line: flags -> BuildConfig -> build (training/dataset/build.py)."""

from __future__ import annotations

import argparse

from codeexecutor.training.dataset.build import PROGRAMS_PER_SHARD, BuildConfig, build
from codeexecutor.training.dataset.sources import KINDS
from codeexecutor.training.tracing.sandbox import DEFAULT_WORKERS


def _shard(text: str) -> tuple[int, int]:
    try:
        i, n = (int(x) for x in text.split("/"))
    except ValueError:
        raise argparse.ArgumentTypeError(f"--shard wants i/n (e.g. 0/8), got {text!r}") from None
    if not 0 <= i < n:
        raise argparse.ArgumentTypeError(f"--shard {text}: need 0 <= i < n")
    return i, n


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--list-corpora", action="store_true",
                        help="print the real-code sources (name, role, programs, license) and exit")
    parser.add_argument("--kind", choices=KINDS)
    parser.add_argument("--corpus", nargs="+", default=[], metavar="NAME|PATH",
                        help="codenet: source names (--list-corpora), CodeNet-layout roots or folders of .py "
                             "files; realcode: benchmark source names (default: all); tutorial: a seed folder")
    parser.add_argument("--size", type=int, help="original programs to take from the source")
    parser.add_argument("--out", help="output directory")
    parser.add_argument("--workers", type=int, default=DEFAULT_WORKERS,
                        help=f"tracing processes (default {DEFAULT_WORKERS}: two per core; 1: debug, in order)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--shards", type=int, default=0,
                        help=f"number of shards (default: one per {PROGRAMS_PER_SHARD} programs)")
    parser.add_argument("--shard", type=_shard, default=None, metavar="i/n", help="build only shard i of n")
    parser.add_argument("--mutants-per-program", type=int, default=None,
                        help="default 4; generated: 0 (every generated program is already a new one)")
    parser.add_argument("--max-order", type=int, default=1,
                        help="mutations stacked per mutant at most (more: more distinct mutants per seed)")
    parser.add_argument("--max-tokens", type=int, default=2048,
                        help="program + trace text budget (~3 characters a token); longer traces are cut")
    parser.add_argument("--check-rate", type=float, default=0.25,
                        help="fraction of mutants traced twice to check determinism (originals: always)")


def config_from_args(args: argparse.Namespace) -> BuildConfig:
    from codeexecutor.training.dataset.sources.catalog import BENCHMARK, check_entries, names

    if args.kind is None or args.size is None or args.out is None:
        raise SystemExit("build-dataset needs --kind, --size and --out (or --list-corpora)")
    if args.kind == "codenet" and not args.corpus:
        raise SystemExit("build-dataset --kind codenet needs --corpus NAME|PATH ... (a source of "
                         "--list-corpora, a CodeNet root or a folder of .py files)")
    if args.kind == "realcode":
        args.corpus = args.corpus or list(names(BENCHMARK))
        if args.mutants_per_program:
            raise SystemExit("build-dataset --kind realcode: the benchmark holds originals only; "
                             "drop --mutants-per-program")
    check_entries(args.corpus, args.kind)
    shards = args.shards
    shard = None
    if args.shard is not None:
        shard, shards = args.shard
    if args.mutants_per_program is None:
        args.mutants_per_program = 0 if args.kind in ("generated", "realcode") else 4
    if args.size < 1 or args.mutants_per_program < 0 or args.max_order < 1 or not 0 <= args.check_rate <= 1:
        raise SystemExit("build-dataset: need --size >= 1, --mutants-per-program >= 0, --max-order >= 1 and "
                         "0 <= --check-rate <= 1")
    return BuildConfig(kind=args.kind, out=args.out, size=args.size, corpus=tuple(args.corpus),
                       seed=args.seed, shards=shards, shard=shard, workers=args.workers,
                       mutants_per_program=args.mutants_per_program, max_order=args.max_order,
                       max_tokens=args.max_tokens, check_rate=args.check_rate)


def run(args: argparse.Namespace) -> int:
    if args.list_corpora:
        from codeexecutor.training.dataset.sources.catalog import listing
        print("\n".join(listing()))
        return 0
    return build(config_from_args(args))
