# %% [markdown]
# # Exercise 1 · Tensor operations · 张量运算
#
# **Chapter 02 (tensor operations 张量运算)**, with chapter 01 (tensors 张量).
#
# Five small puzzles. Each one is a function of one or two lines that uses **broadcasting
# (广播)** or **indexing (索引)** instead of a Python loop (循环). Write the body of each
# function where it says `# YOUR CODE HERE` (delete the `raise NotImplementedError()`).
#
# - Use nbtorch operations only (`import nbtorch as torch` works like PyTorch); no `for` loops,
#   no `.numpy()`.
# - After each function, run the test cell below it. It calls `check.ex1(...)`, which says
#   what is wrong if anything is. When the notebook is graded, hidden tests (隐藏测试) with
#   other shapes and values run as well.
#
# | English | 中文 |
# |---|---|
# | broadcasting | 广播 |
# | advanced indexing | 高级索引 |
# | shape | 形状 |
# | dimension / axis | 维度 / 轴 |

# %%
import numpy as np

import nbtorch as torch
from nbtorch.exercises import check

# %% [markdown]
# ## 1.1 Outer sum · 外和 (1 point)
#
# Given `a` of shape `(n,)` and `b` of shape `(m,)`, return the `(n, m)` tensor with
# `out[i, j] = a[i] + b[j]`. Hint: give `a` a new axis (`a[:, None]`) and let broadcasting
# do the rest.

# %% solution="outer_sum"
def outer_sum(a, b):
    """out[i, j] = a[i] + b[j]: shapes (n,) and (m,) give (n, m)."""
    ### BEGIN SOLUTION
    return a[:, None] + b[None, :]
    ### END SOLUTION


# %% test="test_outer_sum" points=1
check.ex1(outer_sum)
### BEGIN HIDDEN TESTS
_rng = np.random.default_rng(11)
for _n, _m in [(1, 1), (5, 3), (2, 7)]:
    _a, _b = _rng.normal(size=_n), _rng.normal(size=_m)
    _out = outer_sum(torch.tensor(_a), torch.tensor(_b))
    np.testing.assert_allclose(_out.numpy(), _a[:, None] + _b[None, :], rtol=1e-12)
### END HIDDEN TESTS

# %% [markdown]
# ## 1.2 Pairwise squared distances · 成对平方距离 (1 point)
#
# `x` has shape `(n, d)` (n points), `y` has shape `(m, d)`. Return the `(n, m)` tensor
# `out[i, j] = sum_k (x[i, k] - y[j, k]) ** 2`. Hint: make the difference a `(n, m, d)`
# tensor by broadcasting, then sum over the last axis.

# %% solution="pairwise_sq_dist"
def pairwise_sq_dist(x, y):
    """Squared Euclidean distance between every row of x and every row of y."""
    ### BEGIN SOLUTION
    return ((x[:, None, :] - y[None, :, :]) ** 2).sum(-1)
    ### END SOLUTION


# %% test="test_pairwise_sq_dist" points=1
check.ex1(pairwise_sq_dist)
### BEGIN HIDDEN TESTS
_rng = np.random.default_rng(12)
for _n, _m, _d in [(1, 1, 1), (4, 6, 3), (5, 2, 8)]:
    _x, _y = _rng.normal(size=(_n, _d)), _rng.normal(size=(_m, _d))
    _out = pairwise_sq_dist(torch.tensor(_x), torch.tensor(_y))
    _expected = ((_x[:, None] - _y[None]) ** 2).sum(-1)
    np.testing.assert_allclose(_out.numpy(), _expected, rtol=1e-10, atol=1e-12)
### END HIDDEN TESTS

# %% [markdown]
# ## 1.3 One-hot encoding · 独热编码 (1 point)
#
# `labels` is an integer tensor of shape `(n,)` with values in `0 .. num_classes - 1`.
# Return a `float32` tensor of shape `(n, num_classes)` with a 1 in column `labels[i]` of
# row `i` and 0 elsewhere. Hint: compare `labels[:, None]` with `torch.arange(num_classes)`.

# %% solution="one_hot"
def one_hot(labels, num_classes):
    """(n,) integer labels -> (n, num_classes) float32 one-hot rows."""
    ### BEGIN SOLUTION
    return (labels[:, None] == torch.arange(num_classes)).float()
    ### END SOLUTION


# %% test="test_one_hot" points=1
check.ex1(one_hot)
### BEGIN HIDDEN TESTS
_rng = np.random.default_rng(13)
for _n, _c in [(1, 1), (10, 3), (7, 12)]:
    _labels = _rng.integers(0, _c, size=_n)
    _out = one_hot(torch.tensor(_labels), _c)
    assert _out.dtype == torch.float32, _out.dtype
    np.testing.assert_array_equal(_out.numpy(), np.eye(_c, dtype=np.float32)[_labels])
### END HIDDEN TESTS

# %% [markdown]
# ## 1.4 Pick one entry per row · 每行取一个元素 (1 point)
#
# `x` has shape `(n, k)` and `idx` is an integer tensor of shape `(n,)`. Return the `(n,)`
# tensor `out[i] = x[i, idx[i]]` (this is how a loss picks the score of the right class).
# Hint: index with two integer tensors at once, `x[rows, idx]`.

# %% solution="pick"
def pick(x, idx):
    """out[i] = x[i, idx[i]]."""
    ### BEGIN SOLUTION
    return x[torch.arange(x.shape[0]), idx]
    ### END SOLUTION


# %% test="test_pick" points=1
check.ex1(pick)
### BEGIN HIDDEN TESTS
_rng = np.random.default_rng(14)
for _n, _k in [(1, 1), (6, 4), (9, 2)]:
    _x, _idx = _rng.normal(size=(_n, _k)), _rng.integers(0, _k, size=_n)
    _out = pick(torch.tensor(_x), torch.tensor(_idx))
    np.testing.assert_array_equal(_out.numpy(), _x[np.arange(_n), _idx])
### END HIDDEN TESTS

# %% [markdown]
# ## 1.5 Standardize columns · 按列标准化 (1 point)
#
# Return `(x - mean) / std` where `mean` and `std` are taken over the rows of each column
# (dimension 0), so every column of the result has mean 0 and standard deviation 1.
# Use the population standard deviation (总体标准差, divide by `n`, not `n - 1`:
# `x.std(0, unbiased=False)`). Do not change `x` itself.

# %% solution="standardize_columns"
def standardize_columns(x):
    """Each column shifted to mean 0 and scaled to standard deviation 1."""
    ### BEGIN SOLUTION
    return (x - x.mean(0)) / x.std(0, unbiased=False)
    ### END SOLUTION


# %% test="test_standardize_columns" points=1
check.ex1(standardize_columns)
### BEGIN HIDDEN TESTS
_rng = np.random.default_rng(15)
for _n, _d in [(2, 1), (50, 4), (7, 9)]:
    _x = _rng.normal(3.0, 5.0, size=(_n, _d))
    _t = torch.tensor(_x)
    _out = standardize_columns(_t)
    np.testing.assert_allclose(_out.numpy(), (_x - _x.mean(0)) / _x.std(0), rtol=1e-10)
    np.testing.assert_array_equal(_t.numpy(), _x)
### END HIDDEN TESTS
