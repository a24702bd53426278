"""Folder of exported files -> archive JSONL that ``attestscore score`` and ``report`` read.

Every file ends up either as one archive row or as one line in ``<stem>.rejects.jsonl`` with a
reason, so ``files_in == documents_out + rejected`` always holds. Both files are written to a
temporary name and renamed, so a crash leaves no half-written archive.
"""
from __future__ import annotations

import json
import os
import sys
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from scorer.batch import rejects_path
from scorer.ingest.extract import ExtractionError, extract
from scorer.ingest.header import read_header
from scorer.ingest.ocr import tesseract_available
from scorer.ingest.pairing import Assignment, Manifest, by_convention, read_manifest
from scorer.privacy import mask
from scorer.text import normalize_layout

SUFFIX_BY_KIND = {"request": "R", "certificate": "C"}
RESERVED = {"id", "kind", "text", "pair_id", "attest_type", "source_file", "extraction"}


@dataclass(frozen=True)
class IngestSummary:
    """Counts of one run, the pairs found, and what could not be paired."""

    files_in: int
    documents_out: int
    rejected: int
    pairs: int
    unpaired: list[str]
    manifest_missing: list[str]
    ocr_documents: int
    output: Path
    rejects: Path

    def reconciliation(self) -> str:
        return f"files in {self.files_in} = documents out {self.documents_out} + rejected {self.rejected}"


@dataclass
class _Document:
    source_file: str
    kind: str
    pair_id: str
    attest_type: str | None
    text: str
    extraction: str
    metadata: dict[str, str] = field(default_factory=dict)


def ingest_folder(folder: str | Path, output: str | Path, manifest: str | Path | None = None,
                  ocr: bool | None = None, progress: bool | None = None) -> IngestSummary:
    """Read every file under ``folder`` into the archive ``output`` (``.jsonl``); ``ocr=None``
    uses Tesseract where it is installed."""
    root, dst = Path(folder), Path(output)
    if not root.is_dir():
        raise FileNotFoundError(f"{root} is not a folder")
    if dst.suffix.lower() != ".jsonl":
        raise ValueError(f"{dst}: the archive is written as JSON Lines (.jsonl)")
    rejects = rejects_path(dst)
    skip = {p.resolve() for p in (dst, rejects, Path(manifest) if manifest else None) if p is not None}
    files = [p for p in sorted(root.rglob("*")) if p.is_file() and p.resolve() not in skip
             and not p.name.endswith(".partial")]
    names = [p.relative_to(root).as_posix() for p in files]
    plan = read_manifest(Path(manifest), set(names)) if manifest else Manifest({}, [])
    use_ocr = tesseract_available() if ocr is None else ocr
    from tqdm import tqdm

    documents: list[_Document] = []
    rejected: list[dict[str, Any]] = []
    bar = tqdm(total=len(files), unit="fil", disable=not (sys.stderr.isatty() if progress is None else progress),
               file=sys.stderr)
    for path, name in zip(files, names):
        try:
            documents.append(_read(path, name, plan.assignments.get(name) or by_convention(name), use_ocr))
        except ExtractionError as exc:
            rejected.append({"source_file": mask(name), "reason": mask(exc.reason)})
        except Exception as exc:  # noqa: BLE001 - a library failing on one odd file must not stop the run
            rejected.append({"source_file": mask(name), "reason": f"fejl under læsning ({type(exc).__name__})"})
        bar.update(1)
    bar.close()
    rows, pairs, unpaired = _pair(documents)
    dst.parent.mkdir(parents=True, exist_ok=True)
    _write_atomic(dst, rows)
    _write_atomic(rejects, rejected)
    return IngestSummary(len(files), len(rows), len(rejected), pairs, [mask(u) for u in unpaired],
                         [mask(m) for m in plan.missing], sum(d.extraction == "ocr" for d in documents), dst, rejects)


def _read(path: Path, name: str, assignment: Assignment | None, ocr: bool) -> _Document:
    extracted = extract(path, ocr)
    text = normalize_layout(extracted.text)
    if not text.strip():
        raise ExtractionError("ingen tekst (kun sidehoveder og -fødder)")
    header = read_header(text)
    kind = assignment.kind if assignment else header.kind
    if kind is None:
        raise ExtractionError("ukendt dokumenttype (brevhovedet siger hverken anmodning eller attest; "
                              "angiv den i manifestet eller filnavnet)")
    metadata = dict(assignment.metadata) if assignment else {}
    attest_type = metadata.pop("attest_type", None) or header.attest_type
    return _Document(name, kind, assignment.pair_id if assignment else "", attest_type, text, extracted.method,
                     {k: v for k, v in metadata.items() if k not in RESERVED})


def _pair(documents: list[_Document]) -> tuple[list[dict[str, Any]], int, list[str]]:
    """Archive rows in file order, the number of complete pairs, and the unpaired files. A pair
    with two files of one kind is not a pair: those files lose their pair_id."""
    members: dict[str, list[_Document]] = defaultdict(list)
    for doc in documents:
        if doc.pair_id:
            members[doc.pair_id].append(doc)
    complete = 0
    for docs in members.values():
        kinds = [d.kind for d in docs]
        if len(kinds) != len(set(kinds)):
            for d in docs:
                d.pair_id = ""
            continue
        if len(docs) == 2:
            complete += 1
            known = {d.attest_type for d in docs} - {None}
            if len(known) == 1:
                for d in docs:
                    d.attest_type = next(iter(known))
    rows = []
    for doc in documents:
        doc_id = f"{doc.pair_id}-{SUFFIX_BY_KIND[doc.kind]}" if doc.pair_id else doc.source_file
        rows.append({"id": doc_id, "kind": doc.kind, "pair_id": doc.pair_id, "attest_type": doc.attest_type,
                     "text": doc.text, **doc.metadata, "source_file": doc.source_file, "extraction": doc.extraction})
    unpaired = [d.source_file for d in documents if len(members.get(d.pair_id, [])) != 2 or not d.pair_id]
    return rows, complete, unpaired


def _write_atomic(path: Path, rows: list[dict[str, Any]]) -> None:
    tmp = path.with_name(f".{path.name}.partial")
    with tmp.open("w", encoding="utf-8") as fh:
        for row in rows:
            fh.write(json.dumps(row, ensure_ascii=False) + "\n")
    os.replace(tmp, path)
