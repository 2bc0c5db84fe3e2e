"""The audit report: every section present, nothing referenced outside the file, numbers from the library."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import xgboost

import explicable
from explicable.cli.main import main
from explicable.reporting.report import SECTIONS, audit_report


class _Refs(HTMLParser):
    """Every attribute that can load something, and the ids of the sections."""

    def __init__(self) -> None:
        super().__init__()
        self.refs: list[str] = []
        self.sections: list[str] = []
        self.tags: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.add(tag)
        for name, value in attrs:
            if name in {"src", "href", "data", "action", "poster", "srcset", "xlink:href"} and value:
                self.refs.append(value)
            if name == "data-section" and value:
                self.sections.append(value)


def external(html: str) -> list[str]:
    """References that leave the file: anything but in-page anchors and data: URIs, plus CSS url()/@import."""
    parser = _Refs()
    parser.feed(html)
    refs = [r for r in parser.refs if not (r.startswith("#") or r.startswith("data:"))]
    refs += re.findall(r"url\(\s*['\"]?(?!data:|#)[^)]*\)", html) + re.findall(r"@import", html)
    return refs


@pytest.fixture(scope="module")
def credit() -> tuple[object, pd.DataFrame]:
    rng = np.random.default_rng(0)
    n = 400
    data = pd.DataFrame({"income": rng.normal(50, 15, n), "debt": rng.normal(20, 8, n),
                         "sex": rng.choice(["female", "male"], n)})
    good = (data.income - data.debt + 10 * (data.sex == "male") + rng.normal(0, 8, n) > 35)
    data["credit"] = np.where(good, "good", "bad")
    X = data[["income", "debt"]].assign(is_male=(data.sex == "male").astype(float))
    model = xgboost.XGBClassifier(n_estimators=30, max_depth=3).fit(X, good.astype(int))
    frame = X.assign(credit=data.credit, sex=data.sex)
    return explicable.wrap(model, output_names=["bad", "good"]), frame


def test_every_section_present_and_nothing_external(credit: tuple[object, pd.DataFrame]) -> None:
    model, data = credit
    report = audit_report(model, data, target="credit", sensitive=["sex"], favorable="good", n_explain=120)
    parser = _Refs()
    parser.feed(report.html)
    assert parser.sections == list(SECTIONS) == list(report.sections)
    assert external(report.html) == [] and "script" not in parser.tags
    assert "Not computed" not in report.html  # every section could be computed for this model


def test_numbers_in_the_report_are_the_librarys(credit: tuple[object, pd.DataFrame]) -> None:
    model, data = credit
    report = audit_report(model, data, target="credit", sensitive=["sex"], favorable="good", n_explain=120)
    adapter = explicable.wrap(model)
    decided = adapter.predict(data[["income", "debt", "is_male"]])[:, 1] >= 0.5
    rates = pd.Series(decided).groupby(data.sex.to_numpy()).mean()
    for rate in rates:
        assert f"{rate:.4g}" in report.html  # the selection rate per group in the four-fifths table
    accuracy = float((decided == (data.credit == "good")).mean())
    assert f"{accuracy:.4g}" in report.html


def test_external_reference_detector_can_fail() -> None:
    assert external('<img src="https://x.org/a.png"><a href="#ok">') == ["https://x.org/a.png"]
    assert external("<style>@import 'x.css'; b { background: url(http://x/y.png) }</style>") != []
    assert external('<img src="data:image/png;base64,AAAA">') == []


def test_cli_writes_the_file(credit: tuple[object, pd.DataFrame], tmp_path: Path,
                             capsys: pytest.CaptureFixture[str]) -> None:
    model, data = credit
    model.model.save_model(tmp_path / "model.json")
    data.to_csv(tmp_path / "data.csv", index=False)
    out = tmp_path / "report.html"
    code = main(["audit", str(tmp_path / "model.json"), str(tmp_path / "data.csv"), "--target", "credit",
                 "--sensitive", "sex", "--favorable", "1", "--out", str(out)])
    printed = capsys.readouterr()
    assert code == 2 and "favorable" in printed.err  # the saved booster's outputs are 0/1, its labels good/bad
    data.assign(credit=(data.credit == "good").astype(int)).to_csv(tmp_path / "data01.csv", index=False)
    code = main(["audit", str(tmp_path / "model.json"), str(tmp_path / "data01.csv"), "--target", "credit",
                 "--sensitive", "sex", "--out", str(out)])
    printed = capsys.readouterr()
    assert code == 0, printed.err
    assert str(out) in printed.out and out.read_text().startswith("<!DOCTYPE html>")
