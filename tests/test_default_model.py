"""The shipped default model on top of the converted encoder: the path `make demo` takes."""
import json

import numpy as np
import pytest
from conftest import CORPUS, ROOT, read_jsonl

import scorer
from scorer.api import default_model_path
from scorer.cli import main

DEFAULT = default_model_path()
pytestmark = pytest.mark.skipif(not (ROOT / "models" / "e5-small" / "config.json").exists(),
                                reason="encoder not converted (run `make test`, which converts it first)")


def test_shipped_model_is_small_and_safe():
    files = [p for p in DEFAULT.iterdir() if p.is_file()]
    assert sum(p.stat().st_size for p in files) < 50 * 2**20
    assert {p.suffix for p in files} <= {".json", ".safetensors", ".md"}
    manifest = json.loads((DEFAULT / "model.json").read_text())
    assert manifest["family"] == "e5-attention" and manifest["base_model"] == "e5-small"


def test_default_model_separates_held_out_documents():
    """On the test split the shipped model ranks positives above negatives for both overall labels."""
    from sklearn.metrics import roc_auc_score

    s = scorer.load()
    rows = read_jsonl(CORPUS / "test.jsonl")
    for kind, label in (("request", "specific"), ("certificate", "in_depth")):
        docs = [r for r in rows if r["kind"] == kind]
        results = s.score_many([{"kind": kind, "text": r["text"]} for r in docs])
        y = np.array([r["labels"][label] for r in docs])
        assert roc_auc_score(y, [res.probability for res in results]) > 0.8


def test_demo_archive_end_to_end(tmp_path, capsys):
    out = tmp_path / "scored.jsonl"
    assert main(["score", str(ROOT / "data" / "sample" / "archive.jsonl"), "-o", str(out)]) == 0
    assert "rows in 33 = scored 30 + rejected 3" in capsys.readouterr().out
    rows = read_jsonl(out)
    assert len(rows) == 30 and all(0 <= r["probability"] <= 1 for r in rows)
