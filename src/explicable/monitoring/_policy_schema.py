"""The schema of a policy file, written in code, and its checker that names the key path and the YAML line.

A schema is a mapping of key -> :class:`Rule` (a leaf: how to check one value) or a nested mapping (a
section). The checker walks the parsed document beside the node tree of :func:`yaml.compose`, so every
error can say on which line of the file the offending key sits.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Union

import yaml

from explicable.core.errors import InvalidParameterError
from explicable.core.validation import check_choice, check_int, check_number, check_random_state

__all__ = ["SCHEMA", "Rule", "key_lines", "validate"]

Lines = dict[tuple[str, ...], int]


@dataclass(frozen=True)
class Rule:
    """How to check one leaf value: ``check(value, path) -> value`` raising InvalidParameterError."""

    check: Callable[[Any, str], Any]


def _number(low: float | None = None, high: float | None = None, *, low_open: bool = False,
            high_open: bool = False) -> Rule:
    return Rule(lambda v, p: check_number(v, p, low=low, high=high, low_open=low_open, high_open=high_open))


def _int(low: int, high: int | None = None) -> Rule:
    return Rule(lambda v, p: check_int(v, p, low=low, high=high))


def _names(value: Any, path: str) -> tuple[str, ...]:
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not value or not all(isinstance(v, str) and v for v in value):
        raise InvalidParameterError(parameter=path, expected="a non-empty list of column names", got=value)
    return tuple(value)


def _label(value: Any, path: str) -> str | int | bool:
    if isinstance(value, (str, int, bool)) and not isinstance(value, float):
        return value
    raise InvalidParameterError(parameter=path, expected="an outcome value (a string, an int or a boolean)", got=value)


Schema = Mapping[str, Union[Rule, "Schema"]]

#: Every key a policy may hold. Thresholds are documented in :mod:`explicable.monitoring.policy`.
SCHEMA: Schema = {
    "method": Rule(lambda v, p: check_choice(v, p, ("auto", "tree", "linear", "exact", "kernel", "permutation"))),
    "rows": _int(2, 100_000),
    "random_state": Rule(check_random_state),
    "quality": {
        "deletion_margin_min": _number(-1.0, 1.0),
        "top_k": {"k": _int(1), "min_stable_fraction": _number(0.0, 1.0)},
        "randomization_max_similarity": _number(-1.0, 1.0),
    },
    "fairness": {
        "sensitive": Rule(_names),
        "positive": Rule(_label),
        "threshold": _number(0.0, 1.0),
        "impact_ratio_min": _number(0.0, 1.0),
        "equalized_odds_difference_max": _number(0.0, 1.0),
        "demographic_parity_difference_max": _number(0.0, 1.0),
    },
    "drift": {
        "ndcg_min": _number(0.0, 1.0),
        "psi_max": _number(0.0, low_open=True),
        "ks_alpha": _number(0.0, 1.0, low_open=True, high_open=True),
        "mean_abs_change_max": _number(0.0, low_open=True),
    },
}


def key_lines(text: str) -> Lines:
    """1-based line of every key path in a YAML document (the key's own line)."""
    lines: Lines = {}
    root = yaml.compose(text, Loader=yaml.SafeLoader)
    stack: list[tuple[tuple[str, ...], Any]] = [((), root)]
    while stack:
        path, node = stack.pop()
        if not isinstance(node, yaml.MappingNode):
            continue
        for key, value in node.value:
            child = (*path, str(key.value))
            lines[child] = key.start_mark.line + 1
            stack.append((child, value))
    return lines


def validate(document: Any, lines: Lines, where: str) -> dict[str, Any]:
    """The document checked against :data:`SCHEMA`, leaves converted; raise naming key path and line."""
    if document is None:
        document = {}
    if not isinstance(document, Mapping):
        raise InvalidParameterError(f"{where}: the policy must be a mapping of sections ({', '.join(SCHEMA)}). "
                                    f"Got {type(document).__name__} instead.", parameter="policy", got=document)
    return _section(document, SCHEMA, (), lines, where)


def _section(given: Mapping[str, Any], schema: Schema, path: tuple[str, ...], lines: Lines,
             where: str) -> dict[str, Any]:
    checked: dict[str, Any] = {}
    for key, value in given.items():
        child = (*path, str(key))
        dotted = ".".join(child)
        line = lines.get(child, lines.get(path, 1))
        rule = schema.get(str(key))
        if rule is None:
            close = difflib.get_close_matches(str(key), list(schema), n=1, cutoff=0.6)
            hint = f" (did you mean '{'.'.join((*path, close[0]))}'?)" if close else ""
            raise InvalidParameterError(
                f"{where}, line {line}: unknown key '{dotted}'{hint}; expected one of {', '.join(schema)}.",
                parameter=dotted, expected=f"one of {', '.join(schema)}", got=key)
        if isinstance(rule, Rule):
            checked[str(key)] = _leaf(rule, value, dotted, line, where)
        elif isinstance(value, Mapping):
            checked[str(key)] = _section(value, rule, child, lines, where)
        elif value is not None:
            raise InvalidParameterError(
                f"{where}, line {line}: '{dotted}' must be a section with keys {', '.join(rule)}. "
                f"Got {value!r} instead.", parameter=dotted, expected=f"a section with keys {', '.join(rule)}",
                got=value)
    return checked


def _leaf(rule: Rule, value: Any, dotted: str, line: int, where: str) -> Any:
    try:
        return rule.check(value, dotted)
    except InvalidParameterError as exc:
        raise InvalidParameterError(f"{where}, line {line}: {exc.message}", parameter=dotted,
                                    expected=exc.expected, got=value) from None
