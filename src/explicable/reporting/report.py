"""The self-contained audit report: one HTML file, no external resources, opens offline.

:func:`audit_report` computes every section with the library's own functions (see :mod:`._sections`) and
renders them with a jinja2 template (autoescaped; figures inline as SVG). The file references nothing outside
itself: no scripts, fonts, stylesheets or images from the network.
"""

from __future__ import annotations

import html
import os
import shutil
import subprocess
import tempfile
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from importlib.resources import files
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from explicable._version import __version__
from explicable.core.errors import InvalidDataError, InvalidParameterError, MethodNotAvailableError
from explicable.core.validation import check_int, check_random_state
from explicable.models.wrap import wrap
from explicable.reporting._audit_data import Section, failure, prepare_inputs
from explicable.reporting._sections import (
    SECTIONS,
    counterfactual_section,
    fairness_section,
    global_section,
    local_section,
    performance_section,
    provenance_section,
    quality_section,
    summary_section,
)

__all__ = ["SECTIONS", "AuditReport", "audit_report"]


@dataclass(frozen=True)
class AuditReport:
    """A rendered audit report.

    Attributes
    ----------
    html : str
        The whole self-contained HTML document.
    sections : tuple of str
        Section ids in order (:data:`SECTIONS`).
    seconds : float
        Time taken to build it.
    """

    html: str
    sections: tuple[str, ...]
    seconds: float

    def write(self, path: str | Path) -> Path:
        """Write the HTML to ``path`` (UTF-8) and return the path."""
        out = Path(path)
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(self.html, encoding="utf-8")
        return out

    def write_pdf(self, path: str | Path, *, chromium: str | None = None, timeout: float = 120.0) -> Path:
        """Print the report to PDF with headless Chromium (Debian's ``chromium``, or ``chromium``).

        Raises
        ------
        MethodNotAvailableError
            No Chromium binary was found, or it failed to print.
        """
        binary = chromium or os.environ.get("EXPLICABLE_CHROMIUM") or shutil.which("chromium") or \
            shutil.which("chromium-browser")
        if binary is None:
            raise MethodNotAvailableError("Printing the report to PDF needs Chromium (apt-get install chromium).",
                                          parameter="pdf", got=None)
        out = Path(path).resolve()
        out.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryDirectory() as folder:
            page = Path(folder) / "report.html"
            page.write_text(self.html, encoding="utf-8")
            command = [binary, "--headless", "--no-sandbox", "--disable-gpu", "--no-pdf-header-footer",
                       f"--user-data-dir={folder}/profile", f"--print-to-pdf={out}", page.as_uri()]
            done = subprocess.run(command, capture_output=True, timeout=timeout, check=False)
        if done.returncode != 0 or not out.exists() or out.stat().st_size == 0:
            raise MethodNotAvailableError(f"Chromium could not print the report (exit {done.returncode}): "
                                          f"{done.stderr.decode(errors='replace')[-300:]}", parameter="pdf",
                                          got=binary)
        return out


