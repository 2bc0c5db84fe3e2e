"""The results of a policy gate: one :class:`GateCheck` per check, gathered in a :class:`CheckReport`."""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from explicable.core.errors import ExplicableError
from explicable.monitoring._junit import junit_xml

__all__ = ["STATUSES", "CheckReport", "GateCheck", "timed"]

STATUSES = ("passed", "failed", "error", "skipped")


@dataclass(frozen=True)
class GateCheck:
    """One check of a policy: its verdict, the statistic and the threshold it was judged against.

    Attributes
    ----------
    name : str
        The check, e.g. ``"deletion_margin"`` or ``"impact_ratio"``.
    section : str
        The policy section: ``"quality"``, ``"fairness"`` or ``"drift"``.
    status : {"passed", "failed", "error", "skipped"}
        "error": the check could not run (its message says why); "skipped": it does not apply.
    value, threshold : float or None
    comparison : str
        How the value must compare with the threshold (``">="``, ``"<="``, ...).
    message : str
        One readable sentence: what was measured, or why it failed, errored or was skipped.
    seconds : float
    """

    name: str
    section: str
    status: str
    value: float | None = None
    threshold: float | None = None
    comparison: str = ""
    message: str = ""
    seconds: float = 0.0

    @property
    def passed(self) -> bool:
        """False only when the check failed or could not run."""
        return self.status in ("passed", "skipped")

    def line(self) -> str:
        """One line for a CI log, e.g. ``quality.deletion_margin: PASS 0.41 (needs >= 0.05)``."""
        verdict = {"passed": "PASS", "failed": "FAIL", "error": "ERROR", "skipped": "SKIP"}[self.status]
        figures = ""
        if self.value is not None and self.threshold is not None:
            figures = f" {_fmt(self.value)} (needs {self.comparison} {_fmt(self.threshold)})"
        return f"{self.section}.{self.name}: {verdict}{figures}" + (f" - {self.message}" if self.message else "")


@dataclass(frozen=True)
class CheckReport:
    """Every check a policy asked for, in order.

    Attributes
    ----------
    checks : tuple of GateCheck
    seconds : float
        Wall time of all checks.
    """

    checks: tuple[GateCheck, ...]
    seconds: float = 0.0

    @property
    def passed(self) -> bool:
        """True when no check failed or errored (skipped checks do not count)."""
        return all(c.passed for c in self.checks)

    @property
    def failures(self) -> tuple[GateCheck, ...]:
        """The checks that failed or could not run."""
        return tuple(c for c in self.checks if not c.passed)

    def lines(self) -> list[str]:
        """One line per check."""
        return [c.line() for c in self.checks]

    def to_junit_xml(self) -> str:
        """The report as JUnit XML: one ``<testcase>`` per check (see :func:`~explicable.monitoring._junit`)."""
        return junit_xml(self.checks, seconds=self.seconds)


def timed(name: str, section: str, run: Callable[[], tuple[float, float, str, bool, str]]) -> GateCheck:
    """Run one check: ``run() -> (value, threshold, comparison, passed, message)``; library errors become
    an "error" check carrying their message, so one broken check does not hide the others' verdicts."""
    start = time.perf_counter()
    try:
        value, threshold, comparison, passed, message = run()
    except ExplicableError as exc:
        return GateCheck(name, section, "error", message=str(exc), seconds=time.perf_counter() - start)
    status = "passed" if passed else "failed"
    return GateCheck(name, section, status, float(value), float(threshold), comparison, message,
                     time.perf_counter() - start)


def _fmt(number: Any) -> str:
    return "nan" if isinstance(number, float) and math.isnan(number) else f"{number:.4g}"
