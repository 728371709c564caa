"""Evaluating a classifier by eye: ``confusion_matrix`` and ``plot_decision_boundary``."""

from __future__ import annotations

import numpy as np


def _labels(x) -> np.ndarray:
    if hasattr(x, "_array"):
        x = x.detach().cpu()._array
    return np.asarray(x).astype(np.int64).reshape(-1)


def confusion_matrix(targets, predictions, num_classes: int | None = None, classes=None,
                     plot: bool = True, normalize: bool = False):
    """Count how often class i was predicted as class j (rows: truth, columns: prediction).

    Returns ``(matrix, figure)``: the counts as an int64 tensor and, with ``plot``, a heat
    map (``figure`` is None without it).
    """
    from .._creation import tensor

    t, p = _labels(targets), _labels(predictions)
    if t.shape != p.shape:
        raise ValueError(f"targets and predictions differ in length: {t.size} vs {p.size}")
    n = num_classes or int(max(t.max(initial=0), p.max(initial=0)) + 1)
    counts = np.zeros((n, n), dtype=np.int64)
    np.add.at(counts, (t, p), 1)
    matrix = tensor(counts)
    if not plot:
        return matrix, None
    import matplotlib.pyplot as plt

    shown = counts / np.maximum(counts.sum(1, keepdims=True), 1) if normalize else counts
    fig, ax = plt.subplots(figsize=(0.5 * n + 2, 0.5 * n + 1.5))
    im = ax.imshow(shown, cmap="Blues")
    names = classes if classes is not None else list(range(n))
    ax.set_xticks(range(n), names, rotation=45 if classes is not None else 0)
    ax.set_yticks(range(n), names)
    ax.set_xlabel("predicted")
    ax.set_ylabel("true")
    for i in range(n):
        for j in range(n):
            text = f"{shown[i, j]:.2f}" if normalize else str(counts[i, j])
            ax.text(j, i, text, ha="center", va="center", fontsize=7,
                    color="white" if shown[i, j] > shown.max() / 2 else "black")
    fig.colorbar(im, ax=ax)
    fig.tight_layout()
    return matrix, fig


def plot_decision_boundary(model, X, y, resolution: int = 200, ax=None):
    """Colour the plane by the class ``model`` predicts for 2-D points, with the data on top.

    ``model`` maps an (N, 2) float tensor to (N, classes) scores (or (N,) / (N, 1) logits
    for two classes). Returns the figure.
    """
    import matplotlib.pyplot as plt

    from .. import no_grad
    from .._creation import tensor

    pts = X.detach().cpu()._array if hasattr(X, "_array") else np.asarray(X)
    labels = _labels(y)
    pad = 0.5
    (x0, y0), (x1, y1) = pts.min(0) - pad, pts.max(0) + pad
    gx, gy = np.meshgrid(np.linspace(x0, x1, resolution), np.linspace(y0, y1, resolution))
    grid = tensor(np.stack([gx.ravel(), gy.ravel()], 1).astype(np.float32))
    with no_grad():
        scores = model(grid).detach().cpu()._array
    if scores.ndim == 1 or scores.shape[1] == 1:
        pred = (scores.reshape(-1) > 0).astype(np.int64)
    else:
        pred = scores.argmax(1)
    if ax is None:
        fig, ax = plt.subplots(figsize=(5, 4))
    else:
        fig = ax.figure
    ax.contourf(gx, gy, pred.reshape(gx.shape), alpha=0.3, cmap="coolwarm")
    ax.scatter(pts[:, 0], pts[:, 1], c=labels, cmap="coolwarm", edgecolors="k", s=18)
    ax.set_xlim(x0, x1)
    ax.set_ylim(y0, y1)
    return fig
