"""Fused softmax cross entropy for big float32 batches: one pass over the logits each way.

numpy needs four passes over the (rows, classes) logits for the forward (max, subtract,
exp, sum) and keeps the whole exp(x - max) matrix for the backward. These kernels read each
row once into the cache and do everything there:

* ``row_sumexp`` (forward): s[r] = sum_c exp(x[r, c] - m[r]), m[r] the row's maximum (found
  by ``np.max``, which is already one fast pass); the loss needs only log-sum-exp
  m + log(s). Nothing of size rows x classes is written.
* ``softmax_minus_onehot`` (backward): out[r, c] = exp(x[r, c] - m[r]) * factor[r], then
  out[r, t[r]] -= scale[r]: the gradient softmax - onehot, scaled.

Why a hand-written exp? numpy's ``np.exp`` runs on SIMD registers (8 or 16 floats at once);
``math.exp`` inside a Numba loop calls the C library once per number, 3x slower than numpy
here. ``_exp`` below is the textbook method the fast libraries use, in float32 arithmetic
that LLVM can vectorize: write x = n ln2 + r with n an integer and |r| <= ln2 / 2, so
exp(x) = 2^n exp(r); exp(r) is a degree-6 polynomial (Cephes' ``expf`` coefficients, error
about 1e-7 relative) and 2^n is built directly from its bits (exponent field n + 127). The
loops are ``nogil`` so that several Python threads can run them on different rows.
"""

import numpy as np
from numba import njit

_F = np.float32
_LOG2E = _F(1.4426950408889634)
_LN2_HI = _F(0.693359375)  # ln 2 = _LN2_HI + _LN2_LO, the first part exact in few bits,
_LN2_LO = _F(-2.12194440e-4)  # so that r = x - n ln2 loses no precision
_EXP_MIN = _F(-87.33)  # exp of anything smaller is below the smallest normal float32

# Reassociation lets LLVM split a sum over several SIMD lanes; unlike fastmath=True it keeps
# the rules for NaN and infinity, so a NaN logit still gives a NaN loss.
_FAST = {"reassoc", "contract", "arcp"}


@njit(fastmath=_FAST, inline="always")
def _exp(v):
    """exp(v) for a float32 v <= 0 (the logits minus their row maximum)."""
    if v != v:  # NaN in, NaN out
        return v
    if v < _EXP_MIN:  # exp(v) is too small for a float32 (v = -inf too)
        return _F(0.0)
    n = np.floor(v * _LOG2E + _F(0.5))
    r = v - n * _LN2_HI - n * _LN2_LO
    p = _F(1.9875691500e-4)
    p = p * r + _F(1.3981999507e-3)
    p = p * r + _F(8.3334519073e-3)
    p = p * r + _F(4.1665795894e-2)
    p = p * r + _F(1.6666665459e-1)
    p = p * r + _F(5.0000001201e-1)
    p = p * r * r + r + _F(1.0)
    two_to_n = np.int32((np.int32(n) + np.int32(127)) << np.int32(23)).view(np.float32)
    return p * two_to_n


@njit(fastmath=_FAST, nogil=True, cache=True)
def row_sumexp(x, m, s, start, stop):
    """For rows start:stop of the float32 matrix ``x`` with row maxima ``m``:
    ``s[r]`` = sum of exp(x[r, c] - m[r])."""
    classes = x.shape[1]
    for r in range(start, stop):
        top = m[r]
        total = _F(0.0)
        for c in range(classes):
            total += _exp(x[r, c] - top)
        s[r] = total


@njit(fastmath=_FAST, nogil=True, cache=True)
def softmax_minus_onehot(x, m, factor, target, scale, out, start, stop):
    """For rows start:stop: ``out[r, c] = exp(x[r, c] - m[r]) * factor[r]``, then
    ``out[r, target[r]] -= scale[r]`` (factor = scale / sum of the row's exps)."""
    classes = x.shape[1]
    for r in range(start, stop):
        top, f = m[r], factor[r]
        for c in range(classes):
            out[r, c] = _exp(x[r, c] - top) * f
        out[r, target[r]] -= scale[r]
