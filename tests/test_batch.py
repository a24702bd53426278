"""End to end: `attestscore score` on all three formats, with rejects and reconciliation."""
import csv

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from conftest import CORPUS, read_jsonl, write_jsonl

from scorer.cli import main


@pytest.fixture(scope="module")
def archive_rows():
    rows = read_jsonl(CORPUS / "test.jsonl")[:10]
    good = [{"id": r["id"], "kind": r["kind"], "text": r["text"], "attest_type": r["attest_type"],
             "pair_id": r["pair_id"], "team": r["meta"]["team"]} for r in rows]
    bad = [{"id": "", "kind": "request", "text": "Kan borgeren arbejde?"},
           {"id": "x1", "kind": "letter", "text": "Hej"},
           {"id": "x2", "kind": "certificate", "text": "   "},
           {"id": "x3", "kind": "request", "text": "Kan hun arbejde?", "attest_type": "LÆ 999"}]
    return good, bad


def write_input(path, rows):
    if path.suffix == ".jsonl":
        write_jsonl(path, rows)
    elif path.suffix == ".csv":
        cols = ["id", "kind", "text", "attest_type", "pair_id", "team"]
        with path.open("w", encoding="utf-8", newline="") as fh:
            writer = csv.DictWriter(fh, fieldnames=cols)
            writer.writeheader()
            writer.writerows([{c: r.get(c) for c in cols} for r in rows])
    else:
        pq.write_table(pa.Table.from_pylist(rows), path)


def read_output(path):
    if path.suffix == ".jsonl":
        return read_jsonl(path)
    if path.suffix == ".csv":
        with path.open(encoding="utf-8", newline="") as fh:
            return list(csv.DictReader(fh))
    return pq.read_table(path).to_pylist()


@pytest.mark.parametrize("in_ext, out_ext", [(".jsonl", ".jsonl"), (".csv", ".csv"), (".parquet", ".parquet"),
                                             (".jsonl", ".parquet"), (".csv", ".jsonl")])
def test_score_all_formats(tmp_path, tfidf_model, archive_rows, capsys, in_ext, out_ext):
    good, bad = archive_rows
    rows = good[:4] + bad + good[4:]
    src = tmp_path / f"archive{in_ext}"
    write_input(src, rows)
    out = tmp_path / "out" / f"scored{out_ext}"
    assert main(["score", str(src), "-o", str(out), "--model", str(tfidf_model), "--batch-size", "3"]) == 0
    printed = capsys.readouterr().out
    assert f"rows in {len(rows)} = scored {len(good)} + rejected {len(bad)}" in printed
    scored = read_output(out)
    assert [r["id"] for r in scored] == [r["id"] for r in good]
    assert all(r["team"] == g["team"] for r, g in zip(scored, good))
    assert all("text" not in r for r in scored)
    columns = set().union(*scored)
    assert {"label", "probability", "criteria.focus", "domains.physical", "missing_elements"} <= columns
    rejects = read_jsonl(out.with_name("scored.rejects.jsonl"))
    assert len(rejects) == len(bad)
    reasons = " ".join(r["reason"] for r in rejects)
    assert "missing id" in reasons and "unknown kind" in reasons and "text is empty" in reasons
    assert "unknown attest type" in reasons
    assert not list(out.parent.glob(".*partial"))


def test_unreadable_lines_are_rejected_not_dropped(tmp_path, tfidf_model, archive_rows):
    good, _ = archive_rows
    src = write_jsonl(tmp_path / "a.jsonl", good[:2])
    with src.open("ab") as fh:
        fh.write(b"{oops\n\xff\xfe\n")
    out = tmp_path / "s.jsonl"
    assert main(["score", str(src), "-o", str(out), "--model", str(tfidf_model)]) == 0
    assert len(read_jsonl(out)) == 2
    reasons = [r["reason"] for r in read_jsonl(tmp_path / "s.rejects.jsonl")]
    assert reasons == ["line 3: not valid JSON (Expecting property name enclosed in double quotes)",
                       "line 4: not valid UTF-8"]


def test_fatal_errors_exit_non_zero(tmp_path, tfidf_model, capsys):
    assert main(["score", str(tmp_path / "none.jsonl"), "-o", str(tmp_path / "o.jsonl"),
                 "--model", str(tfidf_model)]) == 2
    (tmp_path / "a.txt").write_text("x")
    assert main(["score", str(tmp_path / "a.txt"), "-o", str(tmp_path / "o.jsonl"), "--model", str(tfidf_model)]) == 2
    assert "unsupported format" in capsys.readouterr().err


def test_rejects_carry_no_identifiers(tmp_path, tfidf_model):
    rows = [{"id": "010203-1234", "kind": "request", "text": ""},
            {"id": "x", "kind": "Borger 010203-1234 ringede fra 12 34 56 78", "text": "Kan hun arbejde?"}]
    src = write_jsonl(tmp_path / "a.jsonl", rows)
    assert main(["score", str(src), "-o", str(tmp_path / "s.jsonl"), "--model", str(tfidf_model)]) == 0
    rejects = (tmp_path / "s.rejects.jsonl").read_text(encoding="utf-8")
    assert "010203-1234" not in rejects and "56 78" not in rejects and "[CPR]" in rejects
