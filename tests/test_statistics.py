"""Statistics of the relation: known values, properties, and coverage of the corrected interval."""
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from scorer.simulate import SimulationSpec, misclassify, simulate_truth
from scorer.statistics import (ErrorRates, corrected_joint, corrected_relation, fisher_exact, mantel_haenszel_rr,
                               newcombe_difference, relation, risk_ratio, table_of, wilson)


def test_known_values():
    w = wilson(8, 10)
    assert (round(w.ci_low, 3), round(w.ci_high, 3)) == (0.490, 0.943)
    # Newcombe (1998), table II example: 56/70 vs 48/80
    d = newcombe_difference(56, 70, 48, 80)
    assert d.estimate == pytest.approx(0.2)
    assert (round(d.ci_low, 4), round(d.ci_high, 4)) == (0.0524, 0.3339)
    rr = risk_ratio(30, 50, 20, 50)
    assert rr.estimate == pytest.approx(1.5)
    assert rr.ci_low < 1.5 < rr.ci_high
    assert fisher_exact((3, 1, 1, 3)) == pytest.approx(0.4857, abs=1e-4)


@settings(max_examples=300, deadline=None)
@given(st.integers(0, 500), st.integers(1, 500))
def test_wilson_properties(k, n):
    k = min(k, n)
    w = wilson(k, n)
    assert 0.0 <= w.ci_low <= w.estimate <= w.ci_high <= 1.0


@settings(max_examples=300, deadline=None)
@given(st.integers(0, 200), st.integers(1, 200), st.integers(0, 200), st.integers(1, 200))
def test_newcombe_contains_the_difference(k1, n1, k2, n2):
    k1, k2 = min(k1, n1), min(k2, n2)
    d = newcombe_difference(k1, n1, k2, n2)
    assert -1.0 <= d.ci_low <= d.estimate + 1e-12 and d.estimate - 1e-12 <= d.ci_high <= 1.0
    mirrored = newcombe_difference(k2, n2, k1, n1)
    assert mirrored.ci_low == pytest.approx(-d.ci_high) and mirrored.ci_high == pytest.approx(-d.ci_low)


@settings(max_examples=100, deadline=None)
@given(st.tuples(*[st.integers(1, 80)] * 4), st.integers(1, 5))
def test_mantel_haenszel_of_identical_strata_is_the_crude_ratio(table, copies):
    a, b, c, d = table
    mh = mantel_haenszel_rr([table] * copies)
    assert mh.estimate == pytest.approx(risk_ratio(a, a + b, c, c + d).estimate, rel=1e-9)
    assert mh.ci_low <= mh.estimate <= mh.ci_high


def test_empty_groups_give_no_estimate():
    assert wilson(0, 0).estimate is None
    assert relation((0, 0, 3, 4)).rate_given_specific.as_dict() == {"estimate": None, "ci_low": None, "ci_high": None}
    assert relation((0, 0, 3, 4)).fisher_p is None


@settings(max_examples=200, deadline=None)
@given(st.lists(st.floats(0.01, 1.0), min_size=4, max_size=4),
       st.floats(0.7, 1.0), st.floats(0.7, 1.0), st.floats(0.7, 1.0), st.floats(0.7, 1.0))
def test_correction_inverts_known_misclassification(weights, sens_r, spec_r, sens_c, spec_c):
    p = np.array(weights) / sum(weights)
    m_r = np.array([[spec_r, 1 - sens_r], [1 - spec_r, sens_r]])
    m_c = np.array([[spec_c, 1 - sens_c], [1 - spec_c, sens_c]])
    q = np.kron(m_r, m_c) @ p  # cells (s,d) = (0,0),(0,1),(1,0),(1,1)
    table = (q[3], q[2], q[1], q[0])  # (a, b, c, d)
    assert corrected_joint(table, m_r, m_c) == pytest.approx(p, abs=1e-6)


def test_corrected_interval_covers_planted_difference_where_naive_is_biased():
    """Over simulated archives the corrected 95 % interval covers the planted difference in ≥ 90 %
    of replicates, while the naive estimate from predicted labels is visibly biased toward 0."""
    planted = 0.64 - 0.50
    covered, naive_diffs, naive_covered = 0, [], 0
    replicates = 120
    for r in range(replicates):
        rng = np.random.default_rng(1000 + r)
        truth = simulate_truth(SimulationSpec(n_pairs=3000, seed=r))
        errors = {}
        for name, (sens, spec) in {"request": (0.85, 0.90), "certificate": (0.80, 0.85)}.items():
            validation = rng.random(200) < 0.5  # a held-out set with known labels
            predicted = misclassify(validation, sens, spec, rng)
            tn, fp, fn, tp = [int(x) for x in ((~validation & ~predicted).sum(), (~validation & predicted).sum(),
                                                (validation & ~predicted).sum(), (validation & predicted).sum())]
            errors[name] = ErrorRates(tn, fp, fn, tp)
        observed = table_of(misclassify(truth.specific, 0.85, 0.90, rng),
                            misclassify(truth.in_depth, 0.80, 0.85, rng))
        corrected = corrected_relation(observed, errors["request"], errors["certificate"], n_boot=300, seed=r)
        covered += corrected.difference.ci_low <= planted <= corrected.difference.ci_high
        naive = relation(observed).difference
        naive_diffs.append(naive.estimate)
        naive_covered += naive.ci_low <= planted <= naive.ci_high
    assert covered / replicates >= 0.90
    assert np.mean(naive_diffs) < planted - 0.04  # attenuated
    assert naive_covered / replicates < 0.5


def test_simulated_truth_has_planted_rates():
    truth = simulate_truth(SimulationSpec(n_pairs=200_000, seed=3, team_effects={"Team Helbred": -0.3}))
    s, d = truth.specific, truth.in_depth
    other = truth.team != "Team Helbred"
    assert d[s & other].mean() == pytest.approx(0.64, abs=0.01)
    assert d[~s & other].mean() == pytest.approx(0.50, abs=0.01)
    assert d[s & ~other].mean() == pytest.approx(0.34, abs=0.03)
    assert s.mean() == pytest.approx(0.45, abs=0.01)
    assert not math.isnan(float(truth.caseload.mean()))
