"""What the whole-model methods share: the model and data at the boundary, feature and output lookup, provenance."""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from explicable._version import __version__
from explicable.core.errors import InvalidParameterError
from explicable.core.fingerprint import digest_array
from explicable.core.provenance import Provenance
from explicable.core.validation import Table
from explicable.models.base import ModelAdapter
from explicable.models.wrap import wrap

__all__ = ["DEFAULT_BATCH_ROWS", "make_provenance", "prepare", "resolve_features", "resolve_outputs"]

#: Most model rows per predict call: bounds memory (about 20 MiB a batch at 10 float64 features).
DEFAULT_BATCH_ROWS = 1 << 18


def prepare(model: Any, X: Any) -> tuple[ModelAdapter, Table]:
    """The model's adapter and the validated rows (an adapter that rebuilds ``X``'s dtypes for a frame)."""
    adapter = wrap(model)
    table = adapter.check_data(X)
    if adapter.schema is None and isinstance(X, pd.DataFrame):
        adapter = adapter.with_schema(table.schema)
    return adapter, table


def resolve_features(spec: Any, columns: Sequence[str], *, name: str = "features", most: int = 2) -> list[int]:
    """Positions of one feature or a sequence of up to ``most`` features given by name or position."""
    items = [spec] if isinstance(spec, (str, int, np.integer)) else spec
    if isinstance(items, Mapping) or not isinstance(items, (Sequence, np.ndarray)) or not 1 <= len(items) <= most:
        raise InvalidParameterError(parameter=name, expected=f"a feature name or position, or a sequence of 1 to "
                                    f"{most} of them", got=spec)
    positions = [_feature_position(item, columns, name) for item in items]
    if len(set(positions)) != len(positions):
        raise InvalidParameterError(parameter=name, expected="distinct features", got=spec)
    return positions


def _feature_position(item: Any, columns: Sequence[str], name: str) -> int:
    if isinstance(item, str) and item in columns:
        return list(columns).index(item)
    if isinstance(item, (int, np.integer)) and not isinstance(item, bool) and 0 <= item < len(columns):
        return int(item)
    shown = ", ".join(columns[:8]) + (", ..." if len(columns) > 8 else "")
    raise InvalidParameterError(parameter=name, expected=f"a feature of the data ({shown}) or a position below "
                                f"{len(columns)}", got=item)


def resolve_outputs(target: Any, output_names: Sequence[str]) -> list[int]:
    """Positions of the outputs to keep: all for None, else names or positions (one or a list)."""
    if target is None:
        return list(range(len(output_names)))
    items = [target] if isinstance(target, (str, int, np.integer)) else target
    if not isinstance(items, (Sequence, np.ndarray)) or len(items) == 0:
        raise InvalidParameterError(parameter="target", expected="an output name or position, or a list of them",
                                    got=target)
    out = []
    for item in items:
        if isinstance(item, str) and item in output_names:
            out.append(list(output_names).index(item))
        elif isinstance(item, (int, np.integer)) and not isinstance(item, bool) and 0 <= item < len(output_names):
            out.append(int(item))
        else:
            raise InvalidParameterError(parameter="target", expected=f"one of the outputs {list(output_names)} "
                                        "or a position", got=item)
    return out


def make_provenance(method: str, parameters: Mapping[str, Any], model: ModelAdapter, table: Table, start: float, *,
                    seed: int | None = None, budget: int | None = None,
                    output_space: str | None = None) -> Provenance:
    """The record of a whole-model result: method, settings, seed, model rows evaluated, time, fingerprints."""
    return Provenance(
        method=method, parameters=dict(parameters), random_state=seed, budget_used=budget,
        elapsed_seconds=time.perf_counter() - start, model_fingerprint=model.fingerprint(),
        data_fingerprint=digest_array(table.values), library_version=__version__,
        output_space=output_space if output_space is not None else model.output_space,
    )


def check_batch_rows(value: Any) -> int:
    """The ``max_batch_rows`` setting: a positive int."""
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
        raise InvalidParameterError(parameter="max_batch_rows", expected="an int >= 1", got=value)
    return int(value)
