"""Windows of explanations for drift checks: from Explanation JSON files, or from the service's audit store.

The audit store keeps, per ``/v1/explain`` decision, the batch's ``explanation`` (feature and output names,
``values`` of shape (rows, features, outputs), ``base_values``) and the (possibly redacted) ``input`` rows,
with the decision's time. A window is the decisions of one model whose time falls in ``[start, end)``.
"""

from __future__ import annotations

import datetime as _dt
import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np

from explicable.core.errors import InvalidDataError, InvalidParameterError
from explicable.core.explanation import Explanation

__all__ = ["audit_windows", "load_explanations", "parse_window"]

_UNITS = {"s": 1.0, "m": 60.0, "h": 3600.0, "d": 86400.0, "w": 604800.0}


def parse_window(text: str) -> _dt.timedelta:
    """``"30m"``, ``"12h"``, ``"1d"``, ``"2w"`` (or seconds, ``"3600s"``) as a timedelta.

    >>> parse_window("1d")
    datetime.timedelta(days=1)
    """
    match = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([smhdw])\s*", text) if isinstance(text, str) else None
    if match is None or float(match.group(1)) <= 0:
        raise InvalidParameterError(parameter="window", expected="a positive duration like 30m, 12h, 1d or 2w",
                                    got=text)
    return _dt.timedelta(seconds=float(match.group(1)) * _UNITS[match.group(2)])


def load_explanations(path: str | Path) -> list[Explanation]:
    """The Explanations in a JSON file (one Explanation, or a list of them) or in a folder's ``*.json`` files.

    Files in a folder are read in name order.
    """
    where = Path(path)
    if where.is_dir():
        files = sorted(where.glob("*.json"))
        if not files:
            raise InvalidDataError(parameter="path", expected="a folder with Explanation .json files", got=str(where))
    elif where.is_file():
        files = [where]
    else:
        raise InvalidParameterError(parameter="path", expected="an Explanation JSON file or a folder of them",
                                    got=str(where))
    out: list[Explanation] = []
    for file in files:
        try:
            obj = json.loads(file.read_text(encoding="utf-8"))
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            raise InvalidDataError(parameter="path", expected="JSON of an Explanation",
                                   got=f"{file} ({exc})") from None
        out += [Explanation.from_dict(o) for o in (obj if isinstance(obj, list) else [obj])]
    return out


def _record_explanation(record: dict[str, Any]) -> Explanation | None:
    logged = record.get("explanation")
    if record.get("status") != "ok" or not isinstance(logged, dict):
        return None
    names = logged["feature_names"]
    rows = record.get("input")
    data = None
    if isinstance(rows, list) and all(isinstance(r, dict) and all(f in r for f in names) for r in rows):
        data = np.array([[r[f] for f in names] for r in rows], dtype=object)
    return Explanation(np.array(logged["values"], dtype="float64"), np.array(logged["base_values"], dtype="float64"),
                       names, logged["output_names"], data=data)


def _records(url: str, start: float, end: float) -> Iterator[dict[str, Any]]:
    from sqlalchemy import create_engine
    from sqlalchemy.exc import ArgumentError, SQLAlchemyError

    from explicable.audit import _existing_database
    from explicable.audit.store import log_rows

    _existing_database(url)  # a mistyped SQLite path must not create an empty database
    try:
        engine = create_engine(url)
    except ArgumentError as exc:
        raise InvalidParameterError(parameter="audit_db", expected="a database URL", got=url) from exc
    try:
        with engine.connect() as conn:
            for row in log_rows(conn, start):
                # seq order is nearly, not exactly, time order (concurrent requests): filter, don't stop
                if row.ts < end:
                    yield json.loads(row.body)
    except SQLAlchemyError as exc:
        raise InvalidDataError(parameter="audit_db", expected="an explicable audit store",
                               got=f"{url} ({type(exc).__name__})") from None
    finally:
        engine.dispose()


def _window(url: str, start: float, end: float, model: str | None) -> list[Explanation]:
    found: list[Explanation] = []
    for record in _records(url, start, end):
        if model is not None and record.get("model") != model:
            continue
        exp = _record_explanation(record)
        if exp is not None:
            found.append(exp)
    return found


def audit_windows(url: str, window: str | _dt.timedelta, *, end: _dt.datetime | None = None,
                  model: str | None = None) -> tuple[list[Explanation], list[Explanation]]:
    """The reference and current windows of explanations from an audit store.

    Parameters
    ----------
    url : str
        The store's database URL (``sqlite:///audit.db``), read only.
    window : str or timedelta
        Length of each window (``"1d"``): current = ``[end - window, end)``, reference = the window before.
    end : datetime, optional
        End of the current window (default now, UTC).
    model : str, optional
        Only this served model's decisions (needed when several models with different features are served).

    Returns
    -------
    (reference, current) : lists of Explanation, one per recorded decision
    """
    span = parse_window(window) if isinstance(window, str) else window
    if not isinstance(span, _dt.timedelta) or span <= _dt.timedelta(0):
        raise InvalidParameterError(parameter="window", expected="a positive duration", got=window)
    stop = end or _dt.datetime.now(_dt.UTC)
    if stop.tzinfo is None:
        stop = stop.replace(tzinfo=_dt.UTC)
    t1 = stop.timestamp()
    t0 = t1 - span.total_seconds()
    reference = _window(url, t0 - span.total_seconds(), t0, model)
    current = _window(url, t0, t1, model)
    for name, found in (("reference", reference), ("current", current)):
        if not found:
            raise InvalidDataError(parameter="audit_db", expected=f"explained decisions in the {name} window",
                                   got=f"none between {_iso(t0 - span.total_seconds() if name == 'reference' else t0)}"
                                       f" and {_iso(t0 if name == 'reference' else t1)}")
    return reference, current


def _iso(ts: float) -> str:
    return _dt.datetime.fromtimestamp(ts, _dt.UTC).isoformat(timespec="seconds")
