"""Integrated Gradients over token embeddings (Sundararajan et al., 2017), completeness enforced per text."""

from __future__ import annotations

import time
from typing import Any, Self

import numpy as np

from explicable.core.errors import InvalidParameterError
from explicable.core.explanation import Explanation
from explicable.core.validation import check_choice, check_int, check_number
from explicable.explainers.tokens._common import (
    TokenizedText,
    check_text_model,
    prepare,
    require_fitted,
    resolve_targets,
    text_explanation,
)

__all__ = ["TokenIntegratedGradients"]

#: Absolute slack of the completeness test, for outputs that barely move between the reference and the text.
ATOL = 1e-5
BASELINES = ("pad", "mask")


def gauss_legendre(n_steps: int) -> tuple[np.ndarray, np.ndarray]:
    """Nodes in (0, 1) and weights of the ``n_steps``-point Gauss-Legendre rule on [0, 1].

    >>> nodes, weights = gauss_legendre(2)
    >>> [round(float(v), 4) for v in nodes], weights.tolist()
    ([0.2113, 0.7887], [0.5, 0.5])
    """
    nodes, weights = np.polynomial.legendre.leggauss(n_steps)
    return 0.5 * (nodes + 1.0), 0.5 * weights


class TokenIntegratedGradients:
    """Integrated Gradients on the word embeddings of a text classifier: one attribution per token.

    The path runs from a reference text, where every non-special token's word embedding is that of the
    ``baseline`` token ([PAD] or [MASK]) and the special tokens ([CLS], [SEP]) are kept, to the text, in the
    word-embedding space (positions and segment embeddings are added by the model as usual). A token's value is
    ``(e_t - b_t) . integral_0^1 grad_{e_t} f_k(b + a (e - b)) da``, summed over the embedding dimensions, with
    an ``n_steps``-point Gauss-Legendre rule; ``base_values`` is f(reference), so values add up to
    f(text) - f(reference) up to the quadrature error. That error, ``delta = sum(values) - (f(text) -
    f(reference))``, is measured per text and output; a text with ``|delta| > tol * |f(text) - f(reference)| +
    1e-5`` is integrated again with twice the steps, up to ``max_steps``. ``provenance.parameters
    ["diagnostics"]`` holds ``delta`` (n, k), the steps each text used (``n_steps``) and ``converged``.

    Each text runs unpadded (no padding can leak into its gradients); only the selected outputs are
    differentiated, one backward pass each. ``budget_used`` counts the rows sent through the model.

    Parameters
    ----------
    model : TextClassifier
    baseline : {"pad", "mask"}, default "pad"
        The token whose embedding replaces every non-special token in the reference text.
    n_steps : int, default 32
    tol : float or None, default 1e-3
        Relative completeness bound that triggers refinement; None never refines (deltas are still reported).
    max_steps : int, default 512
    batch_size : int, optional
        Path points per forward+backward pass; default ``max(8, 4096 // T)`` for a text of T tokens.

    Examples
    --------
    >>> TokenIntegratedGradients(object())  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    explicable.core.errors.UnsupportedModelError: ...
    """

    method = "token_integrated_gradients"

    def __init__(self, model: Any, *, baseline: str = "mask", n_steps: int = 32, tol: float | None = 1e-3,
                 max_steps: int = 512, batch_size: int | None = None) -> None:
        self.model = check_text_model(model)
        self.baseline = check_choice(baseline, "baseline", BASELINES)
        self.n_steps = check_int(n_steps, "n_steps", low=1)
        self.tol = None if tol is None else check_number(tol, "tol", low=0)
        self.max_steps = check_int(max_steps, "max_steps", low=1)
        if self.max_steps < self.n_steps:
            raise InvalidParameterError(parameter="max_steps", expected=f"an int >= n_steps ({self.n_steps})",
                                        got=max_steps)
        self.batch_size = None if batch_size is None else check_int(batch_size, "batch_size", low=1)

    def get_params(self) -> dict[str, Any]:
        return {"baseline": self.baseline, "n_steps": self.n_steps, "tol": self.tol, "max_steps": self.max_steps,
                "batch_size": self.batch_size}

    def fit(self, background: Any = None) -> Self:
        """Nothing to learn (the reference is built from each text); ``background`` is ignored."""
        self.fitted_ = True
        return self

    def explain(self, X: Any, *, target: Any = None) -> Explanation:
        """Attribute the outputs ``target`` (all by default) of each text of ``X`` (a string or strings)."""
        start = time.perf_counter()
        require_fitted(self)
        docs = prepare(self.model, X)
        targets = resolve_targets(self.model, target)
        reference_id = self.model.pad_token_id if self.baseline == "pad" else self.model.mask_token_id
        values, base, deltas, steps, converged = [], [], [], [], []
        budget = 0
        for doc in docs:
            v, fb, change, m, rows = self._one(doc, reference_id, targets)
            delta = v.sum(axis=0) - change
            values.append(v)
            base.append(fb)
            deltas.append(delta.tolist())
            steps.append(m)
            converged.append(_complete(delta, change, 1e-3 if self.tol is None else self.tol))
            budget += rows
        parameters = {**self.get_params(), "diagnostics": {"delta": deltas, "n_steps": steps,
                                                           "converged": converged}}
        return text_explanation(self.model, docs, values, np.array(base), targets, method=self.method,
                                parameters=parameters, budget_used=budget, start=start)

    def _one(self, doc: TokenizedText, reference_id: int, targets: np.ndarray
             ) -> tuple[np.ndarray, np.ndarray, np.ndarray, int, int]:
        """values (T, k), f(reference) (k,), f(text) - f(reference) (k,), steps used, model rows spent."""
        import torch

        embed = self.model.embedding_layer
        device = self.model.device
        with torch.no_grad():
            ids = torch.as_tensor(np.stack([doc.ids, doc.replaced(reference_id)]), device=device)
            text_emb, ref_emb = embed(ids).unbind(0)
            scores = self.model.scores(inputs_embeds=torch.stack([text_emb, ref_emb]),
                                       attention_mask=torch.ones_like(ids))
        ends = np.asarray(scores.double().cpu().numpy())[:, targets]
        change = ends[0] - ends[1]
        diff = (text_emb - ref_emb).detach()
        m, rows = self.n_steps, 2
        while True:
            values = self._integrate(ref_emb.detach(), diff, targets, m)
            rows += m
            delta = values.sum(axis=0) - change
            if self.tol is None or _complete(delta, change, self.tol) or 2 * m > self.max_steps:
                return values, ends[1], change, m, rows
            m *= 2

    def _integrate(self, ref: Any, diff: Any, targets: np.ndarray, m: int) -> np.ndarray:
        """Attributions (T, len(targets)) with an ``m``-point rule."""
        import torch

        nodes, weights = gauss_legendre(m)
        size = self.batch_size or max(8, 4096 // diff.shape[0])
        totals = torch.zeros((targets.size, *diff.shape), dtype=torch.float64, device=diff.device)
        for lo in range(0, m, size):
            alpha = torch.as_tensor(nodes[lo:lo + size], dtype=diff.dtype, device=diff.device)
            weight = torch.as_tensor(weights[lo:lo + size], dtype=torch.float64, device=diff.device)
            path = (ref + alpha.view(-1, 1, 1) * diff).requires_grad_(True)
            mask = torch.ones(path.shape[:2], dtype=torch.long, device=diff.device)
            out = self.model.scores(inputs_embeds=path, attention_mask=mask)
            for j, k in enumerate(targets.tolist()):
                (grad,) = torch.autograd.grad(out[:, k].sum(), path, retain_graph=j < targets.size - 1)
                totals[j] += torch.einsum("s,std->td", weight, grad.double())
        attributions = (totals * diff.double()).sum(dim=-1)  # (k, T)
        return np.asarray(attributions.T.cpu().numpy())


def _complete(delta: np.ndarray, change: np.ndarray, tol: float) -> bool:
    return bool(np.all(np.abs(delta) <= tol * np.abs(change) + ATOL))
