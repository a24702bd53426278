import pytest

from scorer.labels import CERTIFICATE_LABELS, REQUEST_LABELS, consistency_errors, label_names


def cert(**over):
    labels = dict.fromkeys(CERTIFICATE_LABELS, 0)
    labels["answers_questions"] = None
    labels.update(over)
    return labels


def test_consistent_certificate_has_no_errors():
    labels = cert(in_depth=1, diagnosis=1, function_description=1, concrete_detail=1, physical=1)
    assert consistency_errors("certificate", labels) == []


@pytest.mark.parametrize("over, message", [
    ({"in_depth": 1}, "in_depth=1 needs function_description=1"),
    ({"in_depth": 1, "function_description": 1, "physical": 1}, "in_depth=1 needs concrete_detail=1"),
    ({"mental": 1}, "a domain of function needs function_description=1"),
    ({"function_description": 1}, "function_description=1 needs at least one domain"),
    ({"answers_questions": 2}, "answers_questions must be one of"),
])
def test_inconsistent_certificate_is_reported(over, message):
    assert any(message in e for e in consistency_errors("certificate", cert(**over)))


def test_request_rules():
    labels = dict.fromkeys(REQUEST_LABELS, 0)
    assert consistency_errors("request", labels) == []
    labels.update(specific=1)
    assert "specific=1 needs focus=1" in consistency_errors("request", labels)[0]
    labels.update(focus=1, boilerplate=1)
    assert consistency_errors("request", labels) == ["specific=1 cannot be mainly boilerplate (boilerplate=1)"]


def test_missing_and_unknown_labels():
    errors = consistency_errors("request", {"specific": 0, "colour": 1})
    assert any("missing labels" in e for e in errors) and any("unknown labels: colour" in e for e in errors)


def test_unknown_kind():
    with pytest.raises(ValueError, match="unknown kind"):
        label_names("letter")
