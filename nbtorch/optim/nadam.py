"""NAdam: Adam whose momentum step looks ahead, as Nesterov momentum does for SGD."""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np

from .._tensor import Tensor
from .optimizer import Optimizer, check, scalar_state, step_counter, zeros_state


class NAdam(Optimizer):
    r"""NAdam (Dozat, 2016), as ``torch.optim.NAdam``.

    For each parameter :math:`p` with gradient :math:`g`, at step :math:`t = 1, 2, \dots`::

        g = g + weight_decay * p                     # (or p = p * (1 - lr * weight_decay)
                                                     #  with decoupled_weight_decay=True)
        mu_t = beta1 * (1 - 0.5 * 0.96 ** (t * momentum_decay))   # momentum of step t
        P = mu_1 * mu_2 * ... * mu_t                 # ('mu_product')
        m = beta1 * m + (1 - beta1) * g              # ('exp_avg')
        v = beta2 * v + (1 - beta2) * g * g          # ('exp_avg_sq')
        denom = sqrt(v / (1 - beta2**t)) + eps
        p = p - lr * (1 - mu_t) / (1 - P) * g / denom
              - lr * mu_{t+1} / (1 - P * mu_{t+1}) * m / denom

    Adam steps along the average ``m``; NAdam mixes in the new gradient and weights ``m``
    by *next* step's momentum, i.e. it applies the momentum step before it happens, like
    Nesterov's look-ahead. The momentum ``mu_t`` warms up from about ``beta1 / 2`` to
    ``beta1`` (slowly: ``momentum_decay`` sets the pace).

    Args:
        params: tensors to optimize, or a list of parameter-group dicts.
        lr: learning rate. betas: decay rates ``(beta1, beta2)`` of the two averages.
        eps: added to the denominator. weight_decay: L2 penalty coefficient.
        momentum_decay: how fast ``mu_t`` approaches ``beta1``.
        decoupled_weight_decay: shrink the weights directly, as AdamW does (NAdamW).
        maximize: climb the objective instead.
    """

    def __init__(self, params: Iterable[Tensor] | Iterable[dict], lr: float = 2e-3,
                 betas: tuple[float, float] = (0.9, 0.999), eps: float = 1e-8,
                 weight_decay: float = 0, momentum_decay: float = 4e-3,
                 decoupled_weight_decay: bool = False, *, maximize: bool = False):
        check(lr >= 0.0, f"Invalid learning rate: {lr}")
        check(eps >= 0.0, f"Invalid epsilon value: {eps}")
        check(0.0 <= betas[0] < 1.0, f"Invalid beta parameter at index 0: {betas[0]}")
        check(0.0 <= betas[1] < 1.0, f"Invalid beta parameter at index 1: {betas[1]}")
        check(weight_decay >= 0.0, f"Invalid weight_decay value: {weight_decay}")
        check(momentum_decay >= 0.0, f"Invalid momentum_decay value: {momentum_decay}")
        defaults = dict(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay,
                        momentum_decay=momentum_decay,
                        decoupled_weight_decay=decoupled_weight_decay, maximize=maximize)
        super().__init__(params, defaults)

    def _update(self, p: Tensor, group: dict) -> None:
        state = self.state[p]
        if not state:
            state["step"] = step_counter()
            state["mu_product"] = scalar_state(1.0)
            state["exp_avg"] = zeros_state(p)
            state["exp_avg_sq"] = zeros_state(p)
        lr, (beta1, beta2), eps = group["lr"], group["betas"], group["eps"]
        weight_decay, psi = group["weight_decay"], group["momentum_decay"]
        grad = -p.grad._array if group["maximize"] else p.grad._array
        state["step"]._array += 1
        t = float(state["step"]._array)

        if weight_decay != 0:
            if group["decoupled_weight_decay"]:
                p._array *= 1 - lr * weight_decay
            else:
                grad = grad + weight_decay * p._array

        mu = beta1 * (1.0 - 0.5 * 0.96 ** (t * psi))
        mu_next = beta1 * (1.0 - 0.5 * 0.96 ** ((t + 1) * psi))
        state["mu_product"]._array *= mu
        mu_product = float(state["mu_product"]._array)

        m, v = state["exp_avg"]._array, state["exp_avg_sq"]._array
        m += (1 - beta1) * (grad - m)
        v *= beta2
        v += (1 - beta2) * grad * grad
        denom = np.sqrt(v / (1 - beta2**t)) + eps
        p._array -= lr * (1 - mu) / (1 - mu_product) * (grad / denom)
        p._array -= lr * mu_next / (1 - mu_product * mu_next) * (m / denom)
