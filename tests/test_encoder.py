"""Window packing of segments into the encoder (tiny random encoder; real code paths)."""
import numpy as np

from scorer.models.encoder import SentenceEncoder


def test_windows_keep_segments_whole_and_in_order(tiny_encoder):
    enc = SentenceEncoder(tiny_encoder, max_tokens=24)
    docs = [["kan gå 500 meter", "løfter max 5 kg", " ".join(["ord"] * 40), "sidder en time"], [], ["træt"]]
    windows = enc._windows(docs)
    assert all(len(ids) <= 24 for _, ids, _ in windows)
    seen, tokens = {}, {}
    for doc, ids, spans in windows:
        assert ids[0] == enc.tokenizer.cls_token_id and ids[-1] == enc.tokenizer.sep_token_id
        for seg, a, b in spans:
            assert 0 < a < b <= len(ids) - 1
            seen.setdefault(doc, []).append(seg)
            tokens[(doc, seg)] = tokens.get((doc, seg), 0) + b - a
    assert seen == {0: [0, 1, 2, 2, 3], 2: [0]}
    # the 40-word segment is longer than a window: spread over two, every token kept
    assert tokens[(0, 2)] == 40


def test_embed_documents_shapes_and_context(tiny_encoder):
    enc = SentenceEncoder(tiny_encoder)
    out = enc.embed_documents([["kan gå 500 meter", "løfter max 5 kg"], [], ["kan gå 500 meter"]])
    assert [o.shape for o in out] == [(2, enc.dim), (0, enc.dim), (1, enc.dim)]
    assert np.isfinite(out[0]).all()
    # the same sentence in another context gets another (contextual) embedding
    assert not np.allclose(out[0][0], out[2][0])


def test_long_text_is_windowed_not_cut(tiny_encoder):
    enc = SentenceEncoder(tiny_encoder, max_tokens=12)
    head = "kan gå 500 meter og løfter max 5 kg"
    long_text = head + " " + " ".join(["træt"] * 30)
    whole, first_window = enc.embed([long_text, head + " træt træt"])
    assert np.isfinite(whole).all()
    assert not np.allclose(whole, first_window)  # the tail of the text counts
