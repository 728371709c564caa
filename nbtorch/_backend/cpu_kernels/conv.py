"""im2col and col2im: the two data movements around a convolution's matrix product.

A 2-d convolution with a (C_out, C, kh, kw) kernel is one matrix product once every input
patch is laid out as a column: ``im2col`` copies the C*kh*kw values under each of the
N*H_out*W_out kernel positions into a matrix ``cols`` (C*kh*kw, N*H_out*W_out); then
``out = weight.reshape(C_out, -1) @ cols`` (BLAS does the arithmetic).

``col2im`` is the adjoint (the backward of ``im2col``): it adds every column back onto the
input positions it was copied from. Overlapping patches (stride < kernel) add up, which is
why it is a loop of ``+=`` and not a copy.

Both use the layout ``cols[c, i, j, n, y, x]`` = ``padded[n, c, y*sh + i*dh, x*sw + j*dw]``.
"""

from numba import njit


@njit(cache=True, nogil=True)
def im2col(padded, kh, kw, sh, sw, dh, dw, ho, wo, cols):
    """Fill ``cols`` (C, kh, kw, N, ho, wo) from ``padded`` (N, C, Hp, Wp)."""
    n_batch, channels = padded.shape[0], padded.shape[1]
    for c in range(channels):
        for i in range(kh):
            for j in range(kw):
                for n in range(n_batch):
                    for y in range(ho):
                        row = y * sh + i * dh
                        base = j * dw
                        if sw == 1:  # unit stride: a loop the compiler vectorises
                            for x in range(wo):
                                cols[c, i, j, n, y, x] = padded[n, c, row, base + x]
                        else:
                            for x in range(wo):
                                cols[c, i, j, n, y, x] = padded[n, c, row, x * sw + base]


@njit(cache=True, nogil=True)
def col2im(cols, sh, sw, dh, dw, out):
    """Add ``cols`` (C, kh, kw, N, ho, wo) onto ``out`` (N, C, Hp, Wp), which starts at 0."""
    channels, kh, kw, n_batch, ho, wo = cols.shape
    for c in range(channels):
        for i in range(kh):
            for j in range(kw):
                for n in range(n_batch):
                    for y in range(ho):
                        row = y * sh + i * dh
                        base = j * dw
                        if sw == 1:
                            for x in range(wo):
                                out[n, c, row, base + x] += cols[c, i, j, n, y, x]
                        else:
                            for x in range(wo):
                                out[n, c, row, x * sw + base] += cols[c, i, j, n, y, x]


# -- the layout nbtorch's convolution uses: one column matrix per sample ----------------------
#
# ``cols[n, c, i, j, y, x] = x[n, c, y*sh - ph + i*dh, x*sw - pw + j*dw]`` (0 outside the
# input). Reshaped to (N, C*kh*kw, ho*wo) it is a stack of N matrices, and
# ``weight.reshape(C_out, -1) @ cols`` (a batched BLAS product) is the convolution already in
# (N, C_out, ho*wo) order: no transpose of the output, none of its gradient.
#
# Why these two kernels are fast:
# * padding is done here (a zero where the window hangs over the border), not by first
#   copying the input into a bigger zero-padded array;
# * sample n, channel c reads one small input plane (it stays in the cache) and writes
#   kh*kw rows of ho*wo values one after the other (the memory system likes long runs);
# * each call runs on one thread, on purpose. The samples are independent, so the caller
#   (``Conv2d`` in ``nbtorch/_ops/nn_conv.py``) splits a big batch into one chunk per thread
#   and each thread makes its chunk's columns and BLAS products (``nogil`` lets the threads
#   run at once). ``prange`` would start Numba's own thread pool, whose threads keep
#   spinning after their work, like BLAS's: on two cores each pool's waiting threads then
#   take the cores the other needs (measured: conv2d forward+backward became 3x slower at
#   2 threads). See ``nbtorch/_threads.py``.


@njit(cache=True, nogil=True)
def batched_im2col(x, kh, kw, sh, sw, ph, pw, dh, dw, cols):
    """Fill ``cols`` (N, C, kh, kw, ho, wo) from ``x`` (N, C, H, W) padded by ``ph`` rows at
    the top and ``pw`` columns on the left (and with zeros wherever a window leaves x)."""
    n_batch, channels, height, width = x.shape
    ho, wo = cols.shape[4], cols.shape[5]
    for n in range(n_batch):
        for c in range(channels):
            for i in range(kh):
                for j in range(kw):
                    for y in range(ho):
                        row = y * sh - ph + i * dh
                        if row < 0 or row >= height:
                            for xo in range(wo):
                                cols[n, c, i, j, y, xo] = 0
                            continue
                        for xo in range(wo):
                            col = xo * sw - pw + j * dw
                            if 0 <= col < width:
                                cols[n, c, i, j, y, xo] = x[n, c, row, col]
                            else:
                                cols[n, c, i, j, y, xo] = 0


@njit(cache=True, nogil=True)
def batched_col2im(cols, sh, sw, ph, pw, dh, dw, out):
    """Add ``cols`` (N, C, kh, kw, ho, wo) onto ``out`` (N, C, H, W), which starts at zero:
    ``batched_im2col``'s adjoint (values that came from the padding are dropped)."""
    n_batch, channels, kh, kw, ho, wo = cols.shape
    height, width = out.shape[2], out.shape[3]
    for n in range(n_batch):
        for c in range(channels):
            for i in range(kh):
                for j in range(kw):
                    for y in range(ho):
                        row = y * sh - ph + i * dh
                        if row < 0 or row >= height:
                            continue
                        for xo in range(wo):
                            col = xo * sw - pw + j * dw
                            if 0 <= col < width:
                                out[n, c, row, col] += cols[n, c, i, j, y, xo]
