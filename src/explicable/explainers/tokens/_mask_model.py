"""A text as a model over keep-masks of its tokens, for deletion curves and other perturbation checks."""

from __future__ import annotations

from typing import Any

import numpy as np

from explicable.core.errors import InvalidDataError
from explicable.explainers.tokens._common import check_text_model, prepare
from explicable.models.function import FunctionModel

__all__ = ["token_mask_model"]


def token_mask_model(model: Any, text: str) -> FunctionModel:
    """``text`` as a model of (r, T) 0/1 keep-masks over its T tokens (special tokens included).

    A row's 0 entries are non-special tokens replaced by the mask token; special tokens ([CLS], [SEP]) are
    always kept, whatever their entry. So ``predict(ones((1, T)))`` is ``model.predict([text])`` and
    ``predict(zeros((1, T)))`` the output with every non-special token masked. Use with
    :func:`explicable.evaluation.deletion_curve` (X = ones((1, T)), background = zeros((1, T))).

    Parameters
    ----------
    model : TextClassifier
    text : str

    Returns
    -------
    FunctionModel
        Features ``t0 ... t{T-1}``, the model's output names and space.
    """
    adapter = check_text_model(model)
    if not isinstance(text, str):
        raise InvalidDataError(parameter="text", expected="one string", got=text)
    (doc,) = prepare(adapter, text)
    masked = doc.replaced(adapter.mask_token_id)
    special = doc.special

    def predict(masks: np.ndarray) -> np.ndarray:
        keep = np.asarray(masks, dtype="float64")
        if not np.isin(keep, (0.0, 1.0)).all():
            raise InvalidDataError(parameter="masks", expected="0/1 keep-masks", got=keep)
        ids = np.where((keep > 0.5) | special, doc.ids, masked)
        return adapter.predict_ids(ids)

    return FunctionModel(predict, output_names=adapter.output_names, output_space=adapter.output_space,
                         feature_names=[f"t{j}" for j in range(doc.ids.size)], allows_nan=False)
