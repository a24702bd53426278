"""Property/fuzz tests over the API, the readers, the corpus tools and the CLI: every generated input
ends in a result, a ValueError (or a clean CLI exit) or a reject; never another exception or a hang.

Generated cases per test (``max_examples``; ``FuzzCounts`` counts the cases that really ran and the
module's teardown asserts at least 10,000 when the whole file ran):
score_request 2000, score_certificate 2000, score_many 1000, read_rows JSONL bytes 1500, read_rows
CSV bytes 1500, score_file JSONL/CSV/Parquet 900, corpus readers 1000, CLI 400, plus explicit
megabyte and regression examples.
"""
from __future__ import annotations

import csv
import io
import json
import tempfile
from collections import Counter
from datetime import timedelta
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from conftest import CORPUS, read_jsonl
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from scorer.api import load
from scorer.batch import read_rows, rejects_path, score_file
from scorer.cli import main
from scorer.corpus import iter_lines, load_corpus, validate
from scorer.results import CertificateScore, RequestScore

MIN_TOTAL = 10_000
FUZZ = dict(deadline=timedelta(seconds=30),
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                   HealthCheck.function_scoped_fixture])
TEXTS = [r["text"] for r in read_jsonl(CORPUS / "dev.jsonl")[:12]]
DANISH = ("Borgeren har ondt i ryggen og kan ikke løfte over 5 kg. Kan han arbejde 3 timer dagligt? "
          "Vi beder lægen beskrive funktionsevnen, æ ø å Æ Ø Å.")

any_char = st.characters(codec=None, categories=None)  # every code point, lone surrogates included
junk_text = st.one_of(
    st.text(any_char, max_size=300),
    st.text(alphabet=" \t\r\n\x00\x0b\x0c\u00a0\u2028\u200b", max_size=50),  # blank in many ways
    st.sampled_from(TEXTS).flatmap(lambda t: st.integers(0, len(t)).map(lambda n: t[:n])),
    st.sampled_from(["Кто может работать?", "病人可以工作吗", "Kan hun arbejde? هل يمكنها العمل",
                     "Er kann nicht arbeiten.", "🙂" * 40, "Side 1 af 2\n" * 30, DANISH]))
attest = st.one_of(st.none(), st.sampled_from(["LÆ 125", "LÆ125", "lae 265", "145", "LÆ 999", "", " "]),
                   st.text(max_size=20), st.integers(), st.floats())
kinds = st.one_of(st.sampled_from(["request", "certificate", "Request", "brev", ""]), st.none(), st.integers(),
                  st.text(max_size=10))


class FuzzCounts(Counter):
    """Cases that ran, per test."""


@pytest.fixture(scope="module")
def counts():
    seen = FuzzCounts()
    yield seen
    total = sum(seen.values())
    print(f"\nfuzz cases run: {total} ({dict(seen)})")
    if len(seen) >= 9:  # the whole file ran, not a -k selection
        assert total >= MIN_TOTAL, f"only {total} fuzz cases ran"


@pytest.fixture(scope="module")
def scorer(tfidf_model):
    return load(tfidf_model)


def result_or_value_error(fn, *args) -> object | None:
    try:
        return fn(*args)
    except ValueError as exc:
        assert str(exc) and "Traceback" not in str(exc)
        return None


@settings(max_examples=2000, **FUZZ)
@given(text=st.one_of(junk_text, st.integers(), st.none(), st.binary(max_size=20)), attest_type=attest)
def test_score_request(scorer, counts, text, attest_type):
    counts["score_request"] += 1
    result = result_or_value_error(scorer.score_request, text, attest_type)
    assert result is None or (isinstance(result, RequestScore) and 0 <= result.probability <= 1)


@settings(max_examples=2000, **FUZZ)
@given(text=st.one_of(junk_text, st.integers(), st.none()), attest_type=attest)
def test_score_certificate(scorer, counts, text, attest_type):
    counts["score_certificate"] += 1
    result = result_or_value_error(scorer.score_certificate, text, attest_type)
    assert result is None or (isinstance(result, CertificateScore) and set(result.domains))


records = st.one_of(
    st.fixed_dictionaries({"kind": kinds, "text": st.one_of(junk_text, st.none(), st.integers())},
                          optional={"attest_type": attest, "id": st.text(max_size=5), "extra": st.integers()}),
    st.integers(), st.none(), st.text(max_size=5), st.lists(st.integers(), max_size=2))


