"""A local Hugging Face encoder that embeds segments (mean pooling over the attention mask).

``embed_documents`` packs a document's consecutive segments into windows of up to 512 tokens and
pools each segment's own tokens: one forward pass reads many segments (fast on a CPU) and every
segment is embedded in the context of its neighbours.

Any local BERT-like folder works (the converted e5, DanskBERT, …); torch and transformers are
imported only when an encoder is built.
"""
from __future__ import annotations

import json
import threading
from pathlib import Path

import numpy as np

MAX_TOKENS = 512


class SentenceEncoder:
    """Embeds short texts; thread-safe (one lock around the tokenizer and forward pass)."""

    def __init__(self, path: str | Path, batch_size: int = 32, max_tokens: int = MAX_TOKENS):
        path = Path(path)
        if not (path / "config.json").exists():
            raise FileNotFoundError(
                f"no encoder at {path}: run `attestscore encoder convert --out {path}` "
                "or pass a local Hugging Face model folder")
        import torch
        from transformers import AutoModel, AutoTokenizer
        from transformers.utils import logging as hf_logging

        hf_logging.set_verbosity_error()
        hf_logging.disable_progress_bar()
        self.path = path
        self.tokenizer = AutoTokenizer.from_pretrained(str(path), local_files_only=True)
        self.model = AutoModel.from_pretrained(str(path), local_files_only=True).eval()
        marker = path / "attestscore_conversion.json"
        self.prefix = json.loads(marker.read_text())["passage_prefix"] if marker.exists() else ""
        self.batch_size = batch_size
        self.max_tokens = min(max_tokens, getattr(self.model.config, "max_position_embeddings", max_tokens))
        self.dim = int(self.model.config.hidden_size)
        self._torch = torch
        self._lock = threading.Lock()

    def _windows(self, docs: list[list[str]]) -> list[tuple[int, list[int], list[tuple[int, int, int]]]]:
        """(doc index, token ids, [(segment index, start, end)]) windows, segments never split."""
        tok = self.tokenizer
        prefix = tok(self.prefix, add_special_tokens=False)["input_ids"] if self.prefix else []
        room = self.max_tokens - 2 - len(prefix)
        flat = [t for d in docs for t in d]
        pieces = tok(flat, add_special_tokens=False)["input_ids"] if flat else []
        windows, pos = [], 0
        for di, doc in enumerate(docs):
            ids, spans = [], []
            for si in range(len(doc)):
                piece = pieces[pos + si][:room] or [tok.unk_token_id]
                if ids and len(ids) + len(piece) > room:
                    windows.append((di, ids, spans))
                    ids, spans = [], []
                start = 1 + len(prefix) + len(ids)
                ids = ids + piece
                spans.append((si, start, start + len(piece)))
            if spans:
                windows.append((di, ids, spans))
            pos += len(doc)
        cls, sep = tok.cls_token_id, tok.sep_token_id
        return [(di, [cls] + prefix + ids + [sep], spans) for di, ids, spans in windows]

    def embed_documents(self, docs: list[list[str]]) -> list[np.ndarray]:
        """Per document, a (segments × dim) array of contextual segment embeddings."""
        out = [np.zeros((len(d), self.dim), dtype=np.float32) for d in docs]
        windows = self._windows(docs)
        order = sorted(range(len(windows)), key=lambda i: len(windows[i][1]))
        torch = self._torch
        per_batch = max(1, self.batch_size // 4)
        with self._lock, torch.inference_mode():
            for start in range(0, len(order), per_batch):
                batch = [windows[i] for i in order[start:start + per_batch]]
                longest = max(len(w[1]) for w in batch)
                ids = torch.full((len(batch), longest), self.tokenizer.pad_token_id or 0, dtype=torch.long)
                mask = torch.zeros((len(batch), longest), dtype=torch.long)
                for row, (_, tokens, _) in enumerate(batch):
                    ids[row, :len(tokens)] = torch.tensor(tokens)
                    mask[row, :len(tokens)] = 1
                hidden = self.model(input_ids=ids, attention_mask=mask).last_hidden_state
                for row, (di, _, spans) in enumerate(batch):
                    for si, a, b in spans:
                        out[di][si] = hidden[row, a:b].mean(0).float().numpy()
        return out

    def embed(self, texts: list[str]) -> np.ndarray:
        """(len(texts), dim) float32 mean-pooled embeddings, batched by length."""
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        if not texts:
            return out
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
        torch = self._torch
        with self._lock, torch.inference_mode():
            for start in range(0, len(order), self.batch_size):
                idx = order[start:start + self.batch_size]
                batch = self.tokenizer([self.prefix + texts[i] for i in idx], padding=True, truncation=True,
                                       max_length=self.max_tokens, return_tensors="pt")
                batch.pop("token_type_ids", None)
                hidden = self.model(**batch).last_hidden_state
                mask = batch["attention_mask"].unsqueeze(-1).to(hidden.dtype)
                pooled = (hidden * mask).sum(1) / mask.sum(1).clamp(min=1.0)
                out[idx] = pooled.float().numpy()
        return out
