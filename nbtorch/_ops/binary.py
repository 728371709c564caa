"""Elementwise functions of two (or three) tensors beyond + - * /: ``clamp``, ``maximum``,
``minimum``, ``remainder``, ``fmod``, ``atan2``, ``lerp``, ``addcmul``, ``addcdiv``.

Like arithmetic, each backward gives every operand its share of the incoming gradient; the
engine then sums a broadcast gradient back to the operand's shape. Where a function is not
smooth (the kink of ``clamp`` or ``maximum``), PyTorch's choice of one-sided derivative is kept.
"""

from __future__ import annotations

from ..autograd.function import Function
from ._util import backend, binary_arrays, promoted_dtype, require_tensor
from .logic import logical_and, logical_or
from .pointwise import (
    FloorDivide,
    TruncDivide,
    check_integer_division,
    first_tensor,
    reflect,
    where,
)


def _operands(ctx):
    """The two saved operands (a Tensor, or the Python number that was given)."""
    sa, sb = ctx.saved_tensors
    a, b = ctx.scalars
    return (a if sa is None else sa, b if sb is None else sb)


def _save(ctx, a, b):
    ctx.save_for_backward(*(t if hasattr(t, "_array") else None for t in (a, b)))
    ctx.scalars = (a, b)


# -- clamp, maximum, minimum -----------------------------------------------------------------


class Clamp(Function):
    """``clamp(x, lo, hi)``: the gradient passes to x where lo <= x <= hi; a tensor bound
    gets the gradient where it was the result (PyTorch's rule, also when lo > hi)."""

    @staticmethod
    def forward(ctx, x, lo, hi):
        nd = promoted_dtype(x, *(b for b in (lo, hi) if b is not None)).numpy
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
        return getattr(backend(first_tensor(a, b)), cls.fn)(x, y)

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


def _require_tensors(name, input, other):
    """PyTorch's TypeError for a Python number where these functions need tensors."""
    require_tensor(name, input)
    require_tensor(name, other, "other", 2)


def maximum(input, other):
    """Elementwise larger of two tensors (NaN if either is NaN)."""
    _require_tensors("maximum", input, other)
    return Maximum.apply(input, other)


def minimum(input, other):
    """Elementwise smaller of two tensors (NaN if either is NaN)."""
    _require_tensors("minimum", input, other)
    return Minimum.apply(input, other)


# -- binary ops: remainder, fmod, atan2 --------------------------------------------------------


class _Modulo(Function):
    """a - q * b with q = a / b rounded (down for remainder, toward zero for fmod).
    Since q is piecewise constant, d/da = 1 and d/db = -q."""

    fn = ""

    @classmethod
    def forward(cls, ctx, a, b):
        x, y = binary_arrays(a, b)
        B = backend(first_tensor(a, b))
        check_integer_division(cls.fn, x, y, B)
        _save(ctx, a, b)
        return B.asarray(getattr(B, cls.fn)(x, y))

    @classmethod
    def _quotient(cls, ctx):
        a, b = _operands(ctx)
        return (FloorDivide if cls.fn == "remainder" else TruncDivide).apply(a, b)

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
        return backend(first_tensor(a, b)).arctan2(x, y)

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
    _require_tensors("atan2", input, other)
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


__all__ = [
    "clamp", "clip", "clamp_min", "clamp_max", "maximum", "minimum", "remainder", "fmod",
    "atan2", "arctan2", "lerp", "addcmul", "addcdiv",
]

TENSOR_METHODS = {name: globals()[name] for name in __all__}
TENSOR_METHODS.update({"__mod__": remainder, "__rmod__": reflect(remainder)})
INPLACE_METHODS = {name + "_": globals()[name] for name in __all__
                   if name not in ("maximum", "minimum")}
INPLACE_METHODS["__imod__"] = remainder