def audit_report(model: Any, data: Any, *, target: str | None = None, sensitive: Sequence[str] = (),
                 favorable: Any = None, threshold: float = 0.5, n_explain: int = 200, n_local: int = 3,
                 background_size: int = 100, random_state: int | None = 0, title: str = "Model audit report",
                 output: str | None = None, labels: Any = None, masks: Any = None,
                 concepts: Mapping[str, Any] | None = None, random_images: Any = None) -> AuditReport:
    """Audit ``model`` on the labelled rows of ``data`` and render the report.

    For an image model (a :class:`~explicable.models.torch.TorchAdapter` with ``image_shape``) pass images
    (n, H, W, C) as ``data``; for a text classifier (:class:`~explicable.models.transformers.TextClassifier`)
    a list of texts. The report then shows attributions side by side (Grad-CAM, Integrated Gradients,
    SmoothGrad; or token heat-text and attention), their sanity checks and deletion curves, localisation
    against ``masks``, TCAV for ``concepts`` and the attention validation report (see ``output`` and after).

    Parameters
    ----------
    model : model object or ModelAdapter
        A binary classifier (tables), or an image or text model.
    data : DataFrame, or images (n, H, W, C), or a sequence of str
        The model's features, the ``target`` column and the ``sensitive`` columns; or images or texts.
    target : str
        The true outcome (required for tables).
    sensitive : sequence of str
        Sensitive attributes for the fairness audit (columns of ``data``, model inputs or not).
    favorable : optional
        The favourable outcome value (e.g. "good"); 1 for 0/1 outcomes.
    threshold : float, default 0.5
        A decision is favourable when the model's score for the favourable outcome is at least this.
    n_explain : int, default 200
        Rows explained for the global, quality and by-group sections (the first ones).
    n_local : int, default 3
        Declined rows shown one by one (with reasons and counterfactuals).
    background_size : int, default 100
        Background rows for the explanations that need them.
    random_state : int, default 0
        Seed of every sampled step; the same inputs and seed give the same report.
    title : str
    output : str, optional
        Images and texts: the output explained (default the model's last, e.g. the positive class).
    labels : array of shape (n,), optional
        Images and texts: true classes (output positions or names), for the accuracy line.
    masks : array of shape (n, H, W) of bool, optional
        Images: ground-truth regions, for the pointing game and IoU.
    concepts : mapping of str to images, optional
        Images: concept examples for TCAV, with ``random_images`` to compare them with.
    random_images : images, optional

    Returns
    -------
    AuditReport
    """
    from explicable.explainers import REGISTRY, explain

    start = time.perf_counter()
    seed = check_random_state(random_state)
    seed = 0 if seed is None else seed
    if not isinstance(data, pd.DataFrame):
        return _deep_report(model, data, output=output, labels=labels, masks=masks, concepts=concepts,
                            random_images=random_images, n_show=max(1, check_int(n_local, "n_local", low=0)),
                            seed=seed, title=title, start=start)
    if not isinstance(target, str):
        raise InvalidParameterError(parameter="target", expected="the name of the outcome column of data",
                                    got=target)
    n_explain, n_local = check_int(n_explain, "n_explain", low=1), check_int(n_local, "n_local", low=0)
    inputs = prepare_inputs(wrap(model), data, target=target, sensitive=list(sensitive), favorable=favorable,
                            threshold=threshold, random_state=seed)
    rows = inputs.X.iloc[:n_explain]
    background = inputs.X.sample(min(background_size, len(inputs.X)), random_state=seed)
    # native TreeSHAP uses the trees' own cover; other methods measure against the background
    needs = REGISTRY.resolve("auto", inputs.model, n_players=len(inputs.X.columns)).needs_background
    exp = explain(inputs.model, rows, background=background if needs else None, random_state=seed)
    decided = inputs.decisions[:n_explain]
    declined, approved = np.flatnonzero(decided == 0), np.flatnonzero(decided == 1)
    sections = [summary_section(inputs, data), performance_section(inputs), global_section(inputs, exp),
                local_section(inputs, exp, declined, approved, n_local), quality_section(inputs, exp, background),
                _guarded(lambda: fairness_section(inputs, exp), "fairness", "Fairness audit"),
                counterfactual_section(inputs, declined, n_local)]
    sections.append(_limitations(sections, exp))
    sections.append(provenance_section(inputs, data, exp))
    page = _render(title, sections, seed, len(data))
    return AuditReport(page, tuple(s.id for s in sections), time.perf_counter() - start)


def _deep_report(model: Any, data: Any, *, output: str | None, labels: Any, masks: Any,
                 concepts: Mapping[str, Any] | None, random_images: Any, n_show: int, seed: int, title: str,
                 start: float) -> AuditReport:
    from explicable.reporting._deep_sections import image_sections, text_sections

    adapter = wrap(model)
    if isinstance(data, str) or (isinstance(data, Sequence) and len(data) > 0
                                 and all(isinstance(t, str) for t in data)):
        texts = [data] if isinstance(data, str) else list(data)
        chosen = _deep_output(adapter, output)
        sections, explained = text_sections(adapter, texts, output=chosen, labels=labels, n_show=n_show,
                                            seed=seed)
        n_items = len(texts)
    elif (shape := getattr(adapter, "image_shape", None)) is not None:
        images = np.asarray(data, dtype="float32")
        images = images[None] if images.ndim == 3 else images
        if images.ndim != 4 or tuple(images.shape[1:]) != tuple(shape):
            raise InvalidDataError(parameter="data", expected=f"images (n, {', '.join(map(str, shape))})", got=data)
        chosen = _deep_output(adapter, output)
        sections, explained = image_sections(
            adapter, images, output=chosen, labels=labels, masks=None if masks is None else np.asarray(masks, bool),
            concepts=concepts, random_images=random_images, n_show=n_show, seed=seed)
        n_items = len(images)
    else:
        raise InvalidDataError(parameter="data", expected="a DataFrame (tables), images (n, H, W, C) for a "
                               "TorchAdapter with image_shape, or texts for a TextClassifier", got=data)
    sections.append(_deep_limitations(explained))
    sections.append(_deep_provenance(adapter, explained, seed))
    page = _render(title, sections, seed, n_items)
    return AuditReport(page, tuple(s.id for s in sections), time.perf_counter() - start)


