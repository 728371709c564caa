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
# # 00 · Welcome to nbtorch · 欢迎
#
# nbtorch is a small deep learning framework (深度学习框架) with PyTorch's API, written in
# Python on numpy and Numba. In this course you read, run and rebuild it, one idea per notebook.
# By the end you will have trained a CNN on MNIST with a framework you understand line by line.
#
# **Goals of this notebook (学习目标)**
#
# 1. Learn the words we use, in English and Chinese.
# 2. See what a deep learning framework is, and what makes a good one.
# 3. Get the map of the course.
# 4. Check that your installation works: `nbtorch.show_config()`.
#
# Run a cell with **Shift+Enter**. Run the cells in order, from top to bottom.

# %% [markdown]
# ## Glossary · 术语表
#
# | English | 中文 | where you meet it in nbtorch |
# |---|---|---|
# | deep learning framework | 深度学习框架 | `nbtorch` itself |
# | tensor | 张量 | `nbtorch.tensor([[1.0, 2.0]])` |
# | shape, dtype | 形状, 数据类型 | `t.shape`, `t.dtype` |
# | broadcasting | 广播 | `a + b` with different shapes |
# | computational graph | 计算图 | `t.grad_fn` |
# | automatic differentiation (autodiff, AD) | 自动微分 | `nbtorch.autograd` |
# | forward mode / reverse mode | 前向模式 / 反向模式 | `autograd.forward_ad` / `loss.backward()` |
# | backpropagation | 反向传播 | `loss.backward()` |
# | gradient | 梯度 | `w.grad` |
# | loss function | 损失函数 | `nn.CrossEntropyLoss()` |
# | layer, module | 层, 模块 | `nn.Linear`, `nn.Module` |
# | parameter | 参数 | `model.parameters()` |
# | optimizer, learning rate | 优化器, 学习率 | `optim.SGD(params, lr=0.1)` |
# | dataset, data loader, batch | 数据集, 数据加载器, 批次 | `utils.data.DataLoader` |
# | epoch | 轮次 | one pass over the training set |
# | convolution | 卷积 | `nn.Conv2d` |
# | just-in-time (JIT) compilation | 即时编译 | Numba's `@njit` |
# | GPU kernel | 核函数 | Numba's `@cuda.jit` |

# %% [markdown]
# ## What is a deep learning framework? · 什么是深度学习框架
#
# A neural network is a function with many parameters. Training it means: compute a loss
# (损失), compute the gradient (梯度) of the loss with respect to every parameter, take a small
# step against the gradient, repeat. A framework does the hard parts of that loop for you:
#
# - it stores numbers in **tensors** (张量) and runs the math on them fast;
# - it records the operations as a **computational graph** (计算图);
# - it walks that graph backwards to get every gradient: **automatic differentiation** (自动微分).
#
# Let us do one training problem *without* a framework, with plain numpy, to see what that
# means. We fit `y ≈ x @ w` to data made with the weights `[2, -1, 0.5]`.

# %%
import numpy as np

rng = np.random.default_rng(0)  # seeded: the same numbers on every machine
x = rng.standard_normal((100, 3))
y = x @ np.array([2.0, -1.0, 0.5]) + 0.1 * rng.standard_normal(100)


def loss(w):
    """Mean squared error (均方误差) of the predictions x @ w."""
    return np.mean((x @ w - y) ** 2)


def grad_by_hand(w):
    """d loss / d w, derived on paper with the chain rule (链式法则)."""
    return 2 * x.T @ (x @ w - y) / len(y)


# %% [markdown]
# Did we derive the gradient right? Check it with finite differences (有限差分): nudge each
# weight by a tiny `eps` and watch the loss change.

# %%
w = np.zeros(3)
eps = 1e-6
numerical = np.array([(loss(w + eps * e) - loss(w - eps * e)) / (2 * eps) for e in np.eye(3)])
print("by hand:  ", np.round(grad_by_hand(w), 4))
print("numerical:", np.round(numerical, 4))

# %% [markdown]
# They agree. Now train: 100 steps of gradient descent (梯度下降) with learning rate 0.1.

# %%
for step in range(100):
    w = w - 0.1 * grad_by_hand(w)
print("learned w:", np.round(w, 2), " loss:", round(float(loss(w)), 4))

# %% [markdown]
# That is all training is. The hard part was `grad_by_hand`: for a network with millions of
# parameters and dozens of layers nobody derives it on paper. With a framework you write only
# the forward computation and ask for the gradient; in chapter 05 this becomes
#
# ```python
# loss = ((x @ w - y) ** 2).mean()
# loss.backward()          # w.grad now holds what grad_by_hand computed
# ```

