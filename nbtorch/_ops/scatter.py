"""Picking and placing elements by index: ``gather``/``scatter``, ``index_select``/
``index_add``, ``masked_fill``/``masked_select``, ``take``, ``nonzero``.

The ops come in pairs whose backward is the other one: the gradient of *picking* elements
(``gather``, ``index_select``) is *adding* the gradient back where they came from
(``scatter_add``, ``index_add``), and the gradient of adding is picking. Adding must add
up repeats: an element picked twice receives both gradients (a Numba scatter-add kernel on
the CPU, see ``_backend/cpu_kernels/scatter.py``).

``gather(x, dim, index)`` along dim 1 of a matrix: ``out[i][j] = x[i][index[i][j]]``;
``scatter`` writes the other way: ``out[i][index[i][j]] = src[i][j]``.
"""

from __future__ import annotations

import numpy as np

from .. import _dtype as dt
from ..autograd.function import Function
from ._util import backend, wrap_dim


def _check_index(index, name: str, dims: int | None = None) -> None:
    from .._tensor import Tensor

    if not isinstance(index, Tensor):
        raise TypeError(f"{name}(): argument 'index' must be Tensor, not "
                        f"{type(index).__name__}")
    if index._array.dtype not in (dt.int32.numpy, dt.int64.numpy):
        raise RuntimeError(f"{name}(): Expected dtype int32/int64 for index")
    if dims is not None and max(index._array.ndim, 1) != max(dims, 1):  # 0-d counts as 1-d
        raise RuntimeError("Index tensor must have the same number of dimensions as input "
                           "tensor")


def _check_range(index_array, size: int, dim: int) -> None:
    """RuntimeError like PyTorch's for an index outside ``[0, size)`` (unlike Python
    indexing, these ops take no negative indices). A cuda index whose values the host
    copied is checked by the range it kept then (``DeviceArray.known_range``), not read
    back: reading waits for every kernel queued before."""
    if index_array.size:
        known = None if type(index_array) is np.ndarray else index_array.known_range()
        if known is not None and 0 <= known[0] and known[1] < size:
            return
        lo, hi = int(index_array.min()), int(index_array.max())
        bad = hi if hi >= size else lo
        if hi >= size or lo < 0:
            raise RuntimeError(f"index {bad} is out of bounds for dimension {dim} with size "
                               f"{size}")


def _scatter_key(index_array, dim: int):
    """The numpy index that sends ``index[p]`` to position p with p[dim] replaced by it:
    a tuple of integer arrays, one per dimension (``np.indices`` for the other dims)."""
    import numpy as np

    grids = list(np.indices(index_array.shape, sparse=True))
    grids[dim] = index_array
    return tuple(grids)


def _crop(array, shape):
    """The leading ``shape`` corner of ``array`` (gather/scatter may use smaller indices)."""
    if array.shape == tuple(shape):
        return array
    return array[tuple(slice(0, s) for s in shape)]


# -- gather / scatter -----------------------------------------------------------------------


class Gather(Function):
    @staticmethod
    def forward(ctx, x, dim, index):
        a, idx = x._array, index._array
        ctx.dim, ctx.shape, ctx.index = dim, a.shape, idx
        cropped = _crop(a, tuple(s if d != dim else a.shape[d] for d, s in enumerate(idx.shape)))
        return backend(x).take_along_axis(cropped, idx, axis=dim)

    @staticmethod
    def backward(ctx, grad):
        from .._creation import zeros

        index = _const(ctx.index)
        base = zeros(ctx.shape, dtype=grad.dtype, device=grad.device)
        return scatter_add(base, ctx.dim, index, grad), None, None

    @staticmethod
    def jvp(ctx, t, *_):
        return gather(t, ctx.dim, _const(ctx.index))


def _const(array):
    from .._tensor import Tensor

    return Tensor._make(array)


def gather(input, dim: int, index, *, sparse_grad: bool = False):
    """Pick values along ``dim`` at ``index``: for a matrix and dim=1,
    ``out[i][j] = input[i][index[i][j]]``. The output has ``index``'s shape.

    The classic use: the score of the correct class of each sample,
    ``logits.gather(1, labels.unsqueeze(1))``.
    """
    n = input._array.ndim
    d = wrap_dim(dim, n)
    _check_index(index, "gather", n)
    idx = index._array
    if idx.ndim == n:
        for k in range(n):
            if k != d and idx.shape[k] > input._array.shape[k]:
                raise RuntimeError(
                    f"Size does not match at dimension {k} expected index {list(idx.shape)} to "
                    f"be no larger than self {list(input._array.shape)} apart from dimension {d}"
                )
    _check_range(idx, input._array.shape[d] if n else 1, d)
    if n == 0:
        return Gather.apply(input.reshape(1), 0, index.reshape(1)).reshape(())
    return Gather.apply(input, d, index)


