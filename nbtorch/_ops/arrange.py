"""Rearranging tensors and building new ones from old: sliding windows (``Tensor.unfold``),
differences (``diff``), quarter turns (``rot90``), block-diagonal matrices (``block_diag``),
all combinations (``cartesian_prod``), and the indices of a triangle (``tril_indices``).

``unfold`` is the one new ``Function``: its output is a *view* whose windows overlap in
memory. A view is just new strides over the same storage (see ``Tensor.stride``): moving to
the next window steps ``step`` elements along the dimension, moving inside a window steps
one, so no element is copied. Its backward adds each window's gradient back where the
window came from (``index_add``: overlapping windows add up).

Everything else is a composition of differentiable ops (``narrow``, ``sub``, ``flip``,
``transpose``, ``cat``, ``meshgrid``, ``stack``), so gradients of any order, forward-mode AD
and the cuda device come for free.
"""

from __future__ import annotations

import numpy as np

from .. import _dtype as dt
from .._tensor import Tensor
from ..autograd.function import Function
from ._util import promoted_dtype, wrap_dim
from .join import cat, stack
from .linalg import flip
from .logic import logical_xor
from .pointwise import type_name
from .shape import meshgrid, transpose

# -- sliding windows -----------------------------------------------------------------------


def _windows(a, dim: int, size: int, step: int):
    """The view of backend array ``a`` with dim ``dim`` counting windows and a new last dim
    of length ``size`` walking inside one: element [.., i, .., j] is a[.., i*step + j, ..].
    Same memory, two strides: ``step`` times dim's stride, and dim's stride itself."""
    count = (a.shape[dim] - size) // step + 1
    shape = a.shape[:dim] + (count,) + a.shape[dim + 1:] + (size,)
    if type(a) is np.ndarray:
        st = a.strides  # in bytes
        strides = st[:dim] + (st[dim] * step,) + st[dim + 1:] + (st[dim],)
        return np.lib.stride_tricks.as_strided(a, shape, strides, writeable=a.flags.writeable)
    st = a.estrides  # a cuda DeviceArray: a new one over the same buffer, strides in elements
    strides = st[:dim] + (st[dim] * step,) + st[dim + 1:] + (st[dim],)
    return type(a)(a.buf, a.offset, shape, strides, a.device_index)


class Unfold(Function):
    """``x.unfold(dim, size, step)``: all windows of ``size`` along ``dim`` (a view)."""

    _view_of_input = True

    @staticmethod
    def forward(ctx, x, dim, size, step):
        ctx.shape, ctx.args = x._array.shape, (dim, size, step)
        return _windows(x._array, dim, size, step)

    @staticmethod
    def backward(ctx, grad):
        return _fold(grad, ctx.shape, *ctx.args), None, None, None

    @staticmethod
    def jvp(ctx, t, *_):
        return Unfold.apply(t, *ctx.args)


def _fold(grad, shape, dim: int, size: int, step: int):
    """Each window's gradient added back at its place in a tensor of ``shape``: window i
    element j came from position i*step + j along ``dim``."""
    from .._creation import arange, zeros
    from .scatter import index_add

    starts = arange(grad.shape[dim], device=grad.device) * step
    index = (starts.unsqueeze(1) + arange(size, device=grad.device)).reshape(-1)
    flat = grad.movedim(-1, dim + 1).flatten(dim, dim + 1)  # (..., windows * size, ...)
    base = zeros(shape, dtype=grad.dtype, device=grad.device)
    return index_add(base, dim, index, flat)


def unfold(input, dimension: int, size: int, step: int) -> Tensor:
    """All windows of length ``size`` along ``dimension``, ``step`` apart, as a view.

    ``arange(7).unfold(0, 3, 2)`` is ``[[0, 1, 2], [2, 3, 4], [4, 5, 6]]``: the dimension
    becomes the number of windows, (n - size) // step + 1, and a new last dimension of
    length ``size`` holds each window. The windows share memory with ``input`` (and with
    each other where they overlap). This is how convolution and pooling see their input.
    """
    d = wrap_dim(dimension, input.ndim)
    if input.ndim == 0:  # a number is a vector of one element
        return unfold(input.reshape(1), 0, size, step).reshape(size)
    n = input.shape[d]
    if size < 0:
        raise RuntimeError(f"size is {size} but must be >= 0")
    if size > n:
        raise RuntimeError(f"maximum size for tensor at dimension {d} is {n} but size is {size}")
    if step <= 0:
        raise RuntimeError(f"step is {step} but must be > 0")
    return Unfold.apply(input, d, int(size), int(step))


