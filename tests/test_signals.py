"""The archive signals through the user paths: API, batch columns and the report."""
from __future__ import annotations

import json

import pytest
from conftest import write_jsonl

from scorer.api import load
from scorer.archive import build_context, sketch_width
from scorer.batch import phrases_path, read_rows, score_file
from scorer.pairstore import RequestStore

REQUEST_125 = """Kære læge

Vi anmoder om en statusattest (LÆ 125) om Birgitte, der har været sygemeldt fra sit job som rengøringsassistent
siden marts med smerter i lænden.

Spørgsmål:
1. Hvilke diagnoser og hvilken behandling fremgår af journalen?
2. Vil du foretage en funktionsundersøgelse af ryggen og måle hendes bevægelighed?

Med venlig hilsen
Jobcentret"""

CERTIFICATE = """Statusattest LÆ 125
Diagnose: kroniske lændesmerter uden rodpåvirkning. Behandling: fysioterapi to gange ugentligt og
smertestillende efter behov. Ifølge journalen har hun ikke været undersøgt siden april.
Det kan ikke vurderes ud fra journalen, hvordan bevægeligheden er nu."""

TEAM_PARAGRAPH = ("Jobcentret har brug for en lægelig vurdering af borgerens helbredsmæssige forhold med henblik "
                  "på den videre planlægning af indsatsen i sagen, herunder om der er behov for skånehensyn i "
                  "forhold til et eventuelt arbejde eller en praktik på det ordinære arbejdsmarked.")
CITIZENS = [
    "Ahmad er 44 år og tidligere lagerarbejder; han har haft knæsmerter efter et fald på en stige i 2022.",
    "Lene arbejdede som kok i tyve år og fik i vinter konstateret en depression efter en skilsmisse.",
    "Preben har kørt lastbil og lider af søvnapnø, der gør ham træt om eftermiddagen.",
    "Sofie er 23 år, har angst og har afbrudt to uddannelser; hun vil gerne være frisør.",
    "Jens har diabetes og neuropati i fødderne og kan ikke længere stå op en hel vagt i butikken.",
    "Maria er sygeplejerske og har en skulderskade, som gør det svært at løfte patienter.",
    "Karim har ADHD og har mistet tre job på et år, fordi han har svært ved at holde fokus.",
]


@pytest.fixture(scope="module")
def scorer(tfidf_model):
    return load(tfidf_model)


def test_request_carries_questions_and_attest_fit(scorer):
    result = scorer.score_request(REQUEST_125, attest_type="LÆ 125")
    assert len(result.questions) == 2
    assert all(REQUEST_125[q.start:q.end] == q.text for q in result.questions)
    assert len(result.attest_fit) == 1 and "funktionsundersøgelse" in result.attest_fit[0].question.text
    assert "LÆ 125" in result.attest_fit[0].reason
    assert [f.advice for f in result.feedback if f.criterion == "attest_type_fit"] == [result.attest_fit[0].reason]
    assert scorer.score_request(REQUEST_125, attest_type="LÆ 145").attest_fit == []
    assert result.reuse is None


def test_pair_matches_answers_with_certificate_evidence(scorer):
    pair = scorer.score_pair(REQUEST_125, CERTIFICATE, attest_type="LÆ 125")
    answers = pair.certificate.answers
    assert answers is not None and len(answers.questions) == 2
    for qa in answers.questions:
        if qa.evidence is not None:
            assert CERTIFICATE[qa.evidence.start:qa.evidence.end] == qa.evidence.text
    assert answers.answers_questions in (0, 1)
    assert scorer.score_certificate(CERTIFICATE).answers is None
    assert json.dumps(pair.to_dict(), ensure_ascii=False)


def test_request_store_keeps_distinct_texts_and_pairs(tmp_path):
    with RequestStore(tmp_path) as store:
        assert store.add("samme brev", "P1") and not store.add("samme brev", "P2")
        assert store.add("brev med \ud800 ulovlig surrogat", "P3")
        store.commit()
        assert len(store) == 2 and store.get("P2") == "samme brev" and store.get("nope") is None
        assert list(store.texts())[1] == "brev med \ud800 ulovlig surrogat"
    assert not list(tmp_path.iterdir())


