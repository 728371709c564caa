"""RAdam: Adam that waits for its variance estimate to be reliable before trusting it."""

from __future__ import annotations

import math
from collections.abc import Iterable

import numpy as np

from .._tensor import Tensor
from .optimizer import Optimizer, check, step_counter, zeros_state


class RAdam(Optimizer):
    r"""Rectified Adam (Liu et al., 2020), as ``torch.optim.RAdam``.

    For each parameter :math:`p` with gradient :math:`g`, at step :math:`t = 1, 2, \dots`::

        g = g + weight_decay * p                  # (or p = p * (1 - lr * weight_decay)
                                                  #  with decoupled_weight_decay=True)
        m = beta1 * m + (1 - beta1) * g           # ('exp_avg')
        v = beta2 * v + (1 - beta2) * g * g       # ('exp_avg_sq')
        m_hat = m / (1 - beta1**t)
        rho_inf = 2 / (1 - beta2) - 1             # how many gradients v averages, at most
        rho_t = rho_inf - 2 * t * beta2**t / (1 - beta2**t)      # ... and at step t
        if rho_t > 5:                             # v is trustworthy: an Adam step, scaled
            r = sqrt((rho_t - 4) * (rho_t - 2) * rho_inf / ((rho_inf - 4) * (rho_inf - 2) * rho_t))
            p = p - lr * m_hat * r * sqrt(1 - beta2**t) / (sqrt(v) + eps)
        else:                                     # too few gradients yet: SGD with momentum
            p = p - lr * m_hat

    Early on ``v`` averages only a few squared gradients, so Adam's step size
    ``1 / sqrt(v)`` is noisy (this is why Adam needs a warm-up). RAdam takes plain
    momentum steps until about 5 gradients are averaged, then lets the rectifier ``r``
    grow from 0 towards 1: a warm-up derived from the variance of ``1 / sqrt(v)``.

    Args:
        params: tensors to optimize, or a list of parameter-group dicts.
        lr: learning rate. betas: decay rates ``(beta1, beta2)`` of the two averages.
        eps: added to the denominator. weight_decay: L2 penalty coefficient.
        decoupled_weight_decay: shrink the weights directly, as AdamW does.
        maximize: climb the objective instead.
    """

    def __init__(self, params: Iterable[Tensor] | Iterable[dict], lr: float = 1e-3,
                 betas: tuple[float, float] = (0.9, 0.999), eps: float = 1e-8,
                 weight_decay: float = 0, decoupled_weight_decay: bool = False, *,
                 maximize: bool = False):
        check(lr >= 0.0, f"Invalid learning rate: {lr}")
        check(eps >= 0.0, f"Invalid epsilon value: {eps}")
        check(0.0 <= betas[0] < 1.0, f"Invalid beta parameter at index 0: {betas[0]}")
        check(0.0 <= betas[1] < 1.0, f"Invalid beta parameter at index 1: {betas[1]}")
        check(weight_decay >= 0.0, f"Invalid weight_decay value: {weight_decay}")
        defaults = dict(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay,
                        decoupled_weight_decay=decoupled_weight_decay, maximize=maximize)
        super().__init__(params, defaults)

    def _update(self, p: Tensor, group: dict) -> None:
        state = self.state[p]
        if not state:
            state["step"] = step_counter()
            state["exp_avg"] = zeros_state(p)
            state["exp_avg_sq"] = zeros_state(p)
        lr, (beta1, beta2), eps = group["lr"], group["betas"], group["eps"]
        weight_decay = group["weight_decay"]
        grad = -p.grad._array if group["maximize"] else p.grad._array
        state["step"]._array += 1
        t = float(state["step"]._array)

        if weight_decay != 0:
            if group["decoupled_weight_decay"]:
                p._array *= 1 - lr * weight_decay
            else:
                grad = grad + weight_decay * p._array

        m, v = state["exp_avg"]._array, state["exp_avg_sq"]._array
        m += (1 - beta1) * (grad - m)
        v *= beta2
        v += (1 - beta2) * grad * grad

        bias_correction2 = 1 - beta2**t
        m_hat = m / (1 - beta1**t)
        rho_inf = 2 / (1 - beta2) - 1
        rho_t = rho_inf - 2 * t * beta2**t / bias_correction2
        if rho_t > 5.0:
            rect = math.sqrt((rho_t - 4) * (rho_t - 2) * rho_inf
                             / ((rho_inf - 4) * (rho_inf - 2) * rho_t))
            adaptive = bias_correction2**0.5 / (np.sqrt(v) + eps)
            p._array -= m_hat * lr * adaptive * rect
        else:
            p._array -= m_hat * lr
