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
        def __init__(self) -> None:
            super().__init__()
            self.query = torch.nn.Parameter(torch.zeros(n_labels, dim))
            self.weight = torch.nn.Parameter(torch.zeros(n_labels, 2 * dim))
            self.bias = torch.nn.Parameter(torch.zeros(n_labels))
            torch.nn.init.normal_(self.query, std=0.02)
            torch.nn.init.normal_(self.weight, std=0.02)

        def forward(self, h, mask):  # h: B×S×D, mask: B×S
            scores = torch.einsum("bsd,ld->bls", h, self.query)
            scores = scores.masked_fill(~mask[:, None, :], -1e9)
            att = torch.softmax(scores, dim=-1)  # B×L×S
            pooled = torch.einsum("bls,bsd->bld", att, h)
            mean = (h * mask[..., None]).sum(1) / mask.sum(1, keepdim=True).clamp(min=1)
            w_att, w_mean = self.weight[:, :h.shape[-1]], self.weight[:, h.shape[-1]:]
            seg_contrib = att * torch.einsum("bsd,ld->bls", h, w_att)  # B×L×S, sums to the pooled term
            logits = seg_contrib.sum(-1) + mean @ w_mean.T + self.bias
            return logits, seg_contrib

    return Heads()


def _pad(embeddings: list[np.ndarray], dim: int):
    torch = _torch()
    longest = max((len(e) for e in embeddings), default=1) or 1
    h = torch.zeros(len(embeddings), longest, dim)
    mask = torch.zeros(len(embeddings), longest, dtype=torch.bool)
    for i, e in enumerate(embeddings):
        if len(e):
            h[i, :len(e)] = torch.from_numpy(e)
            mask[i, :len(e)] = True
    return h, mask


class AttentionModel:
    """Attention heads for every label of one document kind; the encoder is passed in, not owned."""

    family = "e5-attention"

    def __init__(self, labels: tuple[str, ...], dim: int, weight_decay: float = 1e-3, epochs: int = 300,
                 lr: float = 3e-3, dropout: float = 0.1):
        self.labels = tuple(labels)
        self.dim = dim
        self.weight_decay, self.epochs, self.lr, self.dropout = weight_decay, epochs, lr, dropout
        self.heads = _module(dim, len(labels))

    def fit(self, embeddings: list[np.ndarray], y: np.ndarray, seed: int = 0) -> "AttentionModel":
        torch = _torch()
        torch.manual_seed(seed)
        self.heads = _module(self.dim, len(self.labels))
        h, mask = _pad(embeddings, self.dim)
        target = torch.from_numpy(y.astype(np.float32))
        pos = target.mean(0).clamp(0.05, 0.95)
        loss_fn = torch.nn.BCEWithLogitsLoss(pos_weight=(1 - pos) / pos)
        opt = torch.optim.AdamW(self.heads.parameters(), lr=self.lr, weight_decay=self.weight_decay)
        drop = torch.nn.Dropout(self.dropout)
        self.heads.train()
        for _ in range(self.epochs):
            opt.zero_grad()
            logits, _ = self.heads(drop(h), mask)
            loss_fn(logits, target).backward()
            opt.step()
        self.heads.eval()
        return self

    def predict_embedded(self, embeddings: list[np.ndarray]) -> tuple[np.ndarray, list[np.ndarray]]:
        torch = _torch()
        h, mask = _pad(embeddings, self.dim)
        with torch.inference_mode():
            logits, contrib = self.heads(h, mask)
        contributions = [contrib[i, :, :len(e)].T.numpy().copy() for i, e in enumerate(embeddings)]
        return logits.numpy().astype(np.float32), contributions

    def predict(self, docs: list[list[Segment]], encoder) -> tuple[np.ndarray, list[np.ndarray]]:
        """Logits (docs × labels) and per-segment contributions (segments × labels) per document."""
        texts = [s.text for d in docs for s in d]
        flat = encoder.embed(texts)
        embeddings, pos = [], 0
        for d in docs:
            embeddings.append(flat[pos:pos + len(d)])
            pos += len(d)
        return self.predict_embedded(embeddings)

    def save(self, folder: Path, prefix: str) -> None:
        from safetensors.torch import save_file

        save_file({k: v.detach().contiguous() for k, v in self.heads.state_dict().items()},
                  str(folder / f"{prefix}.safetensors"))

    @classmethod
    def load(cls, folder: Path, prefix: str, labels: tuple[str, ...], dim: int) -> "AttentionModel":
        from safetensors.torch import load_file

        model = cls(labels, dim)
        model.heads.load_state_dict(load_file(str(folder / f"{prefix}.safetensors")))
        model.heads.eval()
        return model
