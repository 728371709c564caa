"""Adagrad: a per-coordinate step that shrinks with the sum of all past squared gradients."""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np

from .._tensor import Tensor
from .optimizer import Optimizer, check, step_counter


class Adagrad(Optimizer):
    r"""Adagrad (Duchi et al., 2011), as ``torch.optim.Adagrad``.

    For each parameter :math:`p` with gradient :math:`g`, at step :math:`t = 1, 2, \dots`::

        g = g + weight_decay * p
        clr = lr / (1 + (t - 1) * lr_decay)
        s = s + g * g                          # sum of squared gradients ('sum')
        p = p - clr * g / (sqrt(s) + eps)

    Coordinates that often get large gradients take small steps; rare ones keep large
    steps. ``s`` starts at ``initial_accumulator_value``. Because ``s`` only grows, the
    steps shrink for ever (RMSprop and Adam replace the sum by a moving average).

    Args:
        params: tensors to optimize, or a list of parameter-group dicts.
        lr: learning rate. lr_decay: learning-rate decay per step. weight_decay: L2 penalty.
        initial_accumulator_value: starting value of the sum. eps: added to the denominator.
        maximize: climb the objective instead.
    """

    def __init__(self, params: Iterable[Tensor] | Iterable[dict], lr: float = 1e-2,
                 lr_decay: float = 0, weight_decay: float = 0,
                 initial_accumulator_value: float = 0, eps: float = 1e-10, *,
                 maximize: bool = False):
        check(lr >= 0.0, f"Invalid learning rate: {lr}")
        check(lr_decay >= 0.0, f"Invalid lr_decay value: {lr_decay}")
        check(weight_decay >= 0.0, f"Invalid weight_decay value: {weight_decay}")
        check(initial_accumulator_value >= 0.0,
              f"Invalid initial_accumulator_value value: {initial_accumulator_value}")
        check(eps >= 0.0, f"Invalid epsilon value: {eps}")
        defaults = dict(lr=lr, lr_decay=lr_decay, eps=eps, weight_decay=weight_decay,
                        initial_accumulator_value=initial_accumulator_value, maximize=maximize)
        super().__init__(params, defaults)

    def _update(self, p: Tensor, group: dict) -> None:
        state = self.state[p]
        if not state:
            state["step"] = step_counter()
            state["sum"] = Tensor._make(np.full_like(p._array, group["initial_accumulator_value"]))
        grad = -p.grad._array if group["maximize"] else p.grad._array
        state["step"]._array += 1
        t = float(state["step"]._array)
        if group["weight_decay"] != 0:
            grad = grad + group["weight_decay"] * p._array

        clr = group["lr"] / (1 + (t - 1) * group["lr_decay"])
        s = state["sum"]._array
        s += grad * grad
        p._array -= clr * (grad / (np.sqrt(s) + group["eps"]))
