# ---
# jupyter:
#   jupytext:
#     formats: ipynb,py:percent
#     text_representation:
#       extension: .py
#       format_name: percent
#       format_version: '1.3'
#       jupytext_version: 1.19.6
#   kernelspec:
#     display_name: Python 3 (ipykernel)
#     language: python
#     name: python3
# ---

# %% [markdown]
# # 02 · Tensor operations · 张量运算
#
# Chapter 01 made tensors; this one computes with them. Almost every line of a neural network
# is one of the operations below: change a shape, pick a slice, join pieces, do arithmetic,
# multiply matrices, and let **broadcasting** (广播) stretch tensors to a common shape.
#
# **Goals (学习目标)**
#
# 1. Convert dtypes and create numeric ranges and grids.
# 2. Change shapes with `view`, `reshape`, `permute`, `squeeze`/`unsqueeze`, `flatten`.
# 3. Select with indexing and slicing (`x[0, 1:]`, masks, index lists); join with `cat`,
#    `stack`; cut with `split`, `chunk`.
# 4. Compute elementwise and with matrices (`@`), and predict the result shape of broadcasting.
# 5. Know which operations return a **view** (视图) sharing memory, and which copy.

# %% [markdown]
# ## Glossary · 术语表
#
# | English | 中文 | in code |
# |---|---|---|
# | shape | 形状 | `x.shape` |
# | reshape | 改变形状 | `x.reshape(2, 3)`, `x.view(6)` |
# | view | 视图 | a tensor sharing memory with another |
# | contiguous | 连续的 (内存) | `x.is_contiguous()` |
# | transpose, permute | 转置, 维度重排 | `x.t()`, `x.permute(2, 0, 1)` |
# | indexing, slicing | 索引, 切片 | `x[0]`, `x[:, 1:3]` |
# | mask | 掩码 | `x[x > 0]` |
# | concatenate, stack | 拼接, 堆叠 | `torch.cat`, `torch.stack` |
# | split, chunk | 分割, 分块 | `x.split(2)`, `x.chunk(3)` |
# | elementwise operation | 逐元素运算 | `x + y`, `x.exp()` |
# | reduction | 归约 | `x.sum(dim=0)`, `x.mean()` |
# | matrix multiplication | 矩阵乘法 | `a @ b`, `torch.matmul` |
# | broadcasting | 广播 | `(3, 1) + (4,) -> (3, 4)` |
# | in-place operation | 原地操作 | `x.add_(1)` |

# %%
import nbtorch as torch

_ = torch.manual_seed(0)

# %% [markdown]
# ## 1. Type conversion and numeric creation · 类型转换与数值创建
#
# Labels are integers, network inputs floats: you convert often. Pixels come as `uint8`
# 0..255 and are turned into floats in [0, 1]:

# %%
pixels = torch.tensor([[0, 128], [255, 64]], dtype=torch.uint8)
scaled = pixels.float() / 255
print(scaled)
print(scaled.dtype, (scaled > 0.3).dtype, (scaled > 0.3).long())

# %% [markdown]
# Ranges and grids: `arange`, `linspace`, and `meshgrid`, which turns two 1-d coordinate
# tensors into 2-d grids (one value per point of a plane), e.g. to evaluate z = x² + y².

# %%
xs = torch.linspace(-1, 1, 3)
ys = torch.arange(0.0, 2.0)
gx, gy = torch.meshgrid(xs, ys, indexing="xy")
print(gx, gy, gx**2 + gy**2, sep="\n")

# %% [markdown]
# ## 2. Shape transforms · 形状变换
#
# `view` and `reshape` give the same elements another shape (row by row, "row-major"); `-1`
# means "whatever is left". The number of elements must not change.

# %%
x = torch.arange(12)
print(x.view(3, 4))
print(x.reshape(2, -1))
print(x.view(2, 2, 3).shape)

# %% tags=["raises-exception"]
x.view(5, 2)  # 12 elements do not fit in 5 x 2

# %% [markdown]
# `unsqueeze` adds a dimension of size 1, `squeeze` removes them, `flatten` merges
# dimensions: the usual dance between a batch of images and a linear layer.

# %%
batch = torch.zeros(8, 1, 28, 28)
print(batch.flatten(1).shape)  # (8, 784): keep the batch dimension
print(batch.squeeze(1).shape, batch[0].unsqueeze(0).shape)

