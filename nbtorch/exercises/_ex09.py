"""Checker of exercise 9 (chapter 11, acceleration): Numba CUDA kernels ``axpy``, ``matmul``.

Run them on Numba's CUDA simulator (``NUMBA_ENABLE_CUDASIM=1``, set before numba is
imported) or on a GPU; sizes here are small and not multiples of the block size, so a
kernel without its bounds check (边界检查) fails.
"""

from __future__ import annotations

import numpy as np

from ._feedback import by_name, expect_close, expect_tensor, run_parts


def _axpy(fn) -> None:
    import nbtorch

    rng = np.random.default_rng(9)
    for n in (5, 300):
        x, y = rng.normal(size=n).astype(np.float32), rng.normal(size=n).astype(np.float32)
        out = fn(2.5, nbtorch.from_numpy(x), nbtorch.from_numpy(y))
        expect_tensor(f"axpy(2.5, x, y) for {n} elements", out)
        expect_close(f"axpy(2.5, x, y) for {n} elements", out, 2.5 * x + y, rtol=1e-5)


def _matmul(fn) -> None:
    import nbtorch

    rng = np.random.default_rng(10)
    for m, k, n in [(3, 4, 2), (11, 5, 9)]:
        a = rng.normal(size=(m, k)).astype(np.float32)
        b = rng.normal(size=(k, n)).astype(np.float32)
        out = fn(nbtorch.from_numpy(a), nbtorch.from_numpy(b))
        expect_tensor(f"matmul(A, B) for A {a.shape}, B {b.shape}", out)
        expect_close(f"matmul(A, B) for A {a.shape}, B {b.shape}", out, a @ b,
                     rtol=1e-4, atol=1e-5)


def ex9(*functions, part: str | None = None) -> None:
    """Check ``axpy`` and/or ``matmul`` (exercise 9, chapter 11), launchers of your CUDA
    kernels, against numpy. Each function is one part (``axpy``, ``matmul``)."""
    found = by_name("ex9", functions, {"axpy": _axpy, "matmul": _matmul})
    run_parts("ex9", {name: (lambda c=c, f=f: f(c)) for name, c, f in found}, part)
