"""`codeexecutor build-dataset`: programs -> mutants -> gold traces -> filtered, split JSONL shards.

Per original program (``SourceProgram``): trace it (twice: a program whose two traces differ is not
deterministic and is skipped), make up to M mutants (training/dataset/mutants.py), trace them, and keep a mutant
only if its trace is complete, deterministic (a sampled ``--check-rate`` of mutants is traced twice) and
differs from the original's. Records follow the "Dataset record" contract of docs/architecture.md.

Output, per shard ``j`` of ``n`` (a fixed slice of the program stream, so shards are independent):
``DIR/<split>/<kind>-<j>.jsonl`` for train/valid/test, each written under a temporary name and renamed, then
the completion marker ``DIR/_done/<kind>-<j>.json`` (the shard's counts). A rerun skips shards with a
marker, so a build killed at any point finishes without duplicated or lost shards. When every shard is done,
exact duplicates across shards are removed (the first shard keeps its copy) and DIR/stats.md is written.
docs/dataset.md describes the flags, the filters and the measured throughput.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import math
import random
import re
import sys
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import asdict, dataclass
from itertools import chain, islice
from pathlib import Path

from tqdm import tqdm

from codeexecutor.model.trace import Trace, to_text
from codeexecutor.training.dataset import stats
from codeexecutor.training.dataset.programs import Made, dedup_key, helper_process, made_in, normalized, with_code
from codeexecutor.training.dataset.shards import DONE, ShardWriter, dedupe_across_shards, write_atomic
from codeexecutor.training.dataset.sources import SourceProgram
from codeexecutor.training.dataset.structure import Description
from codeexecutor.training.tracing.sandbox import DEFAULT_WORKERS, Sandbox, batched, in_order
from codeexecutor.training.tracing.tracer import Limits, SandboxError

REAL_CODE = ("codenet", "realcode")  # kinds of real code: whole files split together, erroring originals dropped
# Kinds deterministic by construction (training/dataset/generator/: no imports, no clock, no randomness, no
# I/O): their originals are traced twice only for a --check-rate sample, like mutants. Tracing every one twice
# was half of the generated kind's build time, and no generated program has ever failed the check.
DETERMINISTIC = ("generated",)
# An object's default repr shows its address: the same in both traces of one build (they share a zygote),
# another in any other process, so such a trace cannot be re-traced (scripts/check_dataset.py) or learnt.
_ADDRESS = re.compile(r"0x[0-9a-f]{6,}>")  # "<Box object at 0x7f3a...>", not a hex number
CHUNK = 256  # programs per round: their originals are traced first, then the mutants of those that ran
# Jobs per sandbox request: consecutive import-free programs then share one forked child (training/tracing/sandbox.py),
# which made SingleLine tracing ~10x faster than a fork per program (docs/dataset.md has the figures).
BATCH = 16
# Generated programs' traces are short (~30 steps, ~5 KB of JSON): 64 a request share a child (fewer forks)
# and the requests in flight still hold only a few MB.
SHORT_BATCH = 64
PROGRAMS_PER_SHARD = 5000  # default shard size: a kill -9 loses at most this much work
_UNCHECKED = Trace(status="ok", message="not traced twice")  # marks a mutant left out of the sampled check


@dataclass(frozen=True)
class BuildConfig:
    """Every flag of a build; saved as DIR/config.json, and a rerun must match it (except workers/shard)."""

    kind: str
    out: str
    size: int
    corpus: tuple[str, ...] = ()
    seed: int = 0
    shards: int = 0  # 0: one shard per PROGRAMS_PER_SHARD programs
    shard: int | None = None  # build only this shard (``--shard i/n``)
    workers: int = DEFAULT_WORKERS
    mutants_per_program: int = 4
    max_order: int = 1
    max_tokens: int = 2048
    check_rate: float = 0.25

    def __post_init__(self) -> None:
        if self.kind == "realcode" and self.mutants_per_program:
            raise ValueError("a realcode build holds originals only (the benchmark is never mutated): "
                             "set mutants_per_program=0")

    @property
    def num_shards(self) -> int:
        return self.shards or max(1, math.ceil(self.size / PROGRAMS_PER_SHARD))

    def identity(self) -> dict:
        """The fields that decide the output (a rerun with different ones would mix two datasets)."""
        d = asdict(self)
        for key in ("out", "shard", "workers", "shards"):
            d.pop(key)
        d["corpus"] = list(self.corpus)
        d["num_shards"] = self.num_shards
        return d


@dataclass(frozen=True)
class Outcome:
    """One original program's result: ``ok`` with records, or ``failed``/``skipped`` with the reason."""

    status: str
    reason: str = ""
    records: tuple[dict, ...] = ()
    described: Description | None = None  # the structure of the original (records[0]), when already known


