"""Elementwise math: functions of one tensor (exp, sin, abs, ...), ``clamp``, ``maximum``,
``remainder``, ``atan2``, ``where``, comparisons, logical and bitwise operators.

Most unary ops follow one pattern, the chain rule: forward applies the backend function,
backward multiplies the incoming gradient by the local derivative f'(x), written in Tensor
ops so that it can be differentiated again. ``_Unary`` holds the pattern; each op only names
its backend function and its derivative. The derivative is written in terms of the input
(d/dx sin(x) = cos(x)) or, when that is cheaper, of the output (d/dx exp(x) = exp(x)).

Step functions (floor, sign, round, ...) have derivative zero wherever it exists: PyTorch
gives them zero gradients, and so do we. Comparisons, logical and bitwise ops return bool or
integer tensors, which are never part of the graph.
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


def _not_implemented(op: str, array):
    return NotImplementedError(f'"{op}_cpu" not implemented for \'{type_name(array)}\'')


def _operands(ctx):
    """The two saved operands (a Tensor, or the Python number that was given)."""
    sa, sb = ctx.saved_tensors
    a, b = ctx.scalars
    return (a if sa is None else sa, b if sb is None else sb)


def _save(ctx, a, b):
    ctx.save_for_backward(*(t if hasattr(t, "_array") else None for t in (a, b)))
    ctx.scalars = (a, b)


def _first_tensor(a, b):
    return a if hasattr(a, "_array") else b


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
        a = x._array if cls.keeps_int else unary_float(x)
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
        out = backend(x).maximum(x._array, 0)
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def derivative(out):
        return out > 0


class Frac(_Unary):
    """x - trunc(x): the part after the decimal point; derivative 1."""

    @classmethod
    def forward(cls, ctx, x):
        a = x._array
        if a.dtype.kind != "f":
            raise _not_implemented("frac", a)
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
        if a.dtype.kind != "f" and cls.fn != "sign":
            return a.copy()  # integers are already whole numbers
        return getattr(backend(x), cls.fn)(a, *args)

    @staticmethod
    def backward(ctx, grad):
        return (grad.new_zeros(grad.shape),) + (None,) * (len(ctx.needs_input_grad) - 1)

    @staticmethod
    def jvp(ctx, t, *_):
        return t.new_zeros(t.shape)


class Sign(_Step):
    fn = "sign"


class Floor(_Step):
    fn = "floor"


class Ceil(_Step):
    fn = "ceil"


class Trunc(_Step):
    fn = "trunc"


class Round(_Step):
    """Round half to even (like numpy and PyTorch), to ``decimals`` places."""

    fn = "round"


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


# -- clamp, maximum, minimum -----------------------------------------------------------------


class Clamp(Function):
    """``clamp(x, lo, hi)``: the gradient passes to x where lo <= x <= hi; a tensor bound
    gets the gradient where it was the result (PyTorch's rule, also when lo > hi)."""

    @staticmethod
    def forward(ctx, x, lo, hi):
        nd = promoted_dtype(x, lo, hi).numpy
        a = x._array.astype(nd, copy=False)
        ctx.save_for_backward(x, *(b if hasattr(b, "_array") else None for b in (lo, hi)))
        ctx.bounds = (lo, hi)
        lo_a, hi_a = (getattr(b, "_array", b) for b in (lo, hi))
        B = backend(x)
        if lo is not None:
            a = B.maximum(a, lo_a)
        if hi is not None:
            a = B.minimum(a, hi_a)
        return a.astype(nd, copy=False)

    @staticmethod
    def _masks(ctx):
        x, lo_t, hi_t = ctx.saved_tensors
        lo, hi = (s if s is not None else b for s, b in zip((lo_t, hi_t), ctx.bounds))
        inside = None
        if lo is not None:
            inside = x >= lo
        if hi is not None:
            below_hi = x <= hi
            inside = below_hi if inside is None else logical_and(inside, below_hi)
        to_lo = to_hi = None
        if lo is not None:
            to_lo = x < lo if hi is None else logical_and(x < lo, lo < hi)
        if hi is not None:
            to_hi = x > hi if lo is None else logical_or(x > hi, hi < lo)
        return inside, to_lo, to_hi

    @staticmethod
    def backward(ctx, grad):
        masks = Clamp._masks(ctx)
        return tuple(where(m, grad, 0.0) if need else None
                     for m, need in zip(masks, ctx.needs_input_grad))

    @staticmethod
    def jvp(ctx, tx, tlo, thi):
        out = None
        for m, t in zip(Clamp._masks(ctx), (tx, tlo, thi)):
            if t is not None:
                part = where(m, t, 0.0)
                out = part if out is None else out + part
        return out


def clamp(input, min=None, max=None):
    """Limit every element to [min, max] (either bound may be None, a number or a tensor).

    The gradient flows to ``input`` only where it was inside the range: clamped elements do
    not change when ``input`` changes a little.
    """
    if min is None and max is None:
        raise RuntimeError("torch.clamp: At least one of 'min' or 'max' must not be None")
    return Clamp.apply(input, min, max)


clip = clamp


def clamp_min(input, min):
    """``clamp(input, min=min)``."""
    return Clamp.apply(input, min, None)


def clamp_max(input, max):
    """``clamp(input, max=max)``."""
    return Clamp.apply(input, None, max)


class _MaxMin(Function):
    """maximum / minimum of two tensors: the gradient goes to the larger (smaller) one,
    split in half between them where they are equal (PyTorch's rule)."""

    fn = ""

    @classmethod
    def forward(cls, ctx, a, b):
        x, y = binary_arrays(a, b)
        _save(ctx, a, b)
        return getattr(backend(_first_tensor(a, b)), cls.fn)(x, y)

    @classmethod
    def _share(cls, ctx, g, side: int):
        """The part of ``g`` that goes to operand ``side`` (0: a, 1: b): all of it where that
        operand won, half of it at a tie, none where it lost."""
        a, b = _operands(ctx)
        if side == 1:
            a, b = b, a
        wins = a > b if cls.fn == "maximum" else a < b
        return where(a == b, g * 0.5, where(wins, g, 0.0))

    @classmethod
    def backward(cls, ctx, grad):
        need_a, need_b = ctx.needs_input_grad
        return (cls._share(ctx, grad, 0) if need_a else None,
                cls._share(ctx, grad, 1) if need_b else None)

    @classmethod
    def jvp(cls, ctx, ta, tb):
        parts = [cls._share(ctx, t, i) for i, t in enumerate((ta, tb)) if t is not None]
        return parts[0] if len(parts) == 1 else parts[0] + parts[1]


class Maximum(_MaxMin):
    fn = "maximum"


class Minimum(_MaxMin):
    fn = "minimum"


def _require_tensor(name, other):
    from .._tensor import Tensor

    if not isinstance(other, Tensor):
        raise TypeError(f"{name}(): argument 'other' (position 2) must be Tensor, not "
                        f"{type(other).__name__}")


def maximum(input, other):
    """Elementwise larger of two tensors (NaN if either is NaN)."""
    _require_tensor("maximum", other)
    return Maximum.apply(input, other)


def minimum(input, other):
    """Elementwise smaller of two tensors (NaN if either is NaN)."""
    _require_tensor("minimum", other)
    return Minimum.apply(input, other)


# -- binary ops: remainder, fmod, atan2 --------------------------------------------------------


class _Modulo(Function):
    """a - q * b with q = a / b rounded (down for remainder, toward zero for fmod).
    Since q is piecewise constant, d/da = 1 and d/db = -q."""

    fn = ""

    @classmethod
    def forward(cls, ctx, a, b):
        x, y = binary_arrays(a, b)
        B = backend(_first_tensor(a, b))
        if getattr(x, "dtype", getattr(y, "dtype", None)).kind in "iub" \
                and bool(B.any(B.equal(y, 0))):
            raise RuntimeError("ZeroDivisionError")
        _save(ctx, a, b)
        return B.asarray(getattr(B, cls.fn)(x, y))

    @classmethod
    def _quotient(cls, ctx):
        a, b = _operands(ctx)
        return floor_divide(a, b) if cls.fn == "remainder" else trunc_divide(a, b)

    @classmethod
    def backward(cls, ctx, grad):
        need_a, need_b = ctx.needs_input_grad
        return (grad if need_a else None, -grad * cls._quotient(ctx) if need_b else None)

    @classmethod
    def jvp(cls, ctx, ta, tb):
        if tb is None:
            return ta
        db = -tb * cls._quotient(ctx)
        return db if ta is None else ta + db


class Remainder(_Modulo):
    fn = "remainder"


class Fmod(_Modulo):
    fn = "fmod"


class Atan2(Function):
    """The angle of the point (b, a): atan(a / b) in the right quadrant.
    d/da = b / (a^2 + b^2), d/db = -a / (a^2 + b^2)."""

    @staticmethod
    def forward(ctx, a, b):
        x, y = binary_arrays(a, b, to_float=True)
        _save(ctx, a, b)
        return backend(_first_tensor(a, b)).arctan2(x, y)

    @staticmethod
    def _partials(ctx):
        a, b = _operands(ctx)
        r2 = a * a + b * b
        return b / r2, -a / r2

    @staticmethod
    def backward(ctx, grad):
        da, db = Atan2._partials(ctx)
        need_a, need_b = ctx.needs_input_grad
        return (grad * da if need_a else None, grad * db if need_b else None)

    @staticmethod
    def jvp(ctx, ta, tb):
        da, db = Atan2._partials(ctx)
        if ta is None:
            return tb * db
        return ta * da if tb is None else ta * da + tb * db


def remainder(input, other):
    """Python's ``%``: a - floor(a / b) * b, with the sign of the divisor."""
    return Remainder.apply(input, other)


def fmod(input, other):
    """C's ``fmod``: a - trunc(a / b) * b, with the sign of the dividend."""
    return Fmod.apply(input, other)


def atan2(input, other):
    """Elementwise angle of the point (other, input) in radians, in (-pi, pi]."""
    return Atan2.apply(input, other)


arctan2 = atan2


# -- functions made of other ops (their gradients come from the parts) ------------------------


def lerp(input, end, weight):
    """Linear interpolation ``input + weight * (end - input)``."""
    return input + weight * (end - input)


def addcmul(input, tensor1, tensor2, *, value=1):
    """``input + value * tensor1 * tensor2`` (used by optimizers such as Adam)."""
    return input + value * tensor1 * tensor2


def addcdiv(input, tensor1, tensor2, *, value=1):
    """``input + value * tensor1 / tensor2`` (used by optimizers such as Adam)."""
    return input + value * tensor1 / tensor2


class NanToNum(Function):
    """Replace NaN and +-inf by finite numbers; the gradient passes where x was finite."""

    @staticmethod
    def forward(ctx, x, nan, posinf, neginf):
        ctx.save_for_backward(x)
        return backend(x).nan_to_num(x._array, nan=nan, posinf=posinf, neginf=neginf)

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return where(isfinite(x), grad, 0.0), None, None, None

    @staticmethod
    def jvp(ctx, t, *_):
        (x,) = ctx.saved_tensors
        return where(isfinite(x), t, 0.0)


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
                               f"tensor with dtype {cond.dtype.name.capitalize()}")
        ctx.save_for_backward(cond)
        ctx.shapes = (getattr(a, "shape", ()), getattr(b, "shape", ()))
        return backend(cond).where(c, x, y)

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


