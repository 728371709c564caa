"""The gamma family (``lgamma``, ``digamma``, ``polygamma``, ``mvlgamma``, Hurwitz's ``zeta``)
and the modified Bessel functions of the first kind (``i0``, ``i1`` and their exponentially
scaled forms ``i0e``, ``i1e``).

Each is a Function whose forward is a backend function (``_backend/gamma_bessel.py`` holds
the algorithms, the same on both devices) and whose derivative is again one of these
functions, so gradients of every order come from the same ops:

* lgamma' = digamma, digamma' = polygamma(1, .), polygamma(n, .)' = polygamma(n + 1, .),
  where polygamma(n, x) = (-1)^(n+1) n! zeta(n + 1, x) for n >= 1 (the n-th derivative of
  digamma; zeta(s, x) = sum_k (k + x)^-s);
* mvlgamma(x, p) = p (p - 1) / 4 log(pi) + sum_{i < p} lgamma(x - i/2) is a composition;
* i0' = i1, and i1' = i0 - i1 / x, which is 0/0 at x = 0: there PyTorch's value, the limit
  1/2, is put in by ``where`` (for |x| <= machine epsilon, as PyTorch does). For the scaled
  forms exp(-|x|) I(x) the product rule adds -sign(x) times the function itself:
  i0e' = i1e - sign(x) i0e, i1e' = i0e - i1e (sign(x) + 1/x);
* zeta(x, q) has a derivative only in q: -x zeta(x + 1, q). PyTorch has none in x (it
  raises when one is asked for), and neither do we.

Where we differ from PyTorch, on purpose:

* polygamma(1, x) goes through zeta like the higher orders: accurate to about 1e-15, where
  PyTorch's own shorter series for it is accurate to about 5e-10. Its special values are
  therefore zeta's (PyTorch's for the higher orders): inf at the poles 0, -1, -2, ...
  (PyTorch: a large finite number), NaN at inf (PyTorch: 0), and 0 beyond x = 1e154, where
  x^-2 underflows (PyTorch: 1/x).
* Near a pole of digamma the reflection formula here keeps full accuracy, where PyTorch's
  loses digits on one side (6e-7 at -2 + 1e-10).

As in PyTorch, zeta(s, q) for q < 0 adds the |q| terms up to q + k = 9 one by one: slow for
|q| in the millions, and inaccurate there (the terms cancel).
"""

from __future__ import annotations

import math

import numpy as np

from .._tensor import Tensor
from ..autograd.function import Function
from ._util import backend, binary_arrays, require_tensor, unary_float
from .arithmetic import _save_operands, _saved_or_scalars
from .pointwise import _Unary, sign, where


class Lgamma(_Unary):
    fn = "lgamma"

    @staticmethod
    def derivative(x):
        return digamma(x)


class Digamma(_Unary):
    fn = "digamma"

    @staticmethod
    def derivative(x):
        return polygamma(1, x)


def _factorial(n: int) -> float:
    """n! as a float (inf once it overflows, where ``math.factorial`` would not fit)."""
    return math.prod(range(2, n + 1), start=1.0)


class Polygamma(Function):
    """The n-th derivative of digamma (n = 0: digamma itself)."""

    @staticmethod
    def forward(ctx, x, n):
        ctx.n = n
        ctx.save_for_backward(x)
        B, a = backend(x), unary_float(x)
        if n == 0:
            return B.digamma(a)
        factor = (1.0 if n % 2 else -1.0) * _factorial(n)  # (-1)^(n+1) n!
        with np.errstate(over="ignore"):  # n! beyond float32 (n > 34): inf, as in PyTorch
            return B.multiply(B.zeta(float(n + 1), a), a.dtype.type(factor))

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return grad * polygamma(ctx.n + 1, x), None

    @staticmethod
    def jvp(ctx, t, _):
        (x,) = ctx.saved_tensors
        return t * polygamma(ctx.n + 1, x)


class I0(_Unary):
    fn = "i0"

    @staticmethod
    def derivative(x):
        return i1(x)


class I0e(_Unary):
    fn = "i0e"

    @staticmethod
    def derivative(x):
        return i1e(x) - sign(x) * i0e(x)


def _away_from_zero(x):
    """(|x| > eps, x with its tiny elements replaced by eps): the second keeps 0/0 out of
    the derivatives' formulas, and of their own derivatives, at x = 0."""
    eps = float(np.finfo(x._array.dtype).eps)
    not_tiny = x.abs() > eps
    return not_tiny, where(not_tiny, x, eps)


class I1(_Unary):
    fn = "i1"

    @staticmethod
    def derivative(x):
        not_tiny, safe = _away_from_zero(x)
        return where(not_tiny, i0(safe) - i1(safe) / safe, 0.5)


class I1e(_Unary):
    fn = "i1e"

    @staticmethod
    def derivative(x):
        not_tiny, safe = _away_from_zero(x)
        return where(not_tiny, i0e(safe) - i1e(safe) * (sign(safe) + 1 / safe), 0.5)


_NO_ZETA_DERIVATIVE = "the derivative for 'zeta' is not implemented."


