"""The trace contract: JSON and text forms are loss-free, and bad model output degrades to a partial trace."""

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from codeexecutor.model.trace import (
    MODULE_FRAME,
    Step,
    Trace,
    TraceFormatError,
    from_text,
    state_delta,
    text_and_copies,
    to_text,
)

names = st.sampled_from(["x", "y", "i", "total", "s", "nums", "_tmp", "héllo"])
# Values are reprs in real traces; strings make them contain quotes, markers and escapes.
values = st.one_of(
    st.integers(-10**6, 10**6).map(repr),
    st.text(max_size=12).map(repr),
    st.sampled_from(["'<line> 3 <s>'", "[1, 2, '<end> ok']", "'<lt>'", "{'a': <d>}",
                     "<frame, file '<program>', line 3, code f>"]),
    st.lists(st.integers(-5, 5), max_size=4).map(repr),
)
states = st.dictionaries(names, values, max_size=4)
events = st.one_of(st.none(), st.text(max_size=10), st.just("<out> x\n"))


@st.composite
def traces(draw) -> Trace:
    """Random valid traces: activations open with ``call`` and close with a return or an exception."""
    steps: list[Step] = []

    def run_frame(frame: str, depth: int, is_call: bool) -> None:
        n = draw(st.integers(1, 4))
        for k in range(n):
            if depth < 3 and draw(st.integers(0, 4)) == 0:
                run_frame(draw(st.sampled_from(["f", "g", "Stack.push"])), depth + 1, True)
            last = k == n - 1 and frame != MODULE_FRAME
            exc = draw(events) if last and draw(st.booleans()) else None
            steps.append(Step(
                line=draw(st.integers(1, 500)), frame=frame, state=draw(states),
                call=is_call and k == 0, output=draw(events),
                ret=draw(values) if last and exc is None else None,
                exception=exc if last else None,
            ))

    run_frame(MODULE_FRAME, 0, False)
    stdout = "".join(s.output or "" for s in steps) if draw(st.booleans()) else draw(st.text(max_size=8))
    status = draw(st.sampled_from(["ok", "error", "timeout", "steps", "memory", "forbidden", "output"]))
    message = draw(st.one_of(st.just(""), st.text(max_size=20)))
    return Trace(steps=steps, stdout=stdout, status=status, message=message)


@settings(max_examples=300, deadline=None)
@given(traces())
def test_text_form_round_trip_is_exact(trace: Trace) -> None:
    assert from_text(to_text(trace), strict=True) == trace


@settings(max_examples=200, deadline=None)
@given(traces())
def test_json_round_trip_is_exact(trace: Trace) -> None:
    text = json.dumps(trace.to_json())
    assert Trace.from_json(text) == trace
    assert Trace.from_json(json.loads(text)).to_json() == trace.to_json()


@settings(max_examples=200, deadline=None)
@given(traces(), st.data())
def test_truncated_text_is_a_valid_prefix(trace: Trace, data) -> None:
    text = to_text(trace)
    cut = data.draw(st.integers(0, len(text)))
    partial = from_text(text[:cut])  # never raises
    assert partial.steps == trace.steps[: len(partial.steps)]
    if cut < text.rindex("<end>"):
        assert partial.status == "steps"


# docs/trace-format.md's worked example: def sq(n): r = n * n; return r / x = sq(3) / print(x)
WORKED_EXAMPLE = Trace(steps=[
    Step(1, MODULE_FRAME, {}),
    Step(2, "sq", {"n": "3", "r": "9"}, call=True),
    Step(3, "sq", {"n": "3", "r": "9"}, ret="9"),
    Step(4, MODULE_FRAME, {"x": "9"}),
    Step(5, MODULE_FRAME, {"x": "9"}, output="9\n"),
], stdout="9\n")


def test_worked_example_from_the_docs() -> None:
    trace = WORKED_EXAMPLE
    assert to_text(trace) == (
        "<line> 1 <call> sq <line> 2 <s> n 3 <s> r 9 <line> 3 <ret> 9 <line> 4 <s> x 9 "
        "<line> 5 <out> '9\\n' <end> ok")
    assert trace.to_json()["steps"][1] == {"line": 2, "frame": "sq", "call": True,
                                           "state": {"n": "3", "r": "9"}}


def test_recursion_keeps_each_activation_state() -> None:
    # f(2) -> f(1): the inner activation's deltas start from empty; after it returns, the outer one resumes.
    trace = Trace(steps=[
        Step(1, "f", {"n": "2"}, call=True),
        Step(1, "f", {"n": "1"}, call=True),
        Step(2, "f", {"n": "1"}, ret="1"),
        Step(3, "f", {"n": "2", "r": "1"}, ret="2"),
        Step(5, MODULE_FRAME, {"v": "2"}),
    ])
    text = to_text(trace)
    assert text == ("<call> f <line> 1 <s> n 2 <call> f <line> 1 <s> n 1 <line> 2 <ret> 1 "
                    "<line> 3 <s> r 1 <ret> 2 <line> 5 <s> v 2 <end> ok")
    assert from_text(text, strict=True) == trace


def test_values_containing_markers_are_escaped() -> None:
    trace = Trace(steps=[Step(1, MODULE_FRAME, {"s": "'<line> 1 <end> ok'"})])
    text = to_text(trace)
    assert "<lt>line>" in text
    assert from_text(text, strict=True) == trace


