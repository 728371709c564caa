"""Writing values into a copy of a tensor: ``index_put``, ``index_copy``,
``masked_scatter``, ``put``, ``select_scatter`` and ``slice_scatter``.

Each is the out-of-place form of an assignment: ``index_put(x, (i,), v)`` is
``y = x.clone(); y[i] = v``, ``select_scatter(x, v, 0, 2)`` is ``y[2] = v``,
``slice_scatter(x, v, 1, 0, None, 2)`` is ``y[:, ::2] = v``. So they share index
assignment's Function (``index.IndexPut``) and its gradient: the gradient of ``x`` is the
incoming gradient with zeros where values were written over, and the gradient of the
values is the incoming gradient picked at the places they were written to.

With ``accumulate=True`` (``index_put``, ``put``) the values are *added*, once for every
time an index repeats: that is ``x + (zeros with the values scatter-added in)``, whose
gradient is the incoming one for ``x`` and the picked one for the values.
"""

from __future__ import annotations

from .. import _dtype as dt
from .._tensor import Tensor
from ._util import wrap_dim
from .index import IndexBackward, IndexPut, _convert_key
from .pointwise import type_name


def _name(tensor) -> str:
    """PyTorch's name of a tensor's dtype in messages: ``Float``, ``Double``, ``Long``."""
    return type_name(tensor._array)


def _indexed_shape(input, key) -> tuple:
    """The shape of ``input[key]`` (numpy's rules for index arrays), with PyTorch's error
    for an index out of range."""
    try:
        return input._array[key].shape
    except IndexError as e:
        raise IndexError(str(e).replace(" axis ", " dimension ")) from None


def _added_at(input, key, values):
    """``input`` plus ``values`` scatter-added at ``key`` (repeats add up)."""
    from .shape import broadcast_shapes

    target = _indexed_shape(input, key)
    try:
        broadcast_shapes(values.shape, target)
    except RuntimeError:
        raise RuntimeError(f"shape mismatch: value tensor of shape {list(values.shape)} cannot "
                           f"be broadcast to indexing result of shape {list(target)}") from None
    return input + IndexBackward.apply(values.expand(target), key, tuple(input.shape))


def index_put(input: Tensor, indices, values: Tensor, accumulate: bool = False) -> Tensor:
    """A copy of ``input`` with ``values`` written at ``input[indices]`` (``indices``: a
    tuple of index tensors, one per leading dim, as in ``x[i, j] = v``; ``None`` keeps a
    whole dim). With ``accumulate=True`` the values are added instead, and a position named
    twice receives both: ``zeros(3).index_put((tensor([0, 0]),), tensor([1., 2.]), True)``
    is ``[3., 0., 0.]``."""
    if not isinstance(indices, (tuple, list)):
        raise TypeError(f"index_put(): argument 'indices' (position 1) must be tuple of "
                        f"Tensors, not {type(indices).__name__}")
    for i, k in enumerate(indices):
        if not isinstance(k, Tensor):
            raise TypeError(f"expected Tensor as element {i} in argument 0, but got "
                            f"{type(k).__name__}")
    if not isinstance(values, Tensor):
        raise TypeError(f"index_put(): argument 'values' (position 2) must be Tensor, not "
                        f"{type(values).__name__}")
    if values._array.dtype != input._array.dtype:
        raise RuntimeError(f"Index put requires the source and destination dtypes match, got "
                           f"{_name(input)} for the destination and {_name(values)} for the "
                           "source.")
    key, _ = _convert_key(tuple(indices))
    if accumulate:
        return _added_at(input, key, values)
    _indexed_shape(input, key)
    return IndexPut.apply(input, key, values)


def index_copy(input: Tensor, dim: int, index: Tensor, source: Tensor) -> Tensor:
    """A copy of ``input`` whose slice ``index[i]`` along ``dim`` is ``source``'s slice i:
    ``x.index_copy(0, tensor([2, 0]), s)`` writes s[0] into row 2 and s[1] into row 0.
    When an index repeats, which slice wins is not defined (as in PyTorch)."""
    if not isinstance(index, Tensor):
        raise TypeError(f"index_copy(): argument 'index' must be Tensor, not "
                        f"{type(index).__name__}")
    if index._array.dtype != dt.int64.numpy:
        raise RuntimeError(f"index_copy_(): Expected a long tensor for index, but got "
                           f"{_name(index)}")
    if index._array.ndim > 1:
        raise IndexError(f"index_copy_(): Index should have dimension 1 or 0 (got "
                         f"{index._array.ndim})")
    if source._array.dtype != input._array.dtype:
        raise RuntimeError(f"index_copy_(): self and source expected to have the same dtype, "
                           f"but got (self) {_name(input)} and (source) {_name(source)}")
    n, m = input._array.ndim, source._array.ndim
    if n == 0 or m == 0:  # a number is a vector of one element
        out = index_copy(input.reshape(-1), 0, index.reshape(-1), source.reshape(-1))
        return out.reshape(input.shape)
    d = wrap_dim(dim, n)
    if n != m:
        raise IndexError(f"index_copy_(): When source and destination are not scalars, their "
                         f"dimensionality must match. Source dimensionality ({m}), "
                         f"destination dimensionality ({n})")
    count = index._array.size
    if count != source._array.shape[d]:
        raise IndexError(f"index_copy_(): Number of indices ({count}) should be equal to "
                         f"source.size(dim) ({source._array.shape[d]})")
    rest = [s for k, s in enumerate(input._array.shape) if k != d]
    src_rest = [s for k, s in enumerate(source._array.shape) if k != d]
    if rest != src_rest:
        raise RuntimeError(
            f"index_copy_(): Source/destination tensor must have same slice shapes. "
            f"Destination slice shape: {', '.join(map(str, rest))} at dimension {d} and source "
            f"slice shape: {', '.join(map(str, src_rest))} at dimension {d}.")
    idx = index._array.reshape(-1)
    size = input._array.shape[d]
    if count and (int(idx.min()) < 0 or int(idx.max()) >= size):
        bad = int(idx.min()) if int(idx.min()) < 0 else int(idx.max())
        raise IndexError(f"index_copy_(): index {bad} is out of bounds for dimension {d} with "
                         f"size {size}")
    return IndexPut.apply(input, (slice(None),) * d + (idx,), source)


