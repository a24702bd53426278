"""The HTTP service on the TF-IDF test model: endpoints, limits, masking, the schema and a real server."""
import json
import os
import signal
import socket
import subprocess
import sys
import time

import httpx
import pytest
import schemathesis
from conftest import ROOT
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from schemathesis import GenerationMode

import scorer
from scorer.service import create_app

CPR_TEXT = "Borger (CPR 010203-1234, tlf. 12 34 56 78) ønsker en vurdering af sin arbejdsevne."


@pytest.fixture(scope="module")
def model(tfidf_model):
    return scorer.load(tfidf_model)


@pytest.fixture(scope="module")
def client(model):
    return TestClient(create_app(model, max_body_bytes=64 * 1024, max_batch=20))


def as_json(result) -> dict:
    return json.loads(json.dumps(result.to_dict(), ensure_ascii=False))


def test_health_and_model(client, tfidf_model):
    assert client.get("/v1/health").json()["status"] == "ok"
    info = client.get("/v1/model").json()
    assert info["family"] == "tfidf-linear" and info["path"] == str(tfidf_model.resolve())
    assert "specific" in info["labels"]["request"] and "in_depth" in info["labels"]["certificate"]


def test_documents_score_as_in_the_python_api(client, model, corpus_pair):
    req, cert = corpus_pair
    got = client.post("/v1/score/request", json={"text": req["text"], "attest_type": "125"})
    assert got.status_code == 200 and got.json() == as_json(model.score_request(req["text"], "125"))
    got = client.post("/v1/score/certificate", json={"text": cert["text"]})
    assert got.status_code == 200 and got.json() == as_json(model.score_certificate(cert["text"]))
    got = client.post("/v1/score/pair", json={"request_text": req["text"], "certificate_text": cert["text"],
                                              "attest_type": req["attest_type"]})
    assert got.status_code == 200
    assert got.json() == as_json(model.score_pair(req["text"], cert["text"], req["attest_type"]))


def test_batch_returns_scored_rows_and_rejects(client, model, corpus_pair):
    req, cert = corpus_pair
    records = [{"id": "a1", "kind": "request", "text": req["text"], "team": "Team Job"},
               {"id": "010203-1234", "kind": "request", "text": "   "},
               {"id": "a2", "kind": "certificate", "text": cert["text"], "attest_type": "LÆ 125"},
               {"id": "a3", "kind": "notat", "text": CPR_TEXT},
               {"id": "a4", "kind": "request", "text": CPR_TEXT, "attest_type": "LÆ 999"}]
    body = client.post("/v1/score/batch", json={"records": records}).json()
    assert body["rows_in"] == len(body["scored"]) + len(body["rejects"]) == 5
    assert [r["id"] for r in body["scored"]] == ["a1", "a2"]
    assert body["scored"][0]["team"] == "Team Job" and "text" not in body["scored"][0]
    assert body["scored"][0]["probability"] == round(model.score_request(req["text"]).probability, 4)
    assert body["scored"][1]["probability"] == round(model.score_certificate(cert["text"]).probability, 4)
    assert [r["row"] for r in body["rejects"]] == [2, 4, 5]
    reasons = " ".join(r["reason"] for r in body["rejects"])
    assert "text is empty" in reasons and "unknown kind" in reasons and "unknown attest type" in reasons
    assert "010203-1234" not in json.dumps(body["rejects"]) and body["rejects"][0]["id"] == "[CPR]"


def test_nan_in_a_record_is_a_reject_not_a_500(client):
    raw = b'{"records": [{"id": "n1", "kind": "request", "text": "Kan han arbejde?", "caseload": NaN}]}'
    got = client.post("/v1/score/batch", content=raw, headers={"content-type": "application/json"})
    assert got.status_code == 200
    assert got.json()["scored"] == [] and "NaN" in got.json()["rejects"][0]["reason"]