# ---------------------------------------------------------------------------------------------------------
# Pure parts.


def split_of(key: str) -> str:
    """train/valid/test in 90/5/5 from a hash of the original program's key (never Python's ``hash``)."""
    bucket = int(hashlib.sha256(key.encode()).hexdigest(), 16) % 100
    return "train" if bucket < 90 else "valid" if bucket < 95 else "test"


def split_key(program: SourceProgram, code: str) -> str:
    """What decides a program's split: its file for real code (all programs of one module together), else
    its normalized code and input (identical programs land in the same split)."""
    if program.kind in REAL_CODE and program.origin:
        return program.origin
    return f"{code}\0{program.stdin}"


def fit(program: str, trace: Trace, max_tokens: int) -> tuple[Trace, str] | None:
    """The trace (cut if needed) and its text so program + text fit ``max_tokens`` (~3 characters a token)."""
    budget = 3 * max_tokens - len(program)
    text = to_text(trace)
    if len(text) <= budget:
        return trace, text

    def cut(k: int) -> Trace:
        return trace.cut(k, f"cut to {k} steps to fit {max_tokens} tokens")

    # The largest k whose cut text fits (the text grows with k). Gallop up from 1 first: the answer is
    # usually a few hundred steps of a trace that may have thousands, and each probe renders k steps.
    lo, hi = 0, 1
    while hi < len(trace.steps) and len(to_text(cut(hi))) <= budget:
        lo, hi = hi, 2 * hi
    hi = min(hi, len(trace.steps))
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if len(to_text(cut(mid))) <= budget:
            lo = mid
        else:
            hi = mid - 1
    if lo == 0:
        return None
    return cut(lo), to_text(cut(lo))


def make_record(program: SourceProgram, record_id: str, code: str, trace: Trace, text: str, operator: str,
                split: str, key: str) -> dict:
    return {"id": record_id, "kind": program.kind, "program": code, "stdin": program.stdin,
            "trace": trace.to_json(), "text": text, "operator": operator, "origin": program.id,
            "split": split, "length": len(code) + len(text), "dedup": key}


def _usable(trace: Trace | None, kind: str) -> str | None:
    """Why an original's trace cannot be used (None when it can)."""
    if trace is None:
        return "sandbox failure"
    if not trace.complete:
        return f"original {trace.status}"
    # Real code called with guessed arguments often just fails; such an error says little about the code.
    if kind in REAL_CODE and trace.status != "ok":
        return "original error"
    return None


# ---------------------------------------------------------------------------------------------------------
# One shard.


@dataclass
class _Prepared:
    program: SourceProgram
    code: str
    split: str
    key: str
    rng: random.Random
    described: Description | None  # the program's structure, when already known


@dataclass
class _Mutant:
    """One mutant sent to the tracer: ``i`` its original in the chunk's ready list, ``k`` its number."""

    i: int
    k: int
    operator: str
    code: str
    key: str
    check: bool  # traced twice (the sampled determinism check)


