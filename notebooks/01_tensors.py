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
# # 01 · Tensors · 张量
#
# Everything a neural network computes with is a **tensor** (张量): a block of numbers with a
# **shape** (形状) and a **data type** (数据类型, dtype). This chapter is about the tensor
# itself: what it holds, how to make one, and how random tensors are made reproducible.
#
# **Goals (学习目标)**
#
# 1. Read a tensor's rank, shape and dtype, and know what each means.
# 2. Make tensors from data, by shape, as ranges and at random.
# 3. Move data between tensors, Python numbers and numpy arrays, and know when memory is shared.
# 4. Get the same random numbers on every run with a **seed** (随机种子).
#
# We write `import nbtorch as torch`: everything here is also valid PyTorch code.

# %% [markdown]
# ## Glossary · 术语表
#
# | English | 中文 | in code |
# |---|---|---|
# | tensor | 张量 | `torch.tensor([[1., 2.]])` |
# | scalar, vector, matrix | 标量, 向量, 矩阵 | tensors of rank 0, 1, 2 |
# | rank (number of dimensions) | 阶 (维数) | `t.dim()`, `t.ndim` |
# | dimension, axis | 维度, 轴 | `dim=0` |
# | shape | 形状 | `t.shape`, `t.size()` |
# | number of elements | 元素个数 | `t.numel()` |
# | data type | 数据类型 | `t.dtype`: `torch.float32`, `torch.int64`, ... |
# | type promotion | 类型提升 | `int tensor + 0.5` is float |
# | device | 设备 | `t.device`: `cpu` or `cuda` |
# | random seed | 随机种子 | `torch.manual_seed(0)` |
# | random number generator | 随机数生成器 | `torch.Generator()` |
# | memory sharing | 共享内存 | `torch.from_numpy(a)` |

# %%
import numpy as np

import nbtorch as torch

_ = torch.manual_seed(0)  # seeded: every run prints the same numbers

# %% [markdown]
# ## 1. Rank, shape, dtype · 阶, 形状, 数据类型
#
# A tensor generalises numbers, vectors and matrices to any number of dimensions. Its **rank**
# is how many indices you need to pick one element.

# %%
scalar = torch.tensor(3.5)  # rank 0: one number
vector = torch.tensor([1.0, 2.0, 3.0])  # rank 1
matrix = torch.tensor([[1, 2, 3], [4, 5, 6]])  # rank 2: 2 rows, 3 columns
images = torch.zeros(8, 1, 28, 28)  # rank 4: 8 grey 28x28 images (batch, channel, H, W)

for name, t in [("scalar", scalar), ("vector", vector), ("matrix", matrix), ("images", images)]:
    print(f"{name:7s} rank={t.dim()} shape={tuple(t.shape)} numel={t.numel()} dtype={t.dtype}")

# %% [markdown]
# `shape` is a `torch.Size`, a tuple: `size(d)` is the length of one dimension, and negative
# dimensions count from the end, as in Python lists.

# %%
print(images.shape, images.size(), images.size(0), images.size(-1), images.shape[1:])

# %% [markdown]
# The **dtype** fixes how each element is stored. Data with a decimal point becomes
# `float32` (the default float, 默认浮点类型), integers become `int64`, booleans `bool`.

# %%
print(torch.tensor([1.5, 2.0]).dtype, torch.tensor([1, 2]).dtype, torch.tensor([True]).dtype)
print(torch.get_default_dtype())

# %% [markdown]
# | dtype | bytes | used for |
# |---|---|---|
# | `float32` (`torch.float`) | 4 | weights, activations: the default |
# | `float64` (`torch.double`) | 8 | gradient checks, when precision matters |
# | `float16` (`torch.half`) | 2 | memory-saving training on GPUs |
# | `int64` (`torch.long`) | 8 | class labels, indices |
# | `int32`, `int16`, `int8`, `uint8` | 4, 2, 1, 1 | images (`uint8` pixels 0..255), counts |
# | `bool` | 1 | masks |

# %%
for dtype in [torch.float64, torch.float32, torch.float16, torch.int64, torch.int32,
              torch.int8, torch.uint8, torch.bool]:
    t = torch.ones(3, dtype=dtype)
    print(f"{str(dtype):16s} element_size={t.element_size()} is_floating_point="
          f"{t.is_floating_point()}")

# %% [markdown]
# The printed form tells you the dtype when it is not the default one, like PyTorch's:

# %%
print(torch.tensor([1, 2], dtype=torch.int32))
print(torch.tensor([1.0, 2.5], dtype=torch.float64))
print(torch.tensor([[1.0, 2.0], [3.0, 4.0]]))

# %% [markdown]
# ### Type promotion · 类型提升
#
# When tensors of different dtypes meet, the result gets a dtype that can hold both. The
# order is bool < integer < float; a Python number only lifts the *kind* of the result:

# %%
ints = torch.tensor([1, 2, 3])
print((ints + 1).dtype)  # int stays int
print((ints + 0.5).dtype)  # a float number makes it the default float
print((ints / 2).dtype)  # true division of integers is float
print((torch.tensor([1.0], dtype=torch.float16) * 2.5).dtype)  # a number keeps float16
print((torch.tensor([True, False]) + 1).dtype)  # bool + int -> int64
print(torch.promote_types(torch.uint8, torch.int8))

# %% [markdown]
# Casting (类型转换) by hand: `.float()`, `.double()`, `.long()`, `.int()`, `.bool()` or
# `.to(dtype)`. Casting a float to an integer type cuts off the fraction.

# %%
x = torch.tensor([-1.7, 0.0, 2.9])
print(x.long(), x.bool(), x.to(torch.float64), x.half(), sep="\n")

