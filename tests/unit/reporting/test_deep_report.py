"""The audit report of image and text models: every section present, its numbers equal to the library's own."""

from __future__ import annotations

import html
import re
from typing import Any

import numpy as np
import pytest

torch = pytest.importorskip("torch")
pytest.importorskip("captum")

from test_report import external  # noqa: E402

from explicable.core.errors import InvalidDataError, InvalidParameterError  # noqa: E402
from explicable.datasets._lesion_cnn import LESION_CNN_OUTPUTS, lesion_cnn  # noqa: E402
from explicable.datasets.lesions import make_lesions  # noqa: E402
from explicable.evaluation import pointing_game  # noqa: E402
from explicable.explainers.gradient import GradCAM  # noqa: E402
from explicable.models.torch import TorchAdapter  # noqa: E402
from explicable.reporting._deep_sections import IMAGE_SECTIONS, TEXT_SECTIONS  # noqa: E402
from explicable.reporting.report import audit_report  # noqa: E402


@pytest.fixture(scope="module")
def lesions() -> Any:
    torch.manual_seed(0)
    data = make_lesions(6, random_state=2024)
    model = TorchAdapter(lesion_cnn(), image_shape=(64, 64, 3), output_names=LESION_CNN_OUTPUTS)
    report = audit_report(model, data.images, labels=data.labels, masks=data.masks, n_local=1, random_state=0)
    return data, model, report


def _cells(page: str, caption: str) -> list[list[str]]:
    table = re.search(r"<table[^>]*><caption>" + re.escape(html.escape(caption)) + r"</caption>(.*?)</table>",
                      page, re.S)
    assert table is not None, caption
    return [[html.unescape(c).strip() for c in re.findall(r"<td>(.*?)</td>", row, re.S)]
            for row in re.findall(r"<tr>(.*?)</tr>", table.group(1), re.S) if "<td>" in row]


def test_image_report_has_every_section_and_nothing_external(lesions: Any) -> None:
    _, _, report = lesions
    assert report.sections == IMAGE_SECTIONS
    assert external(report.html) == []
    # three methods side by side for the image shown, plus the deletion curves
    assert report.html.count("<svg") >= 3
    assert "Not computed: no concept examples" in report.html


def test_image_report_pointing_game_equals_the_library(lesions: Any) -> None:
    data, model, report = lesions
    rows = {r[0]: r for r in _cells(report.html, "Localisation per method")}
    exp = GradCAM(model).fit().explain(data.images, target="lesion")
    direct = pointing_game(exp, data.masks, output="lesion")
    assert float(rows["Grad-CAM"][1]) == pytest.approx(direct.value, abs=5e-4)
    assert int(rows["Grad-CAM"][6]) == direct.details["n_evaluated"] == int(data.labels.sum())


def test_image_report_runs_the_sanity_checks(lesions: Any) -> None:
    _, _, report = lesions
    # every randomisation check passes on the trained CNN: the maps depend on its weights
    checks = re.findall(r'<p class="(pass|fail)">randomization_check', report.html)
    assert checks == ["pass"] * 3


def test_deep_report_rejects_bad_input(lesions: Any) -> None:
    _, model, _ = lesions
    with pytest.raises(InvalidDataError, match="data"):
        audit_report(model, np.zeros((2, 8, 8, 3)))
    with pytest.raises(InvalidParameterError, match="output"):
        audit_report(model, np.zeros((1, 64, 64, 3)), output="tumour")


def test_text_report_sections_and_attention_verdict() -> None:
    pytest.importorskip("transformers")
    from explicable.datasets._sentiment_model import load_sentiment_model
    from explicable.evaluation import attention_report

    torch.manual_seed(0)
    model = load_sentiment_model()
    text = "the movie was not good"
    report = audit_report(model, [text], output="negative", n_local=1, random_state=0)
    assert report.sections == TEXT_SECTIONS
    assert external(report.html) == []
    direct = attention_report(model, text, target="negative", random_state=0)
    assert direct.summary() in html.unescape(report.html)
    assert "Is attention faithful on this input?" in report.html
