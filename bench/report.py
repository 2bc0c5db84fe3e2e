"""Benchmark: how long the German credit audit report takes to build (target: at most 60 s on this machine).

Trains the demo model (``explicable.jobs.run_demo``: an XGBoost pipeline on 70% of German credit), then builds
``explicable.audit_report`` on the 300 held-out applicants with ``sex`` as the sensitive attribute ``--repeats``
times, and prints the median build time. There is no peer (no open tool writes this report); the check is that
the file has every section and no external reference.

Run ``python bench/report.py`` (about 25 s) or ``--repeats 1``.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import time

import explicable
from explicable.jobs import run_demo
from explicable.reporting.report import SECTIONS, audit_report

TARGET_SECONDS = 60.0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Time the German credit audit report.")
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args(argv)
    print(f"python {platform.python_version()}, explicable {explicable.__version__}; {os.cpu_count()} cores, "
          f"load {os.getloadavg()[0]:.2f}")
    start = time.perf_counter()
    demo = run_demo(random_state=0)
    print(f"demo model trained in {time.perf_counter() - start:.1f} s")
    times, report = [], None
    for _ in range(args.repeats):
        start = time.perf_counter()
        report = audit_report(demo.model, demo.audit_data, target="credit", sensitive=["sex"], favorable="good",
                              random_state=0)
        times.append(time.perf_counter() - start)
    assert report is not None
    ok = report.sections == SECTIONS and "http://" not in report.html.replace("http://www.w3.org", "")
    median = statistics.median(times)
    print(f"\n| report build, median of {args.repeats} (s) | target (s) | met | size (KiB) | sections ok |")
    print("|---:|---:|---|---:|---|")
    print(f"| {median:.2f} | {TARGET_SECONDS:.0f} | {'yes' if median <= TARGET_SECONDS else 'NO'} | "
          f"{len(report.html) / 1024:.0f} | {'yes' if ok else 'NO'} |")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