# -- integer-style division (not differentiable: their derivative is zero almost everywhere) --


def floor_divide(input, other):
    """Division rounded down (``//``)."""
    from .._tensor import Tensor

    x, y = binary_arrays(input, other)
    B = backend(_first_tensor(input, other))
    return Tensor._make(B.asarray(B.floor_divide(x, y)))


def trunc_divide(input, other):
    """Division rounded toward zero (``div(rounding_mode='trunc')``)."""
    from .._tensor import Tensor

    x, y = binary_arrays(input, other)
    B = backend(_first_tensor(input, other))
    q = B.asarray(B.trunc(B.divide(x, y)))
    return Tensor._make(q.astype(promoted_dtype(input, other).numpy, copy=False))


# -- comparisons, logical and bitwise ops: never part of the graph -----------------------------


def _elementwise(name, check=None):
    """A non-differentiable binary op calling the backend function ``name``."""

    def op(input, other):
        from .._tensor import Tensor

        x, y = binary_arrays(input, other)
        if check is not None:
            check(x, y)
        B = backend(_first_tensor(input, other))
        return Tensor._make(B.asarray(getattr(B, name)(x, y)))

    op.__name__ = name
    op.__doc__ = f"Elementwise ``{name}``; not differentiable."
    return op


eq = _elementwise("equal")
ne = _elementwise("not_equal")
lt = _elementwise("less")
le = _elementwise("less_equal")
gt = _elementwise("greater")
ge = _elementwise("greater_equal")
logical_and = _elementwise("logical_and")
logical_or = _elementwise("logical_or")
logical_xor = _elementwise("logical_xor")


