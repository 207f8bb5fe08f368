"""The paper's metrics on hand-made gold and predicted traces, with the exact expected values."""

from __future__ import annotations

from fractions import Fraction

import pytest

from codeexecutor.model.prompt import parse_generation
from codeexecutor.model.trace import MODULE_FRAME, Step, Trace
from codeexecutor.training.learning.metrics import score_example, summarize, summarize_by_construct, summarize_by_kind


def trace(*steps: tuple[int, dict[str, str]] | tuple[int, dict[str, str], str], stdout: str = "") -> Trace:
    return Trace(steps=[Step(s[0], MODULE_FRAME, s[1], output=s[2] if len(s) > 2 else None) for s in steps],
                 stdout=stdout)


GOLD = trace((1, {"a": "1"}), (2, {"a": "1", "b": "2"}), (3, {"a": "1", "b": "2"}, "3\n"), stdout="3\n")
# b is wrong from line 2 on, and the prediction runs one line too many; its output is still right.
PRED = trace((1, {"a": "1"}), (2, {"a": "1", "b": "5"}), (3, {"a": "1", "b": "5"}, "3\n"),
             (4, {"a": "1", "b": "5"}), stdout="3\n")


def approx(x: Fraction) -> object:
    return pytest.approx(float(x), abs=1e-12)


def test_one_example_exact_counts() -> None:
    s = score_example(GOLD, PRED, "tutorial")
    assert (s.has_output, s.output_correct, s.trace_correct, s.well_formed) == (True, True, False, True)
    # (line, state) pairs: only line 1's matches; gold has 3, prediction 4
    assert (s.line_tp, s.line_pred, s.line_gold) == (1, 4, 3)
    # (line, name, value): (1,a,1) (2,a,1) (3,a,1) match; gold 5 triples, prediction 7
    assert (s.id_tp, s.id_pred, s.id_gold) == (3, 7, 5)
    m = summarize([s])
    assert m["line_precision"] == approx(Fraction(1, 4))
    assert m["line_recall"] == approx(Fraction(1, 3))
    assert m["line_f1"] == approx(Fraction(2, 7))
    assert m["identifier_precision"] == approx(Fraction(3, 7))
    assert m["identifier_recall"] == approx(Fraction(3, 5))
    assert m["identifier_f1"] == approx(Fraction(1, 2))
    assert (m["output_accuracy"], m["trace_accuracy"], m["examples"]) == (1.0, 0.0, 1)


def test_repeated_steps_count_as_a_multiset() -> None:
    gold = trace((1, {"x": "1"}), (2, {"x": "1"}), (2, {"x": "1"}))
    pred = trace((1, {"x": "1"}), (2, {"x": "1"}))
    s = score_example(gold, pred, "singleline")
    assert (s.line_tp, s.line_pred, s.line_gold) == (2, 2, 3)
    assert (s.id_tp, s.id_pred, s.id_gold) == (2, 2, 3)
    assert not s.trace_correct


def test_trace_accuracy_ignores_state_order_but_not_step_order() -> None:
    reordered = trace((1, {"a": "1"}), (2, {"b": "2", "a": "1"}), (3, {"b": "2", "a": "1"}, "3\n"),
                      stdout="3\n")
    assert score_example(GOLD, reordered, "codenet").trace_correct
    swapped = trace((2, {"a": "1", "b": "2"}), (1, {"a": "1"}), (3, {"a": "1", "b": "2"}, "3\n"),
                    stdout="3\n")
    s = score_example(GOLD, swapped, "codenet")
    assert not s.trace_correct and s.line_tp == 3  # the pairs are all right, their order is not


def test_micro_average_and_per_kind() -> None:
    exact = trace((1, {"x": "'a'"}), (2, {"x": "'a'", "y": "'aa'"}))  # no output: not in output accuracy
    scores = [score_example(GOLD, PRED, "tutorial"), score_example(exact, exact, "singleline")]
    by_kind = summarize_by_kind(scores)
    assert list(by_kind) == ["tutorial", "singleline", "all"]
    assert by_kind["singleline"]["output_accuracy"] is None
    assert by_kind["singleline"]["trace_accuracy"] == 1.0
    all_ = by_kind["all"]
    assert all_["examples"] == 2
    assert all_["output_accuracy"] == 1.0  # one example with output, and it is right
    assert all_["trace_accuracy"] == 0.5
    # micro: (1 + 2) / (4 + 2) and (1 + 2) / (3 + 2)
    assert all_["line_precision"] == approx(Fraction(3, 6))
    assert all_["line_recall"] == approx(Fraction(3, 5))
    # identifiers: (3 + 3) / (7 + 3) and (3 + 3) / (5 + 3)
    assert all_["identifier_precision"] == approx(Fraction(6, 10))
    assert all_["identifier_recall"] == approx(Fraction(6, 8))


def test_malformed_generation_scores_its_valid_prefix() -> None:
    pred = parse_generation("<line> 1 <s> a 1 <line> 2 <s> a 1 <s> b 2 <line> 3 <out> '3")  # cut mid-value
    s = score_example(GOLD, pred, "tutorial")
    assert not s.well_formed and not s.output_correct and not s.trace_correct
    assert (s.line_tp, s.line_pred, s.line_gold) == (2, 2, 3)
    assert summarize([s])["well_formed"] == 0.0


def test_empty_prediction_scores_zero() -> None:
    s = score_example(GOLD, parse_generation(""), "codenet")
    m = summarize([s])
    assert (m["line_precision"], m["line_recall"], m["line_f1"]) == (None, 0.0, None)
    assert (m["output_accuracy"], m["trace_accuracy"]) == (0.0, 0.0)


def test_value_accuracy_and_precision_follow_the_alignment_rule() -> None:
    # GOLD/PRED: shown a=1 (right), b=5 (wrong: the real first run of line 2 set b=2), output (right); the
    # real run shows a, b, output, of which a and output are predicted: 2/3 both ways.
    s = score_example(GOLD, PRED, "tutorial")
    assert (s.value_shown, s.value_right_shown, s.value_real, s.value_right_real) == (3, 2, 3, 2)
    # A loop run once too few: what is shown is right (2/2), one real value is missing (2/3).
    gold = trace((1, {"x": "0"}), (2, {"x": "1"}), (2, {"x": "2"}))
    short = trace((1, {"x": "0"}), (2, {"x": "1"}))
    t = score_example(gold, short, "codenet")
    assert (t.value_shown, t.value_right_shown, t.value_real, t.value_right_real) == (2, 2, 3, 2)
    m = summarize([s, t])
    assert m["value_accuracy"] == approx(Fraction(4, 6))
    assert m["value_precision"] == approx(Fraction(4, 5))
    assert summarize([score_example(GOLD, parse_generation(""), "codenet")])["value_precision"] is None


def test_by_construct_counts_an_example_in_each_of_its_groups() -> None:
    scores = [score_example(GOLD, PRED, "realcode", ("loops", "dicts")),
              score_example(GOLD, GOLD, "realcode", ("loops",)),
              score_example(GOLD, GOLD, "tutorial", ())]
    by = summarize_by_construct(scores)
    assert list(by) == ["realcode", "tutorial"]
    assert list(by["realcode"]) == ["loops", "dicts"] and by["tutorial"] == {}
    assert list(summarize_by_construct(scores, ("dicts", "classes"))["realcode"]) == ["dicts", "loops"]
    assert (by["realcode"]["loops"]["examples"], by["realcode"]["loops"]["trace_accuracy"]) == (2, 0.5)
    assert by["realcode"]["dicts"]["value_accuracy"] == approx(Fraction(2, 3))
