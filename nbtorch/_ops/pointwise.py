"""Elementwise functions of one tensor (exp, log, tanh, relu, ...), ``where`` and comparisons.

The unary ops follow one pattern: forward applies the backend function, backward multiplies
the incoming gradient by the derivative, written in Tensor ops (d/dx exp(x) = exp(x), so
``Exp`` saves its output; d/dx log(x) = 1/x, so ``Log`` saves its input).
"""

from __future__ import annotations

from ..autograd.function import Function
from ._util import backend, binary_arrays, promoted_dtype, unary_float


class Exp(Function):
    @staticmethod
    def forward(ctx, x):
        out = backend(x).exp(unary_float(x))
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx, grad):
        (out,) = ctx.saved_tensors
        return grad * out

    @staticmethod
    def jvp(ctx, t):
        (out,) = ctx.saved_tensors
        return t * out


class Log(Function):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return backend(x).log(unary_float(x))

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return grad / x

    @staticmethod
    def jvp(ctx, t):
        (x,) = ctx.saved_tensors
        return t / x


class Tanh(Function):
    @staticmethod
    def forward(ctx, x):
        out = backend(x).tanh(unary_float(x))
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx, grad):
        (out,) = ctx.saved_tensors
        return grad * (1 - out * out)

    @staticmethod
    def jvp(ctx, t):
        (out,) = ctx.saved_tensors
        return t * (1 - out * out)


class Sigmoid(Function):
    @staticmethod
    def forward(ctx, x):
        B = backend(x)
        a = unary_float(x)
        # 1/(1+e^-x) overflows for very negative x; tanh form is stable: (1 + tanh(x/2)) / 2
        out = (B.tanh(a * 0.5) + 1) * 0.5
        ctx.save_for_backward(out)
        return out.astype(a.dtype, copy=False)

    @staticmethod
    def backward(ctx, grad):
        (out,) = ctx.saved_tensors
        return grad * out * (1 - out)

    @staticmethod
    def jvp(ctx, t):
        (out,) = ctx.saved_tensors
        return t * out * (1 - out)


class Relu(Function):
    @staticmethod
    def forward(ctx, x):
        out = backend(x).maximum(x._array, 0)
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx, grad):
        (out,) = ctx.saved_tensors
        return grad * (out > 0)

    @staticmethod
    def jvp(ctx, t):
        (out,) = ctx.saved_tensors
        return t * (out > 0)


class Sqrt(Function):
    @staticmethod
    def forward(ctx, x):
        out = backend(x).sqrt(unary_float(x))
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx, grad):
        (out,) = ctx.saved_tensors
        return grad / (2 * out)

    @staticmethod
    def jvp(ctx, t):
        (out,) = ctx.saved_tensors
        return t / (2 * out)


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


def exp(input):
    """e to the power of each element."""
    return Exp.apply(input)


def log(input):
    """Natural logarithm of each element."""
    return Log.apply(input)


def tanh(input):
    """Hyperbolic tangent; its derivative is 1 - tanh(x)^2."""
    return Tanh.apply(input)


def sigmoid(input):
    """1 / (1 + e^-x); its derivative is sigmoid(x) (1 - sigmoid(x))."""
    return Sigmoid.apply(input)


def relu(input):
    """max(x, 0); its derivative is 1 where x > 0, else 0."""
    return Relu.apply(input)


def sqrt(input):
    """Square root of each element."""
    return Sqrt.apply(input)


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
    B = backend(input if isinstance(input, Tensor) else other)
    return Tensor._make(B.asarray(B.floor_divide(x, y)))


def trunc_divide(input, other):
    """Division rounded toward zero (``div(rounding_mode='trunc')``)."""
    from .._tensor import Tensor

    x, y = binary_arrays(input, other)
    B = backend(input if isinstance(input, Tensor) else other)
    q = B.asarray(B.trunc(B.divide(x, y)))
    return Tensor._make(q.astype(promoted_dtype(input, other).numpy, copy=False))


# -- comparisons: boolean results, never part of the graph -------------------------------------


def _compare(name):
    def op(input, other):
        from .._tensor import Tensor

        x, y = binary_arrays(input, other)
        B = backend(input if isinstance(input, Tensor) else other)
        return Tensor._make(B.asarray(getattr(B, name)(x, y)))

    op.__name__ = name
    op.__doc__ = f"Elementwise ``{name}`` comparison; a bool tensor."
    return op


eq = _compare("equal")
ne = _compare("not_equal")
lt = _compare("less")
le = _compare("less_equal")
gt = _compare("greater")
ge = _compare("greater_equal")


def _reflect(fn):
    def method(self, other):
        return fn(other, self)

    method.__doc__ = f"``other`` op ``self``: the reflected form of ``{fn.__name__}``."
    return method


__all__ = ["exp", "log", "tanh", "sigmoid", "relu", "sqrt", "where", "floor_divide",
           "eq", "ne", "lt", "le", "gt", "ge"]

TENSOR_METHODS = {
    "exp": exp, "log": log, "tanh": tanh, "sigmoid": sigmoid, "relu": relu, "sqrt": sqrt,
    "where": lambda self, condition, other: where(condition, self, other),
    "floor_divide": floor_divide, "__floordiv__": floor_divide,
    "__rfloordiv__": _reflect(floor_divide),
    "eq": eq, "ne": ne, "lt": lt, "le": le, "gt": gt, "ge": ge,
    "__eq__": eq, "__ne__": ne, "__lt__": lt, "__le__": le, "__gt__": gt, "__ge__": ge,
}
INPLACE_METHODS = {
    "exp_": exp, "log_": log, "tanh_": tanh, "sigmoid_": sigmoid, "relu_": relu,
    "sqrt_": sqrt, "floor_divide_": floor_divide, "__ifloordiv__": floor_divide,
}
