"""Negative log-likelihood losses of two distributions: ``poisson_nll_loss`` (counts) and
``gaussian_nll_loss`` (real values with a predicted variance).

Training a model by maximum likelihood means minimising -log p(target | prediction). For a
Poisson distribution of rate lambda that is lambda - target log(lambda) + log(target!), and
for a normal distribution of mean mu and variance var it is
(log(var) + (target - mu)^2 / var) / 2 + log(2 pi) / 2. The terms that do not depend on the
prediction are left out unless ``full=True``: they change the loss, not its gradient.

Both are compositions of Tensor ops, so autograd (any order, either mode) and cuda come free.
"""

from __future__ import annotations

import math

from .._creation import full_like
from .._tensor import Tensor
from .nn_loss import _REDUCTIONS, _reduce, legacy_reduction
from .pointwise import where


def poisson_nll_loss(input: Tensor, target: Tensor, log_input: bool = True, full: bool = False,
                     size_average=None, eps: float = 1e-8, reduce=None,
                     reduction: str = "mean") -> Tensor:
    """The Poisson negative log-likelihood of counts ``target`` under the rate ``input``.

    ``log_input=True`` (the default): ``input`` is log(rate), and the loss is
    exp(input) - target * input (any real input is a valid rate). ``log_input=False``:
    ``input`` is the rate itself, and the loss is input - target * log(input + eps).

    ``full=True`` adds log(target!) by Stirling's approximation,
    target log(target) - target + log(2 pi target) / 2, for targets above 1 (for 0 and 1,
    log(target!) = 0).
    """
    reduction = legacy_reduction(size_average, reduce, reduction)
    if reduction not in _REDUCTIONS:
        raise ValueError(f"{reduction} is not a valid value for reduction")
    if log_input:
        loss = input.exp() - target * input
    else:
        loss = input - target * (input + eps).log()
    if full:
        counted = target > 1
        safe = where(counted, target, 1.0)  # no log(0) anywhere: finite gradients throughout
        stirling = safe * safe.log() - safe + 0.5 * (2 * math.pi * safe).log()
        loss = loss + where(counted, stirling, 0.0)
    return _reduce(loss, reduction)


def _var_like_input(var: Tensor, input: Tensor) -> Tensor:
    """``var`` shaped to broadcast against ``input``: the same shape (one variance per
    value), one dimension short (one per row of the last dimension, unsqueezed), or the same
    number of dimensions with exactly one size that differs, and is 1 (shared along it)."""
    if var.shape == input.shape:
        return var
    if input.shape[:-1] == var.shape:
        return var.unsqueeze(-1)
    if input.dim() == var.dim():
        differing = [v for i, v in zip(input.shape, var.shape) if i != v]
        if sum(differing) == 1:  # PyTorch's test: the differing sizes add up to 1
            return var
    raise ValueError("var is of incorrect size")


def gaussian_nll_loss(input: Tensor, target: Tensor, var: Tensor | float, full: bool = False,
                      eps: float = 1e-6, reduction: str = "mean") -> Tensor:
    """The Gaussian negative log-likelihood of ``target`` under a normal distribution of mean
    ``input`` and variance ``var``: (log(var) + (input - target)^2 / var) / 2, plus
    log(2 pi) / 2 with ``full=True``.

    A network that predicts its own uncertainty outputs both ``input`` and ``var``: where it
    is unsure, a large var makes a miss cost less, at the price of the log(var) term.
    ``var`` is a number, a tensor of ``input``'s shape, one dimension short of it, or with
    one dimension of size 1 (see ``_var_like_input``); it must not be negative. Values below
    ``eps`` are raised to ``eps`` for stability, and that clamp passes the gradient through
    unchanged (as in PyTorch, where it is done under ``no_grad``).
    """
    if isinstance(var, (int, float)):
        if var < 0:
            raise ValueError("var has negative entry/entries")
        var = full_like(input, var)
    elif bool((var < 0).any()):
        raise ValueError("var has negative entry/entries")
    var = _var_like_input(var, input)
    if reduction not in _REDUCTIONS:
        raise ValueError(f"{reduction} is not valid")
    var = var.clone()  # the clamp below writes through a detached alias, unseen by autograd
    var.detach().clamp_min_(eps)
    loss = 0.5 * (var.log() + (input - target) ** 2 / var)
    if full:
        loss = loss + 0.5 * math.log(2 * math.pi)
    return _reduce(loss, reduction)


__all__: list = []
