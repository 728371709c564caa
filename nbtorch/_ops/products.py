"""More products with a matrix flavour: ``vdot``, ``addbmm`` and ``addr``.

* ``vdot(a, b)``: the dot product of two vectors (for complex numbers the first would be
  conjugated; nbtorch has only real ones, so it is ``dot``);
* ``addbmm(input, A, B)``: ``beta * input + alpha * (A[0] @ B[0] + A[1] @ B[1] + ...)``,
  a batch of products summed into one matrix;
* ``addr(input, u, v)``: ``beta * input + alpha * outer(u, v)``, a rank-one update.

All are compositions of ``matmul``, ``sum`` and ``mul``, so their gradients come for free.
As in ``addmm``, ``beta=0`` ignores ``input`` entirely (even NaN in it).
"""

from __future__ import annotations

from .._tensor import Tensor
from .linalg import _scaled_sum
from .matmul import bmm, dot
from .pointwise import type_name


def _dtype_name(t: Tensor) -> str:
    return type_name(t._array)


def vdot(input: Tensor, other: Tensor) -> Tensor:
    """The dot product sum(input[i] * other[i]) of two 1-d tensors of one length and
    dtype."""
    if input.ndim == 1 and other.ndim == 1 and input.dtype != other.dtype:
        raise RuntimeError(f"dot : expected both vectors to have same dtype, but found "
                           f"{_dtype_name(input)} and {_dtype_name(other)}")
    return dot(input, other)


def _check_scales(input: Tensor, beta, alpha) -> None:
    """PyTorch refuses float scales for an integer ``input`` (they would be truncated)."""
    if not input.dtype.is_floating_point:
        for name, value in (("beta", beta), ("alpha", alpha)):
            if isinstance(value, float):
                raise RuntimeError(f"For integral input tensors, argument {name} must not be a "
                                   "floating point number.")


def addbmm(input: Tensor, batch1: Tensor, batch2: Tensor, *, beta=1, alpha=1) -> Tensor:
    """``beta * input + alpha * sum_b batch1[b] @ batch2[b]`` for (b, n, m) and (b, m, p)
    batches: the b matrix products added into one (n, p) matrix (``input`` broadcasts to
    it)."""
    _check_scales(input, beta, alpha)
    if batch1.ndim == 3 and batch2.ndim == 3 and batch1.shape[0] != batch2.shape[0]:
        raise RuntimeError(f"batch1 and batch2 must have same number of batches, got "
                           f"{batch1.shape[0]} and {batch2.shape[0]}")
    if batch1.ndim == 3 and batch2.ndim == 3 and batch1.shape[2] != batch2.shape[1]:
        raise RuntimeError(f"Incompatible matrix sizes for bmm ({batch1.shape[1]}x"
                           f"{batch1.shape[2]} and {batch2.shape[1]}x{batch2.shape[2]})")
    if batch1.dtype != batch2.dtype:
        raise RuntimeError(f"self and mat2 must have the same dtype, but got "
                           f"{_dtype_name(batch1)} and {_dtype_name(batch2)}")
    product = bmm(batch1, batch2).sum(0)
    return _scaled_sum(input.expand(product.shape), product, beta, alpha)


def addr(input: Tensor, vec1: Tensor, vec2: Tensor, *, beta=1, alpha=1) -> Tensor:
    """``beta * input + alpha * outer(vec1, vec2)``: ``input`` (broadcast to
    (len(vec1), len(vec2))) plus a rank-one matrix. For bool tensors, ``or`` and ``and``
    take the places of + and *."""
    for name, v in (("vec1", vec1), ("vec2", vec2)):
        if v.ndim != 1:
            raise RuntimeError(f"addr: Expected 1-D argument {name}, but got {v.ndim}-D")
    _check_scales(input, beta, alpha)
    if input._array.dtype.kind == "b":
        shape = (vec1.shape[0], vec2.shape[0])
        nothing = input.new_zeros(shape)
        product = vec1.unsqueeze(1) & vec2.unsqueeze(0) if alpha else nothing
        return product | (input.expand(shape) if beta else nothing)
    product = vec1.unsqueeze(1) * vec2.unsqueeze(0)
    return _scaled_sum(input.expand(product.shape), product, beta, alpha)


__all__ = ["vdot", "addbmm", "addr"]

TENSOR_METHODS = {name: globals()[name] for name in __all__}

INPLACE_METHODS = {"addbmm_": addbmm, "addr_": addr}
