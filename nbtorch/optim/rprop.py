"""Rprop: each coordinate keeps its own step size, grown or shrunk by the gradient's sign."""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np

from .._tensor import Tensor
from .optimizer import Optimizer, check, step_counter, zeros_state


class Rprop(Optimizer):
    r"""Resilient backpropagation (Riedmiller & Braun, 1993), as ``torch.optim.Rprop``.

    For each coordinate of a parameter :math:`p` with gradient :math:`g`::

        if g * g_prev > 0:   s = min(s * eta_plus, step_max)     # same sign: speed up
        if g * g_prev < 0:   s = max(s * eta_minus, step_min)    # overshot: slow down,
                             g = 0                               #   and do not move now
        p = p - sign(g) * s
        g_prev = g                                               # ('prev')

    Only the *sign* of the gradient is used: the size of each move is the step size ``s``
    (``'step_size'``, starting at ``lr``), which learns itself. This makes Rprop
    insensitive to the scale of the gradient, but it needs full-batch gradients (a
    mini-batch's noisy signs would keep shrinking the steps).

    Args:
        params: tensors to optimize, or a list of parameter-group dicts.
        lr: the first step size. etas: ``(eta_minus, eta_plus)``, the factors that shrink
        and grow a step size (``0 < eta_minus < 1 < eta_plus``). step_sizes:
        ``(step_min, step_max)``, the bounds of a step size. maximize: climb instead.
    """

    def __init__(self, params: Iterable[Tensor] | Iterable[dict], lr: float = 1e-2,
                 etas: tuple[float, float] = (0.5, 1.2),
                 step_sizes: tuple[float, float] = (1e-6, 50), *, maximize: bool = False):
        check(lr >= 0.0, f"Invalid learning rate: {lr}")
        check(0.0 < etas[0] < 1.0 < etas[1], f"Invalid eta values: {etas[0]}, {etas[1]}")
        defaults = dict(lr=lr, etas=etas, step_sizes=step_sizes, maximize=maximize)
        super().__init__(params, defaults)

    def _update(self, p: Tensor, group: dict) -> None:
        state = self.state[p]
        if not state:
            state["step"] = step_counter()
            state["prev"] = zeros_state(p)
            state["step_size"] = Tensor._make(np.full_like(p._array, group["lr"]))
        (eta_minus, eta_plus), (step_min, step_max) = group["etas"], group["step_sizes"]
        grad = -p.grad._array if group["maximize"] else p.grad._array
        state["step"]._array += 1
        prev, step_size = state["prev"]._array, state["step_size"]._array

        f = p._array.dtype.type  # the factors in the parameter's dtype, as PyTorch has them
        agreement = np.sign(grad * prev)  # +1: same sign as last time, -1: flipped
        factor = np.where(agreement > 0, f(eta_plus),
                          np.where(agreement < 0, f(eta_minus), f(1)))
        step_size[...] = np.clip(step_size * factor, step_min, step_max)
        grad = np.where(agreement < 0, f(0), grad)  # after a flip, wait one step
        p._array -= np.sign(grad) * step_size
        prev[...] = grad