def _check_scatter(input, d: int, index, src) -> None:
    n = input._array.ndim
    idx = index._array
    if src is not None and src._array.dtype != input._array.dtype:
        raise RuntimeError("scatter(): Expected self.dtype to be equal to src.dtype")
    for k in range(n):
        too_big = k != d and idx.shape[k] > input._array.shape[k]
        if too_big or (src is not None and idx.shape[k] > src._array.shape[k]):
            raise RuntimeError(
                f"Expected index {list(idx.shape)} to be no larger than self "
                f"{list(input._array.shape)} apart from dimension {d}"
                + ("" if src is None else f" and to be no larger size than src "
                                          f"{list(src._array.shape)}")
            )
    _check_range(idx, input._array.shape[d], d)


class Scatter(Function):
    """``out = x.clone(); out[p with p[dim] = index[p]] = src[p]`` (src a tensor or number)."""

    @staticmethod
    def forward(ctx, x, dim, index, src):
        ctx.dim, ctx.index = dim, index._array
        out = x._array.copy()
        ctx.out_shape, ctx.out_dtype = out.shape, out.dtype
        key = _scatter_key(index._array, dim)
        if hasattr(src, "_array"):
            ctx.src_shape = src._array.shape
            out[key] = _crop(src._array, index._array.shape).astype(out.dtype, copy=False)
        else:
            out[key] = src
        return out

    @staticmethod
    def backward(ctx, grad):
        index = _const(ctx.index)
        g_src = None
        if ctx.needs_input_grad[3]:
            g_src = _pad(gather(grad, ctx.dim, index), ctx.src_shape)
        return Scatter.apply(grad, ctx.dim, index, 0.0), None, None, g_src

    @staticmethod
    def jvp(ctx, tx, _, __, tsrc):
        from .._creation import zeros

        index = _const(ctx.index)
        if tx is None:
            tx = zeros(ctx.out_shape, dtype=ctx.out_dtype)
        return Scatter.apply(tx, ctx.dim, index, 0.0 if tsrc is None else tsrc)


def _pad(grad, shape):
    """``grad`` placed in the corner of zeros of ``shape`` (undoes ``_crop``)."""
    if tuple(grad.shape) == tuple(shape):
        return grad
    from .index import IndexBackward

    return IndexBackward.apply(grad, tuple(slice(0, s) for s in grad.shape), tuple(shape))


def scatter(input, dim: int, index, src=None, *, value=None, reduce: str | None = None):
    """Write ``src`` into a copy of ``input`` at positions given by ``index`` along ``dim``:
    for a matrix and dim=1, ``out[i][index[i][j]] = src[i][j]``. ``src`` may be a number.

    The classic use: one-hot vectors, ``zeros(n, 10).scatter(1, labels.unsqueeze(1), 1.0)``.
    When an index repeats, which value wins is not defined (as in PyTorch).
    ``reduce='add'`` adds instead of writing (``scatter_add``), ``reduce='multiply'``
    multiplies (``scatter_reduce(..., 'prod')``).
    """
    from .._tensor import Tensor

    if src is None:
        src = value
    if src is None:
        raise TypeError("scatter() missing 1 required positional argument: 'src' or 'value'")
    if reduce is not None:
        if reduce not in ("add", "multiply"):
            raise RuntimeError("reduce argument must be either add or multiply.")
        if not isinstance(src, Tensor):
            from .._creation import full

            src = full(index.shape, src, dtype=input.dtype, device=input.device)
        if reduce == "add":
            return scatter_add(input, dim, index, src)
        from .scatter_reduce import scatter_reduce

        return scatter_reduce(input, dim, index, src, "prod")
    n = input._array.ndim
    d = wrap_dim(dim, n)
    _check_index(index, "scatter", n)
    _check_scatter(input, d, index, src if isinstance(src, Tensor) else None)
    return Scatter.apply(input, d, index, src)


