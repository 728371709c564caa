"""PyTorch's second names for operations nbtorch already has, and small questions about a
tensor's size and dtype.

PyTorch gives many operations two names, one short (``gt``, ``mul``, ``trunc``) and one
spelled out, often numpy's or the Python array API's (``greater``, ``multiply``, ``fix``).
Here the second name *is* the first function (``nbtorch.greater is nbtorch.gt``), so both
run the same code, with the same gradients, on both devices. A trailing underscore is the
in-place form, made by ``inplace.make_inplace`` like every other one.

The few that are more than a name: ``positive`` (refuses bools, like unary ``+``),
``float_power_`` (only a float64 tensor can hold its float64 result), ``split_with_sizes``
(``split`` with a list), and the predicates ``is_same_size``, ``is_signed``, ``isposinf``
and ``isneginf``.
"""

from __future__ import annotations

from .. import _dtype as dt
from .._creation import zeros_like
from .._tensor import Tensor
from . import arithmetic, join, linalg, logic, pointwise, shape
from ._util import require_tensor
from .inplace import make_inplace
from .math_extra import float_power

greater, greater_equal, less, less_equal, not_equal = (logic.gt, logic.ge, logic.lt, logic.le,
                                                       logic.ne)
sgn = pointwise.sign  # the sign of a real number (PyTorch's sgn also takes complex z: z / |z|)
fix = pointwise.trunc  # round toward zero
unsafe_split, unsafe_chunk = join.split, join.chunk  # PyTorch skips a check; nbtorch does not


def positive(input: Tensor) -> Tensor:
    """``+input``: the tensor itself. As for unary ``+``, a bool tensor is refused."""
    require_tensor("positive", input)
    if input.dtype is dt.bool_:
        raise RuntimeError("The `+` operator, on a bool tensor is not supported.")
    return input


def negative_(input: Tensor) -> Tensor:
    """``input.neg_()``: negate in place."""
    return input.neg_()


def fix_(input: Tensor) -> Tensor:
    """``input.trunc_()``: round toward zero in place."""
    return input.trunc_()


def _float_power_(self: Tensor, exponent) -> Tensor:
    """In-place ``float_power``: the result is float64, so ``self`` must be float64 too."""
    if self.dtype is not dt.float64:
        raise RuntimeError(f"the base given to float_power_ has dtype "
                           f"{pointwise.type_name(self._array)} but the operation's result "
                           "requires dtype Double")
    return _float_power_in_place(self, exponent)


_float_power_in_place = make_inplace(float_power, "float_power_")


def split_with_sizes(input: Tensor, split_sizes, dim: int = 0) -> tuple:
    """Cut ``input`` along ``dim`` into views of the given sizes, which must be
    non-negative and add up to the size of ``dim`` (``split`` with a list)."""
    if not isinstance(split_sizes, (list, tuple)):
        raise TypeError("split_with_sizes(): argument 'split_sizes' (position 1) must be tuple "
                        f"of ints, not {type(split_sizes).__name__}")
    sizes = [int(s) for s in split_sizes]
    if any(s < 0 for s in sizes) and input.dim():
        raise RuntimeError("split_with_sizes expects split_sizes have only non-negative "
                           f"entries, but got split_sizes={sizes}")
    return join.split(input, sizes, dim)


unsafe_split_with_sizes = split_with_sizes


def is_same_size(input: Tensor, other: Tensor) -> bool:
    """True when both tensors have the same shape (whatever their dtypes)."""
    require_tensor("is_same_size", other, "other", 1)
    return input.shape == other.shape


def is_signed(input: Tensor) -> bool:
    """True when the dtype can hold negative numbers: every dtype but ``uint8`` and
    ``bool``."""
    require_tensor("is_signed", input)
    return input.dtype not in (dt.uint8, dt.bool_)


def isposinf(input: Tensor) -> Tensor:
    """True where the element is +inf (never for integers and bools: they have no
    infinity)."""
    require_tensor("isposinf", input)
    if not input.is_floating_point():
        return zeros_like(input, dtype=dt.bool_)
    return logic.logical_and(logic.isinf(input), input > 0)


def isneginf(input: Tensor) -> Tensor:
    """True where the element is -inf."""
    require_tensor("isneginf", input)
    if not input.is_floating_point():
        return zeros_like(input, dtype=dt.bool_)
    return logic.logical_and(logic.isinf(input), input < 0)


__all__ = ["greater", "greater_equal", "less", "less_equal", "not_equal", "sgn", "fix", "fix_",
           "positive", "negative_", "split_with_sizes", "unsafe_split", "unsafe_chunk",
           "unsafe_split_with_sizes", "is_same_size", "is_signed", "isposinf", "isneginf"]

TENSOR_METHODS = {name: globals()[name] for name in __all__
                  if name not in ("fix_", "negative_")}
TENSOR_METHODS.update({
    "float_power_": _float_power_,
    "swapaxes_": shape._inplace_view(shape.transpose, "swapaxes_"),
    "swapdims_": shape._inplace_view(shape.transpose, "swapdims_"),
})
INPLACE_METHODS = {
    "greater_": logic.gt, "greater_equal_": logic.ge, "less_": logic.lt,
    "less_equal_": logic.le, "not_equal_": logic.ne, "sgn_": pointwise.sign,
    "fix_": pointwise.trunc, "multiply_": arithmetic.mul, "divide_": arithmetic.div,
    "true_divide_": arithmetic.div, "subtract_": arithmetic.sub, "negative_": arithmetic.neg,
    "addmv_": linalg.addmv, "baddbmm_": linalg.baddbmm,
}