# %% [markdown]
# `t()` transposes a matrix, `transpose(a, b)` swaps two dimensions, `permute` reorders all of
# them — here an image from height-width-channel (HWC) to channel-height-width (CHW):

# %%
hwc = torch.rand(32, 32, 3)
print(hwc.permute(2, 0, 1).shape, hwc.transpose(0, 2).shape, torch.ones(2, 3).t().shape)

# %% [markdown]
# `repeat` copies a tensor several times; `expand` pretends to, without copying (a size-1
# dimension is repeated by a stride of 0).

# %%
row = torch.tensor([[1, 2, 3]])
print(row.repeat(2, 1))
print(row.expand(2, 3))

# %% [markdown]
# ## 3. Slicing and joining · 切片与拼接
#
# Indexing works as in numpy: integers (negative ones count from the end), slices
# `start:stop:step`, `...` for "all remaining dimensions", and `None` for a new dimension.

# %%
m = torch.arange(1, 13).view(3, 4)
print(m)
print(m[0], m[-1, -1], m[:, 1], m[1:, ::2], m[..., 0], m[None].shape, sep="\n")

# %% [markdown]
# **Advanced indexing** (高级索引) with lists or integer tensors picks any rows you like (in any
# order, repeated if you want); a **boolean mask** (掩码) picks the elements where it is True.

# %%
print(m[[2, 0, 0]])
print(m[torch.tensor([0, 2]), torch.tensor([1, 3])])  # elements (0, 1) and (2, 3)
print(m[m % 2 == 0])
print(m[:, [True, False, False, True]])

# %% [markdown]
# Assigning through an index changes the tensor; the value broadcasts to the selected shape.

# %%
m2 = m.clone()
m2[0] = 0
m2[:, -1] = torch.tensor([7, 8, 9])
m2[m2 > 10] = -1
print(m2)

# %% [markdown]
# An index outside the tensor is an `IndexError`:

# %% tags=["raises-exception"]
m[3, 0]

# %% [markdown]
# `gather` picks one element per row along a dimension — the score of the correct class of
# each sample — and `scatter` writes the other way, e.g. to build one-hot vectors.

# %%
scores = torch.tensor([[0.1, 0.7, 0.2], [0.5, 0.3, 0.2]])
labels = torch.tensor([1, 0])
print(scores.gather(1, labels.unsqueeze(1)))
print(torch.zeros(2, 3).scatter(1, labels.unsqueeze(1), 1.0))
print(scores.masked_fill(scores < 0.25, 0.0))
print(torch.where(scores > 0.25, scores, torch.zeros(2, 3)))

# %% [markdown]
# **Joining.** `cat` glues along an existing dimension (the others must match); `stack` adds
# a new dimension. **Cutting.** `split` by size, `chunk` into a number of pieces.

# %%
a, b = torch.ones(2, 3), torch.zeros(2, 3)
print(torch.cat([a, b]).shape, torch.cat([a, b], dim=1).shape, torch.stack([a, b]).shape)
print(torch.arange(7).split(3))
print(torch.arange(6).chunk(2))

# %% tags=["raises-exception"]
torch.cat([torch.ones(2, 3), torch.ones(2, 2)])  # the other dimensions must match

# %% [markdown]
# ## 4. Arithmetic · 算术运算
#
# Operators act **elementwise** (逐元素); reductions such as `sum` and `mean` collapse a
# dimension (`dim=0`: down the columns, `dim=1`: along the rows).

# %%
p = torch.tensor([[1.0, 2.0], [3.0, 4.0]])
q = torch.tensor([[10.0, 20.0], [30.0, 40.0]])
print(p + q, p * q, q / p, p**2, sep="\n")
print(p.exp(), p.sqrt(), sep="\n")
print(p.sum(), p.sum(dim=0), p.mean(dim=1, keepdim=True), sep="\n")

# %% [markdown]
# Methods ending in `_` work **in place** (原地): they change the tensor instead of making a
# new one. They save memory, but can break gradient computation (chapter 05 shows how).

# %%
r = torch.ones(3)
r.add_(2).mul_(10)
print(r)

# %% [markdown]
# ## 5. Matrix operations · 矩阵运算
#
# `@` (or `torch.matmul`) is matrix multiplication: (n, k) @ (k, m) -> (n, m). A linear layer
# computes `x @ W.T + b`. With more dimensions, the leading ones are a batch.

