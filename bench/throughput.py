"""Throughput, latency and memory of batch scoring, for each model family and for a naive
per-document ``transformers`` pipeline loop over the same encoder, measured in one run.

    python bench/throughput.py --docs 2000 --models models/attestscore-e5 models/attestscore-tfidf

Each measurement runs in its own process so that peak RSS belongs to it alone. Prints a Markdown
table; figures depend on the machine, so publish them with its description.
"""
from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import os
import platform
import random
import resource
import statistics
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def synthetic_archive(n: int, seed: int = 0) -> list[dict]:
    """n documents drawn from the corpus (all splits; speed does not depend on labels)."""
    docs = []
    for split in ("train", "dev", "test"):
        for line in (ROOT / "data" / "annotated" / f"{split}.jsonl").read_text(encoding="utf-8").splitlines():
            r = json.loads(line)
            docs.append({"kind": r["kind"], "text": r["text"], "attest_type": r["attest_type"]})
    rng = random.Random(seed)
    # every text unique (a journal number line), so no cache or de-duplication flatters the figures
    return [dict(d, id=f"D{i:06d}", text=f"{d['text']}\nJournalnr. {i:06d}") for i, d in
            enumerate(rng.choice(docs) for _ in range(n))]


def _peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run_scorer(model: str, docs: list[dict], batch_size: int, latency_docs: int, queue) -> None:
    import scorer

    s = scorer.load(model)
    docs, fresh = docs[:-latency_docs], docs[-latency_docs:]  # latency on documents not scored before
    s.score_many(fresh[:1])  # warm-up: loads the encoder
    t0 = time.perf_counter()
    for i in range(0, len(docs), batch_size):
        s.score_many(docs[i:i + batch_size])
    elapsed = time.perf_counter() - t0
    latencies = []
    for d in fresh[1:]:
        t1 = time.perf_counter()
        s.score_many([d])
        latencies.append((time.perf_counter() - t1) * 1000)
    queue.put({"what": f"attestscore {s.bundle.family} ({Path(model).name})", "docs": len(docs),
               "docs_per_s": len(docs) / elapsed, "p50_ms": statistics.median(latencies),
               "p95_ms": statistics.quantiles(latencies, n=20)[18], "peak_rss_mb": _peak_rss_mb()})


def run_naive_pipeline(encoder: str, docs: list[dict], latency_docs: int, queue) -> None:
    """What a first attempt looks like: one pipeline call per document, truncated to 512 tokens."""
    from transformers import pipeline
    from transformers.utils import logging as hf_logging

    hf_logging.set_verbosity_error()
    pipe = pipeline("feature-extraction", model=encoder, tokenizer=encoder, device="cpu")
    kwargs = {"tokenize_kwargs": {"truncation": True, "max_length": 512}}
    pipe(docs[0]["text"], **kwargs)
    latencies = []
    t0 = time.perf_counter()
    for d in docs:
        t1 = time.perf_counter()
        pipe("passage: " + d["text"], **kwargs)
        latencies.append((time.perf_counter() - t1) * 1000)
    elapsed = time.perf_counter() - t0
    queue.put({"what": "naive transformers pipeline, per document (encoder only, truncated at 512)",
               "docs": len(docs), "docs_per_s": len(docs) / elapsed, "p50_ms": statistics.median(latencies[:latency_docs]),
               "p95_ms": statistics.quantiles(latencies[:latency_docs], n=20)[18], "peak_rss_mb": _peak_rss_mb()})


def measure(target, *args) -> dict:
    ctx = mp.get_context("spawn")
    queue = ctx.Queue()
    proc = ctx.Process(target=target, args=(*args, queue))
    proc.start()
    result = queue.get()
    proc.join()
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, default=2000)
    parser.add_argument("--models", nargs="+", default=[str(ROOT / "models" / "attestscore-e5"),
                                                        str(ROOT / "models" / "attestscore-tfidf")])
    parser.add_argument("--encoder", default=str(ROOT / "models" / "e5-small"))
    parser.add_argument("--naive-docs", type=int, default=None, help="documents for the naive loop (default: --docs)")
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--latency-docs", type=int, default=50)
    args = parser.parse_args()
    docs = synthetic_archive(args.docs + args.latency_docs + 1)
    rows = [measure(run_scorer, m, docs, args.batch_size, args.latency_docs + 1) for m in args.models]
    rows.append(measure(run_naive_pipeline, args.encoder, docs[: args.naive_docs or args.docs], args.latency_docs))
    words = statistics.mean(len(d["text"].split()) for d in docs)
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, torch threads default; "
          f"archive: {args.docs} documents, mean {words:.0f} words")
    print("| what | docs | docs/s | p50 latency (ms) | p95 latency (ms) | peak RSS (MB) |")
    print("|---|---|---|---|---|---|")
    for r in rows:
        print(f"| {r['what']} | {r['docs']} | {r['docs_per_s']:.1f} | {r['p50_ms']:.0f} | {r['p95_ms']:.0f} | "
              f"{r['peak_rss_mb']:.0f} |")


if __name__ == "__main__":
    main()
