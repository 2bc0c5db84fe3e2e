"""Benchmark: do image attributions of the shipped lesion CNN point at the lesions? And TCAV's lesion concept.

The shipped lesion CNN (``explicable.datasets._lesion_cnn.lesion_cnn()``) is explained toward its "lesion"
logit on the first ``--images`` lesion images of the held-out set ``make_lesions(500, random_state=1)``
(never seen in training), and each method's maps are scored against the ground-truth masks:

- pointing game (Zhang et al., 2016; tolerance 0 px): is the map's maximum inside the lesion? With a Wilson
  95% interval;
- IoU of the top-attributed pixels (as many as the lesion has) with the lesion.

Both are reported with the signed map ("value": evidence for the lesion class) and with its magnitude
("abs"). Methods: Grad-CAM (last convolution), saliency, Integrated Gradients (zeros, blur and image-mean
baselines), SmoothGrad, occlusion (8x8 windows, stride 4; image-mean and blur fill), all with the library's
defaults otherwise, and two references that do not look at the model: a random map (chance) and the
image's darkness (1 - mean brightness, a lesion-shaped prior: a method that does no better than it shows
the image, not the model).

Then TCAV at ``conv3`` for the lesion output on lesion images: the "lesion-like blob" concept (24x24 patches
around lesions on a plain skin canvas) and a "skin" concept (patches of other images' skin) against random
skin patches, with both significance tests; and, over ``--null-seeds`` seeds, how often a concept made of
random skin patches comes out significant (the false-positive rate of each test at alpha = 0.05).

Exit status 1 if Grad-CAM's pointing game is below 0.9 (the issue's target) or the lesion concept is not
significant. Run ``python bench/lesion.py`` (about 3-6 minutes on 2 cores) or ``--quick``.
"""

from __future__ import annotations

import argparse
import platform
import sys
import time
from collections.abc import Callable
from importlib.metadata import version
from typing import Any

import numpy as np
import torch

from explicable.core.images import image_attributions
from explicable.datasets._lesion_cnn import HELD_OUT_SEED, HELD_OUT_SIZE, lesion_cnn, lesion_cnn_accuracy
from explicable.datasets.lesions import LesionImages, lesion_patches, make_lesions
from explicable.evaluation._localisation import attribution_iou, pointing_game
from explicable.explainers.concepts import TCAV
from explicable.explainers.gradient import GradCAM, IntegratedGradients, Occlusion, Saliency, SmoothGrad
from explicable.models.torch import TorchAdapter

TARGET_POINTING = 0.9


def methods(adapter: TorchAdapter) -> dict[str, Callable[[np.ndarray], np.ndarray]]:
    """Each method as images -> maps (n, H, W) toward "lesion"."""

    def run(explainer: Any) -> Callable[[np.ndarray], np.ndarray]:
        return lambda x: image_attributions(explainer.fit().explain(x, target="lesion"))

    return {
        "Grad-CAM": run(GradCAM(adapter)),
        "saliency": run(Saliency(adapter)),
        "IG, zeros baseline": run(IntegratedGradients(adapter)),
        "IG, blur baseline": run(IntegratedGradients(adapter, baseline="blur")),
        "IG, image-mean baseline": run(IntegratedGradients(adapter, baseline="mean")),
        "SmoothGrad": run(SmoothGrad(adapter, random_state=0)),
        "occlusion, image-mean fill": run(Occlusion(adapter, window=8, stride=4, baseline="mean")),
        "occlusion, blur fill": run(Occlusion(adapter, window=8, stride=4, baseline="blur")),
        "reference: random map": lambda x: np.random.default_rng(0).uniform(size=x.shape[:3]),
        "reference: darkness": lambda x: 1.0 - x.mean(axis=3),
    }


def localisation(data: LesionImages, n_images: int) -> tuple[list[tuple[str, ...]], float]:
    positives = np.flatnonzero(data.labels == 1)[:n_images]
    x, masks = data.images[positives], data.masks[positives]
    adapter = TorchAdapter(lesion_cnn(), image_shape=(64, 64, 3), output_names=["no_lesion", "lesion"])
    rows, gradcam = [], float("nan")
    for name, method in methods(adapter).items():
        start = time.perf_counter()
        maps = method(x)
        seconds = time.perf_counter() - start
        cells = [name]
        for by in ("value", "abs"):
            pg = pointing_game(maps, masks, by=by)
            cells.append(f"{pg.value:.3f} [{pg.details['ci_low']:.2f}, {pg.details['ci_high']:.2f}]")
        for by in ("value", "abs"):
            cells.append(f"{attribution_iou(maps, masks, by=by).value:.3f}")
        cells.append(f"{seconds:.1f}")
        rows.append(tuple(cells))
        if name == "Grad-CAM":
            gradcam = pointing_game(maps, masks).value
    return rows, gradcam


