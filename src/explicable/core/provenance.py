"""Where an Explanation came from: method, settings, seed, budget, timing, fingerprints, versions."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from typing import Any

from explicable.core.errors import InvalidDataError

__all__ = ["OUTPUT_SPACES", "Provenance"]

#: The spaces a model's outputs (and so an explanation's values) can be expressed in.
OUTPUT_SPACES = ("probability", "log-odds", "raw")


@dataclass(frozen=True)
class Provenance:
    """The record of how an Explanation was made.

    Attributes
    ----------
    method : str
        Registry name of the method that ran (``"tree"``, ``"linear"``, ...).
    parameters : mapping
        The method's settings, JSON-serialisable.
    random_state : int or None
        The seed used; None for deterministic methods.
    budget_used : int or None
        Model evaluations spent (None where the method does not evaluate the model, as native TreeSHAP).
    elapsed_seconds : float
        Wall-clock time of ``explain``.
    model_fingerprint, data_fingerprint : str or None
        SHA-256 digests of the model and of the explained rows.
    library_version : str
        explicable's version.
    output_space : str
        The space the values add up in: ``"probability"``, ``"log-odds"`` or ``"raw"``.
    """

    method: str = "unknown"
    parameters: Mapping[str, Any] = field(default_factory=dict)
    random_state: int | None = None
    budget_used: int | None = None
    elapsed_seconds: float = 0.0
    model_fingerprint: str | None = None
    data_fingerprint: str | None = None
    library_version: str = ""
    output_space: str = "raw"

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict of every field."""
        out = asdict(self)
        out["parameters"] = dict(self.parameters)
        return out

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Provenance:
        """Inverse of :meth:`to_dict`; unknown keys are an error (a newer schema)."""
        known = set(cls.__dataclass_fields__)
        unknown = sorted(set(data) - known)
        if unknown:
            raise InvalidDataError(
                parameter="provenance", expected=f"only the keys {sorted(known)}", got=f"unknown keys {unknown}"
            )
        return cls(**dict(data))
