"""Quality report over an archive of request→certificate pairs: ``summary.json`` and a
self-contained Danish ``report.html`` (inline SVG, no scripts, no external resources).

Groups under ``MIN_GROUP`` pairs are suppressed, caseworkers appear under pseudonyms, metadata
strings are masked for CPR/phone/e-mail, and no document text is read into the report at all.
"""
from __future__ import annotations

import datetime as dt
import json
import re
from collections import Counter, defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from scorer.feedback import GUIDE_QUESTIONS
from scorer.labels import CERTIFICATE_CRITERIA, DOMAINS, JOURNAL_BASED, REQUEST_CRITERIA
from scorer.privacy import mask
from scorer.statistics import (ErrorRates, corrected_relation, mantel_haenszel_rr, newcombe_difference, relation,
                               table_of, wilson)

MIN_GROUP = 5
LABEL_DA = {
    "focus": "Konkret fokus", "purpose": "Formål", "employment_context": "Beskæftigelsessituation",
    "plan": "Plan", "caseworker_assessment": "Kommunens vurdering", "citizen_view": "Borgerens opfattelse",
    "shared_information": "Delte helbredsoplysninger", "boilerplate": "Standardtekst (negativ)",
    "diagnosis": "Diagnose", "function_description": "Funktionsbeskrivelse", "concrete_detail": "Konkrete detaljer",
    "work_relevance": "Arbejdsrelevans", "prognosis": "Prognose", "treatment": "Behandling",
    "physical": "Fysisk", "mental": "Psykisk", "social": "Socialt", "stamina": "Udholdenhed",
}


@dataclass
class Pair:
    specific: int
    in_depth: int
    request: dict
    certificate: dict


def _caseload_band(value: Any) -> str:
    try:
        n = int(float(value))
    except (TypeError, ValueError):
        return "ukendt"
    return "under 30" if n < 30 else "30–49" if n < 50 else "50–69" if n < 70 else "70 og derover"


def _month(value: Any) -> str:
    try:
        return dt.date.fromisoformat(str(value)[:10]).strftime("%Y-%m")
    except ValueError:
        return "ukendt"


def read_pairs(rows) -> tuple[list[Pair], int]:
    """Scored rows -> complete pairs, and the number of rows that could not be paired."""
    by_pair: dict[str, dict[str, dict]] = defaultdict(dict)
    unpaired = 0
    for row, error in rows:
        if error or row.get("pair_id") in (None, "") or row.get("kind") not in ("request", "certificate"):
            unpaired += 1
            continue
        by_pair[str(row["pair_id"])][row["kind"]] = row
    pairs = []
    for members in by_pair.values():
        if len(members) != 2:
            unpaired += len(members)
            continue
        req, cert = members["request"], members["certificate"]
        pairs.append(Pair(int(req["label"]), int(cert["label"]), req, cert))
    return pairs, unpaired


def _group_rows(pairs: list[Pair], key, errors: tuple[ErrorRates, ErrorRates], n_boot: int) -> list[dict]:
    groups: dict[str, list[Pair]] = defaultdict(list)
    for p in pairs:
        groups[mask(str(key(p)))].append(p)
    rows = []
    for name in sorted(groups):
        members = groups[name]
        if len(members) < MIN_GROUP:
            rows.append({"group": name, "n_pairs": len(members), "suppressed": True})
            continue
        table = table_of([p.specific for p in members], [p.in_depth for p in members])
        naive = relation(table)
        corrected = corrected_relation(table, *errors, n_boot=n_boot, seed=len(members))
        rows.append({"group": name, "n_pairs": len(members), "suppressed": False,
                     "share_specific": round((naive.table[0] + naive.table[1]) / len(members), 4),
                     **{k: v for k, v in corrected.as_dict().items() if k != "share_specific"},
                     "naive": {k: v for k, v in naive.as_dict().items() if k.startswith(("rate", "difference"))}})
    return rows


def model_validity(metrics: dict) -> dict:
    """Held-out (test split) figures of the model, from its metrics.json."""
    out = {}
    for kind, label in (("request", "specific"), ("certificate", "in_depth")):
        m = metrics[kind]["test"]["labels"][label]
        out[label] = {k: m[k] for k in ("n", "precision", "recall", "f1", "ece", "confusion")}
        out[label]["macro_f1_all_labels"] = metrics[kind]["test"]["macro_f1"]
    return out