def tcav_concepts(seed: int) -> tuple[dict[str, np.ndarray], np.ndarray, np.ndarray]:
    data = make_lesions(300, random_state=seed)
    concepts = {"lesion-like blob": lesion_patches(data, lesion=True, max_patches=50, random_state=seed),
                "skin (other images)": lesion_patches(make_lesions(100, random_state=seed + 1), lesion=False,
                                                      max_patches=50, random_state=seed + 2)}
    random_skin = lesion_patches(data, lesion=False, max_patches=100, random_state=seed + 3)
    return concepts, random_skin, data.images[data.labels == 1][:100]


def tcav_table(n_random: int) -> tuple[list[str], bool]:
    concepts, random_skin, inputs = tcav_concepts(7)
    lines, ok = [], True
    for test in ("ttest", "prediction"):
        tcav = TCAV(lesion_cnn(), n_random=n_random, test=test, random_state=0).fit(concepts, random_skin)
        result = tcav.explain(inputs, target=1)
        frame = result.to_frame()
        for _, row in frame.iterrows():
            lines.append(f"| {row['concept']} | {test} | {row['tcav_score']:.3f} +/- {row['std']:.3f} | "
                         f"{row['random_score']:.3f} +/- {row['random_std']:.3f} | {row['p_value_corrected']:.2g} | "
                         f"{'yes' if row['significant'] else 'no'} | {row['cav_accuracy']:.2f} |")
        ok = ok and (test != "ttest" or bool(result.significant[0]))
    return lines, ok


def null_rates(seeds: int, n_random: int) -> dict[str, float]:
    """Share of seeds in which a concept of random skin patches is significant, per test."""
    model = lesion_cnn()
    hits = {"ttest": 0, "prediction": 0}
    for seed in range(seeds):
        data = make_lesions(200, positive_fraction=0.3, random_state=1000 + seed)
        skin = lesion_patches(data, lesion=False, max_patches=120, random_state=seed)
        fake, pool = skin[:40], skin[40:]
        inputs = data.images[data.labels == 1][:40]
        for test in hits:
            result = TCAV(model, n_random=n_random, test=test, random_state=seed).fit({"random": fake}, pool) \
                .explain(inputs, target=1)
            hits[test] += int(result.significant[0])
    return {test: count / seeds for test, count in hits.items()}


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description="Localisation of attributions and TCAV on the lesion CNN.")
    parser.add_argument("--images", type=int, default=100, help="held-out lesion images explained (max ~250)")
    parser.add_argument("--n-random", type=int, default=10, help="CAVs per concept in TCAV")
    parser.add_argument("--null-seeds", type=int, default=20, help="seeds of the TCAV false-positive check")
    parser.add_argument("--quick", action="store_true", help="30 images, 10 null seeds")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.quick:
        args.images, args.null_seeds = 30, 10
    torch.manual_seed(0)
    print(f"# Lesion CNN: localisation and concepts ({args.images} held-out lesion images)\n")
    print(f"python {platform.python_version()}, torch {version('torch')}, captum {version('captum')}, "
          f"{torch.get_num_threads()} torch threads, {platform.machine()}\n")
    held_out = make_lesions(HELD_OUT_SIZE, random_state=HELD_OUT_SEED)
    accuracy = lesion_cnn_accuracy(lesion_cnn(), held_out.images, held_out.labels)
    print(f"held-out accuracy of the shipped model: {accuracy:.3f} ({HELD_OUT_SIZE} images)\n")
    rows, gradcam = localisation(held_out, args.images)
    print("| method | pointing game (value) [95% CI] | pointing game (abs) | IoU (value) | IoU (abs) | seconds |")
    print("|---|---:|---:|---:|---:|---:|")
    for row in rows:
        print("| " + " | ".join(row) + " |")
    lines, tcav_ok = tcav_table(args.n_random)
    print("\n## TCAV, lesion output, layer conv3 (100 lesion images; random: 100 skin patches)\n")
    print("| concept | test | TCAV score | random CAVs | corrected p | significant | CAV accuracy |")
    print("|---|---|---:|---:|---:|---|---:|")
    print("\n".join(lines))
    rates = null_rates(args.null_seeds, args.n_random)
    print(f"\nfalse-positive rate of a random-skin concept over {args.null_seeds} seeds at alpha 0.05: "
          + ", ".join(f"{test} {rate:.2f}" for test, rate in rates.items()))
    print("\n## Verdicts\n")
    print(f"- Grad-CAM pointing game >= {TARGET_POINTING}: {'yes' if gradcam >= TARGET_POINTING else 'no'} "
          f"({gradcam:.3f})")
    print(f"- lesion concept significant (t-test): {'yes' if tcav_ok else 'no'}")
    return 0 if gradcam >= TARGET_POINTING and tcav_ok else 1


if __name__ == "__main__":
    sys.exit(main())
