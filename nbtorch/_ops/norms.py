"""Norms of differences and of slices: ``dist`` and ``renorm``.

* ``dist(a, b, p)``: the p-norm of ``a - b`` (``linalg.vector_norm`` of the difference);
* ``renorm(x, p, dim, maxnorm)``: every slice ``x.select(dim, i)`` whose p-norm exceeds
  ``maxnorm`` is scaled down to norm ``maxnorm`` (precisely: by maxnorm / (norm + 1e-7),
  PyTorch's formula); the others are left alone. This is the max-norm constraint put on
  embedding vectors or weights.

Both are compositions (``vector_norm``, ``where``, ``mul``), so their gradients include
the dependence of the scale on the norm, as PyTorch's do.
"""

from __future__ import annotations

from .._tensor import Tensor
from ._util import wrap_dim
from .pointwise import type_name, where
from .reduce import vector_norm


def dist(input: Tensor, other: Tensor, p: float = 2) -> Tensor:
    """The p-norm of ``input - other`` (the two broadcast): p = 2 the Euclidean distance,
    1 the sum of absolute differences, ``inf`` the largest, 0 how many differ."""
    for t in (input, other):
        if not t.dtype.is_floating_point:
            raise RuntimeError(f"norm(): input dtype should be either floating point or "
                               f"complex. Got {type_name(t._array)} instead.")
    return vector_norm(input - other, p)


def renorm(input: Tensor, p: float, dim: int, maxnorm: float) -> Tensor:
    """``input`` with each slice along ``dim`` scaled down, where needed, so that its
    p-norm is at most ``maxnorm``: ``w.renorm(2, 0, 1.0)`` makes every row of ``w`` at most
    1 long."""
    if p <= 0:
        raise RuntimeError("renorm: non-positive-norm not supported")
    if maxnorm < 0:
        raise RuntimeError(f"renorm: expected maxnorm to be >= 0 but got {maxnorm:g}")
    if input.ndim < 2:
        raise RuntimeError(f"renorm: input needs at least 2 dimensions, got {input.ndim} "
                           "dimensions")
    d = wrap_dim(dim, input.ndim)
    others = tuple(k for k in range(input.ndim) if k != d)
    norm = vector_norm(input, p, others, keepdim=True)
    factor = where(norm > maxnorm, maxnorm / (norm + 1e-7), 1.0)
    return input * factor


__all__ = ["dist", "renorm"]

TENSOR_METHODS = {name: globals()[name] for name in __all__}

INPLACE_METHODS = {"renorm_": renorm}
