"""The Python API on models the tests train themselves (TF-IDF and a tiny random encoder)."""
import subprocess
import sys
import threading

import pytest

import scorer
from scorer.api import normalize_attest_type
from scorer.labels import CERTIFICATE_CRITERIA, DOMAINS, REQUEST_CRITERIA
from scorer.results import CertificateScore, PairScore, RequestScore


@pytest.fixture(scope="module", params=["tfidf", "tiny_e5"])
def model(request, tfidf_model, tiny_e5_model):
    return scorer.load(tfidf_model if request.param == "tfidf" else tiny_e5_model)


def test_import_does_not_load_torch():
    code = "import sys, scorer, scorer.api, scorer.batch, scorer.cli; print('torch' in sys.modules)"
    assert subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip() == "False"


def test_request_result(model, corpus_pair):
    req, _ = corpus_pair
    result = model.score_request(req["text"], attest_type=req["attest_type"])
    assert isinstance(result, RequestScore)
    assert result.label in (0, 1) and 0.0 <= result.probability <= 1.0
    assert set(result.criteria) == set(REQUEST_CRITERIA)
    assert result.attest_type == req["attest_type"]
    for items in result.evidence.values():
        for ev in items:
            assert req["text"][ev.start:ev.end] == ev.text
    assert all(f.question.endswith("?") for f in result.feedback)


def test_certificate_and_pair(model, corpus_pair):
    req, cert = corpus_pair
    result = model.score_certificate(cert["text"])
    assert isinstance(result, CertificateScore)
    assert set(result.criteria) == set(CERTIFICATE_CRITERIA) and set(result.domains) == set(DOMAINS)
    pair = model.score_pair(req["text"], cert["text"], attest_type="125")
    assert isinstance(pair, PairScore) and pair.certificate.attest_type == "LÆ 125"
    assert pair.certificate.probability == pytest.approx(result.probability, abs=1e-5)


def test_output_contains_only_callers_text(model):
    text = "Vi beder om en statusattest.\n\nKan borgeren arbejde?"
    result = model.score_request(text)
    for items in result.evidence.values():
        assert all(ev.text in text for ev in items)
    for fb in result.feedback:
        assert "statusattest" not in fb.advice or "statusattest" in fb.question


@pytest.mark.parametrize("bad", ["", "   \n\t", None, 42, b"bytes"])
def test_bad_text_raises_value_error(model, bad):
    with pytest.raises(ValueError):
        model.score_request(bad)


def test_attest_type_is_checked():
    assert normalize_attest_type("LAE125") == "LÆ 125"
    assert normalize_attest_type(None) is None
    with pytest.raises(ValueError, match="unknown attest type"):
        normalize_attest_type("LÆ 999")


def test_score_many_keeps_order_and_matches_single_calls(model, corpus_pair):
    req, cert = corpus_pair
    records = [{"kind": "certificate", "text": cert["text"]}, {"kind": "request", "text": req["text"]},
               {"kind": "certificate", "text": "Kan gå 200 meter. Løfter højst 5 kg."}]
    many = model.score_many(records)
    assert [r.kind for r in many] == ["certificate", "request", "certificate"]
    assert many[1].probability == pytest.approx(model.score_request(req["text"]).probability, abs=1e-5)
    with pytest.raises(ValueError, match="record 1"):
        model.score_many([records[0], {"kind": "memo", "text": "x"}])


def test_threads_share_one_scorer(model, corpus_pair):
    req, _ = corpus_pair
    expected = model.score_request(req["text"]).probability
    results, errors = [], []

    def work():
        try:
            results.append(model.score_request(req["text"]).probability)
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=work) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors and results == pytest.approx([expected] * 6, abs=1e-5)


def test_load_caches_and_rejects_missing_folder(tfidf_model, tmp_path):
    assert scorer.load(tfidf_model) is scorer.load(tfidf_model)
    with pytest.raises(FileNotFoundError):
        scorer.load(tmp_path)


def test_model_folder_has_no_pickles(tfidf_model, tiny_e5_model):
    for folder in (tfidf_model, tiny_e5_model):
        suffixes = {p.suffix for p in folder.iterdir()}
        assert suffixes <= {".json", ".safetensors", ".md"}, suffixes
