"""Batch scoring of archives: JSON Lines, CSV or Parquet in, the same out, streamed in chunks.

Every input row ends up either in the output (one row, same order) or in ``<stem>.rejects.jsonl``
beside it with a reason; the summary always satisfies rows_in == scored + rejected. Outputs are
written to a temporary file and renamed, so a crash never leaves a half-written file behind.
"""
from __future__ import annotations

import csv
import json
import os
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterator

from scorer.api import Scorer, check_text, normalize_attest_type
from scorer.corpus import iter_lines
from scorer.labels import CERTIFICATE_CRITERIA, DOMAINS, KINDS, REQUEST_CRITERIA
from scorer.privacy import mask
from scorer.results import CertificateScore, RequestScore

FORMATS = (".jsonl", ".csv", ".parquet")
SCORE_COLUMNS = (["id", "kind", "label", "probability"] + [f"criteria.{c}" for c in REQUEST_CRITERIA]
                 + [f"criteria.{c}" for c in CERTIFICATE_CRITERIA if c not in REQUEST_CRITERIA]
                 + [f"domains.{d}" for d in DOMAINS] + ["missing_elements"])
RESERVED = {"id", "kind", "text"}
csv.field_size_limit(sys.maxsize)


@dataclass(frozen=True)
class BatchSummary:
    rows_in: int
    scored: int
    rejected: int
    output: Path
    rejects: Path

    def reconciliation(self) -> str:
        return f"rows in {self.rows_in} = scored {self.scored} + rejected {self.rejected}"


def _suffix(path: Path) -> str:
    suffix = path.suffix.lower()
    if suffix not in FORMATS:
        raise ValueError(f"{path}: unsupported format {suffix or '(none)'}; use one of {', '.join(FORMATS)}")
    return suffix


def rejects_path(output: Path) -> Path:
    return output.with_name(f"{output.stem}.rejects.jsonl")


def read_rows(path: Path) -> Iterator[tuple[dict | None, str | None]]:
    """(row, None) for each readable row, or (None, reason) for a row that cannot be read."""
    suffix = _suffix(path)
    if suffix == ".jsonl":
        for number, record, error in iter_lines(path):
            yield (record, None) if error is None else (None, f"line {number}: {error}")
    elif suffix == ".csv":
        with path.open(encoding="utf-8", errors="surrogateescape", newline="") as fh:
            for row in csv.DictReader(fh):
                if any(isinstance(v, str) and _has_surrogates(v) for v in row.values()):
                    yield None, f"CSV record {row.get('id')!r}: not valid UTF-8"
                    continue
                yield {k: v for k, v in row.items() if k is not None}, None
    else:
        import pyarrow.parquet as pq

        for batch in pq.ParquetFile(path).iter_batches(batch_size=1024):
            for row in batch.to_pylist():
                yield row, None


def _has_surrogates(value: str) -> bool:
    return any("\udc80" <= ch <= "\udcff" for ch in value)


def input_columns(path: Path) -> list[str]:
    """Passthrough columns of an input, in first-seen order (one cheap pass for JSON Lines)."""
    suffix = _suffix(path)
    if suffix == ".csv":
        with path.open(encoding="utf-8", errors="surrogateescape", newline="") as fh:
            header = next(csv.reader(fh), [])
    elif suffix == ".parquet":
        import pyarrow.parquet as pq

        header = pq.ParquetFile(path).schema_arrow.names
    else:
        seen: dict[str, None] = {}
        for row, _ in read_rows(path):
            if row:
                seen.update(dict.fromkeys(row))
        header = list(seen)
    return [c for c in header if c not in RESERVED and c not in SCORE_COLUMNS]


def row_problem(row: dict) -> str | None:
    """Why a readable row cannot be scored, or None."""
    if row.get("id") is None or str(row.get("id")).strip() == "":
        return "missing id"
    if row.get("kind") not in KINDS:
        return f"unknown kind {str(row.get('kind'))[:40]!r}; expected request or certificate"
    try:
        check_text(row.get("text"))
        normalize_attest_type(row.get("attest_type"))
    except ValueError as exc:
        return str(exc)
    return None


def score_row(result: RequestScore | CertificateScore) -> dict[str, Any]:
    out: dict[str, Any] = {"label": result.label, "probability": round(result.probability, 4)}
    out.update({f"criteria.{k}": round(v, 4) for k, v in result.criteria.items()})
    if isinstance(result, CertificateScore):
        out.update({f"domains.{k}": round(v, 4) for k, v in result.domains.items()})
    else:
        out["missing_elements"] = ";".join(f.criterion for f in result.feedback)
    return out