# -- differences and rotations -------------------------------------------------------------


def diff(input, n: int = 1, dim: int = -1, prepend=None, append=None) -> Tensor:
    """The n-th forward difference along ``dim``: ``out[i] = x[i + 1] - x[i]``, n times.

    ``diff([1, 3, 6, 10])`` is ``[2, 3, 4]`` and with ``n=2`` ``[1, 1]``: each time the
    dimension gets one shorter. ``prepend``/``append`` are tensors joined to the input
    before (of the same number of dims, the same sizes except along ``dim``). For bool
    tensors the difference is ``!=`` (logical xor). It is the discrete derivative, and
    ``cumsum`` undoes it: ``diff(x.cumsum(0), prepend=zeros(1))`` is ``x``.
    """
    if input.ndim == 0:
        raise RuntimeError("diff expects input to be at least one-dimensional")
    if n < 0:
        raise RuntimeError(f"order must be non-negative but got {n}")
    d = wrap_dim(dim, input.ndim)
    pieces = []
    for name, extra in (("prepend", prepend), ("input", input), ("append", append)):
        if extra is None:
            continue
        if not isinstance(extra, Tensor):
            raise TypeError(f"diff(): argument '{name}' must be Tensor, not "
                            f"{type(extra).__name__}")
        if extra.ndim != input.ndim:
            raise RuntimeError("diff expects prepend or append to be the same dimension as "
                               "input")
        for k in range(input.ndim):
            if k != d and extra.shape[k] != input.shape[k]:
                raise RuntimeError(
                    "diff expects the shape of tensor to prepend or append to match that of "
                    f"input except along the differencing dimension; input.size({k}) = "
                    f"{input.shape[k]}, but got tensor.size({k}) = {extra.shape[k]}"
                )
        pieces.append(extra)
    x = cat(pieces, d) if len(pieces) > 1 else input
    for _ in range(n):
        length = x.shape[d]
        if length == 0:
            break
        later, earlier = x.narrow(d, 1, length - 1), x.narrow(d, 0, length - 1)
        x = logical_xor(later, earlier) if x._array.dtype.kind == "b" else later - earlier
    return input.clone() if x is input else x  # n = 0: a new tensor all the same


def rot90(input, k: int = 1, dims=(0, 1)) -> Tensor:
    """Rotate by 90 degrees ``k`` times, in the plane of ``dims``, from the first dim
    towards the second (counter-clockwise when an image's dims 0, 1 are rows, columns).

    A quarter turn is a flip and a transpose: ``rot90(x)`` is ``x.flip(1).transpose(0, 1)``
    (the last column becomes the first row); two turns flip both dims; three are a flip of
    dim 0 then a transpose; ``k`` may be negative (clockwise). A copy, as in PyTorch.
    """
    if not isinstance(k, int) or isinstance(k, bool):
        raise TypeError(f"rot90(): argument 'k' (position 2) must be int, not {type(k).__name__}")
    dims = list(dims)
    if len(dims) != 2:
        raise RuntimeError(f"expected total rotation dims == 2, but got dims = {len(dims)}")
    if input.ndim < 2:
        raise RuntimeError(f"expected total dims >= 2, but got total dims = {input.ndim}")
    d0, d1 = wrap_dim(dims[0], input.ndim), wrap_dim(dims[1], input.ndim)
    if d0 == d1:
        raise RuntimeError(f"expected rotation dims to be different, but got dim0 = {dims[0]} "
                           f"and dim1 = {dims[1]}")
    k %= 4
    if k == 1:
        return transpose(flip(input, d1), d0, d1)
    if k == 2:
        return flip(input, (d0, d1))
    if k == 3:
        return transpose(flip(input, d0), d0, d1)
    return input.clone()


# -- building tensors from others ----------------------------------------------------------


def _check_tensors(tensors) -> None:
    for i, t in enumerate(tensors):
        if not isinstance(t, Tensor):
            raise TypeError(f"expected Tensor as element {i} in argument 0, but got "
                            f"{type(t).__name__}")


