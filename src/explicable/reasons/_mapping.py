"""Plain-language statements of reasons: a default per feature, or the lender's own reason codes.

A lender's mapping assigns each feature a reason code and a text, e.g. ``{"duration": ("R07", "Term of the
loan too long ({value} months)")}``. Texts may use ``{value}`` (the applicant's value), ``{feature}`` (the
feature's name) and ``{label}`` (its readable name).
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from explicable.core.errors import InvalidDataError, InvalidParameterError

__all__ = ["ReasonCode", "ReasonCodes", "default_statement", "format_value", "humanize", "load_reason_codes"]


@dataclass(frozen=True)
class ReasonCode:
    """A lender's reason for one feature: its code (optional) and a text template."""

    code: str | None
    text: str

    def statement(self, feature: str, value: Any) -> str:
        """The text with ``{value}``, ``{feature}`` and ``{label}`` filled in."""
        try:
            return self.text.format(value=format_value(value), feature=feature, label=humanize(feature))
        except (KeyError, IndexError, ValueError) as exc:
            raise InvalidDataError(parameter="mapping", expected="texts whose only placeholders are {value}, "
                                   "{feature} and {label}", got=f"{self.text!r} ({exc!r})") from None


@dataclass(frozen=True)
class ReasonCodes(Mapping[str, ReasonCode]):
    """Feature name -> :class:`ReasonCode`; build it with :func:`load_reason_codes`."""

    codes: Mapping[str, ReasonCode] = field(default_factory=dict)

    def __getitem__(self, key: str) -> ReasonCode:
        return self.codes[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self.codes)

    def __len__(self) -> int:
        return len(self.codes)


def load_reason_codes(source: Any) -> ReasonCodes:
    """Read a reason-code mapping from a dict, a JSON or CSV file, or a frame.

    Parameters
    ----------
    source : mapping, str or Path, DataFrame or ReasonCodes
        A mapping of feature to a text, a ``(code, text)`` pair or ``{"code": ..., "text": ...}``; a
        ``.json`` file holding such a mapping; a ``.csv`` file or a frame with columns ``feature``, ``text``
        and optionally ``code``.

    Examples
    --------
    >>> codes = load_reason_codes({"duration": ("R07", "Term of the loan too long ({value} months)")})
    >>> codes["duration"].statement("duration", 48.0)
    'Term of the loan too long (48 months)'
    """
    if isinstance(source, ReasonCodes):
        return source
    if isinstance(source, (str, Path)):
        return load_reason_codes(_read(Path(source)))
    if isinstance(source, pd.DataFrame):
        missing = {"feature", "text"} - set(source.columns)
        if missing:
            raise InvalidDataError(parameter="mapping", expected="columns feature, text and optionally code",
                                   got=list(source.columns))
        rows = source.astype(object).where(source.notna(), None).to_dict("records")
        return load_reason_codes({str(r["feature"]): {"code": r.get("code"), "text": r["text"]} for r in rows})
    if not isinstance(source, Mapping):
        raise InvalidParameterError(parameter="mapping", expected="a mapping, a .json or .csv path or a DataFrame",
                                    got=source)
    return ReasonCodes({str(feature): _entry(feature, entry) for feature, entry in source.items()})


def _read(path: Path) -> Any:
    if not path.is_file():
        raise InvalidParameterError(parameter="mapping", expected="an existing .json or .csv file", got=str(path))
    if path.suffix.lower() == ".json":
        try:
            return json.loads(path.read_text(encoding="utf-8"))
        except json.JSONDecodeError as exc:
            raise InvalidDataError(parameter="mapping", expected="valid JSON", got=f"{path} ({exc})") from None
    if path.suffix.lower() == ".csv":
        with path.open(newline="", encoding="utf-8") as handle:
            return pd.DataFrame(list(csv.DictReader(handle)))
    raise InvalidParameterError(parameter="mapping", expected="a .json or .csv file", got=str(path))


def _entry(feature: Any, entry: Any) -> ReasonCode:
    if isinstance(entry, ReasonCode):
        return entry
    if isinstance(entry, str):
        return ReasonCode(None, entry)
    if isinstance(entry, Mapping) and isinstance(entry.get("text"), str):
        code = entry.get("code")
        return ReasonCode(None if code is None or code == "" else str(code), entry["text"])
    if isinstance(entry, (list, tuple)) and len(entry) == 2 and isinstance(entry[1], str):
        return ReasonCode(None if entry[0] is None else str(entry[0]), entry[1])
    raise InvalidDataError(parameter=f"mapping[{feature!r}]", expected="a text, a (code, text) pair or "
                           "{'code': ..., 'text': ...}", got=entry)


def humanize(feature: str) -> str:
    """A feature name as words: ``"credit_amount"`` -> ``"Credit amount"``; joint features joined by "and".

    >>> humanize("credit_amount"), humanize("age+sex")
    ('Credit amount', 'Age and sex')
    """
    words = " and ".join(part.replace("_", " ").strip() for part in feature.split("+"))
    return words[:1].upper() + words[1:] if words else feature


def format_value(value: Any) -> str:
    """A value as an applicant reads it: integral numbers without decimals, booleans as yes/no.

    >>> format_value(48.0), format_value(0.12345), format_value(True), format_value(("a", 2.0))
    ('48', '0.1235', 'yes', 'a, 2')
    """
    if isinstance(value, (bool, np.bool_)):
        return "yes" if value else "no"
    if isinstance(value, (int, np.integer)):
        return str(int(value))
    if isinstance(value, (float, np.floating)):
        if np.isnan(value):
            return "missing"
        return str(int(value)) if float(value).is_integer() else f"{float(value):.4g}"
    if isinstance(value, tuple):
        return ", ".join(format_value(v) for v in value)
    return str(value).strip()


def default_statement(feature: str, value: Any) -> str:
    """``"<Readable name>: <value>"``, or the name alone when the value is unknown.

    >>> default_statement("duration", 48.0)
    'Duration: 48'
    """
    return humanize(feature) if value is None else f"{humanize(feature)}: {format_value(value)}"
