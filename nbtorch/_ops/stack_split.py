"""numpy's stacking and splitting helpers: ``dstack``, ``column_stack``, ``hsplit``,
``vsplit``, ``dsplit``, and ``narrow_copy``.

They are ``cat`` and ``tensor_split`` along a fixed dim, after giving every tensor enough
dims: ``dstack`` joins along dim 2 (depth) tensors made at least 3-d, ``column_stack``
joins along dim 1 vectors made into columns. ``hsplit``/``vsplit``/``dsplit`` cut along
dim 1 (dim 0 for a vector), 0 and 2 into views, and an int number of pieces must divide
the dim exactly (numpy's rule). Gradients come from ``cat`` and slicing.
"""

from __future__ import annotations

from .._tensor import Tensor
from .join import _check_tensor_list, cat, tensor_split
from .shape import atleast_3d, narrow


def dstack(tensors) -> Tensor:
    """Join along the third dim (depth): a (2, 3) and a (2, 3, 4) tensor make a (2, 3, 5)
    one; vectors of length n become (1, n, 1) first."""
    tensors = _check_tensor_list(tensors, "dstack")
    if not tensors:
        raise RuntimeError("dstack expects a non-empty TensorList")
    return cat([atleast_3d(t) for t in tensors], 2)


def column_stack(tensors) -> Tensor:
    """Join as columns: each vector (or number) becomes one column, matrices add their
    columns, so three vectors of length n make an (n, 3) matrix."""
    tensors = _check_tensor_list(tensors, "column_stack")
    if not tensors:
        raise RuntimeError("column_stack expects a non-empty TensorList")
    return cat([t.reshape(t.numel(), 1) if t.ndim <= 1 else t for t in tensors], 1)


def _split_along(name: str, input: Tensor, indices_or_sections, dim: int, min_dims: int):
    if input.ndim < min_dims:
        raise RuntimeError(f"torch.{name} requires a tensor with at least {min_dims} dimension, "
                           f"but got a tensor with {input.ndim} dimensions!")
    if not isinstance(indices_or_sections, (list, tuple)):
        size, sections = input.shape[dim], int(indices_or_sections)
        if sections == 0 or size % sections:
            raise RuntimeError(f"torch.{name} attempted to split along dimension {dim}, but "
                               f"the size of the dimension {size} is not divisible by the "
                               f"split_size {sections}!")
    return tensor_split(input, indices_or_sections, dim)


def hsplit(input: Tensor, indices_or_sections) -> tuple:
    """Cut horizontally (along dim 1; along dim 0 for a vector) into views: an int n gives
    n equal pieces, a list the indices where to cut."""
    dim = 1 if input.ndim > 1 else 0
    return _split_along("hsplit", input, indices_or_sections, dim, 1)


def vsplit(input: Tensor, indices_or_sections) -> tuple:
    """Cut vertically (along dim 0, rows) into views; at least 2-d."""
    return _split_along("vsplit", input, indices_or_sections, 0, 2)


def dsplit(input: Tensor, indices_or_sections) -> tuple:
    """Cut along the depth (dim 2) into views; at least 3-d."""
    return _split_along("dsplit", input, indices_or_sections, 2, 3)


def narrow_copy(input: Tensor, dim: int, start: int, length: int) -> Tensor:
    """``narrow`` as a copy with its own memory: ``x[:, start:start+length]`` for dim 1."""
    return narrow(input, dim, start, length).clone()


__all__ = ["dstack", "column_stack", "hsplit", "vsplit", "dsplit", "narrow_copy"]

TENSOR_METHODS = {"hsplit": hsplit, "vsplit": vsplit, "dsplit": dsplit,
                  "narrow_copy": narrow_copy}
