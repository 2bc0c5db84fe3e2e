"""The audit report opened by headless Chromium from disk: no console error, no request leaves the file.

Debian's ``chromium`` driven by Playwright for Python (pointed at the binary; ``playwright install`` is never
needed); the test skips when either is missing.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import xgboost

import explicable
from explicable.reporting.report import SECTIONS, audit_report

CHROMIUM = os.environ.get("EXPLICABLE_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
playwright = pytest.importorskip("playwright.sync_api", reason="Playwright for Python is not installed")
pytestmark = pytest.mark.skipif(not Path(CHROMIUM).exists(), reason=f"no Chromium at {CHROMIUM}")


def test_report_opens_offline_without_errors(tmp_path: Path) -> None:
    rng = np.random.default_rng(1)
    X = pd.DataFrame({"income": rng.normal(50, 15, 300), "debt": rng.normal(20, 8, 300)})
    sex = rng.choice(["female", "male"], 300)
    good = (X.income - X.debt + rng.normal(0, 8, 300) > 30).astype(int)
    model = explicable.wrap(xgboost.XGBClassifier(n_estimators=20, max_depth=3).fit(X, good))
    report = audit_report(model, X.assign(credit=good, sex=sex), target="credit", sensitive=["sex"], n_explain=100)
    path = report.write(tmp_path / "report.html")
    problems: list[str] = []
    with playwright.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        page = browser.new_page()
        page.on("console", lambda m: problems.append(f"console {m.type}: {m.text}") if m.type == "error" else None)
        page.on("pageerror", lambda e: problems.append(f"page error: {e}"))
        page.on("request", lambda r: None if r.url.startswith(("file://", "data:")) else problems.append(r.url))
        page.goto(path.as_uri())
        sections = page.eval_on_selector_all("section[data-section]", "els => els.map(e => e.dataset.section)")
        figures = page.eval_on_selector_all("figure svg", "els => els.length")
        page.screenshot(path=str(tmp_path / "report.png"), full_page=False)
        browser.close()
    assert problems == []
    assert sections == list(SECTIONS) and figures >= 4
    assert (tmp_path / "report.png").stat().st_size > 10_000


def test_report_prints_to_pdf(tmp_path: Path) -> None:
    X = pd.DataFrame({"a": np.arange(60.0), "b": np.arange(60.0)[::-1]})
    model = explicable.wrap(xgboost.XGBClassifier(n_estimators=5, max_depth=2).fit(X, (X.a > 30).astype(int)))
    report = audit_report(model, X.assign(y=(X.a > 30).astype(int)), target="y", n_explain=30)
    pdf = report.write_pdf(tmp_path / "report.pdf", chromium=CHROMIUM)
    content = pdf.read_bytes()
    assert content.startswith(b"%PDF-") and content.count(b"/Type /Page") >= 3  # several printed pages
