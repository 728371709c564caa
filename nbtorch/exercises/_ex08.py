"""Checker of exercise 8 (chapter 10, CNNs): ``im2col`` and ``conv2d`` built on it.

The oracle is a direct convolution in numpy: for every output position, the sum of the
window times the kernel.
"""

from __future__ import annotations

import numpy as np

from ._feedback import by_name, expect_close, expect_equal, expect_tensor, run_parts


def _padded(x, padding):
    return np.pad(x, ((0, 0), (0, 0), (padding, padding), (padding, padding)))


def reference_im2col(x, kh, kw, stride=1, padding=0) -> np.ndarray:
    """(N, C, H, W) -> (N, C*kh*kw, L): column l holds the window of output position l,
    rows ordered channel first, then kernel row, then kernel column (as F.unfold)."""
    x = _padded(x, padding)
    n, c, h, w = x.shape
    oh, ow = (h - kh) // stride + 1, (w - kw) // stride + 1
    cols = np.empty((n, c, kh, kw, oh, ow), dtype=x.dtype)
    for i in range(oh):
        for j in range(ow):
            cols[..., i, j] = x[:, :, i * stride:i * stride + kh, j * stride:j * stride + kw]
    return cols.reshape(n, c * kh * kw, oh * ow)


def reference_conv2d(x, weight, bias=None, stride=1, padding=0) -> np.ndarray:
    """out[n, o, i, j] = sum over c, p, q of window(n, c, i, j)[p, q] * weight[o, c, p, q]."""
    x = _padded(x, padding)
    o, _, kh, kw = weight.shape
    oh, ow = (x.shape[2] - kh) // stride + 1, (x.shape[3] - kw) // stride + 1
    out = np.empty((x.shape[0], o, oh, ow), dtype=x.dtype)
    for i in range(oh):
        for j in range(ow):
            window = x[:, :, i * stride:i * stride + kh, j * stride:j * stride + kw]
            out[:, :, i, j] = np.tensordot(window, weight, axes=([1, 2, 3], [1, 2, 3]))
    return out if bias is None else out + bias[None, :, None, None]


def _data(seed=8):
    rng = np.random.default_rng(seed)
    return rng.normal(size=(2, 3, 5, 6)), rng.normal(size=(4, 3, 3, 2)), rng.normal(size=4)


def _im2col(fn) -> None:
    import nbtorch

    x, _, _ = _data()
    cols = fn(nbtorch.tensor(x), 3, 2)
    expect_tensor("im2col(x, 3, 2)", cols)
    expect_close("im2col(x, kh=3, kw=2) for x of shape (2, 3, 5, 6)", cols,
                 reference_im2col(x, 3, 2))


def _im2col_stride_padding(fn) -> None:
    import nbtorch

    x, _, _ = _data()
    for stride, padding in [(2, 0), (1, 1), (2, 1)]:
        expect_close(f"im2col(x, 3, 2, stride={stride}, padding={padding})",
                     fn(nbtorch.tensor(x), 3, 2, stride=stride, padding=padding),
                     reference_im2col(x, 3, 2, stride, padding))


def _conv2d(fn) -> None:
    import nbtorch

    x, w, b = _data()
    out = fn(nbtorch.tensor(x), nbtorch.tensor(w), nbtorch.tensor(b))
    expect_tensor("conv2d(x, weight, bias)", out)
    expect_close("conv2d(x, weight, bias), weight of shape (4, 3, 3, 2)", out,
                 reference_conv2d(x, w, b))
    expect_close("conv2d(x, weight) without bias", fn(nbtorch.tensor(x), nbtorch.tensor(w)),
                 reference_conv2d(x, w))


def _conv2d_stride_padding(fn) -> None:
    import nbtorch

    x, w, b = _data()
    for stride, padding in [(2, 0), (1, 1), (2, 2)]:
        expected = reference_conv2d(x, w, b, stride, padding)
        out = fn(nbtorch.tensor(x), nbtorch.tensor(w), nbtorch.tensor(b), stride=stride,
                 padding=padding)
        expect_equal(f"the shape of conv2d(..., stride={stride}, padding={padding})",
                     tuple(out.shape), expected.shape)
        expect_close(f"conv2d(x, weight, bias, stride={stride}, padding={padding})", out,
                     expected)


_CHECKS = {"im2col": {"values": _im2col, "stride_padding": _im2col_stride_padding},
           "conv2d": {"values": _conv2d, "stride_padding": _conv2d_stride_padding}}


def ex8(*functions, part: str | None = None) -> None:
    """Check ``im2col`` and/or ``conv2d`` (exercise 8, chapter 10) against a direct numpy
    convolution. Parts: ``values`` (stride 1, no padding), ``stride_padding``."""
    parts = {}
    for name, fn, checks in by_name("ex8", functions, _CHECKS):
        for part_name, run in checks.items():
            parts[f"{name}.{part_name}"] = lambda run=run, fn=fn: run(fn)
    run_parts("ex8", parts, part)
