"""Shared fixtures: small corpora and tiny models that the tests build themselves."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from scorer.cli import main

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT / "data" / "annotated"
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("HF_DATASETS_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")


def read_jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def write_jsonl(path: Path, rows: list[dict]) -> Path:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    return path


@pytest.fixture(scope="session")
def small_corpus(tmp_path_factory) -> Path:
    """A slice of the annotated corpus (whole pairs, each split kept apart) for quick training."""
    out = tmp_path_factory.mktemp("corpus")
    for split, n_pairs in (("train", 48), ("dev", 14), ("test", 14)):
        rows = read_jsonl(CORPUS / f"{split}.jsonl")
        keep = sorted({r["pair_id"] for r in rows})[:n_pairs]
        write_jsonl(out / f"{split}.jsonl", [r for r in rows if r["pair_id"] in keep])
    return out


@pytest.fixture(scope="session")
def corpus_pair() -> tuple[dict, dict]:
    """The first request of the test split and its certificate."""
    rows = read_jsonl(CORPUS / "test.jsonl")
    req = next(r for r in rows if r["kind"] == "request")
    cert = next(r for r in rows if r["kind"] == "certificate" and r["pair_id"] == req["pair_id"])
    return req, cert


@pytest.fixture(scope="session")
def tiny_encoder(tmp_path_factory, small_corpus) -> Path:
    """A 2-layer BERT with a word-level vocabulary: random weights, real code paths."""
    from tokenizers import Tokenizer, models, normalizers, pre_tokenizers, processors
    from transformers import BertConfig, BertModel

    folder = tmp_path_factory.mktemp("tiny-encoder")
    words: dict[str, None] = {}
    for split in ("train", "dev", "test"):
        for row in read_jsonl(small_corpus / f"{split}.jsonl"):
            words.update(dict.fromkeys(row["text"].lower().split()))
    vocab = {tok: i for i, tok in enumerate(["[PAD]", "[UNK]", "[CLS]", "[SEP]", *list(words)[:3000]])}
    tok = Tokenizer(models.WordLevel(vocab, unk_token="[UNK]"))
    tok.normalizer = normalizers.Lowercase()
    tok.pre_tokenizer = pre_tokenizers.WhitespaceSplit()
    tok.post_processor = processors.TemplateProcessing(single="[CLS] $A [SEP]",
                                                       special_tokens=[("[CLS]", 2), ("[SEP]", 3)])
    tok.save(str(folder / "tokenizer.json"))
    (folder / "tokenizer_config.json").write_text(json.dumps({
        "tokenizer_class": "PreTrainedTokenizerFast", "pad_token": "[PAD]", "unk_token": "[UNK]",
        "cls_token": "[CLS]", "sep_token": "[SEP]", "model_max_length": 128}))
    config = BertConfig(vocab_size=len(vocab), hidden_size=32, num_hidden_layers=2, num_attention_heads=2,
                        intermediate_size=64, max_position_embeddings=128)
    BertModel(config, add_pooling_layer=False).save_pretrained(str(folder))
    return folder


def train(family: str, corpus: Path, out: Path, base_model: Path | None = None) -> Path:
    cmd = [sys.executable, str(ROOT / "training" / "train.py"), "--family", family, "--data", str(corpus),
           "--out", str(out), "--cache", str(out.parent / "cache")]
    if base_model:
        cmd += ["--base-model", str(base_model)]
    subprocess.run(cmd, check=True, cwd=ROOT, capture_output=True)
    return out


@pytest.fixture(scope="session")
def tfidf_model(tmp_path_factory, small_corpus) -> Path:
    return train("tfidf", small_corpus, tmp_path_factory.mktemp("models") / "tfidf")


@pytest.fixture(scope="session")
def tiny_e5_model(tmp_path_factory, small_corpus, tiny_encoder) -> Path:
    return train("e5", small_corpus, tmp_path_factory.mktemp("models") / "tiny-e5", tiny_encoder)


@pytest.fixture(scope="session")
def report_dir(tmp_path_factory, tfidf_model):
    folder = tmp_path_factory.mktemp("report")
    archive = folder / "archive.jsonl"
    assert main(["simulate", "--pairs", "150", "-o", str(archive), "--source", str(CORPUS / "test.jsonl"),
                 "--team-effect", "Team Helbred=-0.3", "--seed", "4"]) == 0
    # a pair with a CPR number in its metadata, and a lonely certificate
    rows = [json.loads(line) for line in archive.read_text(encoding="utf-8").splitlines()]
    rows[0]["team"] = rows[1]["team"] = "Team 010203-1234"
    rows.append({**rows[3], "id": "lonely", "pair_id": "LONELY"})
    archive.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    assert main(["report", str(archive), "--out", str(folder / "out"), "--model", str(tfidf_model),
                 "--n-boot", "200"]) == 0
    return folder / "out"
