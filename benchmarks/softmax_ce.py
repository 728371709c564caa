"""Cross entropy: ``F.cross_entropy(logits, labels)`` forward and backward on 4096x1000.

The loss of every classifier: log-softmax over 1000 classes, pick the target's entry, mean,
then the gradient softmax - onehot. nbtorch runs it as one fused op (no log-probability
matrix is stored). Prints the median time of nbtorch and, when PyTorch is installed, of
PyTorch in the same run (both on ``--threads`` threads), and the ratio.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time


def step_fn(lib, rows: int, classes: int):
    """One forward+backward of the benchmark for a torch-like module ``lib``."""
    lib.manual_seed(0)
    logits = lib.randn(rows, classes, requires_grad=True)
    labels = lib.randint(0, classes, (rows,))
    cross_entropy = lib.nn.functional.cross_entropy

    def run():
        cross_entropy(logits, labels).backward()
        logits.grad = None

    return run


def main(argv=None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=4096)
    parser.add_argument("--classes", type=int, default=1000)
    parser.add_argument("--repeats", type=int, default=20)
    parser.add_argument("--threads", type=int, default=1)
    args = parser.parse_args(argv)
    for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ.setdefault(var, str(args.threads))  # numpy's BLAS reads this on import

    import nbtorch

    runs = {"nbtorch": step_fn(nbtorch, args.rows, args.classes)}
    try:
        import torch

        torch.set_num_threads(args.threads)
        runs["pytorch"] = step_fn(torch, args.rows, args.classes)
    except ImportError:
        print("PyTorch is not installed: nbtorch's figure only.")
    times = {name: [] for name in runs}
    for run in runs.values():
        run()  # warm up (and compile nbtorch's kernels)
    for _ in range(args.repeats):  # interleaved, so both see the same machine load
        for name, run in runs.items():
            # One untimed call first: the other library's threads may still be busy from its
            # last call (PyTorch's OpenMP workers spin-wait for milliseconds after a parallel
            # region), which would be charged to this library on a two-core machine.
            run()
            t0 = time.perf_counter()
            run()
            times[name].append(time.perf_counter() - t0)
    results = {name: statistics.median(t) * 1e3 for name, t in times.items()}
    line = f"softmax_ce {args.rows}x{args.classes}: nbtorch {results['nbtorch']:.2f} ms"
    if "pytorch" in results:
        results["ratio"] = results["nbtorch"] / results["pytorch"]
        line += f", pytorch {results['pytorch']:.2f} ms, ratio {results['ratio']:.2f}x"
    print(line)
    return results


if __name__ == "__main__":
    main()
