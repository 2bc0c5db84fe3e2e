"""Is attention faithful on this input? Attention scores against Integrated Gradients, occlusion and deletion curves.

Attention weights say where a transformer routes information, not what its output depends on (Jain &
Wallace 2019, "Attention is not Explanation"; Wiegreffe & Pinter 2019). Whether they coincide is a question
per input, answered here two ways: do the attention scores rank the tokens as gradient and perturbation
attributions do (rank agreement), and does removing the tokens they rank first lower the output faster than
removing tokens at random (a deletion curve, Petsiuk et al. 2018)?
"""

from __future__ import annotations

import math
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from explicable.core.errors import InvalidParameterError
from explicable.core.explanation import Explanation
from explicable.core.random import make_rng
from explicable.core.validation import check_int, check_number
from explicable.evaluation._common import rank_correlation
from explicable.evaluation._curves import deletion_curve
from explicable.evaluation._result import CurveResult
from explicable.explainers.attention._explainer import attention_scores
from explicable.explainers.attention._extract import AttentionMaps, extract_attention, text_model
from explicable.models.function import FunctionModel

__all__ = ["ATTENTION_METHODS", "FAITHFUL", "METHOD_LABELS", "MIN_AGREEMENT", "REPORT_METHODS", "AttentionReport",
           "attention_report"]

#: The attention scores the report judges, and the attributions it judges them against.
ATTENTION_METHODS = ("raw", "rollout", "flow")
REPORT_METHODS = (*ATTENTION_METHODS, "integrated_gradients", "occlusion")
METHOD_LABELS = {"raw": "Raw attention", "rollout": "Attention rollout", "flow": "Attention flow",
                 "integrated_gradients": "Integrated Gradients", "occlusion": "Occlusion"}
FAITHFUL = "faithful on this input"

#: Spearman correlation with the reference an attention method needs to "agree": 0.5 is the conventional
#: border of a strong association (Cohen 1988), the default of :func:`explicable.evaluation.agreement`. On a
#: short text it is a weak test by itself (with 5 tokens a Spearman of 0.5 arises by chance one time in five),
#: which is why the verdict also needs the deletion curve, and the report gives Kendall's exact p-value.
MIN_AGREEMENT = 0.5


