"""The German credit data (UCI Statlog, CC BY 4.0), shipped with the package: no download."""

from __future__ import annotations

import json
from importlib import resources

import pandas as pd

__all__ = ["GERMAN_COLUMNS", "german_credit_source", "load_german_credit"]

#: Readable column names, in file order; the 21st is the class.
GERMAN_COLUMNS = (
    "status", "duration", "credit_history", "purpose", "credit_amount", "savings", "present_employment",
    "installment_rate", "status_sex", "other_debtors", "present_residence_since", "property", "age",
    "installment_plans", "housing", "number_of_existing_credits", "job", "number_of_people_liable_for",
    "telephone", "foreign_worker", "credit",
)


def _data_file(name: str) -> str:
    return resources.files("explicable.datasets").joinpath("data", name).read_text(encoding="utf-8")


def german_credit_source() -> str:
    """The dataset's source, licence, citation and column notes (SOURCES.md)."""
    return _data_file("SOURCES.md")


def load_german_credit() -> pd.DataFrame:
    """Load the German credit data with readable names and decoded categories.

    Returns
    -------
    DataFrame of shape (1000, 22)
        The 20 attributes (categorical columns as pandas categoricals with the codebook's labels, in codebook
        order; ``telephone`` and ``foreign_worker`` as booleans), ``sex`` ("female"/"male", derived from
        ``status_sex``, a protected attribute for audits) and the class ``credit`` ("good"/"bad").

    Notes
    -----
    Hofmann, H. (1994). Statlog (German Credit Data). UCI Machine Learning Repository, CC BY 4.0.
    https://doi.org/10.24432/C5NC77. See :func:`german_credit_source` for the codebook's notes.

    Examples
    --------
    >>> df = load_german_credit()
    >>> df.shape, int((df["credit"] == "bad").sum())
    ((1000, 22), 300)
    """
    rows = [line.split() for line in _data_file("german.data").splitlines() if line.strip()]
    raw = pd.DataFrame(rows, columns=list(GERMAN_COLUMNS))
    codebook: dict[str, dict[str, object]] = json.loads(_data_file("codebook.json"))
    frame = pd.DataFrame(index=raw.index)
    for column in GERMAN_COLUMNS:
        codes = codebook.get(column)
        if codes is None:
            frame[column] = raw[column].astype("int64")
        elif all(isinstance(v, bool) for v in codes.values()):
            frame[column] = raw[column].map(codes).astype(bool)
        else:
            labels = [str(v) for v in codes.values()]
            frame[column] = pd.Categorical(raw[column].map(lambda c, m=codes: str(m[c])), categories=labels)
    sex = frame["status_sex"].astype(str).str.split(":").str[0].str.strip()
    frame.insert(len(GERMAN_COLUMNS) - 1, "sex", pd.Series(pd.Categorical(sex, categories=["female", "male"])))
    return frame
