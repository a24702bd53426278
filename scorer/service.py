"""HTTP service over the Python API (``attestscore serve``): one FastAPI app per loaded scorer.

The app is built by :func:`create_app` from a scorer the caller loaded, so there is no global model
and tests can serve a tiny one. Scoring is CPU-bound and the scorer is thread-safe, so endpoints are
plain functions that FastAPI runs in its threadpool. Nothing a client sent is echoed in an error:
validation messages lose their ``input`` and go through :func:`scorer.privacy.mask`.

No ``from __future__ import annotations`` here: FastAPI must see the batch model built inside
:func:`create_app` (its size cap is a parameter) as a real annotation, not a string.
"""
import math
from typing import Any, Callable, Literal

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field, create_model
from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from scorer import __version__
from scorer.api import Scorer
from scorer.batch import reject_record, score_batch
from scorer.labels import ATTEST_TYPES
from scorer.privacy import mask

DEFAULT_MAX_BODY_BYTES = 10 * 1024 * 1024
DEFAULT_MAX_BATCH = 256
#: at least one character that is not blank to Python's ``str.strip`` (the API rejects blank texts);
#: \x1c-\x1f are blank to Python but not to the schema validator's ``\s``
NON_BLANK = r"[^\s\x1c-\x1f]"
#: the spellings :func:`scorer.api.normalize_attest_type` accepts, spelled out for the schema
ATTEST_TYPE = r"^ *(?:[Ll](?:[Ææ]|[Aa][Ee]|[Ee])\.? *)?(?:%s) *$" % "|".join(t.split()[1] for t in ATTEST_TYPES)
#: what a failed pattern means, per field, instead of pydantic's "String should match pattern '...'"
PATTERN_MESSAGES = {"text": "text is empty", "request_text": "text is empty", "certificate_text": "text is empty",
                    "attest_type": f"unknown attest type; expected one of {', '.join(ATTEST_TYPES)} (or e.g. '125')"}


class EvidenceOut(BaseModel):
    label: str
    start: int
    end: int
    text: str
    weight: float


class FeedbackOut(BaseModel):
    criterion: str
    question: str
    advice: str


class QuestionOut(BaseModel):
    start: int
    end: int
    text: str
    clean: str
    marker: str | None
    lead: str


class FitFlagOut(BaseModel):
    question: QuestionOut
    cue: str
    reason: str


class SpanOut(BaseModel):
    start: int
    end: int
    text: str


class ReuseOut(BaseModel):
    share: float
    spans: list[SpanOut]
    sentences: list[SpanOut]


class QuestionAnswerOut(BaseModel):
    question: QuestionOut
    answered: bool
    score: float
    evidence: EvidenceOut | None


class AnswerMatchOut(BaseModel):
    questions: list[QuestionAnswerOut]
    answers_questions: int | None
    share_answered: float | None


class RequestScoreOut(BaseModel):
    """Mirrors :class:`scorer.results.RequestScore`."""

    label: int
    probability: float
    criteria: dict[str, float]
    evidence: dict[str, list[EvidenceOut]]
    feedback: list[FeedbackOut]
    attest_type: str | None
    questions: list[QuestionOut]
    attest_fit: list[FitFlagOut]
    reuse: ReuseOut | None
    kind: Literal["request"]


class CertificateScoreOut(BaseModel):
    """Mirrors :class:`scorer.results.CertificateScore`."""

    label: int
    probability: float
    criteria: dict[str, float]
    domains: dict[str, float]
    evidence: dict[str, list[EvidenceOut]]
    attest_type: str | None
    answers: AnswerMatchOut | None
    kind: Literal["certificate"]


class PairScoreOut(BaseModel):
    request: RequestScoreOut
    certificate: CertificateScoreOut


class DocumentIn(BaseModel):
    text: str = Field(pattern=NON_BLANK, description="the document's text")
    attest_type: str | None = Field(None, pattern=ATTEST_TYPE, description="'LÆ 125', 'LÆ125', 'LAE 125' or '125'")


class PairIn(BaseModel):
    request_text: str = Field(pattern=NON_BLANK)
    certificate_text: str = Field(pattern=NON_BLANK)
    attest_type: str | None = Field(None, pattern=ATTEST_TYPE)


class RejectOut(BaseModel):
    row: int = Field(description="1-based position in `records`")
    id: str | None = Field(description="the record's id, identifiers masked")
    reason: str


class BatchOut(BaseModel):
    """Every record comes back once: scored (in input order) or rejected with a reason."""

    rows_in: int
    scored: list[dict[str, Any]]
    rejects: list[RejectOut]


class HealthOut(BaseModel):
    status: Literal["ok"]
    version: str


class ModelOut(BaseModel):
    name: str
    family: str
    path: str
    git_commit: str | None
    labels: dict[str, list[str]]


class ErrorOut(BaseModel):
    detail: str