@dataclass(frozen=True, eq=False)
class AttentionReport:
    """Attention scores of one text checked against token attributions and deletion curves.

    Attributes
    ----------
    text : str
    tokens : tuple of str, length T
        Special tokens included.
    special_positions : tuple of int
        Left out of the rank agreement and never removed by the deletion curves.
    target : str
        The output explained (attributions toward it; deletion curves follow it).
    prediction : float
        The model's ``target`` output for the text, in ``output_space``.
    output_space : str
    methods : tuple of str
    scores : mapping of str to ndarray of shape (T,)
        Each method's score per token (attention: non-negative weights; attributions: signed, toward target).
    spearman, kendall : ndarray of shape (n_methods, n_methods)
        Rank correlation of the methods' score magnitudes over the non-special tokens (NaN with fewer than 2
        tokens or a constant score).
    deletion : mapping of str to CurveResult
        Each method's deletion curve over the non-special tokens (removed token: the mask token).
    reference : str or None
        The attribution attention is compared with: Integrated Gradients, else occlusion, else None.
    verdicts : mapping of str to str
        Per attention method: "faithful on this input" when it agrees with the reference (Spearman >=
        ``min_agreement``) and its deletion curve passes, else what failed.
    min_agreement : float
    kendall_pvalue : mapping of str to float
        Per attention method, the one-sided p-value of Kendall's tau with the reference (exact when no ties):
        how often a ranking unrelated to the reference would agree as well.
    parameters : mapping
        Settings used (seeds, IG steps, attention options) and the time taken.
    """

    text: str
    tokens: tuple[str, ...]
    special_positions: tuple[int, ...]
    target: str
    prediction: float
    output_space: str
    methods: tuple[str, ...]
    scores: Mapping[str, np.ndarray]
    spearman: np.ndarray
    kendall: np.ndarray
    deletion: Mapping[str, CurveResult]
    reference: str | None
    verdicts: Mapping[str, str]
    min_agreement: float
    kendall_pvalue: Mapping[str, float] = field(default_factory=dict)
    parameters: Mapping[str, Any] = field(default_factory=dict)

    @property
    def content_positions(self) -> tuple[int, ...]:
        """Positions of the non-special tokens."""
        return tuple(p for p in range(len(self.tokens)) if p not in self.special_positions)

    def faithful(self, method: str) -> bool:
        """Whether an attention method's verdict is "faithful on this input"."""
        return self.verdicts.get(method) == FAITHFUL

    def agreement_frame(self, statistic: str = "spearman") -> pd.DataFrame:
        """The methods' rank agreement matrix ("spearman" or "kendall") as a labelled frame."""
        if statistic not in ("spearman", "kendall"):
            raise InvalidParameterError(parameter="statistic", expected="'spearman' or 'kendall'", got=statistic)
        matrix = self.spearman if statistic == "spearman" else self.kendall
        return pd.DataFrame(matrix, index=list(self.methods), columns=list(self.methods))

    def to_frame(self) -> pd.DataFrame:
        """One row per token: position, token, special, and each method's score and rank (1: largest magnitude,
        non-special tokens only)."""
        frame = pd.DataFrame({"position": np.arange(len(self.tokens)), "token": list(self.tokens),
                              "special": [p in self.special_positions for p in range(len(self.tokens))]})
        content = list(self.content_positions)
        for method in self.methods:
            frame[method] = self.scores[method]
            ranks = np.full(len(self.tokens), np.nan)
            ranks[content] = _ranks(self.scores[method][content])
            frame[f"{method}_rank"] = ranks
        return frame

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict of everything in the report (NaN as None)."""
        return {
            "text": self.text, "tokens": list(self.tokens), "special_positions": list(self.special_positions),
            "target": self.target, "prediction": _finite(self.prediction), "output_space": self.output_space,
            "methods": list(self.methods), "reference": self.reference, "min_agreement": self.min_agreement,
            "scores": {m: [_finite(v) for v in s.tolist()] for m, s in self.scores.items()},
            "spearman": [[_finite(v) for v in row] for row in self.spearman.tolist()],
            "kendall": [[_finite(v) for v in row] for row in self.kendall.tolist()],
            "kendall_pvalue": {m: _finite(v) for m, v in self.kendall_pvalue.items()},
            "deletion": {m: {**r.to_dict(), "fractions": r.fractions.tolist(), "curve": r.curve[0].tolist(),
                             "random_curve": r.random_curve[0].tolist()} for m, r in self.deletion.items()},
            "verdicts": dict(self.verdicts), "parameters": _jsonable(dict(self.parameters)),
        }

    def summary(self) -> str:
        """A few plain sentences: the prediction, the reference's top token, and each attention method's verdict."""
        sentences = [f'On "{self.text}" the model\'s {self.target} output is {self.prediction:.3g} '
                     f"({self.output_space})."]
        if self.reference is not None:
            sentences.append(self._reference_sentence())
        sentences.extend(self._method_sentence(m) for m in self.methods if m in ATTENTION_METHODS)
        return " ".join(sentences)

    def _reference_sentence(self) -> str:
        ref = str(self.reference)
        content = list(self.content_positions)
        top = content[int(np.argmax(np.abs(self.scores[ref][content])))]
        curve = self.deletion[ref]
        beats = "beats" if curve.passed else "does not beat"
        return (f'{METHOD_LABELS[ref]} ranks "{self.tokens[top]}" first ({self.scores[ref][top]:+.3g} toward '
                f"{self.target}); its deletion curve {beats} random orderings (margin {curve.value:.2f}).")

    def _method_sentence(self, method: str) -> str:
        label, curve = METHOD_LABELS[method], self.deletion[method]
        beats = "beats" if curve.passed else "does not beat"
        if self.reference is None:
            return f"{label}: its deletion curve {beats} random orderings (margin {curve.value:.2f}): " \
                   f"{self.verdicts[method]}."
        i, j = self.methods.index(method), self.methods.index(self.reference)
        rho, tau = self.spearman[i, j], self.kendall[i, j]
        agrees = "agrees" if rho >= self.min_agreement else "does not agree"
        content = list(self.content_positions)
        top = content[int(np.argmax(np.abs(self.scores[self.reference][content])))]
        rank = int(_ranks(self.scores[method][content])[content.index(top)])
        return (f"{label} {agrees} with {METHOD_LABELS[self.reference]} (Spearman {rho:.2f}, Kendall {tau:.2f}, "
                f"p = {self.kendall_pvalue.get(method, math.nan):.2g}), ranks \"{self.tokens[top]}\" "
                f"{_ordinal(rank)} of {len(content)}, and its deletion curve {beats} random orderings (margin "
                f"{curve.value:.2f}): {self.verdicts[method]}.")


def attention_report(model: Any, text: str, *, target: Any = None, methods: Sequence[str] = REPORT_METHODS,
                     steps: int | None = None, random_state: int | None = None, head_fusion: str = "mean",
                     residual: float = 0.5, target_position: int | str = 0, n_random: int = 10,
                     min_agreement: float = MIN_AGREEMENT) -> AttentionReport:
    """Check raw attention, rollout and flow on one text against Integrated Gradients, occlusion and deletion.

    Parameters
    ----------
    model : TextClassifier
        An :class:`explicable.models.transformers.TextClassifier`.
    text : str
    target : str or int, optional
        The output explained (name or index); default the model's largest output for the text (its
        prediction).
    methods : sequence of str, default all of "raw", "rollout", "flow", "integrated_gradients", "occlusion"
    steps : int, optional
        Integrated Gradients' ``n_steps`` (its own default, 32 Gauss-Legendre nodes refined until completeness
        holds to 1e-3, when None).
    random_state : int, optional
        Seed of the deletion curves' random orderings (the same orderings for every method; drawn and recorded
        when None).
    head_fusion, residual, target_position
        Attention settings, as in :class:`AttentionExplainer` (the last layer; [CLS] by default).
    n_random : int, default 10
        Random orderings each deletion curve is compared with.
    min_agreement : float, default 0.5
        Spearman correlation with the reference needed to agree (see :data:`MIN_AGREEMENT`).

    Returns
    -------
    AttentionReport

    Notes
    -----
    Rank agreement compares magnitudes over the non-special tokens: attention has no sign, and a token that
    pushes strongly against the target is as much "what the model looks at" as one that pushes for it. The
    deletion curves remove the non-special tokens (replaced by the mask token, as
    :func:`explicable.explainers.tokens.token_mask_model` does) from the highest score down, and pass when
    the target output falls faster than under random orderings by more than 5% of its swing (the threshold
    of :func:`explicable.evaluation.deletion_curve`); attention, having no sign, passes only when the tokens
    it weighs most are those that support the target.
    """
    start = time.perf_counter()
    adapter = text_model(model)
    chosen = _check_methods(methods)
    min_agreement = check_number(min_agreement, "min_agreement", low=-1, high=1)
    n_random = check_int(n_random, "n_random", low=1)
    _, seed = make_rng(random_state)
    maps = extract_attention(adapter, text)
    output, prediction = _target(adapter, text, target)
    options = {"head_fusion": head_fusion, "residual": residual, "target_position": target_position}
    scores = {m: _scores(m, adapter, maps, text, output, steps, options) for m in chosen}
    content = list(maps.content_positions)
    spearman, kendall = _agreement(scores, chosen, content)
    reference = next((m for m in ("integrated_gradients", "occlusion") if m in chosen), None)
    deletion = _deletion_curves(adapter, text, maps, scores, output, seed, n_random)
    pvalues = {m: _kendall_pvalue(scores[m][content], scores[str(reference)][content])
               for m in chosen if m in ATTENTION_METHODS and reference is not None}
    verdicts = {m: _verdict(m, chosen, reference, spearman, deletion, min_agreement)
                for m in chosen if m in ATTENTION_METHODS}
    parameters = {**options, "random_state": seed, "steps": steps, "n_random": n_random,
                  "elapsed_seconds": time.perf_counter() - start}
    return AttentionReport(text, maps.tokens, maps.special_positions, output, prediction, str(adapter.output_space),
                           chosen, scores, spearman, kendall, deletion, reference, verdicts, min_agreement, pvalues,
                           parameters)


def _check_methods(methods: Any) -> tuple[str, ...]:
    chosen = (methods,) if isinstance(methods, str) else tuple(methods) if isinstance(methods, Sequence) else ()
    if not chosen or len(set(chosen)) != len(chosen) or not set(chosen) <= set(REPORT_METHODS) \
            or not set(chosen) & set(ATTENTION_METHODS):
        raise InvalidParameterError(parameter="methods", expected="distinct names among " + ", ".join(
            repr(m) for m in REPORT_METHODS) + ", at least one of them an attention method", got=methods)
    return chosen


def _target(model: Any, text: str, target: Any) -> tuple[str, float]:
    """The explained output's name and the model's value of it for ``text``."""
    names = tuple(model.output_names)
    outputs = np.asarray(model.predict([text]), dtype="float64").reshape(-1)
    if target is None:
        position = int(np.argmax(outputs))
    elif isinstance(target, str) and target in names:
        position = names.index(target)
    elif not isinstance(target, (str, bool)) and isinstance(target, (int, np.integer)) \
            and -len(names) <= target < len(names):
        position = int(target) % len(names)
    else:
        raise InvalidParameterError(parameter="target", expected=f"an output name or index of {list(names)}",
                                    got=target)
    return names[position], float(outputs[position])


def _scores(method: str, model: Any, maps: AttentionMaps, text: str, target: str, steps: int | None,
            options: dict[str, Any]) -> np.ndarray:
    """One method's scores (T,) for the text."""
    if method in ATTENTION_METHODS:
        return attention_scores(maps.attention, kind=method, **options)
    from explicable.explainers import tokens

    if method == "integrated_gradients":
        explainer: Any = tokens.TokenIntegratedGradients(model) if steps is None else \
            tokens.TokenIntegratedGradients(model, n_steps=check_int(steps, "steps", low=1))
    else:
        explainer = tokens.TokenOcclusion(model)
    exp = explainer.fit().explain([text], target=target)
    return np.array(exp.values[0, :len(maps.tokens), 0], dtype="float64")