def masked_scatter(input: Tensor, mask: Tensor, source: Tensor) -> Tensor:
    """A copy of ``input`` whose elements where ``mask`` is True are replaced by the
    elements of ``source``, taken in order (row-major): the k-th True position gets
    ``source.flatten()[k]``. ``input`` and ``mask`` broadcast together; ``source`` needs at
    least as many elements as ``mask`` has True values. It undoes ``masked_select``:
    ``x.masked_scatter(m, x.masked_select(m))`` is ``x``."""
    from .shape import broadcast_tensors

    if mask._array.dtype.kind != "b":
        raise RuntimeError(f"masked_scatter_ only supports boolean masks, but got mask with "
                           f"dtype {_name(mask)}")
    if source._array.dtype != input._array.dtype:
        raise RuntimeError(f"masked_scatter: expected self and source to have same dtypes but "
                           f"got{_name(input)} and {_name(source)}")
    input, mask = broadcast_tensors(input, mask)
    k = int(mask._array.sum())
    if source.numel() < k:
        raise RuntimeError("Number of elements of source < number of ones in mask")
    return IndexPut.apply(input, (mask._array,), source.reshape(-1)[:k])


def put(input: Tensor, index: Tensor, source: Tensor, accumulate: bool = False) -> Tensor:
    """A copy of ``input`` with ``source`` written at ``index``, ``input`` read as 1-d (the
    inverse of ``take``): ``index`` and ``source`` have as many elements, negative indices
    count from the end, and ``accumulate=True`` adds instead of writing."""
    if not isinstance(index, Tensor):
        raise TypeError(f"put(): argument 'index' must be Tensor, not {type(index).__name__}")
    if index._array.dtype != dt.int64.numpy:
        raise RuntimeError(f"put_(): Expected a long tensor for index, but got {_name(index)}")
    if source._array.dtype != input._array.dtype:
        raise RuntimeError(f"put_(): self and source expected to have the same dtype, but got "
                           f"self.dtype = {_name(input)} and source.dtype = {_name(source)}")
    if source.numel() != index.numel():
        raise IndexError(f"put_(): Expected source and index to have the same number of "
                         f"elements, but got source.numel() = {source.numel()}, "
                         f"index.numel() = {index.numel()}")
    n = input.numel()
    idx = index._array
    if idx.size and (int(idx.max()) >= n or int(idx.min()) < -n):
        bad = int(idx.max()) if int(idx.max()) >= n else int(idx.min())
        raise IndexError(f"out of range: tried to access index {bad} on a tensor of {n} "
                         "elements.")
    flat = input.reshape(-1)
    out = index_put(flat, ((index % max(n, 1)).reshape(-1),), source.reshape(-1), accumulate)
    return out.reshape(input.shape)


def _check_slice_shape(src, slice_shape) -> None:
    if tuple(src.shape) != tuple(slice_shape):
        raise RuntimeError(f"expected src to have a size equal to the slice of self. src size "
                           f"= {list(src.shape)}, slice size = {list(slice_shape)}")


def select_scatter(input: Tensor, src: Tensor, dim: int, index: int) -> Tensor:
    """A copy of ``input`` with ``src`` as its slice ``index`` along ``dim`` (the slice
    ``select(input, dim, index)`` names): ``select_scatter(zeros(2, 2), ones(2), 0, 0)``
    is ``[[1, 1], [0, 0]]``."""
    from .shape import select

    d = wrap_dim(dim, input._array.ndim)
    _check_slice_shape(src, select(input.detach(), d, index).shape)
    i = index + input._array.shape[d] if index < 0 else index
    return IndexPut.apply(input, (slice(None),) * d + (int(i),), src.to(input.dtype))


def slice_scatter(input: Tensor, src: Tensor, dim: int = 0, start: int | None = None,
                  end: int | None = None, step: int = 1) -> Tensor:
    """A copy of ``input`` with ``src`` written into the slice ``start:end:step`` of
    ``dim``: ``slice_scatter(x, v, 1, 0, None, 2)`` is ``x`` with ``x[:, ::2] = v``."""
    if step <= 0:
        raise RuntimeError("slice step must be positive")
    d = wrap_dim(dim, input._array.ndim)
    key = (slice(None),) * d + (slice(start, end, step),)
    _check_slice_shape(src, input._array[key].shape)
    return IndexPut.apply(input, key, src.to(input.dtype))


__all__ = ["index_put", "index_copy", "masked_scatter", "put", "select_scatter",
           "slice_scatter"]

TENSOR_METHODS = {name: globals()[name] for name in __all__}

INPLACE_METHODS = {"index_put_": index_put, "index_copy_": index_copy,
                   "masked_scatter_": masked_scatter, "put_": put}
