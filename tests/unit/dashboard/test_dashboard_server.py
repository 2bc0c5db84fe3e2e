"""The HTTP layer: the page and its assets (nothing external), JSON views equal to the state's, 400s that name
the parameter, 404s, and requests for other hosts refused."""

from __future__ import annotations

import http.client
import json
import re
from collections.abc import Iterator
from html.parser import HTMLParser
from importlib import resources
from typing import Any

import pandas as pd
import pytest
from dashboard_models import additive_model, make_frame

from explicable import FunctionModel
from explicable.core.errors import InvalidParameterError
from explicable.dashboard import DashboardServer, DashboardState


@pytest.fixture(scope="module")
def frame() -> pd.DataFrame:
    return make_frame()


@pytest.fixture(scope="module")
def additive() -> FunctionModel:
    return additive_model()


@pytest.fixture(scope="module")
def server(additive: Any, frame: pd.DataFrame) -> Iterator[DashboardServer]:
    state = DashboardState(additive, frame, target="y", sensitive=["sex"], random_state=0)
    with DashboardServer(state, port=0).start() as running:
        yield running


def request(server: DashboardServer, method: str, path: str, body: Any = None, *,
            headers: dict[str, str] | None = None, raw: bytes | None = None) -> tuple[int, dict[str, str], bytes]:
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
    payload = raw if raw is not None else (None if body is None else json.dumps(body).encode())
    connection.request(method, path, body=payload, headers=headers or {})
    response = connection.getresponse()
    answer = response.status, dict(response.getheaders()), response.read()
    connection.close()
    return answer


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.links: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.links += [v for k, v in attrs if k in ("src", "href", "action") and v is not None]


def test_the_page_loads_only_its_own_assets(server: DashboardServer) -> None:
    status, headers, body = request(server, "GET", "/")
    assert status == 200 and headers["Content-Type"].startswith("text/html")
    assert "default-src 'none'" in headers["Content-Security-Policy"]
    parser = _Links()
    parser.feed(body.decode())
    assert parser.links and all(link.startswith(("/static/", "data:")) for link in parser.links), parser.links
    for link in parser.links:
        if link.startswith("/static/"):
            assert request(server, "GET", link)[0] == 200


def test_no_asset_names_an_external_address() -> None:
    folder = resources.files("explicable.dashboard").joinpath("assets")
    for name in ("index.html", "app.js", "app.css"):
        text = folder.joinpath(name).read_text()
        urls = set(re.findall(r"(?:https?:)?//[\w.-]+\.[a-z]{2,}[^\s\"'`)]*", text)) - {"http://www.w3.org/2000/svg"}
        assert not urls, (name, urls)


def test_views_are_the_states(server: DashboardServer) -> None:
    state = server.state
    for path, expected in [("/api/row?row=3", state.row(3)), ("/api/overview", state.overview()),
                           ("/api/schema", state.schema()), ("/api/importance", state.importance()),
                           ("/api/counterfactuals?row=1", state.counterfactuals(1))]:
        status, headers, body = request(server, "GET", path)
        assert status == 200 and headers["Content-Type"] == "application/json", path
        assert json.loads(body) == json.loads(json.dumps(expected)), path


def test_a_what_if_post_is_the_states_what_if(server: DashboardServer) -> None:
    edit = {"row": 4, "changes": {"income": 1500, "job": "b"}}
    status, _, body = request(server, "POST", "/api/whatif", edit)
    assert status == 200
    assert json.loads(body) == json.loads(json.dumps(server.state.what_if(4, edit["changes"])))
    assert json.loads(body)["changed"] == ["income", "job"]


@pytest.mark.parametrize(("method", "path", "body", "parameter"), [
    ("POST", "/api/whatif", {"row": 0, "changes": {"salary": 1}}, "changes"),
    ("POST", "/api/whatif", {"row": 0, "changes": {"income": "a lot"}}, "changes.income"),
    ("POST", "/api/whatif", {"row": 0, "changes": {"job": "z"}}, "changes.job"),
    ("POST", "/api/whatif", {"row": 999, "changes": {}}, "row"),
    ("POST", "/api/whatif", {"rows": 0}, "body"),
    ("POST", "/api/whatif", [1, 2], "body"),
    ("GET", "/api/row?row=x", None, "row"),
    ("GET", "/api/row", None, "row"),
    ("GET", "/api/counterfactuals?row=-2", None, "row"),
])
def test_bad_input_is_a_400_naming_the_parameter(server: DashboardServer, method: str, path: str, body: Any,
                                                 parameter: str) -> None:
    status, headers, answer = request(server, method, path, body)
    assert status == 400 and headers["Content-Type"] == "application/json"
    error = json.loads(answer)
    assert error["parameter"] == parameter and parameter in error["error"]


def test_malformed_and_oversized_bodies_are_refused(server: DashboardServer) -> None:
    status, _, answer = request(server, "POST", "/api/whatif", raw=b"{not json")
    assert status == 400 and json.loads(answer)["parameter"] == "body"
    status, _, answer = request(server, "POST", "/api/whatif", raw=b"x" * 70_000)
    assert status == 400 and json.loads(answer)["parameter"] == "body"


@pytest.mark.parametrize(("method", "path"), [("GET", "/api/nothing"), ("GET", "/static/../_server.py"),
                                              ("GET", "/static/app.py"), ("POST", "/api/row")])
def test_unknown_paths_are_404(server: DashboardServer, method: str, path: str) -> None:
    status, _, answer = request(server, method, path, {} if method == "POST" else None)
    assert status == 404 and "error" in json.loads(answer)


def test_requests_for_another_host_are_refused(server: DashboardServer) -> None:
    # a page on another site that resolves its own name to 127.0.0.1 (DNS rebinding) must not read the data
    assert request(server, "GET", "/api/overview", headers={"Host": "attacker.example:80"})[0] == 403
    assert request(server, "GET", "/api/overview", headers={"Host": f"localhost:{server.port}"})[0] == 200


def test_stop_releases_the_port(server: DashboardServer) -> None:
    other = DashboardServer(server.state, port=0).start()
    port = other.port
    other.stop()
    DashboardServer(server.state, port=port).stop()  # binds again: the port was released


@pytest.mark.parametrize("port", [-1, 70000, "8050", True])
def test_a_bad_port_is_refused(server: DashboardServer, port: Any) -> None:
    with pytest.raises(InvalidParameterError) as err:
        DashboardServer(server.state, port=port)
    assert err.value.parameter == "port"
