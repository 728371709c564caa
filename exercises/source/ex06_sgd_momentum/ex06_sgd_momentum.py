# %% [markdown]
# # Exercise 6 · SGD with momentum · 动量随机梯度下降
#
# **Chapter 07 (optimizers 优化器).**
#
# Write `SGD(params, lr, momentum=0, weight_decay=0)` as a subclass of
# `torch.optim.Optimizer`. For every parameter $p$ with gradient $g$, one `step()` does:
#
# 1. weight decay (权重衰减, an L2 penalty): $g \leftarrow g + \text{weight\_decay} \cdot p$;
# 2. momentum (动量), if `momentum != 0`: a buffer $b$ kept in `self.state[p]["momentum_buffer"]`,
#    $b \leftarrow g$ at the first step and $b \leftarrow \text{momentum} \cdot b + g$ later;
#    then $g \leftarrow b$;
# 3. the update: $p \leftarrow p - \text{lr} \cdot g$.
#
# This is exactly `torch.optim.SGD` (with `dampening=0`, `nesterov=False`), and
# `check.ex6(SGD)` compares yours with it step by step.
#
# Notes: loop over `self.param_groups` (each a dict with `"params"`, `"lr"`, ...; a group can
# have its own `lr`), skip parameters whose `.grad` is `None`, and change the parameters
# in place under `torch.no_grad()` (`p.add_(..., alpha=...)` or `p -= ...`). `step` takes an
# optional `closure` that recomputes the loss: call it (with gradients enabled) and return
# its value.

# %%
import numpy as np

import nbtorch as torch
from nbtorch.exercises import check


# %% solution="sgd"
class SGD(torch.optim.Optimizer):
    def __init__(self, params, lr, momentum=0.0, weight_decay=0.0):
        super().__init__(params, dict(lr=lr, momentum=momentum, weight_decay=weight_decay))

    def step(self, closure=None):
        loss = None
        if closure is not None:
            with torch.enable_grad():
                loss = closure()
        ### BEGIN SOLUTION
        with torch.no_grad():
            for group in self.param_groups:
                for p in group["params"]:
                    if p.grad is None:
                        continue
                    g = p.grad
                    if group["weight_decay"] != 0:
                        g = g + group["weight_decay"] * p
                    if group["momentum"] != 0:
                        state = self.state[p]
                        if "momentum_buffer" not in state:
                            state["momentum_buffer"] = g.clone()
                        else:
                            state["momentum_buffer"] = group["momentum"] * state[
                                "momentum_buffer"] + g
                        g = state["momentum_buffer"]
                    p -= group["lr"] * g
        ### END SOLUTION
        return loss


# %% test="test_plain" points=1
check.ex6(SGD, part="plain")
### BEGIN HIDDEN TESTS
_w = torch.tensor([1.0, 2.0], requires_grad=True)
_v = torch.tensor([3.0], requires_grad=True)  # never gets a gradient
_opt = SGD([{"params": [_w], "lr": 0.5}, {"params": [_v]}], lr=0.1)
(_w ** 2).sum().backward()
_opt.step()
np.testing.assert_allclose(_w.detach().numpy(), [0.0, 0.0], atol=1e-7)
np.testing.assert_allclose(_v.detach().numpy(), [3.0])


def _closure():
    _opt.zero_grad()
    _loss = (_v ** 2).sum()
    _loss.backward()
    return _loss


assert abs(_opt.step(_closure).item() - 9.0) < 1e-6
np.testing.assert_allclose(_v.detach().numpy(), [3.0 - 0.1 * 6.0], rtol=1e-6)
### END HIDDEN TESTS

# %% test="test_momentum" points=2
check.ex6(SGD, part="momentum")
### BEGIN HIDDEN TESTS
_w1 = torch.tensor([1.0, -1.0], requires_grad=True)
_w2 = torch.tensor([1.0, -1.0], requires_grad=True)
_mine, _ref = SGD([_w1], lr=0.1, momentum=0.5), torch.optim.SGD([_w2], lr=0.1, momentum=0.5)
for _ in range(10):
    for _w, _o in [(_w1, _mine), (_w2, _ref)]:
        _o.zero_grad()
        (_w ** 4).sum().backward()
        _o.step()
np.testing.assert_allclose(_w1.detach().numpy(), _w2.detach().numpy(), rtol=1e-6)
### END HIDDEN TESTS

# %% test="test_weight_decay" points=2
check.ex6(SGD, part="weight_decay")
### BEGIN HIDDEN TESTS
_w1 = torch.tensor([[2.0, -0.5]], requires_grad=True)
_w2 = torch.tensor([[2.0, -0.5]], requires_grad=True)
_mine = SGD([_w1], lr=0.2, momentum=0.9, weight_decay=0.3)
_ref = torch.optim.SGD([_w2], lr=0.2, momentum=0.9, weight_decay=0.3)
for _step in range(8):
    for _w, _o in [(_w1, _mine), (_w2, _ref)]:
        _o.zero_grad()
        (torch.sin(_w) * _step).sum().backward()
        _o.step()
np.testing.assert_allclose(_w1.detach().numpy(), _w2.detach().numpy(), rtol=1e-5)
assert "momentum_buffer" in _mine.state[_w1]
### END HIDDEN TESTS
