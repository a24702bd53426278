"""Statistics of the request→certificate relation: rates with Wilson intervals, their difference
(Newcombe), risk ratio, Fisher's exact test, Mantel–Haenszel across strata, and a correction for
the classifier's own errors.

Pure functions over counts; no I/O. A 2×2 table is ``(a, b, c, d)``:
a = specific & in depth, b = specific & not in depth, c = not specific & in depth,
d = not specific & not in depth.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Iterable, Sequence

import numpy as np

Z95 = 1.959963984540054


@dataclass(frozen=True)
class Interval:
    estimate: float | None
    ci_low: float | None
    ci_high: float | None

    def as_dict(self) -> dict:
        r = (lambda x: None if x is None or not math.isfinite(x) else round(float(x), 4))
        return {"estimate": r(self.estimate), "ci_low": r(self.ci_low), "ci_high": r(self.ci_high)}


EMPTY = Interval(None, None, None)


def wilson(k: int, n: int, z: float = Z95) -> Interval:
    """Wilson score interval of a proportion k/n."""
    if n <= 0:
        return EMPTY
    p = k / n
    denom = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denom
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denom
    return Interval(p, max(0.0, min(p, centre - half)), min(1.0, max(p, centre + half)))


def newcombe_difference(k1: int, n1: int, k2: int, n2: int, z: float = Z95) -> Interval:
    """Difference of two proportions k1/n1 − k2/n2 with Newcombe's hybrid score interval (method 10)."""
    if n1 <= 0 or n2 <= 0:
        return EMPTY
    p1, p2 = k1 / n1, k2 / n2
    w1, w2 = wilson(k1, n1, z), wilson(k2, n2, z)
    diff = p1 - p2
    low = diff - math.sqrt((p1 - w1.ci_low) ** 2 + (w2.ci_high - p2) ** 2)
    high = diff + math.sqrt((w1.ci_high - p1) ** 2 + (p2 - w2.ci_low) ** 2)
    return Interval(diff, max(-1.0, low), min(1.0, high))


def risk_ratio(k1: int, n1: int, k2: int, n2: int, z: float = Z95) -> Interval:
    """Risk ratio (k1/n1)/(k2/n2) with the log (Katz) interval; 0.5 is added to every cell when one is 0."""
    if n1 <= 0 or n2 <= 0:
        return EMPTY
    a, b, c, d = k1, n1 - k1, k2, n2 - k2
    if 0 in (a, c):
        a, b, c, d = a + 0.5, b + 0.5, c + 0.5, d + 0.5
    rr = (a / (a + b)) / (c / (c + d))
    se = math.sqrt(1 / a - 1 / (a + b) + 1 / c - 1 / (c + d))
    return Interval(rr, rr * math.exp(-z * se), rr * math.exp(z * se))


def fisher_exact(table: Sequence[int]) -> float:
    """Two-sided p-value of Fisher's exact test on (a, b, c, d)."""
    from scipy.stats import fisher_exact as _fisher

    a, b, c, d = table
    return float(_fisher([[a, b], [c, d]]).pvalue)


def mantel_haenszel_rr(tables: Iterable[Sequence[int]], z: float = Z95) -> Interval:
    """Mantel–Haenszel risk ratio across strata with the Greenland–Robins variance."""
    num = den = var_num = 0.0
    for a, b, c, d in tables:
        n1, n0 = a + b, c + d
        total = n1 + n0
        if n1 == 0 or n0 == 0:
            continue
        num += a * n0 / total
        den += c * n1 / total
        var_num += (n1 * n0 * (a + c) - a * c * total) / total ** 2
    if num == 0 or den == 0:
        return EMPTY
    rr = num / den
    se = math.sqrt(var_num / (num * den))
    return Interval(rr, rr * math.exp(-z * se), rr * math.exp(z * se))


@dataclass(frozen=True)
class Relation:
    """The headline comparison for one 2×2 table."""

    n_pairs: int
    table: tuple[int, int, int, int]
    rate_given_specific: Interval
    rate_given_not_specific: Interval
    difference: Interval
    risk_ratio: Interval
    fisher_p: float | None

    def as_dict(self) -> dict:
        return {"n_pairs": self.n_pairs, "table": {"a_specific_in_depth": self.table[0],
                                                   "b_specific_not_in_depth": self.table[1],
                                                   "c_not_specific_in_depth": self.table[2],
                                                   "d_not_specific_not_in_depth": self.table[3]},
                "rate_in_depth_given_specific": self.rate_given_specific.as_dict(),
                "rate_in_depth_given_not_specific": self.rate_given_not_specific.as_dict(),
                "difference": self.difference.as_dict(), "risk_ratio": self.risk_ratio.as_dict(),
                "fisher_p": None if self.fisher_p is None else round(self.fisher_p, 6)}


def table_of(specific: np.ndarray, in_depth: np.ndarray) -> tuple[int, int, int, int]:
    s, d = np.asarray(specific, bool), np.asarray(in_depth, bool)
    return int((s & d).sum()), int((s & ~d).sum()), int((~s & d).sum()), int((~s & ~d).sum())


