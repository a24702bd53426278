"""Multi-label attention heads over frozen segment embeddings (the e5 family).

Each label attends over a document's segments, so a long document is read whole (no window cuts
it off) and the attention-weighted contribution of each segment is the evidence for the decision.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np

from scorer.text import Segment


def _torch():
    import torch

    return torch


def _module(dim: int, n_labels: int):
    torch = _torch()

    class Heads(torch.nn.Module):
        """Segments of all documents packed in one matrix; softmax and sums run per document."""

        def __init__(self) -> None:
            super().__init__()
            self.query = torch.nn.Parameter(torch.zeros(n_labels, dim))
            self.weight = torch.nn.Parameter(torch.zeros(n_labels, 2 * dim))
            self.bias = torch.nn.Parameter(torch.zeros(n_labels))
            torch.nn.init.normal_(self.query, std=0.02)
            torch.nn.init.normal_(self.weight, std=0.02)

        def forward(self, h, doc, n_docs, counts):  # h: N×D packed segments, doc: N document index
            d = h.shape[1]
            scores = h @ self.query.T  # N×L
            index = doc[:, None].expand_as(scores)
            peak = torch.full((n_docs, scores.shape[1]), -1e9).scatter_reduce(0, index, scores, "amax")
            weights = torch.exp(scores - peak[doc])
            att = weights / torch.zeros(n_docs, scores.shape[1]).index_add(0, doc, weights)[doc]
            seg_contrib = att * (h @ self.weight[:, :d].T)  # N×L, sums per document to the pooled term
            mean_term = (h @ self.weight[:, d:].T) / counts[doc, None]
            logits = torch.zeros(n_docs, scores.shape[1]).index_add(0, doc, seg_contrib + mean_term) + self.bias
            return logits, seg_contrib

    return Heads()


def _pack(embeddings: list[np.ndarray], dim: int):
    """Concatenate documents' segments; an empty document gets one zero segment."""
    torch = _torch()
    parts = [e if len(e) else np.zeros((1, dim), np.float32) for e in embeddings]
    h = torch.from_numpy(np.concatenate(parts).astype(np.float32)) if parts else torch.zeros(0, dim)
    doc = torch.repeat_interleave(torch.arange(len(parts)), torch.tensor([len(p) for p in parts]))
    counts = torch.tensor([float(len(p)) for p in parts])
    return h, doc, len(parts), counts


def embed(encoder, docs: list[list[str]], contextual: bool) -> list[np.ndarray]:
    """Segment embeddings per document, in context (packed windows) or one segment at a time."""
    if contextual:
        return encoder.embed_documents(docs)
    flat = encoder.embed([t for d in docs for t in d])
    out, pos = [], 0
    for d in docs:
        out.append(flat[pos:pos + len(d)])
        pos += len(d)
    return out


class AttentionModel:
    """Attention heads for every label of one document kind; the encoder is passed in, not owned."""

    family = "e5-attention"

    def __init__(self, labels: tuple[str, ...], dim: int, weight_decay: float = 1e-3, epochs: int = 300,
                 lr: float = 3e-3, dropout: float = 0.1, contextual: bool = True):
        self.labels = tuple(labels)
        self.dim = dim
        #: segments embedded in their document's context (windows) or one by one
        self.contextual = contextual
        self.weight_decay, self.epochs, self.lr, self.dropout = weight_decay, epochs, lr, dropout
        self.heads = _module(dim, len(labels))

    def fit(self, embeddings: list[np.ndarray], y: np.ndarray, seed: int = 0) -> "AttentionModel":
        torch = _torch()
        torch.manual_seed(seed)
        self.heads = _module(self.dim, len(self.labels))
        h, doc, n_docs, counts = _pack(embeddings, self.dim)
        target = torch.from_numpy(y.astype(np.float32))
        pos = target.mean(0).clamp(0.05, 0.95)
        loss_fn = torch.nn.BCEWithLogitsLoss(pos_weight=(1 - pos) / pos)
        opt = torch.optim.AdamW(self.heads.parameters(), lr=self.lr, weight_decay=self.weight_decay)
        drop = torch.nn.Dropout(self.dropout)
        self.heads.train()
        for _ in range(self.epochs):
            opt.zero_grad()
            logits, _ = self.heads(drop(h), doc, n_docs, counts)
            loss_fn(logits, target).backward()
            opt.step()
        self.heads.eval()
        return self

    def predict_embedded(self, embeddings: list[np.ndarray]) -> tuple[np.ndarray, list[np.ndarray]]:
        torch = _torch()
        h, doc, n_docs, counts = _pack(embeddings, self.dim)
        with torch.inference_mode():
            logits, contrib = self.heads(h, doc, n_docs, counts)
        contrib = contrib.numpy()
        bounds = np.concatenate([[0], np.cumsum(counts.numpy().astype(int))])
        contributions = [contrib[bounds[i]:bounds[i] + len(e)].copy() for i, e in enumerate(embeddings)]
        return logits.numpy().astype(np.float32), contributions

    def predict(self, docs: list[list[Segment]], encoder) -> tuple[np.ndarray, list[np.ndarray]]:
        """Logits (docs × labels) and per-segment contributions (segments × labels) per document."""
        return self.predict_embedded(embed(encoder, [[s.text for s in d] for d in docs], self.contextual))

    def save(self, folder: Path, prefix: str) -> None:
        from safetensors.torch import save_file

        save_file({k: v.detach().contiguous() for k, v in self.heads.state_dict().items()},
                  str(folder / f"{prefix}.safetensors"), metadata={"contextual": str(int(self.contextual))})

    @classmethod
    def load(cls, folder: Path, prefix: str, labels: tuple[str, ...], dim: int) -> "AttentionModel":
        from safetensors import safe_open
        from safetensors.torch import load_file

        path = str(folder / f"{prefix}.safetensors")
        with safe_open(path, framework="pt") as fh:
            contextual = (fh.metadata() or {}).get("contextual", "1") == "1"
        model = cls(labels, dim, contextual=contextual)
        model.heads.load_state_dict(load_file(path))
        model.heads.eval()
        return model
