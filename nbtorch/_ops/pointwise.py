"""Elementwise functions of one tensor (exp, sin, abs, floor, ...), ``where``, and the
rounding divisions.

Most unary ops follow one pattern, the chain rule: forward applies the backend function,
backward multiplies the incoming gradient by the local derivative f'(x), written in Tensor
ops so that it can be differentiated again. ``_Unary`` holds the pattern; each op only names
its backend function and its derivative. The derivative is written in terms of the input
(d/dx sin(x) = cos(x)) or, when that is cheaper, of the output (d/dx exp(x) = exp(x)).

Step functions (floor, sign, round, ...) have derivative zero wherever it exists: PyTorch
gives them zero gradients, and so do we.
"""

from __future__ import annotations

import math

from ..autograd.function import Function
from ._util import backend, binary_arrays, promoted_dtype, unary_float

_TYPE_NAMES = {"float16": "Half", "float32": "Float", "float64": "Double", "int64": "Long",
               "int32": "Int", "int16": "Short", "int8": "Char", "uint8": "Byte", "bool": "Bool"}


def type_name(array) -> str:
    """PyTorch's name for an array's element type ("Float", "Long", ...), used in errors."""
    return _TYPE_NAMES[array.dtype.name]


def not_implemented(op: str, array) -> NotImplementedError:
    """PyTorch's error for an op that does not exist for a dtype."""
    return NotImplementedError(f'"{op}_cpu" not implemented for \'{type_name(array)}\'')


def first_tensor(a, b):
    """The operand that is a Tensor (the other may be a Python number)."""
    return a if hasattr(a, "_array") else b


def check_integer_division(op: str, x, y, B) -> None:
    """PyTorch's rules for ``//``, ``%`` and ``fmod`` of the arrays ``x`` and ``y`` (already of
    their common dtype), where numpy would quietly give 0 and a warning: bools cannot be
    divided, and integers not by zero."""
    kind = (x if hasattr(x, "dtype") else y).dtype.kind
    if kind == "b":
        raise not_implemented(op, x if hasattr(x, "dtype") else y)
    if kind in "iu" and bool(B.any(B.equal(y, 0))):
        raise RuntimeError("ZeroDivisionError")


def reflect(fn):
    """``other op self``: the method behind a reflected operator such as ``__rmod__``."""

    def method(self, other):
        return fn(other, self)

    method.__doc__ = f"``other`` op ``self``: the reflected form of ``{fn.__name__}``."
    return method


# -- unary ops: the chain-rule pattern ---------------------------------------------------------


class _Unary(Function):
    """f(x) elementwise. A subclass sets ``fn`` (the backend function's name) and
    ``derivative(v)``, where v is the input x, or the output f(x) if ``of_output``.
    ``keeps_int``: an integer input gives an integer result (abs, floor), instead of
    being lifted to the default float (sin, exp)."""

    fn = ""
    of_output = False
    keeps_int = False

    @classmethod
    def forward(cls, ctx, x):
        a = x._array
        if a.dtype.kind != "f":
            if not cls.keeps_int:
                a = unary_float(x)
            elif a.dtype.kind == "b":
                raise not_implemented(cls.fn, a)  # abs of a bool tensor
        out = getattr(backend(x), cls.fn)(a)
        ctx.save_for_backward(out if cls.of_output else x)
        return out

    @classmethod
    def backward(cls, ctx, grad):
        (v,) = ctx.saved_tensors
        return grad * cls.derivative(v)

    @classmethod
    def jvp(cls, ctx, t):
        (v,) = ctx.saved_tensors
        return t * cls.derivative(v)


class Exp(_Unary):
    fn, of_output = "exp", True

    @staticmethod
    def derivative(out):
        return out


class Expm1(_Unary):
    fn, of_output = "expm1", True

    @staticmethod
    def derivative(out):
        return out + 1


class Log(_Unary):
    fn = "log"

    @staticmethod
    def derivative(x):
        return 1 / x


class Log1p(_Unary):
    fn = "log1p"

    @staticmethod
    def derivative(x):
        return 1 / (x + 1)


class Log2(_Unary):
    fn = "log2"

    @staticmethod
    def derivative(x):
        return 1 / (x * math.log(2))


class Log10(_Unary):
    fn = "log10"

    @staticmethod
    def derivative(x):
        return 1 / (x * math.log(10))


class Sqrt(_Unary):
    fn, of_output = "sqrt", True

    @staticmethod
    def derivative(out):
        return 1 / (2 * out)


