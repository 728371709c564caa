"""Looking at images and at what a network computes: ``show_images``, ``show_filters``,
``show_feature_maps``. Each returns the matplotlib figure, so tests can inspect it."""

from __future__ import annotations

import math

import numpy as np


def _to_numpy_images(images) -> np.ndarray:
    """(N, C, H, W) or (N, H, W) tensor/array, or a list of PIL images -> float (N, H, W, C)."""
    from .._tensor import Tensor

    if isinstance(images, Tensor):
        a = images.detach().cpu()._array
    elif isinstance(images, (list, tuple)) and images and hasattr(images[0], "size") \
            and not isinstance(images[0], (Tensor, np.ndarray)):
        a = np.stack([np.asarray(img) for img in images])  # PIL images: (N, H, W[, C])
        return a.astype(np.float64) / (255.0 if a.dtype == np.uint8 else 1.0) \
            if a.ndim == 4 else a[..., None].astype(np.float64) / 255.0
    else:
        a = np.asarray([np.asarray(x.detach().cpu()._array if isinstance(x, Tensor) else x)
                        for x in images]) if isinstance(images, (list, tuple)) else \
            np.asarray(images)
    a = a.astype(np.float64)
    if a.ndim == 2:
        a = a[None]
    if a.ndim == 3:
        a = a[:, None]
    return a.transpose(0, 2, 3, 1)  # NCHW -> NHWC


def _from_dataset(dataset, count: int):
    images, labels = [], []
    for i in range(min(count, len(dataset))):
        x, y = dataset[i]
        images.append(x)
        labels.append(y)
    return images, labels


def show_images(images, labels=None, nrow: int = 8, title: str | None = None,
                normalize: bool = True, count: int = 32, cmap: str = "gray"):
    """A grid of images: a batch tensor (N, C, H, W), a list of images, or a dataset
    (its first ``count`` items, labelled with their targets)."""
    import matplotlib.pyplot as plt

    if hasattr(images, "__getitem__") and hasattr(images, "__len__") and \
            not isinstance(images, (list, tuple, np.ndarray)) and not hasattr(images, "_array"):
        images, dataset_labels = _from_dataset(images, count)
        labels = dataset_labels if labels is None else labels
    a = _to_numpy_images(images)
    n = a.shape[0]
    cols = min(nrow, n)
    rows = math.ceil(n / cols)
    fig, axes = plt.subplots(rows, cols, figsize=(1.3 * cols, 1.4 * rows + 0.3), squeeze=False)
    for i, ax in enumerate(axes.flat):
        ax.axis("off")
        if i >= n:
            continue
        img = a[i]
        if normalize:
            lo, hi = img.min(), img.max()
            img = (img - lo) / (hi - lo) if hi > lo else np.zeros_like(img)
        ax.imshow(img[..., 0] if img.shape[-1] == 1 else np.clip(img, 0, 1), cmap=cmap)
        if labels is not None:
            lab = labels[i]
            ax.set_title(str(lab.item() if hasattr(lab, "item") else lab), fontsize=9)
    if title:
        fig.suptitle(title)
    fig.tight_layout()
    return fig


def show_filters(conv, nrow: int = 8, title: str | None = None):
    """The kernels of a convolution layer (its weight (out, in, kh, kw)); with several input
    channels, the first input channel of each filter is shown."""
    w = conv.weight.detach() if hasattr(conv, "weight") else conv
    kernels = w[:, :1] if w.shape[1] != 3 else w
    return show_images(kernels, nrow=nrow, title=title or f"{w.shape[0]} filters "
                       f"{tuple(w.shape[-2:])}", cmap="bwr" if w.shape[1] != 3 else "gray")


def show_feature_maps(model, x, layer_types=None, max_maps: int = 8):
    """Run ``model`` on one input ``x`` (a batch of 1) and show the first ``max_maps``
    output channels of each convolution (or each module of ``layer_types``)."""
    import matplotlib.pyplot as plt

    from .. import no_grad
    from ..nn import Conv2d

    layer_types = layer_types or (Conv2d,)
    captured = []
    hooks = [m.register_forward_hook(lambda mod, inp, out, name=name: captured.append((name, out)))
             for name, m in model.named_modules() if isinstance(m, layer_types)]
    try:
        with no_grad():
            model(x)
    finally:
        for h in hooks:
            h.remove()
    if not captured:
        raise ValueError(f"the model has no layers of type {layer_types}")
    rows = len(captured)
    fig, axes = plt.subplots(rows, max_maps, figsize=(1.2 * max_maps, 1.3 * rows + 0.2),
                             squeeze=False)
    for r, (name, out) in enumerate(captured):
        maps = out.detach().cpu()._array[0]
        for c in range(max_maps):
            ax = axes[r, c]
            ax.axis("off")
            if c < maps.shape[0]:
                ax.imshow(maps[c], cmap="viridis")
        axes[r, 0].set_title(f"{name} {tuple(out.shape[1:])}", fontsize=8, loc="left")
    fig.tight_layout()
    return fig
