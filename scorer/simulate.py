"""Simulated archives with a planted request→certificate relation.

Truth is drawn first (which requests are specific, which certificates describe function in depth,
with planted P(in_depth | specific) and P(in_depth | not specific), optionally shifted per team),
with plausible metadata; documents are then drawn from a pool of held-out annotated documents whose
labels match the truth. Vectorised: a million pairs of truth take a second.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Iterator

import numpy as np

MUNICIPALITIES = {
    "Aarhus": ["Team Sundhed & Job", "Team Ressource", "Team Unge"],
    "Odense": ["Team Aktivitetsparat Syd", "Team Aktivitetsparat Nord"],
    "Aalborg": ["Team Helbred", "Team Jobafklaring"],
    "Esbjerg": ["Team Kontanthjælp 1", "Team Kontanthjælp 2"],
    "Randers": ["Team Indsats"],
    "Vejle": ["Team Afklaring"],
    "Næstved": ["Team Sundhed"],
    "Herning": ["Team Job & Helbred"],
}


@dataclass(frozen=True)
class SimulationSpec:
    n_pairs: int
    p_in_depth_given_specific: float = 0.64
    p_in_depth_given_not_specific: float = 0.50
    share_specific: float = 0.45
    #: team name -> shift added to both planted rates for that team's pairs
    team_effects: dict[str, float] = field(default_factory=dict)
    seed: int = 0


@dataclass
class Truth:
    specific: np.ndarray
    in_depth: np.ndarray
    municipality: np.ndarray
    team: np.ndarray
    caseworker: np.ndarray
    caseload: np.ndarray
    date: np.ndarray


def simulate_truth(spec: SimulationSpec) -> Truth:
    """True labels and metadata of ``spec.n_pairs`` pairs."""
    rng = np.random.default_rng(spec.seed)
    teams = [(m, t) for m, ts in MUNICIPALITIES.items() for t in ts]
    workers = [(m, t, f"SB{i:03d}") for i, (m, t) in enumerate(teams * 4)]
    caseload_of = {w[2]: int(rng.choice([rng.integers(18, 35), rng.integers(35, 55), rng.integers(55, 90)]))
                   for w in workers}
    pick = rng.integers(0, len(workers), spec.n_pairs)
    municipality = np.array([w[0] for w in workers])[pick]
    team = np.array([w[1] for w in workers])[pick]
    caseworker = np.array([w[2] for w in workers])[pick]
    caseload = np.array([caseload_of[w[2]] for w in workers])[pick] + rng.integers(-4, 5, spec.n_pairs)
    specific = rng.random(spec.n_pairs) < spec.share_specific
    p = np.where(specific, spec.p_in_depth_given_specific, spec.p_in_depth_given_not_specific)
    for name, shift in spec.team_effects.items():
        p = np.where(team == name, p + shift, p)
    in_depth = rng.random(spec.n_pairs) < np.clip(p, 0, 1)
    start = np.datetime64("2023-01-01")
    date = start + rng.integers(0, 4 * 365 - 30, spec.n_pairs).astype("timedelta64[D]")
    return Truth(specific, in_depth, municipality, team, caseworker, np.maximum(caseload, 5), date)


def misclassify(truth: np.ndarray, sensitivity: float, specificity: float, rng: np.random.Generator) -> np.ndarray:
    """Labels a classifier with these error rates would predict for ``truth``."""
    truth = np.asarray(truth, bool)
    u = rng.random(truth.shape)
    return np.where(truth, u < sensitivity, u >= specificity)


def archive_rows(spec: SimulationSpec, documents: list[dict]) -> Iterator[dict]:
    """Archive rows (request then certificate of each pair) with texts drawn from ``documents``
    (annotated held-out documents) whose labels match the simulated truth."""
    truth = simulate_truth(spec)
    rng = np.random.default_rng(spec.seed + 1)
    pools: dict[tuple[str, int], list[dict]] = {}
    for doc in documents:
        label = doc["labels"]["specific" if doc["kind"] == "request" else "in_depth"]
        pools.setdefault((doc["kind"], int(label)), []).append(doc)
    for key in (("request", 0), ("request", 1), ("certificate", 0), ("certificate", 1)):
        if not pools.get(key):
            raise ValueError(f"the document pool has no {key[0]} with label {key[1]}")
    for i in range(spec.n_pairs):
        request = pools[("request", int(truth.specific[i]))][rng.integers(len(pools[("request", int(truth.specific[i]))]))]
        candidates = pools[("certificate", int(truth.in_depth[i]))]
        certificate = candidates[rng.integers(len(candidates))]
        meta = {"municipality": str(truth.municipality[i]), "team": str(truth.team[i]),
                "caseworker_id": str(truth.caseworker[i]), "caseload": int(truth.caseload[i])}
        request_date = dt.date.fromisoformat(str(truth.date[i]))
        pair_id = f"S{i + 1:07d}"
        yield {"id": f"{pair_id}-R", "kind": "request", "pair_id": pair_id, "attest_type": request["attest_type"],
               "text": request["text"], "date": request_date.isoformat(), **meta,
               "true_label": int(truth.specific[i])}
        yield {"id": f"{pair_id}-C", "kind": "certificate", "pair_id": pair_id, "attest_type": request["attest_type"],
               "text": certificate["text"], "date": (request_date + dt.timedelta(days=int(rng.integers(7, 30)))).isoformat(),
               **meta, "true_label": int(truth.in_depth[i])}
