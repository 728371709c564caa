"""Integer arithmetic: ``gcd``, ``lcm`` and the bit shifts ``<<`` and ``>>``.

``gcd`` is Euclid's algorithm, run on every element at once: replace (a, b) by
(b, a mod b) until b is 0; then a is the greatest common divisor. Elements that finish
early just stop changing (``where`` keeps them), and the loop ends when all have finished,
after at most about 1.44 log2(max) rounds (the Fibonacci numbers are the slowest case).
``lcm(a, b) = |a / gcd(a, b) * b|`` (0 when both are 0).

A shift by s bits multiplies (``<<``) or floor-divides (``>>``) by 2^s. To stay inside the
integer type, 2^s is applied in pieces, one per bit of s: s = 13 = 8 + 4 + 1 multiplies by
2^8, then 2^4, then 2^1. Multiplication wraps around exactly as the bits falling off the top
of a register do, and floor division rounds toward -inf exactly as an arithmetic right shift
does. A shift by a negative amount or by at least the number of bits gives 0 (``<<``) or
the sign, 0 or -1 (``>>``), as in PyTorch.

None of these is differentiable (their results are integers), and all are made of
elementwise backend functions, so they run on the cuda device as they are.
"""

from __future__ import annotations

import numpy as np

from .._creation import tensor
from .._tensor import Tensor
from ..autograd.function import _as_broadcast_error
from ._util import backend, binary_arrays, promoted_dtype, require_tensor
from .pointwise import not_implemented, reflect, where


def _integer_operands(name: str, input, other):
    """The two arrays (promoted to their common integer dtype, and broadcast) and the
    backend; PyTorch's NotImplementedError for floats and bools."""
    x, y = binary_arrays(input, other)
    for a in (x, y):
        if hasattr(a, "dtype") and a.dtype.kind not in "iu":
            raise not_implemented(name, a)
    try:
        shape = np.broadcast_shapes(*(getattr(a, "shape", ()) for a in (x, y)))
    except ValueError as e:
        raise _as_broadcast_error(e, (input, other)) from None
    B = backend(input if isinstance(input, Tensor) else other)
    return B.broadcast_to(x, shape), B.broadcast_to(y, shape), B


def gcd(input: Tensor, other: Tensor) -> Tensor:
    """The greatest common divisor of each pair of elements (non-negative; gcd(0, 0) = 0)."""
    require_tensor("gcd", input)
    require_tensor("gcd", other, "other", 2)
    x, y, B = _integer_operands("gcd", input, other)
    a, b = B.abs(x), B.abs(y)
    while bool(B.any(B.not_equal(b, 0))):
        going = B.not_equal(b, 0)
        a, b = B.where(going, b, a), B.where(going, B.remainder(a, B.where(going, b, 1)), 0)
    return Tensor._make(B.ascontiguousarray(a))


def lcm(input: Tensor, other: Tensor) -> Tensor:
    """The least common multiple of each pair of elements (non-negative; 0 if either is 0)."""
    require_tensor("lcm", input)
    require_tensor("lcm", other, "other", 2)
    x, y, B = _integer_operands("lcm", input, other)
    g = gcd(input, other)._array
    zero = B.equal(g, 0)
    q = B.floor_divide(x, B.where(zero, 1, g))
    if g.dtype.itemsize < 4:
        # PyTorch's |q * y| is computed in 32 bits (C promotes narrower integers), then cut
        # back to the dtype: that is |q| * |y|, wrapped around, computed in the dtype
        multiple = B.multiply(B.abs(q), B.abs(y))
    else:
        multiple = B.abs(B.multiply(q, y))
    return Tensor._make(B.where(zero, 0, multiple).astype(g.dtype, copy=False))


def _shift_operands(name: str, input, other):
    """``input`` and ``other`` as integer tensors of their common dtype (either may be a
    Python number), and the number of bits of that dtype. ``name`` is PyTorch's kernel's,
    ``lshift`` or ``rshift``, for the errors."""
    if not isinstance(input, Tensor) and not isinstance(other, Tensor):
        direction = "left" if name == "lshift" else "right"
        raise TypeError(f"bitwise_{direction}_shift(): expected at least one Tensor argument")
    dtype = promoted_dtype(input, other)
    like = input if isinstance(input, Tensor) else other
    x, s = (v.to(dtype) if isinstance(v, Tensor) else tensor(v, dtype=dtype, device=like.device)
            for v in (input, other))
    if dtype.is_floating_point or dtype.numpy.kind == "b":
        raise not_implemented(name, x._array)
    _integer_operands(name, x, s)  # the broadcast check, with PyTorch's message
    return x, s, dtype.itemsize * 8


def bitwise_left_shift(input, other) -> Tensor:
    """``input << other``: each element's bits moved ``other`` places up, zeros coming in
    (the same as multiplying by 2^other, wrapping around on overflow)."""
    x, s, bits = _shift_operands("lshift", input, other)
    out = x
    for k in range(bits.bit_length() - 1):  # bit k of s: multiply by 2^(2^k)
        out = where((s & (1 << k)) != 0, out * (1 << (1 << k)), out)
    return where((s >= 0) & (s < bits), out, 0).to(x.dtype)


def bitwise_right_shift(input, other) -> Tensor:
    """``input >> other``: bits moved ``other`` places down, copies of the sign bit coming in
    (the same as dividing by 2^other and rounding toward -inf)."""
    x, s, bits = _shift_operands("rshift", input, other)
    out = x
    for k in range(bits.bit_length() - 1):  # bit k of s: floor-divide by 2^(2^k)
        out = where((s & (1 << k)) != 0, out // (1 << (1 << k)), out)
    sign = where(x < 0, -1, 0)  # all bits shifted out: only copies of the sign bit are left
    return where((s >= 0) & (s < bits), out, sign).to(x.dtype)


def gcd_(input: Tensor, other: Tensor) -> Tensor:
    """``input.gcd_(other)``: ``gcd`` written into ``input``."""
    return input.gcd_(other)


def lcm_(input: Tensor, other: Tensor) -> Tensor:
    """``input.lcm_(other)``: ``lcm`` written into ``input``."""
    return input.lcm_(other)


__all__ = ["gcd", "lcm", "gcd_", "lcm_", "bitwise_left_shift", "bitwise_right_shift"]

TENSOR_METHODS = {name: globals()[name] for name in __all__ if not name.endswith("_")}
TENSOR_METHODS.update({
    "__lshift__": bitwise_left_shift, "__rshift__": bitwise_right_shift,
    "__rlshift__": reflect(bitwise_left_shift), "__rrshift__": reflect(bitwise_right_shift),
})
INPLACE_METHODS = {"gcd_": gcd, "lcm_": lcm, "bitwise_left_shift_": bitwise_left_shift,
                   "bitwise_right_shift_": bitwise_right_shift,
                   "__ilshift__": bitwise_left_shift, "__irshift__": bitwise_right_shift}