@settings(max_examples=1000, **FUZZ)
@given(batch=st.lists(records, max_size=8))
@example(batch=[{"kind": "request", "text": "Kan hun arbejde?"}, 7])  # regression: AttributeError
def test_score_many(scorer, counts, batch):
    counts["score_many"] += 1
    results = result_or_value_error(scorer.score_many, batch)
    assert results is not None or batch
    assert results is None or len(results) == len(batch)


@pytest.mark.parametrize("text", ["Borgeren kan ikke arbejde. " * 40_000, "x" * 1_000_000, "Kan hun?" + "\n" * 1_000_000,
                                  DANISH * 7_000, "Side 1 af 2\n" * 90_000])
def test_megabyte_texts(scorer, counts, text):
    counts["megabyte"] += 1
    assert 0 <= scorer.score_request(text, "LÆ 125").probability <= 1
    assert scorer.score_many([{"kind": "certificate", "text": text}])[0].label in (0, 1)


json_line = st.one_of(
    st.builds(lambda r, ascii_only: json.dumps(r, ensure_ascii=ascii_only).encode("utf-8", "surrogatepass"),
              st.fixed_dictionaries({"id": st.one_of(st.text(max_size=6), st.integers(), st.none()),
                                     "kind": kinds, "text": junk_text}, optional={"attest_type": attest}),
              st.booleans()),
    st.builds(lambda v: json.dumps(v).encode(), st.one_of(st.integers(), st.lists(st.integers()), st.text(),
                                                           st.none())),
    st.text(max_size=40).map(lambda t: t.encode("cp1252", "replace")),
    st.binary(max_size=60))


def jsonl_bytes():
    return st.lists(json_line, max_size=12).map(lambda lines: b"\n".join(lines))


def check_read(path: Path) -> list[tuple[dict | None, str | None]]:
    rows = list(read_rows(path))
    for row, error in rows:
        assert (isinstance(row, dict) and error is None) or (row is None and isinstance(error, str) and error)
    return rows


@settings(max_examples=1500, **FUZZ)
@given(data=st.one_of(jsonl_bytes(), st.binary(max_size=400)))
@example(data=b'{"id": "a", "text": "\\ud800"}\n\x00\x00\n{"id": 1}\n[1, 2]\n"x"\n')
def test_read_rows_jsonl_bytes(counts, data):
    counts["read_rows_jsonl"] += 1
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "a.jsonl"
        path.write_bytes(data)
        check_read(path)


cell = st.one_of(junk_text, st.sampled_from(['a,"b"', 'line\nbreak', '"', '""', "\r\n", "x\x00y"]))
header_names = st.sampled_from(["id", "kind", "text", "attest_type", "team", "label", "", "id"])


def csv_bytes(header: list[str], rows: list[list[str]], encoding: str) -> bytes:
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer)
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue().encode(encoding, "surrogatepass" if encoding == "utf-8" else "replace")


csv_data = st.builds(csv_bytes, st.lists(header_names, max_size=6),
                     st.lists(st.lists(cell, max_size=7), max_size=6), st.sampled_from(["utf-8", "cp1252"]))


@settings(max_examples=1500, **FUZZ)
@given(data=st.one_of(csv_data, st.binary(max_size=300),
                      st.tuples(csv_data, csv_data).map(lambda t: t[0] + t[1])))
@example(data=b'id,kind,text\n1,request,"unterminated\n2,request,x\n')
@example(data=b"id,kind,text\nz,request,caf\xe9 med l\xe6ge\n")
def test_read_rows_csv_bytes(counts, data):
    counts["read_rows_csv"] += 1
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "a.csv"
        path.write_bytes(data)
        check_read(path)


plain_id = st.text(alphabet="abcxyzæøå-_0123456", min_size=1, max_size=5)
archive_row = st.fixed_dictionaries(
    {"id": st.one_of(plain_id, st.none(), st.just("")), "kind": kinds, "text": junk_text},
    optional={"attest_type": attest, "team": st.one_of(st.text(max_size=8), st.integers()),
              "label": st.integers(), "meta": st.dictionaries(st.text(max_size=3), st.integers(), max_size=2)})


