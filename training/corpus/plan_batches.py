"""Write the authoring plan for the hand-written corpus.

The corpus is written by hand, pair by pair; this plan only decides *what* each pair should be
(attest type, condition, format, hard case, target labels, metadata) so that the whole corpus has
the mix the data card promises. Writers follow the slot, then annotate what they actually wrote:
the labels in the corpus are the annotations, not these targets.

    python training/corpus/plan_batches.py --out data/annotated/batches --batches 8 --per-batch 52
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import random
from pathlib import Path

ATTEST_TYPES = [("LÆ 125", 0.50), ("LÆ 135", 0.15), ("LÆ 145", 0.12), ("LÆ 155", 0.10),
                ("LÆ 105", 0.07), ("LÆ 115", 0.06)]
CONDITIONS = {
    "psychiatric": ["moderat depression", "tilbagevendende depression", "generaliseret angst",
                    "PTSD efter krigstjeneste", "PTSD efter vold i nære relationer", "ADHD hos voksen",
                    "emotionelt ustabil personlighedsstruktur", "paranoid skizofreni, stabil i behandling",
                    "bipolar lidelse", "OCD", "social fobi", "belastningsreaktion/stress",
                    "autismespektrumforstyrrelse", "spiseforstyrrelse"],
    "musculoskeletal": ["kroniske lænderygsmerter", "diskusprolaps med udstråling", "skuldersmerter efter operation",
                        "knæartrose", "fibromyalgi/kroniske smerter", "nakkesmerter efter whiplash",
                        "håndledsbrud med følger", "reumatoid artrit", "hofteartrose"],
    "chronic": ["type 2-diabetes med komplikationer", "KOL", "hjertesvigt", "Crohns sygdom",
                "senfølger efter COVID-19", "svær overvægt med følgesygdomme", "søvnapnø",
                "kronisk nyresygdom", "astma"],
    "neurological": ["følger efter apopleksi", "dissemineret sklerose", "epilepsi",
                     "følger efter hjernerystelse", "kronisk migræne", "erhvervet hjerneskade efter ulykke",
                     "Parkinsons sygdom, tidlig"],
    "substance_use": ["alkoholoverforbrug", "hashmisbrug", "opioidafhængighed i substitutionsbehandling",
                      "blandingsmisbrug"],
}
CONDITION_WEIGHTS = {"psychiatric": 0.30, "musculoskeletal": 0.22, "chronic": 0.13,
                     "neurological": 0.10, "substance_use": 0.07, "combination": 0.18}
REQUEST_STYLES = ["formelt brev", "punktopstilling", "nummererede spørgsmål", "kort og telegrafisk",
                  "formularoverskrifter", "løbende tekst med stavefejl", "mail-agtig"]
CERT_STYLES = ["LÆ-formular med feltoverskrifter", "journalstil med forkortelser", "løbende prosa",
               "kort konklusion", "speciallægeerklæring med afsnit"]
REQUEST_HARD = ["long_generic", "short_sharp", "standard_block_one_question",
                "individual_background_generic_questions", "bare_order_no_questions"]
CERT_HARD = ["diagnosis_rich_no_function", "skaanehensyn_no_content", "ignores_questions",
             "function_named_without_detail", "decisive_sentence_at_end", "detail_in_one_domain_only"]

MUNICIPALITIES = {
    "Aarhus": ["Team Sundhed & Job", "Team Ressource", "Team Unge 25-30"],
    "Odense": ["Team Aktivitetsparat Syd", "Team Aktivitetsparat Nord"],
    "Aalborg": ["Team Helbred", "Team Jobafklaring"],
    "Esbjerg": ["Team Kontanthjælp 1", "Team Kontanthjælp 2"],
    "Randers": ["Team Indsats", "Team Rehab"],
    "Vejle": ["Team Afklaring"],
    "Næstved": ["Team Sundhed", "Team Integration"],
    "Holbæk": ["Team Match 2-3"],
    "Svendborg": ["Team Borgerforløb"],
    "Herning": ["Team Job & Helbred", "Team Ressource"],
    "Hvidovre": ["Team Aktivitetsparat"],
    "Frederikshavn": ["Team Kontanthjælp"],
}


def weighted(rng: random.Random, options: list[tuple[str, float]]) -> str:
    return rng.choices([o for o, _ in options], weights=[w for _, w in options])[0]


def build_caseworkers(rng: random.Random) -> list[dict]:
    workers = []
    for muni, teams in MUNICIPALITIES.items():
        for team in teams:
            for _ in range(rng.randint(2, 4)):
                workers.append({"municipality": muni, "team": team,
                                "caseworker_id": f"SB{len(workers) + 1:03d}",
                                "caseload": rng.choice([rng.randint(18, 35), rng.randint(35, 55),
                                                        rng.randint(55, 90)])})
    return workers


def plan_slot(rng: random.Random, pair_no: int, workers: list[dict]) -> dict:
    attest = weighted(rng, ATTEST_TYPES)
    group = weighted(rng, list(CONDITION_WEIGHTS.items()))
    if group == "combination":
        a, b = rng.sample([g for g in CONDITIONS], 2)
        condition = f"{rng.choice(CONDITIONS[a])} + {rng.choice(CONDITIONS[b])}"
    else:
        condition = rng.choice(CONDITIONS[group])
    specific = int(rng.random() < 0.50)
    in_depth = int(rng.random() < (0.70 if specific else 0.54))
    hard = None
    if rng.random() < 0.36:
        hard = rng.choice(REQUEST_HARD + CERT_HARD)
        # keep each hard case consistent with the targets it is meant to test
        if hard in ("long_generic", "standard_block_one_question",
                    "individual_background_generic_questions", "bare_order_no_questions"):
            specific = 0
        if hard == "short_sharp":
            specific = 1
        if hard in ("diagnosis_rich_no_function", "skaanehensyn_no_content",
                    "function_named_without_detail", "ignores_questions"):
            in_depth = 0 if hard != "ignores_questions" else in_depth
        if hard in ("decisive_sentence_at_end", "detail_in_one_domain_only"):
            in_depth = 1
    worker = rng.choice(workers)
    day = dt.date(2023, 1, 2) + dt.timedelta(days=rng.randint(0, 3 * 365 + 300))
    cert_day = day + dt.timedelta(days=rng.randint(6, 32))
    fmt_r = rng.choices(["plain", "export", "long"], weights=[0.72, 0.18, 0.10])[0]
    fmt_c = rng.choices(["plain", "export", "long"], weights=[0.66, 0.22, 0.12])[0]
    if hard == "decisive_sentence_at_end":
        fmt_c = "long"
    if hard == "long_generic":
        fmt_r = rng.choice(["plain", "long"])
    return {
        "pair_id": f"P{pair_no:04d}",
        "attest_type": attest,
        "condition_group": group,
        "condition": condition,
        "target_specific": specific,
        "target_in_depth": in_depth,
        "hard_case": hard,
        "request_format": fmt_r,
        "certificate_format": fmt_c,
        "request_style": rng.choice(REQUEST_STYLES),
        "certificate_style": rng.choice(CERT_STYLES),
        "citizen_age": rng.randint(19, 63),
        "citizen_sex": rng.choice(["kvinde", "mand"]),
        "include_cpr_or_phone": rng.random() < 0.06,
        "meta": {**{k: worker[k] for k in ("municipality", "team", "caseworker_id")},
                 "citizen_id": f"BG{rng.randint(10000, 99999)}",
                 "request_date": day.isoformat(), "certificate_date": cert_day.isoformat(),
                 "caseload": max(8, worker["caseload"] + rng.randint(-4, 4))},
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--batches", type=int, default=8)
    parser.add_argument("--per-batch", type=int, default=52)
    parser.add_argument("--seed", type=int, default=20261122)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    workers = build_caseworkers(rng)
    args.out.mkdir(parents=True, exist_ok=True)
    pair_no = 1
    for b in range(1, args.batches + 1):
        slots = []
        for _ in range(args.per_batch):
            slots.append(plan_slot(rng, pair_no, workers))
            pair_no += 1
        (args.out / f"plan_{b:02d}.json").write_text(json.dumps(slots, ensure_ascii=False, indent=1),
                                                     encoding="utf-8")
    print(f"{pair_no - 1} slots in {args.batches} batches, {len(workers)} caseworkers")


if __name__ == "__main__":
    main()
