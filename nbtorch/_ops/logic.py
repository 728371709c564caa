"""Comparisons, logical and bitwise operators, NaN/inf tests and closeness.

Their results are bool (or integer) tensors, which are never part of the autograd graph:
a comparison has no useful derivative. Use ``allclose`` (not ``==``) to compare floats.
"""

from __future__ import annotations

from ..autograd.function import _as_broadcast_error
from ._util import backend, binary_arrays
from .pointwise import first_tensor, not_implemented, reflect, type_name


def _elementwise(name, check=None):
    """A non-differentiable binary op calling the backend function ``name``."""

    def op(input, other):
        from .._tensor import Tensor

        x, y = binary_arrays(input, other)
        if check is not None:
            check(x, y)
        B = backend(first_tensor(input, other))
        try:
            return Tensor._make(B.asarray(getattr(B, name)(x, y)))
        except ValueError as e:  # shapes that do not broadcast: PyTorch's RuntimeError
            raise _as_broadcast_error(e, (input, other)) from None

    op.__name__ = name
    op.__doc__ = f"Elementwise ``{name}``; not differentiable."
    return op


def _equality_operator(fn):
    """``==`` or ``!=`` as Python calls it: a tensor compared with what is neither a tensor
    nor a number (None, a string) is not equal to it. Returning NotImplemented lets Python
    fall back to comparing identities, as PyTorch does: ``x == None`` is False."""

    def method(self, other):
        try:
            return fn(self, other)
        except TypeError:
            return NotImplemented

    method.__doc__ = f"``self {'==' if fn.__name__ == 'equal' else '!='} other``."
    return method


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
                raise not_implemented(op, a)

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
    from .binary import _require_tensors

    _require_tensors("isclose", input, other)
    x, y = input._array, other._array
    if x.dtype != y.dtype:
        raise RuntimeError(f"{type_name(x)} did not match {type_name(y)}")
    B = backend(input)
    try:
        close = B.isclose(x, y, rtol=rtol, atol=atol, equal_nan=equal_nan)
    except ValueError as e:
        raise _as_broadcast_error(e, (input, other)) from None
    return Tensor._make(B.asarray(close))


def allclose(input, other, rtol: float = 1e-05, atol: float = 1e-08,
             equal_nan: bool = False) -> bool:
    """True when every element is close (see ``isclose``): the way to compare floats."""
    from .binary import _require_tensors

    _require_tensors("allclose", input, other)
    return bool(isclose(input, other, rtol, atol, equal_nan).all())


def equal(input, other) -> bool:
    """True when both tensors have the same shape and the same elements."""
    if input._array.shape != other._array.shape:
        return False
    return bool(eq(input, other).all())


def is_tensor(obj) -> bool:
    """True when ``obj`` is a Tensor (a Parameter is one too)."""
    from .._tensor import Tensor

    return isinstance(obj, Tensor)


def is_floating_point(input) -> bool:
    """True for float16/32/64 tensors: those that can require grad."""
    return input.dtype.is_floating_point


def is_nonzero(input) -> bool:
    """The truth value of a one-element tensor (RuntimeError for any other size)."""
    if input.numel() != 1:
        many = "no values" if input.numel() == 0 else "more than one value"
        raise RuntimeError(f"Boolean value of Tensor with {many} is ambiguous")
    return bool(input._array.reshape(()).item() != 0)


__all__ = [
    "eq", "ne", "lt", "le", "gt", "ge", "logical_and", "logical_or", "logical_xor",
    "logical_not", "bitwise_and", "bitwise_or", "bitwise_xor", "bitwise_not", "isnan", "isinf",
    "isfinite", "isclose", "allclose", "equal", "is_tensor", "is_floating_point", "is_nonzero",
]

_INPLACE = ["eq", "ne", "lt", "le", "gt", "ge", "logical_and", "logical_or", "logical_xor",
            "logical_not", "bitwise_and", "bitwise_or", "bitwise_xor", "bitwise_not"]

TENSOR_METHODS = {name: globals()[name] for name in __all__ if name != "is_tensor"}
TENSOR_METHODS.update({
    "__eq__": _equality_operator(eq), "__ne__": _equality_operator(ne),
    "__lt__": lt, "__le__": le, "__gt__": gt, "__ge__": ge,
    "__and__": bitwise_and, "__or__": bitwise_or, "__xor__": bitwise_xor,
    "__rand__": reflect(bitwise_and), "__ror__": reflect(bitwise_or),
    "__rxor__": reflect(bitwise_xor), "__invert__": bitwise_not,
})
INPLACE_METHODS = {name + "_": globals()[name] for name in _INPLACE}
INPLACE_METHODS.update({"__iand__": bitwise_and, "__ior__": bitwise_or, "__ixor__": bitwise_xor})
