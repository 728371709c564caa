"""``gumbel_softmax``: a differentiable sample of a categorical distribution.

Sampling a category from probabilities softmax(logits) is not differentiable. The Gumbel-max
trick writes the sample as argmax(logits + g), with g independent Gumbel(0, 1) noise
(g = -log(E), E exponential); Gumbel-softmax (Jang et al.; Maddison et al., 2016) replaces
the argmax by softmax((logits + g) / tau): a point of the simplex, differentiable in the
logits, that tends to the one-hot sample as the temperature ``tau`` goes to 0.

With ``hard=True`` the value is the one-hot sample itself, and the gradient is the soft
sample's: ``y_hard - y_soft.detach() + y_soft`` (the "straight-through" estimator).

The noise comes from nbtorch's generator: ``manual_seed`` repeats the samples.
"""

from __future__ import annotations

import warnings

from .._creation import empty_like, zeros_like
from .._tensor import Tensor
from .nn_activation import softmax


def gumbel_softmax(logits: Tensor, tau: float = 1.0, hard: bool = False, eps: float = 1e-10,
                   dim: int = -1) -> Tensor:
    """A Gumbel-softmax sample along ``dim`` of unnormalised log-probabilities ``logits``:
    softmax((logits + g) / tau) with Gumbel noise g; with ``hard=True`` its one-hot argmax,
    differentiated as the soft sample. ``eps`` is deprecated and ignored, as in PyTorch."""
    if eps != 1e-10:
        warnings.warn("`eps` parameter is deprecated and has no effect.", stacklevel=2)
    gumbels = -empty_like(logits).exponential_().log()  # Gumbel(0, 1) noise
    y_soft = softmax((logits + gumbels) / tau, dim)
    if not hard:
        return y_soft
    index = y_soft.max(dim, keepdim=True).indices
    y_hard = zeros_like(logits).scatter_(dim, index, 1.0)
    return y_hard - y_soft.detach() + y_soft


__all__: list = []