@pytest.mark.parametrize("path, body, message", [
    ("/v1/score/request", {"text": " \n\x1c "}, "text is empty"),
    ("/v1/score/request", {"text": CPR_TEXT, "attest_type": f"LÆ 999 {CPR_TEXT}"}, "unknown attest type"),
    ("/v1/score/certificate", {"txt": CPR_TEXT}, "Field required"),
    ("/v1/score/pair", {"request_text": CPR_TEXT, "certificate_text": 17}, "valid string"),
    ("/v1/score/batch", {"records": [CPR_TEXT]}, "valid dictionary"),
    ("/v1/score/batch", {"records": [{"id": str(i), "kind": "request", "text": "Hej"} for i in range(21)]},
     "at most 20 items"),
])
def test_bad_input_is_422_without_the_text(client, path, body, message):
    got = client.post(path, json=body)
    assert got.status_code == 422
    assert any(message in e["msg"] for e in got.json()["detail"])
    assert "010203-1234" not in got.text and "arbejdsevne" not in got.text


def test_invalid_json_is_422(client):
    got = client.post("/v1/score/request", content=b'{"text": "Kan hun', headers={"content-type": "application/json"})
    assert got.status_code == 422 and "Kan hun" not in got.text


def test_body_over_the_limit_is_413_declared_or_streamed(client):
    big = json.dumps({"text": "Borgeren har ondt i ryggen. " * 4000}).encode()
    assert client.post("/v1/score/request", content=big, headers={"content-type": "application/json"}
                       ).status_code == 413

    def chunks():  # no Content-Length: the limit must hold on the bytes themselves
        for i in range(0, len(big), 8192):
            yield big[i:i + 8192]

    got = client.post("/v1/score/request", content=chunks(), headers={"content-type": "application/json"})
    assert got.status_code == 413 and "limit" in got.json()["detail"]


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE])
def test_schema_conformance(model, mode):
    """Requests generated from the OpenAPI schema, valid and invalid: never a 5xx, every response
    matches the schema, invalid ones are refused. (Strategies per operation rather than
    ``schema.parametrize``, whose lazy fixture loader does not run under pytest 9.)"""
    schema = schemathesis.openapi.from_asgi("/openapi.json", create_app(model, max_body_bytes=256 * 1024))
    operations = [result.ok() for result in schema.get_all_operations()]
    assert {op.path for op in operations} >= {"/v1/health", "/v1/model", "/v1/score/batch"}
    if mode == GenerationMode.NEGATIVE:  # a GET without parameters has no invalid form
        operations = [op for op in operations if op.method.upper() == "POST"]
    for operation in operations:
        @given(case=operation.as_strategy(generation_mode=mode))
        @settings(max_examples=15, deadline=None, database=None, suppress_health_check=list(HealthCheck))
        def check(case):
            assert case.call_and_validate().status_code < 500

        check()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_serve_starts_answers_and_stops_on_sigterm(tfidf_model, corpus_pair):
    port = free_port()
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen([sys.executable, "-m", "scorer.cli", "serve", "--model", str(tfidf_model),
                             "--port", str(port)], env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"{base}/v1/health", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert proc.poll() is None and time.monotonic() < deadline, "server did not come up"
            time.sleep(0.2)
        got = httpx.post(f"{base}/v1/score/request", json={"text": corpus_pair[0]["text"]}, timeout=30)
        assert got.status_code == 200
        assert got.json()["probability"] == scorer.load(tfidf_model).score_request(corpus_pair[0]["text"]).probability
    finally:
        proc.send_signal(signal.SIGTERM)
        output = proc.communicate(timeout=30)[0].decode()
    # uvicorn shuts down gracefully, then re-raises the signal so the exit status says what stopped it
    assert proc.returncode == -signal.SIGTERM, output
    assert "Application shutdown complete" in output and "Finished server process" in output
    assert corpus_pair[0]["text"][:30] not in output
