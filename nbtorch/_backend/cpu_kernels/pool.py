"""Max pooling with argmax: each output is the largest input in its window, and we remember
*where* it was (``indices``, a flat position h * W + w in the input plane, as PyTorch's
``return_indices``). The backward sends each output gradient to that one position.

Windows that hang over the padding simply skip the padded positions (padding counts as
minus infinity). A NaN in a window wins, as in PyTorch.
"""

import math

from numba import njit


@njit(cache=True)
def max_pool2d(x, kh, kw, sh, sw, ph, pw, dh, dw, out, indices):
    """``out``/``indices`` (N, C, ho, wo) from ``x`` (N, C, H, W)."""
    n_batch, channels, height, width = x.shape
    ho, wo = out.shape[2], out.shape[3]
    for n in range(n_batch):
        for c in range(channels):
            for y in range(ho):
                for xo in range(wo):
                    best = -math.inf
                    where = -1
                    for i in range(kh):
                        r = y * sh - ph + i * dh
                        if r < 0 or r >= height:
                            continue
                        for j in range(kw):
                            col = xo * sw - pw + j * dw
                            if col < 0 or col >= width:
                                continue
                            v = x[n, c, r, col]
                            if v > best or math.isnan(v) or where < 0:
                                best = v
                                where = r * width + col
                                if math.isnan(v):
                                    break
                        if math.isnan(best):
                            break
                    out[n, c, y, xo] = best
                    indices[n, c, y, xo] = where


@njit(cache=True)
def max_pool2d_backward(grad, indices, grad_input):
    """Add each ``grad[n, c, y, x]`` onto ``grad_input[n, c]`` at its argmax position
    (``grad_input`` is (N, C, H*W) and starts at zero)."""
    n_batch, channels, ho, wo = grad.shape
    for n in range(n_batch):
        for c in range(channels):
            for y in range(ho):
                for x in range(wo):
                    grad_input[n, c, indices[n, c, y, x]] += grad[n, c, y, x]
