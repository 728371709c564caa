"""Joining tensors (``cat``, ``stack``) and cutting them into pieces (``split``, ``chunk``).

``cat`` glues tensors end to end along an existing dimension; its backward cuts the
gradient back into the pieces' sizes. ``stack`` is ``cat`` of tensors that first got a new
dimension of size 1. The cutting ops return *views* (slices of the input sharing its memory),
so their backward is that of slicing.
"""

from __future__ import annotations

from ..autograd.function import Function
from ._util import backend, promoted_dtype, wrap_dim
from .shape import atleast_1d, atleast_2d, narrow, select, unsqueeze


class Cat(Function):
    """``cat(tensors, dim)``, called as ``Cat.apply(*tensors, dim)``."""

    @staticmethod
    def forward(ctx, *args):
        *tensors, dim = args
        target = promoted_dtype(*tensors).numpy
        arrays = [t._array if t._array.dtype == target else t._array.astype(target)
                  for t in tensors]
        ctx.dim, ctx.dtype, ctx.shapes = dim, target, [a.shape for a in arrays]
        # PyTorch (legacy) skips 1-d empty tensors whatever the others' shapes are.
        arrays = [a for a in arrays if a.shape != (0,)] or arrays[:1]
        return backend(tensors[0]).concatenate(arrays, axis=dim)

    @staticmethod
    def backward(ctx, grad):
        grads, start = [], 0
        for shape in ctx.shapes:
            size = shape[ctx.dim] if len(shape) > ctx.dim and shape != (0,) else 0
            grads.append(narrow(grad, ctx.dim, start, size) if size else None)
            start += size
        return (*grads, None)

    @staticmethod
    def jvp(ctx, *tangents):
        from .._creation import zeros

        parts = [zeros(shape, dtype=ctx.dtype) if t is None else t
                 for t, shape in zip(tangents[:-1], ctx.shapes)]
        return Cat.apply(*parts, ctx.dim)


def _check_tensor_list(tensors, name: str) -> list:
    from .._tensor import Tensor

    if isinstance(tensors, Tensor) or not isinstance(tensors, (list, tuple)):
        raise TypeError(f"{name}(): argument 'tensors' must be tuple of Tensors, not "
                        f"{type(tensors).__name__}")
    for i, t in enumerate(tensors):
        if not isinstance(t, Tensor):
            raise TypeError(f"expected Tensor as element {i} in argument 0, but "
                            f"got {type(t).__name__}")
    return list(tensors)


def cat(tensors, dim: int = 0, *, out=None):
    """Concatenate tensors along an existing dimension ``dim``.

    All tensors must have the same shape except in ``dim``: two (2, 3) tensors make a
    (4, 3) tensor along dim 0 and a (2, 6) tensor along dim 1. Mixed dtypes are promoted
    (int64 with float32 gives float32).
    """
    tensors = _check_tensor_list(tensors, "cat")
    if not tensors:
        raise ValueError("torch.cat(): expected a non-empty list of Tensors")
    shaped = [t for t in tensors if t._array.shape != (0,)] or tensors[:1]
    first = shaped[0]._array.shape
    if not first:
        raise RuntimeError("zero-dimensional tensor (at position 0) cannot be concatenated")
    d = wrap_dim(dim, len(first))
    for i, t in enumerate(tensors):
        shape = t._array.shape
        if shape == (0,) and len(first) != 1:
            continue  # PyTorch still skips the legacy empty 1-d tensor
        if len(shape) != len(first):
            raise RuntimeError(f"Tensors must have same number of dimensions: got {len(first)} "
                               f"and {len(shape)}")
        for k in range(len(first)):
            if k != d and shape[k] != first[k]:
                raise RuntimeError(
                    f"Sizes of tensors must match except in dimension {d}. Expected size "
                    f"{first[k]} but got size {shape[k]} for tensor number {i} in the list."
                )
    result = Cat.apply(*tensors, d)
    if out is not None:
        from .inplace import copy_into_out

        return copy_into_out(out, result)
    return result


concat = concatenate = cat


def stack(tensors, dim: int = 0, *, out=None):
    """Join tensors of the same shape along a *new* dimension ``dim``.

    Three (2, 3) tensors stacked along dim 0 make a (3, 2, 3) tensor: ``stack(ts)[i]`` is
    ``ts[i]``. It is ``cat`` of the tensors each unsqueezed at ``dim``.
    """
    tensors = _check_tensor_list(tensors, "stack")
    if not tensors:
        raise RuntimeError("stack expects a non-empty TensorList")
    first = tensors[0]._array.shape
    for i, t in enumerate(tensors):
        if t._array.shape != first:
            raise RuntimeError(f"stack expects each tensor to be equal size, but got "
                               f"{list(first)} at entry 0 and {list(t._array.shape)} at "
                               f"entry {i}")
    d = wrap_dim(dim, len(first) + 1)
    return cat([unsqueeze(t, d) for t in tensors], d, out=out)