def _deep_output(adapter: Any, output: str | None) -> str:
    names = list(adapter.output_names)
    if output is None:
        return str(names[-1])
    if output not in names:
        raise InvalidParameterError(parameter="output", expected=f"one of {names}", got=output)
    return output


def _deep_limitations(explained: Mapping[str, Any]) -> Section:
    section = Section("limitations", "Limitations and method notes")
    section.paragraphs += [
        "Gradient attributions describe the network's local sensitivity along a path from a baseline (the blurred "
        "image, or [MASK] embeddings); another baseline gives other numbers. Grad-CAM is coarse: its resolution "
        "is that of the last convolution layer, upsampled. None of these maps say why the world looks as it does.",
        "Attention weights show where the network mixes information, not what its decision rests on; they are "
        "reported here next to attributions, with a per-input verdict, and should be read only where the "
        "verdict says they are faithful.",
        "Checks (randomisation, deletion curves, localisation) are computed on the few inputs of this report; "
        "they are evidence about these inputs, not guarantees for others.",
    ]
    section.paragraphs += [f"Explained with: {', '.join(sorted(explained))}."] if explained else []
    return section


def _deep_provenance(adapter: Any, explained: Mapping[str, Any], seed: int) -> Section:
    section = Section("provenance", "Provenance")
    rows = [(name, exp.provenance.method, exp.provenance.model_fingerprint, exp.provenance.data_fingerprint,
             f"{exp.provenance.elapsed_seconds:.3g}") for name, exp in explained.items()]
    section.tables.append(("Explanations", pd.DataFrame(
        rows, columns=["method", "explainer", "model fingerprint", "data fingerprint", "seconds"])))
    section.paragraphs.append(f"explicable {__version__}; seed {seed}.")
    return section


def _guarded(build: Callable[[], Section], section_id: str, title: str) -> Section:
    try:
        return build()
    except Exception as exc:  # the report says what it could not compute
        section = Section(section_id, title)
        failure(section, title.lower(), exc)
        return section


def _limitations(sections: list[Section], exp: Any) -> Section:
    section = Section("limitations", "Limitations and method notes")
    section.paragraphs += [
        f"Local explanations are {exp.provenance.method} attributions in {exp.provenance.output_space} space: "
        "they describe how the model's score for each row splits between its features, relative to a reference "
        "(the background rows or the training data), not causes in the world.",
        "Global importance is the mean absolute attribution over the explained rows, with a confidence interval "
        "over rows; permutation importance measures the loss of accuracy when a feature is shuffled, which also "
        "breaks its correlations with other features.",
        "Fairness figures compare decisions between groups on the audited rows; confidence intervals are bootstrap "
        "intervals and four-fifths flags carry the p-value of a two-proportion test. They describe this data, not "
        "the population the model will meet.",
        "Counterfactuals are searched among values seen in the data and keep sensitive attributes fixed; they show "
        "one way the decision could change, not the only one, and not advice.",
    ]
    section.paragraphs += [p for s in sections for p in s.paragraphs if p.startswith("Not computed")]
    return section


def _table_html(caption: str, frame: pd.DataFrame) -> str:
    body = frame.to_html(index=False, float_format=lambda v: f"{v:.4g}", na_rep="", border=0)
    # the caption goes right after the opening <table ...> tag
    return body.replace(">", f"><caption>{html.escape(caption)}</caption>", 1)


def _render(title: str, sections: list[Section], seed: int, n_rows: int) -> str:
    from jinja2 import Environment

    from explicable.reporting import _figures

    template = files("explicable.reporting").joinpath("templates/report.html.j2").read_text(encoding="utf-8")
    env = Environment(autoescape=True, keep_trailing_newline=True)
    views = [{"id": s.id, "title": s.title, "paragraphs": s.paragraphs, "checks": s.checks,
              "tables_html": [(c, _table_html(c, f)) for c, f in s.tables],
              "figures_html": _figures.figures_html(s.figures)}
             for s in sections]
    page = env.from_string(template)
    return page.render(title=title, sections=views, version=__version__, seed=seed, n_rows=n_rows)
