"""Identifier masking: property tests for the finder, then planted identifiers that must not reach
any artefact (logs, rejects, report, summary, error messages), and no document text in logs."""
from __future__ import annotations

import contextlib
import io

import pytest
from conftest import CORPUS, read_jsonl, write_jsonl
from hypothesis import given, settings
from hypothesis import strategies as st

from scorer.cli import main
from scorer.logs import configure, get_logger
from scorer.privacy import find_identifiers, mask

WEIGHTS = (4, 3, 2, 7, 6, 5, 4, 3, 2, 1)
# surrounding prose: letters, punctuation and spaces, no digits, '+' or '@'
prose = st.text(alphabet="abcdefghijklmnopqrstuvwxyzæøåÆØÅ .,:;()!?\n-", max_size=40)


@st.composite
def cpr_digits(draw, mod11: bool) -> str:
    """Ten CPR digits with a real date; the last digit chosen to pass (or fail) modulus 11."""
    month = draw(st.integers(1, 12))
    year = draw(st.integers(0, 99))
    longest = 29 if month == 2 and year % 4 == 0 else 28 if month == 2 else 30 if month in (4, 6, 9, 11) else 31
    day = draw(st.integers(1, longest))
    head = f"{day:02d}{month:02d}{year:02d}" + "".join(str(d) for d in draw(st.lists(st.integers(0, 9),
                                                                                       min_size=3, max_size=3)))
    partial = sum(int(d) * w for d, w in zip(head, WEIGHTS))
    passing = [d for d in range(10) if (partial + d) % 11 == 0]
    failing = [d for d in range(10) if (partial + d) % 11 != 0]
    return head + str(draw(st.sampled_from(passing if mod11 and passing else failing)))


@settings(max_examples=600, deadline=None)
@given(before=prose, after=prose, mod11=st.booleans(), sep=st.sampled_from(["", "-", " "]), data=st.data())
def test_cpr_found_with_check_reported(before, after, mod11, sep, data):
    digits = data.draw(cpr_digits(mod11))
    cpr = digits[:6] + sep + digits[6:]
    text = f"{before} {cpr} {after}"
    found = [i for i in find_identifiers(text) if i.kind == "cpr"]
    assert len(found) == 1 and text[found[0].start:found[0].end] == cpr
    assert found[0].mod11 == (sum(int(d) * w for d, w in zip(digits, WEIGHTS)) % 11 == 0)
    assert cpr not in mask(text) and "[CPR]" in mask(text)


@settings(max_examples=300, deadline=None)
@given(day=st.integers(32, 99) | st.just(0), month=st.integers(1, 12), year=st.integers(0, 99),
       seq=st.integers(0, 9999), before=prose)
def test_impossible_dates_are_not_cpr(day, month, year, seq, before):
    text = f"{before} {day:02d}{month:02d}{year:02d}-{seq:04d}"
    assert not [i for i in find_identifiers(text) if i.kind == "cpr"]


def test_leap_day_and_month_lengths():
    assert [i.kind for i in find_identifiers("290204-1234")] == ["cpr"]
    assert not [i for i in find_identifiers("290203-1234 310403-1234 311303-1234") if i.kind == "cpr"]


@settings(max_examples=600, deadline=None)
@given(digits=st.text(alphabet="0123456789", min_size=8, max_size=8),
       grouping=st.sampled_from([(8,), (2, 2, 2, 2), (4, 4), (2, 2, 4)]),
       prefix=st.sampled_from(["", "+45 ", "+45", "0045 ", "0045"]), before=prose, after=prose)
def test_phone_numbers_masked(digits, grouping, prefix, before, after):
    parts, pos = [], 0
    for size in grouping:
        parts.append(digits[pos:pos + size])
        pos += size
    phone = prefix + " ".join(parts)
    text = f"{before} tlf. {phone} {after}"
    masked = mask(text)
    assert phone not in masked and digits not in masked.replace(" ", "")
    assert "[TLF]" in masked or "[CPR]" in masked


@settings(max_examples=600, deadline=None)
@given(local=st.from_regex(r"[a-zA-Z0-9æøå][a-zA-Z0-9._+-]{0,15}", fullmatch=True),
       domain=st.lists(st.from_regex(r"[a-z0-9æøå-]{1,10}", fullmatch=True), min_size=2, max_size=3),
       before=prose, after=prose)
def test_emails_masked(local, domain, before, after):
    address = f"{local}@{'.'.join(domain)}"
    masked = mask(f"{before} {address} {after}")
    assert address not in masked and "[E-MAIL]" in masked and "@" not in masked


@settings(max_examples=500, deadline=None)
@given(text=st.text(max_size=200))
def test_mask_is_idempotent_and_leaves_plain_prose(text):
    once = mask(text)
    assert mask(once) == once
    if not any(ch.isdigit() or ch == "@" for ch in text):
        assert once == text