def hstack(tensors):
    """Join horizontally: along dim 1, or along dim 0 for 1-d tensors."""
    tensors = [atleast_1d(t) for t in _check_tensor_list(tensors, "hstack")]
    return cat(tensors, 0 if tensors and tensors[0].dim() == 1 else 1)


def vstack(tensors):
    """Join vertically (rows): 1-d tensors become rows of a matrix first."""
    return cat([atleast_2d(t) for t in _check_tensor_list(tensors, "vstack")], 0)


row_stack = vstack


def split(tensor, split_size_or_sections, dim: int = 0) -> tuple:
    """Cut a tensor into views along ``dim``.

    An int gives pieces of that size (the last may be smaller): splitting 5 rows by 2 gives
    2, 2 and 1 rows. A list gives the size of each piece, which must add up to the whole.
    """
    if tensor._array.ndim == 0:
        raise RuntimeError("split expects at least a 1-dimensional tensor")
    d = wrap_dim(dim, tensor._array.ndim)
    n = tensor._array.shape[d]
    if isinstance(split_size_or_sections, (list, tuple)):
        sizes = [int(s) for s in split_size_or_sections]
        if sum(sizes) != n or any(s < 0 for s in sizes):
            raise RuntimeError(
                f"split_with_sizes expects split_sizes to sum exactly to {n} (input tensor's "
                f"size at dimension {d}), but got split_sizes={sizes}"
            )
    else:
        size = int(split_size_or_sections)
        if size < 0 or (size == 0 and n != 0):
            raise RuntimeError(f"split_size can only be 0 if dimension size is 0, but got "
                               f"dimension size of {n}")
        # an empty dim still gives one (empty) piece
        sizes = [min(size, n - start) for start in range(0, n, size)] if size and n else [0]
    pieces, start = [], 0
    for s in sizes:
        pieces.append(narrow(tensor, d, start, s))
        start += s
    return tuple(pieces)


def chunk(input, chunks: int, dim: int = 0) -> tuple:
    """Cut into ``chunks`` nearly equal views (each of size ceil(n / chunks); there may be
    fewer pieces than asked when n is small, and an empty dim gives ``chunks`` empty ones)."""
    if input._array.ndim == 0:
        raise RuntimeError("chunk expects at least a 1-dimensional tensor")
    if chunks <= 0:
        raise RuntimeError(f"chunk expects `chunks` to be greater than 0, got: {chunks}")
    d = wrap_dim(dim, input._array.ndim)
    n = input._array.shape[d]
    if n == 0:
        return tuple(narrow(input, d, 0, 0) for _ in range(chunks))
    return split(input, -(-n // chunks), d)


def tensor_split(input, indices_or_sections, dim: int = 0) -> tuple:
    """Cut into views like ``numpy.array_split``: an int n gives n pieces whose sizes differ
    by at most one; a list gives the indices where to cut."""
    d = wrap_dim(dim, input._array.ndim)
    n = input._array.shape[d]
    if isinstance(indices_or_sections, (list, tuple)):
        bounds = [0] + [min(max(int(i) + n * (i < 0), 0), n) for i in indices_or_sections] + [n]
    else:
        sections = int(indices_or_sections)
        if sections <= 0:
            raise RuntimeError(f"number of sections must be larger than 0, got {sections}")
        small, extra = divmod(n, sections)
        bounds = [0]
        for i in range(sections):
            bounds.append(bounds[-1] + small + (i < extra))
    return tuple(narrow(input, d, lo, max(hi - lo, 0)) for lo, hi in zip(bounds, bounds[1:]))


def unbind(input, dim: int = 0) -> tuple:
    """All slices along ``dim`` (that dimension removed), as a tuple of views."""
    d = wrap_dim(dim, input._array.ndim, scalar_ok=False)
    return tuple(select(input, d, i) for i in range(input._array.shape[d]))


__all__ = ["cat", "concat", "concatenate", "stack", "hstack", "vstack", "row_stack", "split",
           "chunk", "tensor_split", "unbind"]

TENSOR_METHODS = {"split": split, "chunk": chunk, "tensor_split": tensor_split,
                  "unbind": unbind}
