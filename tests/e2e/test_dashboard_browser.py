"""The dashboard in headless Chromium: load it, pick a row, edit a value and see the model's score change.

Every number the page shows is checked against the model called directly (the XGBoost pipeline's own
``predict_proba``, pandas' group means), and every test fails on a console error, an uncaught exception or a
request to anything but the local server (the page must work offline).

The browser is Debian's ``chromium`` (``apt-get install chromium chromium-driver``), driven by Playwright for
Python pointed at that binary (``playwright install`` is never needed); without either, the tests skip. The
fixtures live here rather than in a conftest.py: with ``--doctest-modules``, two non-root conftest.py files
clash on import.
"""

from __future__ import annotations

import os
import shutil
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

import explicable
from explicable.dashboard import DashboardServer, DashboardState
from explicable.datasets import load_german_credit
from explicable.reasons import reasons

#: Where the browser is looked for (EXPLICABLE_CHROMIUM overrides).
CHROMIUM = os.environ.get("EXPLICABLE_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"


@dataclass
class Credit:
    """The served model (a one-hot + XGBoost pipeline on German credit), its data and the server's address."""

    pipeline: Any
    data: pd.DataFrame
    features: list[str]
    url: str


@dataclass
class Console:
    """What the page reported: console errors, uncaught exceptions, requests to anywhere but the server."""

    errors: list[str] = field(default_factory=list)
    foreign: list[str] = field(default_factory=list)


def _pipeline(categorical: list[str]) -> Any:
    from sklearn.compose import ColumnTransformer
    from sklearn.pipeline import Pipeline
    from sklearn.preprocessing import OneHotEncoder
    from xgboost import XGBClassifier

    encode = ColumnTransformer([("onehot", OneHotEncoder(handle_unknown="ignore", sparse_output=False), categorical)],
                               remainder="passthrough")
    return Pipeline([("encode", encode), ("gbm", XGBClassifier(n_estimators=60, max_depth=3, n_jobs=1,
                                                                random_state=0))])


@pytest.fixture(scope="module")  # not session: Playwright's sync API runs one at a time, other modules start theirs
def browser() -> Iterator[Any]:
    if not os.path.exists(CHROMIUM):
        pytest.skip(f"Chromium not found at {CHROMIUM} (apt-get install -y chromium chromium-driver)")
    sync_api = pytest.importorskip("playwright.sync_api", reason="Playwright for Python is not installed "
                                   "(pip install playwright; its bundled browsers are not needed)")
    with sync_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, headless=True)
        yield chromium
        chromium.close()


@pytest.fixture(scope="module")
def credit(browser: Any) -> Iterator[Credit]:
    raw = load_german_credit()
    X = raw.drop(columns=["credit", "sex"])
    y = (raw["credit"] == "bad").astype(int)
    categorical = [c for c in X.columns if X[c].dtype.name in ("category", "bool")]
    pipeline = _pipeline(categorical).fit(X, y)
    data = X.assign(sex=raw["sex"], y=y)
    model = explicable.wrap(pipeline, output_names=["good", "bad"])
    state = DashboardState(model, data, target="y", sensitive=["sex"], random_state=0)
    with DashboardServer(state, port=0).start() as server:
        yield Credit(pipeline, data, list(X.columns), server.url)


@pytest.fixture
def page(browser: Any, credit: Credit) -> Iterator[tuple[Any, Console]]:
    """A fresh page on the dashboard, recording console errors and any request that leaves the server."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.set_default_timeout(10000)
    tab = context.new_page()
    seen = Console()
    tab.on("console", lambda message: seen.errors.append(message.text) if message.type == "error" else None)
    tab.on("pageerror", lambda exc: seen.errors.append(f"uncaught: {exc}"))
    tab.on("request", lambda request: None if request.url.startswith((credit.url, "data:"))
           else seen.foreign.append(request.url))
    tab.goto(credit.url)
    tab.wait_for_selector("body[data-ready=true]", timeout=15000)
    yield tab, seen
    context.close()


def _clean(seen: Any) -> None:
    assert seen.errors == [], seen.errors
    assert seen.foreign == [], seen.foreign


def _poll(tab: Any, selector: str, attribute: str, expected: float, timeout: float = 10.0) -> float:
    """The attribute's numeric value once it equals ``expected`` (or the last one seen at the timeout)."""
    deadline, value = time.monotonic() + timeout, float("nan")
    while time.monotonic() < deadline:
        text = tab.get_attribute(selector, attribute)
        value = float(text) if text else float("nan")
        if abs(value - expected) < 1e-9:
            break
        tab.wait_for_timeout(50)
    return value