class ScatterAdd(Function):
    @staticmethod
    def forward(ctx, x, dim, index, src):
        ctx.dim, ctx.index, ctx.src_shape = dim, index._array, src._array.shape
        out = x._array.copy()  # a C-contiguous copy, as the scatter-add kernel wants
        ctx.out_shape = out.shape
        values = _crop(src._array, index._array.shape).astype(out.dtype, copy=False)
        backend(x).index_add_at(out, _scatter_key(index._array, dim), values)
        return out

    @staticmethod
    def backward(ctx, grad):
        g_src = None
        if ctx.needs_input_grad[3]:
            g_src = _pad(gather(grad, ctx.dim, _const(ctx.index)), ctx.src_shape)
        return grad, None, None, g_src

    @staticmethod
    def jvp(ctx, tx, _, __, tsrc):
        from .._creation import zeros

        if tsrc is None:
            return tx
        if tx is None:
            tx = zeros(ctx.out_shape, dtype=tsrc.dtype)
        return ScatterAdd.apply(tx, ctx.dim, _const(ctx.index), tsrc)


def scatter_add(input, dim: int, index, src):
    """Add ``src`` into a copy of ``input`` at ``index`` along ``dim``; repeated indices add
    up: ``out[i][index[i][j]] += src[i][j]`` (the backward of ``gather``)."""
    n = input._array.ndim
    d = wrap_dim(dim, n)
    _check_index(index, "scatter_add", n)
    _check_scatter(input, d, index, src)
    return ScatterAdd.apply(input, d, index, src)


# -- index_select / index_add ---------------------------------------------------------------


def _check_vector_index(index, name: str):
    from .._tensor import Tensor

    if not isinstance(index, Tensor):
        raise TypeError(f"{name}(): argument 'index' must be Tensor, not "
                        f"{type(index).__name__}")
    if index._array.ndim > 1:
        raise IndexError(f"{name}(): Index is supposed to be a vector")
    if index._array.dtype.kind not in "iu" or index._array.dtype.itemsize < 4:
        raise RuntimeError(f"{name}(): Expected dtype int32 or int64 for index")


class IndexSelect(Function):
    @staticmethod
    def forward(ctx, x, dim, index):
        ctx.dim, ctx.shape, ctx.index = dim, x._array.shape, index._array
        return x._array[(slice(None),) * dim + (index._array.reshape(-1),)]

    @staticmethod
    def backward(ctx, grad):
        from .._creation import zeros

        base = zeros(ctx.shape, dtype=grad.dtype, device=grad.device)
        return index_add(base, ctx.dim, _const(ctx.index), grad), None, None

    @staticmethod
    def jvp(ctx, t, *_):
        return IndexSelect.apply(t, ctx.dim, _const(ctx.index))


def index_select(input, dim: int, index):
    """The slices of ``input`` along ``dim`` at the positions in the 1-d ``index``:
    ``index_select(x, 0, tensor([2, 0]))`` is rows 2 and 0 of ``x`` (a copy)."""
    n = input._array.ndim
    d = wrap_dim(dim, n)
    _check_vector_index(index, "index_select")
    size = input._array.shape[d] if n else 1
    idx = index._array
    if idx.size and (idx.max() >= size or idx.min() < 0):
        raise IndexError("index out of range in self")
    if n == 0:  # a 0-d input takes one index and gives a 0-d result
        if idx.size != 1:
            raise RuntimeError("index_select(): Index to scalar can have only 1 value, got "
                               f"{idx.size} value(s)")
        return IndexSelect.apply(input.reshape(1), 0, index.reshape(1)).reshape(())
    return IndexSelect.apply(input, d, index)


class IndexAdd(Function):
    @staticmethod
    def forward(ctx, x, dim, index, source, alpha):
        ctx.dim, ctx.index, ctx.alpha = dim, index._array, alpha
        out = x._array.copy()  # a C-contiguous copy, as the scatter-add kernel wants
        ctx.out_shape = out.shape
        values = source._array if alpha == 1 else source._array * alpha
        key = (slice(None),) * dim + (index._array.reshape(-1),)
        backend(x).index_add_at(out, key, values.astype(out.dtype, copy=False))
        return out

    @staticmethod
    def backward(ctx, grad):
        g_src = None
        if ctx.needs_input_grad[3]:
            g_src = index_select(grad, ctx.dim, _const(ctx.index))
            if ctx.alpha != 1:
                g_src = g_src * ctx.alpha
        return grad, None, None, g_src, None

    @staticmethod
    def jvp(ctx, tx, _, __, tsrc, ___):
        from .._creation import zeros

        if tsrc is None:
            return tx
        if tx is None:
            tx = zeros(ctx.out_shape, dtype=tsrc.dtype)
        return IndexAdd.apply(tx, ctx.dim, _const(ctx.index), tsrc, ctx.alpha)


