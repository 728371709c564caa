"""More elementwise math: inverse hyperbolic functions, ``erfc``, ``xlogy``, ``copysign``,
``fmax``/``fmin``, ``exp2``, ``logit``, ``sinc``, ``deg2rad``/``rad2deg``, ``float_power``,
``ldexp``, ``nextafter``, ``signbit`` and ``frexp``.

The inverse hyperbolic functions and ``erfc`` follow the chain-rule pattern of
``pointwise._Unary``: a backend function and its derivative,

* asinh' = 1 / sqrt(x^2 + 1),  acosh' = 1 / sqrt(x^2 - 1),  atanh' = 1 / (1 - x^2),
* erfc' = -2 / sqrt(pi) e^(-x^2)  (erfc(x) = 1 - erf(x), computed directly: for x = 10 it is
  2e-45, which 1 - erf(x) rounds to 0).

Most of the others are compositions of differentiable ops, so their gradients (of every
order, in both modes) and the cuda device come for free; ``where`` supplies the special
cases (xlogy(0, y) = 0, sinc(0) = 1). ``nextafter`` and ``frexp`` are numpy's (on a cuda
tensor via the host).
"""

from __future__ import annotations

import math

import numpy as np

from .. import _dtype as dt
from .._creation import tensor
from .._tensor import Tensor
from ..autograd.function import Function
from ._util import backend, binary_arrays, promoted_dtype
from .binary import _require_tensors
from .pointwise import _Unary, not_implemented, where
from .reduce import return_type

frexp_result = return_type("frexp", ("mantissa", "exponent"))


class Asinh(_Unary):
    fn = "arcsinh"

    @staticmethod
    def derivative(x):
        return (x * x + 1).rsqrt()


class Acosh(_Unary):
    fn = "arccosh"

    @staticmethod
    def derivative(x):
        return (x * x - 1).rsqrt()


class Atanh(_Unary):
    fn = "arctanh"

    @staticmethod
    def derivative(x):
        return 1 / (1 - x * x)


class Erfc(_Unary):
    fn = "erfc"

    @staticmethod
    def derivative(x):
        return (-2 / math.sqrt(math.pi)) * (-x * x).exp()


def asinh(input: Tensor) -> Tensor:
    """Inverse hyperbolic sine, log(x + sqrt(x^2 + 1)); defined for every x."""
    return Asinh.apply(input)


def acosh(input: Tensor) -> Tensor:
    """Inverse hyperbolic cosine, log(x + sqrt(x^2 - 1)), for x >= 1 (NaN below)."""
    return Acosh.apply(input)


def atanh(input: Tensor) -> Tensor:
    """Inverse hyperbolic tangent, log((1 + x) / (1 - x)) / 2, for -1 < x < 1 (+-inf at
    +-1, NaN outside)."""
    return Atanh.apply(input)


def erfc(input: Tensor) -> Tensor:
    """The complementary error function 1 - erf(x), accurate also where it is tiny."""
    return Erfc.apply(input)


def _float_dtype(*operands) -> dt.dtype:
    """The promoted dtype of the operands, lifted to the default float if it is not one."""
    d = promoted_dtype(*operands)
    return d if d.is_floating_point else dt.get_default_dtype()


def _as_tensor(value, like: Tensor, dtype: dt.dtype) -> Tensor:
    """A Python number as a 0-d tensor of the result's ``dtype`` on ``like``'s device."""
    if isinstance(value, Tensor):
        return value
    return tensor(value, dtype=dtype, device=like.device)


def xlogy(input, other) -> Tensor:
    """x * log(y), but 0 where x = 0 (even where log(y) is -inf): the term p log p of an
    entropy at p = 0. NaN where y is NaN. Either argument may be a number. The gradients
    are PyTorch's, log(y) and x / y, except at x = 0 with y = inf (0 here, inf there)."""
    if not isinstance(input, Tensor) and not isinstance(other, Tensor):
        raise TypeError("xlogy(): expected at least one of input and other to be a Tensor")
    dtype = _float_dtype(input, other)
    input = _as_tensor(input, other, dtype)
    other = _as_tensor(other, input, dtype)
    # 0 * log(y) is already 0 for a finite y > 0 (and its gradient in x is log y, PyTorch's);
    # only where log y is -inf, inf or NaN (y <= 0 or inf) must 0 be put in
    undefined = (input == 0) & ((other <= 0) | other.isinf())
    with np.errstate(divide="ignore", invalid="ignore"):  # log(0), 0 * -inf: replaced
        return where(undefined, 0.0, input * other.log())


def copysign(input, other) -> Tensor:
    """|input| with the sign of ``other`` (also the sign of -0.0 and of NaN); always
    floating point. The gradient to ``input`` is sign(input) * sign(other), 0 at input = 0;
    ``other`` gets none."""
    dtype = _float_dtype(input, other)
    if isinstance(other, Tensor):
        sign = where(signbit(other), -1.0, 1.0).to(dtype)
    else:
        sign = math.copysign(1.0, other)
    return input.abs().to(dtype) * sign


def fmax(input: Tensor, other: Tensor) -> Tensor:
    """The elementwise maximum, ignoring NaN (NaN only where both are). Ties send the
    gradient to ``input``, as in PyTorch."""
    _require_tensors("fmax", input, other)
    return where((input >= other) | other.isnan(), input, other)


def fmin(input: Tensor, other: Tensor) -> Tensor:
    """The elementwise minimum, ignoring NaN (NaN only where both are)."""
    _require_tensors("fmin", input, other)
    return where((input <= other) | other.isnan(), input, other)


