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
# # 11 · Acceleration: BLAS, Numba and CUDA · 加速：BLAS、Numba 与 CUDA
#
# A deep-learning framework spends almost all of its time in a few kernels: matrix products,
# convolutions, elementwise maps and reductions. This chapter shows why a matrix product in
# plain Python is hopeless, how numpy (BLAS) and Numba make it fast on the CPU, and how a GPU
# kernel divides the same work among thousands of threads. The GPU kernels here are the
# ones behind nbtorch's `cuda` device, written with Numba CUDA.
#
# This notebook runs anywhere: without an NVIDIA GPU the kernels run in Numba's **CUDA
# simulator** (on the CPU, one Python thread per GPU thread: slow, so the sizes are tiny).
#
# **Goals of this notebook (学习目标)**
#
# 1. Time a Python triple loop against numpy's BLAS matrix product, and see why they differ.
# 2. Write a Numba CPU kernel (`@njit`).
# 3. Follow a CUDA kernel thread by thread: grid, blocks, threads, shared-memory tiles.
# 4. Train the same model on `cpu` and on `cuda` and get the same numbers, and count the
#    kernels one training step launches (why fused kernels matter).
# 5. Choose GPUs: `torch.cuda.set_device` and `CUDA_VISIBLE_DEVICES`.

# %% [markdown]
# ## Glossary · 术语表
#
# | English | 中文 | in this notebook |
# |---|---|---|
# | BLAS (Basic Linear Algebra Subprograms) | 基础线性代数子程序 | what `numpy.matmul` calls |
# | kernel | 核函数 | a function that runs on many threads at once |
# | thread / block / grid | 线程 / 线程块 / 网格 | `cuda.threadIdx`, `cuda.blockIdx`, `kernel[blocks, threads]` |
# | shared memory | 共享内存 | `cuda.shared.array`: fast memory a block's threads share |
# | tile | 分块 | the piece of a matrix a block copies into shared memory |
# | device | 设备 | `torch.device('cuda:0')` |
# | host | 主机 | the CPU and its memory |
# | simulator | 模拟器 | `NUMBA_ENABLE_CUDASIM=1` |
# | kernel launch | 核函数启动 | one `kernel[blocks, threads](...)` call: a fixed cost each time |
# | kernel fusion | 算子融合 | one kernel doing the work of several (e.g. a product and its bias) |
# | synchronization | 同步 | the CPU waiting until the GPU has finished the work queued so far |

# %%
import os

os.environ.setdefault("NUMBA_ENABLE_CUDASIM", "1")  # before numba is imported: no GPU needed

import time

import numpy as np

import nbtorch as torch

print("cuda available:", torch.cuda.is_available(), "| simulator:", torch.cuda.is_simulator())

# %% [markdown]
# ## 1. Why BLAS · 为什么要用 BLAS
#
# The textbook matrix product is three nested loops: n^3 multiply-adds. In Python each of them
# is an interpreted bytecode sequence with boxed numbers; numpy's `@` hands the whole product
# to a BLAS library, compiled code that keeps blocks of the matrices in cache and registers,
# uses SIMD instructions and all cores.

# %%
def matmul_python(a, b):
    """C = A @ B with three Python loops."""
    n, k = len(a), len(a[0])
    m = len(b[0])
    c = [[0.0] * m for _ in range(n)]
    for i in range(n):
        for j in range(m):
            s = 0.0
            for p in range(k):
                s += a[i][p] * b[p][j]
            c[i][j] = s
    return c


rng = np.random.default_rng(0)
n = 96
A = rng.standard_normal((n, n))
B = rng.standard_normal((n, n))
print("same result:", np.allclose(matmul_python(A.tolist(), B.tolist()), A @ B))

# %% tags=["nbval-ignore-output"]
t0 = time.perf_counter()
matmul_python(A.tolist(), B.tolist())
t_python = time.perf_counter() - t0
t0 = time.perf_counter()
for _ in range(100):
    A @ B
t_blas = (time.perf_counter() - t0) / 100
print(f"python loops: {t_python * 1e3:8.2f} ms")
print(f"numpy (BLAS): {t_blas * 1e3:8.4f} ms   ({t_python / t_blas:.0f}x faster)")

# %% [markdown]
# ## 2. A Numba CPU kernel · Numba CPU 核函数
#
# `numba.njit` compiles a Python function to machine code the first time it is called (for
# the argument types it sees). The same three loops now run at compiled speed; BLAS is still
# faster, because it also blocks for the cache and uses every core. nbtorch uses Numba where
# numpy has no fast function (scatter-add, col2im, max pooling with argmax, ...).

