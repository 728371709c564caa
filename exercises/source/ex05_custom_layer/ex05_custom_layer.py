# %% [markdown]
# # Exercise 5 · A custom layer · 自定义层
#
# **Chapter 06 (nn.Module 模块).**
#
# A `Linear(in_features, out_features)` layer has `in_features × out_features` weights
# (权重). A **low-rank (低秩)** layer writes the weight matrix as a product
# $W = U V$ of two thin matrices, $U$ of shape `(out_features, rank)` and $V$ of shape
# `(rank, in_features)`, so it has only `rank × (in_features + out_features)` weights:
#
# $$y = x V^T U^T + b$$
#
# Write `LowRankLinear(in_features, out_features, rank, bias=True)` as an `nn.Module`:
#
# - **parameters (参数)**: `self.U`, `self.V` and `self.bias` (shape `(out_features,)`), each an
#   `nn.Parameter`; with `bias=False`, register `bias` as `None`
#   (`self.register_parameter("bias", None)`), as `nn.Linear` does;
# - **initialization (初始化)** in `reset_parameters()`: like two stacked `nn.Linear` layers,
#   each factor uniform in $\pm 1/\sqrt{\text{fan\_in}}$ where fan_in is the size of the
#   dimension it multiplies: $V \sim U(-1/\sqrt{in}, 1/\sqrt{in})$,
#   $U \sim U(-1/\sqrt{rank}, 1/\sqrt{rank})$, $b \sim U(-1/\sqrt{in}, 1/\sqrt{in})$. Use
#   `nn.init.uniform_` so that `torch.manual_seed` makes it reproducible;
# - **forward (前向)**: any input of shape `(..., in_features)`.
#
# Check with `check.ex5(LowRankLinear)`. Hidden tests also train the layer inside an
# `nn.Sequential`.

# %%
import math

import numpy as np

import nbtorch as torch
from nbtorch import nn
from nbtorch.exercises import check


# %% solution="low_rank_linear"
class LowRankLinear(nn.Module):
    """y = x V^T U^T + b with U: (out_features, rank), V: (rank, in_features)."""

    def __init__(self, in_features, out_features, rank, bias=True):
        super().__init__()
        self.in_features, self.out_features, self.rank = in_features, out_features, rank
        ### BEGIN SOLUTION
        self.U = nn.Parameter(torch.empty(out_features, rank))
        self.V = nn.Parameter(torch.empty(rank, in_features))
        if bias:
            self.bias = nn.Parameter(torch.empty(out_features))
        else:
            self.register_parameter("bias", None)
        ### END SOLUTION
        self.reset_parameters()

    def reset_parameters(self):
        ### BEGIN SOLUTION
        for p, fan_in in [(self.U, self.rank), (self.V, self.in_features),
                          (self.bias, self.in_features)]:
            if p is not None:
                bound = 1 / math.sqrt(fan_in)
                nn.init.uniform_(p, -bound, bound)
        ### END SOLUTION

    def forward(self, x):
        ### BEGIN SOLUTION
        out = x @ self.V.T @ self.U.T
        return out if self.bias is None else out + self.bias
        ### END SOLUTION

    def extra_repr(self):
        return (f"in_features={self.in_features}, out_features={self.out_features}, "
                f"rank={self.rank}, bias={self.bias is not None}")


# %% test="test_parameters" points=1
check.ex5(LowRankLinear, part="parameters")
### BEGIN HIDDEN TESTS
_layer = LowRankLinear(3, 7, rank=1)
assert {n: tuple(p.shape) for n, p in _layer.named_parameters()} == {
    "U": (7, 1), "V": (1, 3), "bias": (7,)}
assert sorted(_layer.state_dict()) == ["U", "V", "bias"]
assert all(p.requires_grad for p in _layer.parameters())
### END HIDDEN TESTS

# %% test="test_init" points=1
check.ex5(LowRankLinear, part="init")
### BEGIN HIDDEN TESTS
torch.manual_seed(1)
_a = LowRankLinear(20, 10, rank=4)
torch.manual_seed(1)
_b = LowRankLinear(20, 10, rank=4)
for _n in ("U", "V", "bias"):
    assert torch.equal(getattr(_a, _n), getattr(_b, _n)), f"{_n} not reproducible"
_big = LowRankLinear(900, 600, rank=100)
for _n, _fan_in in [("U", 100), ("V", 900), ("bias", 900)]:
    _w = getattr(_big, _n).detach().numpy()
    assert abs(_w.std() * math.sqrt(3 * _fan_in) - 1) < 0.1, (_n, _w.std())
    assert abs(_w.mean()) * math.sqrt(_fan_in) < 0.1, (_n, _w.mean())
### END HIDDEN TESTS

# %% test="test_forward" points=2
check.ex5(LowRankLinear, part="forward")
### BEGIN HIDDEN TESTS
_layer = LowRankLinear(4, 6, rank=3)
_x = np.random.default_rng(51).normal(size=(2, 5, 4)).astype(np.float32)
_U, _V, _bias = (getattr(_layer, _n).detach().numpy() for _n in ("U", "V", "bias"))
np.testing.assert_allclose(_layer(torch.tensor(_x)).detach().numpy(), _x @ _V.T @ _U.T + _bias,
                           rtol=1e-5, atol=1e-6)
_out = _layer(torch.tensor(_x)).sum()
_out.backward()
assert all(p.grad is not None for p in _layer.parameters())
### END HIDDEN TESTS

# %% test="test_no_bias_and_training" points=1
check.ex5(LowRankLinear, part="no_bias")
### BEGIN HIDDEN TESTS
torch.manual_seed(0)
_x = torch.randn(64, 8)
_y = _x @ torch.randn(8, 2) @ torch.randn(2, 8)  # a rank-2 target
_model = nn.Sequential(LowRankLinear(8, 8, rank=2, bias=False))
_opt = torch.optim.Adam(_model.parameters(), lr=0.05)
_losses = []
for _ in range(200):
    _opt.zero_grad()
    _loss = nn.functional.mse_loss(_model(_x), _y)
    _loss.backward()
    _opt.step()
    _losses.append(_loss.item())
assert _losses[-1] < 0.05 * _losses[0], (_losses[0], _losses[-1])
### END HIDDEN TESTS
