"""The error raised when principal reasons would not be reproducible."""

from __future__ import annotations

from typing import Any

from explicable.core.errors import ExplicableError

__all__ = ["UnstableRankingError"]


class UnstableRankingError(ExplicableError):
    """The top-k ranking of an explanation's features is within its estimation error.

    Principal reasons must not change when the same applicant is explained again; a sampled explanation
    whose k-th and (k+1)-th factors are not separated by more than their standard errors would give other
    reasons on another run. Attributes ``rows`` (the unstable rows), ``min_z`` and ``threshold`` say by how much.
    """

    def __init__(self, message: str, *, rows: tuple[int, ...] = (), min_z: tuple[float, ...] = (),
                 threshold: float = float("nan"), **fields: Any) -> None:
        super().__init__(message, **fields)
        self.rows = rows
        self.min_z = min_z
        self.threshold = threshold
