"""Searching sorted tensors: ``searchsorted``, ``bucketize``, ``isin``, and ``histc``.

``searchsorted(seq, v)`` is where ``v`` would go to keep ``seq`` sorted: the number of
elements of ``seq`` that come before it. A binary search finds that count in log2(n) steps,
and here every value is searched at once, the same step for all of them ("binary
lifting"): the count is built from its highest bit down. With n = 6 (bits 4, 2, 1), a value
first asks "are the first 4 elements all before me?", which is the question "is element 3
before me?" because the row is sorted; if so, it keeps 4 and asks about the first 4 + 2,
and so on. Each step is a few elementwise operations on whole arrays, so the same code runs
on numpy and on the cuda backend.

The others are built on it: ``bucketize`` is ``searchsorted`` with the arguments swapped,
``isin`` looks each element up in the sorted test elements, and ``histc`` counts how many
elements fall between consecutive bin edges. None of them is differentiable (their results
are counts and indices), so they work on arrays and return tensors without a graph.
"""

from __future__ import annotations

import numpy as np

from .. import _dtype as dt
from .._tensor import Tensor
from ._util import backend, check_same_device, promoted_dtype


def _count_before(B, seq, values, right: bool):
    """For each value, how many elements of its sorted row of ``seq`` come before it (also
    those equal to it when ``right``). NaN counts as the largest value, as in ``sort``."""
    n = seq.shape[-1]
    count = B.zeros(values.shape, dtype=np.int64)
    floats = values.dtype.kind == "f"
    step = 1 << (n.bit_length() - 1) if n else 0
    while step:
        probe = count + step  # try to count ``step`` more elements
        last = B.minimum(probe, n) - 1  # the last of them (kept inside the row)
        if seq.ndim == 1:
            s = B.take_along_axis(seq, last.reshape(-1), axis=0).reshape(last.shape)
        else:
            s = B.take_along_axis(seq, last, axis=-1)
        if right:
            before = s <= values
            if floats:
                before = before | B.isnan(values)
        else:
            before = s < values
            if floats:
                before = before | (B.isnan(values) & ~B.isnan(s))
        count = B.where((probe <= n) & before, probe, count)
        step //= 2
    return count


def _check_search(seq: Tensor, values: Tensor, side, right: bool, sorter) -> None:
    name = "torch.searchsorted():"
    if seq.ndim == 0:
        raise RuntimeError(f"{name} boundaries tensor should have positive dimension, but got "
                           "0 dimension")
    if side not in (None, "left", "right"):
        raise RuntimeError(f"{name} side can only be 'left' or 'right' but got {side}")
    if side == "left" and right:
        raise RuntimeError(f"{name} side and right can't be set to opposites, got side of left "
                           "while right was True")
    if seq.ndim > 1 and values.ndim == 0:
        raise RuntimeError(
            f"{name} input value can be a scalar only when boundaries tensor dimension is 1, "
            f"but we got boundaries tensor dim({seq.ndim}) and input value's dim(0) numel(1)")
    if seq.ndim > 1 and (seq.ndim != values.ndim or seq.shape[:-1] != values.shape[:-1]):
        raise RuntimeError(
            f"{name} boundaries tensor should be 1 dimension or the first N-1 dimensions of "
            f"boundaries tensor and input value tensor must match, but we got boundaries "
            f"tensor {list(seq.shape)} and input value tensor {list(values.shape)}")
    if sorter is not None:
        if sorter.dtype != dt.int64:
            raise RuntimeError(f"{name} sorter must be a tensor of long dtype but got dtype "
                               f"{sorter.dtype.name.capitalize()}")
        if sorter.shape != seq.shape:
            raise RuntimeError(f"{name} boundary and sorter must have the same size, but got "
                               f"boundary tensor {list(seq.shape)}and got sorter tensor "
                               f"{list(sorter.shape)}")
        n = seq.shape[-1]
        if sorter.numel() and not bool(((sorter >= 0) & (sorter < n)).all()):
            raise RuntimeError(f"{name} sorter index out of range")


def _as_tensor_like(value, like: Tensor) -> Tensor:
    """A Python number as a 0-d tensor on ``like``'s device."""
    if isinstance(value, Tensor):
        return value
    from .._creation import tensor

    return tensor(value, device=like.device)


