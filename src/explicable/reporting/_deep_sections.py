"""The audit report's sections for image and text models: attributions side by side, their checks, attention.

Images get Grad-CAM, Integrated Gradients and SmoothGrad overlays of the first images, localisation against
ground-truth masks when given (pointing game, IoU), the model-parameter randomisation check and a deletion
curve for every method, and TCAV scores when concepts are given. Texts get token heat-text for Integrated
Gradients and occlusion, the attention heads of the last layer, and the attention validation report (does
attention agree with the attributions, and is it faithful on that input?). Each section is computed by the
library's own functions; a part that cannot be computed is reported, never dropped.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from explicable.core.explanation import Explanation
from explicable.explainers.gradient._side_by_side import SIDE_BY_SIDE, side_by_side_explainer
from explicable.reporting._audit_data import Section, failure

__all__ = ["IMAGE_SECTIONS", "TEXT_SECTIONS", "image_sections", "text_sections"]

#: Section ids of an image model's report, in order.
IMAGE_SECTIONS = ("summary", "attributions", "localisation", "quality", "concepts", "limitations", "provenance")
#: Section ids of a text model's report, in order.
TEXT_SECTIONS = ("summary", "attributions", "attention", "quality", "limitations", "provenance")


def image_sections(model: Any, images: np.ndarray, *, output: str, labels: np.ndarray | None,
                   masks: np.ndarray | None, concepts: Mapping[str, Any] | None, random_images: Any,
                   n_show: int, seed: int) -> tuple[list[Section], dict[str, Explanation]]:
    """Every section of an image model's report but the limitations and provenance, and the explanations."""
    from explicable.core.images import image_attributions

    scores = model.predict(images.reshape(len(images), -1))
    k = model.output_names.index(output)
    summary = Section("summary", "Model and data")
    summary.paragraphs.append(
        f"Model: {type(model.model).__name__} on {images.shape[1]}x{images.shape[2]} images with "
        f"{images.shape[3]} channel(s); outputs {', '.join(model.output_names)} in {model.output_space} space. "
        f"{len(images)} images audited; explanations are toward '{output}'.")
    predicted = np.asarray(model.output_names)[scores.argmax(axis=1)]
    counts = pd.Series(predicted).value_counts().rename_axis("predicted").reset_index(name="images")
    summary.tables.append(("Predicted classes", counts))
    if labels is not None:
        truth = np.asarray(labels)
        names = np.asarray(model.output_names)[truth] if truth.dtype.kind in "iu" else truth.astype(str)
        summary.paragraphs.append(f"Accuracy on the audited images: {float((names == predicted).mean()):.3f}.")

    explained: dict[str, Explanation] = {}
    section = Section("attributions", "Attributions side by side")
    section.paragraphs.append(
        "Each row of figures is one image: Grad-CAM (where the last convolution layer looks), Integrated "
        "Gradients (additive pixel attributions from the blurred image, completeness-checked) and SmoothGrad "
        "(the gradient averaged over noisy copies; the contour encloses pixels whose 95% interval excludes "
        f"zero). Red raises the '{output}' score, blue lowers it.")
    for name, label in SIDE_BY_SIDE:
        try:
            explained[name] = side_by_side_explainer(name, model, random_state=seed).explain(images, target=output)
        except Exception as exc:  # the report says what it could not compute
            failure(section, label, exc)
    shown = min(n_show, len(images))
    for i in range(shown):
        for name, label in SIDE_BY_SIDE:
            if name not in explained:
                continue
            exp = explained[name]
            stderr = None
            if exp.stderr is not None:
                stderr = image_attributions(Explanation(exp.stderr, exp.base_values, exp.feature_names,
                                                        exp.output_names, provenance=exp.provenance))[i]
            section.figures.append(("image_overlay", images[i], {
                "attribution": image_attributions(exp)[i], "stderr": stderr,
                "title": f"{label}, image {i} (score {scores[i, k]:.3g})"}))
    if "integrated_gradients" in explained:
        diagnostics = explained["integrated_gradients"].provenance.parameters.get("diagnostics", {})
        delta = np.abs(np.asarray(diagnostics.get("delta", []), dtype=float))
        if delta.size:
            section.paragraphs.append(
                f"Integrated Gradients completeness: the attributions add up to the change of the score within "
                f"{float(delta.max()):.2g} (largest over images).")

    sections = [summary, section, _localisation(explained, masks, labels, model, output)]
    sections.append(_image_quality(model, images, scores, explained, output, seed))
    sections.append(_concepts(model, images, output, concepts, random_images, seed))
    return sections, explained


