"""``explicable dashboard``: load the files, build the state, serve it; bad options name themselves."""

from __future__ import annotations

import json
import socket
import urllib.request
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
import xgboost

from explicable.cli.dashboard import dashboard
from explicable.core.errors import InvalidParameterError
from explicable.dashboard import DashboardServer


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("dashboard")
    rng = np.random.default_rng(3)
    frame = pd.DataFrame({"a": rng.normal(size=80), "g": rng.integers(0, 2, 80).astype(float)})
    y = (frame.a + frame.g - 0.5 > 0).astype(int)
    xgboost.XGBClassifier(n_estimators=10, max_depth=2).fit(frame, y).save_model(root / "model.json")
    frame.assign(y=y).to_csv(root / "data.csv", index=False)
    return {"model": root / "model.json", "data": root / "data.csv"}


@pytest.fixture
def served(monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    """Replace serving forever by: start, fetch two views, stop."""
    seen: dict[str, Any] = {}

    def once(self: DashboardServer) -> None:
        self.start()
        try:
            for view in ("overview", "fairness"):
                with urllib.request.urlopen(f"{self.url}api/{view}", timeout=10) as response:
                    seen[view] = json.loads(response.read())
            seen["url"] = self.url
        finally:
            self.stop()

    monkeypatch.setattr(DashboardServer, "serve_forever", once)
    return seen


def test_the_command_serves_the_files(files: dict[str, Path], served: dict[str, Any],
                                      capsys: pytest.CaptureFixture[str]) -> None:
    dashboard(files["model"], files["data"], port=0, target="y", sensitive="g", seed=1)
    out = capsys.readouterr().out
    assert served["url"] in out and "80 rows" in out
    assert served["overview"]["n_rows"] == 80 and served["overview"]["random_state"] == 1
    assert served["overview"]["model"]["method"] == "tree"
    assert served["fairness"]["available"] and served["fairness"]["attributes"] == ["g"]


@pytest.mark.parametrize(("options", "parameter"), [({"sensitive": "race"}, "--sensitive"),
                                                     ({"target": "outcome"}, "--target")])
def test_unknown_columns_name_the_option(files: dict[str, Path], served: dict[str, Any], options: dict[str, str],
                                         parameter: str) -> None:
    with pytest.raises(InvalidParameterError) as err:
        dashboard(files["model"], files["data"], port=0, **options)
    assert err.value.parameter == parameter and not served


def test_a_taken_port_is_a_clear_error(files: dict[str, Path], served: dict[str, Any]) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        with pytest.raises(InvalidParameterError, match="free port") as err:
            dashboard(files["model"], files["data"], port=taken.getsockname()[1])
    assert err.value.parameter == "--port"
