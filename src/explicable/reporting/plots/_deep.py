"""Deep-learning views from plain arrays: an attribution map over an image, heat-coloured tokens, attention heads."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from explicable.core.errors import InvalidDataError, InvalidParameterError
from explicable.reporting.plots._inputs import as_array, check_count
from explicable.reporting.plots._style import DIVERGING, SEQUENTIAL, WHISKER, axes_for, fmt, z_value
from explicable.reporting.plots._text import attach_text

if TYPE_CHECKING:
    from matplotlib.axes import Axes

__all__ = ["plot_attention_heads", "plot_image_overlay", "plot_token_heat"]

_ROWS = ("top", "middle", "bottom")
_COLS = ("left", "centre", "right")


def plot_image_overlay(image: Any, attribution: Any, *, stderr: Any = None, alpha: float = 0.55,
                       confidence: float = 0.95, blocks: int = 8, ax: Any = None) -> Axes:
    """An attribution map laid over its image (red raises the output, blue lowers it).

    Parameters
    ----------
    image : array of shape (H, W) or (H, W, 3|4)
        Shown in grey; any numeric range (rescaled to [0, 1]).
    attribution : array of shape (H, W) or (H, W, C)
        Channels are summed. Colours are symmetric around zero.
    stderr : array like ``attribution``, optional
        Where given, a contour encloses the pixels whose interval excludes zero (channels' errors summed).
    alpha : float, default 0.55
    confidence : float, default 0.95
    blocks : int, default 8
        The text alternative sums the attribution over a ``blocks`` x ``blocks`` grid of the image.
    ax : matplotlib Axes, optional

    Returns
    -------
    matplotlib Axes
        Its text alternative's table: block_row, block_col, attribution (the block's sum).
    """
    img = as_array(image, "image", (2, 3))
    attr = as_array(attribution, "attribution", (2, 3))
    attr = attr.sum(axis=2) if attr.ndim == 3 else attr
    if attr.shape != img.shape[:2]:
        raise InvalidDataError(parameter="attribution", expected=f"height and width {img.shape[:2]} like the image",
                               got=attr)
    if isinstance(alpha, bool) or not isinstance(alpha, (int, float)) or not 0 <= alpha <= 1:
        raise InvalidParameterError(parameter="alpha", expected="a number in [0, 1]", got=alpha)
    z = z_value(confidence)
    grey = img if img.ndim == 2 else img[..., :3].mean(axis=2)
    span = float(np.ptp(grey))
    grey = (grey - grey.min()) / span if span > 0 else np.zeros_like(grey)
    ax = axes_for(ax, (5.0, 5.0 * img.shape[0] / img.shape[1]))
    ax.imshow(grey, cmap="gray", vmin=0, vmax=1, interpolation="nearest")
    limit = float(np.abs(attr).max()) or 1.0
    ax.imshow(attr, cmap=DIVERGING, vmin=-limit, vmax=limit, alpha=alpha, interpolation="nearest", gid="attribution")
    if stderr is not None:
        se = as_array(stderr, "stderr", (2, 3))
        se = se.sum(axis=2) if se.ndim == 3 else se
        if se.shape != attr.shape:
            raise InvalidDataError(parameter="stderr", expected=f"shape {attr.shape} like attribution", got=se)
        settled = (np.abs(attr) > z * se).astype(float)
        if 0 < settled.sum() < settled.size:
            ax.contour(settled, levels=[0.5], colors=WHISKER, linewidths=1.0).set_gid("ci")
    ax.set_axis_off()
    table = _blocks(attr, check_count(blocks, "blocks"))
    best = table.iloc[int(table["attribution"].to_numpy().argmax())]
    n_rows, n_cols = int(table["block_row"].max()) + 1, int(table["block_col"].max()) + 1
    where = f"{_ROWS[int(3 * best.block_row / n_rows)]} {_COLS[int(3 * best.block_col / n_cols)]}"
    alt = (f"Attribution map over a {img.shape[1]} by {img.shape[0]} image. The evidence for the output is "
           f"strongest in the {where} of the image (block sum {fmt(best.attribution)}).")
    if stderr is not None:
        alt += f" A line encloses the pixels whose {confidence:.0%} interval excludes zero."
    attach_text(ax, "What the model looked at", alt, table)
    return ax


def plot_token_heat(tokens: Sequence[str], scores: Any, *, stderr: Any = None, confidence: float = 0.95,
                    line_width: int = 60, ax: Any = None) -> Axes:
    """Text with each token's background coloured by its attribution (red raises the output, blue lowers it).

    Tokens flow left to right and wrap at ``line_width`` characters. With ``stderr``, a dotted line
    underlines each token whose interval contains zero: its direction is not established.

    Parameters
    ----------
    tokens : sequence of str, length T
    scores : array of shape (T,)
    stderr : array of shape (T,), optional
    confidence : float, default 0.95
    line_width : int, default 60
    ax : matplotlib Axes, optional

    Returns
    -------
    matplotlib Axes
        Its text alternative's table: position, token, score, stderr, ci_low, ci_high.
    """
    if isinstance(tokens, str) or not isinstance(tokens, Sequence) or not tokens:
        raise InvalidDataError(parameter="tokens", expected="a non-empty sequence of str", got=tokens)
    words = [str(t) for t in tokens]
    score = as_array(scores, "scores", 1)
    if score.size != len(words):
        raise InvalidDataError(parameter="scores", expected=f"{len(words)} scores, one per token", got=score)
    se = np.full(score.size, np.nan) if stderr is None else as_array(stderr, "stderr", 1)
    if se.shape != score.shape:
        raise InvalidDataError(parameter="stderr", expected=f"shape {score.shape} like scores", got=se)
    z = z_value(confidence)
    width = check_count(line_width, "line_width", low=10)
    positions = _flow(words, width)
    n_lines = int(positions[:, 1].max()) + 1
    # a 10-point monospace glyph is 6 points (1/12 inch) wide: one x unit per character
    ax = axes_for(ax, (width / 12 + 0.4, 0.35 * n_lines + 0.6))
    from matplotlib import colormaps
    from matplotlib.colors import Normalize

    cmap, norm = colormaps[DIVERGING], Normalize(-(float(np.abs(score).max()) or 1.0), float(np.abs(score).max()) or 1)
    for word, (x, line), s in zip(words, positions, score, strict=True):
        ax.text(x, -line, word, family="monospace", fontsize=10, va="center", ha="left",
                bbox={"boxstyle": "square,pad=0.15", "facecolor": cmap(norm(s)), "edgecolor": "none"})
    unsettled = np.isfinite(se) & (np.abs(score) <= z * se)
    if unsettled.any():
        starts = positions[unsettled, 0]
        ends = starts + np.array([len(w) for w, u in zip(words, unsettled, strict=True) if u])
        ax.hlines(-positions[unsettled, 1] - 0.35, starts, ends, colors=WHISKER, linestyles="dotted", gid="ci")
    ax.set_xlim(-0.5, width + 0.5)
    ax.set_ylim(-n_lines + 0.4, 0.6)
    ax.set_axis_off()
    table = pd.DataFrame({"position": np.arange(score.size), "token": words, "score": score, "stderr": se,
                          "ci_low": score - z * se, "ci_high": score + z * se})
    top = table.reindex(table["score"].abs().sort_values(ascending=False, kind="stable").index)[:3]
    alt = (f"Text of {len(words)} tokens coloured by attribution. Strongest: "
           + ", ".join(f'"{t}" ({s:+.3g})' for t, s in zip(top["token"], top["score"], strict=True)) + "."
           + (f" Dotted underlines mark tokens whose {confidence:.0%} interval contains zero." if unsettled.any()
              else ""))
    attach_text(ax, "Which words drove the output", alt, table)
    return ax


def plot_attention_heads(attention: Any, tokens: Sequence[str], *, layer: int | None = None, max_heads: int = 16,
                         ax: Any = None) -> Axes:
    """A grid of attention maps, one per head (rows: the attending token, columns: the token attended to).

    Parameters
    ----------
    attention : array of shape (heads, T, T) or (layers, heads, T, T)
    tokens : sequence of str, length T
    layer : int, optional
        Needed for a 4-D ``attention``.
    max_heads : int, default 16
    ax : matplotlib Axes, optional
        The area the grid fills (its own frame is hidden).

    Returns
    -------
    matplotlib Axes
        The container; its text alternative's table: head, source, target, weight (each head's strongest link).
    """
    att = as_array(attention, "attention", (3, 4))
    if att.ndim == 4:
        if layer is None or isinstance(layer, bool) or not isinstance(layer, int) or \
                not -att.shape[0] <= layer < att.shape[0]:
            raise InvalidParameterError(parameter="layer", expected=f"an int in [0, {att.shape[0] - 1}] for 4-D "
                                        "attention", got=layer)
        att = att[layer]
    words = [str(t) for t in tokens] if not isinstance(tokens, str) else []
    if att.shape[1:] != (len(words), len(words)):
        raise InvalidDataError(parameter="attention", expected=f"(heads, {len(words)}, {len(words)}) for "
                               f"{len(words)} tokens", got=att)
    heads = min(att.shape[0], check_count(max_heads, "max_heads"))
    cols = int(np.ceil(np.sqrt(heads)))
    rows = int(np.ceil(heads / cols))
    ax = axes_for(ax, (2.2 * cols + 0.5, 2.2 * rows + 0.6))
    ax.set_axis_off()
    records = []
    for h in range(heads):
        inner = ax.inset_axes(((h % cols) / cols + 0.02, 1 - (h // cols + 1) / rows + 0.06, 0.9 / cols, 0.8 / rows))
        inner.imshow(att[h], cmap=SEQUENTIAL, vmin=0, vmax=max(float(att.max()), 1e-12), interpolation="nearest")
        inner.set_title(f"head {h}", fontsize=8)
        show = len(words) <= 12
        inner.set_xticks(np.arange(len(words)) if show else [], words if show else [], rotation=90, fontsize=6)
        inner.set_yticks(np.arange(len(words)) if show else [], words if show else [], fontsize=6)
        i, j = np.unravel_index(int(np.argmax(att[h])), att[h].shape)
        records.append({"head": h, "source": words[i], "target": words[j], "weight": float(att[h][i, j])})
    table = pd.DataFrame(records)
    alt = (f"Attention maps of {heads} heads over {len(words)} tokens" + (f" in layer {layer}" if layer is not None
           else "") + ". Strongest links: " + "; ".join(
        f"head {r.head}: {r.source} to {r.target} ({r.weight:.2f})" for r in table.itertuples()) + ".")
    attach_text(ax, "Attention by head" + (f", layer {layer}" if layer is not None else ""), alt, table)
    return ax


def _blocks(attr: np.ndarray, blocks: int) -> pd.DataFrame:
    rows = np.array_split(np.arange(attr.shape[0]), min(blocks, attr.shape[0]))
    cols = np.array_split(np.arange(attr.shape[1]), min(blocks, attr.shape[1]))
    return pd.DataFrame([{"block_row": i, "block_col": j, "attribution": float(attr[np.ix_(r, c)].sum())}
                         for i, r in enumerate(rows) for j, c in enumerate(cols)])


def _flow(words: list[str], width: int) -> np.ndarray:
    """(x in characters, line) of each word, wrapping before a word that would pass ``width``."""
    out = np.zeros((len(words), 2))
    x, line = 0, 0
    for i, word in enumerate(words):
        if x > 0 and x + len(word) > width:
            x, line = 0, line + 1
        out[i] = (x, line)
        x += len(word) + 1
    return out
