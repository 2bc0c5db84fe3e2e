"""A policy of interpretability thresholds (explanation quality, fairness, drift), read from YAML and checked.

A policy file looks like this (every key optional; a check whose threshold is absent is not run)::

    method: auto            # the explanation method the quality checks explain with
    rows: 100               # rows explained and checked (the first ones of the data)
    random_state: 0
    quality:
      deletion_margin_min: 0.05          # evaluation.deletion_curve's normalised margin over random orders
      top_k: {k: 4, min_stable_fraction: 0.9}   # share of rows whose top-k ranking is stable (top_k_stable)
      randomization_max_similarity: 0.5  # sanity check: rank correlation with a randomised model, at most
    fairness:
      sensitive: [sex]
      positive: good                     # the favourable outcome (default 1 for 0/1 outcomes)
      threshold: 0.5                     # decision threshold on its score
      impact_ratio_min: 0.8              # the four-fifths rule
      equalized_odds_difference_max: 0.1
      demographic_parity_difference_max: 0.1
    drift:                               # read by `explicable monitor`
      ndcg_min: 0.9
      psi_max: 0.2
      ks_alpha: 0.01
      mean_abs_change_max: 0.5

Errors name the key path, what was expected, what was given and the line of the file.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from explicable.core.errors import InvalidParameterError
from explicable.monitoring._policy_schema import key_lines, validate

__all__ = ["DriftPolicy", "FairnessPolicy", "Policy", "QualityPolicy", "TopKPolicy", "load_policy"]


@dataclass(frozen=True)
class TopKPolicy:
    """Top-k stability: at least ``min_stable_fraction`` of rows with a stable top-``k`` ranking."""

    k: int = 4
    min_stable_fraction: float = 0.9


@dataclass(frozen=True)
class QualityPolicy:
    """Thresholds of the explanation-quality checks (None: the check is not run)."""

    deletion_margin_min: float | None = None
    top_k: TopKPolicy | None = None
    randomization_max_similarity: float | None = None


@dataclass(frozen=True)
class FairnessPolicy:
    """Fairness thresholds on the model's decisions for the ``sensitive`` columns."""

    sensitive: tuple[str, ...] = ()
    positive: str | int | bool | None = None
    threshold: float = 0.5
    impact_ratio_min: float | None = None
    equalized_odds_difference_max: float | None = None
    demographic_parity_difference_max: float | None = None


@dataclass(frozen=True)
class DriftPolicy:
    """Attribution-drift thresholds (applied by the drift monitor, not by ``run_checks``)."""

    ndcg_min: float | None = None
    psi_max: float | None = None
    ks_alpha: float | None = None
    mean_abs_change_max: float | None = None


@dataclass(frozen=True)
class Policy:
    """A checked policy: settings of the checks and their thresholds, section by section.

    Attributes
    ----------
    quality, fairness, drift : QualityPolicy, FairnessPolicy, DriftPolicy
    method : str
        Explanation method for the quality checks (default "auto").
    rows : int
        Rows explained and checked (default 100).
    random_state : int or None
    source : str
        Where it was read from (a file name, or "<policy>" for text).
    """

    quality: QualityPolicy = field(default_factory=QualityPolicy)
    fairness: FairnessPolicy = field(default_factory=FairnessPolicy)
    drift: DriftPolicy = field(default_factory=DriftPolicy)
    method: str = "auto"
    rows: int = 100
    random_state: int | None = 0
    source: str = "<policy>"


def load_policy(path_or_text: str | Path | Policy) -> Policy:
    """Read and check a policy from a YAML file or YAML text.

    Parameters
    ----------
    path_or_text : Path, str or Policy
        A path (a ``Path``, or a one-line string without ``:``) or the YAML text itself.

    Returns
    -------
    Policy

    Raises
    ------
    InvalidParameterError
        Unreadable file, YAML syntax error, unknown key (with a suggestion), or a value of the wrong type or
        out of range; the message names the key path and the line.

    Examples
    --------
    >>> p = load_policy("fairness:\\n  sensitive: [sex]\\n  impact_ratio_min: 0.8\\n")
    >>> p.fairness.impact_ratio_min, p.fairness.sensitive
    (0.8, ('sex',))
    >>> try:
    ...     load_policy("fairness:\\n  impact_ratio_mn: 0.8\\n")
    ... except ValueError as exc:
    ...     print(str(exc).split(";")[0])
    <policy>, line 2: unknown key 'fairness.impact_ratio_mn' (did you mean 'fairness.impact_ratio_min'?)
    """
    if isinstance(path_or_text, Policy):
        return path_or_text
    text, where = _read(path_or_text)
    try:
        lines = key_lines(text)
        document = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = f", line {mark.line + 1}" if mark is not None else ""
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise InvalidParameterError(f"{where}{line}: not valid YAML: {problem}.", parameter="policy",
                                    expected="a YAML mapping", got=where) from None
    return _build(validate(document, lines, where), where)


def _read(source: Any) -> tuple[str, str]:
    if isinstance(source, str) and ("\n" in source or ":" in source):
        return source, "<policy>"
    if not isinstance(source, (str, Path)):
        raise InvalidParameterError(parameter="policy", expected="a path to a YAML file or YAML text", got=source)
    try:
        return Path(source).read_text(encoding="utf-8"), Path(source).name
    except (OSError, UnicodeDecodeError) as exc:
        raise InvalidParameterError(parameter="policy", expected="a readable YAML file",
                                    got=f"{source} ({type(exc).__name__})") from None


def _build(checked: Mapping[str, Any], where: str) -> Policy:
    quality = dict(checked.get("quality") or {})
    if "top_k" in quality:
        quality["top_k"] = TopKPolicy(**(quality["top_k"] or {}))
    fairness = dict(checked.get("fairness") or {})
    has_thresholds = any(k.endswith(("_min", "_max")) for k in fairness)
    if has_thresholds and not fairness.get("sensitive"):
        raise InvalidParameterError(f"{where}: 'fairness.sensitive' is required when fairness thresholds are set.",
                                    parameter="fairness.sensitive", expected="a list of columns", got=None)
    settings = {k: checked[k] for k in ("method", "rows", "random_state") if k in checked}
    return Policy(quality=QualityPolicy(**quality), fairness=FairnessPolicy(**fairness),
                  drift=DriftPolicy(**dict(checked.get("drift") or {})), source=where, **settings)
