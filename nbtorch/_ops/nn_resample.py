"""Changing the spatial size of a tensor: ``pad`` and ``interpolate``.

* ``pad`` with a constant is a Function (its backward crops the gradient); ``reflect``,
  ``replicate`` and ``circular`` padding are *indexing* with a computed index array per
  dimension, so autograd's indexing backward adds up the gradients of repeated positions.
* ``interpolate``: ``nearest`` is indexing too; ``bilinear``/``linear`` blend the two nearest
  input positions along each dimension with constant weights.
"""

from __future__ import annotations

import math

import numpy as np

from .._backend import backend_of
from .._tensor import Tensor
from ..autograd.function import Function


class ConstantPad(Function):
    @staticmethod
    def forward(ctx, x, widths, value):
        a = x._array
        ctx.crop = tuple(slice(lo, lo + n) for (lo, _), n in zip(widths, a.shape))
        ctx.widths = widths
        return backend_of(a).pad(a, widths, constant_values=value)

    @staticmethod
    def backward(ctx, grad):
        return grad[ctx.crop], None, None

    @staticmethod
    def jvp(ctx, t, *_):
        return ConstantPad.apply(t, ctx.widths, 0)


def _pairs(pad, ndim: int):
    """PyTorch's flat ``pad`` (last dim first) as per-dim (before, after) pairs."""
    if len(pad) % 2:
        raise RuntimeError("Padding length must be divisible by 2")
    if len(pad) // 2 > ndim:
        raise RuntimeError(
            f"Padding length should be less than or equal to two times the input dimension "
            f"but got padding length {len(pad)} and input of dimension {ndim}"
        )
    widths = [(0, 0)] * ndim
    for i in range(len(pad) // 2):
        widths[ndim - 1 - i] = (int(pad[2 * i]), int(pad[2 * i + 1]))
    return widths


def _check_pad_dims(length: int, ndim: int) -> None:
    """PyTorch pads with reflect/replicate/circular only the spatial dims of a batch
    (N, C, *) or of one sample (C, *): 1 to 3 of them, so 2, 4 or 6 widths."""
    k = length // 2
    if 1 <= k <= 3 and ndim in (k + 1, k + 2):
        return
    raise NotImplementedError(
        f"Padding size {length} is not supported for {ndim}D input tensor.\n"
        "Supported combinations for non-constant padding:\n"
        "  - 2D or 3D input: padding size = 2 (pads last dimension)\n"
        "  - 3D or 4D input: padding size = 4 (pads last 2 dimensions)\n"
        "  - 4D or 5D input: padding size = 6 (pads last 3 dimensions)"
    )


def _source_index(n: int, before: int, after: int, mode: str) -> np.ndarray:
    """For each padded position, the input position it copies."""
    pos = np.arange(-before, n + after)
    if mode == "replicate":
        return np.clip(pos, 0, n - 1)
    if mode == "circular":
        if before > n or after > n:
            raise RuntimeError("Padding value causes wrapping around more than once.")
        start = max(-before, 0)  # negative widths crop first; the wrap copies what is left
        kept = n - start - max(-after, 0)
        if kept < 0 or (kept == 0 and pos.size):
            raise RuntimeError("Negative padding value is resulting in an empty dimension")
        return start + (pos + min(before, 0)) % kept
    if before >= n or after >= n:
        raise RuntimeError(
            f"Argument #4: Padding size should be less than the corresponding input dimension, "
            f"but got: padding ({before}, {after}) at dimension of input {n}"
        )
    period = 2 * (n - 1)
    folded = np.abs(pos) % period if period else np.zeros_like(pos)
    return np.where(folded >= n, period - folded, folded)


def pad(input: Tensor, pad, mode: str = "constant", value: float | None = None) -> Tensor:
    """Pad the last ``len(pad) // 2`` dims: ``pad=(left, right, top, bottom, ...)``.

    Modes: 'constant' (``value``, default 0; negative widths crop), 'reflect' (mirror
    without repeating the edge), 'replicate' (repeat the edge), 'circular' (wrap around).
    """
    widths = _pairs(pad, input.dim())
    if mode == "constant":
        crop = tuple(slice(max(-lo, 0), n - max(-hi, 0)) for (lo, hi), n in
                     zip(widths, input.shape))
        x = input[crop] if any(lo < 0 or hi < 0 for lo, hi in widths) else input
        grow = tuple((max(lo, 0), max(hi, 0)) for lo, hi in widths)
        return ConstantPad.apply(x, grow, 0 if value is None else value)
    if mode not in ("reflect", "replicate", "circular"):
        raise NotImplementedError(f"Unrecognised padding mode {mode}")
    _check_pad_dims(len(pad), input.dim())
    out = input
    for d, (lo, hi) in enumerate(widths):
        if lo or hi:
            idx = Tensor._make(_source_index(input.shape[d], lo, hi, mode))
            out = out[(slice(None),) * d + (idx,)]
    return out


def _sizes(input: Tensor, size, scale_factor) -> tuple[list, list]:
    """Output sizes and the input/output scale of each spatial dim."""
    spatial = list(input.shape[2:])
    k = len(spatial)
    if (size is None) == (scale_factor is None):
        raise ValueError("only one of size or scale_factor should be defined")
    if size is not None:
        out = [int(s) for s in size] if isinstance(size, (tuple, list)) else [int(size)] * k
        return out, [n / o for n, o in zip(spatial, out)]
    factors = list(scale_factor) if isinstance(scale_factor, (tuple, list)) else \
        [scale_factor] * k
    return [math.floor(n * f) for n, f in zip(spatial, factors)], [1 / f for f in factors]


def _take(x: Tensor, dim: int, index: np.ndarray) -> Tensor:
    return x[(slice(None),) * dim + (Tensor._make(index),)]


def interpolate(input: Tensor, size=None, scale_factor=None, mode: str = "nearest",
                align_corners: bool | None = None, recompute_scale_factor=None,
                antialias: bool = False) -> Tensor:
    """Resize the spatial dims of (N, C, L) / (N, C, H, W) input.

    'nearest': copy the nearest input pixel (src = floor(dst * in / out)). 'linear' (3-D
    input) / 'bilinear' (4-D): blend the two neighbours along each dim; with
    ``align_corners=True`` the corner pixels of input and output coincide, else pixel
    *centres* are mapped. ``antialias=True`` ('bilinear'): when shrinking, average every
    input pixel an output pixel covers (see ``_antialias_weights``) instead of sampling two.
    """
    if input.dim() < 3:
        raise ValueError(f"Input Error: Only 3D, 4D and 5D input Tensors supported "
                         f"(got {input.dim()}D) for the modes: nearest | linear | bilinear")
    if antialias and not (mode in ("bilinear", "bicubic") and input.dim() == 4):
        raise ValueError("Anti-alias option is restricted to bilinear, bicubic, and lanczos "
                         "modes and requires a 4-D tensor as input")
    needs = {"linear": 3, "bilinear": 4, "bicubic": 4, "trilinear": 5}.get(mode)
    if needs is not None and input.dim() != needs:
        raise NotImplementedError(
            f"Got {input.dim()}D input, but {mode} mode needs {needs}D input")
    out_sizes, scales = _sizes(input, size, scale_factor)
    if recompute_scale_factor:
        scales = [n / o for n, o in zip(input.shape[2:], out_sizes)]
    out = input
    if mode == "nearest":
        if align_corners is not None:
            raise ValueError("align_corners option can only be set with the interpolating "
                             "modes: linear | bilinear | bicubic | trilinear")
        for d, (n, o, s) in enumerate(zip(input.shape[2:], out_sizes, scales)):
            src = np.minimum(np.floor(np.arange(o) * s).astype(np.int64), n - 1)
            out = _take(out, d + 2, src)
        return out
    if mode not in ("linear", "bilinear"):
        raise NotImplementedError(f"interpolate: mode {mode!r} is not supported")
    dtype = input._array.dtype
    if antialias:
        (h, w), (oh, ow), (sh, sw) = input.shape[2:], out_sizes, scales
        if align_corners:
            sh, sw = [(n - 1) / (o - 1) if o > 1 else 0.0 for n, o in ((h, oh), (w, ow))]
        rows, cols = [Tensor._make(_antialias_weights(n, o, s).astype(dtype)).to(input.device)
                      for n, o, s in ((h, oh, sh), (w, ow, sw))]
        return rows.matmul(input).matmul(cols.t())  # (oh, h) @ (N, C, h, w) @ (w, ow)
    for d, (n, o, s) in enumerate(zip(input.shape[2:], out_sizes, scales)):
        dst = np.arange(o, dtype=np.float64)
        if align_corners:
            src = dst * ((n - 1) / (o - 1)) if o > 1 else np.zeros(o)
        else:
            src = np.maximum((dst + 0.5) * s - 0.5, 0.0)
        lo = np.minimum(np.floor(src).astype(np.int64), n - 1)
        hi = np.minimum(lo + 1, n - 1)
        shape = [1] * input.dim()
        shape[d + 2] = o
        frac = Tensor._make((src - lo).astype(dtype).reshape(shape)).to(input.device)
        left, right = _take(out, d + 2, lo), _take(out, d + 2, hi)
        out = left + (right - left) * frac
    return out


def _antialias_weights(n: int, o: int, scale: float) -> np.ndarray:
    """The (o, n) matrix of antialiased linear interpolation along one dim, as PyTorch's
    ``_upsample_bilinear2d_aa``: row i holds the weights of the input pixels averaged into
    output pixel i (``scale`` input pixels per output pixel).

    The weights are a triangle (tent) max(0, 1 - |d| / support) around the output pixel's
    centre in input coordinates, d the distance to each input pixel's centre. When
    shrinking (scale > 1) the tent is stretched to half-width ``scale``, so it covers every
    input pixel that falls into the output pixel: a 4x shrink averages about 8 pixels per
    dim instead of sampling 2, and fine patterns do not alias into false coarse ones. When
    growing, the half-width is 1: plain linear interpolation. Each row sums to 1.
    """
    support = max(scale, 1.0)
    centre = scale * (np.arange(o) + 0.5)
    distance = (np.arange(n) + 0.5)[None, :] - centre[:, None]
    weights = np.maximum(0.0, 1.0 - np.abs(distance) / support)
    return weights / weights.sum(1, keepdims=True)


def upsample(input: Tensor, size=None, scale_factor=None, mode: str = "nearest",
             align_corners: bool | None = None) -> Tensor:
    """The old name of ``interpolate``."""
    return interpolate(input, size, scale_factor, mode, align_corners)


__all__: list = []

TENSOR_METHODS: dict = {}