# %%
A = torch.tensor([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]])  # 3 x 2
B = torch.tensor([[1.0, 0.0, -1.0], [2.0, 1.0, 0.0]])  # 2 x 3
print(A @ B)
print(torch.mm(B, A))
v = torch.tensor([1.0, -1.0])
print(A @ v, torch.dot(v, v))
print(torch.bmm(torch.ones(4, 2, 3), torch.ones(4, 3, 5)).shape)  # a batch of 4 products

# %% tags=["raises-exception"]
A @ A  # (3, 2) @ (3, 2): the inner sizes 2 and 3 differ

# %% [markdown]
# ## 6. Broadcasting · 广播
#
# When shapes differ, they are lined up **from the right**; each pair of sizes must be equal,
# or one of them 1 (which is stretched), or missing (treated as 1). `(3, 1) + (4,)`:
#
# ```
#    (3, 1)
#       (4,)  ->  (1, 4)
#    result:      (3, 4)
# ```

# %%
col = torch.tensor([[0], [10], [20]])  # (3, 1)
row = torch.arange(4)  # (4,)
print(col + row)
print(torch.broadcast_shapes((3, 1), (4,)))

# %% [markdown]
# A typical use: normalise each column of a data matrix by its mean and standard deviation.

# %%
data = torch.randn(5, 3) * torch.tensor([1.0, 10.0, 100.0]) + 50
normed = (data - data.mean(dim=0)) / ((data - data.mean(dim=0)) ** 2).mean(dim=0).sqrt()
print(normed.mean(dim=0).abs() < 1e-5, normed.shape)

# %% tags=["raises-exception"]
torch.ones(2, 3) + torch.ones(2)  # lined up from the right: 3 and 2 clash

# %% [markdown]
# ## 7. Views and memory sharing · 视图与共享内存
#
# `view`, slicing, `t()`, `permute`, `expand`, `split` do not copy: they return a **view**, a
# new tensor looking at the same memory with other shape and strides. Changing the view
# changes the original.

# %%
base = torch.zeros(2, 3)
v = base.view(6)
v[0] = 1.0
base[:, 2] = 5.0
print(base, v, sep="\n")

# %% [markdown]
# Copies: `clone()`, advanced indexing (`x[[0, 1]]`), `repeat`, arithmetic results.

# %%
c = base.clone()
c[0, 0] = 100.0
picked = base[[0, 1]]
picked[0, 0] = -100.0
print(base)

# %% [markdown]
# A transposed matrix is a view whose rows are not consecutive in memory: it is not
# **contiguous** (连续), and `view` refuses it. `reshape` copies when it has to, or call
# `contiguous()` first.

# %%
tt = torch.arange(6).view(2, 3).t()
print(tt.is_contiguous(), tt.contiguous().is_contiguous(), tt.reshape(6))

# %% tags=["raises-exception"]
tt.view(6)

# %% [markdown]
# Every tensor and its views share a **version counter** (版本计数器), increased by each
# in-place change. Autograd uses it to notice that a value it saved has been changed.

# %%
w = torch.zeros(4)
part = w[1:3]
print(w._version, part._version)
part.add_(1)
print(w._version, part._version, w)

# %% [markdown]
# ## Summary · 小结
#
# - Shapes change with `view`/`reshape` (same elements, row-major), `permute`/`transpose`,
#   `squeeze`/`unsqueeze`, `flatten`; `-1` infers one size.
# - Indexing: ints, slices and `...` give views; lists, integer tensors and masks copy.
#   `gather`/`scatter` pick and place along a dimension.
# - `cat` joins along an existing dimension, `stack` along a new one; `split`/`chunk` cut.
# - Operators are elementwise; `@` multiplies matrices; broadcasting lines shapes up from the
#   right and stretches sizes of 1.
# - Views share memory and a version counter; `clone()` copies; `view` needs a contiguous
#   layout, `reshape` copies when it must.
#
# **Exercises (练习):** for `x = torch.arange(24).view(2, 3, 4)` predict, then check, the shapes
# of `x[:, 0]`, `x[..., None].shape`, `x.permute(2, 0, 1)`, `x.sum(1)` and `x @ x.transpose(1, 2)`.
# Write the one-hot encoding of `labels = torch.tensor([2, 0, 1])` with `scatter`, and again
# with broadcasting (`labels[:, None] == torch.arange(3)`). Next chapter:
# `03_computational_graphs`.
