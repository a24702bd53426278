"""Result records of the API. Plain dataclasses: easy to read, to compare and to turn into rows."""
from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING

from scorer.feedback import Feedback

if TYPE_CHECKING:
    from scorer.answers import AnswerMatch
    from scorer.attest_fit import FitFlag
    from scorer.boilerplate import ReuseResult
    from scorer.questions import Question


@dataclass(frozen=True)
class Evidence:
    """A passage of the caller's own text that carried a decision (``text == input[start:end]``)."""

    label: str
    start: int
    end: int
    text: str
    weight: float


@dataclass(frozen=True)
class RequestScore:
    """Specificity of a request: overall ``label``/``probability``, criteria and guide feedback;
    the questions it asks, those its (journal-based) attest type cannot answer, and, when scored
    against an archive, how much of it is text reused across other citizens' requests."""

    label: int
    probability: float
    criteria: dict[str, float]
    evidence: dict[str, list[Evidence]]
    feedback: list[Feedback]
    attest_type: str | None = None
    questions: list[Question] = field(default_factory=list)
    attest_fit: list[FitFlag] = field(default_factory=list)
    reuse: ReuseResult | None = None
    kind: str = field(default="request", init=False)

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass(frozen=True)
class CertificateScore:
    """Whether a certificate describes functional capacity in depth, with criteria and domains; with
    its request's text, whether it answers each of the request's questions."""

    label: int
    probability: float
    criteria: dict[str, float]
    domains: dict[str, float]
    evidence: dict[str, list[Evidence]]
    attest_type: str | None = None
    answers: AnswerMatch | None = None
    kind: str = field(default="certificate", init=False)

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass(frozen=True)
class PairScore:
    request: RequestScore
    certificate: CertificateScore

    def to_dict(self) -> dict:
        return {"request": self.request.to_dict(), "certificate": self.certificate.to_dict()}