def build_summary(pairs: list[Pair], unpaired: int, metrics: dict, model_name: str, n_boot: int = 1000,
                  phrases: list[dict] | None = None) -> dict:
    """Everything the report shows, as plain data (this is ``summary.json``). ``phrases``: the archive's
    most reused phrases (``<scored>.phrases.json`` of a batch run)."""
    from scorer.api import REUSE_THRESHOLD

    if not pairs:
        raise ValueError("the archive holds no complete request–certificate pair")
    validity = model_validity(metrics)
    errors = (ErrorRates.from_confusion(validity["specific"]["confusion"]),
              ErrorRates.from_confusion(validity["in_depth"]["confusion"]))
    table = table_of([p.specific for p in pairs], [p.in_depth for p in pairs])
    naive = relation(table)
    corrected = corrected_relation(table, *errors, n_boot=n_boot, seed=0)
    attest = lambda p: p.request.get("attest_type") or "ukendt"  # noqa: E731
    strata_tables = []
    for at in sorted({attest(p) for p in pairs}):
        members = [p for p in pairs if attest(p) == at]
        strata_tables.append(table_of([p.specific for p in members], [p.in_depth for p in members]))
    requests = [p.request for p in pairs]
    certificates = [p.certificate for p in pairs]
    missing = Counter(m for r in requests for m in str(r.get("missing_elements") or "").split(";") if m)
    summary = {
        "generated": dt.date.today().isoformat(), "model": model_name, "n_pairs": len(pairs),
        "rows_not_paired": unpaired, "min_group_size": MIN_GROUP,
        **corrected.as_dict(),
        "naive": naive.as_dict(),
        "method": "adjusted classify-and-count (misclassification matrices from the model's held-out test "
                  "confusion), percentile bootstrap over pairs and error-rate posteriors",
        "mantel_haenszel_risk_ratio_by_attest_type": mantel_haenszel_rr(strata_tables).as_dict(),
        "strata": {
            "attest_group": _group_rows(pairs, lambda p: "journalbaseret (LÆ 105/115/125)" if attest(p) in JOURNAL_BASED
                                        else "undersøgelsesbaseret (LÆ 135/145/155)", errors, n_boot),
            "attest_type": _group_rows(pairs, attest, errors, n_boot),
            "municipality": _group_rows(pairs, lambda p: p.request.get("municipality") or "ukendt", errors, n_boot),
            "team": _group_rows(pairs, lambda p: p.request.get("team") or "ukendt", errors, n_boot),
            "month": _group_rows(pairs, lambda p: _month(p.request.get("date")), errors, n_boot),
            "caseload_band": _group_rows(pairs, lambda p: _caseload_band(p.request.get("caseload")), errors, n_boot),
        },
        "prevalence": {
            "request": {c: round(float(np.mean([float(r.get(f"criteria.{c}", 0) or 0) for r in requests])), 4)
                        for c in REQUEST_CRITERIA},
            "certificate": {c: round(float(np.mean([float(r.get(f"criteria.{c}", 0) or 0) for r in certificates])), 4)
                            for c in CERTIFICATE_CRITERIA},
            "domains": {d: round(float(np.mean([float(r.get(f"domains.{d}", 0) or 0) for r in certificates])), 4)
                        for d in DOMAINS},
        },
        "attest_type_mix": dict(Counter(attest(p) for p in pairs)),
        "missing_elements": [{"criterion": c, "requests": n, "share": round(n / len(pairs), 4),
                              "question": GUIDE_QUESTIONS[c][0], "advice": GUIDE_QUESTIONS[c][1]}
                             for c, n in missing.most_common() if c in GUIDE_QUESTIONS],
        "caseworkers": _caseworker_rows(pairs),
        "archive_signals": archive_signals(pairs, phrases or [], REUSE_THRESHOLD),
        "model_validity": validity,
    }
    return summary


def _number(value: Any) -> float | None:
    """A numeric cell of a scored row (JSON number, CSV string or empty), or None."""
    try:
        out = float(value)
    except (TypeError, ValueError):
        return None
    return None if np.isnan(out) else out


def _share(name: str, flags: list[int]) -> dict:
    """A share with its Wilson interval, or a suppressed row for a group under ``MIN_GROUP``."""
    if len(flags) < MIN_GROUP:
        return {"group": name, "n": len(flags), "suppressed": True}
    return {"group": name, "n": len(flags), "suppressed": False, **wilson(sum(flags), len(flags)).as_dict()}


NAME_LIKE = re.compile(r"(?<=\S )[A-ZÆØÅ][\wæøåÆØÅ-]*")


def without_names(excerpt: str) -> str:
    """Capitalised words inside a phrase are proper nouns in Danish: a citizen named in copied text
    about one person could recur in enough requests to be listed, so such words are blanked."""
    return NAME_LIKE.sub("[navn]", excerpt)


