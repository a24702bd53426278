"""The label schema of the codebook (``shared/codebook.md``) and its consistency rules.

Everything that names a label imports it from here, so the corpus, the validator, the models and
the reports cannot drift apart.
"""
from __future__ import annotations

from typing import Mapping

KINDS = ("request", "certificate")
ATTEST_TYPES = ("LÆ 105", "LÆ 115", "LÆ 125", "LÆ 135", "LÆ 145", "LÆ 155")
#: Journal-based forms: written without a consultation.
JOURNAL_BASED = ("LÆ 105", "LÆ 115", "LÆ 125")

REQUEST_OVERALL = "specific"
REQUEST_CRITERIA = ("focus", "purpose", "employment_context", "plan", "caseworker_assessment",
                    "citizen_view", "shared_information", "boilerplate")
CERTIFICATE_OVERALL = "in_depth"
CERTIFICATE_CRITERIA = ("diagnosis", "function_description", "concrete_detail", "work_relevance",
                        "prognosis", "treatment")
DOMAINS = ("physical", "mental", "social", "stamina")
PAIR_CRITERION = "answers_questions"

REQUEST_LABELS = (REQUEST_OVERALL, *REQUEST_CRITERIA)
CERTIFICATE_LABELS = (CERTIFICATE_OVERALL, *CERTIFICATE_CRITERIA, *DOMAINS, PAIR_CRITERION)


def label_names(kind: str) -> tuple[str, ...]:
    """All label keys a document of ``kind`` carries."""
    if kind == "request":
        return REQUEST_LABELS
    if kind == "certificate":
        return CERTIFICATE_LABELS
    raise ValueError(f"unknown kind {kind!r}; expected one of {KINDS}")


def consistency_errors(kind: str, labels: Mapping[str, int | None]) -> list[str]:
    """Break-downs of the codebook's rules; an empty list means the labels agree with each other."""
    errors: list[str] = []
    names = label_names(kind)
    missing = [n for n in names if n not in labels]
    extra = [n for n in labels if n not in names]
    if missing:
        errors.append(f"missing labels: {', '.join(missing)}")
    if extra:
        errors.append(f"unknown labels: {', '.join(extra)}")
    for name in names:
        value = labels.get(name)
        allowed = (0, 1, None) if name == PAIR_CRITERION else (0, 1)
        if name in labels and (isinstance(value, bool) or value not in allowed):
            errors.append(f"{name} must be one of {allowed}, got {value!r}")
    if errors:
        return errors
    if kind == "request":
        if labels["specific"] == 1 and labels["focus"] == 0:
            errors.append("specific=1 needs focus=1 (a concrete focus is what makes a request specific)")
        if labels["specific"] == 1 and labels["boilerplate"] == 1:
            errors.append("specific=1 cannot be mainly boilerplate (boilerplate=1)")
        return errors
    if labels["in_depth"] == 1 and labels["function_description"] == 0:
        errors.append("in_depth=1 needs function_description=1")
    if labels["in_depth"] == 1 and labels["concrete_detail"] == 0:
        errors.append("in_depth=1 needs concrete_detail=1")
    if labels["in_depth"] == 1 and not any(labels[d] for d in DOMAINS):
        errors.append("in_depth=1 needs at least one domain of function")
    if labels["concrete_detail"] == 1 and labels["function_description"] == 0:
        errors.append("concrete_detail=1 needs function_description=1")
    if labels["function_description"] == 0 and any(labels[d] for d in DOMAINS):
        errors.append("a domain of function needs function_description=1")
    if labels["function_description"] == 1 and not any(labels[d] for d in DOMAINS):
        errors.append("function_description=1 needs at least one domain")
    return errors