class Rsqrt(_Unary):
    """1 / sqrt(x); d/dx x^(-1/2) = -1/2 x^(-3/2) = -out^3 / 2."""

    fn, of_output = "rsqrt", True

    @classmethod
    def forward(cls, ctx, x):
        out = 1 / backend(x).sqrt(unary_float(x))
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def derivative(out):
        return -0.5 * out * out * out


class Reciprocal(_Unary):
    """1 / x; its derivative is -1/x^2 = -out^2."""

    of_output = True

    @classmethod
    def forward(cls, ctx, x):
        out = 1 / unary_float(x)
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def derivative(out):
        return -out * out


class Sin(_Unary):
    fn = "sin"

    @staticmethod
    def derivative(x):
        return cos(x)


class Cos(_Unary):
    fn = "cos"

    @staticmethod
    def derivative(x):
        return -sin(x)


class Tan(_Unary):
    fn, of_output = "tan", True

    @staticmethod
    def derivative(out):
        return 1 + out * out


class Asin(_Unary):
    fn = "arcsin"

    @staticmethod
    def derivative(x):
        return rsqrt(1 - x * x)


class Acos(_Unary):
    fn = "arccos"

    @staticmethod
    def derivative(x):
        return -rsqrt(1 - x * x)


class Atan(_Unary):
    fn = "arctan"

    @staticmethod
    def derivative(x):
        return 1 / (1 + x * x)


class Sinh(_Unary):
    fn = "sinh"

    @staticmethod
    def derivative(x):
        return cosh(x)


class Cosh(_Unary):
    fn = "cosh"

    @staticmethod
    def derivative(x):
        return sinh(x)


class Tanh(_Unary):
    fn, of_output = "tanh", True

    @staticmethod
    def derivative(out):
        return 1 - out * out

    @classmethod
    def backward(cls, ctx, grad):
        (out,) = ctx.saved_tensors
        return TanhBackward.apply(grad, out)  # one op instead of three: see below


class TanhBackward(Function):
    """grad * (1 - tanh^2) in one step, like PyTorch's ``tanh_backward``.

    The chain rule ``grad * derivative(out)`` costs three ops (``out * out``, ``1 - ...``,
    ``grad * ...``); every tanh network runs it once per layer per step, so it is fused.
    It is a Function of its own, so second derivatives still work.
    """

    @staticmethod
    def forward(ctx, grad, out):
        ctx.save_for_backward(grad, out)
        o = out._array
        return grad._array * (1 - o * o)

    @staticmethod
    def backward(ctx, gg):
        grad, out = ctx.saved_tensors
        return gg * (1 - out * out), -2 * gg * grad * out

    @staticmethod
    def jvp(ctx, t_grad, t_out):
        grad, out = ctx.saved_tensors
        result = None if t_grad is None else t_grad * (1 - out * out)
        if t_out is not None:
            extra = -2 * grad * out * t_out
            result = extra if result is None else result + extra
        return result


class Sigmoid(_Unary):
    of_output = True

    @classmethod
    def forward(cls, ctx, x):
        B = backend(x)
        a = unary_float(x)
        # 1/(1+e^-x) overflows for very negative x; tanh form is stable: (1 + tanh(x/2)) / 2
        out = ((B.tanh(a * 0.5) + 1) * 0.5).astype(a.dtype, copy=False)
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def derivative(out):
        return out * (1 - out)

    @classmethod
    def backward(cls, ctx, grad):
        (out,) = ctx.saved_tensors
        return SigmoidBackward.apply(grad, out)


class SigmoidBackward(Function):
    """grad * s * (1 - s) in one step (PyTorch's ``sigmoid_backward``), like ``TanhBackward``."""

    @staticmethod
    def forward(ctx, grad, out):
        ctx.save_for_backward(grad, out)
        o = out._array
        return grad._array * o * (1 - o)

    @staticmethod
    def backward(ctx, gg):
        grad, out = ctx.saved_tensors
        return gg * out * (1 - out), gg * grad * (1 - 2 * out)

    @staticmethod
    def jvp(ctx, t_grad, t_out):
        grad, out = ctx.saved_tensors
        result = None if t_grad is None else t_grad * out * (1 - out)
        if t_out is not None:
            extra = grad * (1 - 2 * out) * t_out
            result = extra if result is None else result + extra
        return result


class Erf(_Unary):
    fn = "erf"

    @staticmethod
    def derivative(x):
        return (2 / math.sqrt(math.pi)) * exp(-x * x)


class Abs(_Unary):
    fn, keeps_int = "abs", True

    @staticmethod
    def derivative(x):
        return sign(x)  # 0 at x = 0, as in PyTorch


