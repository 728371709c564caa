"""Scatter-add: ``out[index] += values`` where an index may repeat.

This is the backward of every "pick elements" operation (indexing, ``gather``,
``index_select``, an embedding lookup): an element picked twice gets both gradients.
numpy's ``np.add.at`` does it correctly but slowly (one generic step per element), so the two
common layouts get a plain loop that Numba compiles:

* ``index_add_3d``: whole slices along one dimension, ``out[:, index[i], :] += values[:, i, :]``
  (an embedding's backward, ``x[idx]``, ``index_add``);
* ``scatter_add_flat``: single elements by flat position, ``out.flat[index[i]] += values[i]``
  (``scatter_add``, ``gather``'s backward, ``x[rows, cols]``).

``add_at`` picks the kernel for an indexing key, or returns False for numpy's general path.
"""

import numpy as np
from numba import njit


@njit(cache=True)
def index_add_3d(out, index, values):
    """``out[p, index[i], q] += values[p, i, q]`` for all p, i, q (3-d arrays)."""
    for p in range(out.shape[0]):
        for i in range(index.shape[0]):
            row = index[i]
            for q in range(out.shape[2]):
                out[p, row, q] += values[p, i, q]


@njit(cache=True)
def scatter_add_flat(out, index, values):
    """``out[index[i]] += values[i]`` for 1-d arrays."""
    for i in range(index.shape[0]):
        out[index[i]] += values[i]


def _int_array(k):
    """``k`` as an integer index array, or None when it is not one (a slice, a mask...)."""
    if isinstance(k, list):
        k = np.asarray(k)
    if isinstance(k, np.ndarray) and k.dtype.kind in "iu":
        return k
    return None


def _wrapped(index: np.ndarray, size: int) -> np.ndarray:
    """Indices as int64 in 0..size-1 (negative ones counted from the end)."""
    index = index.astype(np.int64).reshape(-1)
    return np.where(index < 0, index + size, index)


def index_add(out, dim: int, index, values) -> None:
    """``out[(:,) * dim + (index,)] += values``, with ``index`` a 1-d int array (any size)."""
    n = out.shape[dim]
    pre = int(np.prod(out.shape[:dim]))
    post = int(np.prod(out.shape[dim + 1:]))
    index = _wrapped(index, n)
    values = np.ascontiguousarray(
        np.broadcast_to(values, out.shape[:dim] + (index.size,) + out.shape[dim + 1:]),
        dtype=out.dtype,
    )
    index_add_3d(out.reshape(pre, n, post), index, values.reshape(pre, index.size, post))


def add_at(out: np.ndarray, key, values) -> bool:
    """``out[key] += values`` (repeats add up) with a compiled loop when the key allows it.

    ``out`` must be C-contiguous. Returns False, doing nothing, for keys that need numpy's
    general ``np.add.at``.
    """
    if not out.flags.c_contiguous or out.dtype.kind != "f" or out.dtype.itemsize < 4:
        return False
    items = key if isinstance(key, tuple) else (key,)
    arrays = [_int_array(k) for k in items]
    if all(a is None for a in arrays):
        out[key] += values  # without integer arrays (slices, ints, masks) nothing repeats
        return True
    if len(items) == out.ndim and all(a is not None for a in arrays):
        # One integer array per dimension: each picks a single element.
        arrays = np.broadcast_arrays(*arrays)
        flat = np.zeros(arrays[0].shape, dtype=np.int64)
        for a, size in zip(arrays, out.shape):
            flat = flat * size + _wrapped(a, size).reshape(a.shape)
        values = np.ascontiguousarray(np.broadcast_to(values, flat.shape), dtype=out.dtype)
        scatter_add_flat(out.reshape(-1), flat.reshape(-1), values.reshape(-1))
        return True
    dim = next(i for i, a in enumerate(arrays) if a is not None)
    index = arrays[dim]
    rest = items[:dim] + items[dim + 1:]
    if all(isinstance(k, slice) and k == slice(None) for k in rest):
        # Whole slices along one dimension: out[:, :, index] += values.
        picked = out.shape[:dim] + index.shape + out.shape[dim + 1:]
        values = np.broadcast_to(values, picked)
        flat_values = values.reshape(out.shape[:dim] + (index.size,) + out.shape[dim + 1:])
        index_add(out, dim, index, flat_values)
        return True
    return False
