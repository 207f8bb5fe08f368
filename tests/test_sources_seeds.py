"""The dataset's program sources: the SingleLine generator and the hand-written Tutorial seed programs."""

from __future__ import annotations

import ast
import contextlib
import io
import json
import os
import re
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from codeexecutor.training.dataset.sources import SourceProgram, singleline, tutorial

REPO = Path(__file__).resolve().parent.parent
ALLOWED_IMPORTS = {"math", "collections", "itertools", "functools"}
FORBIDDEN_CALLS = {"input", "open", "eval", "exec", "__import__", "compile", "breakpoint"}
MAX_EXECUTED_LINES = 2000

# A pattern every statement of the category must match: a category whose templates drift away from what
# its name promises fails here.
CATEGORY_PATTERNS = {
    "arithmetic": r"[-+*/%]",
    "comparison": r"<|>|==|!=| in ",
    "boolean": r"\b(and|or|not)\b|!=",
    "string_method": r"\.\w+\(",
    "string_format": r"f'|\.format\(| % |str\(| \* ",
    "indexing": r"\w\[",
    "list_method": r"\.(append|extend|insert|pop|remove|sort|reverse|index|count|copy|clear)\(| [+*] ",
    "dict_method": r"\.(get|keys|values|items|update|setdefault|pop|copy|fromkeys)\b|dict\(|\*\*|del ",
    "set_method": r"set\(|\.(add|discard|remove|update|pop|union|intersection|(symmetric_)?difference"
                  r"|issubset|issuperset|isdisjoint)\(| [-|&^] | in |sorted\(",
    "tuple": r"\.(count|index)\(|tuple|list\(|sorted\(|\+|\*|\[|\(\w+, ",
    "comprehension": r" for [\w, ]+ in ",
    "builtin": r"\b(len|sorted|sum|min|max|zip|enumerate|abs|round|range|reversed|any|all|map|filter|int|str"
               r"|divmod|pow|float|ord|chr|bin|hex|oct|type)\(",
    "augmented_assignment": r"^[\w\[\]' ]+ (\+|-|\*|//|/|%|\*\*|\||&|\^)= ",
    "unpacking": r"^[\w*(), ]+, [\w*(), ]+ = ",
    "ternary": r" if .+ else ",
}


class _TooLong(Exception):
    pass


def run_counting_lines(program: str, max_lines: int = MAX_EXECUTED_LINES) -> tuple[str, int]:
    """Exec a program in a fresh namespace; return its stdout and how many lines it executed."""
    executed = 0

    def local_trace(frame, event, arg):
        nonlocal executed
        if event == "line":
            executed += 1
            if executed > max_lines:
                raise _TooLong(f"more than {max_lines} executed lines")
        return local_trace

    def on_alarm(signum, frame):
        raise _TooLong("still running after 2 s")  # a hang inside a builtin never reaches the line counter

    code = compile(program, "<seed>", "exec")
    out = io.StringIO()
    previous_trace, previous_alarm = sys.gettrace(), signal.signal(signal.SIGALRM, on_alarm)
    signal.setitimer(signal.ITIMER_REAL, 2.0)
    try:
        with contextlib.redirect_stdout(out):
            sys.settrace(lambda frame, event, arg: local_trace)
            try:
                exec(code, {"__name__": "__main__"})
            finally:
                sys.settrace(previous_trace)
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous_alarm)
    return out.getvalue(), executed


def exec_quietly(program: str) -> str | None:
    """Exec a program, discarding its output; the name of the exception it raised, or None."""
    try:
        with contextlib.redirect_stdout(io.StringIO()):
            exec(compile(program, "<singleline>", "exec"), {"__name__": "__main__"})
    except Exception as e:  # every runtime error counts toward the error rate
        return type(e).__name__
    return None


# -- SingleLine -------------------------------------------------------------------------------------------


def test_singleline_is_reproducible_and_prefix_stable():
    first = list(singleline.generate(300, seed=5))
    assert first == list(singleline.generate(300, seed=5))
    assert list(singleline.generate(40, seed=5)) == first[:40]
    assert [p.id for p in first[:2]] == ["singleline/5-0000000", "singleline/5-0000001"]
    assert all(p.kind == "singleline" and p.stdin == "" for p in first)
    assert len({p.id for p in first}) == 300


def test_singleline_different_seeds_give_different_programs():
    a = [p.program for p in singleline.generate(500, seed=1)]
    b = [p.program for p in singleline.generate(500, seed=2)]
    assert a[0] != b[0]
    assert len(set(a) & set(b)) < 15  # only the smallest programs can coincide


def test_singleline_programs_are_mostly_distinct():
    programs = [p.program for p in singleline.generate(20_000, seed=11)]
    assert len(set(programs)) >= 19_000