def archive_signals(pairs: list[Pair], phrases: list[dict], reuse_threshold: float) -> dict:
    """The report's sections on reused standard text, questions the attest type cannot answer, and
    whether certificates answer the questions asked; a section is None when the scored archive lacks
    its columns (scored before these signals existed, or without the archive context)."""
    out: dict[str, Any] = {"reuse": None, "attest_fit": None, "answers": None}
    shares = [(p, _number(p.request.get("reuse_share"))) for p in pairs]
    shares = [(p, v) for p, v in shares if v is not None]
    if shares:
        flagged = [int(v >= reuse_threshold) for _, v in shares]
        by_team: dict[str, list[int]] = defaultdict(list)
        for (p, _), f in zip(shares, flagged):
            by_team[mask(str(p.request.get("team") or "ukendt"))].append(f)
        out["reuse"] = {"threshold": reuse_threshold, "mean_share": round(float(np.mean([v for _, v in shares])), 4),
                        "requests": _share("alle anmodninger", flagged),
                        "by_team": [_share(t, by_team[t]) for t in sorted(by_team)],
                        "phrases": [{**ph, "excerpt": without_names(str(ph.get("excerpt", "")))}
                                    for ph in phrases if ph.get("documents", 0) >= MIN_GROUP]}
    fits = [(p, _number(p.request.get("attest_fit_flags"))) for p in pairs
            if (p.request.get("attest_type") or "") in JOURNAL_BASED]
    fits = [(p, v) for p, v in fits if v is not None]
    if fits:
        by_type: dict[str, list[int]] = defaultdict(list)
        for p, v in fits:
            by_type[str(p.request["attest_type"])].append(int(v > 0))
        out["attest_fit"] = {"requests": _share("journalbaserede anmodninger", [int(v > 0) for _, v in fits]),
                             "by_attest_type": [_share(t, by_type[t]) for t in sorted(by_type)]}
    answered = [(p, _number(p.certificate.get("answers_questions"))) for p in pairs]
    answered = [(p, int(v)) for p, v in answered if v is not None]
    if answered:
        given = [v for p, v in answered if p.specific == 1]
        not_given = [v for p, v in answered if p.specific == 0]
        diff = (newcombe_difference(sum(given), len(given), sum(not_given), len(not_given)).as_dict()
                if min(len(given), len(not_given)) >= MIN_GROUP else None)
        out["answers"] = {"pairs_with_questions": _share("par med spørgsmål", [v for _, v in answered]),
                          "by_request": [_share("anmodning med konkret fokus", given),
                                         _share("anmodning uden konkret fokus", not_given)],
                          "difference": diff}
    return out


def _caseworker_rows(pairs: list[Pair]) -> list[dict]:
    """Per caseworker, under a pseudonym that is only stable within this report."""
    groups: dict[str, list[Pair]] = defaultdict(list)
    for p in pairs:
        groups[str(p.request.get("caseworker_id") or "ukendt")].append(p)
    ordered = sorted(groups.values(), key=lambda g: -len(g))
    rows = []
    for i, members in enumerate(ordered, start=1):
        row: dict[str, Any] = {"caseworker": f"Sagsbehandler {i:02d}", "n_pairs": len(members)}
        if len(members) < MIN_GROUP:
            rows.append({**row, "suppressed": True})
            continue
        missing = Counter(m for p in members for m in str(p.request.get("missing_elements") or "").split(";") if m)
        top = [c for c, _ in missing.most_common(2)]
        rows.append({**row, "suppressed": False,
                     "share_specific": round(float(np.mean([p.specific for p in members])), 4),
                     "share_in_depth": round(float(np.mean([p.in_depth for p in members])), 4),
                     "most_missing": top, "advice": [GUIDE_QUESTIONS[c][1] for c in top if c in GUIDE_QUESTIONS]})
    return rows


def _is_scored(path: Path) -> bool:
    from scorer.batch import read_rows

    for row, _ in read_rows(path):
        if row is not None:
            return "label" in row and "probability" in row
    return False


@dataclass(frozen=True)
class ReportResult:
    summary: Path
    html: Path
    scored: Path | None
    n_pairs: int


def write_report(input_path: str | Path, out_dir: str | Path, model: str | Path | None = None,
                 base_model: str | Path | None = None, n_boot: int = 1000, batch_size: int = 32) -> ReportResult:
    """Score the archive if it is raw, then write ``summary.json`` and ``report.html`` to ``out_dir``."""
    from scorer.api import load
    from scorer.batch import phrases_path, read_rows, score_file
    from scorer.report_html import render

    src, out = Path(input_path), Path(out_dir)
    if not src.exists():
        raise FileNotFoundError(f"{src} does not exist")
    out.mkdir(parents=True, exist_ok=True)
    scorer = load(model, base_model=base_model)
    scored = None
    if not _is_scored(src):
        scored = out / "scored.jsonl"
        score_file(scorer, src, scored, batch_size=batch_size)
        src = scored
    pairs, unpaired = read_pairs(read_rows(src))
    metrics = json.loads((scorer.model_path / "metrics.json").read_text(encoding="utf-8"))
    sidecar = phrases_path(src)
    phrases = json.loads(sidecar.read_text(encoding="utf-8")) if sidecar.exists() else None
    summary = build_summary(pairs, unpaired, metrics, scorer.model_path.name, n_boot=n_boot, phrases=phrases)
    (out / "summary.json").write_text(json.dumps(summary, indent=2, ensure_ascii=False), encoding="utf-8")
    (out / "report.html").write_text(render(summary), encoding="utf-8")
    return ReportResult(out / "summary.json", out / "report.html", scored, len(pairs))
