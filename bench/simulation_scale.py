"""Time and memory of the archive simulator and the corrected statistics at archive scale.

    python bench/simulation_scale.py --pairs 1000000

Prints one Markdown table row per step (machine-dependent: publish with the machine's description).
"""
from __future__ import annotations

import argparse
import os
import platform
import resource
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from scorer.simulate import SimulationSpec, misclassify, simulate_truth  # noqa: E402
from scorer.statistics import ErrorRates, corrected_relation, relation, table_of  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pairs", type=int, default=1_000_000)
    parser.add_argument("--n-boot", type=int, default=1000)
    args = parser.parse_args()
    import numpy as np

    rows = []
    t0 = time.perf_counter()
    truth = simulate_truth(SimulationSpec(n_pairs=args.pairs, team_effects={"Team Helbred": -0.2}))
    rows.append(("simulate truth and metadata", time.perf_counter() - t0))
    rng = np.random.default_rng(0)
    t0 = time.perf_counter()
    table = table_of(misclassify(truth.specific, 0.9, 0.92, rng), misclassify(truth.in_depth, 0.88, 0.9, rng))
    naive = relation(table)
    rows.append(("predicted labels, 2×2 table, naive relation", time.perf_counter() - t0))
    t0 = time.perf_counter()
    corrected = corrected_relation(table, ErrorRates(92, 8, 10, 90), ErrorRates(90, 10, 12, 88), n_boot=args.n_boot)
    rows.append((f"corrected relation, {args.n_boot} bootstrap replicates", time.perf_counter() - t0))
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores; {args.pairs:,} pairs; "
          f"peak RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")
    print(f"naive difference {naive.difference.estimate:.3f}; corrected {corrected.difference.as_dict()} "
          f"(planted 0.140 outside Team Helbred)")
    print("| step | seconds |\n|---|---|")
    for name, seconds in rows:
        print(f"| {name} | {seconds:.2f} |")


if __name__ == "__main__":
    main()
