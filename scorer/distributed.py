"""Batch scoring on Ray Data, for archives beyond one machine (the ``ray`` extra).

The same unit as the local loop, :func:`scorer.batch.score_batch`, is mapped over the archive with
``map_batches``; each Ray actor loads the model once. Scored rows and rejects are written as JSON
Lines part files under ``OUT/scored/`` and ``OUT/rejects/``, and the summary still satisfies
rows_in == scored + rejected. Ray is imported only when this runs.
"""
from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

from scorer.api import Scorer, default_model_path, load
from scorer.batch import FORMATS, BatchSummary, _suffix, reject_record, score_batch
from scorer.corpus import parse_line
from scorer.privacy import mask

SCORED, REJECTED = "scored", "rejected"


def archive_format(path: Path) -> str:
    """The format of a file, or of the files of a folder (all must share one of ``FORMATS``)."""
    if not path.exists():
        raise FileNotFoundError(f"{path} does not exist")
    if path.is_file():
        return _suffix(path)
    suffixes = {p.suffix.lower() for p in path.iterdir() if p.is_file() and not p.name.startswith(".")}
    if len(suffixes) != 1 or not suffixes <= set(FORMATS):
        raise ValueError(f"{path}: expected files of one format ({', '.join(FORMATS)}), found {sorted(suffixes)}")
    return suffixes.pop()


class ScoreActor:
    """A Ray actor's batch function: the scorer loads once per actor, every batch goes through
    ``score_batch``. Output rows carry a status and the finished JSON line, so scored records and
    rejects (of different shapes) travel in one dataset."""

    def __init__(self, model_path: str, base_model: str | None = None, jsonl: bool = False):
        self.scorer: Scorer = load(model_path, base_model)
        self.jsonl = jsonl

    def __call__(self, batch: Any) -> Any:
        import pyarrow as pa

        rows, places, rejected = self._rows(batch)
        scored, bad = score_batch(self.scorer, rows, list(range(1, len(rows) + 1)))
        rejected += [{**r, **places[r["row"] - 1]} for r in bad]
        lines = [_json_line(r) for r in scored + rejected]
        return pa.table({"status": [SCORED] * len(scored) + [REJECTED] * len(rejected), "line": lines})

    def _rows(self, batch: Any) -> tuple[list[dict], list[dict], list[dict]]:
        """Rows to score, where each came from, and rejects for lines that are not records. Table
        formats have no row number in a distributed read: their rejects are known by masked id."""
        if not self.jsonl:
            return batch.to_pylist(), [{"row": None}] * batch.num_rows, []
        rows, places, rejected = [], [], []
        for file, number, raw in zip(*(batch.column(c).to_pylist() for c in ("file", "line", "raw"))):
            record, error = parse_line(raw)
            if error:
                rejected.append({**reject_record(number, None, f"line {number}: {error}"), "file": mask(file)})
            else:
                rows.append(record)
                places.append({"row": number, "file": mask(file)})
        return rows, places, rejected


def _json_line(record: dict) -> str:
    return json.dumps({k: v for k, v in record.items() if v is not None}, ensure_ascii=False, default=str)


def _split_lines(item: dict) -> list[dict]:
    """A JSONL file's non-blank lines, numbered as the local reader numbers them."""
    return [{"file": item["path"], "line": number, "raw": raw}
            for number, raw in enumerate(item["bytes"].split(b"\n"), start=1) if parse_line(raw) != (None, None)]


def _csv_strings(path: Path) -> Any:
    """Read options that keep every CSV column a string, as the local reader does (ids like
    '007' must not turn into 7)."""
    import pyarrow as pa
    import pyarrow.csv as pacsv

    first = path if path.is_file() else min(p for p in path.iterdir() if p.suffix.lower() == ".csv")
    with first.open(encoding="utf-8", newline="") as fh:
        header = next(csv.reader(fh), [])
    return pacsv.ConvertOptions(column_types={c: pa.string() for c in header})


def _read(path: Path) -> Any:
    """The archive as a dataset: JSONL as numbered raw lines (parsed by the actors, so a broken line
    becomes a reject, not a failed job, and no reader guesses types), CSV and Parquet as tables."""
    import ray.data

    suffix = archive_format(path)
    # reading reserves no CPU: scoring actors may hold every CPU, and a read stage waiting for one
    # would then wait for ever
    if suffix == ".jsonl":
        files = ray.data.read_binary_files(str(path), include_paths=True, file_extensions=["jsonl"], num_cpus=0)
        return files.flat_map(_split_lines, num_cpus=0)
    if suffix == ".csv":
        return ray.data.read_csv(str(path), convert_options=_csv_strings(path), file_extensions=["csv"], num_cpus=0)
    return ray.data.read_parquet(str(path), file_extensions=["parquet"], num_cpus=0)


def _lines_sink(folder: Path) -> Any:
    from ray.data import SaveMode
    from ray.data.datasource import BlockBasedFileDatasink

    class JsonLinesSink(BlockBasedFileDatasink):
        """Writes the ready-made ``line`` column as it is: one JSON object a line."""

        def __init__(self, path: str):
            super().__init__(path, file_format="jsonl", mode=SaveMode.OVERWRITE)  # a rerun replaces, never appends

        def write_block_to_file(self, block: Any, file: Any) -> None:
            for line in block.to_arrow().column("line").to_pylist():
                file.write((line + "\n").encode("utf-8"))

    return JsonLinesSink(str(folder))


def score_with_ray(input_path: str | Path, output_dir: str | Path, model_path: str | Path | None = None,
                   batch_size: int = 32, base_model: str | Path | None = None, address: str | None = None,
                   actors: int | None = None) -> BatchSummary:
    """Score an archive (a file or a folder of .jsonl/.csv/.parquet files) on Ray: on the cluster at
    ``address``, on the one already initialised, or else on a local one. ``model_path`` must be
    readable at the same path on every node. ``actors`` caps the scoring actors (default: Ray's
    autoscaling pool of up to one per CPU)."""
    import ray
    import ray.data
    from ray.data.expressions import col

    src, out = Path(input_path).resolve(), Path(output_dir).resolve()  # workers do not share our cwd
    jsonl = archive_format(src) == ".jsonl"
    model = str(Path(model_path).resolve() if model_path else default_model_path())
    if not ray.is_initialized():
        ray.init(address=address, include_dashboard=False, log_to_driver=False)
    source = _read(src)
    pool = (ray.data.ActorPoolStrategy(size=actors) if actors else
            ray.data.ActorPoolStrategy(min_size=1, max_size=max(1, int(ray.cluster_resources().get("CPU", 1)))))
    results = source.map_batches(
        ScoreActor, fn_constructor_args=(model, str(Path(base_model).resolve()) if base_model else None, jsonl), batch_size=batch_size,
        batch_format="pyarrow", compute=pool, num_cpus=1).materialize()
    folders = {SCORED: out / "scored", REJECTED: out / "rejects"}
    counts = {}
    for status, folder in folders.items():
        part = results.filter(expr=col("status") == status).materialize()
        part.write_datasink(_lines_sink(folder))
        counts[status] = part.count()
    return BatchSummary(source.count(), counts[SCORED], counts[REJECTED], folders[SCORED], folders[REJECTED])
