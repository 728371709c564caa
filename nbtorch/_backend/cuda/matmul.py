"""Matrix product on the GPU: a tiled, shared-memory kernel with register blocking.

C = A @ B with A (M, K) and B (K, N). A naive kernel gives each thread one C[i, j] and
reads a row of A and a column of B from global memory: 2K slow reads for 2K flops. Two
ideas fix that (the same ones inside cuBLAS):

1. **Shared-memory tiles.** A block computes a BM x BN tile of C. It walks K in steps of
   BK: all its threads together copy a BM x BK tile of A and a BK x BN tile of B into
   shared memory (``cuda.shared.array``), wait (``cuda.syncthreads()``), then compute from
   the fast copy. Each element loaded from global memory is now used BN (or BM) times.
2. **Register blocking.** Each thread computes a TM x TN patch of the tile, keeping it in
   registers (``cuda.local.array``): per step along k it reads TM values of A and TN of B
   from shared memory and does TM*TN multiply-adds with them.

Blocks cover the tiles of C (grid x: columns, grid y: rows) and the batch (grid z), each
with grid-stride loops, so any grid size covers any problem. Every global read is guarded
(outside the matrix it reads 0), and A and B are read through strides, so a transposed
view (``w.T`` in a backward pass) needs no copy.
"""

from __future__ import annotations

import functools

import numba
import numpy as np

from . import runtime
from .array import empty
from .layout import broadcast_shape, element_offset, plan
from .runtime import cuda

# (BM, BN, BK, TM, TN): tile sizes; (BM / TM) * (BN / TN) threads per block.
CONFIGS = {
    "64x64": (64, 64, 16, 4, 4),  # 256 threads, 16 results each
    "128x128": (128, 128, 8, 8, 8),  # 256 threads, 64 results each
    "sim": (8, 8, 4, 2, 2),  # 16 threads: small enough for the simulator
}
config = "sim" if runtime.SIMULATOR else "128x128"


@functools.lru_cache(maxsize=None)
def matmul_kernel(tiles: tuple, dtype: np.dtype):
    """Compile the kernel for one tile configuration and dtype."""
    BM, BN, BK, TM, TN = tiles
    THREADS = (BM // TM) * (BN // TN)
    COLS = BN // TN  # threads along a row of the tile
    BM_PAD = BM + 1  # A's tile is stored k-major with one spare column: no bank conflicts
    T = numba.from_dtype(dtype)

    @cuda.jit
    def kernel(a, a_off, a_bst, a_rs, a_cs, b, b_off, b_bst, b_rs, b_cs, c, bshape, M, N, K,
               batch):
        As = cuda.shared.array((BK, BM_PAD), T)
        Bs = cuda.shared.array((BK, BN), T)
        acc = cuda.local.array((TM, TN), T)
        a_reg = cuda.local.array(TM, T)
        b_reg = cuda.local.array(TN, T)
        t = cuda.threadIdx.x
        row0 = (t // COLS) * TM  # this thread's patch inside the tile
        col0 = (t % COLS) * TN
        for z in range(cuda.blockIdx.z, batch, cuda.gridDim.z):
            a_base = a_off + element_offset(z, bshape, a_bst)
            b_base = b_off + element_offset(z, bshape, b_bst)
            for tile_m in range(cuda.blockIdx.y * BM, M, cuda.gridDim.y * BM):
                for tile_n in range(cuda.blockIdx.x * BN, N, cuda.gridDim.x * BN):
                    for i in range(TM):
                        for j in range(TN):
                            acc[i, j] = 0
                    for k0 in range(0, K, BK):
                        # 1. all threads copy the two tiles to shared memory
                        for e in range(t, BM * BK, THREADS):
                            m, k = tile_m + e // BK, k0 + e % BK
                            v = T(0)
                            if m < M and k < K:
                                v = a[a_base + m * a_rs + k * a_cs]
                            As[e % BK, e // BK] = v
                        for e in range(t, BK * BN, THREADS):
                            k, n = k0 + e // BN, tile_n + e % BN
                            v = T(0)
                            if k < K and n < N:
                                v = b[b_base + k * b_rs + n * b_cs]
                            Bs[e // BN, e % BN] = v
                        cuda.syncthreads()
                        # 2. each thread: TM x TN multiply-adds per k, from registers
                        for k in range(BK):
                            for i in range(TM):
                                a_reg[i] = As[k, row0 + i]
                            for j in range(TN):
                                b_reg[j] = Bs[k, col0 + j]
                            for i in range(TM):
                                for j in range(TN):
                                    acc[i, j] += a_reg[i] * b_reg[j]
                        cuda.syncthreads()
                    # 3. write the patch, guarding the matrix edges
                    for i in range(TM):
                        m = tile_m + row0 + i
                        if m < M:
                            for j in range(TN):
                                n = tile_n + col0 + j
                                if n < N:
                                    c[z * M * N + m * N + n] = acc[i, j]

    return kernel, THREADS


def matmul(x, y, out=None):
    """numpy's ``matmul``: (..., M, K) @ (..., K, N) -> (..., M, N), batch dims broadcast,
    1-d operands treated as a row (left) or a column (right)."""
    if x.dtype != y.dtype:
        dtype = np.result_type(x.dtype, y.dtype)
        x, y = x.astype(dtype, copy=False), y.astype(dtype, copy=False)
    x2 = x.reshape(1, -1) if x.ndim == 1 else x
    y2 = y.reshape(-1, 1) if y.ndim == 1 else y
    M, K = x2.shape[-2:]
    K2, N = y2.shape[-2:]
    if K != K2:
        raise ValueError(f"matmul: Input operand 1 has a mismatch in its core dimension 0 "
                         f"(size {K2} is different from {K})")
    bshape = broadcast_shape(x2.shape[:-2], y2.shape[:-2])
    batch = 1
    for s in bshape:
        batch *= s
    c = empty(bshape + (M, N), x.dtype, x.device_index)
    if c.size:
        _launch(x2, y2, c, bshape, batch, M, N, K)
    shape = bshape + ((M,) if x.ndim > 1 else ()) + ((N,) if y.ndim > 1 else ())
    return c.reshape(shape)


def _batch_strides(a, bshape):
    lead = len(bshape) - (a.ndim - 2)
    out = [0] * lead
    for s, st, target in zip(a.shape[:-2], a.estrides[:-2], bshape[lead:]):
        out.append(st if s == target else 0)
    return tuple(out)


def _launch(x, y, c, bshape, batch, M, N, K) -> None:
    tiles = CONFIGS[config]
    kernel, threads = matmul_kernel(tiles, np.dtype(c.dtype))
    bs, (xb, yb) = plan(bshape, _batch_strides(x, bshape), _batch_strides(y, bshape))
    BM, BN = tiles[0], tiles[1]
    cap = 2 if runtime.SIMULATOR else 65535
    grid = (min((N + BN - 1) // BN, cap), min((M + BM - 1) // BM, cap), min(batch, cap))
    with runtime.using(c.device_index):
        kernel[grid, threads](x.buf, x.offset, xb, x.estrides[-2], x.estrides[-1],
                              y.buf, y.offset, yb, y.estrides[-2], y.estrides[-1],
                              c.buf, bs, M, N, K, batch)
