"""Adamax: Adam with the running *largest* gradient size in place of its root mean square."""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np

from .._tensor import Tensor
from .optimizer import Optimizer, check, step_counter, zeros_state


class Adamax(Optimizer):
    r"""Adamax (Kingma & Ba, 2015, section 7), as ``torch.optim.Adamax``.

    For each parameter :math:`p` with gradient :math:`g`, at step :math:`t = 1, 2, \dots`::

        g = g + weight_decay * p
        m = beta1 * m + (1 - beta1) * g              # running mean of g   ('exp_avg')
        u = max(beta2 * u, |g| + eps)                # decaying max of |g| ('exp_inf')
        p = p - lr / (1 - beta1**t) * m / u

    Adam divides by the (bias-corrected) root mean square of past gradients, an L2 norm;
    Adamax lets that norm's power go to infinity, which leaves a decaying maximum. It
    needs no bias correction of its own and is not thrown by a rare huge gradient
    any more than a max is.

    Args:
        params: tensors to optimize, or a list of parameter-group dicts.
        lr: learning rate. betas: decay rates ``(beta1, beta2)`` of the mean and the max.
        eps: keeps ``u`` away from 0. weight_decay: L2 penalty coefficient.
        maximize: climb the objective instead.
    """

    def __init__(self, params: Iterable[Tensor] | Iterable[dict], lr: float = 2e-3,
                 betas: tuple[float, float] = (0.9, 0.999), eps: float = 1e-8,
                 weight_decay: float = 0, *, maximize: bool = False):
        check(lr >= 0.0, f"Invalid learning rate: {lr}")
        check(eps >= 0.0, f"Invalid epsilon value: {eps}")
        check(0.0 <= betas[0] < 1.0, f"Invalid beta parameter at index 0: {betas[0]}")
        check(0.0 <= betas[1] < 1.0, f"Invalid beta parameter at index 1: {betas[1]}")
        check(weight_decay >= 0.0, f"Invalid weight_decay value: {weight_decay}")
        defaults = dict(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay,
                        maximize=maximize)
        super().__init__(params, defaults)

    def _update(self, p: Tensor, group: dict) -> None:
        state = self.state[p]
        if not state:
            state["step"] = step_counter()
            state["exp_avg"] = zeros_state(p)
            state["exp_inf"] = zeros_state(p)
        lr, (beta1, beta2), eps = group["lr"], group["betas"], group["eps"]
        grad = -p.grad._array if group["maximize"] else p.grad._array
        state["step"]._array += 1
        t = float(state["step"]._array)
        if group["weight_decay"] != 0:
            grad = grad + group["weight_decay"] * p._array

        m, u = state["exp_avg"]._array, state["exp_inf"]._array
        m += (1 - beta1) * (grad - m)
        u *= beta2
        np.maximum(u, abs(grad) + eps, out=u)
        p._array -= lr / (1 - beta1**t) * (m / u)