def relation(table: Sequence[int]) -> Relation:
    """Naive analysis of a 2×2 table of (predicted or true) labels."""
    a, b, c, d = (int(x) for x in table)
    return Relation(a + b + c + d, (a, b, c, d), wilson(a, a + b), wilson(c, c + d),
                    newcombe_difference(a, a + b, c, c + d), risk_ratio(a, a + b, c, c + d),
                    fisher_exact((a, b, c, d)) if a + b and c + d else None)


# --- correction for misclassification -------------------------------------------------------

@dataclass(frozen=True)
class ErrorRates:
    """A classifier's held-out confusion counts for one binary label: [[tn, fp], [fn, tp]]."""

    tn: int
    fp: int
    fn: int
    tp: int

    @classmethod
    def from_confusion(cls, confusion: Sequence[Sequence[int]]) -> "ErrorRates":
        (tn, fp), (fn, tp) = confusion
        return cls(int(tn), int(fp), int(fn), int(tp))

    def matrix(self, rng: np.random.Generator | None = None) -> np.ndarray:
        """M[observed, true] = P(predicted = observed | true). With ``rng``: one draw from the
        Jeffreys posterior of sensitivity and specificity, so intervals carry their uncertainty."""
        if rng is None:
            sens = self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0
            spec = self.tn / (self.tn + self.fp) if self.tn + self.fp else 1.0
        else:
            sens = rng.beta(self.tp + 0.5, self.fn + 0.5)
            spec = rng.beta(self.tn + 0.5, self.fp + 0.5)
        return np.array([[spec, 1 - sens], [1 - spec, sens]])


def _cells(table: Sequence[float]) -> np.ndarray:
    """(a, b, c, d) -> q indexed [specific, in_depth] as a flat vector in (0,0),(0,1),(1,0),(1,1) order."""
    a, b, c, d = table
    return np.array([d, c, b, a], dtype=float)


def corrected_joint(table: Sequence[float], request_errors: np.ndarray, certificate_errors: np.ndarray) -> np.ndarray:
    """True joint distribution of (specific, in_depth) behind an observed table of predicted labels.

    Predicted labels of the request and of the certificate are made by separate documents, so the
    observed distribution is (M_request ⊗ M_certificate) · p. Solve for p by non-negative least
    squares on the simplex (the adjusted classify-and-count estimator)."""
    from scipy.optimize import nnls

    q = _cells(table)
    q = q / q.sum()
    m = np.kron(request_errors, certificate_errors)
    # append the sum-to-one constraint as a heavily weighted row
    m_aug = np.vstack([m, 1e3 * np.ones(4)])
    q_aug = np.concatenate([q, [1e3]])
    p, _ = nnls(m_aug, q_aug)
    return p / p.sum()


def _rates(p: np.ndarray) -> tuple[float, float]:
    """P(in_depth | specific), P(in_depth | not specific) from a joint p over (s, d) cells."""
    p00, p01, p10, p11 = p
    r1 = p11 / (p10 + p11) if p10 + p11 > 0 else float("nan")
    r0 = p01 / (p00 + p01) if p00 + p01 > 0 else float("nan")
    return r1, r0


@dataclass(frozen=True)
class CorrectedRelation:
    rate_given_specific: Interval
    rate_given_not_specific: Interval
    difference: Interval
    share_specific: Interval

    def as_dict(self) -> dict:
        return {"rate_in_depth_given_specific": self.rate_given_specific.as_dict(),
                "rate_in_depth_given_not_specific": self.rate_given_not_specific.as_dict(),
                "difference": self.difference.as_dict(), "share_specific": self.share_specific.as_dict()}


def corrected_relation(table: Sequence[int], request_errors: ErrorRates, certificate_errors: ErrorRates,
                       n_boot: int = 1000, seed: int = 0, level: float = 0.95) -> CorrectedRelation:
    """Misclassification-corrected rates and difference, with percentile bootstrap intervals that
    resample the archive's pairs (multinomially) and draw the error rates from their posteriors."""
    rng = np.random.default_rng(seed)
    n = int(sum(table))
    point = corrected_joint(table, request_errors.matrix(), certificate_errors.matrix())
    r1, r0 = _rates(point)
    q = _cells(table) / max(n, 1)
    draws = np.empty((n_boot, 4))
    for i in range(n_boot):
        resampled = rng.multinomial(n, q)
        d, c, b, a = resampled
        p = corrected_joint((a, b, c, d), request_errors.matrix(rng), certificate_errors.matrix(rng))
        s1, s0 = _rates(p)
        draws[i] = (s1, s0, s1 - s0, p[2] + p[3])
    lo, hi = (1 - level) / 2 * 100, (1 + level) / 2 * 100

    def interval(j: int, estimate: float) -> Interval:
        col = draws[:, j][np.isfinite(draws[:, j])]
        if not len(col):
            return Interval(estimate, None, None)
        return Interval(estimate, float(np.percentile(col, lo)), float(np.percentile(col, hi)))

    return CorrectedRelation(interval(0, r1), interval(1, r0), interval(2, r1 - r0), interval(3, point[2] + point[3]))
