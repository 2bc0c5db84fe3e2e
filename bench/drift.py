"""Benchmark: attribution drift over 100,000 explanations x 20 features in at most 5 seconds.

Two windows of ``--rows`` explanations each (reference and current, 20 features, one output, with the rows'
feature values for the input-drift context) are compared by :func:`explicable.monitoring.attribution_drift`
with its defaults (200 bootstrap resamples per window); the current window has one feature's attributions
shifted, so the run also checks that the drift is found. The time printed is the median of ``--repeats``
calls, of the call alone (making the arrays is not timed). Exit status 1 when the median is over the target
or the shifted feature is not alerted. Run ``python bench/drift.py`` (``--quick``: 10,000 rows).
"""

from __future__ import annotations

import argparse
import sys
import time

import numpy as np

from explicable.core.explanation import Explanation
from explicable.monitoring import attribution_drift

TARGET_SECONDS = 5.0


def window(rng: np.random.Generator, n: int, m: int, shift: float) -> Explanation:
    data = rng.normal(size=(n, m))
    weights = np.linspace(2.0, 0.1, m)
    values = data * weights
    values[:, 3] += shift
    return Explanation(values[:, :, None], np.zeros((n, 1)), [f"f{j}" for j in range(m)], ["score"], data=data)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--features", type=int, default=20)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    n = 10_000 if args.quick else args.rows
    rng = np.random.default_rng(0)
    ref, cur = window(rng, n, args.features, 0.0), window(rng, n, args.features, 0.5)
    times = []
    for _ in range(args.repeats):
        start = time.perf_counter()
        result = attribution_drift(ref, cur, random_state=0)
        times.append(time.perf_counter() - start)
    median = float(np.median(times))
    alerted = sorted(set(result.to_frame().query("alert")["feature"]))
    print("| rows per window | features | bootstrap | median s | best s | target s | alerted |")
    print("|---|---|---|---|---|---|---|")
    print(f"| {n:,} | {args.features} | 200 | {median:.2f} | {min(times):.2f} | {TARGET_SECONDS:.0f} | "
          f"{', '.join(alerted)} |")
    ok = alerted == ["f3"] and (args.quick or median <= TARGET_SECONDS)
    print("OK" if ok else "FAILED: over the target, or the shifted feature f3 was not the one alerted")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
