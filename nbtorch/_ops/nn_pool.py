"""Pooling: summarise each window of a feature map by its maximum or its average.

* ``max_pool2d``: a Numba kernel that also records the argmax of every window; the backward
  routes each gradient to that position (``MaxPoolScatter``), and the backward of *that* is
  picking values at the same positions (``MaxPoolGather``).
* ``avg_pool2d``: a convolution with a constant kernel of ones, divided by the window size.
* ``adaptive_avg_pool2d``: output size fixed, windows chosen to fit; computed as two small
  averaging matrices, P_h @ x @ P_w^T.
"""

from __future__ import annotations

import numpy as np

from .._backend import backend_of
from .._tensor import Tensor
from ..autograd.function import Function
from .nn_conv import Conv2d, Geometry, _pair


def _pool_out(size: int, k: int, s: int, p: int, d: int, ceil_mode: bool) -> int:
    """Output length of a pooling window sweep (PyTorch's rule, ceil_mode included)."""
    span = size + 2 * p - d * (k - 1) - 1
    out = (-(-span // s) if ceil_mode else span // s) + 1
    if ceil_mode and (out - 1) * s >= size + p:  # the last window must start inside
        out -= 1
    return out


class MaxPool2d(Function):
    @staticmethod
    def forward(ctx, x, kernel, stride, padding, dilation, out_size):
        B = backend_of(x._array)
        a = B.ascontiguousarray(x._array)
        n, c, h, w = a.shape
        out = B.empty((n, c) + out_size, dtype=a.dtype)
        indices = B.empty((n, c) + out_size, dtype=np.int64)
        B.max_pool2d(a, *kernel, *stride, *padding, *dilation, out, indices)
        ctx.mark_non_differentiable(indices)
        ctx.save_for_backward(indices)
        ctx.in_shape = a.shape
        return out, indices

    @staticmethod
    def backward(ctx, grad, _):
        (indices,) = ctx.saved_tensors
        return MaxPoolScatter.apply(grad, indices, ctx.in_shape), None, None, None, None, None

    @staticmethod
    def jvp(ctx, t, *_):
        (indices,) = ctx.saved_tensors
        return MaxPoolGather.apply(t, indices), None


class MaxPoolScatter(Function):
    """(N, C, ho, wo) gradients -> (N, C, H, W), each added at its window's argmax."""

    @staticmethod
    def forward(ctx, grad, indices, in_shape):
        B = backend_of(grad._array)
        n, c, h, w = in_shape
        out = B.zeros((n, c, h * w), dtype=grad._array.dtype)
        B.max_pool2d_backward(B.ascontiguousarray(grad._array), indices._array, out)
        ctx.save_for_backward(indices)
        ctx.in_shape = in_shape
        return out.reshape(in_shape)

    @staticmethod
    def backward(ctx, v):
        (indices,) = ctx.saved_tensors
        return MaxPoolGather.apply(v, indices), None, None

    @staticmethod
    def jvp(ctx, t, *_):
        (indices,) = ctx.saved_tensors
        return MaxPoolScatter.apply(t, indices, ctx.in_shape)


class MaxPoolGather(Function):
    """(N, C, H, W) values -> (N, C, ho, wo): the value at each window's argmax."""

    @staticmethod
    def forward(ctx, v, indices):
        a = v._array
        n, c, h, w = a.shape
        idx = indices._array
        picked = backend_of(a).take_along_axis(a.reshape(n, c, h * w), idx.reshape(n, c, -1),
                                               axis=2)
        ctx.save_for_backward(indices)
        ctx.in_shape = a.shape
        return picked.reshape(idx.shape)

    @staticmethod
    def backward(ctx, grad):
        (indices,) = ctx.saved_tensors
        return MaxPoolScatter.apply(grad, indices, ctx.in_shape), None

    @staticmethod
    def jvp(ctx, t, _):
        (indices,) = ctx.saved_tensors
        return MaxPoolGather.apply(t, indices)


def _batched(input: Tensor, name: str):
    if input.dim() not in (3, 4):
        raise RuntimeError(
            f"{name}: Expected 3D or 4D (batch mode) tensor for input, but got: "
            f"{list(input.shape)}"
        )
    return (input.unsqueeze(0), True) if input.dim() == 3 else (input, False)


def _check_window(kernel: tuple, stride: tuple, padding: tuple, dilation: tuple) -> None:
    """PyTorch's errors for a pooling window that cannot sweep the input."""
    if any(s <= 0 for s in stride):
        raise RuntimeError(f"stride should be greater than zero, but got stride={list(stride)}")
    if any(p < 0 for p in padding):
        raise RuntimeError(f"pad must be non-negative, but got pad: {list(padding)}")
    if any(d <= 0 for d in dilation):
        raise RuntimeError(f"dilation should be greater than zero, but got {list(dilation)}")
    if any(2 * p > k for p, k in zip(padding, kernel)):
        raise RuntimeError(
            "pad should be at most half of effective kernel size, but got "
            f"pad={padding[0]}, kernel_size={kernel[0]} and dilation={dilation[0]}"
        )


def _check_out_size(x: Tensor, out_size: tuple) -> None:
    if min(out_size) <= 0:
        raise RuntimeError(
            f"Given input size: ({'x'.join(str(s) for s in x.shape[1:])}). Calculated output "
            f"size: ({x.shape[1]}x{out_size[0]}x{out_size[1]}). Output size is too small"
        )


def max_pool2d(input: Tensor, kernel_size, stride=None, padding=0, dilation=1,
               ceil_mode: bool = False, return_indices: bool = False):
    """The maximum of each kh x kw window of (N, C, H, W) input -> (N, C, H_out, W_out).

    ``stride`` defaults to the kernel size (non-overlapping windows). With
    ``return_indices=True`` also returns where each maximum was (flat h * W + w), the input
    of ``max_unpool2d``.
    """
    x, unbatched = _batched(input, "max_pool2d")
    kernel = _pair(kernel_size)
    stride = kernel if stride is None or stride == [] else _pair(stride)
    padding, dilation = _pair(padding), _pair(dilation)
    _check_window(kernel, stride, padding, dilation)
    out_size = tuple(_pool_out(n, k, s, p, d, ceil_mode) for n, k, s, p, d in
                     zip(x.shape[2:], kernel, stride, padding, dilation))
    _check_out_size(x, out_size)
    out, indices = MaxPool2d.apply(x, kernel, stride, padding, dilation, out_size)
    if unbatched:
        out, indices = out.squeeze(0), indices.squeeze(0)
    return (out, indices) if return_indices else out


def avg_pool2d(input: Tensor, kernel_size, stride=None, padding=0, ceil_mode: bool = False,
               count_include_pad: bool = True, divisor_override: int | None = None) -> Tensor:
    """The average of each kh x kw window of (N, C, H, W) input -> (N, C, H_out, W_out).

    ``count_include_pad=False`` divides by the number of real (unpadded) inputs in a window.
    """
    x, unbatched = _batched(input, "avg_pool2d")
    kernel = _pair(kernel_size)
    stride = kernel if stride is None or stride == [] else _pair(stride)
    padding = _pair(padding)
    _check_window(kernel, stride, padding, (1, 1))
    n, c, h, w = x.shape
    size = (h, w)
    out_size = tuple(_pool_out(s, k, st, p, 1, ceil_mode) for s, k, st, p in
                     zip(size, kernel, stride, padding))
    _check_out_size(x, out_size)
    # Extra zeros at the end so that ceil_mode's last (partial) window exists.
    extra = tuple(max((o - 1) * st + k - (s + 2 * p), 0) for o, st, k, s, p in
                  zip(out_size, stride, kernel, size, padding))
    geom = Geometry(size, kernel, stride, tuple((p, p + e) for p, e in zip(padding, extra)),
                    (1, 1), 1)
    sums = Conv2d.apply(x.reshape(n * c, 1, h, w), x.new_ones((1, 1) + kernel), None, geom)
    if divisor_override:
        divisor = np.float64(divisor_override)
    else:
        divisor = _window_counts(size, kernel, stride, padding, extra, count_include_pad)
    divisor = backend_of(x._array).from_numpy(divisor.astype(x._array.dtype), x.device)
    out = (sums / Tensor._make(divisor)).reshape(n, c, *out_size)
    return out.squeeze(0) if unbatched else out


def _window_counts(size, kernel, stride, padding, extra, count_include_pad) -> np.ndarray:
    """How many positions each pooling window averages over (the divisor)."""
    counts = []
    for s, k, st, p, e in zip(size, kernel, stride, padding, extra):
        mask = np.zeros(s + 2 * p + e)
        mask[(0 if count_include_pad else p):(s + 2 * p if count_include_pad else p + s)] = 1
        windows = np.lib.stride_tricks.sliding_window_view(mask, k)[::st]
        counts.append(windows.sum(1))
    return np.outer(counts[0], counts[1])


def _adaptive_matrix(size: int, out: int) -> np.ndarray:
    """(out, size) averaging matrix: row i averages [floor(i*size/out), ceil((i+1)*size/out))."""
    m = np.zeros((out, size))
    for i in range(out):
        start = (i * size) // out
        end = -(-((i + 1) * size) // out)
        m[i, start:end] = 1.0 / (end - start)
    return m


def adaptive_avg_pool2d(input: Tensor, output_size) -> Tensor:
    """Average pooling to a fixed output size (H_out, W_out), whatever the input size
    (``output_size=1``: global average pooling, as at the end of a ResNet)."""
    if input.dim() not in (3, 4):
        raise RuntimeError(
            f"adaptive_avg_pool2d(): Expected 3D or 4D tensor, but got {list(input.shape)}"
        )
    h, w = input.shape[-2:]
    oh, ow = (output_size, output_size) if isinstance(output_size, int) else output_size
    oh, ow = h if oh is None else oh, w if ow is None else ow
    if oh < 0 or ow < 0:
        raise RuntimeError("adaptive_avg_pool2d: elements of output_size must be greater than "
                           f"or equal to 0 but received {{{oh}, {ow}}}")
    dtype, to_device = input._array.dtype, backend_of(input._array).from_numpy
    ph = Tensor._make(to_device(_adaptive_matrix(h, oh).astype(dtype), input.device))
    pw = Tensor._make(to_device(_adaptive_matrix(w, ow).T.astype(dtype), input.device))
    return ph.matmul(input).matmul(pw)


def max_pool1d(input: Tensor, kernel_size, stride=None, padding=0, dilation=1,
               ceil_mode: bool = False, return_indices: bool = False):
    """Max pooling over the last dimension of (N, C, L) input."""
    one = lambda v: (1, v[0] if isinstance(v, (tuple, list)) else v)  # noqa: E731
    result = max_pool2d(input.unsqueeze(-2), one(kernel_size),
                        None if stride is None else one(stride), (0, _pair(padding)[0]),
                        one(dilation), ceil_mode, return_indices)
    if return_indices:
        return result[0].squeeze(-2), result[1].squeeze(-2)
    return result.squeeze(-2)


def avg_pool1d(input: Tensor, kernel_size, stride=None, padding=0, ceil_mode: bool = False,
               count_include_pad: bool = True) -> Tensor:
    """Average pooling over the last dimension of (N, C, L) input."""
    one = lambda v: (1, v[0] if isinstance(v, (tuple, list)) else v)  # noqa: E731
    return avg_pool2d(input.unsqueeze(-2), one(kernel_size),
                      None if stride is None else one(stride), (0, _pair(padding)[0]),
                      ceil_mode, count_include_pad).squeeze(-2)


__all__ = ["max_pool1d", "max_pool2d", "avg_pool1d"]

TENSOR_METHODS: dict = {}