def _agreement(scores: Mapping[str, np.ndarray], methods: tuple[str, ...], content: list[int]
               ) -> tuple[np.ndarray, np.ndarray]:
    """Spearman and Kendall matrices of the score magnitudes over the content tokens."""
    size = len(methods)
    spearman, kendall = np.full((size, size), np.nan), np.full((size, size), np.nan)
    if len(content) < 2:
        return spearman, kendall
    for i, a in enumerate(methods):
        for j, b in enumerate(methods):
            pair = np.abs(scores[a][content])[None], np.abs(scores[b][content])[None]
            spearman[i, j] = rank_correlation(*pair, method="spearman")[0]
            kendall[i, j] = rank_correlation(*pair, method="kendall")[0]
    return spearman, kendall


def _kendall_pvalue(a: np.ndarray, b: np.ndarray) -> float:
    """One-sided p-value of Kendall's tau between magnitudes (exact permutation distribution without ties)."""
    from scipy.stats import kendalltau

    x, y = np.abs(a), np.abs(b)
    if x.size < 2 or np.ptp(x) == 0 or np.ptp(y) == 0:
        return math.nan
    return float(kendalltau(x, y, alternative="greater").pvalue)


def _deletion_curves(model: Any, text: str, maps: AttentionMaps, scores: Mapping[str, np.ndarray], target: str,
                     seed: int, n_random: int) -> dict[str, CurveResult]:
    """Each method's deletion curve over the content tokens, with the same random orderings for all."""
    from explicable.explainers.tokens import token_mask_model

    full = token_mask_model(model, text)
    content = np.array(maps.content_positions, dtype=int)
    size = len(maps.tokens)
    # every method's curve is compared with the same random orderings, and the curves share their first and
    # last masks: each distinct mask is run through the model once (a third of the rows for five methods)
    seen: dict[bytes, np.ndarray] = {}

    def predict(keep: np.ndarray) -> np.ndarray:
        rows = np.asarray(keep > 0.5, dtype=np.uint8)
        new = [r for r in dict.fromkeys(row.tobytes() for row in rows) if r not in seen]
        if new:
            masks = np.ones((len(new), size))
            masks[:, content] = np.frombuffer(b"".join(new), dtype=np.uint8).reshape(len(new), -1)
            seen.update(zip(new, np.asarray(full.predict(masks), dtype="float64"), strict=True))
        return np.stack([seen[row.tobytes()] for row in rows])

    over_content = FunctionModel(predict, output_names=tuple(full.output_names), output_space=full.output_space)
    names = tuple(f"t{p}" for p in content)
    ones, zeros = np.ones((1, content.size)), np.zeros((1, content.size))
    curves = {}
    for method, score in scores.items():
        exp = Explanation(score[content][None, :, None], np.zeros((1, 1)), names, (target,))
        curves[method] = deletion_curve(over_content, ones, exp, background=zeros, output=target,
                                        n_random=n_random, random_state=seed)
    return curves


def _verdict(method: str, methods: tuple[str, ...], reference: str | None, spearman: np.ndarray,
             deletion: Mapping[str, CurveResult], min_agreement: float) -> str:
    failures = []
    if reference is not None:
        rho = spearman[methods.index(method), methods.index(reference)]
        if not rho >= min_agreement:  # NaN (too few tokens to rank) does not agree
            failures.append(f"disagrees with {METHOD_LABELS[reference]}")
    if not deletion[method].passed:
        failures.append("its deletion curve does not beat random orderings")
    return FAITHFUL if not failures else "not shown faithful: " + " and ".join(failures)


def _ranks(values: np.ndarray) -> np.ndarray:
    """Rank 1 for the largest magnitude (ties share the better rank)."""
    from scipy.stats import rankdata

    return np.asarray(rankdata(-np.abs(values), method="min"), dtype="float64")


def _ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def _finite(value: float) -> float | None:
    return float(value) if math.isfinite(value) else None


def _jsonable(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if isinstance(value, (float, np.floating)):
        return _finite(float(value))
    if isinstance(value, np.integer):
        return int(value)
    return value