def _localisation(explained: Mapping[str, Explanation], masks: np.ndarray | None, labels: Any, model: Any,
                  output: str) -> Section:
    from explicable.evaluation import attribution_iou, pointing_game

    section = Section("localisation", "Localisation against ground truth")
    if masks is None:
        section.paragraphs.append("Not computed: no ground-truth masks were given (masks=...).")
        return section
    rows = []
    for name, label in SIDE_BY_SIDE:
        if name not in explained:
            continue
        try:
            hit = pointing_game(explained[name], masks, output=output)
            iou = attribution_iou(explained[name], masks, output=output)
            rows.append((label, hit.value, hit.details.get("ci_low"), hit.details.get("ci_high"),
                         hit.details.get("chance"), iou.value, hit.details.get("n_evaluated")))
            section.checks.append(hit)
        except Exception as exc:
            failure(section, f"{label} localisation", exc)
    section.paragraphs.append(
        "Pointing game: the share of images with a lesion whose most-attributed pixel lies inside the mask "
        "(Zhang et al. 2016), with a Wilson interval and the hit rate of a random point. IoU: overlap of the "
        "top-attributed pixels (as many as the mask has) with the mask.")
    section.tables.append(("Localisation per method", pd.DataFrame(
        rows, columns=["method", "pointing game", "ci low", "ci high", "chance", "IoU", "images"])))
    return section


def _image_quality(model: Any, images: np.ndarray, scores: np.ndarray, explained: Mapping[str, Explanation],
                   output: str, seed: int) -> Section:
    from explicable.evaluation import deletion_curve, randomization_check

    section = Section("quality", "Explanation quality")
    section.paragraphs.append(
        "Model-parameter randomisation (Adebayo et al. 2018): each method explains a copy of the network with "
        "re-initialised weights; a method whose maps stay the same describes the image, not the model, and "
        "fails. Deletion curves, on the images the model assigns to the explained class, remove the "
        "most-attributed pixels first (to a blurred image) and must lower the score faster than random "
        "orderings; SmoothGrad has none, since a gradient's sign says which way a pixel would move the score, "
        "not what the pixel contributes.")
    checked = images[: min(len(images), 8)]
    chosen = np.flatnonzero(scores.argmax(axis=1) == model.output_names.index(output))[:8]
    for name, label in SIDE_BY_SIDE:
        if name not in explained:
            continue
        def randomised(n: str = name) -> Any:
            return randomization_check(lambda m: side_by_side_explainer(n, m, random_state=seed), model, checked,
                                       output=output, random_state=seed)

        def deletion(n: str = name) -> Any:
            return deletion_curve(model, images[chosen], explained[n][chosen], output=output, random_state=seed)

        _check(section, f"{label} randomisation check", randomised)
        if name != "smoothgrad" and len(chosen):
            _check(section, f"{label} deletion curve", deletion)
    return section


def _check(section: Section, name: str, run: Callable[[], Any]) -> None:
    try:
        result = run()
    except Exception as exc:
        failure(section, name, exc)
        return
    section.checks.append(result)
    if hasattr(result, "fractions"):
        section.figures.append(("curve", result, {}))


def _concepts(model: Any, images: np.ndarray, output: str, concepts: Mapping[str, Any] | None,
              random_images: Any, seed: int) -> Section:
    section = Section("concepts", "Concepts (TCAV)")
    if not concepts:
        section.paragraphs.append("Not computed: no concept examples were given (concepts=...).")
        return section
    try:
        from explicable.explainers.concepts import TCAV

        if random_images is None:
            raise ValueError("TCAV needs random images to compare each concept with (random_images=...)")
        result = TCAV(model, random_state=seed).fit(concepts, random_images).explain(images, target=output)
    except Exception as exc:
        failure(section, "TCAV", exc)
        return section
    section.paragraphs.append(
        "TCAV (Kim et al. 2018): the share of images whose score rises along each concept's direction in the "
        "last convolution layer, compared with directions learned from random images by a t-test "
        "(Bonferroni-corrected). Only significant concepts should be read as used by the model.")
    section.tables.append(("TCAV scores", result.to_frame()))
    return section


