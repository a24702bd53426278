"""Measure: does fine-tuning the encoder's top layers beat the frozen encoder + attention heads?

The bottom layers stay frozen and are run once; their token states are cached, and the top
``--layers`` transformer layers are trained together with the attention heads on train. Prints dev
mean average precision per epoch beside the frozen model's (from its model.json). Dev only: the
test split is not touched. CPU-heavy (tens of minutes on 2 cores).

    python training/experiments/finetune_top_layers.py --layers 2 --epochs 4
"""
from __future__ import annotations

import argparse
import copy
import json
import sys
import time
from pathlib import Path

import numpy as np
import torch

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
from scorer.api import document_segments  # noqa: E402
from scorer.models.attention import _module, _pack  # noqa: E402
from scorer.models.encoder import SentenceEncoder  # noqa: E402
from training.train import MODEL_LABELS, average_precision, load_splits  # noqa: E402


def cached_states(encoder: SentenceEncoder, texts: list[str], cut: int, batch: int = 64):
    """Token states after the frozen bottom layers, and attention masks, per segment."""
    states = []
    with torch.inference_mode():
        for start in range(0, len(texts), batch):
            enc = encoder.tokenizer([encoder.prefix + t for t in texts[start:start + batch]], padding=True,
                                    truncation=True, max_length=256, return_tensors="pt")
            enc.pop("token_type_ids", None)
            hidden = encoder.model(**enc, output_hidden_states=True).hidden_states[cut]
            for i in range(hidden.shape[0]):
                n = int(enc["attention_mask"][i].sum())
                states.append(hidden[i, :n].clone())
    return states


def top_forward(layers, states: list[torch.Tensor]) -> torch.Tensor:
    """Mean-pooled output of the trainable top layers for a list of segments."""
    longest = max(s.shape[0] for s in states)
    h = torch.zeros(len(states), longest, states[0].shape[1])
    mask = torch.zeros(len(states), longest)
    for i, s in enumerate(states):
        h[i, :len(s)] = s
        mask[i, :len(s)] = 1
    additive = (1.0 - mask)[:, None, None, :] * torch.finfo(h.dtype).min
    for layer in layers:
        h = layer(h, attention_mask=additive)
        h = h[0] if isinstance(h, tuple) else h
    return (h * mask[..., None]).sum(1) / mask.sum(1, keepdim=True)


def run(kind: str, args, encoder: SentenceEncoder, splits) -> list[float]:
    labels = MODEL_LABELS[kind]
    cut = encoder.model.config.num_hidden_layers - args.layers
    data = {}
    for split in ("train", "dev"):
        docs = [r for r in splits[split] if r["kind"] == kind]
        segs = [[s.text for s in document_segments(r["text"])] for r in docs]
        flat = cached_states(encoder, [t for d in segs for t in d], cut)
        per_doc, pos = [], 0
        for d in segs:
            per_doc.append(flat[pos:pos + len(d)])
            pos += len(d)
        data[split] = (per_doc, np.array([[r["labels"][n] for n in labels] for r in docs], dtype=np.float32))
    torch.manual_seed(args.seed)
    layers = torch.nn.ModuleList(copy.deepcopy(encoder.model.encoder.layer[cut:])).train()
    heads = _module(encoder.dim, len(labels))
    opt = torch.optim.AdamW([{"params": layers.parameters(), "lr": args.lr},
                             {"params": heads.parameters(), "lr": 3e-3}], weight_decay=1e-3)
    y_train = torch.from_numpy(data["train"][1])
    pos = y_train.mean(0).clamp(0.05, 0.95)
    loss_fn = torch.nn.BCEWithLogitsLoss(pos_weight=(1 - pos) / pos)
    scores = []
    rng = np.random.default_rng(args.seed)
    for epoch in range(args.epochs):
        t0 = time.time()
        order = rng.permutation(len(data["train"][0]))
        for start in range(0, len(order), args.batch_docs):
            idx = order[start:start + args.batch_docs]
            docs = [data["train"][0][i] for i in idx]
            emb = top_forward(layers, [s for d in docs for s in d])
            h, doc, n_docs, counts = _pack([np.zeros((len(d), 1), np.float32) for d in docs], 1)
            logits, _ = heads(emb, doc, n_docs, counts)
            opt.zero_grad()
            loss_fn(logits, y_train[idx]).backward()
            opt.step()
        with torch.inference_mode():
            dev_logits = []
            for d in data["dev"][0]:
                emb = top_forward(layers, d)
                _, doc, n_docs, counts = _pack([np.zeros((len(d), 1), np.float32)], 1)
                dev_logits.append(heads(emb, doc, n_docs, counts)[0][0].numpy())
        scores.append(average_precision(data["dev"][1], np.stack(dev_logits)))
        print(f"  {kind} epoch {epoch + 1}: dev mAP {scores[-1]:.4f} ({time.time() - t0:.0f}s)", flush=True)
    return scores


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base-model", type=Path, default=Path("models/e5-small"))
    parser.add_argument("--frozen", type=Path, default=Path("models/attestscore-e5"))
    parser.add_argument("--data", type=Path, default=Path("data/annotated"))
    parser.add_argument("--layers", type=int, default=2)
    parser.add_argument("--epochs", type=int, default=4)
    parser.add_argument("--lr", type=float, default=3e-5)
    parser.add_argument("--batch-docs", type=int, default=8)
    parser.add_argument("--seed", type=int, default=13)
    parser.add_argument("--out", type=Path, default=Path("training/experiments/finetune_top_layers.json"))
    args = parser.parse_args()
    encoder = SentenceEncoder(args.base_model)
    splits = load_splits(args.data)
    frozen = json.loads((args.frozen / "model.json").read_text())["selection"]
    result = {"layers": args.layers, "epochs": args.epochs, "lr": args.lr}
    for kind in ("request", "certificate"):
        best_frozen = max(g["dev_mean_average_precision"] for g in frozen[kind]["grid"])
        result[kind] = {"frozen_dev_map": best_frozen, "finetuned_dev_map_per_epoch": run(kind, args, encoder, splits)}
        print(f"{kind}: frozen dev mAP {best_frozen:.4f}; fine-tuned top {args.layers} layers: "
              f"{max(result[kind]['finetuned_dev_map_per_epoch']):.4f} (best epoch)", flush=True)
    args.out.write_text(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
