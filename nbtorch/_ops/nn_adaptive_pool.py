"""Adaptive pooling: the output size is given, the windows are chosen to fit.

Output row i pools the input rows [floor(i H / H_out), ceil((i + 1) H / H_out)) (and the
same for columns): neighbouring windows may differ in size by one and may overlap.

* ``adaptive_avg_pool1d``: ``adaptive_avg_pool2d`` on a height-1 image.
* ``adaptive_max_pool2d``: the windows do not share one size, so they are not strided
  views of the input. Instead a small table lists, for every output pixel, the flat input
  positions of its window (a shorter window repeats its last position, which does not change
  a maximum); one gather picks them all, (N, C, H_out, W_out, K), and ``max`` over the last
  dim gives the values and, through the table, where they were. Autograd's gather and max
  give the gradient: each output's gradient goes to its argmax.
"""

from __future__ import annotations

import numpy as np

from .._tensor import Tensor
from .nn_basic import constant_like
from .nn_pool import adaptive_avg_pool2d


def _windows(size: int, out: int) -> list:
    """The input positions pooled by each of the ``out`` outputs along a dim of ``size``."""
    return [np.arange((i * size) // out, -(-((i + 1) * size) // out)) for i in range(out)]


def _window_table(h: int, w: int, oh: int, ow: int) -> np.ndarray:
    """(oh, ow, K): the flat positions (row * w + col) of each output pixel's window, every
    window padded to the largest size K by repeating its last position."""
    rows, cols = _windows(h, oh), _windows(w, ow)
    k = max((len(r) for r in rows), default=1) * max((len(c) for c in cols), default=1)
    table = np.empty((oh, ow, k), dtype=np.int64)
    for i, r in enumerate(rows):
        for j, c in enumerate(cols):
            flat = (r[:, None] * w + c[None, :]).reshape(-1)
            table[i, j, :flat.size] = flat
            table[i, j, flat.size:] = flat[-1]
    return table


def _output_pair(output_size, input_size) -> tuple:
    """``output_size`` as (H_out, W_out); None keeps the input's size along that dim."""
    sizes = (output_size,) * 2 if isinstance(output_size, int) else tuple(output_size)
    if len(sizes) != 2:
        raise RuntimeError("adaptive_max_pool2d(): internal error: output_size.size() must be 2")
    return tuple(n if s is None else int(s) for s, n in zip(sizes, input_size))


def adaptive_max_pool2d(input: Tensor, output_size, return_indices: bool = False):
    """Max pooling of (N, C, H, W) or (C, H, W) input to a fixed ``output_size`` (H_out,
    W_out), whatever the input size. ``return_indices=True`` also returns where each
    maximum was (flat h * W + w, as ``max_pool2d``'s indices)."""
    if input.dim() not in (3, 4):
        raise RuntimeError(
            f"adaptive_max_pool2d(): Expected 3D or 4D tensor, but got: {list(input.shape)}"
        )
    for d in range(input.dim() - 3, input.dim()):
        if input.shape[d] == 0:
            raise RuntimeError(
                "adaptive_max_pool2d(): Expected input to have non-zero size for non-batch "
                f"dimensions, but input has sizes {list(input.shape)} with dimension {d} "
                "being empty"
            )
    unbatched = input.dim() == 3
    x = input.unsqueeze(0) if unbatched else input
    n, c, h, w = x.shape
    oh, ow = _output_pair(output_size, (h, w))
    table = constant_like(_window_table(h, w, oh, ow), x)
    windows = x.reshape(n, c, h * w)[:, :, table]  # (N, C, H_out, W_out, K)
    out, argmax = windows.max(-1)
    indices = table.expand(n, c, *table.shape).gather(-1, argmax.unsqueeze(-1)).squeeze(-1)
    if unbatched:
        out, indices = out.squeeze(0), indices.squeeze(0)
    return (out, indices) if return_indices else out


def _single(output_size, name: str) -> int:
    if isinstance(output_size, (tuple, list)):
        if len(output_size) != 1:
            raise RuntimeError(f"{name}() argument 'output_size' should contain one int (got "
                               f"{len(output_size)})")
        output_size = output_size[0]
    return int(output_size)


def _check_1d(input: Tensor, name: str) -> None:
    if input.dim() not in (2, 3):
        raise RuntimeError(
            f"Expected 2 to 3 dimensions, but got {input.dim()}-dimensional tensor for argument "
            f"#1 'self' (while checking arguments for {name})"
        )


def adaptive_max_pool1d(input: Tensor, output_size, return_indices: bool = False):
    """Max pooling of (N, C, L) or (C, L) input to ``output_size`` positions (and, with
    ``return_indices=True``, where each maximum was)."""
    _check_1d(input, "adaptive_max_pool1d")
    size = _single(output_size, "adaptive_max_pool1d")
    out, indices = adaptive_max_pool2d(input.unsqueeze(-2), (1, size), return_indices=True)
    out, indices = out.squeeze(-2), indices.squeeze(-2)
    return (out, indices) if return_indices else out


def adaptive_avg_pool1d(input: Tensor, output_size) -> Tensor:
    """Average pooling of (N, C, L) or (C, L) input to ``output_size`` positions."""
    _check_1d(input, "adaptive_avg_pool1d")
    size = _single(output_size, "adaptive_avg_pool1d")
    return adaptive_avg_pool2d(input.unsqueeze(-2), (1, size)).squeeze(-2)


__all__ = ["adaptive_avg_pool1d"]  # torch.adaptive_max_pool1d returns indices too

TENSOR_METHODS: dict = {}
