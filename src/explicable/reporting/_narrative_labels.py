"""Readable names and values for narratives: "loan term (48 months)", not "duration: 48.0".

A caller's ``labels`` come first; then, for the German credit data, labels after its codebook (coded values
such as ``A11`` decoded with ``codebook.json``, ranges such as ``"... < 0 DM"`` said in words); else the name
with its underscores as spaces. The German labels apply only when every name in view is a German credit
column, so that another data set's ``status`` is not called a checking account.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from typing import Any

import numpy as np

from explicable.core.errors import InvalidParameterError

__all__ = ["GERMAN_CREDIT_LABELS", "Labels", "format_amount", "format_number", "join_words", "make_labels"]

#: Readable label and unit of each German credit column, from the data set's documentation (SOURCES.md).
GERMAN_CREDIT_LABELS: Mapping[str, tuple[str, str]] = {
    "status": ("checking account balance", ""),
    "duration": ("loan term", "months"),
    "credit_history": ("credit history", ""),
    "purpose": ("purpose of the loan", ""),
    "credit_amount": ("loan amount", "DM"),
    "savings": ("savings", ""),
    "present_employment": ("time in current job", ""),
    "installment_rate": ("installment rate as a share of income", ""),
    "status_sex": ("marital status and sex", ""),
    "other_debtors": ("other debtors or guarantors", ""),
    "present_residence_since": ("time at current address", "years"),
    "property": ("property", ""),
    "age": ("age", "years"),
    "installment_plans": ("other installment plans", ""),
    "housing": ("housing", ""),
    "number_of_existing_credits": ("number of loans at this bank", ""),
    "job": ("job", ""),
    "number_of_people_liable_for": ("number of people who depend on you", ""),
    "telephone": ("telephone on record", ""),
    "foreign_worker": ("foreign worker", ""),
    "sex": ("sex", ""),
}

_RANGES = (
    (re.compile(r"^(\S+)\s*<=\s*\.+\s*<\s*(.+)$"), r"\1 to \2"),
    (re.compile(r"^\.+\s*<\s*(.+)$"), r"less than \1"),
    (re.compile(r"^\.+\s*>=\s*(.+)$"), r"\1 or more"),
)


@lru_cache(maxsize=1)
def _codebook() -> dict[str, dict[str, Any]]:
    text = resources.files("explicable.datasets").joinpath("data", "codebook.json").read_text(encoding="utf-8")
    return dict(json.loads(text))


def bare_name(name: str) -> str:
    """The name without a scikit-learn ``transformer__`` prefix."""
    return name.split("__", 1)[1] if "__" in name else name


@dataclass(frozen=True)
class Labels:
    """How features and their values are named in a narrative.

    Attributes
    ----------
    custom : mapping of str to (label, unit)
        The caller's labels (first choice).
    german : bool
        Whether the German credit labels and codebook apply.
    """

    custom: Mapping[str, tuple[str, str]] = field(default_factory=dict)
    german: bool = False

    def label(self, feature: str) -> str:
        """The feature's name in words, lower case unless the caller's label says otherwise."""
        return self._entry(feature)[0]

    def phrase(self, feature: str, value: Any) -> str:
        """``"loan term (48 months)"``; the label alone when the value is unknown."""
        text = self.value(feature, value)
        return self.label(feature) if text is None else f"{self.label(feature)} ({text})"

    def value(self, feature: str, value: Any) -> str | None:
        """The value in words, with its unit; None when unknown."""
        if value is None:
            return None
        unit = self._entry(feature)[1]
        if isinstance(value, (bool, np.bool_)):
            return "yes" if value else "no"
        if isinstance(value, (int, float, np.integer, np.floating)):
            number = format_number(float(value))
            return f"{number} {unit}" if unit and number != "missing" else number
        if isinstance(value, tuple):
            return ", ".join(t for t in (self.value(feature, v) for v in value) if t is not None)
        return self._category(feature, str(value).strip())

    def _entry(self, feature: str) -> tuple[str, str]:
        if feature in self.custom:
            return self.custom[feature]
        bare = bare_name(feature)
        if self.german and bare in GERMAN_CREDIT_LABELS:
            return GERMAN_CREDIT_LABELS[bare]
        words = " and ".join(part.replace("_", " ").strip() for part in bare.split("+"))
        return (words if words else feature), ""

    def _category(self, feature: str, text: str) -> str:
        if not self.german:
            return text
        coded = _codebook().get(bare_name(feature), {})
        decoded = coded.get(text, text)
        if isinstance(decoded, bool):
            return "yes" if decoded else "no"
        parts = [_range_words(part) for part in re.split(r"\s*/\s*", str(decoded).strip()) if part]
        return join_words(parts, "or").replace(" : ", ", ")


def _range_words(text: str) -> str:
    """``"... < 0 DM"`` -> ``"less than 0 DM"``; ``"1 <= ... < 4 years"`` -> ``"1 to 4 years"``; 1000 -> 1,000."""
    for pattern, replacement in _RANGES:
        text = pattern.sub(replacement, text)
    return re.sub(r"\b\d{4,}\b", lambda m: f"{int(m.group()):,}", text)


def make_labels(labels: Mapping[str, Any] | None, names: Iterable[str]) -> Labels:
    """Labels from the caller's mapping (feature -> label, or (label, unit)), German ones when ``names`` are.

    >>> make_labels(None, ["duration", "status"]).phrase("duration", 48.0)
    'loan term (48 months)'
    >>> make_labels({"inc": ("income", "EUR")}, ["inc"]).phrase("inc", 51230.4)
    'income (51,230 EUR)'
    """
    custom: dict[str, tuple[str, str]] = {}
    for feature, entry in (labels or {}).items():
        if isinstance(entry, str):
            custom[str(feature)] = (entry, "")
        elif isinstance(entry, (tuple, list)) and len(entry) == 2 and all(isinstance(e, str) for e in entry):
            custom[str(feature)] = (entry[0], entry[1])
        else:
            raise InvalidParameterError(parameter=f"labels[{feature!r}]", expected="a label or a (label, unit) pair",
                                        got=entry)
    bare = {_column(bare_name(n)) for n in names if n not in custom}
    german = bool(bare) and bare <= set(GERMAN_CREDIT_LABELS)
    return Labels(custom, german)


def _column(name: str) -> str:
    """A one-hot column ``status_A11`` belongs to ``status``; joint names ``a+b`` to their first part."""
    name = name.split("+")[0]
    if name in GERMAN_CREDIT_LABELS:
        return name
    owners = [c for c in GERMAN_CREDIT_LABELS if name.startswith(c + "_")]
    return max(owners, key=len) if owners else name


def format_number(value: float) -> str:
    """A number as a reader expects it: thousands separated, integers without decimals, 4 significant digits.

    >>> format_number(9000.0), format_number(0.123456), format_number(-2.5), format_number(float("nan"))
    ('9,000', '0.1235', '-2.5', 'missing')
    """
    if math.isnan(value):
        return "missing"
    if math.isinf(value):
        return "infinite" if value > 0 else "minus infinite"
    if float(value).is_integer():
        return f"{int(value):,}"
    digits = max(0, 3 - math.floor(math.log10(abs(value))))
    text = f"{value:,.{digits}f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def format_amount(value: float) -> str:
    """A contribution or score: two decimals, or two significant digits when smaller than 0.1.

    >>> format_amount(0.2149), format_amount(0.0123), format_amount(0.05), format_amount(1.0)
    ('0.21', '0.012', '0.05', '1.00')
    """
    size = abs(value)
    if size >= 0.1 or size == 0 or math.isnan(value):
        return f"{value:.2f}"
    text = f"{value:.{1 - math.floor(math.log10(size))}f}".rstrip("0")
    return text if len(text.split(".")[1]) >= 2 else f"{value:.2f}"


def join_words(items: list[str], conjunction: str = "and") -> str:
    """``"a"``, ``"a and b"``, ``"a, b and c"``.

    >>> join_words(["a", "b", "c"])
    'a, b and c'
    """
    if len(items) <= 1:
        return "".join(items)
    return f"{', '.join(items[:-1])} {conjunction} {items[-1]}"