def test_sketch_width_grows_with_the_archive_and_is_bounded():
    widths = [sketch_width(w) for w in (0, 10_000, 1_000_000, 10 ** 10)]
    assert widths == sorted(widths) and widths[0] == 2 ** 16 and widths[-1] == 2 ** 26
    assert all(w & (w - 1) == 0 for w in widths)


def _archive(tmp_path, copies: int = 1):
    rows = []
    for i, citizen in enumerate(CITIZENS):
        request = f"Kære læge\n\n{citizen}\n\n{TEAM_PARAGRAPH}\n\nVenlig hilsen\nTeam Vest"
        for c in range(copies):
            pid = f"P{i}-{c}"
            rows.append({"id": f"{pid}-R", "kind": "request", "pair_id": pid, "attest_type": "LÆ 125",
                         "text": request + ("\n\nSpørgsmål: Vil du undersøge knæets bevægelighed ved en konsultation?"
                                            if i == 0 else ""), "team": "Team Vest"})
            rows.append({"id": f"{pid}-C", "kind": "certificate", "pair_id": pid, "attest_type": "LÆ 125",
                         "text": CERTIFICATE})
    return write_jsonl(tmp_path / "archive.jsonl", rows)


def test_context_counts_distinct_requests_only(tmp_path):
    context = build_context(row for row, _ in read_rows(_archive(tmp_path, copies=3)))
    try:
        assert len(context.requests) == len(CITIZENS)
        share = context.reuse_index.reuse(f"{CITIZENS[0]}\n\n{TEAM_PARAGRAPH}").share
        assert share > 0.5
    finally:
        context.close()
    single = build_context([{"kind": "request", "text": f"{CITIZENS[0]} {TEAM_PARAGRAPH}"}] * 9)
    try:
        assert single.reuse_index.reuse(TEAM_PARAGRAPH).share == 0.0
    finally:
        single.close()


def test_batch_columns_and_phrases(scorer, tmp_path):
    summary = score_file(scorer, _archive(tmp_path), tmp_path / "scored.jsonl")
    assert summary.scored == 2 * len(CITIZENS)
    rows = [row for row, _ in read_rows(tmp_path / "scored.jsonl")]
    requests = [r for r in rows if r["kind"] == "request"]
    certificates = [r for r in rows if r["kind"] == "certificate"]
    assert all(r["reuse_share"] > 0.5 and r["reused_sentences"] >= 1 for r in requests)
    assert requests[0]["attest_fit_flags"] == 1 and "LÆ 125" in requests[0]["attest_fit"]
    assert all(r["attest_fit_flags"] == 0 for r in requests[1:])
    assert all(r["questions_asked"] >= 1 and r["answers_questions"] in (0, 1) for r in certificates[:1])
    phrases = json.loads(phrases_path(tmp_path / "scored.jsonl").read_text(encoding="utf-8"))
    assert phrases and all(p["documents"] >= 5 and len(p["excerpt"].rstrip(" …").split()) <= 12 for p in phrases)
    assert not any(name in json.dumps(phrases) for name in ("Ahmad", "Lene", "Preben"))


def test_report_sections(scorer, tfidf_model, tmp_path):
    from scorer.report import write_report

    result = write_report(_archive(tmp_path, copies=1), tmp_path / "report", model=tfidf_model, n_boot=50)
    signals = json.loads(result.summary.read_text(encoding="utf-8"))["archive_signals"]
    assert signals["reuse"]["requests"]["n"] == len(CITIZENS)
    assert signals["reuse"]["requests"]["estimate"] == 1.0
    assert signals["reuse"]["phrases"]
    assert signals["attest_fit"]["requests"]["n"] == len(CITIZENS)
    page = result.html.read_text(encoding="utf-8")
    assert "Genbrugt standardtekst" in page and "Passer spørgsmålene til attesttypen?" in page
    assert "Ahmad" not in page


def test_report_phrases_blank_proper_nouns_inside_a_phrase():
    from scorer.report import without_names

    assert without_names("Borgeren Ahmad Khan har ondt i knæet") == "Borgeren [navn] [navn] har ondt i knæet"
    assert without_names("Jobcentret har brug for en lægelig vurdering") == "Jobcentret har brug for en lægelig vurdering"