def write_archive(path: Path, rows: list[dict], ascii_only: bool) -> None:
    """JSON Lines (lone surrogates as raw bytes or, with ``ascii_only``, as \\u escapes), CSV or Parquet."""
    if path.suffix == ".jsonl":
        path.write_bytes(b"".join(json.dumps(r, ensure_ascii=ascii_only).encode("utf-8", "surrogatepass")
                                  + b"\n" for r in rows))
    elif path.suffix == ".csv":
        cols = ["id", "kind", "text", "attest_type", "team"]
        path.write_bytes(csv_bytes(cols, [[("" if r.get(c) is None else str(r.get(c))) for c in cols]
                                          for r in rows], "utf-8"))
    else:
        columns = {c: pa.array([None if r.get(c) is None else str(r.get(c)) for r in rows], type=pa.string())
                   for c in ("id", "kind", "text", "attest_type", "team")}
        columns["n"] = pa.array([[len(r)] for r in rows], type=pa.list_(pa.int64()))
        pq.write_table(pa.table(columns), path)


def read_output(path: Path) -> list[dict]:
    if path.suffix == ".parquet":
        return pq.read_table(path).to_pylist()
    if path.suffix == ".csv":
        with path.open(encoding="utf-8", newline="") as fh:
            return list(csv.DictReader(fh))
    return read_jsonl(path)


@settings(max_examples=900, **FUZZ)
@given(rows=st.lists(archive_row, max_size=10), in_ext=st.sampled_from([".jsonl", ".csv", ".parquet"]),
       out_ext=st.sampled_from([".jsonl", ".csv", ".parquet"]), batch_size=st.integers(1, 4), ascii_only=st.booleans())
@example(rows=[{"id": "a\ud800", "kind": "request", "text": "Kan hun arbejde?"},
                {"id": "b", "kind": "request", "text": "Kan hun løfte?", "\udc80": 1}],
         in_ext=".jsonl", out_ext=".csv", batch_size=1, ascii_only=True)  # regression: lone surrogates crashed
def test_score_file_reconciles(scorer, counts, rows, in_ext, out_ext, batch_size, ascii_only):
    counts["score_file"] += 1
    with tempfile.TemporaryDirectory() as tmp:
        src, dst = Path(tmp) / f"in{in_ext}", Path(tmp) / f"out{out_ext}"
        write_archive(src, rows, ascii_only)
        readable = [r for r, _ in read_rows(src) if r is not None]
        summary = score_file(scorer, src, dst, batch_size=batch_size)
        scored, rejects = read_output(dst), read_jsonl(rejects_path(dst))
        assert summary.rows_in == summary.scored + summary.rejected
        assert (len(scored), len(rejects)) == (summary.scored, summary.rejected)
        out_ids = [str(r["id"]) for r in scored]
        assert len(out_ids) == len(set(out_ids))
        reject_ids = {r["id"] for r in rejects}
        # rejects write an id with lone surrogates backslash-escaped (JSON output must be UTF-8)
        escaped = [str(r["id"]).encode("utf-8", "backslashreplace").decode() for r in readable
                   if r.get("id") not in (None, "")]
        assert all(i in set(out_ids) | reject_ids for i in escaped)


@settings(max_examples=1000, **FUZZ)
@given(data=st.one_of(jsonl_bytes(), st.binary(max_size=200)))
def test_corpus_readers(counts, data):
    counts["corpus"] += 1
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "c.jsonl"
        path.write_bytes(data)
        for number, record, error in iter_lines(path):
            assert number >= 1 and (record is None) != (error is None)
        result_or_value_error(load_corpus, path)
        report = validate(path)
        assert report.ok == (not report.errors) and isinstance(report.stats, dict)


@settings(max_examples=400, **FUZZ)
@given(data=st.one_of(jsonl_bytes(), csv_data, st.binary(max_size=200)),
       ext=st.sampled_from([".jsonl", ".csv", ".parquet", ".txt"]),
       extra=st.sampled_from([[], ["--batch-size", "1"], ["--batch-size", "0"], ["--restart"]]))
def test_cli(tfidf_model, counts, capsys, data, ext, extra):
    counts["cli"] += 1
    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / f"in{ext}"
        src.write_bytes(data)
        code = main(["score", str(src), "-o", str(Path(tmp) / "out.jsonl"), "--model", str(tfidf_model), *extra])
        out, err = capsys.readouterr()
        assert code == 0 and "rows in" in out or code == 2 and err.startswith("error: ")
        assert main(["data", "validate", str(src)]) in (0, 1, 2)
        capsys.readouterr()
