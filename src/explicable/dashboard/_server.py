"""The dashboard's HTTP layer: the page, its bundled assets and JSON endpoints, on the standard library's server.

Thin on purpose: each endpoint parses its parameters, calls :class:`DashboardState` (tables) or
:class:`DeepDashboardState` (images and texts: ``/api/overview``, ``/api/item?item=N``,
``/api/heads?item=N&layer=L``), and sends the dict back.
Bad input (an unknown feature, a value a feature can't take, a row out of range) gets a 400 with a JSON body
``{"error": ..., "parameter": ...}``. Nothing is fetched from the network: the page, script and style are
package files, and the Content-Security-Policy forbids the browser to load anything from elsewhere.
"""

from __future__ import annotations

import json
import sys
import threading
from collections.abc import Callable
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from importlib import resources
from typing import Any
from urllib.parse import parse_qs, urlsplit

from explicable.core.errors import ExplicableError, InvalidParameterError
from explicable.dashboard._deep import DeepDashboardState
from explicable.dashboard._state import DashboardState

__all__ = ["DashboardServer"]

#: Largest request body accepted (a what-if edit is a few hundred bytes).
MAX_BODY = 1 << 16
_ASSETS = {"/": ("index.html", "text/html; charset=utf-8"), "/index.html": ("index.html", "text/html; charset=utf-8"),
           "/static/app.js": ("app.js", "text/javascript; charset=utf-8"),
           "/static/deep.js": ("deep.js", "text/javascript; charset=utf-8"),
           "/static/app.css": ("app.css", "text/css; charset=utf-8")}
#: The page of an image or text model's dashboard, served as the index instead of the tabular one.
_DEEP_PAGE = ("deep.html", "text/html; charset=utf-8")
_CSP = ("default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
        "base-uri 'none'; form-action 'none'; frame-ancestors 'none'")
_LOOPBACK = ("127.0.0.1", "localhost", "::1")


class NotFoundError(LookupError):
    """No endpoint at this path (a 404)."""


