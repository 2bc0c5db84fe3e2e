"""The image and text dashboards in headless Chromium: pick an image, see the three overlays and the TCAV table;
pick a text, see its token heat-text and the attention verdicts.

The numbers the page shows are checked against the library called directly (the model's score, Integrated
Gradients' sum, the attention report's verdicts), and every test fails on a console error, an uncaught
exception or a request to anything but the local server (the page must work offline). The browser is Debian's
``chromium`` driven by Playwright for Python, as in ``test_dashboard_browser.py``; without either, or without
PyTorch, the tests skip. Fixtures live here rather than in a conftest.py (``--doctest-modules`` clashes).
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from explicable.dashboard import DashboardServer, DeepDashboardState

#: Where the browser is looked for (EXPLICABLE_CHROMIUM overrides).
CHROMIUM = os.environ.get("EXPLICABLE_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
#: A lesion image of the example's held-out set, and the negation probe.
IMAGE, TEXT = 2, 1


@dataclass
class Console:
    """What the page reported: console errors, uncaught exceptions, requests to anywhere but the server."""

    errors: list[str] = field(default_factory=list)
    foreign: list[str] = field(default_factory=list)


@pytest.fixture(scope="module")  # not session: Playwright's sync API runs one at a time, other modules start theirs
def browser() -> Iterator[Any]:
    if not os.path.exists(CHROMIUM):
        pytest.skip(f"Chromium not found at {CHROMIUM} (apt-get install -y chromium chromium-driver)")
    sync_api = pytest.importorskip("playwright.sync_api", reason="Playwright for Python is not installed "
                                   "(pip install playwright; its bundled browsers are not needed)")
    torch = pytest.importorskip("torch", reason="the deep dashboard needs PyTorch (pip install explicable[deep])")
    torch.set_num_threads(1)
    with sync_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, headless=True)
        yield chromium
        chromium.close()


def _serve(state: DeepDashboardState) -> Iterator[tuple[DeepDashboardState, str]]:
    with DashboardServer(state, port=0).start() as server:
        yield state, server.url


@pytest.fixture(scope="module")
def lesions(browser: Any) -> Iterator[tuple[DeepDashboardState, str]]:
    from explicable.dashboard._deep import example_state

    yield from _serve(example_state("lesions", n_images=6, smoothgrad_samples=8, tcav_random=4, random_state=0))


@pytest.fixture(scope="module")
def sentiment(browser: Any) -> Iterator[tuple[DeepDashboardState, str]]:
    pytest.importorskip("transformers", reason="the text example needs transformers (pip install explicable[text])")
    from explicable.dashboard._deep import example_state

    yield from _serve(example_state("sentiment", random_state=0))


def _open(browser: Any, url: str) -> tuple[Any, Any, Console]:
    """A fresh page on a dashboard, recording console errors and any request that leaves the server."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.set_default_timeout(10000)
    tab = context.new_page()
    seen = Console()
    tab.on("console", lambda message: seen.errors.append(message.text) if message.type == "error" else None)
    tab.on("pageerror", lambda exc: seen.errors.append(f"uncaught: {exc}"))
    tab.on("request", lambda request: None if request.url.startswith((url, "data:"))
           else seen.foreign.append(request.url))
    tab.goto(url)
    tab.wait_for_selector("body[data-ready=true]", timeout=15000)
    return context, tab, seen


def _clean(seen: Console) -> None:
    assert seen.errors == [], seen.errors
    assert seen.foreign == [], seen.foreign


def test_pick_an_image_shows_three_overlays_and_the_tcav_table(browser: Any, lesions: Any, tmp_path: Path) -> None:
    from explicable.core.images import image_attributions
    from explicable.explainers.gradient import IntegratedGradients

    state, url = lesions
    context, tab, seen = _open(browser, url)
    try:
        assert tab.locator("#item-list button.item img").count() == 6
        tab.click(f"button[data-item='{IMAGE}']")
        tab.wait_for_selector(f"#item-panel[data-item='{IMAGE}']", timeout=120000)
        images = state.images
        score = float(state.adapter.predict(images[[IMAGE]].reshape(1, -1))[0, 1])
        assert float(tab.get_attribute("#item-heading", "data-value")) == pytest.approx(score, rel=1e-6)
        overlays = tab.locator("#image-figures td.overlay")
        assert [overlays.nth(k).get_attribute("data-method") for k in range(3)] == \
            ["gradcam", "integrated_gradients", "smoothgrad"]
        for k in range(3):  # each overlay is an image that the browser decoded (the SVG rendered)
            width = tab.evaluate("(node) => node.naturalWidth", overlays.nth(k).locator("img").element_handle())
            assert width > 100
        exp = IntegratedGradients(state.adapter, baseline="blur").fit().explain(images[[IMAGE]], target="lesion")
        shown = float(tab.get_attribute("#image-figures td[data-method='integrated_gradients']", "data-sum"))
        assert shown == pytest.approx(float(image_attributions(exp)[0].sum()), rel=1e-5)
        assert tab.locator("#tcav-table tbody tr").count() == 1
        assert "lesion-like blob" in tab.inner_text("#tcav-table")
        tab.screenshot(path=str(tmp_path / "image.png"), full_page=True)
        assert (tmp_path / "image.png").stat().st_size > 50_000
        _clean(seen)
    finally:
        context.close()


def test_pick_a_text_shows_token_heat_and_the_attention_verdict(browser: Any, sentiment: Any,
                                                                tmp_path: Path) -> None:
    from explicable.evaluation import attention_report

    state, url = sentiment
    context, tab, seen = _open(browser, url)
    try:
        assert tab.locator("#item-list tbody tr").count() == 12
        tab.click(f"button[data-item='{TEXT}']")
        tab.wait_for_selector(f"#item-panel[data-item='{TEXT}']", timeout=120000)
        text = state.texts[TEXT]
        assert text == "the movie was not good"
        heat = tab.locator("#token-figures td.token-heat")
        assert [heat.nth(k).get_attribute("data-method") for k in range(2)] == ["integrated_gradients", "occlusion"]
        assert "not" in heat.nth(0).locator("img").get_attribute("alt")  # the heat-text's text alternative
        report = attention_report(state.adapter, text, target=state.output, random_state=0)
        assert tab.inner_text("#attention-summary") == report.summary()
        for method, verdict in report.verdicts.items():
            assert tab.inner_text(f"#attention-table span[data-method='{method}']") == verdict
        tab.select_option("#layer-select", "0")
        tab.wait_for_selector("#heads[data-layer='0']", timeout=30000)
        tab.screenshot(path=str(tmp_path / "text.png"), full_page=True)
        assert (tmp_path / "text.png").stat().st_size > 50_000
        _clean(seen)
    finally:
        context.close()


def test_a_bad_item_shows_the_servers_error(browser: Any, lesions: Any) -> None:
    _, url = lesions
    context, tab, seen = _open(browser, url)
    try:
        tab.evaluate("selectItem(99)")
        tab.wait_for_selector("#status:not([hidden])")
        assert "item" in tab.inner_text("#status")
        assert all("status of 400" in e for e in seen.errors), seen.errors  # the browser logs the 400 itself
        assert seen.foreign == []
        assert np.isfinite(float(tab.evaluate("state.overview.items[0].score")))
    finally:
        context.close()
