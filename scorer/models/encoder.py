"""A local Hugging Face encoder that embeds segments (mean pooling over the attention mask).

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