def _prepare(programs: Iterable[Made], seen: set[str], cfg: BuildConfig,
             skipped: list[Outcome]) -> Iterator[_Prepared]:
    """The programs to trace, lazily (so making them overlaps tracing); the others go to ``skipped``."""
    for p, code, described in programs:
        if code is None:
            skipped.append(Outcome("skipped", "does not parse"))
            continue
        key = dedup_key(code, p.stdin)
        if key in seen:
            skipped.append(Outcome("skipped", "duplicate"))
            continue
        seen.add(key)
        # Seeded per program id: the same program gets the same mutants in any shard layout or worker count.
        # The held-out benchmark is test data only: it must never be drawn for training or validation.
        split = "test" if p.kind == "realcode" else split_of(split_key(p, code))
        yield _Prepared(p, code, split, key, random.Random(f"{cfg.seed}:{p.id}"), described)


def traced_twice(program: SourceProgram, cfg: BuildConfig) -> bool:
    """Whether an original is traced twice (the determinism check): always, except for the kinds that are
    deterministic by construction, where a ``--check-rate`` sample is (drawn from a hash of the seed and the
    program's id: the same in any shard layout, and independent of the mutants' random draws)."""
    if program.kind not in DETERMINISTIC:
        return True
    draw = int(hashlib.sha256(f"check:{cfg.seed}:{program.id}".encode()).hexdigest()[:13], 16) / 16**13
    return draw < cfg.check_rate


# Jobs in, traces out in input order; None for a job the sandbox itself failed on (a value, not a raise).
TraceJobs = Callable[[Iterable[tuple[str, str]]], Iterator["Trace | None"]]


def sandbox_tracer(sandbox: Sandbox, limits: Limits, batch: int = BATCH) -> TraceJobs:
    """Trace jobs with the sandbox's workers, ``batch`` jobs per request, a few requests in flight."""
    def group(jobs: list[tuple[str, str]]) -> list[Trace | None]:
        try:
            return list(sandbox.run_batch(jobs, limits))
        except SandboxError:
            return [None] * len(jobs)

    def run(jobs: Iterable[tuple[str, str]]) -> Iterator[Trace | None]:
        for traces in in_order(group, batched(jobs, batch), sandbox.workers):
            yield from traces

    return run


def _original_jobs(prepared: Iterable[_Prepared], cfg: BuildConfig,
                   plan: list[tuple[_Prepared, bool]]) -> Iterator[tuple[str, str]]:
    """Yield each original's tracing job (twice when ``traced_twice``); ``plan`` records each original."""
    for prep in prepared:
        twice = traced_twice(prep.program, cfg)
        plan.append((prep, twice))
        job = (prep.program.program, prep.program.stdin)
        yield job
        if twice:
            yield job


def _mutant_jobs(ready: list[_Prepared], cfg: BuildConfig, seen: set[str], plan: list[_Mutant],
                 counts: Counter) -> Iterator[tuple[str, str]]:
    """Yield the mutant tracing jobs (lazily, so mutation overlaps tracing); ``plan`` records each one."""
    if cfg.mutants_per_program <= 0:  # parsing for mutation sites costs more than tracing: skip it
        return
    from codeexecutor.training.dataset.mutants import mutants  # libcst: a fifth of a second to import

    for i, prep in enumerate(ready):
        made = mutants(prep.program.program, cfg.mutants_per_program, prep.rng, cfg.max_order)
        for k, (operator, code) in enumerate(made):
            counts["mutants made"] += 1
            norm = normalized(code)
            key = dedup_key(norm or code, prep.program.stdin)
            if key in seen:
                counts["mutant dropped: duplicate"] += 1
                continue
            seen.add(key)
            check = prep.rng.random() < cfg.check_rate
            plan.append(_Mutant(i, k, operator, code, key, check))
            yield code, prep.program.stdin
            if check:
                yield code, prep.program.stdin


def _digest(dumped: str) -> str:
    """A trace's JSON text, hashed: what is kept of an original to spot its equivalent mutants."""
    return hashlib.sha256(dumped.encode("utf-8", "surrogatepass")).hexdigest()


