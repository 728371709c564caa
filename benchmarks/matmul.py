"""Matmul: ``(A @ B).sum().backward()`` on 1024x1024 float32 matrices.

Three matrix products (one forward, two backward) dominate; both libraries hand them to a
BLAS library, so the ratio shows how little the framework adds around them.
"""

from __future__ import annotations

import argparse
import statistics
import time


def step_fn(lib, n: int):
    """One forward+backward of the benchmark for a torch-like module ``lib``."""
    lib.manual_seed(0)
    a = lib.randn(n, n, requires_grad=True)
    b = lib.randn(n, n, requires_grad=True)

    def run():
        (a @ b).sum().backward()
        a.grad = b.grad = None

    return run


def main(argv=None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=1024)
    parser.add_argument("--repeats", type=int, default=15)
    args = parser.parse_args(argv)

    import nbtorch

    runs = {"nbtorch": step_fn(nbtorch, args.size)}
    try:
        import torch

        runs["pytorch"] = step_fn(torch, args.size)
    except ImportError:
        print("PyTorch is not installed: nbtorch's figure only.")
    times = {name: [] for name in runs}
    for run in runs.values():
        run()  # warm up
    for _ in range(args.repeats):  # interleaved, so both see the same machine load
        for name, run in runs.items():
            t0 = time.perf_counter()
            run()
            times[name].append(time.perf_counter() - t0)
    results = {name: statistics.median(t) * 1e3 for name, t in times.items()}
    line = f"matmul {args.size}: nbtorch {results['nbtorch']:.1f} ms"
    if "pytorch" in results:
        results["ratio"] = results["nbtorch"] / results["pytorch"]
        line += f", pytorch {results['pytorch']:.1f} ms, ratio {results['ratio']:.2f}x"
    print(line)
    return results


if __name__ == "__main__":
    main()
