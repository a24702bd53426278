"""An archive's request texts on disk, each distinct text once, with the pair ids that point at it: a
batch run matches each certificate against its request's questions and reads the distinct requests
again for reused phrases, without holding a whole archive in memory."""
from __future__ import annotations

import hashlib
import sqlite3
import tempfile
from pathlib import Path
from typing import Iterator


class RequestStore:
    """A temporary SQLite file; removed on :meth:`close` (or leaving a ``with`` block)."""

    def __init__(self, folder: str | Path | None = None):
        self._dir = tempfile.TemporaryDirectory(prefix="attestscore-requests-", dir=folder)
        self._db = sqlite3.connect(Path(self._dir.name) / "requests.sqlite", check_same_thread=False)
        self._db.execute("CREATE TABLE texts (digest TEXT PRIMARY KEY, text BLOB NOT NULL)")
        self._db.execute("CREATE TABLE pairs (pair_id TEXT PRIMARY KEY, digest TEXT NOT NULL)")

    def add(self, text: str, pair_id: str | None = None) -> bool:
        """Store a request text (and its pair id); True when the text was not stored before. A later
        request with the same pair id replaces an earlier one."""
        raw = text.encode("utf-8", "surrogatepass")  # bytes: SQLite would refuse lone surrogates
        digest = hashlib.sha1(raw).hexdigest()
        new = self._db.execute("INSERT OR IGNORE INTO texts VALUES (?, ?)", (digest, raw)).rowcount == 1
        if pair_id not in (None, ""):
            self._db.execute("INSERT OR REPLACE INTO pairs VALUES (?, ?)", (str(pair_id), digest))
        return new

    def commit(self) -> None:
        self._db.commit()

    def get(self, pair_id: str) -> str | None:
        """The request text of a pair, or None when the archive holds no request for it."""
        found = self._db.execute("SELECT t.text FROM pairs p JOIN texts t ON t.digest = p.digest "
                                 "WHERE p.pair_id = ?", (str(pair_id),)).fetchone()
        return found[0].decode("utf-8", "surrogatepass") if found else None

    def texts(self) -> Iterator[str]:
        """Every distinct request text, in the order first stored."""
        for (raw,) in self._db.execute("SELECT text FROM texts ORDER BY rowid"):
            yield raw.decode("utf-8", "surrogatepass")

    def __len__(self) -> int:
        return self._db.execute("SELECT COUNT(*) FROM texts").fetchone()[0]

    def close(self) -> None:
        self._db.close()
        self._dir.cleanup()

    def __enter__(self) -> RequestStore:
        return self

    def __exit__(self, *exc) -> None:
        self.close()
