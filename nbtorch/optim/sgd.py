"""Stochastic gradient descent, with momentum, Nesterov momentum and weight decay."""

from __future__ import annotations

from collections.abc import Iterable

from .._tensor import Tensor
from .optimizer import Optimizer, check


class SGD(Optimizer):
    r"""Stochastic gradient descent (optionally with momentum), as ``torch.optim.SGD``.

    For each parameter :math:`p` with gradient :math:`g`, one step is::

        g = g + weight_decay * p                      # L2 penalty (if weight_decay != 0)
        if momentum != 0:
            b = g                     (first step)
            b = momentum * b + (1 - dampening) * g    (later steps)
            g = g + momentum * b  if nesterov  else  b
        p = p - lr * g                                # (p + lr * g with maximize=True)

    The buffer ``b`` (``state[p]['momentum_buffer']``) is a running sum of past gradients:
    it keeps moving in directions that gradients agree on and damps zig-zags.

    Args:
        params: tensors to optimize, or a list of parameter-group dicts.
        lr: learning rate. momentum: the factor of the running sum (0 = plain SGD).
        dampening: shrinks the new gradient's share of the sum.
        weight_decay: L2 penalty coefficient. nesterov: use Nesterov momentum
        (look ahead along the buffer). maximize: climb the objective instead of descending.
    """

    def __init__(self, params: Iterable[Tensor] | Iterable[dict], lr: float = 1e-3,
                 momentum: float = 0, dampening: float = 0, weight_decay: float = 0,
                 nesterov: bool = False, *, maximize: bool = False):
        check(lr >= 0.0, f"Invalid learning rate: {lr}")
        check(momentum >= 0.0, f"Invalid momentum value: {momentum}")
        check(weight_decay >= 0.0, f"Invalid weight_decay value: {weight_decay}")
        check(not nesterov or (momentum > 0 and dampening == 0),
              "Nesterov momentum requires a momentum and zero dampening")
        defaults = dict(lr=lr, momentum=momentum, dampening=dampening,
                        weight_decay=weight_decay, nesterov=nesterov, maximize=maximize)
        super().__init__(params, defaults)

    def _update(self, p: Tensor, group: dict) -> None:
        grad = p.grad._array
        if group["maximize"]:
            grad = -grad
        if group["weight_decay"] != 0:
            grad = grad + group["weight_decay"] * p._array
        momentum = group["momentum"]
        if momentum != 0:
            state = self.state[p]
            if "momentum_buffer" not in state:
                state["momentum_buffer"] = Tensor._make(grad.copy())
            else:  # in place, and no temporary array unless dampening asks for one
                buf = state["momentum_buffer"]._array
                buf *= momentum
                dampening = group["dampening"]
                buf += (1 - dampening) * grad if dampening else grad
            buf = state["momentum_buffer"]._array
            grad = grad + momentum * buf if group["nesterov"] else buf
        p._array -= group["lr"] * grad