# %% [markdown]
# ## What does a good framework need? · 好的框架需要什么
#
# | need | why | how nbtorch does it | chapter |
# |---|---|---|---|
# | fast (快) | training runs the same ops millions of times | numpy's BLAS for matmul and convolution, Numba-compiled loops for the rest | 11 |
# | easy to code (易用) | you should write the model, not the bookkeeping | PyTorch's API: `import nbtorch as torch` runs ordinary PyTorch code | 01–08 |
# | community (社区) | tutorials, answers, models to reuse | PyTorch's names, so PyTorch's documentation and examples apply | all |
# | parallel computation (并行计算) | one CPU core is slow; a GPU has thousands | BLAS threads, Numba `parallel=True`, CUDA kernels with Numba | 11 |
# | automatic gradients (自动求导) | no gradient by hand, ever | reverse-mode autograd, forward-mode AD, higher-order gradients | 03–05 |
#
# Why is *fast* first? Here is the same matrix product written with Python loops and with
# numpy, which hands it to a BLAS library (compiled, vectorized, multithreaded).

# %%
import time


def matmul_loops(a, b):
    """The matrix product a @ b with three Python loops."""
    n, k, m = a.shape[0], a.shape[1], b.shape[1]
    out = np.zeros((n, m))
    for i in range(n):
        for j in range(m):
            for p in range(k):
                out[i, j] += a[i, p] * b[p, j]
    return out


a, b = rng.standard_normal((64, 64)), rng.standard_normal((64, 64))

# %% tags=["nbval-ignore-output"]
start = time.perf_counter()
slow = matmul_loops(a, b)
t_loops = time.perf_counter() - start
start = time.perf_counter()
fast = a @ b
t_blas = time.perf_counter() - start
print(f"Python loops: {t_loops * 1e3:8.2f} ms")
print(f"numpy (BLAS): {t_blas * 1e3:8.2f} ms   ({t_loops / t_blas:,.0f}x faster)")

# %%
print("same result:", np.allclose(slow, fast))

# %% [markdown]
# The timings differ from machine to machine, so the notebook tests ignore that cell's output
# (its tag `nbval-ignore-output`); the check that both give the same numbers is tested.

# %% [markdown]
# ## The course map · 课程地图
#
# Each chapter is one notebook and one part of nbtorch. Later chapters use what earlier ones
# built, so take them in order.
#
# | | chapter | you build | in nbtorch |
# |---|---|---|---|
# | 00 | [Welcome](00_welcome.ipynb) · 欢迎 | this overview | `show_config` |
# | 01 | [Tensors](01_tensors.ipynb) · 张量 | storage, shape, dtype, device, views | `Tensor` |
# | 02 | [Tensor operations](02_tensor_operations.ipynb) · 张量运算 | math, broadcasting, indexing, reductions | `nbtorch.*` |
# | 03 | [Computational graphs](03_computational_graphs.ipynb) · 计算图 | recording operations as a graph | `grad_fn`, `nbtorch.viz` |
# | 04 | [Forward-mode AD](04_forward_mode_ad.ipynb) · 前向模式自动微分 | dual numbers, Jacobian-vector products | `autograd.forward_ad` |
# | 05 | [Reverse-mode autograd](05_reverse_mode_autograd.ipynb) · 反向模式自动微分 | backpropagation on the graph | `backward`, `autograd.Function` |
# | 06 | [nn.Module and functional](06_nn_module_and_functional.ipynb) · 模块与函数式接口 | layers, parameters, losses | `nn`, `nn.functional` |
# | 07 | [Optimizers](07_optimizers.ipynb) · 优化器 | SGD, momentum, Adam, schedules | `optim` |
# | 08 | [Datasets and loaders](08_datasets_and_loaders.ipynb) · 数据集与数据加载器 | batching, shuffling, transforms | `utils.data`, `vision` |
# | 09 | [MNIST with an MLP](09_mnist_mlp.ipynb) · 多层感知机 | a full training loop | everything above |
# | 10 | [CNNs](10_cnns.ipynb) · 卷积神经网络 | convolution and pooling | `nn.Conv2d`, `nn.MaxPool2d` |
# | 11 | [Acceleration](11_acceleration.ipynb) · 加速 | BLAS, Numba, CUDA | `_backend`, `nbtorch.cuda` |
# | 12 | [Save and load](12_save_and_load.ipynb) · 保存与加载 | checkpoints that run no code | `save`, `load` |

# %% [markdown]
# ## Check your installation · 检查安装
#
# `show_config()` prints the versions and hardware nbtorch sees. If something behaves
# differently for you than for your classmates, start your question with this output.
# (Versions differ from machine to machine, so the tests ignore this cell's output.)

# %% tags=["nbval-ignore-output"]
import nbtorch

nbtorch.show_config()

# %% [markdown]
# ## Summary · 小结
#
# - A **deep learning framework** (深度学习框架) stores numbers in **tensors** (张量), records
#   the operations as a **computational graph** (计算图), and computes **gradients** (梯度) by
#   **automatic differentiation** (自动微分).
# - Training is a loop: loss, gradient, step. Without a framework you derive the gradient by
#   hand, as we did for `grad_by_hand`, and check it with finite differences.
# - A good framework is fast, easy to code, backed by a community, runs in parallel, and
#   computes gradients automatically. nbtorch keeps PyTorch's API so that what you learn here
#   carries over.
# - `nbtorch.show_config()` tells you what your installation runs on.
#
# **Next:** [01 · Tensors](01_tensors.ipynb), the data structure everything else is built on.
