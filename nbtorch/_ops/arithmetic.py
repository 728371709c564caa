"""Elementwise arithmetic: + - * / // % ** with broadcasting and PyTorch's dtype promotion.

Each backward returns ``grad * (local derivative)`` in the shape of the result. Broadcasting
is undone by the engine: if ``a`` of shape (3, 1) was broadcast against (3, 4), the engine sums
its (3, 4) gradient over the broadcast dimension back to (3, 1) (``sum_to_size``), as
PyTorch's engine does.
"""

from __future__ import annotations

import math

import numpy as np

from .._tensor import Tensor
from ..autograd.function import Function
from ._util import binary_arrays, promoted_dtype


class Add(Function):
    @staticmethod
    def forward(ctx, a, b):
        x, y = binary_arrays(a, b)
        return x + y

    @staticmethod
    def backward(ctx, grad):
        return grad, grad

    @staticmethod
    def jvp(ctx, ta, tb):
        return _tangent_sum(ta, tb)


class Sub(Function):
    @staticmethod
    def forward(ctx, a, b):
        _check_no_bool(a, b)
        x, y = binary_arrays(a, b)
        return x - y

    @staticmethod
    def backward(ctx, grad):
        return grad, (-grad if ctx.needs_input_grad[1] else None)

    @staticmethod
    def jvp(ctx, ta, tb):
        return _tangent_sum(ta, None if tb is None else -tb)


class Mul(Function):
    @staticmethod
    def forward(ctx, a, b):
        x, y = binary_arrays(a, b)
        if isinstance(a, Tensor) and isinstance(b, Tensor):
            ctx.save_for_backward(a, b)
            ctx.scalars = _NO_SCALARS
        else:  # times a number: the gradient, grad * number, needs no tensor (none is kept)
            _save_scalars_only(ctx, a, b)
        return x * y

    @staticmethod
    def backward(ctx, grad):
        a, b = _saved_or_scalars(ctx)
        ga, gb = ctx.needs_input_grad
        return (grad * b if ga else None, grad * a if gb else None)

    @staticmethod
    def jvp(ctx, ta, tb):
        a, b = _saved_or_scalars(ctx)
        return _tangent_sum(None if ta is None else ta * b, None if tb is None else a * tb)


class Div(Function):
    @staticmethod
    def forward(ctx, a, b):
        x, y = binary_arrays(a, b, to_float=True)
        if isinstance(b, Tensor):
            _save_operands(ctx, a, b)
        else:  # divided by a number: the gradient, grad / number, needs no tensor
            _save_scalars_only(ctx, a, b)
        return x / y

    @staticmethod
    def backward(ctx, grad):
        a, b = _saved_or_scalars(ctx)
        ga, gb = ctx.needs_input_grad
        return (grad / b if ga else None, -grad * a / (b * b) if gb else None)

    @staticmethod
    def jvp(ctx, ta, tb):
        a, b = _saved_or_scalars(ctx)
        return _tangent_sum(None if ta is None else ta / b,
                            None if tb is None else -tb * a / (b * b))


class Pow(Function):
    """``a ** b``; d/da = b a^(b-1), d/db = a^b log(a), with PyTorch's values where these
    formulas give 0 * inf (see ``_base_derivative`` and ``_exponent_derivative``)."""

    @staticmethod
    def forward(ctx, a, b):
        x, y = binary_arrays(a, b)
        _save_operands(ctx, a, b)
        if (x if hasattr(x, "dtype") else y).dtype.kind in "iub":
            return _integer_power(a, b, x, y)
        return x**y

    @staticmethod
    def backward(ctx, grad):
        a, b = _saved_or_scalars(ctx)
        ga, gb = ctx.needs_input_grad
        return (grad * _base_derivative(a, b) if ga else None,
                grad * _exponent_derivative(a, b) if gb else None)

    @staticmethod
    def jvp(ctx, ta, tb):
        a, b = _saved_or_scalars(ctx)
        return _tangent_sum(None if ta is None else ta * _base_derivative(a, b),
                            None if tb is None else tb * _exponent_derivative(a, b))