def test_log_lines_are_masked(capsys):
    configure("DEBUG")
    try:
        get_logger().info("skrev til /data/010203-1234/ud.jsonl for karen@kommune.dk")
        raise ValueError("borger 0102031234")
    except ValueError:
        get_logger().exception("fejl")
    finally:
        configure("WARNING")
    err = capsys.readouterr().err
    assert "010203-1234" not in err and "karen@kommune.dk" not in err and "0102031234" not in err
    assert err.count("[CPR]") >= 2 and "[E-MAIL]" in err


PLANTED = {"cpr_dash_mod11": "070761-4285", "cpr_dash": "010203-1234", "cpr_plain_mod11": "1502824313",
           "cpr_plain": "2811951122", "phone": "+45 22 33 44 55", "phone_plain": "87654321",
           "email": "karen.hvid@jobcenter.aarhus.dk"}


@pytest.fixture(scope="module")
def planted_run(tmp_path_factory, tfidf_model):
    """Score and report an archive with identifiers planted everywhere; every artefact and all
    captured stderr (logging at DEBUG), with the archive's document sentences."""
    folder = tmp_path_factory.mktemp("planted")
    archive = folder / "archive.jsonl"
    assert main(["simulate", "--pairs", "60", "-o", str(archive), "--source", str(CORPUS / "test.jsonl"),
                 "--seed", "9"]) == 0
    rows = read_jsonl(archive)
    values = list(PLANTED.values())
    for i, row in enumerate(rows):
        value = values[i % len(values)]
        if i % 3 == 0:
            row["text"] = f"Borger (cpr {value}) kan kontaktes på {PLANTED['phone']}.\n" + row["text"]
        if i % 5 == 1:
            row["team"] = f"Team {value}"
        if i % 7 == 2:
            row["caseworker_id"] = PLANTED["email"]
    rows += [{"id": PLANTED["cpr_dash"], "kind": "request", "text": " "},
             {"id": f"id {PLANTED['email']}", "kind": f"anmodning {PLANTED['cpr_plain']}", "text": "Kan hun?"},
             {"id": "z9", "kind": "certificate", "text": "Ok.", "attest_type": PLANTED["phone"]},
             {"id": f"dublet {PLANTED['phone_plain']}", "kind": "request", "text": "Kan han arbejde?"},
             {"id": f"dublet {PLANTED['phone_plain']}", "kind": "request", "text": "Kan han arbejde?"}]
    write_jsonl(archive, rows)
    with archive.open("a", encoding="utf-8") as fh:
        fh.write(f'{{"id": "{PLANTED["cpr_dash_mod11"]}", "text": broken\n')
    artefacts = {}
    err_lines = []
    for argv in (["--log-level", "DEBUG", "score", str(archive), "-o", str(folder / "scored.jsonl"),
                  "--model", str(tfidf_model), "--batch-size", "8"],
                 ["--log-level", "DEBUG", "report", str(archive), "--out", str(folder / "report"),
                  "--model", str(tfidf_model), "--n-boot", "50"],
                 ["score", str(folder / f"{PLANTED['cpr_dash']}.jsonl"), "-o", str(folder / "x.jsonl"),
                  "--model", str(tfidf_model)]):
        err = io.StringIO()
        with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
            main(argv)
        err_lines.append(err.getvalue())
    configure("WARNING")
    artefacts["stderr"] = "\n".join(err_lines)
    for path in [folder / "scored.rejects.jsonl", *sorted((folder / "report").iterdir())]:
        artefacts[str(path.relative_to(folder))] = path.read_text(encoding="utf-8")
    sentences = [line.strip() for row in rows[:40] if isinstance(row.get("text"), str)
                 for line in row["text"].splitlines() if len(line.strip()) > 45][:200]
    return artefacts, sentences, folder


def test_no_identifier_in_any_artefact(planted_run):
    artefacts, _, _ = planted_run
    assert {"stderr", "scored.rejects.jsonl", "report/report.html", "report/summary.json",
            "report/scored.rejects.jsonl"} <= set(artefacts)
    assert "resuming" not in artefacts["stderr"] and "rows in" in artefacts["stderr"]
    for name, content in artefacts.items():
        if name == "report/scored.jsonl":  # the user's own rows, passed through (docs/reliability.md)
            continue
        for kind, value in PLANTED.items():
            assert value not in content, f"{kind} planted value found in {name}"
            assert value.replace(" ", "") not in content.replace(" ", ""), f"{kind} found in {name}"


def test_no_document_text_in_logs_rejects_or_report(planted_run):
    artefacts, sentences, folder = planted_run
    assert len(sentences) > 50
    for name, content in artefacts.items():
        leaked = [s for s in sentences if s in content]
        assert not leaked, f"document text in {name}"
    scored = read_jsonl(folder / "scored.jsonl")
    assert scored and all("text" not in row for row in scored)
    assert any("[CPR]" in r["id"] for r in read_jsonl(folder / "scored.rejects.jsonl") if r["id"])


def test_error_messages_masked(planted_run):
    artefacts, _, _ = planted_run
    assert "error: " in artefacts["stderr"] and "[CPR].jsonl does not exist" in artefacts["stderr"]

