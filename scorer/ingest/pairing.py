"""Which pair and kind each file belongs to: a manifest CSV, else the naming convention.

Convention (no manifest, or files the manifest does not name), case-insensitive:

* ``<pair_id>/request.*`` or ``<pair_id>/anmodning.*`` and ``<pair_id>/certificate.*`` or
  ``<pair_id>/attest.*`` (a folder per pair);
* ``<pair_id>_anmodning.*`` / ``<pair_id>_attest.*``, also ``_request`` / ``_certificate`` and ``-``
  instead of ``_`` (pairs side by side in one folder).

Any other file gets its kind from its form header and stays unpaired (empty ``pair_id``).
"""
from __future__ import annotations

import csv
import re
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

KIND_WORDS = {"request": "request", "anmodning": "request", "certificate": "certificate",
              "attest": "certificate", "laegeattest": "certificate", "lægeattest": "certificate"}
MANIFEST_COLUMNS = ("request_file", "certificate_file", "pair_id")
_WORDS = "|".join(KIND_WORDS)
FILE_NAME = re.compile(rf"^(?P<pair>.+?)[_-](?P<kind>{_WORDS})$", re.IGNORECASE)


@dataclass(frozen=True)
class Assignment:
    """What pairing says about one file (``source_file`` relative to the ingested folder)."""

    kind: str
    pair_id: str
    metadata: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Manifest:
    """Assignments by relative path, and manifest rows whose files are not in the folder."""

    assignments: dict[str, Assignment]
    missing: list[str]


def read_manifest(path: Path, files: set[str]) -> Manifest:
    """Assignments from ``request_file,certificate_file,pair_id[,metadata…]`` rows; an empty cell
    means that side is missing. Extra columns (``attest_type``, ``team`` …) travel with both files."""
    with path.open(encoding="utf-8-sig", newline="") as fh:
        reader = csv.DictReader(fh)
        absent = [c for c in MANIFEST_COLUMNS if c not in (reader.fieldnames or [])]
        if absent:
            raise ValueError(f"{path.name}: manifest lacks column(s) {', '.join(absent)}")
        assignments: dict[str, Assignment] = {}
        missing: list[str] = []
        for number, row in enumerate(reader, start=2):
            pair_id = (row.get("pair_id") or "").strip()
            if not pair_id:
                raise ValueError(f"{path.name}: line {number} has no pair_id")
            metadata = {k: v.strip() for k, v in row.items()
                        if k not in MANIFEST_COLUMNS and k is not None and v and v.strip()}
            for column, kind in (("request_file", "request"), ("certificate_file", "certificate")):
                name = _relative(row.get(column) or "")
                if not name:
                    continue
                if name not in files:
                    missing.append(name)
                    continue
                assignments[name] = Assignment(kind, pair_id, metadata)
    return Manifest(assignments, missing)


def by_convention(source_file: str) -> Assignment | None:
    """Pair and kind from a file's path, or None when it follows neither form of the convention."""
    path = PurePosixPath(source_file)
    stem = path.stem.lower()
    if stem in KIND_WORDS and len(path.parts) > 1:
        return Assignment(KIND_WORDS[stem], path.parent.name)
    match = FILE_NAME.match(path.stem)
    if match:
        return Assignment(KIND_WORDS[match.group("kind").lower()], match.group("pair"))
    return None


def _relative(name: str) -> str:
    return PurePosixPath(name.strip().replace("\\", "/")).as_posix() if name.strip() else ""
