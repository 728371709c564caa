"""Stochastic gradient descent, with momentum, Nesterov momentum and weight decay."""

from __future__ import annotations

from collections.abc import Iterable

from .._backend import backend_of
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
        momentum = group["momentum"]
        state = self.state[p] if momentum != 0 else None
        if state and "momentum_buffer" in state:  # the usual step: one fused update
            backend_of(p._array).sgd_momentum_(
                p._array, p.grad._array, state["momentum_buffer"]._array, group["lr"],
                momentum, group["dampening"], group["weight_decay"], group["nesterov"],
                group["maximize"])
            return
        grad = p.grad._array  # plain SGD, or the first step with momentum
        if group["maximize"]:
            grad = -grad
        if group["weight_decay"] != 0:
            grad = grad + group["weight_decay"] * p._array
        if momentum != 0:  # the buffer starts as the first gradient
            buf = grad.copy()
            state["momentum_buffer"] = Tensor._make(buf)
            grad = grad + momentum * buf if group["nesterov"] else buf
        p._array -= group["lr"] * grad
