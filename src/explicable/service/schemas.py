"""Request and response bodies of the service (pydantic), the source of the committed OpenAPI schema."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field, model_validator

__all__ = ["DecisionResponse", "ErrorResponse", "ExplainRequest", "ExplainResponse", "ReasonOut", "ReplayResponse",
           "RowExplanation", "RowResult", "VerifyResponse"]

Cell = float | int | str | bool | None


class ExplainRequest(BaseModel):
    """One row (``row``) or a batch (``rows``) of feature values, by feature name."""

    model_config = ConfigDict(extra="forbid")

    model: str | None = Field(None, description="Name of the served model; may be left out when only one is served.")
    row: dict[str, Cell] | None = Field(None, description="One row: feature name -> value.")
    rows: list[dict[str, Cell]] | None = Field(None, description="A batch of rows.")
    budget: int | None = Field(None, ge=1, description="Coalition evaluations per row for sampled methods.")

    @model_validator(mode="after")
    def _one_of(self) -> ExplainRequest:
        if (self.row is None) == (self.rows is None):
            raise ValueError("give exactly one of 'row' and 'rows'")
        if self.rows is not None and not self.rows:
            raise ValueError("'rows' must hold at least one row")
        return self

    def batch(self) -> list[dict[str, Cell]]:
        """The rows, a single ``row`` as a batch of one."""
        return list(self.rows) if self.rows is not None else [dict(self.row or {})]


class RowExplanation(BaseModel):
    """Additive attributions of one row: ``prediction = base_values + sum(values)`` per output."""

    feature_names: list[str]
    output_names: list[str]
    base_values: list[float | None] = Field(description="Per output.")
    values: list[list[float | None]] = Field(description="(n_features, n_outputs).")
    stderr: list[list[float | None]] | None = Field(None, description="Like values; for sampled methods only.")
    output_space: str = Field(description="What the attributions add up to: probability, log-odds or raw.")


class ReasonOut(BaseModel):
    """One principal reason toward the adverse outcome."""

    rank: int
    feature: str
    value: Any = None
    contribution: float | None
    code: str | None = None
    statement: str


class RowResult(BaseModel):
    """The decision on one row."""

    row: int
    prediction: dict[str, float | None]
    explanation: RowExplanation
    reasons: list[ReasonOut] | None = None
    reasons_note: str | None = None


class ExplainResponse(BaseModel):
    """Decisions, their explanations and the id under which they were recorded."""

    decision_id: str
    model: str
    model_fingerprint: str
    method: str
    seed: int | None
    results: list[RowResult]


class DecisionResponse(BaseModel):
    """A recorded decision and its plain-language explanation (one text per row)."""

    decision_id: str
    record: dict[str, Any]
    plain_language: list[str] | None = None
    note: str | None = None


class ReplayResponse(BaseModel):
    """Whether recomputing from the logged input, model fingerprint and seed gave byte-identical results."""

    decision_id: str
    identical: bool
    output_identical: bool
    explanation_identical: bool
    model_fingerprint: str
    seed: int | None
    logged_sha256: str
    replayed_sha256: str


class VerifyResponse(BaseModel):
    """The audit chain check."""

    ok: bool
    records: int
    checkpoints: int
    first_bad: int | None = None
    problem: str | None = None


class ErrorResponse(BaseModel):
    """An error (401, 403, 404, 409, 503)."""

    detail: str