def _mutant_record(prep: _Prepared, original: str, mutant: _Mutant, trace: Trace | None,
                   again: Trace | None, cfg: BuildConfig, counts: Counter) -> dict | None:
    """A traced mutant's record, or None (the drop reason counted); ``original``: the original's digest."""
    reason = None
    if trace is None or again is None:
        reason = "sandbox failure"
    elif not trace.complete:
        reason = f"mutant {trace.status}"
    else:
        dumped = trace.dumps()
        if again is not _UNCHECKED and again.dumps() != dumped:
            reason = "mutant not deterministic"
        elif _digest(dumped) == original:
            reason = "mutant equivalent"
    fitted = None if reason else fit(mutant.code, trace, cfg.max_tokens)
    if reason is None and fitted is None:
        reason = "mutant too long"
    if reason:
        counts[f"mutant dropped: {reason}"] += 1
        return None
    trace_kept, text = fitted
    counts["mutants cut to fit"] += trace_kept is not trace
    counts["mutants kept"] += 1
    return make_record(prep.program, f"{prep.program.id}#m{mutant.k}", mutant.code, trace_kept, text,
                       mutant.operator, prep.split, mutant.key)


def _no_progress(n: int) -> None:
    return None


@dataclass
class _Ready:
    """An original that ran and fits: its record, and its trace's digest (to spot equivalent mutants)."""

    prep: _Prepared
    record: dict
    digest: str


def _original(prep: _Prepared, first: Trace | None, second: Trace | None, cfg: BuildConfig,
              counts: Counter) -> Outcome | _Ready:
    """An original's failure or skip, or its record (``second``: its second trace, or ``_UNCHECKED``)."""
    reason = _usable(first, prep.program.kind)
    checked = second is not _UNCHECKED
    # The JSON text is what is compared, and what spots equivalent mutants: made only when needed.
    dumped = first.dumps() if reason is None and (checked or cfg.mutants_per_program > 0) else ""
    if reason is None and checked and (second is None or dumped != second.dumps()):
        reason = "original not deterministic"
    if reason is None and prep.program.kind in REAL_CODE and _ADDRESS.search(dumped):
        reason = "original shows a memory address"
    if reason:
        return Outcome("failed", reason)
    fitted = fit(prep.program.program, first, cfg.max_tokens)
    if fitted is None:
        return Outcome("skipped", "original too long")
    trace, text = fitted
    counts["originals cut to fit"] += trace is not first
    record = make_record(prep.program, f"{prep.program.id}#orig", prep.program.program, trace, text,
                         "original", prep.split, prep.key)
    return _Ready(prep, record, _digest(dumped) if dumped else "")


