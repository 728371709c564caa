"""``make_grid`` and ``save_image``: many images as one picture."""

from __future__ import annotations

import math

import numpy as np
from PIL import Image

from .._tensor import Tensor


def make_grid(tensor, nrow: int = 8, padding: int = 2, normalize: bool = False,
              value_range: tuple | None = None, scale_each: bool = False,
              pad_value: float = 0.0) -> Tensor:
    """Tile a batch (B, C, H, W), or a list of (C, H, W) images, into one image (C', H', W').

    ``nrow`` images per row, separated by ``padding`` pixels of ``pad_value``. Grey images
    are repeated to 3 channels. ``normalize=True`` shifts and scales the values into [0, 1]
    (using ``value_range`` = (min, max) if given, else the images' own min and max;
    each image separately with ``scale_each``).
    """
    if isinstance(tensor, (list, tuple)):
        array = np.stack([t.detach().cpu()._array for t in tensor])
    elif isinstance(tensor, Tensor):
        array = tensor.detach().cpu()._array
    else:
        raise TypeError(f"tensor or list of tensors expected, got {type(tensor)}")
    if array.ndim == 2:
        array = array[None]
    if array.ndim == 3:
        array = array[None]
    if array.shape[1] == 1:
        array = np.repeat(array, 3, axis=1)
    array = array.astype(np.float32) if array.dtype.kind != "f" else array.copy()
    if normalize:
        def norm(x):
            low, high = value_range if value_range is not None else (x.min(), x.max())
            np.clip(x, low, high, out=x)
            x -= low
            x /= max(high - low, 1e-5)
        if scale_each:
            for image in array:
                norm(image)
        else:
            norm(array)
    b, c, h, w = array.shape
    if b == 1:
        return Tensor._make(array[0])
    cols = min(nrow, b)
    rows = int(math.ceil(b / cols))
    grid = np.full((c, rows * (h + padding) + padding, cols * (w + padding) + padding),
                   pad_value, dtype=array.dtype)
    for k in range(b):
        top = (k // cols) * (h + padding) + padding
        left = (k % cols) * (w + padding) + padding
        grid[:, top:top + h, left:left + w] = array[k]
    return Tensor._make(grid)


def save_image(tensor, fp, format: str | None = None, **kwargs) -> None:
    """Save a tensor image, or a batch as a grid (``make_grid``'s arguments), to a file."""
    grid = make_grid(tensor, **kwargs)._array
    pixels = np.clip(grid * 255 + 0.5, 0, 255).astype(np.uint8).transpose(1, 2, 0)
    Image.fromarray(pixels).save(fp, format=format)