# %%
from numba import njit


@njit(cache=True)
def matmul_numba(a, b, c):
    n, k = a.shape
    m = b.shape[1]
    for i in range(n):
        for j in range(m):
            s = 0.0
            for p in range(k):
                s += a[i, p] * b[p, j]
            c[i, j] = s


C = np.empty((n, n))
matmul_numba(A, B, C)  # the first call compiles
print("same result:", np.allclose(C, A @ B))

# %% tags=["nbval-ignore-output"]
t0 = time.perf_counter()
for _ in range(20):
    matmul_numba(A, B, C)
print(f"numba loops: {(time.perf_counter() - t0) / 20 * 1e3:.3f} ms")

# %% [markdown]
# ## 3. A CUDA kernel, thread by thread · 逐线程理解 CUDA 核函数
#
# A GPU runs one kernel on many threads. Threads come in **blocks** (up to 1024 threads; the
# threads of a block share fast *shared memory* and can wait for each other), and the blocks
# form the **grid**. `kernel[blocks, threads](args)` launches it; inside, each thread reads
# who it is: `cuda.blockIdx.x`, `cuda.threadIdx.x`, and `cuda.grid(1)` =
# `blockIdx.x * blockDim.x + threadIdx.x`, its number in the whole grid.
#
# Let every thread write its own numbers into an array:

# %%
from numba import cuda


@cuda.jit
def who_am_i(block, thread, global_id):
    i = cuda.grid(1)
    if i < global_id.size:  # guard: there may be more threads than elements
        block[i] = cuda.blockIdx.x
        thread[i] = cuda.threadIdx.x
        global_id[i] = i


size = 10
block, thread, global_id = (cuda.device_array(size, np.int32) for _ in range(3))
who_am_i[3, 4](block, thread, global_id)  # 3 blocks of 4 threads: 12 threads, 10 elements
print("block    ", block.copy_to_host())
print("thread   ", thread.copy_to_host())
print("cuda.grid", global_id.copy_to_host())

# %% [markdown]
# Threads 10 and 11 (block 2, threads 2 and 3) found `i >= size` and did nothing: **every
# index is guarded**. When there are more elements than threads, a **grid-stride loop** lets
# each thread take elements i, i + gridsize, i + 2 gridsize, ... (all nbtorch kernels do
# this, so any launch size covers any array).
#
# ### A matrix product on the GPU
#
# The simplest kernel gives each thread one C[i, j] (a 2-d grid). Each thread reads a whole
# row of A and column of B from global memory: slow memory, read K times over.

# %%
@cuda.jit
def matmul_naive(a, b, c):
    i, j = cuda.grid(2)  # row, column of this thread's element of C
    if i < c.shape[0] and j < c.shape[1]:
        s = 0.0
        for p in range(a.shape[1]):
            s += a[i, p] * b[p, j]
        c[i, j] = s


a = rng.standard_normal((6, 5)).astype(np.float32)
b = rng.standard_normal((5, 7)).astype(np.float32)
c = cuda.device_array((6, 7), np.float32)
matmul_naive[(2, 2), (4, 4)](cuda.to_device(a), cuda.to_device(b), c)  # 2x2 blocks of 4x4
print("naive kernel == numpy:", np.allclose(c.copy_to_host(), a @ b, atol=1e-5))

# %% [markdown]
# ### Shared-memory tiles · 共享内存分块
#
# The fast version lets a block of TILE x TILE threads compute a TILE x TILE tile of C. It
# walks along k in steps of TILE; at each step **all threads of the block together** copy one
# tile of A and one of B into shared memory (each thread copies one element), wait with
# `cuda.syncthreads()` until the copy is complete, then each thread does TILE multiply-adds
# from the fast copy, and waits again before the tiles are overwritten. Every element
# brought from global memory is now used TILE times.
#
# nbtorch's kernel (`nbtorch/_backend/cuda/matmul.py`) adds one more idea, *register
# blocking*: each thread computes an 8 x 8 patch of C, so a value read from shared memory is
# used 8 times from a register.

# %%
TILE = 4