def index_add(input, dim: int, index, source, *, alpha=1):
    """A copy of ``input`` with ``alpha * source``'s slices added at the positions
    ``index`` along ``dim``; repeated indices add up (the backward of ``index_select``)."""
    n = input._array.ndim
    d = wrap_dim(dim, n)
    _check_vector_index(index, "index_add_")
    k = index._array.size
    src_size = source._array.shape[d] if source._array.ndim else 1
    if k != src_size:
        raise RuntimeError(f"index_add_(): Number of indices ({k}) should be equal to "
                           f"source.size(dim): ({src_size}), for dim: {d}")
    _check_range(index._array, input._array.shape[d] if n else 1, d)
    return IndexAdd.apply(input, d, index, source, alpha)


# -- masks ----------------------------------------------------------------------------------


class MaskedFill(Function):
    @staticmethod
    def forward(ctx, x, mask, value):
        B = backend(x)
        ctx.mask, ctx.out_shape = mask._array, x._array.shape
        v = value._array if hasattr(value, "_array") else value
        out = B.where(mask._array, B.asarray(v, dtype=x._array.dtype), x._array)
        return B.asarray(out, dtype=x._array.dtype)

    @staticmethod
    def backward(ctx, grad):
        mask = _const(ctx.mask)
        g_x = masked_fill(grad, mask, 0.0) if ctx.needs_input_grad[0] else None
        g_v = None
        if ctx.needs_input_grad[2]:
            g_v = (grad * mask.expand(grad.shape)).sum()
        return g_x, None, g_v

    @staticmethod
    def jvp(ctx, tx, _, tv):
        from .._creation import zeros

        mask = _const(ctx.mask)
        if tx is None:
            tx = zeros(ctx.out_shape, dtype=tv.dtype)
        return MaskedFill.apply(tx, mask, 0.0 if tv is None else tv)


def masked_fill(input, mask, value):
    """``value`` where ``mask`` is True, ``input`` elsewhere (``mask`` broadcasts).

    The classic use: hide padding or future positions before a softmax,
    ``scores.masked_fill(mask, float('-inf'))``.
    """
    from .._tensor import Tensor

    if mask._array.dtype.kind != "b":
        names = {"int64": "long int", "int32": "int", "uint8": "unsigned char"}
        got = names.get(mask._array.dtype.name, mask._array.dtype.name)
        raise RuntimeError(f"masked_fill_ only supports boolean masks, but got mask with "
                           f"dtype {got}")
    if isinstance(value, Tensor) and value._array.ndim:
        raise RuntimeError("masked_fill_ only supports a 0-dimensional value tensor, but got "
                           f"tensor with {value._array.ndim} dimension(s).")
    from .shape import broadcast_shapes, expand

    shape = broadcast_shapes(input._array.shape, mask._array.shape)
    if tuple(shape) != input._array.shape:
        input = expand(input, shape)
    return MaskedFill.apply(input, mask, value)


def masked_select(input, mask):
    """The elements of ``input`` where ``mask`` is True, as a 1-d tensor (a copy; both
    broadcast first)."""
    from .shape import broadcast_tensors

    if mask._array.dtype.kind != "b":
        raise RuntimeError("masked_select: expected BoolTensor for mask")
    input, mask = broadcast_tensors(input, mask)
    return input[mask]


def nonzero(input, *, as_tuple: bool = False):
    """The indices of the non-zero elements: an (n, ndim) int64 tensor, one row per element,
    or with ``as_tuple=True`` one 1-d tensor per dimension (usable as an index)."""
    from .._tensor import Tensor

    B = backend(input)
    a = input._array if input._array.ndim else input._array.reshape(1)
    found = B.nonzero(a)
    if as_tuple:
        return tuple(Tensor._make(B.asarray(i, dtype=dt.int64.numpy)) for i in found)
    rows = B.stack(found, axis=1) if input._array.ndim else B.zeros((len(found[0]), 0))
    return Tensor._make(B.asarray(rows, dtype=dt.int64.numpy))


def argwhere(input):
    """``nonzero(input)``: one row of indices per non-zero element."""
    return nonzero(input)