class Relu(_Unary):
    keeps_int, of_output = True, True

    @classmethod
    def forward(cls, ctx, x):
        a = x._array
        if a.dtype.kind == "b":
            raise RuntimeError("Boolean inputs not supported for relu")
        out = backend(x).maximum(a, 0)
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def derivative(out):
        return out > 0

    @classmethod
    def backward(cls, ctx, grad):
        (out,) = ctx.saved_tensors
        return ReluBackward.apply(grad, out)


class ReluBackward(Function):
    """grad where the output is positive, else 0, in one step (PyTorch's
    ``threshold_backward``; one kernel on cuda); its derivative is 0 almost everywhere with
    respect to ``out``."""

    @staticmethod
    def forward(ctx, grad, out):
        ctx.save_for_backward(out)
        return backend(grad).relu_backward(grad._array, out._array)

    @staticmethod
    def backward(ctx, gg):
        (out,) = ctx.saved_tensors
        return gg * (out > 0), None

    @staticmethod
    def jvp(ctx, t_grad, t_out):
        (out,) = ctx.saved_tensors
        return None if t_grad is None else t_grad * (out > 0)


class Frac(_Unary):
    """x - trunc(x): the part after the decimal point; derivative 1."""

    @classmethod
    def forward(cls, ctx, x):
        a = x._array
        if a.dtype.kind != "f":
            raise not_implemented("frac", a)
        return a - backend(x).trunc(a)

    @staticmethod
    def backward(ctx, grad):
        return grad

    @staticmethod
    def jvp(ctx, t):
        return t


class _Step(_Unary):
    """A piecewise constant function (floor, sign, ...): its gradient is zero."""

    keeps_int = True

    @classmethod
    def forward(cls, ctx, x, *args):
        a = x._array
        if a.dtype.kind != "f":
            if a.dtype.kind == "b":  # PyTorch's kernels are named floor_vml_cpu, ...
                raise not_implemented(cls.fn + "_vml", a)
            return a.copy()  # integers are already whole numbers
        return getattr(backend(x), cls.fn)(a, *args)

    @staticmethod
    def backward(ctx, grad):
        return (grad.new_zeros(grad.shape),) + (None,) * (len(ctx.needs_input_grad) - 1)

    @staticmethod
    def jvp(ctx, t, *_):
        return t.new_zeros(t.shape)


class Sign(_Step):
    """-1, 0 or 1; the sign of NaN is 0, as in PyTorch."""

    @classmethod
    def forward(cls, ctx, x):
        B = backend(x)
        a = x._array
        if a.dtype.kind == "b":
            return a.copy()  # True is 1 and False 0: their own signs
        out = B.sign(a)
        return B.where(B.isnan(a), 0, out) if a.dtype.kind == "f" else out


class Floor(_Step):
    fn = "floor"


class Ceil(_Step):
    fn = "ceil"


class Trunc(_Step):
    fn = "trunc"


class Round(_Step):
    """Round half to even (like numpy and PyTorch), to ``decimals`` places."""

    fn = "round"

    @classmethod
    def forward(cls, ctx, x, decimals):
        if decimals and x._array.dtype.kind != "f":  # PyTorch has no such integer kernel
            raise not_implemented("round", x._array)
        return super().forward(ctx, x, decimals)


# -- unary functions -------------------------------------------------------------------------


def exp(input):
    """e to the power of each element; its own derivative."""
    return Exp.apply(input)


def expm1(input):
    """e^x - 1, accurate for small x (where exp(x) - 1 loses all digits)."""
    return Expm1.apply(input)


def log(input):
    """Natural logarithm of each element; derivative 1/x."""
    return Log.apply(input)


def log1p(input):
    """log(1 + x), accurate for small x."""
    return Log1p.apply(input)


def log2(input):
    """Base-2 logarithm; derivative 1/(x ln 2)."""
    return Log2.apply(input)


def log10(input):
    """Base-10 logarithm; derivative 1/(x ln 10)."""
    return Log10.apply(input)


def sqrt(input):
    """Square root of each element; derivative 1/(2 sqrt(x))."""
    return Sqrt.apply(input)


def rsqrt(input):
    """1 / sqrt(x) (the "reciprocal square root" of normalization layers)."""
    return Rsqrt.apply(input)


def reciprocal(input):
    """1 / x (always a floating point result)."""
    return Reciprocal.apply(input)


def square(input):
    """x * x; as in PyTorch it is ``pow(x, 2)`` (its grad_fn is a PowBackward0)."""
    return input**2


def sin(input):
    """Sine (radians); derivative cos(x)."""
    return Sin.apply(input)


