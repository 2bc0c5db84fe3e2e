"""The dashboard's views of an image or text model: each item's explanations side by side, as JSON-ready dicts.

Images: Grad-CAM, Integrated Gradients (with its completeness error) and SmoothGrad (with the contour of the
pixels whose 95% interval excludes zero) as SVG overlays, localisation against a ground-truth mask where
given, and the TCAV table of the concepts given. Texts: token heat-text for Integrated Gradients and
occlusion, the attention heads of a layer, attention rollout, and the attention validation report (does
attention agree with the attributions, and is it faithful on that text?). Every number comes from the
library's own explainers, called on the one item; figures come from :mod:`explicable.reporting.plots`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, cast

import numpy as np

from explicable.core.errors import InvalidParameterError, UnsupportedModelError
from explicable.core.random import make_rng
from explicable.core.validation import check_choice, check_int
from explicable.dashboard._deep_views import (
    check_images,
    check_labels,
    check_masks,
    check_texts,
    figure,
    image_numbers,
    localisation,
    png,
    report_view,
    text_numbers,
)
from explicable.dashboard._jsonable import jsonable
from explicable.explainers.gradient._side_by_side import SIDE_BY_SIDE, side_by_side_explainer
from explicable.models.wrap import wrap

__all__ = ["EXAMPLES", "IMAGE_VIEWS", "TEXT_VIEWS", "DeepDashboardState", "example_state"]

#: Methods shown side by side for an image: (name, label).
IMAGE_VIEWS = SIDE_BY_SIDE
#: Token attributions shown for a text: (name, label).
TEXT_VIEWS = (("integrated_gradients", "Integrated Gradients"), ("occlusion", "Occlusion"))
#: Shipped examples :func:`example_state` builds.
EXAMPLES = ("lesions", "sentiment")


class DeepDashboardState:
    """An image or text model, its inputs, and each dashboard view as a plain, JSON-ready dict.

    Items are explained one at a time, when first asked for, and kept. Not thread-safe: the server
    serialises calls.

    Parameters
    ----------
    model : TorchAdapter or TextClassifier
        An image model (a :class:`~explicable.models.torch.TorchAdapter` with ``image_shape``) or a
        :class:`~explicable.models.transformers.TextClassifier`.
    data : array (n, H, W, C) or (H, W, C), or a sequence of str (or one str)
        The images or texts to browse.
    output : str, optional
        The output explained (default: the model's last, e.g. the positive class).
    labels : sequence, optional
        True classes (output positions or names), one per item.
    masks : array (n, H, W) of bool, optional
        Images: ground-truth object masks (pointing game and IoU per method).
    concepts : mapping of str to images, optional
        Images: concept examples for TCAV (with ``random_images``).
    random_images : images, optional
        Images: the random counterpart TCAV compares each concept with.
    smoothgrad_samples : int, default 50
        Noisy copies per image for SmoothGrad.
    tcav_random : int, default 10
        CAVs per concept and random CAVs (TCAV's ``n_random``); the CAVs are SGD classifiers, as in the
        authors' code (fast enough to fit while the page waits).
    random_state : int, optional
        Seed of SmoothGrad's noise, TCAV's splits and the deletion curves' random orderings (drawn and
        recorded, ``random_state_``, when None).

    Examples
    --------
    >>> import numpy as np, torch
    >>> from explicable.models.torch import TorchAdapter
    >>> _ = torch.manual_seed(0)
    >>> net = torch.nn.Sequential(torch.nn.Conv2d(3, 2, 3, padding=1), torch.nn.AdaptiveAvgPool2d(1),
    ...                           torch.nn.Flatten())
    >>> model = TorchAdapter(net, image_shape=(8, 8, 3), output_names=["a", "b"])
    >>> state = DeepDashboardState(model, np.zeros((2, 8, 8, 3), "float32"), random_state=0)
    >>> state.overview()["kind"], len(state.overview()["items"])
    ('image', 2)
    """

    def __init__(self, model: Any, data: Any, *, output: str | None = None, labels: Any = None, masks: Any = None,
                 concepts: Mapping[str, Any] | None = None, random_images: Any = None, smoothgrad_samples: int = 50,
                 tcav_random: int = 10, random_state: int | None = None) -> None:
        # a TorchAdapter with image_shape or a TextClassifier (checked next): typed by what it does, not its class
        self.adapter: Any = cast(Any, wrap(model))
        self.kind = _kind(self.adapter)
        self.output = str(self.adapter.output_names[-1]) if output is None else \
            check_choice(output, "output", list(self.adapter.output_names))
        self.column = list(self.adapter.output_names).index(self.output)
        self.smoothgrad_samples = check_int(smoothgrad_samples, "smoothgrad_samples", low=2)
        self.tcav_random = check_int(tcav_random, "tcav_random", low=2)
        self.random_state_ = make_rng(random_state)[1]
        if self.kind == "image":
            self.images: np.ndarray = check_images(data, self.adapter.image_shape)
            self.texts: list[str] = []
            self.masks = None if masks is None else check_masks(masks, self.images.shape)
            self.predictions_ = np.asarray(self.adapter.predict(self.images.reshape(len(self.images), -1)))
        else:
            if masks is not None or concepts is not None or random_images is not None:
                raise InvalidParameterError(parameter="masks" if masks is not None else "concepts",
                                            expected="None for a text model (masks and concepts are for images)",
                                            got="images")
            self.texts = check_texts(data)
            self.masks = None
            self.predictions_ = np.asarray(self.adapter.predict(self.texts))
        self.n_items = len(self.predictions_)
        self.labels = None if labels is None else check_labels(labels, self.n_items, self.adapter.output_names)
        if (concepts is None) != (random_images is None):
            raise InvalidParameterError(parameter="random_images" if random_images is None else "concepts",
                                        expected="concepts and random_images given together", got=None)
        self.concepts = None if concepts is None else dict(concepts)
        self.random_images = random_images
        self._items: dict[int, dict[str, Any]] = {}
        self._heads: dict[tuple[int, int], dict[str, Any]] = {}
        self._tcav: Any = None
        self._tcav_all: dict[str, Any] | None = None

    # ---- the views ----------------------------------------------------------------------------------------
    def overview(self) -> dict[str, Any]:
        """The model, the items (prediction, label, a thumbnail or the text) and the methods shown."""
        names = list(self.adapter.output_names)
        predicted = self.predictions_.argmax(axis=1)
        items = []
        for i in range(self.n_items):
            entry: dict[str, Any] = {"item": i, "predicted": names[int(predicted[i])],
                                     "score": self.predictions_[i, self.column],
                                     "outputs": dict(zip(names, self.predictions_[i], strict=True)),
                                     "label": None if self.labels is None else self.labels[i]}
            entry["correct"] = None if self.labels is None else entry["label"] == entry["predicted"]
            if self.kind == "image":
                entry["thumbnail"] = png(self.images[i])
                entry["has_mask"] = None if self.masks is None else bool(self.masks[i].any())
            else:
                entry["text"] = self.texts[i]
            items.append(entry)
        correct = [e["correct"] for e in items if e["correct"] is not None]
        views: tuple[tuple[str, str], ...]
        model: dict[str, Any] = {"type": type(getattr(self.adapter, "model", self.adapter)).__name__, "outputs": names,
                 "output": self.output, "output_space": self.adapter.output_space}
        if self.kind == "image":
            model["image_shape"] = list(self.adapter.image_shape)
            views = IMAGE_VIEWS
        else:
            model["n_layers"], model["n_heads"] = int(self.adapter.n_layers), int(self.adapter.n_heads)
            views = TEXT_VIEWS
        return jsonable({"kind": self.kind, "model": model, "n_items": self.n_items, "items": items,
                         "methods": [{"name": n, "label": lab} for n, lab in views],
                         "accuracy": float(np.mean(correct)) if correct else None,
                         "masks": self.masks is not None, "concepts": list(self.concepts or ()),
                         "random_state": self.random_state_})

    def item(self, item: Any) -> dict[str, Any]:
        """One item explained: per method an SVG figure and its numbers (see the module docstring)."""
        i = self._item(item)
        if i not in self._items:
            self._items[i] = jsonable(self._image_item(i) if self.kind == "image" else self._text_item(i))
        return self._items[i]

    def heads(self, item: Any, layer: Any = None) -> dict[str, Any]:
        """A text's attention heads in one layer (default the last), as an SVG grid."""
        if self.kind != "text":
            raise InvalidParameterError(parameter="layer", expected="a text model (attention heads)", got="images")
        i = self._item(item)
        n_layers = int(self.adapter.n_layers)
        chosen = n_layers - 1 if layer is None else check_int(layer, "layer", low=0, high=n_layers - 1)
        if (i, chosen) not in self._heads:
            from explicable.explainers.attention import extract_attention
            from explicable.reporting.plots import plot_attention_heads

            maps = extract_attention(self.adapter, self.texts[i])
            ax = plot_attention_heads(maps.attention, list(maps.tokens), layer=chosen, max_heads=16)
            self._heads[i, chosen] = {"item": i, "layer": chosen, "n_layers": n_layers,
                                      "n_heads": int(maps.attention.shape[1]), **figure(ax)}
        return self._heads[i, chosen]

    # ---- images --------------------------------------------------------------------------------------------
    def _image_item(self, i: int) -> dict[str, Any]:
        from explicable.core.explanation import Explanation
        from explicable.core.images import image_attributions
        from explicable.reporting.plots import plot_image_overlay

        image = self.images[i:i + 1]
        mask = None if self.masks is None else self.masks[i:i + 1]
        methods = []
        for name, label in IMAGE_VIEWS:
            exp = side_by_side_explainer(name, self.adapter, random_state=self.random_state_,
                                         n_samples=self.smoothgrad_samples).explain(image, target=self.output)
            attribution = image_attributions(exp)[0]
            stderr = None if exp.stderr is None else image_attributions(Explanation(
                exp.stderr, exp.base_values, exp.feature_names, exp.output_names, provenance=exp.provenance))[0]
            ax = plot_image_overlay(image[0], attribution, stderr=stderr)
            numbers = {"sum": float(attribution.sum()), "max": float(attribution.max()),
                       "argmax": [int(v) for v in np.unravel_index(int(attribution.argmax()), attribution.shape)],
                       "elapsed_seconds": exp.provenance.elapsed_seconds, "budget_used": exp.provenance.budget_used,
                       **image_numbers(name, exp, attribution, stderr), **localisation(exp, mask, self.output)}
            methods.append({"name": name, "label": label, **figure(ax), "numbers": numbers})
        return {"item": i, "kind": "image", "output": self.output, **self._prediction(i),
                "image": png(self.images[i]), "mask": None if mask is None else png(self.images[i], mask[0]),
                "has_mask": None if mask is None else bool(mask.any()), "methods": methods, "tcav": self._tcav_view(i)}

    def _tcav_view(self, i: int) -> dict[str, Any]:
        if self.concepts is None:
            return {"available": False, "reason": "No concept examples were given (concepts=..., random_images=...)."}
        if self._tcav is None:
            from explicable.explainers.concepts import TCAV

            self._tcav = TCAV(self.adapter, n_random=self.tcav_random, classifier="sgd",
                              random_state=self.random_state_).fit(self.concepts, self.random_images)
            self._tcav_all = self._tcav.explain(self.images, target=self.output).to_dict()
        every = self._tcav_all or {}
        mine = self._tcav.explain(self.images[i:i + 1], target=self.output)
        rows = [{"concept": c, "score": every["mean"][j], "std": every["std"][j],
                 "random_score": float(np.mean(every["random_scores"])), "p_value_corrected":
                 every["p_values_corrected"][j], "significant": every["significant"][j],
                 "cav_accuracy": float(np.mean(every["cav_accuracy"][j])), "this_image": float(mine.mean[j])}
                for j, c in enumerate(every["concepts"])]
        return {"available": True, "layer": every["layer"], "target": every["target"], "n_inputs": every["n_inputs"],
                "alpha": every["alpha"], "n_cavs": self.tcav_random, "random_state": every["random_state"],
                "rows": rows}

    # ---- texts ---------------------------------------------------------------------------------------------
    def _text_item(self, i: int) -> dict[str, Any]:
        from explicable.evaluation import METHOD_LABELS, attention_report
        from explicable.explainers.tokens import TokenIntegratedGradients, TokenOcclusion
        from explicable.reporting.plots import plot_token_heat

        text = self.texts[i]
        methods = []
        tokens: list[str] = []
        for name, label in TEXT_VIEWS:
            factory = TokenIntegratedGradients if name == "integrated_gradients" else TokenOcclusion
            exp = factory(self.adapter).fit().explain([text], target=self.output)
            n_tokens = int(exp.provenance.parameters["n_tokens"][0])
            tokens = [str(t) for t in np.asarray(exp.data)[0, :n_tokens]]
            scores = exp.values[0, :n_tokens, 0]
            numbers = {"sum": float(scores.sum()), "elapsed_seconds": exp.provenance.elapsed_seconds,
                       "budget_used": exp.provenance.budget_used, **text_numbers(name, exp)}
            methods.append({"name": name, "label": label, "tokens": tokens, "scores": scores, "numbers": numbers,
                            **figure(plot_token_heat(tokens, scores))})
        report = attention_report(self.adapter, text, target=self.output, random_state=self.random_state_)
        rollout = np.asarray(report.scores["rollout"])
        # [CLS] and [SEP] take most of the rolled-out weight; drawn at zero, the content tokens' colours show
        shown = rollout.copy()
        shown[list(report.special_positions)] = 0.0
        heat = plot_token_heat(list(report.tokens), shown)
        attention = {**self.heads(i), "rollout": {"tokens": list(report.tokens), "scores": rollout, **figure(heat)}}
        return {"item": i, "kind": "text", "output": self.output, "text": text, "tokens": tokens,
                **self._prediction(i), "methods": methods, "attention": attention,
                "report": report_view(report, METHOD_LABELS)}

    # ---- helpers -------------------------------------------------------------------------------------------
    def _prediction(self, i: int) -> dict[str, Any]:
        names = list(self.adapter.output_names)
        predicted = names[int(self.predictions_[i].argmax())]
        label = None if self.labels is None else self.labels[i]
        return {"prediction": {"output": self.output, "value": float(self.predictions_[i, self.column]),
                               "outputs": dict(zip(names, self.predictions_[i].tolist(), strict=True)),
                               "predicted": predicted, "output_space": self.adapter.output_space},
                "label": label, "correct": None if label is None else label == predicted}

    def _item(self, item: Any) -> int:
        if isinstance(item, str):
            try:
                item = int(item)
            except ValueError:
                raise InvalidParameterError(parameter="item", expected="an item number, e.g. ?item=3",
                                            got=item) from None
        return check_int(item, "item", low=0, high=self.n_items - 1)


def example_state(name: str, *, n_images: int = 12, smoothgrad_samples: int = 50, tcav_random: int = 10,
                  random_state: int | None = 0) -> DeepDashboardState:
    """A dashboard over a shipped model: ``"lesions"`` or ``"sentiment"``.

    ``"lesions"``: the lesion CNN (:func:`explicable.datasets._lesion_cnn.lesion_cnn`) on ``n_images``
    held-out generated images (the seed its accuracy is judged on) with their masks and labels, and TCAV of
    the "lesion-like blob" concept (lesions cut from other held-out images) against plain skin patches placed
    the same way. ``"sentiment"``: the shipped MiniLM sentiment classifier on the probe sentences (negation,
    sarcasm, contrast) with the labels a reader gives them. Needs ``explicable[deep]`` or ``explicable[text]``.
    """
    check_choice(name, "example", EXAMPLES)
    if name == "sentiment":
        from explicable.datasets._sentiment_model import load_sentiment_model
        from explicable.datasets.sentiment import SENTIMENT_PROBES

        return DeepDashboardState(load_sentiment_model(), [p.text for p in SENTIMENT_PROBES],
                                  labels=[p.expected for p in SENTIMENT_PROBES], random_state=random_state)
    from explicable.datasets._lesion_cnn import HELD_OUT_SEED, LESION_CNN_OUTPUTS, lesion_cnn
    from explicable.datasets.lesions import lesion_patches, make_lesions
    from explicable.models.torch import TorchAdapter

    n = check_int(n_images, "n_images", low=1)
    data = make_lesions(n, random_state=HELD_OUT_SEED)
    pool = make_lesions(40, random_state=HELD_OUT_SEED + 1)  # concept examples: images the CNN never saw either
    concepts = {"lesion-like blob": lesion_patches(pool, lesion=True, random_state=0)}
    skin = lesion_patches(pool, lesion=False, random_state=0)
    model = TorchAdapter(lesion_cnn(), image_shape=data.images.shape[1:], output_names=LESION_CNN_OUTPUTS)
    return DeepDashboardState(model, data.images, labels=data.labels, masks=data.masks, concepts=concepts,
                              random_images=skin, smoothgrad_samples=smoothgrad_samples, tcav_random=tcav_random,
                              random_state=random_state)


def _kind(adapter: Any) -> str:
    if getattr(adapter, "image_shape", None) is not None:
        return "image"
    if callable(getattr(adapter, "attentions", None)) and callable(getattr(adapter, "tokens", None)):
        return "text"
    raise UnsupportedModelError(parameter="model", expected="an image model (TorchAdapter(module, image_shape=(H, W, "
                                "C))) or a text classifier (explicable.models.transformers.TextClassifier)",
                                got=adapter)
