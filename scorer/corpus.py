"""Read and validate annotated corpora (JSON Lines, one document a line).

The validator is what stands between hand-written data and every figure the project reports, so it
names the file and line of each problem and never stops at the first one.
"""
from __future__ import annotations

import datetime as dt
import json
import statistics
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterator

from scorer.labels import (ATTEST_TYPES, CERTIFICATE_OVERALL, KINDS, REQUEST_OVERALL,
                           consistency_errors, label_names)

REQUIRED_META = {"municipality": str, "team": str, "caseworker_id": str, "citizen_id": str,
                 "date": str, "caseload": int}
DATE_RANGE = (dt.date(2023, 1, 1), dt.date(2026, 12, 31))


@dataclass
class ValidationReport:
    """Problems found (``file:line: message``) and corpus statistics."""

    errors: list[str] = field(default_factory=list)
    stats: dict[str, Any] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.errors


def corpus_files(path: str | Path) -> list[Path]:
    """The JSON Lines files a corpus path stands for: the file itself, or a folder's ``*.jsonl``."""
    path = Path(path)
    if path.is_dir():
        files = sorted(path.glob("*.jsonl"))
        if not files:
            raise FileNotFoundError(f"no *.jsonl files in {path}")
        return files
    if not path.exists():
        raise FileNotFoundError(f"{path} does not exist")
    return [path]


def parse_line(raw: bytes) -> tuple[dict | None, str | None]:
    """One JSONL line as (record, None) or (None, error); (None, None) for a blank line. Shared by
    the file reader below and the Ray runner, which splits files itself."""
    try:
        line = raw.decode("utf-8")
    except UnicodeDecodeError:
        return None, "not valid UTF-8"
    if not line.strip():
        return None, None
    try:
        record = json.loads(line)
    except json.JSONDecodeError as exc:
        return None, f"not valid JSON ({exc.msg})"
    if not isinstance(record, dict):
        return None, f"expected a JSON object, got {type(record).__name__}"
    return record, None


def iter_lines(path: Path) -> Iterator[tuple[int, dict | None, str | None]]:
    """(line number, record or None, error or None) for every non-blank line of a JSONL file."""
    with path.open("rb") as fh:
        for number, raw in enumerate(fh, start=1):
            record, error = parse_line(raw)
            if record is not None or error is not None:
                yield number, record, error


def load_corpus(path: str | Path) -> list[dict]:
    """All documents of a corpus; raises ``ValueError`` naming the first unreadable line."""
    records = []
    for file in corpus_files(path):
        for number, record, error in iter_lines(file):
            if error:
                raise ValueError(f"{file}:{number}: {error}")
            records.append(record)
    return records


def record_errors(record: dict) -> list[str]:
    """Schema and label problems of one document."""
    errors = []
    for key in ("id", "pair_id", "text"):
        if not isinstance(record.get(key), str) or not record.get(key, "").strip():
            errors.append(f"'{key}' must be a non-empty string")
    kind = record.get("kind")
    if kind not in KINDS:
        errors.append(f"'kind' must be one of {KINDS}, got {kind!r}")
    if record.get("attest_type") not in ATTEST_TYPES:
        errors.append(f"'attest_type' must be one of {ATTEST_TYPES}, got {record.get('attest_type')!r}")
    labels = record.get("labels")
    if not isinstance(labels, dict):
        errors.append("'labels' must be an object")
    elif kind in KINDS:
        errors += consistency_errors(kind, labels)
    meta = record.get("meta")
    if not isinstance(meta, dict):
        errors.append("'meta' must be an object")
        return errors
    for key, typ in REQUIRED_META.items():
        value = meta.get(key)
        if not isinstance(value, typ) or isinstance(value, bool):
            errors.append(f"meta.{key} must be {typ.__name__}, got {value!r}")
    if isinstance(meta.get("date"), str):
        try:
            day = dt.date.fromisoformat(meta["date"])
            if not DATE_RANGE[0] <= day <= DATE_RANGE[1]:
                errors.append(f"meta.date {meta['date']} outside 2023–2026")
        except ValueError:
            errors.append(f"meta.date {meta['date']!r} is not an ISO date")
    if isinstance(meta.get("caseload"), int) and not 0 < meta["caseload"] < 1000:
        errors.append(f"meta.caseload {meta['caseload']} is implausible")
    return errors