def build_chunk(programs: Iterable[Made], cfg: BuildConfig, seen: set[str], counts: Counter,
                trace_jobs: TraceJobs, advance: Callable[[int], object] = _no_progress) -> Iterator[Outcome]:
    """Trace, mutate and filter a chunk of programs; one Outcome per program (``advance`` hears of each).

    The programs are made, traced and turned into records as a stream: the main process makes the next
    programs and the records of the last ones while the sandbox traces those in between. Without mutants an
    original's outcome is yielded as soon as its traces are back (a chunk may then be a whole shard).
    Memory stays at about one program's records: full traces (a 10,000-step trace is megabytes) are cut or
    dropped as they arrive, and each program's outcome is yielded once the next program's mutants come back.
    """
    skipped: list[Outcome] = []
    plan: list[tuple[_Prepared, bool]] = []  # grows as the jobs generator runs, always ahead of the results
    traced = iter(trace_jobs(_original_jobs(_prepare(programs, seen, cfg, skipped), cfg, plan)))
    streaming = cfg.mutants_per_program <= 0
    ready: list[_Ready] = []
    for n, first in enumerate(traced):
        prep, twice = plan[n]
        second = next(traced) if twice else _UNCHECKED
        got = _original(prep, first, second, cfg, counts)
        if isinstance(got, Outcome):
            yield got
            advance(1)
        elif streaming:
            yield Outcome("ok", records=(got.record,), described=prep.described)
            advance(1)
        else:
            ready.append(got)
        yield from skipped
        advance(len(skipped))
        skipped.clear()
    yield from skipped  # the programs after the last one traced
    advance(len(skipped))
    if streaming:
        return
    plan_m: list[_Mutant] = []
    traces = iter(trace_jobs(_mutant_jobs([r.prep for r in ready], cfg, seen, plan_m, counts)))
    kept: list[dict] = []
    finished = 0  # programs whose mutants are all traced and whose outcome is yielded
    for cursor, trace in enumerate(traces):
        mutant = plan_m[cursor]  # ``plan_m`` grows as the jobs generator runs, always ahead of the results
        again = next(traces) if mutant.check else _UNCHECKED
        while finished < mutant.i:
            yield Outcome("ok", records=(ready[finished].record, *kept), described=ready[finished].prep.described)
            kept, finished = [], finished + 1
            advance(1)
        item = ready[mutant.i]
        record = _mutant_record(item.prep, item.digest, mutant, trace, again, cfg, counts)
        if record is not None:
            kept.append(record)
    while finished < len(ready):
        yield Outcome("ok", records=(ready[finished].record, *kept), described=ready[finished].prep.described)
        kept, finished = [], finished + 1
        advance(1)


def build_shard(programs: Iterable[Made], cfg: BuildConfig, trace_jobs: TraceJobs,
                sink: Callable[[dict, Description | None], object], bar: tqdm | None = None) -> Counter:
    """Every record of one shard, handed to ``sink`` as it is made; returns the counts (outcomes, drop
    reasons, cuts)."""
    counts: Counter = Counter()
    seen: set[str] = set()
    records = 0
    advance = bar.update if bar is not None else _no_progress
    # Without mutants nothing waits for the end of a chunk: the whole shard streams through as one.
    chunks = batched(programs, CHUNK) if cfg.mutants_per_program > 0 else [programs]
    for chunk in chunks:
        for outcome in build_chunk(chunk, cfg, seen, counts, trace_jobs, advance):
            why = f": {outcome.reason}" if outcome.reason else ""
            counts[f"program {outcome.status}{why}"] += 1
            for i, record in enumerate(outcome.records):
                sink(record, None if i else outcome.described)
            records += len(outcome.records)
            if bar is not None and outcome.records:
                bar.set_postfix(records=records, refresh=False)
    return counts


# ---------------------------------------------------------------------------------------------------------
# The I/O shell: sources, shard files, markers, resume.


def load_programs(cfg: BuildConfig) -> tuple[Iterator[SourceProgram], int]:
    """The first ``cfg.size`` original programs of the chosen source, in a stable order, and how many there
    are (for real code: at most ``cfg.size``, as the folders are only walked lazily)."""
    if cfg.kind == "singleline":
        from codeexecutor.training.dataset.sources.singleline import generate
        return generate(cfg.size, cfg.seed), cfg.size
    if cfg.kind == "generated":
        from codeexecutor.training.dataset.sources.generated import generate as generate_programs
        return generate_programs(cfg.size, cfg.seed), cfg.size
    if cfg.kind == "tutorial":
        from codeexecutor.training.dataset.sources.tutorial import load_seeds
        seeds = load_seeds(Path(cfg.corpus[0]) if cfg.corpus else None)[: cfg.size]
        return iter(seeds), len(seeds)
    from codeexecutor.training.dataset.sources.catalog import corpus_programs
    return islice(corpus_programs(cfg.corpus, cfg.kind), cfg.size), cfg.size


def shard_name(cfg: BuildConfig, index: int) -> str:
    return f"{cfg.kind}-{index:05d}"


