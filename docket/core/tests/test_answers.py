"""The one mapping from refusals to answers."""

from docket.core.answers import answer_for
from docket.core.errors import CalendarMissing, Conflict, Denied, FieldError, GateRefused, InvalidInput, NotFound


def test_each_refusal_has_its_status():
    assert answer_for(NotFound("case not found")).status == 404
    assert answer_for(Denied("no")).status == 403
    assert answer_for(GateRefused("not yet")).status == 422
    assert answer_for(CalendarMissing(2031)).status == 422
    assert answer_for(InvalidInput(FieldError("on", "bad"))).status == 422
    assert answer_for(Conflict("changed")).status == 409


def test_field_errors_speak_with_the_forms_labels_and_keep_rows():
    exc = InvalidInput([FieldError("due_on", "required", row=3), FieldError("amount", "too big")])
    answer = answer_for(exc, labels={"due_on": "Rectify by"})
    assert answer.messages() == ["row 3, Rectify by: required", "Amount: too big"]
    problem = answer.problem()
    assert problem["status"] == 422
    assert problem["errors"][0] == {"field": "due_on", "label": "Rectify by", "message": "required", "row": 3}
    # An argument no form labelled is shown as words, never as an identifier with underscores.
    assert "_" not in answer_for(InvalidInput(FieldError("service_proof", "x"))).messages()[0]
