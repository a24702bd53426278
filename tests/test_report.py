"""End to end: simulate an archive, score it, and write the report (HTML + summary.json)."""
import json
import re

from conftest import CORPUS

from scorer.cli import main
from scorer.privacy import mask


def test_summary_schema(report_dir):
    summary = json.loads((report_dir / "summary.json").read_text(encoding="utf-8"))
    assert summary["n_pairs"] == 150 and summary["rows_not_paired"] == 1
    for key in ("rate_in_depth_given_specific", "rate_in_depth_given_not_specific", "difference"):
        for block in (summary[key], summary["naive"][key]):
            assert set(block) == {"estimate", "ci_low", "ci_high"}
            assert block["ci_low"] <= block["estimate"] <= block["ci_high"]
    for name in ("attest_group", "attest_type", "municipality", "team", "month", "caseload_band"):
        rows = summary["strata"][name]
        assert sum(r["n_pairs"] for r in rows) == 150
        assert all(r["suppressed"] == (r["n_pairs"] < 5) for r in rows)
        assert all("difference" in r for r in rows if not r["suppressed"])
    assert summary["mantel_haenszel_risk_ratio_by_attest_type"]["estimate"] > 0
    assert all(m["question"].endswith("?") for m in summary["missing_elements"])
    assert summary["model_validity"]["specific"]["n"] > 0


def test_report_holds_no_text_and_no_cpr(report_dir):
    page = (report_dir / "report.html").read_text(encoding="utf-8")
    summary = (report_dir / "summary.json").read_text(encoding="utf-8")
    assert "010203-1234" not in page + summary and "[CPR]" in page
    texts = [json.loads(line)["text"] for line in (CORPUS / "test.jsonl").read_text(encoding="utf-8").splitlines()]
    sentences = {s.strip() for t in texts for s in re.split(r"[.\n]", t) if len(s.split()) >= 6}
    assert not [s for s in sentences if s in page or s in summary]
    assert "<script" not in page and "http://" not in page.replace("http://www.w3.org/2000/svg", "")
    assert "https://" not in page


def test_scored_archive_is_reused(report_dir, tfidf_model, tmp_path):
    assert main(["report", str(report_dir / "scored.jsonl"), "--out", str(tmp_path), "--model", str(tfidf_model),
                 "--n-boot", "100"]) == 0
    assert not (tmp_path / "scored.jsonl").exists()
    assert json.loads((tmp_path / "summary.json").read_text())["n_pairs"] == 150


def test_mask_finds_identifiers():
    text = "cpr 010203-1234, 0102031234, tlf. +45 12 34 56 78 eller 87654321, mail a.b@kommune.dk"
    masked = mask(text)
    assert "1234" not in masked and "5678" not in masked and "@" not in masked
    assert masked.count("[CPR]") == 2 and masked.count("[TLF]") == 2