# %% [markdown]
# ## 2. Making tensors · 创建张量
#
# **From data.** `torch.tensor` *copies* nested lists, numbers or numpy arrays.

# %%
print(torch.tensor([[1, 2], [3, 4]]))
print(torch.tensor(np.arange(3)))  # keeps numpy's dtype, here int64

# %% [markdown]
# **By shape.** `zeros`, `ones`, `full`, `empty` (memory left as it is: here zeros, but never
# rely on it), and the `*_like` versions, which copy the shape and dtype of another tensor.

# %%
print(torch.zeros(2, 3))
print(torch.ones(2, dtype=torch.int64))
print(torch.full((2, 2), 7.0))
print(torch.ones_like(matrix))
print(torch.empty(2, 2).shape)

# %% [markdown]
# **Ranges and special matrices.** `arange` (end excluded, like Python's `range`),
# `linspace` (a number of evenly spaced points, both ends included) and `eye`.

# %%
print(torch.arange(5))
print(torch.arange(0, 1, 0.25))
print(torch.linspace(0, 1, 5))
print(torch.eye(3))

# %% [markdown]
# **Legacy constructors.** Old course notes use `torch.FloatTensor(2, 3)` (a shape: memory left
# as it is) or `torch.LongTensor([1, 2])` (data). Prefer `torch.zeros` and `torch.tensor`.

# %%
print(torch.FloatTensor([1, 2]), torch.LongTensor([1.7, 2.2]), torch.FloatTensor(2, 3).shape)

# %% [markdown]
# ## 3. Python numbers and numpy · 与 Python 和 numpy 互相转换
#
# `item()` turns a one-element tensor into a Python number, `tolist()` any tensor into lists.

# %%
print(scalar.item(), vector.tolist(), matrix[1, 2].item())

# %% [markdown]
# `item()` of a tensor with more than one element is an error:

# %% tags=["raises-exception"]
vector.item()

# %% [markdown]
# `torch.from_numpy(a)` and `t.numpy()` **share memory** (共享内存) with the numpy array: no
# copy is made, so changing one changes the other. `torch.tensor(a)` copies.

# %%
a = np.zeros(3)
shared = torch.from_numpy(a)
copied = torch.tensor(a)
a[0] = 5.0
print(shared, copied)
back = shared.numpy()
back[1] = -1.0
print(a)

# %% [markdown]
# ## 4. Random tensors and seeds · 随机张量与随机种子
#
# `rand` draws uniformly from [0, 1), `randn` from the standard normal distribution (mean 0,
# standard deviation 1), `randint` integers, `randperm` a shuffled `0..n-1`, and `normal`
# normal numbers with a given mean and standard deviation.

# %%
torch.manual_seed(0)
print(torch.rand(2, 3))
print(torch.randn(2, 3))
print(torch.randint(0, 10, (5,)))
print(torch.randperm(5))
print(torch.normal(10.0, 0.1, (3,)))

# %% [markdown]
# Random numbers come from a **generator** (生成器) whose state changes with every draw. The
# same **seed** gives the same state, hence the same numbers: this is how experiments, and
# these notebooks, are made reproducible.

# %%
torch.manual_seed(42)
first = torch.randn(3)
torch.manual_seed(42)
second = torch.randn(3)
print(first, second, torch.equal(first, second))

# %% [markdown]
# You can save the state and go back to it, or give an operation its own `Generator`, so that
# other code drawing random numbers does not change your stream.

# %%
state = torch.get_rng_state()
a1 = torch.rand(2)
torch.set_rng_state(state)
a2 = torch.rand(2)
print(torch.equal(a1, a2))

g = torch.Generator().manual_seed(7)
print(torch.rand(3, generator=g))
print(torch.empty(3).uniform_(-1, 1))  # in-place fills use the default generator
print(torch.empty(3).normal_(0.0, 2.0))

# %% [markdown]
# nbtorch's generator is numpy's PCG64: the same seed gives the same numbers on every machine,
# but not the same numbers as PyTorch, whose generator is a different algorithm.
#
# ## 5. Tensors that require gradients · 需要梯度的张量
#
# A tensor with `requires_grad=True` records the operations applied to it, so that gradients
# can be computed later (chapters 03–05). Only floating-point tensors can require gradients.

# %%
w = torch.tensor([1.0, 2.0], requires_grad=True)
y = w * 3
print(w, y, sep="\n")
print(w.is_leaf, y.is_leaf, y.grad_fn)

# %% [markdown]
# Such a tensor refuses `.numpy()` (numpy cannot record anything); `detach()` gives the same
# data without the history.

# %% tags=["raises-exception"]
w.numpy()

# %%
print(w.detach().numpy())

# %% [markdown]
# ## Summary · 小结
#
# - A tensor is numbers with a **shape** and a **dtype**; its rank is `dim()`.
# - Float data defaults to `float32`, integers to `int64`; mixed dtypes are **promoted**
#   (bool < int < float), and `.float()`, `.long()`, `.to(dtype)` cast by hand.
# - `tensor` copies data; `from_numpy` and `.numpy()` share memory.
# - `zeros`, `ones`, `full`, `arange`, `linspace`, `eye`, `rand`, `randn`, `randint` make
#   tensors by shape; `manual_seed` makes random ones reproducible.
#
# **Exercises (练习):** predict the dtype of `torch.tensor([1, 2]) * 1.0`,
# `torch.tensor([1], dtype=torch.uint8) - 2` and `torch.tensor(2.0) + torch.tensor([1, 2])`,
# then check. Make a 3x3 tensor of random integers in [−5, 5] that is the same on every run.
# Next chapter: `02_tensor_operations`, computing with tensors.
