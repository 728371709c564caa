"""Counting values: ``unique_consecutive`` (runs of equal values) and ``histogram``.

Both answer "how many?" questions whose answer's size depends on the data, so they run in
numpy on the host (a cuda tensor is copied there and the results copied back) and are not
differentiable.

``unique_consecutive`` keeps the first element of every run of equal neighbours:
[1, 1, 2, 2, 3, 1, 1] -> [1, 2, 3, 1] (``unique`` would also merge the two runs of 1s).
A run starts where an element differs from the one before it; counting the starts up to
each element gives that element's place in the result (``return_inverse``), and the
distances between starts the runs' lengths (``return_counts``).
"""

from __future__ import annotations

import numpy as np

from .._tensor import Tensor
from ._util import backend, wrap_dim
from .pointwise import not_implemented
from .reduce import return_type

histogram_result = return_type("histogram", ("hist", "bin_edges"))


def _wrap(like: Tensor, array: np.ndarray) -> Tensor:
    """A numpy result as a tensor on ``like``'s device."""
    return Tensor._make(backend(like).from_numpy(np.ascontiguousarray(array), like.device))


def unique_consecutive(input: Tensor, return_inverse: bool = False,
                       return_counts: bool = False, dim: int | None = None):
    """The first element of each run of equal consecutive elements (of the flattened
    tensor, or the first slice of each run of equal slices along ``dim``).

    ``return_inverse`` also gives, for each input element (or slice), the index of its run
    in the result; ``return_counts`` the length of each run. NaN never equals NaN, so every
    NaN is a run of its own.
    """
    a = backend(input).to_numpy(input._array)
    if dim is None:
        flat = a.reshape(-1)
        starts = np.ones(flat.shape, dtype=bool)
        starts[1:] = flat[1:] != flat[:-1]
        values = flat[starts]
        inverse_shape = a.shape
    else:
        d = wrap_dim(dim, a.ndim, scalar_ok=False)
        moved = np.moveaxis(a, d, 0)
        starts = np.ones(moved.shape[0], dtype=bool)
        if moved.shape[0]:
            rows = moved.reshape(moved.shape[0], -1)
            starts[1:] = (rows[1:] != rows[:-1]).any(axis=1)
        values = np.moveaxis(moved[starts], 0, d)
        inverse_shape = (moved.shape[0],)
    out = [_wrap(input, values)]
    if return_inverse:
        inverse = (np.cumsum(starts) - 1).astype(np.int64)
        out.append(_wrap(input, inverse.reshape(inverse_shape)))
    if return_counts:
        edges = np.append(np.flatnonzero(starts), starts.size)
        out.append(_wrap(input, np.diff(edges).astype(np.int64)))
    return out[0] if len(out) == 1 else tuple(out)


def histogram(input: Tensor, bins=100, *, range=None, weight: Tensor | None = None,
              density: bool = False):
    """How many elements fall into each bin: a named tuple ``(hist, bin_edges)``.

    ``bins`` is a number of equal-width bins spanning ``range`` (default: from the smallest
    to the largest element), or a 1-d tensor of increasing bin edges. A bin includes its left
    edge; the last also its right edge. ``weight`` counts each element with its weight;
    ``density=True`` scales the counts so that the histogram integrates to 1.
    """
    a = input._array
    if a.dtype.kind != "f":
        raise not_implemented("histogramdd", a)
    B = backend(input)
    data = B.to_numpy(a).reshape(-1)
    w = None if weight is None else B.to_numpy(weight._array).reshape(-1)
    if isinstance(bins, Tensor):
        if bins._array.dtype != a.dtype:
            names = {"float32": "float", "float64": "double", "int64": "long int",
                     "int32": "int"}
            raise RuntimeError(f"torch.histogramdd: input tensor and bins tensors should have "
                               f"the same dtype, but got input with dtype "
                               f"{names.get(a.dtype.name, a.dtype.name)} and bins for dimension "
                               f"0 with dtype {names.get(bins._array.dtype.name)}")
        edges = B.to_numpy(bins._array).reshape(-1)
        if edges.size >= 2 and (np.diff(edges) < 0).any():
            return histogram_result(_wrap(input, np.zeros(edges.size - 1, a.dtype)),
                                    bins.clone())
    else:
        if int(bins) <= 0:
            raise RuntimeError(f"torch.histogram(): bins must be > 0, but got {bins} for "
                               "dimension 0")
        lo, hi = (float(data.min()), float(data.max())) if range is None and data.size else \
            (0.0, 0.0) if range is None else (float(range[0]), float(range[1]))
        if lo > hi:
            raise RuntimeError(f"torch.histogramdd: min should not exceed max, but got min "
                               f"{lo:g} max {hi:g} for dimension 0")
        if lo == hi:  # one value: numpy's and PyTorch's bins of width 1 around it
            lo, hi = lo - 0.5, hi + 0.5
        edges = np.linspace(lo, hi, int(bins) + 1).astype(a.dtype)
    hist, _ = np.histogram(data, edges.astype(np.float64), weights=w, density=density)
    return histogram_result(_wrap(input, hist.astype(a.dtype)), _wrap(input, edges))


__all__ = ["unique_consecutive", "histogram"]

TENSOR_METHODS = {name: globals()[name] for name in __all__}
