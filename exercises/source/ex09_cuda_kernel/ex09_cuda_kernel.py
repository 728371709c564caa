# %% [markdown]
# # Exercise 9 · A CUDA kernel · CUDA 核函数
#
# **Chapter 11 (acceleration 加速: Numba and CUDA).**
#
# A CUDA **kernel (核函数)** runs once per **thread (线程)**; threads are grouped in
# **blocks (线程块)**, and the blocks form the **grid (网格)**. Each thread finds its own
# element with `cuda.grid(1)` (or `i, j = cuda.grid(2)`). The grid usually has a few more
# threads than elements, so every kernel starts with a **bounds check (边界检查)**.
#
# No GPU needed: the first cell turns on Numba's CUDA **simulator (模拟器)**, which runs
# kernels on the CPU (slowly, one Python thread per CUDA thread: keep arrays small). On a
# machine with a GPU, delete that line and the same code runs on the GPU.
#
# Write:
#
# 1. `axpy_kernel(a, x, y, out)`: `out[i] = a * x[i] + y[i]`, and its launcher
#    `axpy(a, x, y)` for 1-D float32 nbtorch tensors: copy to the device
#    (`cuda.to_device(x.numpy())`), allocate the output (`cuda.device_array_like`), launch
#    `axpy_kernel[blocks, THREADS](...)` with enough blocks to cover every element, copy back
#    and return a tensor (`torch.from_numpy(d_out.copy_to_host())`);
# 2. `matmul_kernel(A, B, C)`: thread `(i, j)` computes `C[i, j]` (a loop over `k`), and its
#    launcher `matmul(A, B)` with a 2-D grid of `(8, 8)` blocks.
#
# Check with `check.ex9(axpy)` and `check.ex9(matmul)`.

# %%
import os

os.environ["NUMBA_ENABLE_CUDASIM"] = "1"  # before numba is imported: simulate the GPU

import math

import numpy as np
from numba import cuda

import nbtorch as torch
from nbtorch.exercises import check

THREADS = 32       # threads per block for axpy
THREADS_2D = (8, 8)

# %% solution="axpy"
@cuda.jit
def axpy_kernel(a, x, y, out):
    ### BEGIN SOLUTION
    i = cuda.grid(1)
    if i < out.shape[0]:
        out[i] = a * x[i] + y[i]
    ### END SOLUTION


def axpy(a, x, y):
    """a * x + y for 1-D float32 tensors, computed by axpy_kernel."""
    ### BEGIN SOLUTION
    d_x, d_y = cuda.to_device(x.numpy()), cuda.to_device(y.numpy())
    d_out = cuda.device_array_like(d_x)
    blocks = math.ceil(x.shape[0] / THREADS)
    axpy_kernel[blocks, THREADS](a, d_x, d_y, d_out)
    return torch.from_numpy(d_out.copy_to_host())
    ### END SOLUTION


# %% test="test_axpy" points=2
check.ex9(axpy)
### BEGIN HIDDEN TESTS
for _n in (1, 32, 33, 97):
    _x = np.arange(_n, dtype=np.float32)
    _y = np.full(_n, -1.0, dtype=np.float32)
    np.testing.assert_allclose(axpy(-0.5, torch.from_numpy(_x), torch.from_numpy(_y)).numpy(),
                               -0.5 * _x - 1.0, rtol=1e-6)
### END HIDDEN TESTS

# %% solution="matmul"
@cuda.jit
def matmul_kernel(A, B, C):
    ### BEGIN SOLUTION
    i, j = cuda.grid(2)
    if i < C.shape[0] and j < C.shape[1]:
        acc = 0.0
        for k in range(A.shape[1]):
            acc += A[i, k] * B[k, j]
        C[i, j] = acc
    ### END SOLUTION


def matmul(A, B):
    """A @ B for 2-D float32 tensors, computed by matmul_kernel."""
    ### BEGIN SOLUTION
    d_a, d_b = cuda.to_device(A.numpy()), cuda.to_device(B.numpy())
    d_c = cuda.device_array((A.shape[0], B.shape[1]), dtype=np.float32)
    blocks = (math.ceil(A.shape[0] / THREADS_2D[0]), math.ceil(B.shape[1] / THREADS_2D[1]))
    matmul_kernel[blocks, THREADS_2D](d_a, d_b, d_c)
    return torch.from_numpy(d_c.copy_to_host())
    ### END SOLUTION


# %% test="test_matmul" points=3
check.ex9(matmul)
### BEGIN HIDDEN TESTS
_rng = np.random.default_rng(91)
for _m, _k, _n in [(1, 1, 1), (9, 3, 8), (4, 17, 10)]:
    _a = _rng.normal(size=(_m, _k)).astype(np.float32)
    _b = _rng.normal(size=(_k, _n)).astype(np.float32)
    _c = matmul(torch.from_numpy(_a), torch.from_numpy(_b))
    np.testing.assert_allclose(_c.numpy(), _a @ _b, rtol=1e-4, atol=1e-5)
    np.testing.assert_allclose(_c.numpy(), (torch.from_numpy(_a) @ torch.from_numpy(_b)).numpy(),
                               rtol=1e-4, atol=1e-5)
### END HIDDEN TESTS