def _integer_only(op):
    def check(*arrays):
        for a in arrays:
            if getattr(a, "dtype", None) is not None and a.dtype.kind == "f":
                raise _not_implemented(op, a)

    return check


bitwise_and = _elementwise("bitwise_and", _integer_only("bitwise_and"))
bitwise_or = _elementwise("bitwise_or", _integer_only("bitwise_or"))
bitwise_xor = _elementwise("bitwise_xor", _integer_only("bitwise_xor"))


def _unary_predicate(name, doc):
    def op(input):
        from .._tensor import Tensor

        B = backend(input)
        return Tensor._make(B.asarray(getattr(B, name)(input._array)))

    op.__name__, op.__doc__ = name, doc
    return op


logical_not = _unary_predicate("logical_not", "True where the element is zero (or False).")
isnan = _unary_predicate("isnan", "True where the element is NaN (not a number).")
isinf = _unary_predicate("isinf", "True where the element is +inf or -inf.")
isfinite = _unary_predicate("isfinite", "True where the element is neither NaN nor infinite.")


def bitwise_not(input):
    """``~x``: flips every bit of an integer; logical not of a bool tensor."""
    from .._tensor import Tensor

    a = input._array
    _integer_only("bitwise_not")(a)
    B = backend(input)
    return Tensor._make(B.asarray(B.invert(a)))


