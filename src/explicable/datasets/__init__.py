"""Data shipped with explicable, with sources and licences."""

from explicable.datasets._german import GERMAN_COLUMNS, german_credit_source, load_german_credit

__all__ = ["GERMAN_COLUMNS", "german_credit_source", "load_german_credit"]