class DashboardServer:
    """Serve a :class:`DashboardState` as a local web page.

    Parameters
    ----------
    state : DashboardState or DeepDashboardState
        A table's dashboard, or an image or text model's (then the index is the deep page).
    host : str, default "127.0.0.1"
        Interface to listen on. The default keeps the dashboard on this machine; a loopback server also
        refuses requests addressed to any other host name (DNS rebinding).
    port : int, default 8050
        0 picks a free port (see :attr:`url`).

    Examples
    --------
    >>> import pandas as pd
    >>> from explicable import FunctionModel
    >>> model = FunctionModel(lambda X: X.sum(axis=1), feature_names=["a", "b"])
    >>> state = DashboardState(model, pd.DataFrame({"a": [1.0, 2.0], "b": [0.0, 1.0]}), random_state=0)
    >>> with DashboardServer(state, port=0).start() as server:
    ...     server.url.startswith("http://127.0.0.1:")
    True
    """

    def __init__(self, state: DashboardState | DeepDashboardState, *, host: str = "127.0.0.1",
                 port: int = 8050) -> None:
        if not isinstance(state, (DashboardState, DeepDashboardState)):
            raise InvalidParameterError(parameter="state", expected="a DashboardState or DeepDashboardState",
                                        got=state)
        if isinstance(port, bool) or not isinstance(port, int) or not 0 <= port <= 65535:
            raise InvalidParameterError(parameter="port", expected="an int in [0, 65535]", got=port)
        self.state = state
        self.host = host
        self.lock = threading.Lock()  # one model call at a time: not every model library is thread-safe
        self.httpd = _HTTPServer((host, port), _handler(self))
        self._thread: threading.Thread | None = None

    @property
    def port(self) -> int:
        return int(self.httpd.server_address[1])

    @property
    def url(self) -> str:
        """The page's address."""
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}/"

    def serve_forever(self) -> None:
        """Serve until interrupted (Ctrl-C) or :meth:`stop` is called from another thread."""
        try:
            self.httpd.serve_forever()
        finally:
            self.httpd.server_close()

    def start(self) -> DashboardServer:
        """Serve from a background thread; returns self (use :meth:`stop`, or ``with``)."""
        self._thread = threading.Thread(target=self.httpd.serve_forever, name="explicable-dashboard", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving and release the port."""
        if self._thread is not None:
            self.httpd.shutdown()
            self._thread.join()
            self._thread = None
        self.httpd.server_close()

    def __enter__(self) -> DashboardServer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # ---- routing ---------------------------------------------------------------------------------------
    def asset(self, path: str) -> tuple[str, str] | None:
        """The bundled file (name, content type) served at ``path``, if any."""
        if path in ("/", "/index.html") and isinstance(self.state, DeepDashboardState):
            return _DEEP_PAGE
        return _ASSETS.get(path)

    def get(self, path: str, query: dict[str, list[str]]) -> Any:
        """The JSON answer of a GET endpoint (:class:`NotFoundError` for an unknown path)."""
        state = self.state
        if isinstance(state, DeepDashboardState):
            return self._get_deep(state, path, query)
        routes: dict[str, Callable[[], Any]] = {
            "/api/overview": state.overview, "/api/schema": state.schema, "/api/importance": state.importance,
            "/api/fairness": state.fairness,
            "/api/row": lambda: state.row(_row(query)),
            "/api/counterfactuals": lambda: state.counterfactuals(_row(query))}
        view = routes.get(path)
        if view is None:
            raise NotFoundError(path)
        with self.lock:
            return view()

    def _get_deep(self, state: DeepDashboardState, path: str, query: dict[str, list[str]]) -> Any:
        routes: dict[str, Callable[[], Any]] = {
            "/api/overview": state.overview,
            "/api/item": lambda: state.item(_number(query, "item")),
            "/api/heads": lambda: state.heads(_number(query, "item"), _number(query, "layer", required=False))}
        view = routes.get(path)
        if view is None:
            raise NotFoundError(path)
        with self.lock:
            return view()

    def post(self, path: str, body: Any) -> Any:
        """The JSON answer of a POST endpoint (:class:`NotFoundError` for an unknown path)."""
        if path != "/api/whatif" or not isinstance(self.state, DashboardState):
            raise NotFoundError(path)
        if not isinstance(body, dict) or set(body) - {"row", "changes"}:
            raise InvalidParameterError(parameter="body", expected='{"row": N, "changes": {feature: value}}',
                                        got=body)
        row: Any = body.get("row")  # checked by the state, like every other value of the request
        with self.lock:
            return self.state.what_if(row, body.get("changes", {}))

    def host_allowed(self, header: str | None) -> bool:
        """Whether a request's Host header names this server (always, unless bound to loopback)."""
        if self.host not in _LOOPBACK:
            return True
        host = header or ""
        if not host.endswith("]"):  # drop the port: "localhost:8050", "[::1]:8050"
            host = host.rsplit(":", 1)[0]
        return host.strip("[]") in _LOOPBACK


class _HTTPServer(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: Any, client_address: Any) -> None:
        if isinstance(sys.exc_info()[1], ConnectionError):
            return  # the browser went away mid-answer (page closed, request superseded): nothing to report
        super().handle_error(request, client_address)


def _row(query: dict[str, list[str]]) -> int:
    values = query.get("row", [])
    try:
        return int(values[0])
    except (IndexError, ValueError):
        raise InvalidParameterError(parameter="row", expected="a row number, e.g. ?row=3",
                                    got=values[0] if values else None) from None


def _number(query: dict[str, list[str]], name: str, *, required: bool = True) -> int | None:
    values = query.get(name, [])
    if not values and not required:
        return None
    try:
        return int(values[0])
    except (IndexError, ValueError):
        raise InvalidParameterError(parameter=name, expected=f"a whole number, e.g. ?{name}=3",
                                    got=values[0] if values else None) from None


def _asset(name: str) -> bytes:
    return resources.files("explicable.dashboard").joinpath("assets", name).read_bytes()


def _handler(server: DashboardServer) -> type[BaseHTTPRequestHandler]:
    class Handler(_Handler):
        dashboard = server

    return Handler


class _Handler(BaseHTTPRequestHandler):
    dashboard: DashboardServer
    server_version = "explicable-dashboard"
    protocol_version = "HTTP/1.1"
    # headers and body go out in two writes; with Nagle's algorithm the second waits for the client's delayed
    # ACK (40 ms on Linux) on every keep-alive request
    disable_nagle_algorithm = True

    def log_message(self, format: str, *args: Any) -> None:
        pass  # the command prints the address; a line per request would drown it

    def do_GET(self) -> None:
        if not self._check_host():
            return
        parts = urlsplit(self.path)
        asset = self.dashboard.asset(parts.path)
        if asset is not None:
            name, content_type = asset
            self._send(HTTPStatus.OK, _asset(name), content_type, cache=True)
            return
        self._answer(lambda: self.dashboard.get(parts.path, parse_qs(parts.query)))

    def do_POST(self) -> None:
        if not self._check_host():
            return
        path = urlsplit(self.path).path
        self._answer(lambda: self.dashboard.post(path, self._body()))

    def _body(self) -> Any:
        try:
            length = int(self.headers.get("Content-Length", "0"))
        except ValueError:
            length = -1
        if not 0 <= length <= MAX_BODY:
            raise InvalidParameterError(parameter="body", expected=f"a JSON body of at most {MAX_BODY} bytes",
                                        got=self.headers.get("Content-Length"))
        try:
            return json.loads(self.rfile.read(length) or b"null")
        except ValueError:
            raise InvalidParameterError(parameter="body", expected="JSON", got="unparseable text") from None

    def _answer(self, compute: Callable[[], Any]) -> None:
        try:
            status, answer = HTTPStatus.OK, compute()
        except NotFoundError:
            status, answer = HTTPStatus.NOT_FOUND, {"error": f"No endpoint {self.command} {self.path}."}
        except ExplicableError as exc:
            status, answer = HTTPStatus.BAD_REQUEST, {"error": str(exc), "parameter": exc.parameter}
        except Exception as exc:  # any other failure is ours: say so, and keep serving
            status, answer = HTTPStatus.INTERNAL_SERVER_ERROR, {"error": f"internal error: {type(exc).__name__}: "
                                                                         f"{exc}"}
        self._send(status, json.dumps(answer, allow_nan=False).encode(), "application/json")

    def _check_host(self) -> bool:
        if self.dashboard.host_allowed(self.headers.get("Host")):
            return True
        self._send(HTTPStatus.FORBIDDEN, b'{"error": "unexpected Host header"}', "application/json")
        return False

    def _send(self, status: HTTPStatus, body: bytes, content_type: str, *, cache: bool = False) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Content-Security-Policy", _CSP)
        self.send_header("X-Content-Type-Options", "nosniff")
        self.send_header("Cache-Control", "max-age=300" if cache else "no-store")
        self.end_headers()
        self.wfile.write(body)