def isclose(input, other, rtol: float = 1e-05, atol: float = 1e-08,
            equal_nan: bool = False):
    """True where ``|input - other| <= atol + rtol * |other|`` (a bool tensor)."""
    from .._tensor import Tensor

    x, y = input._array, other._array
    if x.dtype != y.dtype:
        raise RuntimeError(f"{type_name(x)} did not match {type_name(y)}")
    B = backend(input)
    return Tensor._make(B.asarray(B.isclose(x, y, rtol=rtol, atol=atol, equal_nan=equal_nan)))


def allclose(input, other, rtol: float = 1e-05, atol: float = 1e-08,
             equal_nan: bool = False) -> bool:
    """True when every element is close (see ``isclose``): the way to compare floats."""
    return bool(isclose(input, other, rtol, atol, equal_nan).all())


def equal(input, other) -> bool:
    """True when both tensors have the same shape and the same elements."""
    if input._array.shape != other._array.shape:
        return False
    return bool(eq(input, other).all())


def _reflect(fn):
    def method(self, other):
        return fn(other, self)

    method.__doc__ = f"``other`` op ``self``: the reflected form of ``{fn.__name__}``."
    return method


def _round_method(self, decimals: int = 0):
    """``x.round()`` or ``x.round(decimals=2)``."""
    return round(self, decimals=decimals)


arcsin, arccos, arctan, absolute = asin, acos, atan, abs

__all__ = [
    "exp", "expm1", "log", "log1p", "log2", "log10", "sqrt", "rsqrt", "reciprocal", "square",
    "sin", "cos", "tan", "asin", "acos", "atan", "arcsin", "arccos", "arctan", "sinh", "cosh",
    "tanh", "sigmoid", "relu", "erf", "abs", "absolute", "sign", "floor", "ceil", "trunc",
    "round", "frac", "clamp", "clip", "clamp_min", "clamp_max", "maximum", "minimum",
    "remainder", "fmod", "atan2", "arctan2", "lerp", "addcmul", "addcdiv", "nan_to_num",
    "where", "floor_divide", "eq", "ne", "lt", "le", "gt", "ge", "logical_and", "logical_or",
    "logical_xor", "logical_not", "bitwise_and", "bitwise_or", "bitwise_xor", "bitwise_not",
    "isnan", "isinf", "isfinite", "isclose", "allclose", "equal",
]

# Methods named like the function (``x.sin()``), and those that also get an in-place form
# (``x.sin_()``, made by ``inplace.make_inplace``).
_METHODS = [n for n in __all__ if n not in ("where", "arctan2")]
_INPLACE = [
    "exp", "expm1", "log", "log1p", "log2", "log10", "sqrt", "rsqrt", "reciprocal", "square",
    "sin", "cos", "tan", "asin", "acos", "atan", "arcsin", "arccos", "arctan", "sinh", "cosh",
    "tanh", "sigmoid", "relu", "erf", "abs", "absolute", "sign", "floor", "ceil", "trunc",
    "frac", "clamp", "clip", "clamp_min", "clamp_max", "remainder", "fmod", "atan2", "lerp",
    "addcmul", "addcdiv", "nan_to_num", "floor_divide", "eq", "ne", "lt", "le", "gt", "ge",
    "logical_and", "logical_or", "logical_xor", "logical_not", "bitwise_and", "bitwise_or",
    "bitwise_xor", "bitwise_not",
]

TENSOR_METHODS = {name: globals()[name] for name in _METHODS}
TENSOR_METHODS.update({
    "round": _round_method, "arctan2": atan2,
    "where": lambda self, condition, other: where(condition, self, other),
    "__abs__": abs, "__mod__": remainder, "__rmod__": _reflect(remainder),
    "__floordiv__": floor_divide, "__rfloordiv__": _reflect(floor_divide),
    "__eq__": eq, "__ne__": ne, "__lt__": lt, "__le__": le, "__gt__": gt, "__ge__": ge,
    "__and__": bitwise_and, "__or__": bitwise_or, "__xor__": bitwise_xor,
    "__rand__": _reflect(bitwise_and), "__ror__": _reflect(bitwise_or),
    "__rxor__": _reflect(bitwise_xor), "__invert__": bitwise_not,
})
INPLACE_METHODS = {name + "_": globals()[name] for name in _INPLACE}
INPLACE_METHODS.update({
    "round_": _round_method, "__imod__": remainder, "__ifloordiv__": floor_divide,
    "__iand__": bitwise_and, "__ior__": bitwise_or, "__ixor__": bitwise_xor,
})
