"""Per-value comparison of a predicted trace with the real one (model/alignment.py)."""

from codeexecutor.model.alignment import check_values, count_values, occurrences
from codeexecutor.model.trace import Step, Trace


def _trace(*steps: Step) -> Trace:
    return Trace(steps=list(steps))


REAL = _trace(
    Step(1, "<module>", {"total": "0"}),
    Step(2, "<module>", {"total": "0", "i": "0"}),
    Step(3, "<module>", {"total": "0", "i": "0"}),
    Step(2, "<module>", {"total": "0", "i": "1"}),
    Step(3, "<module>", {"total": "1", "i": "1"}, output="1"),
)


def test_occurrence_is_the_kth_run_of_a_line_in_its_frame():
    assert occurrences(REAL.steps) == [("<module>", 1, 0), ("<module>", 2, 0), ("<module>", 3, 0),
                                       ("<module>", 2, 1), ("<module>", 3, 1)]


def test_a_value_is_right_when_the_same_run_of_the_line_has_it():
    predicted = _trace(
        Step(1, "<module>", {"total": "0"}),
        Step(2, "<module>", {"total": "0", "i": "0"}),
        Step(3, "<module>", {"total": "0", "i": "0"}),
        Step(2, "<module>", {"total": "0", "i": "1"}),
        Step(3, "<module>", {"total": "2", "i": "1"}, output="2"),
        Step(2, "<module>", {"total": "2", "i": "2"}),  # a third iteration the real run does not have
    )
    checks = check_values(predicted, REAL)
    assert [[(c.name, c.right, c.actual) for c in step] for step in checks] == [
        [("total", True, "0")], [("i", True, "0")], [], [("i", True, "1")],
        [("total", False, "1"), ("<output>", False, "1")], [("i", False, None)]]
    counts = count_values(predicted, REAL)
    assert (counts.shown, counts.right_shown, counts.real, counts.right_real) == (6, 3, 5, 3)
