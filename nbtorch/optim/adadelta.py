"""Adadelta: steps whose units match the parameter's, from two running averages."""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np

from .._tensor import Tensor
from .optimizer import Optimizer, check, step_counter, zeros_state


class Adadelta(Optimizer):
    r"""Adadelta (Zeiler, 2012), as ``torch.optim.Adadelta``.

    For each parameter :math:`p` with gradient :math:`g`::

        g = g + weight_decay * p
        v = rho * v + (1 - rho) * g * g                     # ('square_avg')
        delta = sqrt(u + eps) / sqrt(v + eps) * g           # RMS of past updates / RMS of g
        u = rho * u + (1 - rho) * delta * delta             # ('acc_delta')
        p = p - lr * delta

    The ratio of the two RMS values makes the step carry the parameter's own units, so
    the default ``lr=1.0`` works without tuning.

    Args:
        params: tensors to optimize, or a list of parameter-group dicts.
        lr: scales ``delta``. rho: decay rate of both averages. eps: added inside the roots.
        weight_decay: L2 penalty coefficient. maximize: climb the objective instead.
    """

    def __init__(self, params: Iterable[Tensor] | Iterable[dict], lr: float = 1.0,
                 rho: float = 0.9, eps: float = 1e-6, weight_decay: float = 0, *,
                 maximize: bool = False):
        check(lr >= 0.0, f"Invalid learning rate: {lr}")
        check(0.0 <= rho <= 1.0, f"Invalid rho value: {rho}")
        check(eps >= 0.0, f"Invalid epsilon value: {eps}")
        check(weight_decay >= 0.0, f"Invalid weight_decay value: {weight_decay}")
        defaults = dict(lr=lr, rho=rho, eps=eps, weight_decay=weight_decay, maximize=maximize)
        super().__init__(params, defaults)

    def _update(self, p: Tensor, group: dict) -> None:
        state = self.state[p]
        if not state:
            state["step"] = step_counter()
            state["square_avg"] = zeros_state(p)
            state["acc_delta"] = zeros_state(p)
        rho, eps = group["rho"], group["eps"]
        grad = -p.grad._array if group["maximize"] else p.grad._array
        state["step"]._array += 1
        if group["weight_decay"] != 0:
            grad = grad + group["weight_decay"] * p._array

        v, u = state["square_avg"]._array, state["acc_delta"]._array
        v *= rho
        v += (1 - rho) * grad * grad
        delta = np.sqrt(u + eps) / np.sqrt(v + eps) * grad
        u *= rho
        u += (1 - rho) * delta * delta
        p._array -= group["lr"] * delta