def exp2(input: Tensor) -> Tensor:
    """2 to the power of each element; derivative 2^x ln 2."""
    return 2.0**input


def logit(input: Tensor, eps: float | None = None) -> Tensor:
    """log(p / (1 - p)), the inverse of sigmoid; with ``eps``, p is first clamped to
    [eps, 1 - eps] (so 0 and 1 give finite values, and no gradient outside)."""
    p = input if input.is_floating_point() else input.to(dt.get_default_dtype())
    if eps is not None:
        p = p.clamp(eps, 1 - eps)
    with np.errstate(divide="ignore"):  # p = 0 or 1: -inf, inf
        return (p / (1 - p)).log()


def sinc(input: Tensor) -> Tensor:
    """The normalized sinc function sin(pi x) / (pi x), with sinc(0) = 1."""
    x = input if input.is_floating_point() else input.to(dt.get_default_dtype())
    zero = x == 0
    safe = where(zero, 1.0, x) * math.pi  # keeps 0 / 0 out of the gradient, too
    return where(zero, 1.0, safe.sin() / safe)


def deg2rad(input: Tensor) -> Tensor:
    """Degrees to radians: x * pi / 180."""
    return input * (math.pi / 180)


def rad2deg(input: Tensor) -> Tensor:
    """Radians to degrees: x * 180 / pi."""
    return input * (180 / math.pi)


def float_power(input, exponent) -> Tensor:
    """input ** exponent computed in double precision (float64), whatever the dtypes."""
    if not isinstance(input, Tensor) and not isinstance(exponent, Tensor):
        raise TypeError("float_power(): expected at least one of input and exponent to be a "
                        "Tensor")
    base = input.double() if isinstance(input, Tensor) else float(input)
    power = exponent.double() if isinstance(exponent, Tensor) else float(exponent)
    return base**power


def ldexp(input: Tensor, other: Tensor) -> Tensor:
    """input * 2^other (``other`` usually an integer tensor): builds a float from a mantissa
    and an exponent, the inverse of ``frexp``."""
    return input * 2.0**other


class NextAfter(Function):
    """The next representable float after ``input`` towards ``other``. Its derivative is
    taken as PyTorch takes it: 1 in ``input`` (0 where input == other, where the result is
    ``other``) and 0 in ``other``."""

    @staticmethod
    def forward(ctx, a, b):
        x, y = binary_arrays(a, b)
        if x.dtype.kind != "f":
            raise not_implemented("nextafter", x)
        ctx.save_for_backward(backend(a).equal(x, y))  # a constant mask
        return backend(a).nextafter(x, y)

    @staticmethod
    def backward(ctx, grad):
        (equal,) = ctx.saved_tensors
        need_input, need_other = ctx.needs_input_grad
        return (where(equal, 0.0, grad) if need_input else None,
                grad.new_zeros(grad.shape) if need_other else None)

    @staticmethod
    def jvp(ctx, t_input, t_other):
        (equal,) = ctx.saved_tensors
        zeros = (t_input if t_input is not None else t_other).new_zeros(equal.shape)
        return zeros if t_input is None else where(equal, 0.0, t_input)


def nextafter(input: Tensor, other: Tensor) -> Tensor:
    """The next floating point number after ``input`` in the direction of ``other``: one
    unit in the last place (an "ulp") up or down."""
    _require_tensors("nextafter", input, other)
    return NextAfter.apply(input, other)


def signbit(input: Tensor) -> Tensor:
    """True where the sign bit is set: negative numbers, -0.0 and -inf (a bool tensor)."""
    B = backend(input)
    return Tensor._make(B.less(B.copysign(1.0, input._array), 0))


class Frexp(Function):
    """x = mantissa * 2^exponent with 0.5 <= |mantissa| < 1: d mantissa / dx = 2^-exponent."""

    @staticmethod
    def forward(ctx, x):
        a = x._array
        if a.dtype.kind != "f":
            raise RuntimeError("torch.frexp() only supports floating-point dtypes")
        mantissa, exponent = backend(x).frexp(a)
        ctx.save_for_backward(exponent)
        return mantissa, exponent

    @staticmethod
    def backward(ctx, grad, _):
        (exponent,) = ctx.saved_tensors
        return grad / exp2(exponent.to(grad.dtype))

    @staticmethod
    def jvp(ctx, t):
        (exponent,) = ctx.saved_tensors
        return t / exp2(exponent.to(t.dtype)), None


def frexp(input: Tensor):
    """Split each float into ``(mantissa, exponent)`` with input = mantissa * 2**exponent and
    0.5 <= |mantissa| < 1 (both 0 for 0); the exponent is an int32 tensor."""
    return frexp_result(*Frexp.apply(input))


arcsinh, arccosh, arctanh = asinh, acosh, atanh

__all__ = ["asinh", "acosh", "atanh", "arcsinh", "arccosh", "arctanh", "erfc", "xlogy",
           "copysign", "fmax", "fmin", "exp2", "logit", "sinc", "deg2rad", "rad2deg",
           "float_power", "ldexp", "nextafter", "signbit", "frexp"]

TENSOR_METHODS = {name: globals()[name] for name in __all__}
INPLACE_METHODS = {name + "_": globals()[name] for name in [
    "asinh", "acosh", "atanh", "arcsinh", "arccosh", "arctanh", "erfc", "xlogy", "copysign",
    "exp2", "logit", "sinc", "deg2rad", "rad2deg", "ldexp", "nextafter"]}
