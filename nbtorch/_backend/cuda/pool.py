"""Max pooling with argmax, and its backward, on the GPU.

Forward: one thread per output element scans its kh x kw window, keeps the largest value
and *where* it was (the argmax, as a flat index into the input's H x W plane). Backward:
the gradient of a max flows only to the element that won, so each output's gradient is
added at its argmax; windows can overlap (stride < kernel), hence ``cuda.atomic.add``.
"""

from __future__ import annotations

import math

from . import layout, runtime
from .array import empty
from .creation import zeros
from .runtime import cuda


@cuda.jit
def _max_pool_kernel(x, H, W, kh, kw, sh, sw, ph, pw, dh, dw, ho, wo, out, where, n_total):
    for e in range(cuda.grid(1), n_total, cuda.gridsize(1)):
        ox = e % wo
        oy = (e // wo) % ho
        plane = e // (wo * ho)  # which (n, c)
        best = -math.inf
        best_at = -1
        for i in range(kh):
            row = oy * sh - ph + i * dh
            if 0 <= row < H:
                for j in range(kw):
                    col = ox * sw - pw + j * dw
                    if 0 <= col < W:
                        v = x[plane * H * W + row * W + col]
                        if v > best or v != v or best_at < 0:
                            best, best_at = v, row * W + col
                            if v != v:
                                break
        out[e] = best
        where[e] = best_at


@cuda.jit
def _max_pool_backward_kernel(grad, where, HW, out_plane, grad_in, n_total):
    for e in range(cuda.grid(1), n_total, cuda.gridsize(1)):
        at = where[e]
        if at >= 0:
            cuda.atomic.add(grad_in, (e // out_plane) * HW + at, grad[e])


def max_pool2d(x, kernel_size, stride, padding=(0, 0), dilation=(1, 1)):
    """(values, argmax) of max pooling over (N, C, H, W); argmax indexes each H*W plane."""
    x = layout.contiguous(x)
    N, C, H, W = x.shape
    (kh, kw), (sh, sw), (ph, pw), (dh, dw) = kernel_size, stride, padding, dilation
    ho = (H + 2 * ph - dh * (kh - 1) - 1) // sh + 1
    wo = (W + 2 * pw - dw * (kw - 1) - 1) // sw + 1
    out = empty((N, C, ho, wo), x.dtype, x.device_index)
    where = empty((N, C, ho, wo), "int64", x.device_index)
    n = out.size
    if n:
        with runtime.using(x.device_index):
            runtime.launch(_max_pool_kernel, n)(x.buf[x.offset:], H, W, kh, kw, sh, sw, ph,
                                                pw, dh, dw, ho, wo, out.buf, where.buf, n)
    return out, where


def max_pool2d_backward(grad, where, input_shape):
    """The input's gradient: each output gradient added at its argmax."""
    grad = layout.contiguous(grad)
    N, C, H, W = input_shape
    grad_in = zeros(input_shape, grad.dtype, grad.device_index)
    n = grad.size
    if n:
        with runtime.using(grad.device_index):
            runtime.launch(_max_pool_backward_kernel, n)(
                grad.buf[grad.offset:], where.buf, H * W, grad.shape[2] * grad.shape[3],
                grad_in.buf, n)
    return grad_in