@cuda.jit
def matmul_tiled(a, b, c):
    a_tile = cuda.shared.array((TILE, TILE), np.float32)
    b_tile = cuda.shared.array((TILE, TILE), np.float32)
    ty, tx = cuda.threadIdx.x, cuda.threadIdx.y
    i = cuda.blockIdx.x * TILE + ty  # this thread's row and column of C
    j = cuda.blockIdx.y * TILE + tx
    s = np.float32(0.0)  # a float32 literal: keeps the arithmetic in float32
    for k0 in range(0, a.shape[1], TILE):
        # 1. each thread copies one element of each tile (0 outside the matrices)
        a_tile[ty, tx] = a[i, k0 + tx] if i < a.shape[0] and k0 + tx < a.shape[1] else 0
        b_tile[ty, tx] = b[k0 + ty, j] if k0 + ty < b.shape[0] and j < b.shape[1] else 0
        cuda.syncthreads()  # 2. wait until the whole tile is there
        for p in range(TILE):
            s += a_tile[ty, p] * b_tile[p, tx]
        cuda.syncthreads()  # 3. wait before the next copy overwrites the tiles
    if i < c.shape[0] and j < c.shape[1]:
        c[i, j] = s


c = cuda.device_array((6, 7), np.float32)
matmul_tiled[(2, 2), (TILE, TILE)](cuda.to_device(a), cuda.to_device(b), c)
print("tiled kernel == numpy:", np.allclose(c.copy_to_host(), a @ b, atol=1e-5))

# %% [markdown]
# ## 4. The `cuda` device in nbtorch · nbtorch 的 cuda 设备
#
# A cuda tensor keeps its data in GPU memory (a `DeviceArray`: a buffer plus shape and
# strides, like a numpy array) and every operation on it launches kernels like the ones
# above. The API is PyTorch's: `.cuda()`, `.to(device)`, `device=`, `.cpu()`.

# %%
x = torch.arange(6.0).reshape(2, 3)
xc = x.cuda()
print(xc.device, xc.is_cuda, x.device)
print(xc * 2 + 1)
print(torch.zeros(2, device="cuda").device, xc.cpu().device)

# %% [markdown]
# Tensors on different devices cannot meet in one operation; move one first:

# %% tags=["raises-exception"]
x + xc

# %% [markdown]
# ### The same model on `cpu` and on `cuda`
#
# Same seed, same data, same model: the losses agree to float32 rounding. (In the simulator
# a GPU step is much slower than a CPU step; on a real GPU and large batches it is the
# other way round.)

# %%
import nbtorch.nn as nn
import nbtorch.nn.functional as F


def train(device, steps=3):
    torch.manual_seed(0)
    model = nn.Sequential(nn.Linear(8, 16), nn.ReLU(), nn.Linear(16, 3)).to(device)
    opt = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
    X = torch.randn(32, 8).to(device)
    y = (X[:, 0] > 0).long() + (X[:, 1] > 0).long()  # 3 classes: computed on the device
    losses = []
    for _ in range(steps):
        opt.zero_grad()
        loss = F.cross_entropy(model(X), y)
        loss.backward()
        opt.step()
        losses.append(round(loss.item(), 5))
    return losses


print("cpu: ", train("cpu"))
print("cuda:", train("cuda"))

# %% [markdown]
# ### Why a small model is slow on a GPU: kernel launches · 核函数启动的固定开销
#
# Every cuda op starts at least one kernel, and starting one has a fixed cost on the CPU:
# Python checks and converts each argument, then asks the driver to launch. Measured on an
# NVIDIA H100 (`benchmarks/GPU_RESULTS.md`), a tiny op took 20-58 µs in nbtorch (its
# autograd, allocation and launch are Python) and 7-13 µs in PyTorch (C++). For a
# small model at batch 64 the arithmetic of a step takes the GPU a few microseconds per
# kernel, so **the number of launches sets the speed**. `torch.cuda.count_launches()` (an
# nbtorch teaching aid) counts them:

# %%
torch.manual_seed(0)
model = nn.Sequential(nn.Linear(8, 16), nn.ReLU(), nn.Linear(16, 3)).cuda()
opt = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
X, y = torch.randn(32, 8).cuda(), torch.randint(0, 3, (32,)).cuda()
for step in range(2):  # step 0 also creates the momentum buffers
    opt.zero_grad()
    with torch.cuda.count_launches() as forward:
        loss = F.cross_entropy(model(X), y)
    with torch.cuda.count_launches() as backward:
        loss.backward()
    with torch.cuda.count_launches() as update:
        opt.step()
for name, launches in [("forward + loss", forward), ("backward", backward),
                       ("optimizer step", update)]:
    print(f"{name:15} {sum(launches.values()):2d} launches  {dict(launches)}")

