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


@njit(cache=True)
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


@njit(cache=True)
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
