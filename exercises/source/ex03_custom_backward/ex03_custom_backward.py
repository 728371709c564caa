# %% [markdown]
# # Exercise 3 · A backward by hand · 手写反向传播
#
# **Chapter 05 (reverse-mode automatic differentiation 反向模式自动微分).**
#
# Every operation of nbtorch is a `Function` with a `forward` (compute the result) and a
# `backward` (turn the gradient of the result into gradients of the inputs: a
# vector-Jacobian product, 向量-雅可比积). Here you write two of them yourself and plug
# them into nbtorch's autograd:
#
# - `Sigmoid`: $\sigma(x) = 1 / (1 + e^{-x})$, with $\sigma'(x) = \sigma(x)(1 - \sigma(x))$;
# - `Hypot`: $h(x, y) = \sqrt{x^2 + y^2}$, with $\partial h/\partial x = x / h$ and
#   $\partial h/\partial y = y / h$.
#
# Rules:
#
# - `forward(ctx, ...)` receives tensors and returns a tensor; keep what backward needs with
#   `ctx.save_for_backward(...)` and read it back with `ctx.saved_tensors`.
# - `backward(ctx, grad_output)` returns one gradient per input of forward, each
#   **multiplied by `grad_output`** (the chain rule 链式法则).
# - Write backward with nbtorch operations (not numpy): then it can itself be differentiated
#   (`create_graph=True`, second derivatives 二阶导数), which the hidden tests check with
#   `gradgradcheck`.
#
# Check with `check.ex3(Sigmoid)` and `check.ex3(Hypot)`. The hidden tests also use
# `torch.autograd.gradcheck` (finite differences 有限差分), broadcasting (广播) and
# non-contiguous inputs.

# %%
import numpy as np

import nbtorch as torch
from nbtorch.autograd import Function, gradcheck, gradgradcheck
from nbtorch.exercises import check

# %% [markdown]
# ## 3.1 Sigmoid (3 points)
#
# Save the *output* in forward: the derivative only needs $\sigma(x)$.

# %% solution="sigmoid"
class Sigmoid(Function):
    @staticmethod
    def forward(ctx, x):
        ### BEGIN SOLUTION
        out = 1 / (1 + torch.exp(-x))
        ctx.save_for_backward(out)
        return out
        ### END SOLUTION

    @staticmethod
    def backward(ctx, grad_output):
        ### BEGIN SOLUTION
        (out,) = ctx.saved_tensors
        return grad_output * out * (1 - out)
        ### END SOLUTION


# %% test="test_sigmoid_forward" points=1
check.ex3(Sigmoid, part="forward")
### BEGIN HIDDEN TESTS
_x = np.linspace(-30, 30, 13)
np.testing.assert_allclose(Sigmoid.apply(torch.tensor(_x)).numpy(), 1 / (1 + np.exp(-_x)),
                           rtol=1e-12)
### END HIDDEN TESTS

# %% test="test_sigmoid_backward" points=2
check.ex3(Sigmoid, part="backward")
### BEGIN HIDDEN TESTS
_x = torch.randn(3, 4, dtype=torch.float64, requires_grad=True)
assert gradcheck(Sigmoid.apply, (_x,))
assert gradcheck(Sigmoid.apply, (_x.t(),))
assert gradgradcheck(Sigmoid.apply, (_x,))
### END HIDDEN TESTS

# %% [markdown]
# ## 3.2 Hypot (3 points)
#
# Two inputs, so backward returns two gradients. If `x` and `y` have different shapes that
# broadcast, return gradients of the broadcast shape: nbtorch sums them back to each input's
# shape for you.

# %% solution="hypot"
class Hypot(Function):
    @staticmethod
    def forward(ctx, x, y):
        ### BEGIN SOLUTION
        out = torch.sqrt(x * x + y * y)
        ctx.save_for_backward(x, y, out)
        return out
        ### END SOLUTION

    @staticmethod
    def backward(ctx, grad_output):
        ### BEGIN SOLUTION
        x, y, out = ctx.saved_tensors
        return grad_output * x / out, grad_output * y / out
        ### END SOLUTION


# %% test="test_hypot_forward" points=1
check.ex3(Hypot, part="forward")
### BEGIN HIDDEN TESTS
_x, _y = np.random.default_rng(31).normal(size=(2, 5, 3))
np.testing.assert_allclose(Hypot.apply(torch.tensor(_x), torch.tensor(_y)).numpy(),
                           np.hypot(_x, _y), rtol=1e-12)
### END HIDDEN TESTS

# %% test="test_hypot_backward" points=2
check.ex3(Hypot, part="backward")
### BEGIN HIDDEN TESTS
_x = (torch.rand(4, 3, dtype=torch.float64) + 0.5).requires_grad_()
_y = (torch.rand(3, dtype=torch.float64) - 1.5).requires_grad_()
assert gradcheck(Hypot.apply, (_x, _y))
assert gradcheck(Hypot.apply, (_x[:, ::2], _y[::2]))
assert gradgradcheck(Hypot.apply, (_x, _y))
### END HIDDEN TESTS