def check_config(out: Path, cfg: BuildConfig) -> None:
    """Record the flags in DIR/config.json (one entry per kind), or refuse to mix in other settings."""
    path = out / "config.json"
    configs = json.loads(path.read_text()) if path.exists() else {}
    saved = configs.get(cfg.kind)
    if saved is not None and saved["identity"] != cfg.identity():
        mine = cfg.identity()
        diff = {k: (saved["identity"].get(k), v) for k, v in mine.items() if saved["identity"].get(k) != v}
        raise SystemExit(f"build-dataset: {out} holds a {cfg.kind} build with other settings (saved, now): "
                         f"{diff}; use another --out or delete {out}")
    configs[cfg.kind] = {"identity": cfg.identity(), "flags": {**asdict(cfg), "corpus": list(cfg.corpus)}}
    out.mkdir(parents=True, exist_ok=True)
    write_atomic(path, json.dumps(configs, indent=1, sort_keys=True))


def build(cfg: BuildConfig) -> int:
    """Build every shard not yet done (or only ``cfg.shard``); finish the dataset when all are done."""
    out = Path(cfg.out)
    check_config(out, cfg)
    if cfg.shard is None:
        # Leftovers of a killed run (its shards have no marker and are rebuilt). With --shard, other
        # processes may be writing their own temporary files right now: leave them alone.
        leftovers = [*out.glob(f"*/{cfg.kind}-*.tmp-*"), *out.glob(f"{DONE}/final/{cfg.kind}.json.tmp-*")]
        for leftover in leftovers:
            leftover.unlink()
    n = cfg.num_shards
    per = math.ceil(cfg.size / n)
    wanted = [cfg.shard] if cfg.shard is not None else list(range(n))
    todo = [j for j in wanted if not (out / DONE / f"{shard_name(cfg, j)}.json").exists()]
    print(f"build-dataset: {cfg.kind}, {cfg.size} programs in {n} shards of {per}; "
          f"{len(wanted) - len(todo)} already done, {len(todo)} to build", file=sys.stderr)
    if todo:
        programs, known = load_programs(cfg)
        total = sum(max(0, min(known, per * (j + 1)) - per * j) for j in todo)
        # Generated programs are made (and normalized) in a helper process while this one handles traces:
        # forked now, before any thread exists (the sandbox's and the progress bar's come later).
        maker = (helper_process() if cfg.kind == "generated" and cfg.workers > 1 else contextlib.nullcontext())
        with (maker as pool, Sandbox(workers=cfg.workers) as sandbox,
              tqdm(total=total, unit="prog", desc=cfg.kind, smoothing=0.05) as bar):
            trace_jobs = sandbox_tracer(sandbox, Limits(), SHORT_BATCH if cfg.kind in DETERMINISTIC else BATCH)
            position = 0
            for j in todo:
                # Shards are consecutive slices of one stream: skip to shard j, then take its programs (lazily:
                # making them overlaps tracing them). Generated program i depends only on (seed, i).
                if pool is not None:
                    chunk = made_in(pool, cfg.seed, per * j, min(cfg.size, per * (j + 1)))
                else:
                    chunk = with_code(islice(programs, per * j - position, per * j - position + per))
                    position = per * (j + 1)
                head = next(chunk, None)
                writer = ShardWriter(out, shard_name(cfg, j))
                try:
                    if head is not None:
                        counts = build_shard(chain([head], chunk), cfg, trace_jobs, writer.add, bar)
                    else:
                        counts = Counter({"empty shard (the source has fewer programs than --size)": 1})
                except BaseException:
                    writer.discard()
                    raise
                writer.commit(counts)
    done = all((out / DONE / f"{shard_name(cfg, j)}.json").exists() for j in range(n))
    if not done:
        print(f"build-dataset: shard(s) {todo} done; run without --shard to finish once all {n} are built",
              file=sys.stderr)
        return 0
    removed = dedupe_across_shards(out, cfg.kind, [shard_name(cfg, j) for j in range(n)])
    report = stats.write_report(out)
    print(f"build-dataset: done; {removed} duplicate records removed across shards; report in {report}",
          file=sys.stderr)
    return 0