def _integer_power(a, b, x, y):
    """``x ** y`` when the result is an integer (or bool) tensor, by PyTorch's rules.

    A negative exponent gives 1 / x^|y| rounded toward zero: 1 for x = 1, +-1 for x = -1,
    0 for any other x (numpy refuses). Only a negative *number* exponent is an error. Bools
    can be raised only to a Python bool (``mask ** True`` is ``mask``).
    """
    if not hasattr(b, "_array") and not isinstance(b, np.ndarray):  # a number exponent
        if y < 0:
            raise RuntimeError("Integers to negative integer powers are not allowed.")
        return (x**y).astype(x.dtype, copy=False)  # numpy makes bool ** True int8
    if y.dtype.kind == "b":
        raise NotImplementedError("\"pow\" not implemented for 'Bool'")
    from ._util import backend
    from .pointwise import first_tensor

    B = backend(first_tensor(a, b))
    p = B.power(x, B.abs(y))  # |y| >= 1 where y < 0, so |p| == 1 exactly where |x| == 1
    return B.where(B.logical_and(B.less(y, 0), B.not_equal(B.abs(p), 1)), 0, p)


def _base_derivative(a, b):
    """d(a**b)/da = b a^(b-1), taken as 0 where b == 0: a**0 = 1 does not change with a,
    even at a = 0, where the formula would give 0 * inf = NaN (PyTorch's rule)."""
    if not hasattr(b, "_array"):
        return b * a ** (b - 1) if b != 0 else 0.0
    from .pointwise import where

    return where(b == 0, 0.0, b * a ** (b - 1))


def _exponent_derivative(a, b):
    """d(a**b)/db = a^b log(a). At a = 0, log(a) = -inf, and PyTorch takes the limit: 0
    for b >= 0 (a^b log(a) -> 0), -inf for b < 0. (``b`` is a tensor: it needs the grad.)"""
    from .pointwise import log, where

    if not hasattr(a, "_array"):
        a = b.new_tensor(a)  # a number base (2 ** x): the same formula, for a 0-d tensor
    zero = a == 0
    log_a = log(where(zero, 1.0, a))  # log(1) = 0 instead of -inf: replaced below
    return where(zero, where(b >= 0, 0.0, -math.inf), a**b * log_a)


class Neg(Function):
    @staticmethod
    def forward(ctx, a):
        if a._array.dtype.kind == "b":
            raise RuntimeError(
                "Negation, the `-` operator, on a bool tensor is not supported. If you are "
                "trying to invert a mask, use the `~` or `logical_not()` operator instead."
            )
        return -a._array

    @staticmethod
    def backward(ctx, grad):
        return -grad

    @staticmethod
    def jvp(ctx, t):
        return -t


_BOOL = np.dtype(bool)
_BOOL_NUMBERS = (bool, np.bool_)


def _check_no_bool(a, b) -> None:
    """PyTorch refuses ``-`` with a bool operand (a bool tensor or a Python bool): what it
    would mean for masks is not clear."""
    a_bool = a._array.dtype is _BOOL if isinstance(a, Tensor) else isinstance(a, _BOOL_NUMBERS)
    b_bool = b._array.dtype is _BOOL if isinstance(b, Tensor) else isinstance(b, _BOOL_NUMBERS)
    if a_bool or b_bool:
        if a_bool and b_bool:
            raise RuntimeError(
                "Subtraction, the `-` operator, with two bool tensors is not supported. "
                "Use the `^` or `logical_xor()` operator instead."
            )
        raise RuntimeError(
            "Subtraction, the `-` operator, with a bool tensor is not supported. If you are "
            "trying to invert a mask, use the `~` or `logical_not()` operator instead."
        )


def _save_operands(ctx, a, b):
    """Save tensor operands for backward and remember Python-number operands as they are."""
    if isinstance(a, Tensor) and isinstance(b, Tensor):
        ctx.save_for_backward(a, b)
        ctx.scalars = _NO_SCALARS
        return
    ta, tb = isinstance(a, Tensor), isinstance(b, Tensor)
    ctx.save_for_backward(a if ta else None, b if tb else None)
    ctx.scalars = (None if ta else a, None if tb else b)


_NO_SCALARS = (None, None)


def _save_scalars_only(ctx, a, b):
    """Remember the Python-number operand and keep no tensor: an in-place change of the
    tensor operand later does not stop backward, and its memory is not held (PyTorch keeps
    only the number too)."""
    ctx.save_for_backward(None, None)
    ctx.scalars = (None if isinstance(a, Tensor) else a, None if isinstance(b, Tensor) else b)