def cos(input):
    """Cosine (radians); derivative -sin(x)."""
    return Cos.apply(input)


def tan(input):
    """Tangent (radians); derivative 1 + tan(x)^2."""
    return Tan.apply(input)


def asin(input):
    """Inverse sine; derivative 1/sqrt(1 - x^2) (infinite at x = +-1)."""
    return Asin.apply(input)


def acos(input):
    """Inverse cosine; derivative -1/sqrt(1 - x^2)."""
    return Acos.apply(input)


def atan(input):
    """Inverse tangent; derivative 1/(1 + x^2)."""
    return Atan.apply(input)


def sinh(input):
    """Hyperbolic sine; derivative cosh(x)."""
    return Sinh.apply(input)


def cosh(input):
    """Hyperbolic cosine; derivative sinh(x)."""
    return Cosh.apply(input)


def tanh(input):
    """Hyperbolic tangent; its derivative is 1 - tanh(x)^2."""
    return Tanh.apply(input)


def sigmoid(input):
    """1 / (1 + e^-x); its derivative is sigmoid(x) (1 - sigmoid(x))."""
    return Sigmoid.apply(input)


def relu(input):
    """max(x, 0); its derivative is 1 where x > 0, else 0."""
    return Relu.apply(input)


def erf(input):
    """The error function 2/sqrt(pi) * integral_0^x e^(-t^2) dt (used by GELU)."""
    return Erf.apply(input)


def abs(input):
    """Absolute value; derivative sign(x), taken as 0 at x = 0."""
    return Abs.apply(input)


def sign(input):
    """-1, 0 or 1 by the sign of each element (gradient zero)."""
    return Sign.apply(input)


def floor(input):
    """Round down to an integer value (gradient zero)."""
    return Floor.apply(input)


def ceil(input):
    """Round up to an integer value (gradient zero)."""
    return Ceil.apply(input)


def trunc(input):
    """Round toward zero (gradient zero)."""
    return Trunc.apply(input)


def round(input, *, decimals: int = 0):
    """Round to the nearest integer, halves to even (``round(2.5) == 2``), or to
    ``decimals`` decimal places (gradient zero)."""
    return Round.apply(input, decimals)


def frac(input):
    """The fractional part x - trunc(x) (gradient one)."""
    return Frac.apply(input)


class NanToNum(Function):
    """Replace NaN and +-inf by finite numbers; the gradient passes where x was finite."""

    @staticmethod
    def forward(ctx, x, nan, posinf, neginf):
        B = backend(x)
        ctx.save_for_backward(B.isfinite(x._array))  # a constant mask
        return B.nan_to_num(x._array, nan=nan, posinf=posinf, neginf=neginf)

    @staticmethod
    def backward(ctx, grad):
        (finite,) = ctx.saved_tensors
        return where(finite, grad, 0.0), None, None, None

    @staticmethod
    def jvp(ctx, t, *_):
        (finite,) = ctx.saved_tensors
        return where(finite, t, 0.0)


def nan_to_num(input, nan: float = 0.0, posinf: float | None = None,
               neginf: float | None = None):
    """NaN -> ``nan``, +inf -> ``posinf``, -inf -> ``neginf`` (default: the largest and
    smallest finite numbers of the dtype)."""
    return NanToNum.apply(input, nan, posinf, neginf)


# -- where -----------------------------------------------------------------------------------


class Where(Function):
    """``where(cond, a, b)``: a where cond is true, else b; gradients flow to the chosen side."""

    @staticmethod
    def forward(ctx, cond, a, b):
        x, y = binary_arrays(a, b)
        c = cond._array
        if c.dtype.kind != "b":
            raise RuntimeError(f"where expected condition to be a boolean tensor, but got a "
                               f"tensor with dtype {type_name(c)}")
        ctx.save_for_backward(cond)
        ctx.shapes = (getattr(a, "shape", ()), getattr(b, "shape", ()))
        out = backend(cond).where(c, x, y)
        if not hasattr(a, "_array") and not hasattr(b, "_array"):
            # two numbers: numpy makes float64 of 1.0, PyTorch the default float dtype
            return out.astype(promoted_dtype(a, b).numpy, copy=False)
        return out

    @staticmethod
    def backward(ctx, grad):
        from .reduce import sum_to_size

        (cond,) = ctx.saved_tensors
        _, ga, gb = ctx.needs_input_grad
        zero = grad.new_zeros(())
        return (
            None,
            sum_to_size(where(cond, grad, zero), ctx.shapes[0]) if ga else None,
            sum_to_size(where(cond, zero, grad), ctx.shapes[1]) if gb else None,
        )

    @staticmethod
    def jvp(ctx, _, ta, tb):
        (cond,) = ctx.saved_tensors
        zero = 0.0
        return where(cond, zero if ta is None else ta, zero if tb is None else tb)


