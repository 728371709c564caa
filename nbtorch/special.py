"""``nbtorch.special``: special functions under PyTorch's ``torch.special`` names.

Most are functions of ``nbtorch``, some under other names (``expit`` is ``sigmoid``,
``gammaln`` is ``lgamma``, ``psi`` is ``digamma``, ``multigammaln`` is ``mvlgamma``); three
are small compositions:

* ``ndtr(x)``, the standard normal distribution function P(Z <= x), is erfc(-x / sqrt 2) / 2
  (erfc keeps its accuracy in the left tail, where 1 + erf(x / sqrt 2) would cancel);
* ``ndtri(p)``, its inverse, is sqrt(2) erfinv(2p - 1) (relative accuracy is lost for tiny p,
  where 2p - 1 rounds towards -1);
* ``entr(x)`` = -x log x, the entropy term: 0 at x = 0, -inf for x < 0.
"""

from __future__ import annotations

import math

import numpy as np

from ._ops.gamma_bessel import digamma, i0, i0e, i1, i1e, polygamma, zeta
from ._ops.gamma_bessel import digamma as psi
from ._ops.gamma_bessel import lgamma as gammaln
from ._ops.gamma_bessel import mvlgamma as multigammaln
from ._ops.math_extra import erfc, exp2, logit, sinc, xlogy
from ._ops.pointwise import erf, expm1, log1p, where
from ._ops.pointwise import sigmoid as expit
from ._ops.reduce import log_softmax, logsumexp, softmax
from ._ops.special import erfinv
from ._tensor import Tensor


def ndtr(input: Tensor) -> Tensor:
    """The area under the standard normal density left of x: (1 + erf(x / sqrt 2)) / 2."""
    return 0.5 * erfc(input * (-1 / math.sqrt(2)))


def ndtri(input: Tensor) -> Tensor:
    """The inverse of ``ndtr``: the x with P(Z <= x) = p, for p in [0, 1] (-inf at 0, inf at
    1); the quantile function of the standard normal distribution."""
    return math.sqrt(2) * erfinv(2 * input - 1)


def entr(input: Tensor) -> Tensor:
    """-x log x elementwise: 0 at x = 0, -inf for x < 0 (NaN stays NaN)."""
    with np.errstate(divide="ignore", invalid="ignore"):  # log(0), log(< 0): replaced
        inside = where(input > 0, -input * input.log(), 0.0)
    return where(input < 0, -math.inf, where(input.isnan(), input, inside))


__all__ = ["expit", "logit", "xlogy", "erf", "erfc", "erfinv", "log1p", "expm1", "exp2",
           "softmax", "log_softmax", "logsumexp", "sinc", "entr", "ndtr", "ndtri",
           "gammaln", "digamma", "psi", "polygamma", "multigammaln", "i0", "i0e", "i1", "i1e",
           "zeta"]