class BodyLimit:
    """ASGI middleware answering 413 for bodies over ``max_bytes``: on the declared Content-Length
    and on the bytes actually streamed, so a chunked upload cannot slip past."""

    def __init__(self, app: ASGIApp, max_bytes: int):
        self.app, self.max_bytes = app, max_bytes

    def _too_large(self) -> HTTPException:
        return HTTPException(413, f"request body over the limit of {self.max_bytes} bytes")

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope["headers"]).get(b"content-length")
        if declared is not None and (not declared.isdigit() or int(declared) > self.max_bytes):
            error = self._too_large() if declared.isdigit() else HTTPException(400, "invalid Content-Length")
            await JSONResponse({"detail": error.detail}, error.status_code)(scope, receive, send)
            return
        received = 0

        async def limited() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_bytes:
                    raise self._too_large()  # FastAPI re-raises HTTPExceptions met while reading a body
            return message

        await self.app(scope, limited, send)


def _scored(method: Callable[..., Any], *args: Any) -> dict:
    """The result of an API call as a dict. The schema's patterns already refuse what the API would;
    should they ever let something through, the API's ``ValueError`` is still a 422, not a 500."""
    try:
        return method(*args).to_dict()
    except ValueError as exc:
        raise RequestValidationError([{"type": "value_error", "loc": ("body",), "msg": str(exc)}]) from None


async def _masked_validation_errors(request: Request, exc: Exception) -> JSONResponse:
    """422 with location, message and type only: pydantic's ``input`` would echo document text."""
    errors = exc.errors() if isinstance(exc, RequestValidationError) else []
    detail = []
    for error in errors:
        loc = list(error.get("loc", ()))
        msg = str(error.get("msg", ""))
        if error.get("type") == "string_pattern_mismatch" and loc and loc[-1] in PATTERN_MESSAGES:
            msg = PATTERN_MESSAGES[loc[-1]]
        detail.append({"loc": [mask(p) if isinstance(p, str) else p for p in loc], "msg": mask(msg),
                       "type": str(error.get("type", "value_error"))})
    return JSONResponse({"detail": detail}, status_code=422)


def _finite(value: Any) -> bool:
    """False for NaN/Infinity anywhere in a value: Python's JSON parser accepts them, JSON cannot carry them."""
    if isinstance(value, float):
        return math.isfinite(value)
    if isinstance(value, dict):
        return all(_finite(v) for v in value.values())
    if isinstance(value, list):
        return all(_finite(v) for v in value)
    return True


def create_app(scorer: Scorer, max_body_bytes: int = DEFAULT_MAX_BODY_BYTES,
               max_batch: int = DEFAULT_MAX_BATCH) -> FastAPI:
    """The service for one loaded scorer, with a body limit and a cap on records per batch."""
    app = FastAPI(title="attestscore", version=__version__,
                  description="Quality scores for Danish medical-certificate requests and certificates.")
    app.add_middleware(BodyLimit, max_bytes=max_body_bytes)
    app.add_exception_handler(RequestValidationError, _masked_validation_errors)
    body_errors = {400: {"model": ErrorOut, "description": "body is not UTF-8, or a bad Content-Length"},
                   413: {"model": ErrorOut, "description": "body over the size limit"}}
    batch_in = create_model("BatchIn", records=(list[dict[str, Any]], Field(
        max_length=max_batch, description="records with id, kind (request|certificate), text and optional "
                                          "attest_type; other fields pass through to the scored record")))

    @app.get("/v1/health", response_model=HealthOut)
    def health() -> dict:
        return {"status": "ok", "version": __version__}

    @app.get("/v1/model", response_model=ModelOut)
    def model() -> dict:
        bundle = scorer.bundle
        return {"name": bundle.manifest.get("name", bundle.folder.name), "family": bundle.family,
                "path": str(bundle.folder.resolve()), "git_commit": bundle.manifest.get("git_commit"),
                "labels": {kind: list(m.labels) for kind, m in bundle.kinds.items()}}

    @app.post("/v1/score/request", response_model=RequestScoreOut, responses=body_errors)
    def score_request(body: DocumentIn) -> dict:
        return _scored(scorer.score_request, body.text, body.attest_type)

    @app.post("/v1/score/certificate", response_model=CertificateScoreOut, responses=body_errors)
    def score_certificate(body: DocumentIn) -> dict:
        return _scored(scorer.score_certificate, body.text, body.attest_type)

    @app.post("/v1/score/pair", response_model=PairScoreOut, responses=body_errors)
    def score_pair(body: PairIn) -> dict:
        return _scored(scorer.score_pair, body.request_text, body.certificate_text, body.attest_type)

    @app.post("/v1/score/batch", response_model=BatchOut, responses=body_errors)
    def score_records(body: batch_in) -> dict:  # type: ignore[valid-type]
        rows, numbers, rejects = [], [], []
        for number, row in enumerate(body.records, start=1):
            if _finite(row):
                rows.append(row)
                numbers.append(number)
            else:
                rejects.append(reject_record(number, row, "record holds NaN or Infinity, which JSON cannot carry"))
        scored, rejected = score_batch(scorer, rows, numbers)
        return {"rows_in": len(body.records), "scored": scored,
                "rejects": sorted(rejects + rejected, key=lambda r: r["row"])}

    return app