def validate(path: str | Path) -> ValidationReport:
    """Check schema, unique ids, complete pairs, label consistency and splits; gather statistics."""
    report = ValidationReport()
    seen_ids: dict[str, str] = {}
    pairs: dict[str, dict[str, dict]] = defaultdict(dict)
    pair_file: dict[str, str] = {}
    docs: list[tuple[str, dict]] = []
    for file in corpus_files(path):
        for number, record, error in iter_lines(file):
            where = f"{file.name}:{number}"
            if error:
                report.errors.append(f"{where}: {error}")
                continue
            problems = record_errors(record)
            report.errors += [f"{where}: {p}" for p in problems]
            if problems:
                continue
            if record["id"] in seen_ids:
                report.errors.append(f"{where}: duplicate id {record['id']!r} (first at {seen_ids[record['id']]})")
                continue
            seen_ids[record["id"]] = where
            pid = record["pair_id"]
            if record["kind"] in pairs[pid]:
                report.errors.append(f"{where}: pair {pid} has a second {record['kind']}")
                continue
            if pair_file.setdefault(pid, file.name) != file.name:
                report.errors.append(f"{where}: pair {pid} is split across {pair_file[pid]} and {file.name}")
            pairs[pid][record["kind"]] = record
            docs.append((file.stem, record))
    for pid, members in pairs.items():
        missing = [k for k in KINDS if k not in members]
        if missing:
            report.errors.append(f"pair {pid}: no {' and no '.join(missing)}")
        elif members["request"]["attest_type"] != members["certificate"]["attest_type"]:
            report.errors.append(f"pair {pid}: request and certificate name different attest types")
    report.stats = corpus_stats(docs, pairs)
    return report


def _share(values: list[int]) -> float | None:
    return round(sum(values) / len(values), 3) if values else None


def corpus_stats(docs: list[tuple[str, dict]], pairs: dict[str, dict[str, dict]]) -> dict[str, Any]:
    """Counts a data card needs: sizes, label prevalence, mixes and the request→certificate relation."""
    complete = [m for m in pairs.values() if all(k in m for k in KINDS)]
    stats: dict[str, Any] = {"documents": len(docs), "pairs": len(complete)}
    stats["documents_per_file"] = dict(Counter(name for name, _ in docs))
    for kind in KINDS:
        of_kind = [r for _, r in docs if r["kind"] == kind]
        stats[f"{kind}_label_share"] = {
            name: _share([r["labels"][name] for r in of_kind if r["labels"][name] is not None])
            for name in label_names(kind)}
    words = [len(r["text"].split()) for _, r in docs]
    stats["words"] = {"median": statistics.median(words) if words else 0, "max": max(words, default=0),
                      "over_600": sum(w > 600 for w in words), "under_40": sum(w < 40 for w in words)}
    stats["attest_type_pairs"] = dict(Counter(m["request"]["attest_type"] for m in complete))
    stats["condition_group_pairs"] = dict(Counter(m["request"]["meta"].get("condition_group", "?")
                                                  for m in complete))
    stats["format_documents"] = dict(Counter(r["meta"].get("format", "?") for _, r in docs))
    stats["hard_case_pairs"] = sum(bool(m["request"]["meta"].get("hard_case")) for m in complete)
    stats["municipalities"] = len({r["meta"]["municipality"] for _, r in docs})
    stats["caseworkers"] = len({r["meta"]["caseworker_id"] for _, r in docs})
    joint = Counter((m["request"]["labels"][REQUEST_OVERALL], m["certificate"]["labels"][CERTIFICATE_OVERALL])
                    for m in complete)
    for spec in (1, 0):
        n = joint[(spec, 1)] + joint[(spec, 0)]
        stats[f"in_depth_given_specific_{spec}"] = round(joint[(spec, 1)] / n, 3) if n else None
    return stats


def format_stats(stats: dict[str, Any]) -> str:
    """Human-readable statistics, one fact a line."""
    lines = [f"documents: {stats['documents']}   pairs: {stats['pairs']}"]
    for key, value in stats.items():
        if key in ("documents", "pairs"):
            continue
        if isinstance(value, dict):
            inner = ", ".join(f"{k}={v}" for k, v in sorted(value.items(), key=lambda kv: str(kv[0])))
            lines.append(f"{key}: {inner}")
        else:
            lines.append(f"{key}: {value}")
    return "\n".join(lines)
