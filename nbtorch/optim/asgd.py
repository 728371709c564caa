"""ASGD: SGD that also keeps the running average of its iterates (Polyak averaging)."""

from __future__ import annotations

from collections.abc import Iterable

from .._tensor import Tensor
from .optimizer import Optimizer, check, scalar_state, step_counter, zeros_state


class ASGD(Optimizer):
    r"""Averaged stochastic gradient descent (Polyak & Juditsky, 1992), as
    ``torch.optim.ASGD``.

    For each parameter :math:`p` with gradient :math:`g`, at step :math:`t = 1, 2, \dots`::

        g = g + weight_decay * p
        p = p * (1 - lambd * eta) - eta * g           # an SGD step, with decay lambd
        ax = ax + mu * (p - ax)                       # the average of the iterates ('ax')
        eta = lr / (1 + lambd * lr * t) ** alpha      # the next step size        ('eta')
        mu = 1 / max(1, t - t0)                       # the next averaging weight ('mu')

    The parameters follow SGD with a slowly shrinking step; ``state[p]['ax']`` follows
    along (``mu = 1`` copies ``p``) until step ``t0``, then becomes the plain average of
    all iterates since then. Noisy SGD iterates bounce around a minimum; their average
    sits much closer to it. The average is not written into ``p``: after training, copy
    it over (``p.copy_(optimizer.state[p]['ax'])``) to use it.

    Args:
        params: tensors to optimize, or a list of parameter-group dicts.
        lr: learning rate. lambd: decay term. alpha: power of the step-size decay.
        t0: the step at which averaging starts. weight_decay: L2 penalty coefficient.
        maximize: climb the objective instead.
    """

    def __init__(self, params: Iterable[Tensor] | Iterable[dict], lr: float = 1e-2,
                 lambd: float = 1e-4, alpha: float = 0.75, t0: float = 1e6,
                 weight_decay: float = 0, *, maximize: bool = False):
        check(lr >= 0.0, f"Invalid learning rate: {lr}")
        check(weight_decay >= 0.0, f"Invalid weight_decay value: {weight_decay}")
        defaults = dict(lr=lr, lambd=lambd, alpha=alpha, t0=t0, weight_decay=weight_decay,
                        maximize=maximize)
        super().__init__(params, defaults)

    def _update(self, p: Tensor, group: dict) -> None:
        state = self.state[p]
        if not state:
            state["step"] = step_counter()
            state["eta"] = scalar_state(group["lr"])
            state["mu"] = scalar_state(1.0)
            state["ax"] = zeros_state(p)
        lr, lambd = group["lr"], group["lambd"]
        grad = -p.grad._array if group["maximize"] else p.grad._array
        state["step"]._array += 1
        t = float(state["step"]._array)
        if group["weight_decay"] != 0:
            grad = grad + group["weight_decay"] * p._array

        eta, mu = float(state["eta"]._array), float(state["mu"]._array)
        p._array *= 1 - lambd * eta
        p._array -= eta * grad
        ax = state["ax"]._array
        if mu != 1:
            ax += (p._array - ax) * mu
        else:
            ax[...] = p._array
        state["eta"]._array[...] = lr / (1 + lambd * lr * t) ** group["alpha"]
        state["mu"]._array[...] = 1 / max(1, t - group["t0"])
