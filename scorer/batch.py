"""Batch scoring of archives: JSON Lines, CSV or Parquet in, the same out, streamed in chunks.

Every input row ends up either in the output (one row, same order) or in ``<stem>.rejects.jsonl``
beside it with a reason; the summary always satisfies rows_in == scored + rejected. Outputs are
written to a temporary file and renamed, so a crash never leaves a half-written file behind.
"""
from __future__ import annotations

import csv
import hashlib
import json
import os
import shutil
import sys
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Iterator

from scorer.api import Scorer, check_text, normalize_attest_type
from scorer.archive import ArchiveContext, build_context
from scorer.corpus import iter_lines
from scorer.labels import CERTIFICATE_CRITERIA, DOMAINS, KINDS, REQUEST_CRITERIA
from scorer.logs import get_logger
from scorer.privacy import mask
from scorer.results import CertificateScore, RequestScore

log = get_logger()

FORMATS = (".jsonl", ".csv", ".parquet")
#: archive signals: requests (questions asked, attest-type flags, reused text) and certificates
#: (their request's questions: asked, answered, roll-up); value type for Parquet
SIGNAL_COLUMNS = {"questions_asked": "int", "attest_fit_flags": "int", "attest_fit": "str", "reuse_share": "float",
                  "reused_sentences": "int", "questions_answered": "int", "answers_questions": "int"}
SCORE_COLUMNS = (["id", "kind", "label", "probability"] + [f"criteria.{c}" for c in REQUEST_CRITERIA]
                 + [f"criteria.{c}" for c in CERTIFICATE_CRITERIA if c not in REQUEST_CRITERIA]
                 + [f"domains.{d}" for d in DOMAINS] + ["missing_elements"] + list(SIGNAL_COLUMNS))
RESERVED = {"id", "kind", "text"}
#: bytes read from each end of the input for its fingerprint
FINGERPRINT_BYTES = 1 << 20
csv.field_size_limit(sys.maxsize)


@dataclass(frozen=True)
class BatchSummary:
    rows_in: int
    scored: int
    rejected: int
    output: Path
    rejects: Path
    resumed_at: int = 0

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
                if not valid_unicode(row):
                    yield None, f"CSV record {row.get('id')!r}: not valid UTF-8"
                    continue
                yield {k: v for k, v in row.items() if k is not None}, None
    else:
        import pyarrow.parquet as pq

        for batch in pq.ParquetFile(path).iter_batches(batch_size=1024):
            for row in batch.to_pylist():
                yield row, None


def valid_unicode(value: Any) -> bool:
    """False if a string (or one nested in a dict or list, keys included) holds lone surrogates:
    undecodable CSV bytes or JSON escapes like \\ud800, which no UTF-8 output can carry."""
    if isinstance(value, str):
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            return False
        return True
    if isinstance(value, dict):
        return all(valid_unicode(k) and valid_unicode(v) for k, v in value.items())
    if isinstance(value, (list, tuple)):
        return all(valid_unicode(v) for v in value)
    return True


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
    return [c for c in header if c not in RESERVED and c not in SCORE_COLUMNS and valid_unicode(c)]


def row_problem(row: dict) -> str | None:
    """Why a readable row cannot be scored, or None."""
    if not valid_unicode(row):
        return "not valid Unicode (lone surrogate)"
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
        if result.answers is not None:
            asked = result.answers.questions
            out.update({"questions_asked": len(asked), "questions_answered": sum(q.answered for q in asked),
                        "answers_questions": result.answers.answers_questions})
        return out
    out["missing_elements"] = ";".join(f.criterion for f in result.feedback)
    out.update({"questions_asked": len(result.questions), "attest_fit_flags": len(result.attest_fit),
                "attest_fit": " | ".join(flag.reason for flag in result.attest_fit) or None})
    if result.reuse is not None:
        out.update({"reuse_share": round(result.reuse.share, 4), "reused_sentences": len(result.reuse.sentences)})
    return out


def _open_partial(path: Path, offset: int | None):
    """A text file to append to: truncated to ``offset`` when resuming, empty otherwise."""
    if offset is None:
        return path.open("w", encoding="utf-8", newline="")
    os.truncate(path, offset)
    return path.open("a", encoding="utf-8", newline="")


def _sync(fh) -> int:
    """Flush ``fh`` to disk; its size in bytes (the offset a resume truncates to)."""
    fh.flush()
    os.fsync(fh.fileno())
    return os.fstat(fh.fileno()).st_size


