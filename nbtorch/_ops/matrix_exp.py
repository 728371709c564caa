"""The matrix exponential e^A = I + A + A^2/2! + A^3/3! + ... (``matrix_exp``).

It solves the linear differential equation x'(t) = A x(t): x(t) = e^(tA) x(0), so it turns
a rotation generator into a rotation and a rate matrix into transition probabilities.

The series converges for every A, but quickly only when A is small. So A is first scaled
down by 2^s until its norm is at most 1, the series is summed there, and the result is
squared s times back up, since e^A = (e^(A / 2^s))^(2^s) ("scaling and squaring"). For
||X|| <= 1, the terms after X^18/18! add less than 1/19! ~ 1e-17, below float64's
precision. The sum is taken by Horner's rule, I + X(I + X/2 (I + X/3 (...))), one matrix
product per term.

It is a composition of matrix products and sums, so its gradients (of every order, reverse
and forward mode) and the cuda device come for free; the scale s counts as a constant.
"""

from __future__ import annotations

import math

import numpy as np

from .._creation import eye
from .._tensor import Tensor
from ._util import require_tensor
from .linalg import _check_square

TERMS = 18  # the degree of the Taylor polynomial


def matrix_exp(A: Tensor) -> Tensor:
    """The matrix exponential of a square matrix (or of each in a batch)."""
    require_tensor("matrix_exp", A)
    _check_square("linalg.matrix_exp", A)
    if A.numel() == 0:
        return A.clone()
    # the 1-norm (largest column sum of |A|), of the largest matrix in the batch
    norm = float(A.detach().abs().sum(-2).amax())
    s = max(0, math.ceil(math.log2(norm))) if math.isfinite(norm) and norm > 1 else 0
    X = A / 2**s
    identity = eye(A.shape[-1], dtype=A.dtype, device=A.device)
    out = identity
    with np.errstate(invalid="ignore", over="ignore"):  # inf or NaN in A: NaN, quietly
        for k in range(TERMS, 0, -1):
            out = identity + (X @ out) / k
        for _ in range(s):
            out = out @ out
    return out


__all__ = ["matrix_exp"]

TENSOR_METHODS = {"matrix_exp": matrix_exp}
