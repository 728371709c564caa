"""Convolution: ``nn.Conv2d(16, 32, 3, padding=1)`` forward and backward on 64x16x28x28.

nbtorch lays each sample's input patches out as columns (im2col, Numba), does one batched
BLAS matrix product forward and two backward, and adds the input gradient back with col2im
(Numba). Prints the median time of nbtorch and, when PyTorch is installed, of PyTorch in
the same run (both on ``--threads`` threads), and the ratio.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time


def step_fn(lib, batch: int):
    """One forward+backward of the benchmark for a torch-like module ``lib``."""
    lib.manual_seed(0)
    conv = lib.nn.Conv2d(16, 32, 3, padding=1)
    x = lib.randn(batch, 16, 28, 28, requires_grad=True)

    def run():
        conv(x).sum().backward()
        x.grad = conv.weight.grad = conv.bias.grad = None

    return run


def main(argv=None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--batch", type=int, default=64)
    parser.add_argument("--repeats", type=int, default=15)
    parser.add_argument("--threads", type=int, default=1)
    args = parser.parse_args(argv)
    for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ.setdefault(var, str(args.threads))  # numpy's BLAS reads this on import

    import nbtorch

    runs = {"nbtorch": step_fn(nbtorch, args.batch)}
    try:
        import torch

        torch.set_num_threads(args.threads)
        runs["pytorch"] = step_fn(torch, args.batch)
    except ImportError:
        print("PyTorch is not installed: nbtorch's figure only.")
    times = {name: [] for name in runs}
    for run in runs.values():
        run()  # warm up (and compile nbtorch's kernels)
    for _ in range(args.repeats):  # interleaved, so both see the same machine load
        for name, run in runs.items():
            t0 = time.perf_counter()
            run()
            times[name].append(time.perf_counter() - t0)
    results = {name: statistics.median(t) * 1e3 for name, t in times.items()}
    line = f"conv2d {args.batch}x16x28x28 16->32 3x3: nbtorch {results['nbtorch']:.1f} ms"
    if "pytorch" in results:
        results["ratio"] = results["nbtorch"] / results["pytorch"]
        line += f", pytorch {results['pytorch']:.1f} ms, ratio {results['ratio']:.2f}x"
    print(line)
    return results


if __name__ == "__main__":
    main()
