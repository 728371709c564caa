"""Max pooling with argmax, and its backward, on the GPU.

Forward: one thread per output element scans its kh x kw window, keeps the largest value
and *where* it was (the argmax, as a flat index into the input's H x W plane). Backward:
the gradient of a max flows only to the element that won, so each output's gradient is
added at its argmax; windows can overlap (stride < kernel), hence ``cuda.atomic.add``.
"""

from __future__ import annotations

import math

from . import layout, runtime
from .runtime import cuda


@cuda.jit
def _max_pool_kernel(x, x_off, H, W, kh, kw, sh, sw, ph, pw, dh, dw, ho, wo, out, o_off, where,
                     w_off, n_total):
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
                        v = x[x_off + plane * H * W + row * W + col]
                        if v > best or v != v or best_at < 0:
                            best, best_at = v, row * W + col
                            if v != v:
                                break
                if best != best:
                    break
        out[o_off + e] = best
        where[w_off + e] = best_at


@cuda.jit
def _max_pool_backward_kernel(grad, g_off, where, w_off, HW, out_plane, grad_in, gi_off,
                              n_total):
    for e in range(cuda.grid(1), n_total, cuda.gridsize(1)):
        at = where[w_off + e]
        if at >= 0:
            cuda.atomic.add(grad_in, gi_off + (e // out_plane) * HW + at, grad[g_off + e])


def max_pool2d(x, kh, kw, sh, sw, ph, pw, dh, dw, out, indices):
    """Fill ``out``/``indices`` (N, C, ho, wo), contiguous arrays, from ``x`` (N, C, H, W);
    ``indices`` holds each window's argmax as h * W + w in its plane (the CPU kernel's
    signature)."""
    x = layout.contiguous(x)
    N, C, H, W = x.shape
    ho, wo = out.shape[2], out.shape[3]
    n = out.size
    if n:
        with runtime.using(x.device_index):
            runtime.launch(_max_pool_kernel, n)(x.buf, x.offset, H, W, kh, kw, sh, sw, ph,
                                                pw, dh, dw, ho, wo, out.buf, out.offset,
                                                indices.buf, indices.offset, n)
    return out, indices


def max_pool2d_backward(grad, indices, grad_input):
    """Add each ``grad[n, c, y, x]`` onto ``grad_input[n, c]`` (N, C, H*W), a contiguous
    array that starts at zero, at its argmax position (the CPU kernel's signature)."""
    grad = layout.contiguous(grad)
    n = grad.size
    if n:
        with runtime.using(grad.device_index):
            runtime.launch(_max_pool_backward_kernel, n)(
                grad.buf, grad.offset, indices.buf, indices.offset, grad_input.shape[2],
                grad.shape[2] * grad.shape[3], grad_input.buf, grad_input.offset, n)
    return grad_input
