"""Adam: momentum plus a per-coordinate step size from the gradient's running scale."""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np

from .._tensor import Tensor
from .optimizer import Optimizer, check, step_counter, zeros_state


class Adam(Optimizer):
    r"""Adam (Kingma & Ba, 2015), as ``torch.optim.Adam``.

    For each parameter :math:`p` with gradient :math:`g`, at step :math:`t = 1, 2, \dots`::

        g = g + weight_decay * p                  # L2 penalty inside the gradient
        m = beta1 * m + (1 - beta1) * g           # running mean of g       ('exp_avg')
        v = beta2 * v + (1 - beta2) * g * g       # running mean of g**2    ('exp_avg_sq')
        m_hat = m / (1 - beta1**t)                # undo the bias towards 0 of the
        v_hat = v / (1 - beta2**t)                #   zero-initialised averages
        p = p - lr * m_hat / (sqrt(v_hat) + eps)

    Dividing by ``sqrt(v_hat)`` gives every coordinate a step of about ``lr``, whatever the
    scale of its gradient. With ``amsgrad=True`` the largest ``v`` seen so far
    (``'max_exp_avg_sq'``) is used instead of ``v``, so the step size never grows.
    ``decoupled_weight_decay=True`` makes this AdamW (see ``AdamW``).

    Args:
        params: tensors to optimize, or a list of parameter-group dicts.
        lr: learning rate. betas: the decay rates ``(beta1, beta2)`` of the two averages.
        eps: added to the denominator for stability. weight_decay: L2 penalty coefficient.
        amsgrad: use the AMSGrad variant. maximize: climb the objective instead.
    """

    def __init__(self, params: Iterable[Tensor] | Iterable[dict], lr: float = 1e-3,
                 betas: tuple[float, float] = (0.9, 0.999), eps: float = 1e-8,
                 weight_decay: float = 0, amsgrad: bool = False, *, maximize: bool = False,
                 decoupled_weight_decay: bool = False):
        check(lr >= 0.0, f"Invalid learning rate: {lr}")
        check(eps >= 0.0, f"Invalid epsilon value: {eps}")
        check(0.0 <= betas[0] < 1.0, f"Invalid beta parameter at index 0: {betas[0]}")
        check(0.0 <= betas[1] < 1.0, f"Invalid beta parameter at index 1: {betas[1]}")
        check(weight_decay >= 0.0, f"Invalid weight_decay value: {weight_decay}")
        defaults = dict(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay,
                        amsgrad=amsgrad, maximize=maximize,
                        decoupled_weight_decay=decoupled_weight_decay)
        super().__init__(params, defaults)

    def _update(self, p: Tensor, group: dict) -> None:
        state = self.state[p]
        if not state:
            state["step"] = step_counter()
            state["exp_avg"] = zeros_state(p)
            state["exp_avg_sq"] = zeros_state(p)
            if group["amsgrad"]:
                state["max_exp_avg_sq"] = zeros_state(p)
        lr, (beta1, beta2), eps = group["lr"], group["betas"], group["eps"]
        weight_decay = group["weight_decay"]
        grad = -p.grad._array if group["maximize"] else p.grad._array
        state["step"]._array += 1
        t = float(state["step"]._array)

        if weight_decay != 0:
            if group["decoupled_weight_decay"]:
                p._array *= 1 - lr * weight_decay  # AdamW: shrink p directly
            else:
                grad = grad + weight_decay * p._array

        m, v = state["exp_avg"]._array, state["exp_avg_sq"]._array
        m += (1 - beta1) * (grad - m)
        v *= beta2
        v += (1 - beta2) * grad * grad
        if group["amsgrad"]:
            v_max = state["max_exp_avg_sq"]._array
            np.maximum(v_max, v, out=v_max)
            v = v_max

        step_size = lr / (1 - beta1**t)
        denom = np.sqrt(v) / (1 - beta2**t) ** 0.5 + eps
        p._array -= step_size * (m / denom)
