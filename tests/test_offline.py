"""Offline and safe formats: with sockets and unpickling blocked, both model families load and score
and a report is built; pickle-based weight files are refused with a clear error."""
from __future__ import annotations

import pickle
import shutil
import socket

import pytest
from conftest import CORPUS, read_jsonl

from scorer.api import Scorer
from scorer.bundle import load_bundle
from scorer.cli import main
from scorer.report import write_report


def _blocked(*args, **kwargs):
    raise AssertionError("the scorer tried to open a network connection or unpickle a file")


@pytest.fixture
def offline(monkeypatch):
    """Every way out of the machine and every unpickling path raise."""
    import torch

    for target, name in ((socket.socket, "connect"), (socket.socket, "connect_ex"), (socket, "create_connection"),
                         (socket, "getaddrinfo"), (pickle, "load"), (pickle, "loads"), (torch, "load")):
        monkeypatch.setattr(target, name, _blocked)
    monkeypatch.delenv("HF_HUB_OFFLINE", raising=False)  # the scorer must not rely on the test's env
    monkeypatch.delenv("TRANSFORMERS_OFFLINE", raising=False)


def _score_both(scorer: Scorer) -> None:
    docs = read_jsonl(CORPUS / "dev.jsonl")[:6]
    results = scorer.score_many([{"kind": d["kind"], "text": d["text"]} for d in docs])
    assert [0 <= r.probability <= 1 for r in results] == [True] * len(docs)


def test_tfidf_loads_scores_and_reports_offline(offline, tfidf_model, tmp_path):
    _score_both(Scorer(load_bundle(tfidf_model)))
    archive = tmp_path / "archive.jsonl"
    assert main(["simulate", "--pairs", "40", "-o", str(archive), "--source", str(CORPUS / "test.jsonl")]) == 0
    result = write_report(archive, tmp_path / "out", model=tfidf_model, n_boot=20)
    assert result.html.exists() and result.n_pairs > 0


def test_e5_loads_local_files_only(offline, tiny_e5_model, monkeypatch):
    from transformers import AutoModel, AutoTokenizer

    calls = []
    for cls in (AutoModel, AutoTokenizer):
        original = cls.from_pretrained

        def spy(*args, _original=original, **kwargs):
            calls.append(kwargs)
            return _original(*args, **kwargs)

        monkeypatch.setattr(cls, "from_pretrained", spy)
    _score_both(Scorer(load_bundle(tiny_e5_model)))
    assert len(calls) == 2 and all(c.get("local_files_only") is True for c in calls)
    assert calls[0].get("use_safetensors") is True or calls[1].get("use_safetensors") is True


@pytest.mark.parametrize("name", ["classifier.pkl", "pytorch_model.bin", "head.pt"])
def test_bundle_refuses_pickle_files(tfidf_model, tmp_path, name):
    folder = shutil.copytree(tfidf_model, tmp_path / "model")
    (folder / name).write_bytes(pickle.dumps({"weights": [1, 2, 3]}))
    with pytest.raises(ValueError, match=f"pickle-based files {name}"):
        load_bundle(folder)


def test_encoder_refuses_pickle_weights(tiny_encoder, tmp_path):
    from scorer.models.encoder import SentenceEncoder

    folder = shutil.copytree(tiny_encoder, tmp_path / "enc")
    (folder / "pytorch_model.bin").write_bytes(b"\x80\x04not really a pickle")
    with pytest.raises(ValueError, match="pytorch_model.bin"):
        SentenceEncoder(folder)