def _partial_paths(output: Path) -> tuple[Path, Path]:
    """The partial output file and the Parquet part folder of ``output``."""
    return output.with_name(f".{output.name}.partial"), output.with_name(f".{output.name}.parts")


def _partial_position(output: Path) -> int | None:
    """How much partial output exists: bytes of the partial file, or the number of Parquet parts;
    None when there is none (a resume is then impossible)."""
    tmp, parts = _partial_paths(output)
    if output.suffix.lower() == ".parquet":
        return len(list(parts.glob("part-*.parquet"))) if parts.is_dir() else None
    return tmp.stat().st_size if tmp.exists() else None


class _Writer:
    """Streams rows to a partial file next to the target (Parquet: a folder of part files, one per
    batch); ``sync`` makes what is written durable and returns the position a resume restarts from;
    ``commit`` puts the finished file in place with a rename."""

    def __init__(self, path: Path, passthrough: list[str], resume_at: int | None = None):
        self.path, self.suffix = path, _suffix(path)
        self.tmp, self.parts = _partial_paths(path)
        self.columns = SCORE_COLUMNS + passthrough
        self._fh = None
        self._n_parts = 0
        if self.suffix == ".parquet":
            if resume_at is None:
                shutil.rmtree(self.parts, ignore_errors=True)
            self.parts.mkdir(exist_ok=True)
            self._n_parts = resume_at or 0
            for stale in self.parts.glob("part-*.parquet"):
                if int(stale.stem.split("-")[1]) >= self._n_parts:
                    stale.unlink()
            return
        self._fh = _open_partial(self.tmp, resume_at)
        if self.suffix == ".csv":
            self._csv = csv.DictWriter(self._fh, fieldnames=self.columns)
            if resume_at is None:
                self._csv.writeheader()

    def write(self, rows: list[dict]) -> None:
        if self.suffix == ".jsonl":
            for row in rows:
                self._fh.write(json.dumps({k: v for k, v in row.items() if v is not None}, ensure_ascii=False,
                                          default=str) + "\n")
        elif self.suffix == ".csv":
            self._csv.writerows([{k: _cell(row.get(k)) for k in self.columns} for row in rows])
        elif rows:
            import pyarrow.parquet as pq

            part = self.parts / f"part-{self._n_parts:06d}.parquet"
            pq.write_table(self._table(rows), part)
            self._n_parts += 1

    def sync(self) -> int:
        if self._fh is not None:
            return _sync(self._fh)
        return self._n_parts

    def _table(self, rows: list[dict]):
        import pyarrow as pa

        fields = []
        for c in self.columns:
            fields.append(pa.field(c, {"int": pa.int64(), "float": pa.float64(), "str": pa.string()}[_column_type(c)]))
        return pa.Table.from_pylist([{k: _typed(k, row.get(k)) for k in self.columns} for row in rows],
                                    schema=pa.schema(fields))

    def commit(self) -> None:
        if self._fh:
            self._fh.close()
        if self.suffix == ".parquet":
            import pyarrow.parquet as pq

            schema = self._table([]).schema
            with pq.ParquetWriter(self.tmp, schema) as out:
                for index in range(self._n_parts):
                    out.write_table(pq.read_table(self.parts / f"part-{index:06d}.parquet", schema=schema))
                if not self._n_parts:
                    out.write_table(self._table([]))
        os.replace(self.tmp, self.path)
        shutil.rmtree(self.parts, ignore_errors=True)


def _cell(value: Any) -> Any:
    return json.dumps(value, ensure_ascii=False) if isinstance(value, (dict, list)) else value


def _column_type(column: str) -> str:
    if column == "label":
        return "int"
    if column.startswith(("probability", "criteria.", "domains.")):
        return "float"
    return SIGNAL_COLUMNS.get(column, "str")


def _typed(column: str, value: Any) -> Any:
    if value is None or _column_type(column) != "str":
        return value
    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, default=str)


def reject_record(row_number: int, row: dict | None, reason: str) -> dict[str, Any]:
    """A rejects-file line: where the row was, its masked id and why; never the text."""
    row_id = None if row is None or row.get("id") is None else \
        mask(str(row.get("id"))).encode("utf-8", "backslashreplace").decode("utf-8")
    return {"row": row_number, "id": row_id, "reason": mask(reason)}