def test_a_value_holding_a_prompt_token_is_escaped_so_it_tokenizes_as_text() -> None:
    from codeexecutor.model.engine import WEIGHTS_DIR
    from codeexecutor.model.tokenizer import load_tokenizer

    frame = "<frame, file '<program>', line 70, code <module>>"
    trace = Trace(steps=[Step(59, MODULE_FRAME, {"frame": frame})])
    text = to_text(trace)
    assert text == "<line> 59 <s> frame <lt>frame, file '<lt>program>', line 70, code <lt>module>> <end> ok"
    assert "<program>" not in load_tokenizer(WEIGHTS_DIR / "tokenizer.json").encode(text).tokens
    assert from_text(text, strict=True) == trace


def test_error_message_is_not_repeated_in_text() -> None:
    trace = Trace(steps=[Step(1, MODULE_FRAME, {}, exception="ZeroDivisionError: division by zero")],
                  status="error", message="ZeroDivisionError: division by zero")
    assert to_text(trace) == "<line> 1 <exc> 'ZeroDivisionError: division by zero' <end> error"
    assert from_text(to_text(trace), strict=True) == trace


@pytest.mark.parametrize("text, why", [
    ("<line> 1 <s> x 3 <line> two <end> ok", "malformed <line> 'two'"),
    ("<line> 1 <d> y <end> ok", "malformed <d> 'y'"),
    ("<line> 1 <s> x 3", "the text ended before <end>"),
    ("garbage <line> 1 <end> ok", "text before the first marker"),
    ("<line> 1 <out> 'unterminated <end> ok", "malformed <out>"),
])
def test_malformed_model_output_keeps_the_valid_prefix(text: str, why: str) -> None:
    partial = from_text(text)
    assert partial.status == "steps"
    assert why in partial.message
    with pytest.raises(TraceFormatError):
        from_text(text, strict=True)


def test_first_step_of_malformed_output_survives() -> None:
    partial = from_text("<line> 1 <s> x 3 <line> 2 <s> x 4 <s> y")
    assert partial.steps == [Step(1, MODULE_FRAME, {"x": "3"})]
    assert from_text("<line> 1 <s> x 3 <line> 2 <s> x 4").steps == [Step(1, MODULE_FRAME, {"x": "3"})]


def test_state_delta() -> None:
    assert state_delta({"a": "1", "b": "2"}, {"a": "1", "b": "3", "c": "0"}) == ({"b": "3", "c": "0"}, [])
    assert state_delta({"a": "1", "b": "2"}, {"b": "2"}) == ({}, ["a"])


def test_cut_keeps_a_prefix_and_says_why() -> None:
    trace = Trace(steps=[Step(i, MODULE_FRAME, {"i": str(i)}, output=f"{i}\n") for i in range(1, 6)],
                  stdout="1\n2\n3\n4\n5\n")
    cut = trace.cut(2, "cut to fit 1024 tokens")
    assert [s.line for s in cut.steps] == [1, 2]
    assert (cut.stdout, cut.status, cut.message, cut.complete) == ("1\n2\n", "steps", "cut to fit 1024 tokens",
                                                                   False)


def test_json_errors_name_the_problem() -> None:
    with pytest.raises(TraceFormatError, match="version 9"):
        Trace.from_json({"version": 9, "steps": []})
    with pytest.raises(TraceFormatError, match="step 0"):
        Trace.from_json({"steps": [{"frame": "<module>"}]})
    with pytest.raises(TraceFormatError, match="unknown trace status"):
        Trace.from_json({"steps": [], "status": "weird"})


def test_local_text_puts_each_line_of_code_after_its_number() -> None:
    source = ["def sq(n):", "    r = n * n", "    return r", "x = sq(3)", "print(x)"]
    trace = WORKED_EXAMPLE
    text, spans = text_and_copies(trace, source)
    assert text == ("<line> 1 def sq(n): <call> sq <line> 2 r = n * n <s> n 3 <s> r 9 <line> 3 return r <ret> 9 "
                    "<line> 4 x = sq(3) <s> x 9 <line> 5 print(x) <out> '9\\n' <end> ok")
    assert [text[a:b] for a, b in spans] == [" def sq(n):", " r = n * n", " return r", " x = sq(3)", " print(x)"]
    assert from_text(text, strict=True, local=True) == trace


def without(text: str, spans: list[tuple[int, int]]) -> str:
    for a, b in reversed(spans):
        text = text[:a] + text[b:]
    return text


@settings(max_examples=300, deadline=None)
@given(traces(), st.lists(st.text(alphabet=st.characters(blacklist_characters="\n\r"), max_size=12), max_size=500))
def test_local_text_is_the_compact_one_plus_the_copied_code(trace: Trace, source: list[str]) -> None:
    text, spans = text_and_copies(trace, source)
    # the copied code (with the space before it) is all the local form adds: what training does not score
    assert without(text, spans) == to_text(trace)
    assert from_text(text, strict=True, local=True) == trace


def test_local_text_escapes_code_that_spells_a_marker() -> None:
    trace = Trace(steps=[Step(1, MODULE_FRAME, {"s": "'<s>'"})])
    text = to_text(trace, ["s = '<s>'  # <end>"])
    assert text == "<line> 1 s = '<lt>s>'  # <lt>end> <s> s '<lt>s>' <end> ok"
    assert from_text(text, strict=True, local=True) == trace