def block_diag(*tensors) -> Tensor:
    """The tensors placed along the diagonal of one matrix, zeros elsewhere.

    ``block_diag(A, B)`` is ``[[A, 0], [0, B]]``; a 0-d tensor is a 1x1 block and a 1-d
    tensor a one-row block. Each block row is the block with zeros cat-ed left and right,
    and the rows are cat-ed top to bottom (so the gradient reaches each block). dtypes
    promote as in ``cat``.
    """
    from .._creation import zeros

    _check_tensors(tensors)
    if not tensors:
        return zeros(1, 0)  # PyTorch's result for no blocks
    for i, t in enumerate(tensors):
        if t.ndim > 2:
            raise RuntimeError("torch.block_diag: Input tensors must have 2 or fewer "
                               f"dimensions. Input {i} has {t.ndim} dimensions")
    blocks = [t if t.ndim == 2 else t.reshape(1, -1) for t in tensors]
    dtype, device = promoted_dtype(*tensors), tensors[0].device
    width = sum(b.shape[1] for b in blocks)
    rows, left = [], 0
    for b in blocks:
        r, c = b.shape
        rows.append(cat([zeros(r, left, dtype=dtype, device=device), b,
                         zeros(r, width - left - c, dtype=dtype, device=device)], 1))
        left += c
    return cat(rows, 0)


def cartesian_prod(*tensors) -> Tensor:
    """Every combination of one element from each 1-d tensor, one combination per row.

    ``cartesian_prod([1, 2], [3, 4, 5])`` is ``[[1, 3], [1, 4], [1, 5], [2, 3], ...]``
    (the last tensor varies fastest, like nested for loops): the ``meshgrid`` grids, each
    flattened, stacked as columns. A single tensor is returned as it is (a copy).
    """
    _check_tensors(tensors)
    if not tensors:
        raise RuntimeError("meshgrid expects a non-empty TensorList")
    for t in tensors:
        if t.ndim != 1:
            raise RuntimeError(f"Expect a 1D vector, but got shape {list(t.shape)}")
    if len(tensors) == 1:
        return tensors[0].clone()
    if len({t._array.dtype for t in tensors}) > 1:
        raise RuntimeError("meshgrid expects all tensors to have the same dtype")
    grids = meshgrid(*tensors, indexing="ij")
    return stack([g.reshape(-1) for g in grids], 1)


def _triangle_indices(name: str, upper: bool, row: int, col: int, offset: int, dtype,
                      device) -> Tensor:
    from .._creation import tensor

    for arg, value in (("row", row), ("col", col), ("offset", offset)):
        if not isinstance(value, (int, np.integer)) or isinstance(value, bool):
            raise TypeError(f"{name}(): argument '{arg}' must be int, not "
                            f"{type(value).__name__}")
    for arg, value in (("row", row), ("col", col)):
        if value < 0:
            raise RuntimeError(f"{arg} must be non-negative, got {value}")
    dtype = dt.int64 if dtype is None else dtype
    if dtype not in (dt.int64, dt.int32):
        raise NotImplementedError(f'"{name}" not implemented for '
                                  f"'{type_name(np.empty(0, dtype.numpy))}'")
    pick = np.triu_indices if upper else np.tril_indices
    rows, cols = pick(row, offset, col)
    return tensor(np.stack([rows, cols]).astype(dtype.numpy), device=device)


def tril_indices(row: int, col: int, offset: int = 0, *, dtype=None, device=None,
                 layout=None) -> Tensor:
    """The (row, column) indices of the lower triangle of a ``row`` x ``col`` matrix, as a
    (2, N) int64 tensor in row-major order: ``x[tuple(tril_indices(3, 3))]`` are the 6
    elements on or below the diagonal. ``offset`` moves the diagonal (> 0 above, < 0
    below), as in ``tril``."""
    return _triangle_indices("tril_indices", False, row, col, offset, dtype, device)


def triu_indices(row: int, col: int, offset: int = 0, *, dtype=None, device=None,
                 layout=None) -> Tensor:
    """The (row, column) indices of the upper triangle (on or above the diagonal moved by
    ``offset``) of a ``row`` x ``col`` matrix, as a (2, N) int64 tensor."""
    return _triangle_indices("triu_indices", True, row, col, offset, dtype, device)


__all__ = ["diff", "rot90", "block_diag", "cartesian_prod", "tril_indices", "triu_indices"]

TENSOR_METHODS = {"unfold": unfold, "diff": diff, "rot90": rot90}
