"""Max pooling with argmax: each output is the largest input in its window, and we remember
*where* it was (``indices``, a flat position h * W + w in the input plane, as PyTorch's
``return_indices``). The backward sends each output gradient to that one position.

Windows that hang over the padding simply skip the padded positions (padding counts as
minus infinity). A NaN in a window wins, as in PyTorch.
"""

import math

from numba import njit


@njit(cache=True, nogil=True)
def max_pool2d(x, kh, kw, sh, sw, ph, pw, dh, dw, out, indices):
    """``out``/``indices`` (N, C, ho, wo) from ``x`` (N, C, H, W).

    Why it is fast: the window loops (i, j) are outside and the long loop over the output
    columns is inside (windows are tiny: a loop of 2 inside would cost more than its work),
    and the running maximum is updated with selects, not branches (whether ``v > best`` is
    a coin toss the CPU cannot predict). One thread per call: the backend splits a big batch
    over nbtorch's threads (see ``conv.py`` for why not ``prange``).
    Each output still sees its window row by row (i, then j), so the first maximum (or the
    first NaN) is the one recorded.
    """
    n_batch, channels, height, width = x.shape
    ho, wo = out.shape[2], out.shape[3]
    for n in range(n_batch):
        for c in range(channels):
            best, where = out[n, c], indices[n, c]
            best[:] = -math.inf
            where[:] = -1  # no position yet: the first one inside the input is taken
            for i in range(kh):
                for y in range(ho):
                    r = y * sh - ph + i * dh
                    if r < 0 or r >= height:
                        continue
                    for j in range(kw):
                        for xo in range(wo):
                            col = xo * sw - pw + j * dw
                            if col < 0 or col >= width:
                                continue
                            v, b, w = x[n, c, r, col], best[y, xo], where[y, xo]
                            # take v if larger, first, or NaN, unless a NaN is already there
                            take = ((v > b) | (w < 0) | (v != v)) & (b == b)
                            best[y, xo] = v if take else b
                            where[y, xo] = r * width + col if take else w


@njit(cache=True, nogil=True)
def max_pool2d_backward(grad, indices, grad_input):
    """Add each ``grad[n, c, y, x]`` onto ``grad_input[n, c]`` at its argmax position
    (``grad_input`` is (N, C, H*W) and starts at zero)."""
    n_batch, channels, ho, wo = grad.shape
    for n in range(n_batch):
        for c in range(channels):
                for y in range(ho):
                    for x in range(wo):
                        grad_input[n, c, indices[n, c, y, x]] += grad[n, c, y, x]