def _saved_or_scalars(ctx):
    """The two operands for a backward formula: saved tensors, or the Python numbers."""
    saved = ctx.saved_tensors
    a, b = ctx.scalars
    return (a if saved[0] is None else saved[0], b if saved[1] is None else saved[1])


def _tangent_sum(ta, tb):
    if ta is None:
        return tb
    if tb is None:
        return ta
    return ta + tb


# -- the public functions --------------------------------------------------------------------


def _check_alpha(input, other, alpha) -> None:
    """A float ``alpha`` needs a floating-point result: ``add(ints, ints, alpha=0.5)`` would
    silently turn an integer sum into a float one, so PyTorch refuses it."""
    if isinstance(alpha, float) and not promoted_dtype(input, other).is_floating_point:
        raise RuntimeError(
            "For integral input tensors, argument alpha must not be a floating point number."
        )


def add(input, other, *, alpha=1, out=None):
    """``input + alpha * other``, broadcasting (``torch.add``)."""
    if alpha != 1:
        _check_alpha(input, other, alpha)
        other = mul(other, alpha) if isinstance(other, Tensor) else other * alpha
    result = Add.apply(input, other)
    return result if out is None else _out(result, out)


def sub(input, other, *, alpha=1, out=None):
    """``input - alpha * other`` (``torch.sub``)."""
    if alpha != 1:
        _check_no_bool(input, other)  # before ``other * alpha`` turns a bool into an int
        _check_alpha(input, other, alpha)
        other = mul(other, alpha) if isinstance(other, Tensor) else other * alpha
    result = Sub.apply(input, other)
    return result if out is None else _out(result, out)


subtract = sub


def mul(input, other, *, out=None):
    """Elementwise product (``torch.mul``)."""
    result = Mul.apply(input, other)
    return result if out is None else _out(result, out)


multiply = mul


def div(input, other, *, rounding_mode=None, out=None):
    """True division, or ``rounding_mode='trunc'``/``'floor'`` (``torch.div``; a rounded
    quotient has gradient zero)."""
    if rounding_mode is None:
        result = Div.apply(input, other)
        return result if out is None else _out(result, out)
    from .pointwise import FloorDivide, TruncDivide

    if rounding_mode == "floor":
        return _out(FloorDivide.apply(input, other), out)
    if rounding_mode == "trunc":
        return _out(TruncDivide.apply(input, other), out)
    raise ValueError(
        f"div expected rounding_mode to be one of None, 'trunc', or 'floor' but found "
        f"'{rounding_mode}'"
    )


divide = true_divide = div


def pow(input, exponent, *, out=None):
    """``input ** exponent`` elementwise (``torch.pow``)."""
    return _out(Pow.apply(input, exponent), out)


def neg(input, *, out=None):
    """``-input`` (``torch.neg``)."""
    return _out(Neg.apply(input), out)


negative = neg


def rsub(input, other, *, alpha=1):
    """``other - alpha * input``."""
    return sub(other, input, alpha=alpha)


def _out(result, out):
    if out is None:
        return result
    from .inplace import copy_into_out

    return copy_into_out(out, result)



def _reflect(fn):
    def method(self, other):
        return fn(other, self)

    method.__doc__ = f"``other`` op ``self``: the reflected form of ``{fn.__name__}``."
    return method


__all__ = ["add", "sub", "subtract", "mul", "multiply", "div", "divide", "true_divide", "pow",
           "neg", "negative", "rsub"]

TENSOR_METHODS = {
    "add": add, "sub": sub, "subtract": sub, "mul": mul, "multiply": mul, "div": div,
    "divide": div, "true_divide": div, "pow": pow, "neg": neg, "negative": neg,
    "__add__": add, "__radd__": _reflect(add), "__sub__": sub, "__rsub__": _reflect(sub),
    "__mul__": mul, "__rmul__": _reflect(mul), "__truediv__": div,
    "__rtruediv__": _reflect(div), "__pow__": pow, "__rpow__": _reflect(pow), "__neg__": neg,
    "__pos__": lambda self: self,
}
INPLACE_METHODS = {
    "add_": add, "sub_": sub, "mul_": mul, "div_": div, "pow_": pow, "neg_": neg,
    "__iadd__": add, "__isub__": sub, "__imul__": mul, "__itruediv__": div, "__ipow__": pow,
}