def score_batch(scorer: Scorer, rows: list[dict], row_numbers: list[int] | None = None,
                context: ArchiveContext | None = None) -> tuple[list[dict], list[dict]]:
    """Output records and reject records for one batch of rows: the unit every runner maps
    (the local file loop, Ray Data's ``map_batches``, the HTTP service). ``row_numbers`` (1-based,
    default 1..n) locate rejected rows in the input; ``context`` adds the archive-wide signals."""
    numbers = row_numbers if row_numbers is not None else list(range(1, len(rows) + 1))
    good: list[tuple[int, dict]] = []
    rejected: list[dict] = []
    for number, row in zip(numbers, rows):
        problem = row_problem(row) if isinstance(row, dict) else "row is not a record"
        if problem:
            rejected.append(reject_record(number, row if isinstance(row, dict) else None, problem))
        else:
            good.append((number, row))
    results = []
    if good:
        results = scorer.score_many([row for _, row in good],
                                    reuse_index=context.reuse_index if context else None,
                                    request_text=context.request_text if context else None)
    scored = []
    for (_, row), result in zip(good, results):
        record = {"id": row["id"], "kind": row["kind"], **score_row(result)}
        record.update({k: v for k, v in row.items() if k not in RESERVED and k not in SCORE_COLUMNS})
        scored.append(record)
    return scored, rejected


def checkpoint_path(output: Path) -> Path:
    return output.with_name(f".{output.name}.checkpoint.json")


@dataclass(frozen=True)
class Checkpoint:
    """How far a batch run got: everything up to ``rows_in`` is durably in the partial output
    (``output_at`` bytes, or Parquet parts) and partial rejects (``rejects_at`` bytes)."""

    fingerprint: dict
    rows_in: int
    scored: int
    rejected: int
    output_at: int
    rejects_at: int

    def save(self, path: Path) -> None:
        """Atomically: a crash leaves either the previous checkpoint or this one, never half."""
        tmp = path.with_name(path.name + ".tmp")
        with tmp.open("w", encoding="utf-8") as fh:
            json.dump(asdict(self), fh)
            _sync(fh)
        os.replace(tmp, path)

    @classmethod
    def load(cls, path: Path) -> Checkpoint | None:
        try:
            return cls(**json.loads(path.read_text(encoding="utf-8")))
        except (OSError, ValueError, TypeError):
            return None


def run_fingerprint(scorer: Scorer, src: Path, dst: Path) -> dict:
    """What must not change for a resume to be correct: the input (size, mtime, hash of its first
    and last MB), the model (folder, manifest hash, base encoder) and the output format."""
    stat = src.stat()
    digest = hashlib.sha256()
    with src.open("rb") as fh:
        digest.update(fh.read(FINGERPRINT_BYTES))
        if stat.st_size > FINGERPRINT_BYTES:
            fh.seek(max(FINGERPRINT_BYTES, stat.st_size - FINGERPRINT_BYTES))
            digest.update(fh.read())
    manifest = scorer.model_path / "model.json"
    return {"input": str(src.resolve()), "size": stat.st_size, "mtime_ns": stat.st_mtime_ns,
            "sha256_ends": digest.hexdigest(), "model": str(scorer.model_path.resolve()),
            "manifest_sha256": hashlib.sha256(manifest.read_bytes()).hexdigest() if manifest.exists() else None,
            "base_model": str(scorer.bundle.base_model) if scorer.bundle.base_model else None,
            "output_format": dst.suffix.lower()}


def _id_key(value: Any) -> int:
    """An id as 8 bytes: keeps the seen-id set small on archives of millions of rows."""
    return int.from_bytes(hashlib.blake2b(str(value).encode("utf-8", "surrogatepass"), digest_size=8).digest())


def _claim_id(seen: dict[int, int], row: dict | None, number: int) -> int | None:
    """Row number of an earlier row with the same id, or None (and the id is now claimed). The first
    row that carries an id claims it, whatever becomes of that row."""
    if not isinstance(row, dict) or row.get("id") is None or str(row.get("id")).strip() == "":
        return None
    key = _id_key(row["id"])
    if key in seen:
        return seen[key]
    seen[key] = number
    return None


def _resumable(path: Path, fingerprint: dict, writer_at: int | None, rejects: Path) -> Checkpoint | None:
    """The checkpoint at ``path`` if it belongs to this run and the partial files still hold what
    it records; logs why an existing one is not used."""
    if not path.exists():
        return None
    found = Checkpoint.load(path)
    if found is None or found.fingerprint != fingerprint:
        log.warning("checkpoint %s is for another input, model or output format; starting over", path.name)
        return None
    rejects_size = rejects.stat().st_size if rejects.exists() else None
    if writer_at is None or writer_at < found.output_at or rejects_size is None or rejects_size < found.rejects_at:
        log.warning("partial output behind checkpoint %s is missing or short; starting over", path.name)
        return None
    return found


