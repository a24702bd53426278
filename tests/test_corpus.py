import json

from conftest import CORPUS, read_jsonl, write_jsonl
from hypothesis import given, settings
from hypothesis import strategies as st

from scorer.cli import main
from scorer.corpus import iter_lines, validate


def pair(pid="P9001"):
    rows = read_jsonl(CORPUS / "train.jsonl")[:2]
    assert {r["kind"] for r in rows} == {"request", "certificate"}
    for r in rows:
        r["pair_id"] = pid
        r["id"] = f"{pid}-{r['kind'][0].upper()}"
    return rows


def test_shipped_corpus_is_valid_and_large_enough():
    report = validate(CORPUS)
    assert report.errors == []
    assert report.stats["pairs"] >= 400
    assert report.stats["documents"] == 2 * report.stats["pairs"]
    assert 0.40 <= report.stats["request_label_share"]["specific"] <= 0.50
    assert 0.50 <= report.stats["certificate_label_share"]["in_depth"] <= 0.60
    assert report.stats["words"]["over_600"] >= report.stats["documents"] / 10
    assert report.stats["format_documents"]["export"] >= report.stats["documents"] / 6


def test_malformed_lines_are_named_by_line(tmp_path):
    path = write_jsonl(tmp_path / "c.jsonl", pair())
    with path.open("ab") as fh:
        fh.write(b"{not json\n")
        fh.write(b"\xff\xfe\n")
        fh.write(b"[1, 2]\n")
    errors = validate(path).errors
    assert any(e.startswith("c.jsonl:3: not valid JSON") for e in errors)
    assert any(e.startswith("c.jsonl:4: not valid UTF-8") for e in errors)
    assert any(e.startswith("c.jsonl:5: expected a JSON object") for e in errors)


def test_duplicates_incomplete_pairs_and_label_rules(tmp_path):
    rows = pair()
    dup = dict(rows[0])
    lonely = dict(pair("P9002")[0])
    broken = pair("P9003")
    broken[1]["labels"] = {**broken[1]["labels"], "in_depth": 1, "function_description": 0}
    broken[0]["meta"] = {**broken[0]["meta"], "date": "2019-05-01"}
    errors = validate(write_jsonl(tmp_path / "c.jsonl", rows + [dup, lonely] + broken)).errors
    assert any("duplicate id" in e for e in errors)
    assert any("pair P9002: no certificate" in e for e in errors)
    assert any("in_depth=1 needs function_description=1" in e for e in errors)
    assert any("outside 2023–2026" in e for e in errors)


def test_pair_split_across_files_is_an_error(tmp_path):
    a, b = pair()
    write_jsonl(tmp_path / "train.jsonl", [a])
    write_jsonl(tmp_path / "test.jsonl", [b])
    assert any("split across" in e for e in validate(tmp_path).errors)


def test_cli_validate_prints_statistics_and_exit_codes(tmp_path, capsys):
    assert main(["data", "validate", str(CORPUS)]) == 0
    out = capsys.readouterr().out
    assert "pairs:" in out and "request_label_share" in out
    bad = write_jsonl(tmp_path / "bad.jsonl", pair()[:1])
    assert main(["data", "validate", str(bad)]) == 1
    assert main(["data", "validate", str(tmp_path / "missing")]) == 2


@settings(max_examples=200, deadline=None)
@given(st.lists(st.one_of(st.binary(max_size=60), st.text(max_size=60).map(str.encode),
                          st.dictionaries(st.text(max_size=5), st.integers()).map(lambda d: json.dumps(d).encode())),
                max_size=8))
def test_reader_never_crashes_on_arbitrary_bytes(tmp_path_factory, chunks):
    path = tmp_path_factory.mktemp("fuzz") / "f.jsonl"
    path.write_bytes(b"\n".join(c.replace(b"\n", b" ") for c in chunks))
    for number, record, error in iter_lines(path):
        assert (record is None) != (error is None)
        assert number >= 1
    validate(path)  # never raises
