"""The shipped German credit data: complete, decoded with the codebook, offline."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

from explicable.datasets import GERMAN_COLUMNS, german_credit_source, load_german_credit

SHARED = Path(__file__).resolve().parents[4] / "shared" / "data" / "german"


def test_shape_classes_and_columns() -> None:
    data = load_german_credit()
    assert data.shape == (1000, 22)
    assert list(data.columns) == [*GERMAN_COLUMNS[:-1], "sex", "credit"]
    assert data["credit"].value_counts().to_dict() == {"good": 700, "bad": 300}
    assert data.isna().sum().sum() == 0


def test_decoded_against_raw_file() -> None:
    data = load_german_credit()
    from importlib import resources

    raw = resources.files("explicable.datasets").joinpath("data", "german.data").read_text().splitlines()
    codebook = json.loads(resources.files("explicable.datasets").joinpath("data", "codebook.json").read_text())
    first = raw[0].split()
    assert data["status"].iloc[0] == codebook["status"][first[0]]
    assert data["duration"].iloc[0] == int(first[1])
    assert data["age"].iloc[0] == int(first[12])
    # counts of a categorical match the raw codes
    codes = pd.Series([line.split()[3] for line in raw]).map(codebook["purpose"])
    assert data["purpose"].astype(str).value_counts().to_dict() == codes.value_counts().to_dict()


def test_booleans_and_sex() -> None:
    data = load_german_credit()
    assert data["foreign_worker"].dtype == bool and int(data["foreign_worker"].sum()) == 963
    female = data["status_sex"].astype(str).str.startswith("female")
    assert ((data["sex"] == "female") == female).all()
    assert int(female.sum()) == 310
    assert isinstance(data["purpose"].dtype, pd.CategoricalDtype)


def test_source_and_licence_ship_with_the_package() -> None:
    text = german_credit_source()
    assert "CC BY 4.0" in text or "Creative Commons Attribution 4.0" in text
    if SHARED.exists():
        from importlib import resources

        shipped = resources.files("explicable.datasets").joinpath("data", "german.data").read_bytes()
        assert shipped == (SHARED / "german.data").read_bytes()