def text_sections(model: Any, texts: Sequence[str], *, output: str, labels: Any, n_show: int,
                  seed: int) -> tuple[list[Section], dict[str, Explanation]]:
    """Every section of a text model's report but the limitations and provenance, and the explanations."""
    from explicable.evaluation import randomization_check
    from explicable.explainers.tokens import TokenIntegratedGradients, TokenOcclusion

    scores = model.predict(list(texts))
    summary = Section("summary", "Model and data")
    summary.paragraphs.append(
        f"Model: {type(model.model).__name__}, a text classifier with outputs {', '.join(model.output_names)} "
        f"in {model.output_space} space; {len(texts)} texts audited; explanations are toward '{output}'.")
    predicted = np.asarray(model.output_names)[scores.argmax(axis=1)]
    table = pd.DataFrame({"text": list(texts), "predicted": predicted,
                          f"score ({output})": scores[:, model.output_names.index(output)]})
    if labels is not None:
        truth = np.asarray(labels)
        table["label"] = np.asarray(model.output_names)[truth] if truth.dtype.kind in "iu" else truth.astype(str)
    summary.tables.append(("Texts and predictions", table))

    explained: dict[str, Explanation] = {}
    section = Section("attributions", "Token attributions")
    section.paragraphs.append(
        "Integrated Gradients on the word embeddings (from [MASK] embeddings, completeness-checked) and "
        "occlusion (each token replaced by [MASK]); red raises the score, blue lowers it.")
    for name, label, factory in (("integrated_gradients", "Integrated Gradients", TokenIntegratedGradients),
                                 ("occlusion", "Occlusion", TokenOcclusion)):
        try:
            explained[name] = factory(model).fit().explain(list(texts), target=output)
        except Exception as exc:
            failure(section, label, exc)
            continue
        for i in range(min(n_show, len(texts))):
            n_tokens = int(explained[name].provenance.parameters.get("n_tokens", [0] * len(texts))[i])
            data = explained[name].data
            tokens = [] if data is None else [str(t) for t in data[i, :n_tokens]]
            section.figures.append(("token_heat", tokens, {"scores": explained[name].values[i, :n_tokens, 0],
                                                           "title": f"{label}, text {i}"}))
    quality = Section("quality", "Explanation quality")
    quality.paragraphs.append(
        "Model-parameter randomisation (Adebayo et al. 2018): Integrated Gradients explains a copy of the "
        "transformer with re-initialised weights; token rankings that survive it describe the text, not the "
        "model, and fail.")
    _check(quality, "Integrated Gradients randomisation check", lambda: randomization_check(
        lambda m: TokenIntegratedGradients(m).fit(), model, list(texts[:n_show]), output=output,
        random_state=seed))
    return [summary, section, _attention(model, texts[:n_show], output, seed), quality], explained


def _attention(model: Any, texts: Sequence[str], output: str, seed: int) -> Section:
    from explicable.evaluation import attention_report
    from explicable.explainers.attention import extract_attention

    section = Section("attention", "Attention and whether it is faithful")
    section.paragraphs.append(
        "Attention weights are not explanations by themselves. For each text, raw attention (last layer, "
        "heads averaged), attention rollout and attention flow (Abnar & Zuidema 2020) are compared with "
        "Integrated Gradients and occlusion by rank correlation, and each gets a deletion curve; an attention "
        "method is called faithful on a text only when it agrees with Integrated Gradients and its deletion "
        "curve beats random orderings.")
    for i, text in enumerate(texts):
        try:
            if i == 0:
                maps = extract_attention(model, text)
                section.figures.append(("attention_heads", maps.attention, {
                    "tokens": list(maps.tokens), "layer": maps.attention.shape[0] - 1,
                    "title": f"Attention heads of the last layer, text {i}"}))
            report = attention_report(model, text, target=output, random_state=seed)
        except Exception as exc:
            failure(section, f"attention report of text {i}", exc)
            continue
        section.paragraphs.append(report.summary())
        section.figures.append(("attention_report", report, {}))
        section.tables.append((f"Rank agreement (Spearman) on text {i}: \"{text}\"",
                               report.agreement_frame().reset_index(names="method")))
    return section
