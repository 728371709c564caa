"""Covariance and correlation matrices: ``cov`` and ``corrcoef``.

The input holds one variable per row and one observation per column. With weights w_j
(1 by default) for the observations, the covariance of variables x and y is

    cov(x, y) = sum_j w_j (x_j - mean_w(x)) (y_j - mean_w(y)) / (sum_j w_j - correction)

where mean_w is the weighted mean. ``correction=1`` (the default) is Bessel's correction,
which makes it an unbiased estimate; ``correction=0`` gives the plain average. Two kinds of
weights can be given, and are multiplied: ``fweights``, integer frequencies (observation j
was seen w_j times), and ``aweights``, float importances; with ``aweights`` the correction
is scaled as numpy's ``cov`` scales it.

The correlation coefficient divides the covariance by both standard deviations:
corrcoef(x, y) = cov(x, y) / sqrt(cov(x, x) cov(y, y)), a number in [-1, 1].

Both are compositions of differentiable ops (a matrix product of the centred rows), so
their gradients of every order and the cuda device come for free.
"""

from __future__ import annotations

import warnings

import numpy as np

from .._tensor import Tensor
from ._util import require_tensor
from .pointwise import type_name


def _check_weights(name: str, w: Tensor, observations: int, integral: bool) -> None:
    if w.dim() > 1:
        raise RuntimeError(f"cov(): expected {name} to have one or fewer dimensions but got "
                           f"{name} with {w.dim()} dimensions")
    if integral and w._array.dtype.kind not in "iu":
        raise RuntimeError(f"cov(): expected {name} to have integral dtype but got {name} "
                           f"with {type_name(w._array)} dtype")
    if not integral and not w.is_floating_point():
        raise RuntimeError(f"cov(): expected {name} to have floating point dtype but got "
                           f"{name} with {type_name(w._array)} dtype")
    if w.numel() != observations:
        raise RuntimeError(f"cov(): expected {name} to have the same numel as there are "
                           f"observations in the input but got {w.numel()} != {observations}")
    if observations and bool((w < 0).any()):
        raise RuntimeError(f"cov(): {name} cannot be negative")


def cov(input: Tensor, *, correction: int = 1, fweights: Tensor | None = None,
        aweights: Tensor | None = None) -> Tensor:
    """The covariance matrix of the variables in the rows of ``input`` (a 1-d input is one
    variable, and gives a 0-d result). See the module docstring for the weights."""
    require_tensor("cov", input)
    if input.dim() > 2:
        raise RuntimeError("cov(): expected input to have two or fewer dimensions but got an "
                           f"input with {input.dim()} dimensions")
    if input._array.dtype.kind == "b":
        raise RuntimeError("cov(): bool dtype is not supported for input")
    if isinstance(correction, float) or not isinstance(correction, int):
        raise TypeError(f"cov(): argument 'correction' must be int, not "
                        f"{type(correction).__name__}")
    x = input.reshape(1, -1) if input.dim() < 2 else input
    n = x.shape[1]
    w = None
    if fweights is not None:
        _check_weights("fweights", fweights, n, integral=True)
        w = fweights
    if aweights is not None:
        _check_weights("aweights", aweights, n, integral=False)
        w = aweights if w is None else w * aweights
    w_sum = w.sum() if w is not None else n
    if w is not None and not bool(w_sum != 0):
        raise RuntimeError("cov(): weights sum to zero, can't be normalized")
    with np.errstate(invalid="ignore"):  # no observations: a NaN mean
        mean = (x if w is None else x * w).sum(1) / w_sum
    if w is not None and aweights is not None and correction != 0:
        dof = w_sum - correction * (w * aweights).sum() / w_sum
    else:
        dof = w_sum - correction
    if bool(dof <= 0):
        warnings.warn("cov(): degrees of freedom is <= 0. Correction should be strictly less "
                      "than the number of observations.", UserWarning, stacklevel=2)
        dof = dof * 0
    centred = x - mean.unsqueeze(1)
    products = centred @ (centred if w is None else centred * w).t()
    with np.errstate(divide="ignore", invalid="ignore"):  # no degrees of freedom: inf, NaN
        return (products / dof).squeeze()


def corrcoef(input: Tensor) -> Tensor:
    """The Pearson correlation coefficients of the variables in the rows of ``input``:
    their covariances divided by the product of their standard deviations, clipped to
    [-1, 1] (rounding may step just outside). A variable that never changes gives NaN."""
    require_tensor("corrcoef", input)
    if input.dim() > 2:
        raise RuntimeError("corrcoef(): expected input to have two or fewer dimensions but got "
                           f"an input with {input.dim()} dimensions")
    c = cov(input)
    with np.errstate(divide="ignore", invalid="ignore"):  # a constant variable: NaN
        if c.dim() == 0:  # one variable: 1, or NaN when its variance is 0, inf or NaN
            return c / c
        std = c.diagonal().sqrt()
        return (c / std.view(-1, 1) / std.view(1, -1)).clip(-1, 1)


__all__ = ["cov", "corrcoef"]

TENSOR_METHODS = {name: globals()[name] for name in __all__}
