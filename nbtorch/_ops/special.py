"""Special functions: ``logaddexp``, ``logaddexp2``, ``hypot``, ``erfinv``, ``heaviside``.

The first three are compositions of Tensor ops, arranged so that no intermediate overflows
where the result itself is an ordinary number; their gradients (of every order, in both
modes) come from the ops they are made of.

* logaddexp(a, b) = log(e^a + e^b). e^a overflows for a > 709 (float64) although the result
  is about max(a, b). Factor out the larger one, hi, with lo the other:
  log(e^hi (1 + e^(lo - hi))) = hi + log1p(e^(lo - hi)), where e^(lo - hi) is in (0, 1].
  ``where`` picks hi per element; the formula it picks is exact near that point, so its
  derivatives are too (d/da = sigmoid(a - b), 1/2 at a tie).
* hypot(a, b) = sqrt(a^2 + b^2): a^2 overflows for |a| > 1e154 (float64). Divide by the
  larger magnitude s first: s * sqrt((a/s)^2 + (b/s)^2). This equals hypot for any s > 0, so
  s is held constant (``detach``) and the gradient is exactly a / hypot(a, b).
* erfinv(y), the x with erf(x) = y, has no closed form: a rational approximation gives about
  7 digits and two Newton steps on erf(x) - y = 0 (each doubles the correct digits) the rest.
  This one is a Function: its derivative follows from the inverse function rule,
  1 / erf'(x) = sqrt(pi)/2 * e^(x^2), written with the output x.
* heaviside(x, values): the step function, 0 for x < 0, 1 for x > 0 and ``values`` where
  x == 0. Not differentiable.
"""

from __future__ import annotations

import math

import numpy as np

from .._tensor import Tensor
from ._util import backend, promoted_dtype, unary_float
from .binary import _require_tensors, maximum
from .pointwise import _Unary, not_implemented, where


def _check_floats(name: str, input, other) -> None:
    """Two tensors whose common dtype is floating point (PyTorch has no integer versions)."""
    _require_tensors(name, input, other)
    if not promoted_dtype(input, other).is_floating_point:
        raise not_implemented(name, input._array)


def _log_add(input: Tensor, other: Tensor, log_base: float) -> Tensor:
    """log_b(b^input + b^other) for the base b = e^log_base, as hi + log_b(1 + b^(lo - hi))."""
    first_larger = input >= other
    hi, lo = where(first_larger, input, other), where(first_larger, other, input)
    with np.errstate(invalid="ignore"):  # inf - inf, replaced below
        out = hi + ((lo - hi) * log_base).exp().log1p() / log_base
    both_infinite = (input == other) & input.isinf()
    return where(both_infinite, input, out)


def logaddexp(input: Tensor, other: Tensor) -> Tensor:
    """log(e^input + e^other), without overflow: adds probabilities stored as logarithms."""
    _check_floats("logaddexp", input, other)
    return _log_add(input, other, 1.0)


def logaddexp2(input: Tensor, other: Tensor) -> Tensor:
    """log2(2^input + 2^other), without overflow."""
    _check_floats("logaddexp2", input, other)
    return _log_add(input, other, math.log(2))


def hypot(input: Tensor, other: Tensor) -> Tensor:
    """sqrt(input^2 + other^2), the hypotenuse, without overflow or underflow in the squares
    (infinite when either side is, even if the other is NaN)."""
    _check_floats("hypot", input, other)
    scale = maximum(input.abs(), other.abs()).detach()
    scale = where(scale == 0, 1.0, scale)
    with np.errstate(invalid="ignore"):  # inf / inf, replaced below
        out = scale * ((input / scale).square() + (other / scale).square()).sqrt()
    return where(input.isinf() | other.isinf(), math.inf, out)


# Coefficients of the starting guess for erfinv: y * a(y^2) / b(y^2) for |y| <= 0.7, and
# sign(y) * c(z) / d(z) with z = sqrt(-log((1 - |y|) / 2)) in the tails (lowest power first;
# the denominators' constant term is 1).
_A = (0.886226899, -1.645349621, 0.914624893, -0.140543331)
_B = (-2.118377725, 1.442710462, -0.329097515, 0.012229801)
_C = (-1.970840454, -1.624906493, 3.429567803, 1.641345311)
_D = (3.543889200, 1.637067800)


def _polynomial(coefficients, z, constant=None):
    """c0 + c1 z + c2 z^2 + ... (Horner's rule), or 1 + c0 z + c1 z^2 + ... with
    ``constant=1``."""
    out = coefficients[-1]
    for c in reversed(coefficients[:-1]):
        out = out * z + c
    return out if constant is None else out * z + constant


def _erfinv_array(B, y_in):
    """erfinv of a float array on backend ``B``, computed in float64 (near +-1, erf(x) - y
    cancels: float32 would keep only a few digits of it)."""
    y = y_in.astype(np.float64)
    magnitude = B.abs(y)
    with np.errstate(divide="ignore", invalid="ignore"):  # |y| >= 1: log(0), log(< 0)
        z = y * y
        center = y * _polynomial(_A, z) / _polynomial(_B, z, 1)
        z = B.sqrt(-B.log((1 - magnitude) / 2))
        tails = B.sign(y) * _polynomial(_C, z) / _polynomial(_D, z, 1)
        x = B.where(magnitude <= 0.7, center, tails)
        for _ in range(2):  # Newton: x -= (erf(x) - y) / erf'(x)
            x = x - (B.erf(x) - y) / (2 / math.sqrt(math.pi) * B.exp(-x * x))
        x = B.where(magnitude == 1, B.sign(y) * math.inf, x)
    return x.astype(y_in.dtype, copy=False)


class Erfinv(_Unary):
    of_output = True

    @classmethod
    def forward(cls, ctx, x):
        out = _erfinv_array(backend(x), unary_float(x))
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def derivative(out):
        return (out * out).exp() * (math.sqrt(math.pi) / 2)


def erfinv(input: Tensor) -> Tensor:
    """The inverse error function: erfinv(erf(x)) = x, for inputs in [-1, 1] (+-inf at +-1,
    NaN outside). Very near +-1 the Newton step's erf(x) - y cancels: within 1e-6 of +-1 a
    float64 result keeps about 11 digits, within 1e-10 about 7 (float32 results are exact
    to their precision)."""
    return Erfinv.apply(input)


def heaviside(input: Tensor, values: Tensor) -> Tensor:
    """The step function: 0 where ``input`` < 0, 1 where it is > 0, and ``values`` where it
    is 0 (broadcast; NaN gives 0). Both tensors must have the same dtype."""
    for arg, pos, value in (("input", 1, input), ("values", 2, values)):
        if not isinstance(value, Tensor):
            raise TypeError(f"heaviside(): argument '{arg}' (position {pos}) must be Tensor, "
                            f"not {type(value).__name__}")
    if input.dtype != values.dtype:
        raise RuntimeError("heaviside is not yet implemented for tensors with different dtypes.")
    x, v = input.detach(), values.detach()
    return where(x == 0, v, (x > 0).to(x.dtype))


__all__ = ["logaddexp", "logaddexp2", "hypot", "erfinv", "heaviside"]

TENSOR_METHODS = {name: globals()[name] for name in __all__}
INPLACE_METHODS = {"hypot_": hypot, "erfinv_": erfinv, "heaviside_": heaviside}