# %% [markdown]
# That is few because nbtorch **fuses** the common ops into one kernel each (算子融合):
#
# * `F.linear` is one matrix-product kernel that adds the bias as it writes each result
#   (`nbtorch/_backend/cuda/matmul.py`), instead of a product and then an addition; in its
#   backward, the weight's and the bias's gradients come out of one product (the bias is a
#   weight on an extra input that is always 1);
# * `F.cross_entropy` over a classifier's short rows (up to 32 classes) is one kernel:
#   one block, each thread computing whole rows' log-sum-exp and loss, then the block's
#   shared-memory tree adding the losses up (wider rows: one block per row, then a sum);
#   its backward is one kernel for "softmax minus one-hot"
#   (`nbtorch/_backend/cuda/softmax.py`);
# * ReLU's backward is one kernel, and SGD with momentum one kernel per parameter
#   (`nbtorch/_backend/cuda/optim.py`).
#
# The same maths written as separate ops launches more kernels, and on a GPU costs more:

# %%
w, b = model[0].weight, model[0].bias
with torch.cuda.count_launches() as fused:
    F.linear(X, w, b)
with torch.cuda.count_launches() as separate:
    X.matmul(w.t()) + b
print("linear:        fused", sum(fused.values()), "| matmul then +", sum(separate.values()))

logits = model(X)
with torch.cuda.count_launches() as fused:
    F.cross_entropy(logits, y)
with torch.cuda.count_launches() as separate:
    -F.log_softmax(logits, 1).gather(1, y[:, None]).mean()
print("cross entropy: fused", sum(fused.values()), "| log_softmax, gather, mean",
      sum(separate.values()))

# %% [markdown]
# This is also why PyTorch calls cuBLAS and cuDNN: besides being fast kernels, one library
# call does what would otherwise be many small launches. And it is why GPUs shine with
# *large* batches: the fixed cost per launch stays the same while the work per launch grows.
#
# How much launches matter, measured on NVIDIA GPUs with `benchmarks/gpu_check.py` (one epoch
# of a 784-256-128-10 MLP, batch 64, SGD with momentum; medians of interleaved rounds):
#
# | launches per step | nbtorch `cuda` | nbtorch `cpu` (16 cores) | PyTorch `cuda` |
# |---|---:|---:|---:|
# | 89, through numba-cuda's own launch (an earlier run, on an H200) | 11.4 s | 1.9 s | 1.3 s |
# | 21, fused kernels and FastLauncher (2026-11-28, run F) | 0.99 s | 1.05 s | 0.88 s |
# | the same code on another H100 machine (run G) | 1.09 s | 1.39 s | 1.22 s |
#
# Even at 21 launches, most of a step's time on the GPU is Python on the CPU: a step took
# about 0.85 ms on run F's machine, and the same step's host work alone, with the driver
# stubbed out (`benchmarks/cuda_launch_stub.py`), takes about 0.5 ms on a 2-core machine.

# %% [markdown]
# #### What "converting each argument" means · 参数打包
#
# The driver starts a kernel with one flat list of C values, its *parameters*. Numba turns
# every Python argument into some of them: a number becomes one (a 64-bit integer for `n`),
# an array becomes seven or more (two unused pointers, the element count, the item size, the
# address of the first element, then the shape and the strides in bytes). A 1-d float32
# array of 1000 elements at address `0x7f00` is passed as `0, 0, 1000, 4, 0x7f00, 1000, 4`.
# numba-cuda does this in Python at every launch, testing each argument's type in a long
# chain of `isinstance` checks, and wraps every number in a ctypes object (`c_int64(n)`),
# which cuda.core, the library that calls the driver, unwraps again into the C value.
# nbtorch's `FastLauncher` (`nbtorch/_backend/cuda/launcher.py`) decides once per compiled
# kernel how each argument is packed, and hands numbers to cuda.core as they are: it turns a
# Python int or a numpy scalar into a C value more than ten times faster than a ctypes
# object, and a training step passes a few hundred numbers. `benchmarks/cuda_launch_stub.py`
# times all this without a GPU (the driver call replaced by a no-op): one training step of a
# 784-256-128-10 MLP took 1.47-1.50 ms of CPU time with numba-cuda's packing and 0.47 ms with
# FastLauncher, on a 2-core machine.
#
# On real GPUs (two H100 machines, `benchmarks/cuda_launch_parts.py`), one launch of a small
# op cost:
#
# | part of the launch | µs, run F | µs, run G |
# |---|---:|---:|
# | typing: which compiled version of the kernel fits these argument types | 1.6 | 3.6 |
# | packing 17 parameters (FastLauncher) | 0.7 | 1.5 |
# | finding the kernel *loaded* into the GPU's context, numba-cuda's way | 3.5 | 6.8 |
# | the same, kept by FastLauncher per context | 0.3 | 0.7 |
# | the driver call | 4.6 | 6.7 |
# | the whole op `x + 1.0` in nbtorch (autograd, allocation, launch) | 20.3 | 32.1 |
# | the same op in PyTorch | 7.3 | 12.2 |
#
# A compiled kernel must be loaded into a *context* (the driver's state for one GPU) before
# it can run. numba-cuda looks the loaded kernel up at every launch, checking in Python which
# context is current; FastLauncher keeps it, per context, after the first launch. 3-7 µs
# looks small, but an epoch of a small MLP makes about 20,000 launches.

