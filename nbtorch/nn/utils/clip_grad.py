"""Gradient clipping: keep one huge gradient (an exploding RNN, a bad batch) from throwing
the parameters far away."""

from __future__ import annotations

import math
from typing import Iterable

from ..._creation import tensor as _tensor
from ..._tensor import Tensor


def _grads(parameters) -> list[Tensor]:
    if isinstance(parameters, Tensor):
        parameters = [parameters]
    return [p.grad for p in parameters if p.grad is not None]


def clip_grad_norm_(parameters: Iterable[Tensor] | Tensor, max_norm: float,
                    norm_type: float = 2.0, error_if_nonfinite: bool = False,
                    foreach=None) -> Tensor:
    """Scale all gradients together so that their total norm is at most ``max_norm``.

    The total norm is that of all gradients concatenated into one vector. If it exceeds
    ``max_norm`` every gradient is multiplied by ``max_norm / (total + 1e-6)``: the update
    direction is kept, only its length shrinks. Returns the total norm before clipping.
    """
    norm_type = float(norm_type)  # a bad norm_type fails even when there are no gradients
    grads = _grads(parameters)
    if not grads:
        return _tensor(0.0)
    arrays = [g.detach().cpu()._array.astype("float64") for g in grads]
    if math.isinf(norm_type):
        total = max(float(abs(a).max()) if a.size else 0.0 for a in arrays)
    else:
        total = sum(float((abs(a) ** norm_type).sum()) for a in arrays) ** (1.0 / norm_type)
    if error_if_nonfinite and not math.isfinite(total):
        raise RuntimeError(
            f"The total norm of order {norm_type} for gradients from `parameters` is "
            "non-finite, so it cannot be clipped. To disable this error and scale the "
            "gradients by the non-finite norm anyway, set `error_if_nonfinite=False`"
        )
    coef = max_norm / (total + 1e-6)
    if coef < 1:
        for g in grads:
            g._array *= g._array.dtype.type(coef)
            g._bump_version()
    return _tensor(total, dtype=grads[0].dtype)


def clip_grad_value_(parameters: Iterable[Tensor] | Tensor, clip_value: float,
                     foreach=None) -> None:
    """Clip every gradient element to [-clip_value, clip_value], in place."""
    clip_value = float(clip_value)
    for g in _grads(parameters):
        g._array[...] = g._array.clip(-clip_value, clip_value)
        g._bump_version()
