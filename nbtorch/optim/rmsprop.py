"""RMSprop: divide each coordinate's step by the running scale of its gradient."""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np

from .._tensor import Tensor
from .optimizer import Optimizer, check, step_counter, zeros_state


class RMSprop(Optimizer):
    r"""RMSprop (Hinton's lecture notes, 2012), as ``torch.optim.RMSprop``.

    For each parameter :math:`p` with gradient :math:`g`::

        g = g + weight_decay * p
        v = alpha * v + (1 - alpha) * g * g            # running mean of g**2 ('square_avg')
        if centered:                                   # subtract the squared mean of g,
            a = alpha * a + (1 - alpha) * g            #   i.e. use the variance ('grad_avg')
            denom = sqrt(v - a * a) + eps
        else:
            denom = sqrt(v) + eps
        if momentum > 0:
            b = momentum * b + g / denom               # ('momentum_buffer')
            p = p - lr * b
        else:
            p = p - lr * g / denom

    Args:
        params: tensors to optimize, or a list of parameter-group dicts.
        lr: learning rate. alpha: the decay rate of the average of g**2. eps: added to the
        denominator. weight_decay: L2 penalty coefficient. momentum: momentum factor.
        centered: normalise by the gradient's variance instead of its second moment.
        maximize: climb the objective instead.
    """

    def __init__(self, params: Iterable[Tensor] | Iterable[dict], lr: float = 1e-2,
                 alpha: float = 0.99, eps: float = 1e-8, weight_decay: float = 0,
                 momentum: float = 0, centered: bool = False, *, maximize: bool = False):
        check(lr >= 0.0, f"Invalid learning rate: {lr}")
        check(eps >= 0.0, f"Invalid epsilon value: {eps}")
        check(momentum >= 0.0, f"Invalid momentum value: {momentum}")
        check(weight_decay >= 0.0, f"Invalid weight_decay value: {weight_decay}")
        check(alpha >= 0.0, f"Invalid alpha value: {alpha}")
        defaults = dict(lr=lr, alpha=alpha, eps=eps, weight_decay=weight_decay,
                        momentum=momentum, centered=centered, maximize=maximize)
        super().__init__(params, defaults)

    def _update(self, p: Tensor, group: dict) -> None:
        state = self.state[p]
        if not state:
            state["step"] = step_counter()
            state["square_avg"] = zeros_state(p)
            if group["momentum"] > 0:
                state["momentum_buffer"] = zeros_state(p)
            if group["centered"]:
                state["grad_avg"] = zeros_state(p)
        alpha = group["alpha"]
        grad = -p.grad._array if group["maximize"] else p.grad._array
        state["step"]._array += 1
        if group["weight_decay"] != 0:
            grad = grad + group["weight_decay"] * p._array

        v = state["square_avg"]._array
        v *= alpha
        v += (1 - alpha) * grad * grad
        if group["centered"]:
            a = state["grad_avg"]._array
            a += (1 - alpha) * (grad - a)
            denom = np.sqrt(v - a * a) + group["eps"]
        else:
            denom = np.sqrt(v) + group["eps"]

        if group["momentum"] > 0:
            buf = state["momentum_buffer"]._array
            buf *= group["momentum"]
            buf += grad / denom
            p._array -= group["lr"] * buf
        else:
            p._array -= group["lr"] * (grad / denom)