class Zeta(Function):
    """Hurwitz's zeta function; differentiable in q only."""

    @staticmethod
    def forward(ctx, x, q):
        a, b = binary_arrays(x, q, to_float=True)
        _save_operands(ctx, x, q)
        return backend(x if isinstance(x, Tensor) else q).zeta(a, b)

    @staticmethod
    def backward(ctx, grad):
        need_x, need_q = ctx.needs_input_grad
        if need_x:
            raise NotImplementedError(_NO_ZETA_DERIVATIVE)
        x, q = _saved_or_scalars(ctx)
        return None, grad * (-x * zeta(x + 1, q))

    @staticmethod
    def jvp(ctx, t_x, t_q):
        if t_x is not None:
            raise NotImplementedError(_NO_ZETA_DERIVATIVE)
        x, q = _saved_or_scalars(ctx)
        return t_q * (-x * zeta(x + 1, q))


def _check_int(name: str, arg: str, position: int, value) -> None:
    """PyTorch's TypeError for an order (``n``, ``p``) that is not an int (a bool is not)."""
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise TypeError(f"{name}(): argument '{arg}' (position {position}) must be int, not "
                        f"{type(value).__name__}")


def lgamma(input: Tensor) -> Tensor:
    """log |Gamma(x)|, the logarithm of the gamma function's magnitude (Gamma(n) = (n-1)!
    for whole n > 0): +inf at its poles 0, -1, -2, ...; its derivative is ``digamma``."""
    return Lgamma.apply(input)


def digamma(input: Tensor) -> Tensor:
    """psi(x) = Gamma'(x) / Gamma(x), the derivative of ``lgamma``: -inf at 0 (+inf at -0),
    NaN at -1, -2, ... and at -inf."""
    return Digamma.apply(input)


def polygamma(n: int, input: Tensor) -> Tensor:
    """The n-th derivative of ``digamma`` (n >= 0; ``polygamma(0, x)`` is ``digamma(x)``),
    computed as (-1)^(n+1) n! zeta(n + 1, x) for n >= 1."""
    _check_int("polygamma", "n", 1, n)
    require_tensor("polygamma", input, position=2)
    if n < 0:
        raise RuntimeError("polygamma(n, x) does not support negative n.")
    return Polygamma.apply(input, int(n))


def mvlgamma(input: Tensor, p: int) -> Tensor:
    """The multivariate log-gamma function of dimension p, log of
    pi^(p(p-1)/4) prod_{i < p} Gamma(x - i/2), which normalizes the Wishart distribution.
    It is defined for x > (p - 1)/2; below, PyTorch no longer raises an error but returns
    the sum of the ``lgamma`` terms all the same, and so do we."""
    require_tensor("mvlgamma", input)
    _check_int("mvlgamma", "p", 2, p)
    if p < 1:
        raise RuntimeError("p has to be greater than or equal to 1")
    if input.dtype.name == "bool":
        raise RuntimeError("The input tensor may not be a boolean tensor.")
    total = lgamma(input)
    for i in range(1, p):
        total = total + lgamma(input - i / 2)
    return total + p * (p - 1) / 4 * math.log(math.pi)


def i0(input: Tensor) -> Tensor:
    """The modified Bessel function of the first kind of order 0, I0(x) = sum_k
    (x/2)^(2k) / (k!)^2: even, 1 at 0, growing like e^|x| / sqrt(2 pi |x|)."""
    return I0.apply(input)


def i0e(input: Tensor) -> Tensor:
    """exp(-|x|) I0(x): I0 without its exponential growth, finite for every x."""
    return I0e.apply(input)


def i1(input: Tensor) -> Tensor:
    """The modified Bessel function of the first kind of order 1, I1(x) = I0'(x) = sum_k
    (x/2)^(2k+1) / (k! (k+1)!): odd, growing like sign(x) e^|x| / sqrt(2 pi |x|)."""
    return I1.apply(input)


def i1e(input: Tensor) -> Tensor:
    """exp(-|x|) I1(x): I1 without its exponential growth."""
    return I1e.apply(input)


def zeta(input: Tensor | float, other: Tensor | float) -> Tensor:
    """Hurwitz's zeta function zeta(x, q) = sum_{k >= 0} (k + q)^-x, for x > 1 (inf at
    x = 1, NaN below); zeta(x, 1) is Riemann's zeta. Either argument may be a number."""
    for arg, value in (("input", input), ("other", other)):
        if not isinstance(value, (Tensor, int, float, np.number)):
            raise TypeError(f"zeta(): argument '{arg}' must be Tensor or a number, not "
                            f"{type(value).__name__}")
    if not isinstance(input, Tensor) and not isinstance(other, Tensor):
        raise TypeError("zeta(): expected at least one of input and other to be a Tensor")
    input = input if isinstance(input, Tensor) else float(input)
    other = other if isinstance(other, Tensor) else float(other)
    return Zeta.apply(input, other)


def _polygamma_method(self, n: int) -> Tensor:
    """``x.polygamma(n)`` is ``polygamma(n, x)``."""
    return polygamma(n, self)


__all__ = ["lgamma", "digamma", "polygamma", "mvlgamma", "i0"]

TENSOR_METHODS = {"lgamma": lgamma, "digamma": digamma, "polygamma": _polygamma_method,
                  "mvlgamma": mvlgamma, "i0": i0}
INPLACE_METHODS = {name + "_": method for name, method in TENSOR_METHODS.items()}
