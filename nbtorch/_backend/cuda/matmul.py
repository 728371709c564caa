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
from .array import empty, is_flat
from .layout import broadcast_shape, copy, copy_into, element_offset, plan
from .runtime import cuda

# (BM, BN, BK, TM, TN): tile sizes; (BM / TM) * (BN / TN) threads per block.
CONFIGS = {
    "64x64": (64, 64, 16, 4, 4),  # 256 threads, 16 results each
    "128x128": (128, 128, 8, 8, 8),  # 256 threads, 64 results each: the fastest on an H200
    "sim": (8, 8, 4, 2, 2),  # 16 threads: small enough for the simulator
}
config = "sim" if runtime.SIMULATOR else "128x128"


@functools.lru_cache(maxsize=None)
def matmul_kernel(tiles: tuple, dtype: np.dtype):
    """Compile the kernel for one tile configuration and dtype.

    Thread (ty, tx) of the block owns rows ty, ty + ROWS, ty + 2 ROWS, ... and columns tx,
    tx + COLS, ... of the tile: for each j, neighbouring threads read neighbouring words of
    the B tile (no shared-memory bank conflicts) and write neighbouring elements of C.
    While the block computes with one pair of tiles, each thread has already started to
    read its share of the next pair from global memory into registers (``a_next``,
    ``b_next``): the slow reads overlap the arithmetic.
    """
    BM, BN, BK, TM, TN = tiles
    ROWS, COLS = BM // TM, BN // TN  # threads down and across the tile
    THREADS = ROWS * COLS
    A_LOADS, B_LOADS = BM * BK // THREADS, BK * BN // THREADS  # elements each thread copies
    BM_PAD = BM + 1  # A's tile is stored k-major with one spare column: fewer bank conflicts
    T = numba.from_dtype(dtype)

    @cuda.jit(device=True)
    def _element(a, base, rs, cs, r, c, R, C):
        """``a[r, c]`` of an R x C matrix stored from ``base`` with strides ``rs``, ``cs``;
        zero outside it (so tiles at the edges need no special case)."""
        if r < R and c < C:
            return a[base + r * rs + c * cs]
        return T(0)

    @cuda.jit(device=True)
    def _b_element(b, base, rs, cs, r, c, R, C, ones_column):
        """``_element`` of B, which with ``ones_column`` has an extra column C of ones."""
        if ones_column and c == C:
            return T(1) if r < R else T(0)
        return _element(b, base, rs, cs, r, c, R, C)

    @cuda.jit
    def tiled_matmul(a, a_off, a_bst, a_rs, a_cs, b, b_off, b_bst, b_rs, b_cs, c, c_off, bias,
                     bias_off, has_bias, sums, sums_off, has_sums, bshape, M, N, K, batch):
        As = cuda.shared.array((BK, BM_PAD), T)
        Bs = cuda.shared.array((BK, BN), T)
        acc = cuda.local.array((TM, TN), T)
        a_reg = cuda.local.array(TM, T)
        b_reg = cuda.local.array(TN, T)
        a_next = cuda.local.array(A_LOADS, T)
        b_next = cuda.local.array(B_LOADS, T)
        t = cuda.threadIdx.x
        ty, tx = t // COLS, t % COLS
        # which element of a tile thread t copies in its r-th load: walk along the matrix's
        # contiguous direction so that neighbouring threads read neighbouring addresses
        a_k_fast = a_cs == 1 or a_rs != 1
        b_n_fast = b_cs == 1 or b_rs != 1
        NC = N + 1 if has_sums else N  # C's columns, with the extra one of A's row sums
        for z in range(cuda.blockIdx.z, batch, cuda.gridDim.z):
            a_base = a_off + element_offset(z, bshape, a_bst)
            b_base = b_off + element_offset(z, bshape, b_bst)
            for tile_m in range(cuda.blockIdx.y * BM, M, cuda.gridDim.y * BM):
                for tile_n in range(cuda.blockIdx.x * BN, NC, cuda.gridDim.x * BN):
                    for i in range(TM):
                        for j in range(TN):
                            acc[i, j] = 0
                    # 0. the first pair of tiles, global memory -> registers
                    for r in range(A_LOADS):
                        e = t + r * THREADS
                        m, k = (e // BK, e % BK) if a_k_fast else (e % BM, e // BM)
                        a_next[r] = _element(a, a_base, a_rs, a_cs, tile_m + m, k, M, K)
                    for r in range(B_LOADS):
                        e = t + r * THREADS
                        k, n = (e // BN, e % BN) if b_n_fast else (e % BK, e // BK)
                        b_next[r] = _b_element(b, b_base, b_rs, b_cs, k, tile_n + n, K, N,
                                               has_sums)
                    for k0 in range(0, K, BK):
                        # 1. registers -> shared memory; wait for the whole block
                        for r in range(A_LOADS):
                            e = t + r * THREADS
                            m, k = (e // BK, e % BK) if a_k_fast else (e % BM, e // BM)
                            As[k, m] = a_next[r]
                        for r in range(B_LOADS):
                            e = t + r * THREADS
                            k, n = (e // BN, e % BN) if b_n_fast else (e % BK, e // BK)
                            Bs[k, n] = b_next[r]
                        cuda.syncthreads()
                        # 2. start reading the next pair (zeros past the end of K)
                        for r in range(A_LOADS):
                            e = t + r * THREADS
                            m, k = (e // BK, e % BK) if a_k_fast else (e % BM, e // BM)
                            a_next[r] = _element(a, a_base, a_rs, a_cs, tile_m + m,
                                                 k0 + BK + k, M, K)
                        for r in range(B_LOADS):
                            e = t + r * THREADS
                            k, n = (e // BN, e % BN) if b_n_fast else (e % BK, e // BK)
                            b_next[r] = _b_element(b, b_base, b_rs, b_cs, k0 + BK + k,
                                                   tile_n + n, K, N, has_sums)
                        # 3. each thread: TM x TN multiply-adds per k, from registers
                        for k in range(BK):
                            for i in range(TM):
                                a_reg[i] = As[k, ty + i * ROWS]
                            for j in range(TN):
                                b_reg[j] = Bs[k, tx + j * COLS]
                            for i in range(TM):
                                for j in range(TN):
                                    acc[i, j] += a_reg[i] * b_reg[j]
                        cuda.syncthreads()
                    # 4. write the results (plus the bias of their column, for ``linear``;
                    #    the extra column to ``sums``), guarding the matrix edges
                    for i in range(TM):
                        m = tile_m + ty + i * ROWS
                        if m < M:
                            for j in range(TN):
                                n = tile_n + tx + j * COLS
                                if n < N:
                                    value = acc[i, j]
                                    if has_bias:
                                        value += bias[bias_off + n]
                                    c[c_off + z * M * N + m * N + n] = value
                                elif n == N and has_sums:
                                    sums[sums_off + z * M + m] = acc[i, j]

    return tiled_matmul, THREADS


def matmul(x, y, out=None):
    """numpy's ``matmul``: (..., M, K) @ (..., K, N) -> (..., M, N), batch dims broadcast,
    1-d operands treated as a row (left) or a column (right). ``out``, if given, receives the
    result (written by the kernel itself when it is C-contiguous, else copied in)."""
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
    direct = (out is not None and out.shape == bshape + (M, N) and out.dtype == x.dtype
              and is_flat(out))
    c = out if direct else empty(bshape + (M, N), x.dtype, x.device_index)
    if c.size:
        _launch(x2, y2, c, None, None, bshape, batch, M, N, K)
    shape = bshape + ((M,) if x.ndim > 1 else ()) + ((N,) if y.ndim > 1 else ())
    if out is not None and not direct:
        copy_into(out, c.reshape(shape))
    return out if out is not None else c.reshape(shape)


def linear(x, weight, bias=None):
    """``x @ weight.T + bias`` for x (N, in), weight (out, in), bias (out,) or None, all of
    one dtype: one launch. The bias is added by the matrix product's kernel as it writes each
    result (its "epilogue"), instead of by a second kernel reading the whole output again."""
    (M, K), N = x.shape, weight.shape[0]
    c = empty((M, N), x.dtype, x.device_index)
    if c.size:
        _launch(x, weight.T, c, bias, None, (), 1, M, N, K)
    return c


def matmul_and_row_sums(a, b):
    """``(a @ b, a.sum(1))`` for 2-d a (M, K), b (K, N), in ONE launch: the kernel treats
    ``b`` as if it had one more column, all ones, whose products are ``a``'s row sums.

    This is the backward of ``linear`` for its weight and bias: with a = grad.T (out, batch)
    and b = input (batch, in), d weight = a @ b and d bias = grad.sum(0) = a's row sums. (The
    bias is a weight on an extra input that is always 1, so its gradient comes out of the
    same product.)"""
    if a.dtype != b.dtype:
        dtype = np.result_type(a.dtype, b.dtype)
        a, b = a.astype(dtype, copy=False), b.astype(dtype, copy=False)
    (M, K), N = a.shape, b.shape[1]
    c = empty((M, N), a.dtype, a.device_index)
    sums = empty((M,), a.dtype, a.device_index)
    if M:
        _launch(a, b, c, None, sums, (), 1, M, N, K)
    return c, sums


def _batch_strides(a, bshape):
    lead = len(bshape) - (a.ndim - 2)
    out = [0] * lead
    for s, st, target in zip(a.shape[:-2], a.estrides[:-2], bshape[lead:]):
        out.append(st if s == target else 0)
    return tuple(out)


_NO_BATCH = plan((), (), ())  # the batch "shape" and strides of a plain matrix product


def _launch(x, y, c, bias, sums, bshape, batch, M, N, K) -> None:
    """Start the kernel for c = x @ y (+ ``bias`` along c's columns, and x's row sums into
    ``sums``, when given)."""
    tiles = CONFIGS[config]
    kernel, threads = matmul_kernel(tiles, c.dtype)
    if bshape:
        bs, (xb, yb) = plan(bshape, _batch_strides(x, bshape), _batch_strides(y, bshape))
    else:  # two matrices (most products in a training step)
        bs, (xb, yb) = _NO_BATCH
    BM, BN = tiles[0], tiles[1]
    cap = 2 if runtime.SIMULATOR else 65535
    columns = N + (sums is not None)  # the row sums come out as one more column
    grid = (min((columns + BN - 1) // BN, cap), min((M + BM - 1) // BM, cap),
            min(batch, cap))
    if bias is not None and not is_flat(bias):
        bias = copy(bias)  # a strided bias vector: the kernel reads a contiguous copy
    # without a bias (or sums) the kernel still takes an array there: c's, never touched
    bias_buf, bias_off = (c.buf, 0) if bias is None else (bias.buf, bias.offset)
    sums_buf, sums_off = (c.buf, 0) if sums is None else (sums.buf, sums.offset)
    with runtime.using(c.device_index):
        runtime.configure(kernel, grid, threads)(
            x.buf, x.offset, xb, x.estrides[-2], x.estrides[-1],
            y.buf, y.offset, yb, y.estrides[-2], y.estrides[-1],
            c.buf, c.offset, bias_buf, bias_off, bias is not None, sums_buf, sums_off,
            sums is not None, bs, M, N, K, batch)