def where(condition, input=None, other=None):
    """Pick ``input`` where ``condition`` holds, else ``other`` (broadcasting all three)."""
    if input is None and other is None:
        return condition.nonzero(as_tuple=True)
    from .._tensor import Tensor

    if not isinstance(condition, Tensor):
        from .._creation import tensor

        condition = tensor(condition)
    return Where.apply(condition, input, other)


# -- rounded division: a step function of both operands ---------------------------------------


class _RoundedDivide(Function):
    """``a / b`` rounded to a whole number (``div``'s ``rounding_mode``). Like floor, it is
    piecewise constant, so its gradient is zero wherever it exists, as in PyTorch. A subclass
    names PyTorch's kernel (``op``, for errors) and defines ``divide(B, x, y)``."""

    op = ""

    @classmethod
    def forward(cls, ctx, a, b):
        x, y = binary_arrays(a, b)
        B = backend(first_tensor(a, b))
        check_integer_division(cls.op, x, y, B)
        out = B.asarray(cls.divide(B, x, y))
        ctx.shape = out.shape
        return out

    @staticmethod
    def backward(ctx, grad):
        zeros = grad.new_zeros(grad.shape)
        return tuple(zeros if need else None for need in ctx.needs_input_grad)

    @staticmethod
    def jvp(ctx, ta, tb):
        return (tb if ta is None else ta).new_zeros(ctx.shape)


class FloorDivide(_RoundedDivide):
    """Rounded down: ``div(rounding_mode='floor')``."""

    op = "div_floor"

    @staticmethod
    def divide(B, x, y):
        return B.floor_divide(x, y)


class TruncDivide(_RoundedDivide):
    """Rounded toward zero: ``div(rounding_mode='trunc')``."""

    op = "div_trunc"

    @staticmethod
    def divide(B, x, y):
        if (x if hasattr(x, "dtype") else y).dtype.kind == "f":
            return B.trunc(B.divide(x, y))
        # integers: x minus its remainder is a multiple of y, divided exactly (through a
        # float64 quotient 2**62 + 1 would come back as 2**62)
        return B.floor_divide(B.subtract(x, B.fmod(x, y)), y)


class FloorDivideOperator(FloorDivide):
    """``//`` (``floor_divide``): the same numbers as ``div(rounding_mode='floor')``, but
    PyTorch gives it no derivative, so backward through it is an error."""

    @staticmethod
    def backward(ctx, grad):
        raise RuntimeError("derivative for aten::floor_divide is not implemented")

    @staticmethod
    def jvp(ctx, ta, tb):
        raise NotImplementedError(
            "Trying to use forward AD with aten::floor_divide that does not support it."
        )


def floor_divide(input, other):
    """Division rounded down (``//``); unlike ``div(rounding_mode='floor')``, it has no
    derivative (PyTorch's rule)."""
    return FloorDivideOperator.apply(input, other)


def _round_method(self, decimals: int = 0):
    """``x.round()`` or ``x.round(decimals=2)``."""
    return round(self, decimals=decimals)


arcsin, arccos, arctan, absolute = asin, acos, atan, abs

__all__ = [
    "exp", "expm1", "log", "log1p", "log2", "log10", "sqrt", "rsqrt", "reciprocal", "square",
    "sin", "cos", "tan", "asin", "acos", "atan", "arcsin", "arccos", "arctan", "sinh", "cosh",
    "tanh", "sigmoid", "relu", "erf", "abs", "absolute", "sign", "floor", "ceil", "trunc",
    "round", "frac", "nan_to_num", "where", "floor_divide",
]

# Methods named like the function (``x.sin()``); all but ``where`` and ``round`` also get an
# in-place form (``x.sin_()``, made by ``inplace.make_inplace``).
_INPLACE = [n for n in __all__ if n not in ("where", "round")]

TENSOR_METHODS = {name: globals()[name] for name in __all__}
TENSOR_METHODS.update({
    "round": _round_method, "__abs__": abs,
    "where": lambda self, condition, other: where(condition, self, other),
    "__floordiv__": floor_divide, "__rfloordiv__": reflect(floor_divide),
})
INPLACE_METHODS = {name + "_": globals()[name] for name in _INPLACE}
INPLACE_METHODS.update({"round_": _round_method, "__ifloordiv__": floor_divide})