# %% [markdown]
# #### Waiting for the GPU · 同步
#
# A launch only *queues* the kernel: Python goes on at once while the GPU works through the
# queue, and the two overlap. Reading a result on the CPU (`loss.item()`, `print(t)`,
# `t.cpu()`) must wait until every kernel queued before it has finished: a
# **synchronization**, during which the GPU sits idle while the CPU prepares nothing.
# `torch.cuda.synchronize()` waits on purpose, which is why GPU code is timed with it.
#
# `F.cross_entropy` must check that every target is a class (`0 <= y < C`), or report
# `IndexError: Target 12 is out of bounds.` Reading the targets on the CPU at every step
# would synchronize at every step (on an H100 that cost 0.22 s of a 1.6 s epoch of a small
# MLP). nbtorch avoids it for targets copied from the host, as `y.cuda()` does: the host
# saw their values then, so it keeps the smallest and the largest, and any in-place change
# to them (`y[0] = 12`) forgets those and makes the next check read the targets again.
# PyTorch instead checks inside the kernel and reports a failure later ("device-side assert
# triggered"), at the next synchronization.

# %% [markdown]
# ## 5. Choosing GPUs: `set_device` and `CUDA_VISIBLE_DEVICES` · 选择 GPU
#
# * `torch.cuda.device_count()` counts the GPUs the program can see; they are `cuda:0`,
#   `cuda:1`, ... and `torch.cuda.set_device(i)` (or `with torch.cuda.device(i):`) picks the
#   one that plain `'cuda'` means.
# * `CUDA_VISIBLE_DEVICES` decides which GPUs the program sees at all, and **renumbers**
#   them. It is read when CUDA starts, so set it *before* the program starts (or at least
#   before the first cuda tensor): `CUDA_VISIBLE_DEVICES=2 python train.py` gives the
#   program one GPU, physical GPU 2, which it calls **`cuda:0`**. Writing `cuda:2` inside
#   that program is an error: there is only one visible device. (A common slip is to set
#   `CUDA_VISIBLE_DEVICES=2` and then ask for `cuda:2`.) `CUDA_VISIBLE_DEVICES=1,0` shows
#   both GPUs, in swapped order; `CUDA_VISIBLE_DEVICES=""` hides all of them.

# %%
print("visible GPUs:", torch.cuda.device_count(), "| current:", torch.cuda.current_device())
print("name:", torch.cuda.get_device_name())
with torch.cuda.device(0):
    print("inside `with torch.cuda.device(0)`:", torch.cuda.current_device())

# %% tags=["raises-exception"]
torch.cuda.set_device(torch.cuda.device_count())  # one past the last visible GPU

# %% [markdown]
# ## Summary · 小结
#
# * A matrix product is n^3 multiply-adds; *how* they are done decides the speed: Python
#   loops << Numba loops < BLAS on the CPU, and on a GPU, thousands of threads.
# * A CUDA kernel is written for one thread; `kernel[blocks, threads]` runs it on a grid.
#   Guard every index, use grid-stride loops, and share loaded data through shared memory
#   tiles with `cuda.syncthreads()` between the phases.
# * In nbtorch, `.cuda()` / `.to('cuda')` / `device='cuda'` put tensors on the GPU; ops and
#   autograd work the same and give the same numbers; devices must not be mixed.
# * Each kernel launch has a fixed cost; for small models the launches, not the arithmetic,
#   decide a GPU step's time, so frameworks fuse ops into fewer kernels.
# * Kernels run while Python goes on; reading a result on the CPU waits for them
#   (synchronization), so a training step should not read GPU values it does not need.
# * `CUDA_VISIBLE_DEVICES` (before start) chooses and renumbers the visible GPUs;
#   `set_device` chooses among them.
#
# **Exercises (练习)**: (1) time `matmul_tiled` against `matmul_naive` on a real GPU for
# n = 1024, 2048 (`benchmarks/gpu_check.py` shows how to time GPU code: synchronize first);
# (2) change `TILE` and explain the change in speed; (3) read `nbtorch/_backend/cuda/reduce.py`
# and draw the shared-memory tree of a block of 8 threads summing 20 numbers.
