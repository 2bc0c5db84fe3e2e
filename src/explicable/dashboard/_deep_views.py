"""The deep dashboard's input checks and view pieces: items, masks and labels checked; numbers, SVG and PNG."""

from __future__ import annotations

import base64
import html
import io
import re
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from explicable.core.errors import InvalidDataError

__all__ = ["check_images", "check_labels", "check_masks", "check_texts", "figure", "image_numbers", "localisation",
           "png", "report_view", "text_numbers"]

_Z95 = 1.959963984540054


def check_images(data: Any, shape: Sequence[int]) -> np.ndarray:
    try:
        images = np.asarray(data, dtype="float32")
    except (TypeError, ValueError):
        raise InvalidDataError(parameter="data", expected="images (n, H, W, C)", got=data) from None
    images = images[None] if images.ndim == 3 else images
    if images.ndim != 4 or tuple(images.shape[1:]) != tuple(shape) or len(images) == 0:
        raise InvalidDataError(parameter="data", expected=f"images (n, {', '.join(map(str, shape))}) with n >= 1",
                               got=images)
    if not np.isfinite(images).all():
        raise InvalidDataError(parameter="data", expected="finite pixel values", got="NaN or infinity")
    return images


def check_texts(data: Any) -> list[str]:
    texts = [data] if isinstance(data, str) else list(data) if isinstance(data, Sequence) else None
    if not texts or not all(isinstance(t, str) and t.strip() for t in texts):
        raise InvalidDataError(parameter="data", expected="a non-empty sequence of non-empty texts (str)", got=data)
    return texts


def check_masks(masks: Any, shape: tuple[int, ...]) -> np.ndarray:
    arr = np.asarray(masks)
    if arr.ndim == 2:
        arr = arr[None]
    if arr.shape != shape[:3]:
        raise InvalidDataError(parameter="masks", expected=f"masks of shape {shape[:3]}, one per image",
                               got=arr)
    return arr.astype(bool)


def check_labels(labels: Any, n: int, names: Sequence[str]) -> list[str]:
    values = list(np.asarray(labels).reshape(-1)) if not isinstance(labels, str) else [labels]
    if len(values) != n:
        raise InvalidDataError(parameter="labels", expected=f"{n} labels, one per item", got=labels)
    out = []
    for v in values:
        if isinstance(v, (int, np.integer)) and not isinstance(v, bool) and 0 <= int(v) < len(names):
            out.append(str(names[int(v)]))
        elif str(v) in names:
            out.append(str(v))
        else:
            raise InvalidDataError(parameter="labels", expected=f"output positions or names of {list(names)}",
                                   got=v)
    return out


def image_numbers(name: str, exp: Any, attribution: np.ndarray, stderr: np.ndarray | None) -> dict[str, Any]:
    params = exp.provenance.parameters
    if name == "gradcam":
        return {"layer": params.get("layer")}
    if name == "integrated_gradients":
        diagnostics = params.get("diagnostics", {})
        delta = float(np.asarray(diagnostics["delta"], dtype="float64").reshape(-1)[0])
        # completeness: sum of attributions = f(x) - f(baseline) + delta
        return {"delta": delta, "change": float(attribution.sum()) - delta,
                "baseline_value": float(exp.base_values[0, 0]), "n_steps": int(diagnostics["n_steps"][0]),
                "converged": bool(diagnostics["converged"][0])}
    se = np.zeros_like(attribution) if stderr is None else stderr
    return {"n_samples": params.get("n_samples"), "noise": params.get("noise"),
            "settled_share": float((np.abs(attribution) > _Z95 * se).mean()), "max_stderr": float(se.max())}


def localisation(exp: Any, mask: np.ndarray | None, output: str) -> dict[str, Any]:
    if mask is None or not mask.any():
        return {"pointing_hit": None, "iou": None}
    from explicable.evaluation import attribution_iou, pointing_game

    hit = pointing_game(exp, mask, output=output)
    iou = attribution_iou(exp, mask, output=output)
    return {"pointing_hit": float(hit.per_row[0]), "iou": float(iou.per_row[0])}


def text_numbers(name: str, exp: Any) -> dict[str, Any]:
    if name != "integrated_gradients":
        return {"replacement": exp.provenance.parameters.get("replacement")}
    diagnostics = exp.provenance.parameters.get("diagnostics", {})
    delta = float(np.asarray(diagnostics["delta"], dtype="float64").reshape(-1)[0])
    return {"delta": delta, "change": float(exp.values[0, :, 0].sum()) - delta,
            "baseline_value": float(exp.base_values[0, 0]), "n_steps": int(diagnostics["n_steps"][0]),
            "converged": bool(diagnostics["converged"][0]), "baseline": exp.provenance.parameters.get("baseline")}


def report_view(report: Any, labels: Mapping[str, str]) -> dict[str, Any]:
    """The attention report's summary, verdicts and, per method, agreement with the reference and deletion."""
    ref = report.reference
    j = None if ref is None else report.methods.index(ref)
    rows = []
    for i, method in enumerate(report.methods):
        curve = report.deletion[method]
        rows.append({"method": method, "label": labels.get(method, method),
                     "spearman": None if j is None else report.spearman[i, j],
                     "kendall": None if j is None else report.kendall[i, j],
                     "kendall_pvalue": report.kendall_pvalue.get(method), "deletion_margin": curve.value,
                     "deletion_passed": bool(curve.passed), "verdict": report.verdicts.get(method),
                     "faithful": report.faithful(method) if method in report.verdicts else None})
    return {"summary": report.summary(), "reference": ref, "reference_label": labels.get(ref or "", ref),
            "target": report.target, "min_agreement": report.min_agreement, "verdicts": dict(report.verdicts),
            "rows": rows}


def figure(ax: Any) -> dict[str, str]:
    """The figure as SVG text, with its title and text alternative (for the page's ``alt``)."""
    from explicable.reporting.plots import to_svg

    svg = to_svg(ax)
    found = {tag: re.search(f"<{tag}>(.*?)</{tag}>", svg, re.DOTALL) for tag in ("title", "desc")}
    title, alt = (html.unescape(m.group(1)) if m else "" for m in found.values())
    return {"svg": svg, "title": title, "alt": alt}


def png(image: np.ndarray, mask: np.ndarray | None = None) -> str:
    """An image (H, W, C) in [0, 1] as a PNG data URL; with ``mask``, its outline drawn in green."""
    from PIL import Image
    from scipy.ndimage import binary_erosion

    arr = np.asarray(image, dtype="float64")
    arr = arr[..., :3] if arr.shape[-1] >= 3 else np.repeat(arr[..., :1], 3, axis=-1)
    span = float(arr.max() - arr.min())
    if (arr.min() < 0 or arr.max() > 1) and span > 0:  # not already in [0, 1]: stretch to it
        arr = (arr - arr.min()) / span
    pixels = np.clip(np.round(arr * 255), 0, 255).astype("uint8")
    if mask is not None and mask.any():
        pixels[mask & ~binary_erosion(mask)] = (0, 200, 0)
    buffer = io.BytesIO()
    Image.fromarray(pixels).save(buffer, format="PNG")
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")