def searchsorted(sorted_sequence: Tensor, values, *, out_int32: bool = False,
                 right: bool = False, side: str | None = None,
                 sorter: Tensor | None = None) -> Tensor:
    """Where each of ``values`` would be inserted to keep ``sorted_sequence`` sorted.

    With ``right=False`` (or ``side='left'``) the index of the first element >= the value,
    with ``right=True`` (``side='right'``) of the first element > it. ``sorted_sequence`` is
    1-D (one sequence for all values) or has the leading dims of ``values`` (one sorted row
    per row of values). ``sorter`` holds the indices that sort an unsorted sequence (from
    ``argsort``). The result is int64 (int32 with ``out_int32``), shaped like ``values``.
    NaN counts as larger than every number, as in ``sort`` (PyTorch's answer for a sequence
    holding NaN depends on the path of its search).
    """
    values = _as_tensor_like(values, sorted_sequence)
    check_same_device(sorted_sequence._array, values._array)
    _check_search(sorted_sequence, values, side, right, sorter)
    right = right or side == "right"
    B = backend(sorted_sequence)
    common = promoted_dtype(sorted_sequence, values).numpy
    seq = sorted_sequence._array.astype(common, copy=False)
    if sorter is not None:
        seq = B.take_along_axis(seq, sorter._array, axis=-1)
    count = _count_before(B, seq, values._array.astype(common, copy=False), right)
    return Tensor._make(B.asarray(count, dtype=np.int32 if out_int32 else np.int64))


def bucketize(input, boundaries: Tensor, *, out_int32: bool = False,
              right: bool = False) -> Tensor:
    """The bucket of each element of ``input``, between the sorted 1-D ``boundaries``:
    index i with boundaries[i-1] < x <= boundaries[i] (``right=False``), or
    boundaries[i-1] <= x < boundaries[i] (``right=True``). This is
    ``searchsorted(boundaries, input)``."""
    if boundaries.ndim != 1:
        raise RuntimeError(f"boundaries tensor must be 1 dimension, but got dim({boundaries.ndim})")
    return searchsorted(boundaries, input, out_int32=out_int32, right=right)


def isin(elements, test_elements, *, assume_unique: bool = False,
         invert: bool = False) -> Tensor:
    """A bool tensor shaped like ``elements``: True where the element is one of
    ``test_elements`` (either may be a number). ``invert=True`` gives the opposite.

    The test elements are sorted once; each element is then found by ``searchsorted`` and
    compared with the test element at that position (NaN is never found: NaN != NaN).
    """
    if not isinstance(elements, Tensor) and not isinstance(test_elements, Tensor):
        raise TypeError("isin() received an invalid combination of arguments: elements or "
                        "test_elements must be a Tensor")
    like = elements if isinstance(elements, Tensor) else test_elements
    elements = _as_tensor_like(elements, like)
    tests = _as_tensor_like(test_elements, like).reshape(-1).sort().values
    n = tests.numel()
    if n == 0:
        from .._creation import zeros

        found = zeros(elements.shape, dtype=dt.bool_, device=elements.device)
    else:
        position = searchsorted(tests, elements).clamp(max=n - 1)
        found = tests.detach().take(position) == elements.detach()
    return ~found if invert else found


def histc(input: Tensor, bins: int = 100, min: float = 0, max: float = 0) -> Tensor:
    """A histogram: counts of the elements in ``bins`` equal-width bins from ``min`` to
    ``max`` (elements outside are ignored, ``max`` itself goes in the last bin). With
    ``min == max`` the range is the data's smallest and largest element.

    Each element's bin is first computed by a division, (x - min) / width, which can round
    an element lying on an edge into the neighbouring bin; comparing it with the two edges
    of its bin moves it back. The counts are then a scatter-add of ones.
    """
    from .._creation import linspace, zeros
    from .pointwise import not_implemented, where
    from .scatter import index_add

    if isinstance(bins, bool) or not isinstance(bins, int):
        raise TypeError(f"histc(): argument 'bins' must be int, not {type(bins).__name__}")
    if input.dtype.numpy.kind != "f":
        raise not_implemented("histogram", input._array)
    if bins <= 0:
        raise RuntimeError(f"torch.histogram(): bins must be > 0, but got {bins} for dimension 0")
    if min > max:
        raise RuntimeError("torch.histc: max must be larger than min")
    x = input.detach().reshape(-1)
    low, high = float(min), float(max)
    if low == high and x.numel():
        low, high = x.min().item(), x.max().item()
    if low == high:
        low, high = low - 1, high + 1
    if not (np.isfinite(low) and np.isfinite(high)):
        raise RuntimeError(f"torch.histc: range of [{low:g}, {high:g}] is not finite")
    edges = linspace(low, high, bins + 1, dtype=x.dtype, device=x.device)
    inside = (x >= low) & (x <= high)  # False for NaN
    x = where(inside, x, low)
    index = ((x - low) * (bins / (high - low))).floor().clamp(0, bins - 1).long()
    index = index - (x < edges.take(index)).long()  # rounded up past its bin's left edge
    index = index + ((x >= edges.take(index + 1)) & (index < bins - 1)).long()  # or down
    counts = zeros(bins, dtype=input.dtype, device=input.device)
    return index_add(counts, 0, index, inside.to(input.dtype))


__all__ = ["searchsorted", "bucketize", "isin", "histc"]

TENSOR_METHODS = {"histc": histc}