def phrases_path(output: Path) -> Path:
    return output.with_name(f"{output.stem}.phrases.json")


def _write_phrases(context: ArchiveContext, path: Path) -> None:
    """The archive's most reused phrases (masked short excerpts and counts), atomically."""
    tmp = path.with_name(f".{path.name}.partial")
    tmp.write_text(json.dumps([asdict(p) for p in context.phrases], ensure_ascii=False, indent=1), encoding="utf-8")
    os.replace(tmp, path)


def score_file(scorer: Scorer, input_path: str | Path, output_path: str | Path, batch_size: int = 32,
               progress: bool | None = None, resume: bool = True, archive_signals: bool = True) -> BatchSummary:
    """Score every row of ``input_path`` into ``output_path``; bad rows and repeated ids go to the
    rejects file. After every batch the partial outputs are synced and a checkpoint is written, so a
    killed run given the same arguments resumes where it stopped (``resume=False`` starts over).
    ``archive_signals`` first reads the archive once for reused text across requests and for each
    certificate's request (its questions), and writes the most reused phrases to
    ``<stem>.phrases.json``."""
    src, dst = Path(input_path), Path(output_path)
    if not src.exists():
        raise FileNotFoundError(f"{src} does not exist")
    _suffix(src), _suffix(dst)
    dst.parent.mkdir(parents=True, exist_ok=True)
    rejects = rejects_path(dst)
    rejects_tmp = rejects.with_name(f".{rejects.name}.partial")
    ckpt_path = checkpoint_path(dst)
    fingerprint = {**run_fingerprint(scorer, src, dst), "archive_signals": archive_signals}
    if not resume and ckpt_path.exists():
        log.info("ignoring checkpoint %s; starting over", ckpt_path.name)
    state = _resumable(ckpt_path, fingerprint, _partial_position(dst), rejects_tmp) if resume else None
    if state is None:
        ckpt_path.unlink(missing_ok=True)
    else:
        log.info("resuming at row %d (%d scored, %d rejected before)", state.rows_in + 1, state.scored,
                 state.rejected)
    skip = state.rows_in if state else 0
    n_scored, n_rejected = (state.scored, state.rejected) if state else (0, 0)
    writer = _Writer(dst, input_columns(src), state.output_at if state else None)
    n_in = 0
    seen: dict[int, int] = {}
    from tqdm import tqdm

    context = build_context(row for row, _ in read_rows(src)) if archive_signals else None
    try:
        bar = tqdm(unit="doc", initial=skip, disable=not (sys.stderr.isatty() if progress is None else progress),
                   file=sys.stderr)
        with _open_partial(rejects_tmp, state.rejects_at if state else None) as rej:
            pending: list[dict] = []
            numbers: list[int] = []

            def write_rejects(records: list[dict]) -> None:
                nonlocal n_rejected
                for record in records:
                    rej.write(json.dumps(record, ensure_ascii=False) + "\n")
                n_rejected += len(records)

            def flush() -> None:
                nonlocal n_scored
                scored, rejected = score_batch(scorer, pending, numbers, context)
                writer.write(scored)
                write_rejects(rejected)
                n_scored += len(scored)
                bar.update(len(pending))
                Checkpoint(fingerprint, n_in, n_scored, n_rejected, writer.sync(), _sync(rej)).save(ckpt_path)
                log.debug("checkpoint at row %d: %d scored, %d rejected", n_in, n_scored, n_rejected)
                pending.clear()
                numbers.clear()

            for row, error in read_rows(src):
                n_in += 1
                first = _claim_id(seen, row, n_in)
                if n_in <= skip:
                    continue
                if error:
                    write_rejects([reject_record(n_in, None, error)])
                elif first is not None:
                    write_rejects([reject_record(n_in, row, f"duplicate id (first at row {first})")])
                else:
                    pending.append(row)
                    numbers.append(n_in)
                if len(pending) >= batch_size:
                    flush()
            if pending:
                flush()
        bar.close()
        writer.commit()
        os.replace(rejects_tmp, rejects)
        if context is not None:
            _write_phrases(context, phrases_path(dst))
        ckpt_path.unlink(missing_ok=True)
        summary = BatchSummary(n_in, n_scored, n_rejected, dst, rejects, skip)
        log.info("%s", summary.reconciliation())
        return summary
    finally:
        if context is not None:
            context.close()
