"""JUnit XML for a gate's checks, so a CI system shows each check as a test (pass, failure, error or skipped)."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Sequence
from typing import Any

__all__ = ["junit_xml"]

SUITE = "explicable check"


def junit_xml(checks: Sequence[Any], *, seconds: float) -> str:
    """One ``<testsuite>`` in a ``<testsuites>`` root, one ``<testcase>`` per check.

    Each check needs ``name``, ``section``, ``status`` ("passed", "failed", "error" or "skipped"),
    ``message``, ``seconds`` and ``line()``. Failed checks get a ``<failure>``, checks that could not run an
    ``<error>``, checks that do not apply a ``<skipped>``; every case carries its one-line summary in
    ``<system-out>``.
    """
    counts = {status: sum(c.status == status for c in checks) for status in ("failed", "error", "skipped")}
    attributes = {"name": SUITE, "tests": str(len(checks)), "failures": str(counts["failed"]),
                  "errors": str(counts["error"]), "skipped": str(counts["skipped"]), "time": f"{seconds:.3f}"}
    root = ET.Element("testsuites", attributes)
    suite = ET.SubElement(root, "testsuite", attributes)
    for check in checks:
        case = ET.SubElement(suite, "testcase", {"classname": f"explicable.{check.section}", "name": check.name,
                                                 "time": f"{check.seconds:.3f}"})
        if check.status == "failed":
            ET.SubElement(case, "failure", {"message": check.message, "type": "threshold"}).text = check.line()
        elif check.status == "error":
            ET.SubElement(case, "error", {"message": check.message, "type": "error"}).text = check.line()
        elif check.status == "skipped":
            ET.SubElement(case, "skipped", {"message": check.message})
        ET.SubElement(case, "system-out").text = check.line()
    ET.indent(root)
    return '<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"