def take(input, index):
    """Elements of ``input`` (read as 1-d) at ``index``; the result has ``index``'s shape."""
    n = input.numel()
    idx = index._array
    if idx.dtype != np.int64:
        from .pointwise import type_name

        raise RuntimeError(f"take(): Expected a long tensor for index, but got {type_name(idx)}")
    if idx.size and (idx.max() >= n or idx.min() < -n):
        bad = idx.max() if idx.max() >= n else idx.min()
        raise IndexError(f"out of range: tried to access index {int(bad)} on a tensor of {n} "
                         "elements.")
    return input.reshape(-1)[index]


def take_along_dim(input, indices, dim: int | None = None):
    """``gather`` with broadcasting: pick along ``dim`` at ``indices`` (the result of
    ``argmax(dim, keepdim=True)``, say). Without ``dim`` both are read as 1-d."""
    if dim is None:
        return gather(input.reshape(-1), 0, indices.reshape(-1))
    n = input._array.ndim
    d = wrap_dim(dim, n)
    if indices._array.ndim != n:
        raise RuntimeError(f"torch.take_along_dim(): input and indices should have the same "
                           f"number of dimensions, but got {n} dimensions for input, and "
                           f"{indices._array.ndim} dimensions for indices")
    from .shape import broadcast_shapes

    a, i = list(input._array.shape), list(indices._array.shape)
    a[d] = i[d] = 1
    common = list(broadcast_shapes(a, i))
    shape_in, shape_idx = common.copy(), common.copy()
    shape_in[d], shape_idx[d] = input._array.shape[d], indices._array.shape[d]
    return gather(input.expand(shape_in), d, indices.expand(shape_idx))


def index_fill(input, dim: int, index, value):
    """``value`` in the slices ``index`` along ``dim`` (``x.index_fill(1, idx, 0)`` zeroes
    columns ``idx``): a ``masked_fill`` whose mask marks those slices, so the gradient is
    zero there and passes through elsewhere."""
    from .._tensor import Tensor

    _check_index(index, "index_fill")
    if index._array.ndim > 1:
        raise RuntimeError("Index has to be a vector/scalar")
    a = input._array
    d = wrap_dim(dim, a.ndim) if a.ndim else 0
    B = backend(input)
    size = a.shape[d] if a.ndim else 1
    positions = B.to_numpy(index._array).reshape(-1)
    if positions.size and (positions.max() >= size or positions.min() < -size):
        bad = positions.max() if positions.max() >= size else positions.min()
        raise IndexError(f"index {bad} is out of bounds for dimension {d} with size {size}")
    marked = np.zeros(size, dtype=bool)
    marked[positions] = True  # negative indices count from the end, as in PyTorch
    shape = [1] * a.ndim
    if a.ndim:
        shape[d] = a.shape[d]
    mask = Tensor._make(B.from_numpy(marked.reshape(shape), input.device))
    return masked_fill(input, mask, value)


def bincount(input, weights=None, minlength: int = 0):
    """How often each value 0, 1, ..., max occurs in a 1-d tensor of non-negative integers
    (``out[v]`` counts the ``v``s; with ``weights``, sums their weights). Not differentiable.
    """
    from .._tensor import Tensor

    a = input._array
    if a.dtype.kind not in "iu":
        raise NotImplementedError(f'"bincount_cpu" not implemented for '
                                  f"'{input.dtype.name.capitalize()}'")
    if a.ndim != 1 or (a.size and a.min() < 0):
        raise RuntimeError("bincount only supports 1-d non-negative integral inputs.")
    B = backend(input)
    w = None if weights is None else B.to_numpy(weights._array)
    counts = np.bincount(B.to_numpy(a), weights=w, minlength=minlength)
    dtype = dt.int64.numpy if weights is None else weights._array.dtype
    return Tensor._make(B.from_numpy(counts.astype(dtype), input.device))


__all__ = ["gather", "scatter", "scatter_add", "index_select", "index_add", "masked_fill",
           "masked_select", "nonzero", "argwhere", "take", "take_along_dim", "bincount",
           "index_fill"]

TENSOR_METHODS = {
    "gather": gather, "scatter": scatter, "scatter_add": scatter_add,
    "index_select": index_select, "index_add": index_add, "masked_fill": masked_fill,
    "masked_select": masked_select, "nonzero": nonzero, "argwhere": argwhere, "take": take,
    "take_along_dim": take_along_dim, "bincount": bincount, "index_fill": index_fill,
}

INPLACE_METHODS = {"scatter_": scatter, "scatter_add_": scatter_add, "index_add_": index_add,
                   "masked_fill_": masked_fill, "index_fill_": index_fill}
