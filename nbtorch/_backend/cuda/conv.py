"""Convolution on the GPU as im2col + matrix product, and col2im for the backward pass.

The same layout as the CPU kernels (``cpu_kernels/conv.py``):
``cols[c, i, j, n, y, x] = padded[n, c, y*sh + i*dh, x*sw + j*dw]``, so that
``weight.reshape(C_out, C*kh*kw) @ cols.reshape(C*kh*kw, N*ho*wo)`` is the convolution.

``im2col`` gives one thread to each element of ``cols`` (a pure gather: no two threads
write the same place). ``col2im`` goes the other way and *adds*: where patches overlap
(stride < kernel size), several columns land on one input position, so threads use
``cuda.atomic.add`` to add safely at the same time.
"""

from __future__ import annotations

from . import layout, runtime
from .array import empty
from .creation import zeros
from .runtime import cuda


@cuda.jit
def _im2col_kernel(padded, C, Hp, Wp, N, kh, kw, sh, sw, dh, dw, ho, wo, cols, n_total):
    for e in range(cuda.grid(1), n_total, cuda.gridsize(1)):
        x = e % wo  # unflatten e into (c, i, j, n, y, x), the last index fastest
        y = (e // wo) % ho
        n = (e // (wo * ho)) % N
        j = (e // (wo * ho * N)) % kw
        i = (e // (wo * ho * N * kw)) % kh
        c = e // (wo * ho * N * kw * kh)
        row, col = y * sh + i * dh, x * sw + j * dw
        if row < Hp and col < Wp:
            cols[e] = padded[((n * C + c) * Hp + row) * Wp + col]


@cuda.jit
def _col2im_kernel(cols, C, Hp, Wp, N, kh, kw, sh, sw, dh, dw, ho, wo, out, n_total):
    for e in range(cuda.grid(1), n_total, cuda.gridsize(1)):
        x = e % wo
        y = (e // wo) % ho
        n = (e // (wo * ho)) % N
        j = (e // (wo * ho * N)) % kw
        i = (e // (wo * ho * N * kw)) % kh
        c = e // (wo * ho * N * kw * kh)
        row, col = y * sh + i * dh, x * sw + j * dw
        if row < Hp and col < Wp:
            cuda.atomic.add(out, ((n * C + c) * Hp + row) * Wp + col, cols[e])


def im2col(padded, kh, kw, sh, sw, dh, dw, ho, wo, cols=None):
    """Fill ``cols`` (C, kh, kw, N, ho, wo) from ``padded`` (N, C, Hp, Wp) and return it
    (the CPU kernel's signature; ``cols`` is made when not given)."""
    padded = layout.contiguous(padded)
    N, C, Hp, Wp = padded.shape
    if cols is None:
        cols = empty((C, kh, kw, N, ho, wo), padded.dtype, padded.device_index)
    n = cols.size
    if n:
        with runtime.using(padded.device_index):
            runtime.launch(_im2col_kernel, n)(padded.buf[padded.offset:], C, Hp, Wp, N, kh,
                                              kw, sh, sw, dh, dw, ho, wo,
                                              cols.buf[cols.offset:], n)
    return cols


def col2im(cols, sh, sw, dh, dw, out):
    """Add ``cols`` (C, kh, kw, N, ho, wo) onto ``out`` (N, C, Hp, Wp), a contiguous array
    that starts at zero: the adjoint of ``im2col`` (the CPU kernel's signature)."""
    cols = layout.contiguous(cols)
    C, kh, kw, N, ho, wo = cols.shape
    n = cols.size
    if n:
        with runtime.using(cols.device_index):
            runtime.launch(_col2im_kernel, n)(cols.buf[cols.offset:], C, out.shape[2],
                                              out.shape[3], N, kh, kw, sh, sw, dh, dw, ho,
                                              wo, out.buf[out.offset:], n)
    return out


# -- the per-sample layout of nbtorch's convolution (``cpu_kernels/conv.py``) ------------------
# ``cols[n, c, i, j, y, x] = x[n, c, y*sh - ph + i*dh, x*sw - pw + j*dw]``, 0 outside the
# input: the padding is done here, not by a padded copy. ``plane`` below is n * C + c.


@cuda.jit
def _batched_im2col_kernel(x, x_off, H, W, kh, kw, sh, sw, ph, pw, dh, dw, ho, wo, cols,
                           c_off, n_total):
    for e in range(cuda.grid(1), n_total, cuda.gridsize(1)):
        xo = e % wo  # unflatten e into (plane, i, j, y, xo), the last index fastest
        y = (e // wo) % ho
        j = (e // (wo * ho)) % kw
        i = (e // (wo * ho * kw)) % kh
        plane = e // (wo * ho * kw * kh)
        row, col = y * sh - ph + i * dh, xo * sw - pw + j * dw
        if 0 <= row < H and 0 <= col < W:
            cols[c_off + e] = x[x_off + (plane * H + row) * W + col]
        else:
            cols[c_off + e] = 0


@cuda.jit
def _batched_col2im_kernel(cols, c_off, H, W, kh, kw, sh, sw, ph, pw, dh, dw, ho, wo, out,
                           out_off, n_total):
    for e in range(cuda.grid(1), n_total, cuda.gridsize(1)):
        xo = e % wo
        y = (e // wo) % ho
        j = (e // (wo * ho)) % kw
        i = (e // (wo * ho * kw)) % kh
        plane = e // (wo * ho * kw * kh)
        row, col = y * sh - ph + i * dh, xo * sw - pw + j * dw
        if 0 <= row < H and 0 <= col < W:  # values from the padding are dropped
            cuda.atomic.add(out, out_off + (plane * H + row) * W + col, cols[c_off + e])


def batched_im2col(x, kh, kw, sh, sw, ph, pw, dh, dw, cols):
    """Fill ``cols`` (N, C, kh, kw, ho, wo) from ``x`` (N, C, H, W) padded by ``ph`` rows on
    top and ``pw`` columns on the left, and return it (the CPU kernel's signature)."""
    x = layout.contiguous(x)
    H, W = x.shape[2], x.shape[3]
    ho, wo = cols.shape[4], cols.shape[5]
    n = cols.size
    if n:
        with runtime.using(x.device_index):
            runtime.launch(_batched_im2col_kernel, n)(x.buf, x.offset, H, W, kh, kw, sh, sw,
                                                      ph, pw, dh, dw, ho, wo, cols.buf,
                                                      cols.offset, n)
    return cols


def batched_col2im(cols, sh, sw, ph, pw, dh, dw, out):
    """Add ``cols`` (N, C, kh, kw, ho, wo) onto ``out`` (N, C, H, W), a contiguous array that
    starts at zero: ``batched_im2col``'s adjoint (the CPU kernel's signature)."""
    cols = layout.contiguous(cols)
    kh, kw, ho, wo = cols.shape[2:]
    n = cols.size
    if n:
        with runtime.using(cols.device_index):
            runtime.launch(_batched_col2im_kernel, n)(cols.buf, cols.offset, out.shape[2],
                                                      out.shape[3], kh, kw, sh, sw, ph, pw,
                                                      dh, dw, ho, wo, out.buf, out.offset, n)
    return out


def conv2d(x, weight, stride=(1, 1), padding=(0, 0), dilation=(1, 1)):
    """A 2-d convolution (cross-correlation), N C H W x C_out C kh kw -> N C_out ho wo:
    pad, im2col, one matrix product."""
    from .matmul import matmul

    N, C, H, W = x.shape
    C_out, _, kh, kw = weight.shape
    (sh, sw), (ph, pw), (dh, dw) = stride, padding, dilation
    Hp, Wp = H + 2 * ph, W + 2 * pw
    padded = x
    if ph or pw:
        padded = zeros((N, C, Hp, Wp), x.dtype, x.device_index)
        layout.copy_into(padded[:, :, ph:ph + H, pw:pw + W], x)
    ho = (Hp - dh * (kh - 1) - 1) // sh + 1
    wo = (Wp - dw * (kw - 1) - 1) // sw + 1
    cols = im2col(padded, kh, kw, sh, sw, dh, dw, ho, wo).reshape(C * kh * kw, N * ho * wo)
    out = matmul(weight.reshape(C_out, C * kh * kw), cols)  # (C_out, N*ho*wo)
    return out.reshape(C_out, N, ho, wo).transpose(1, 0, 2, 3).copy()