def test_singleline_shape_and_every_category_covered():
    programs = list(singleline.generate(3000, seed=0))
    by_category: dict[str, list[str]] = {c: [] for c in singleline.CATEGORIES}
    for p in programs:
        category = p.origin.removeprefix("singleline/")
        *init, statement = p.program.rstrip("\n").split("\n")
        assert 1 <= len(init) <= 4, p.program
        assert all(re.match(r"^\w+ = \S", line) for line in init), p.program
        ast.parse(p.program)
        by_category[category].append(statement)
    assert set(by_category) == set(CATEGORY_PATTERNS)
    for category, statements in by_category.items():
        assert len(statements) >= 100, category  # ~200 expected with 15 categories
        misses = [s for s in statements if not re.search(CATEGORY_PATTERNS[category], s)]
        assert misses == [], (category, misses[:3])


def test_singleline_prints_some_statements():
    statements = [p.program.rstrip("\n").rsplit("\n", 1)[1] for p in singleline.generate(2000, seed=3)]
    printed = sum(s.startswith("print(") for s in statements)
    assert 50 <= printed <= 250  # 7% of the `target = expr` statements


def test_singleline_error_rate_is_low():
    errors = [exec_quietly(p.program) for p in singleline.generate(2000, seed=0)]
    failed = [e for e in errors if e is not None]
    assert len(failed) / len(errors) < 0.15
    assert set(failed) <= {"IndexError", "KeyError", "ValueError", "ZeroDivisionError", "TypeError"}


def test_singleline_rejects_negative_n_and_seed():
    with pytest.raises(ValueError, match="must be >= 0, got n=-1, seed=0"):
        list(singleline.generate(-1, seed=0))
    with pytest.raises(ValueError, match="must be >= 0, got n=3, seed=-2"):
        list(singleline.generate(3, seed=-2))


# -- Tutorial seeds ---------------------------------------------------------------------------------------

SEEDS = tutorial.load_seeds()


def test_there_are_enough_seeds_with_stable_ids():
    assert len(SEEDS) >= 150
    assert [s.id for s in SEEDS] == sorted(s.id for s in SEEDS)
    assert len({s.id for s in SEEDS}) == len(SEEDS)
    bubble = next(s for s in SEEDS if s.id == "tutorial/bubble_sort")
    assert bubble.kind == "tutorial"
    assert bubble.origin == "training/dataset/seeds/tutorial/bubble_sort.py"
    assert bubble.program.startswith("def bubble_sort(values):\n")


@pytest.mark.parametrize("seed", SEEDS, ids=lambda s: s.id.removeprefix("tutorial/"))
def test_seed_is_small_self_contained_and_runs(seed: SourceProgram):
    lines = seed.program.rstrip("\n").split("\n")
    assert 5 <= len(lines) <= 40
    tree = ast.parse(seed.program)
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            assert {a.name.split(".")[0] for a in node.names} <= ALLOWED_IMPORTS
        elif isinstance(node, ast.ImportFrom):
            assert (node.module or "").split(".")[0] in ALLOWED_IMPORTS
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
            assert node.func.id not in FORBIDDEN_CALLS
    stdout, executed = run_counting_lines(seed.program)
    assert stdout.strip() != ""
    assert executed < MAX_EXECUTED_LINES


def test_seed_output_does_not_depend_on_hash_seed():
    # A seed that prints a set of strings would give a different gold trace on every run.
    script = (
        "import contextlib, io, json\n"
        "from codeexecutor.training.dataset.sources import tutorial\n"
        "outs = {}\n"
        "for s in tutorial.load_seeds():\n"
        "    buf = io.StringIO()\n"
        "    with contextlib.redirect_stdout(buf):\n"
        "        exec(compile(s.program, s.id, 'exec'), {'__name__': '__main__'})\n"
        "    outs[s.id] = buf.getvalue()\n"
        "print(json.dumps(outs))\n"
    )
    runs = []
    for hash_seed in ("1", "2"):
        env = {**os.environ, "PYTHONHASHSEED": hash_seed, "PYTHONPATH": str(REPO)}
        done = subprocess.run([sys.executable, "-c", script], cwd=REPO, env=env, capture_output=True,
                              text=True, timeout=60, check=True)
        runs.append(json.loads(done.stdout))
    assert len(runs[0]) == len(SEEDS)
    assert [k for k in runs[0] if runs[0][k] != runs[1][k]] == []


def test_load_seeds_from_a_folder(tmp_path: Path):
    (tmp_path / "b_second.py").write_text("print(2)\n")
    (tmp_path / "a_first.py").write_text("x = 1\nprint(x)\n")
    (tmp_path / "notes.txt").write_text("not a program")
    loaded = tutorial.load_seeds(tmp_path)
    assert loaded == [
        SourceProgram("tutorial/a_first", "tutorial", "x = 1\nprint(x)\n", "", str(tmp_path / "a_first.py")),
        SourceProgram("tutorial/b_second", "tutorial", "print(2)\n", "", str(tmp_path / "b_second.py")),
    ]


def test_load_seeds_names_the_problem(tmp_path: Path):
    with pytest.raises(FileNotFoundError, match=r"no \*\.py files"):
        tutorial.load_seeds(tmp_path)
    with pytest.raises(FileNotFoundError, match="is not a directory"):
        tutorial.load_seeds(tmp_path / "missing")
