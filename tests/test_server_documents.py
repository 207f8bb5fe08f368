"""The document store: one record per document version, and verify's checks only for what they checked."""

from __future__ import annotations

from pygls.workspace import TextDocument

from codeexecutor.model.engine import Prediction
from codeexecutor.model.trace import MODULE_FRAME, Step, Trace
from codeexecutor.server.documents import Documents
from codeexecutor.server.verification import check

URI = "file:///a%20b.py"  # as a client sends it; pygls keys the document by the unquoted URI
TEXT = "def f(a):\n    return a\n\n\nx = 1\nprint(x)\n"


def test_a_record_lives_for_one_version_and_keeps_its_checks_for_its_own_prediction_only():
    docs = {"file:///a b.py": TextDocument("file:///a b.py", TEXT, version=1)}
    documents = Documents(lambda: docs)
    record = documents.current(URI)
    assert record is documents.current(URI) and record.lines == TEXT.split("\n")
    (scenario,) = record.analysis.scenarios
    trace = Trace(steps=[Step(1, MODULE_FRAME, {"x": "1"}), Step(2, MODULE_FRAME, {"x": "1"}, output="1\n")],
                  stdout="1\n")
    prediction = Prediction(trace, [], tokens=0, seconds=0.0)
    record.verified(check([(scenario, prediction)], [trace]))
    assert record.check_of(scenario, prediction).prediction is prediction
    # the same program predicted again (the cache was cleared): the check is not about this prediction
    assert record.check_of(scenario, Prediction(trace, [], tokens=0, seconds=0.0)) is None
    docs["file:///a b.py"] = TextDocument("file:///a b.py", TEXT, version=2)
    assert documents.current(URI).check_of(scenario, prediction) is None  # an edit: a new record
    edited = documents.current(URI)
    edited.verified(check([(scenario, prediction)], [trace]))
    documents.set_example(URI, "f", "f(1)")  # the same version, other scenarios: a new record
    after = documents.current(URI)
    assert after is not edited and [s.name for s in after.analysis.scenarios] == [MODULE_FRAME, "f"]
    assert after.check_of(scenario, prediction) is None
    assert documents.current("file:///other.py") is None and list(documents.uris()) == ["file:///a b.py"]


def test_a_document_without_a_version_gets_a_new_record_at_every_look_up():
    docs = {URI: TextDocument(URI, TEXT, version=None)}
    documents = Documents(lambda: docs)
    assert documents.current(URI) is not documents.current(URI)