def test_pick_a_row_shows_its_score_reasons_and_counterfactuals(page: Any, credit: Any, tmp_path: Path) -> None:
    tab, seen = page
    assert tab.locator("#overview-rows tbody tr").count() == 20
    tab.click("button[data-row='7']")
    tab.wait_for_selector("#row-counterfactuals[data-row='7']", timeout=15000)
    X = credit.data[credit.features]
    expected = float(credit.pipeline.predict_proba(X.iloc[[7]])[0, 1])
    assert float(tab.get_attribute("#row-prediction", "data-value")) == pytest.approx(expected, abs=1e-7)
    model = explicable.wrap(credit.pipeline, output_names=["good", "bad"])
    found = reasons(explicable.explain(model, X.iloc[[7]], target="bad"), 4, adverse_output="bad",
                    require_stable=False)
    assert tab.locator("#row-reasons li").all_inner_texts() == [r.statement for r in found]
    assert tab.locator("#row-chart svg rect").count() == 12  # the 12 largest of 20 contributions
    items = tab.locator("#counterfactual-list li").all_inner_texts()
    assert items and not any("not valid" in item for item in items)
    tab.screenshot(path=str(tmp_path / "row.png"), full_page=True)
    assert (tmp_path / "row.png").stat().st_size > 10_000
    _clean(seen)


def test_a_what_if_edit_changes_the_score_live(page: Any, credit: Any, tmp_path: Path) -> None:
    tab, seen = page
    tab.click("#tab-row")
    tab.fill("#row-input", "1")
    tab.click("#row-go")
    tab.wait_for_selector("#row-prediction[data-row='1']")
    X = credit.data[credit.features]
    original = float(credit.pipeline.predict_proba(X.iloc[[1]])[0, 1])
    edited = X.iloc[[1]].copy()
    edited["duration"] = 6
    edited["purpose"] = pd.Categorical(["car (new)"], categories=X["purpose"].cat.categories)
    expected = float(credit.pipeline.predict_proba(edited)[0, 1])
    assert abs(expected - original) > 0.05  # the edit matters to the model, so the page must show a change

    tab.click("#tab-whatif")
    tab.fill("[data-feature='duration']", "6")
    tab.select_option("[data-feature='purpose']", "car (new)")
    shown = _poll(tab, "#whatif-prediction", "data-value", expected)
    assert shown == pytest.approx(expected, abs=1e-7)
    assert f"was {original:.3g}" in tab.inner_text("#whatif-prediction")
    assert tab.locator("#whatif-form .changed").count() == 2
    tab.screenshot(path=str(tmp_path / "what-if.png"), full_page=True)
    assert (tmp_path / "what-if.png").stat().st_size > 10_000
    _clean(seen)


def test_importance_and_fairness_tabs_draw_intervals(page: Any, credit: Any) -> None:
    tab, seen = page
    tab.click("#tab-importance")
    tab.wait_for_selector("#importance-chart svg")
    bars = tab.locator("#importance-chart svg rect")
    assert bars.count() == len(credit.features)
    heights = [float(bars.nth(i).get_attribute("data-value")) for i in range(bars.count())]
    assert heights == sorted(heights, reverse=True) and heights[-1] >= 0
    assert tab.locator("#importance-chart svg line.whisker").count() == 3 * len(credit.features)

    tab.click("#tab-fairness")
    tab.wait_for_selector(".fairness-chart svg")
    X = credit.data[credit.features]
    decided = pd.Series(credit.pipeline.predict_proba(X)[:, 1] >= 0.5, index=X.index)
    rates = {str(g): float(v) for g, v in decided.groupby(credit.data["sex"], observed=True).mean().items()}
    bars = tab.locator(".fairness-chart svg rect")
    shown = {bars.nth(i).get_attribute("data-label").split(" (")[0]: float(bars.nth(i).get_attribute("data-value"))
             for i in range(bars.count())}
    assert shown.keys() == rates.keys()
    np.testing.assert_allclose([shown[g] for g in rates], [rates[g] for g in rates], atol=1e-12)
    assert tab.locator(".fairness-chart svg line.rule").count() == 1  # the four-fifths line
    assert tab.locator("#fairness-four-fifths tbody tr").count() == len(rates)
    _clean(seen)


def test_a_bad_edit_shows_the_servers_error(page: Any) -> None:
    tab, seen = page
    tab.click("#tab-whatif")
    tab.fill("[data-feature='duration']", "")
    tab.wait_for_selector("#whatif-error:not([hidden])")
    assert "changes.duration" in tab.inner_text("#whatif-error")
    # the browser itself logs the 400 response; nothing else may go wrong
    assert all("status of 400" in e for e in seen.errors), seen.errors
    assert seen.foreign == []