class _Writer:
    """Streams rows to a temporary file next to the target; ``commit`` renames it into place."""

    def __init__(self, path: Path, passthrough: list[str]):
        self.path, self.suffix = path, _suffix(path)
        self.tmp = path.with_name(f".{path.name}.partial")
        self.columns = SCORE_COLUMNS + passthrough
        self._parquet = None
        self._fh = None
        if self.suffix in (".jsonl", ".csv"):
            self._fh = self.tmp.open("w", encoding="utf-8", newline="")
        if self.suffix == ".csv":
            self._csv = csv.DictWriter(self._fh, fieldnames=self.columns)
            self._csv.writeheader()

    def write(self, rows: list[dict]) -> None:
        if self.suffix == ".jsonl":
            for row in rows:
                self._fh.write(json.dumps({k: v for k, v in row.items() if v is not None}, ensure_ascii=False,
                                          default=str) + "\n")
        elif self.suffix == ".csv":
            self._csv.writerows([{k: _cell(row.get(k)) for k in self.columns} for row in rows])
        else:
            import pyarrow as pa
            import pyarrow.parquet as pq

            table = pa.Table.from_pylist([{k: _typed(k, row.get(k)) for k in self.columns} for row in rows],
                                         schema=self._schema())
            if self._parquet is None:
                self._parquet = pq.ParquetWriter(self.tmp, table.schema)
            self._parquet.write_table(table)

    def _schema(self):
        import pyarrow as pa

        fields = []
        for c in self.columns:
            typ = pa.int64() if c == "label" else pa.float64() if c.startswith(("probability", "criteria.", "domains.")) \
                else pa.string()
            fields.append(pa.field(c, typ))
        return pa.schema(fields)

    def commit(self) -> None:
        if self._fh:
            self._fh.close()
        if self.suffix == ".parquet":
            if self._parquet is None:
                self.write([])
            self._parquet.close()
        os.replace(self.tmp, self.path)


def _cell(value: Any) -> Any:
    return json.dumps(value, ensure_ascii=False) if isinstance(value, (dict, list)) else value


def _typed(column: str, value: Any) -> Any:
    if value is None or column == "label" or column.startswith(("probability", "criteria.", "domains.")):
        return value
    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, default=str)


def reject_record(row_number: int, row: dict | None, reason: str) -> dict[str, Any]:
    """A rejects-file line: where the row was, its masked id and why; never the text."""
    row_id = None if row is None or row.get("id") is None else mask(str(row.get("id")))
    return {"row": row_number, "id": row_id, "reason": mask(reason)}


def score_batch(scorer: Scorer, rows: list[dict], row_numbers: list[int] | None = None
                ) -> tuple[list[dict], list[dict]]:
    """Output records and reject records for one batch of rows: the unit every runner maps
    (the local file loop, Ray Data's ``map_batches``, the HTTP service). ``row_numbers`` (1-based,
    default 1..n) locate rejected rows in the input."""
    numbers = row_numbers if row_numbers is not None else list(range(1, len(rows) + 1))
    good: list[tuple[int, dict]] = []
    rejected: list[dict] = []
    for number, row in zip(numbers, rows):
        problem = row_problem(row) if isinstance(row, dict) else "row is not a record"
        if problem:
            rejected.append(reject_record(number, row if isinstance(row, dict) else None, problem))
        else:
            good.append((number, row))
    results = scorer.score_many([row for _, row in good]) if good else []
    scored = []
    for (_, row), result in zip(good, results):
        record = {"id": row["id"], "kind": row["kind"], **score_row(result)}
        record.update({k: v for k, v in row.items() if k not in RESERVED})
        scored.append(record)
    return scored, rejected


def score_file(scorer: Scorer, input_path: str | Path, output_path: str | Path, batch_size: int = 32,
               progress: bool | None = None) -> BatchSummary:
    """Score every row of ``input_path`` into ``output_path``; bad rows go to the rejects file."""
    src, dst = Path(input_path), Path(output_path)
    if not src.exists():
        raise FileNotFoundError(f"{src} does not exist")
    _suffix(src), _suffix(dst)
    dst.parent.mkdir(parents=True, exist_ok=True)
    rejects = rejects_path(dst)
    writer = _Writer(dst, input_columns(src))
    rejects_tmp = rejects.with_name(f".{rejects.name}.partial")
    n_in = n_scored = n_rejected = 0
    from tqdm import tqdm

    bar = tqdm(unit="doc", disable=not (sys.stderr.isatty() if progress is None else progress), file=sys.stderr)
    with rejects_tmp.open("w", encoding="utf-8") as rej:
        pending: list[dict] = []
        numbers: list[int] = []

        def write_rejects(records: list[dict]) -> None:
            nonlocal n_rejected
            for record in records:
                rej.write(json.dumps(record, ensure_ascii=False) + "\n")
            n_rejected += len(records)

        def flush() -> None:
            nonlocal n_scored
            scored, rejected = score_batch(scorer, pending, numbers)
            writer.write(scored)
            write_rejects(rejected)
            n_scored += len(scored)
            bar.update(len(pending))
            pending.clear()
            numbers.clear()

        for row, error in read_rows(src):
            n_in += 1
            if error:
                write_rejects([reject_record(n_in, None, error)])
                continue
            pending.append(row)
            numbers.append(n_in)
            if len(pending) >= batch_size:
                flush()
        if pending:
            flush()
    bar.close()
    writer.commit()
    os.replace(rejects_tmp, rejects)
    return BatchSummary(n_in, n_scored, n_rejected, dst, rejects)
