"""Per-op overhead: a 1,000-op chain of add/mul/tanh on shape-(4,) tensors, forward+backward.

On tensors this small the arithmetic is nothing; what is measured is the framework's own
work per operation (making the output tensor, recording the graph node, running backward).
Prints microseconds per op for nbtorch and, when PyTorch is installed, for PyTorch in the
same run, and the ratio.
"""

from __future__ import annotations

import argparse
import statistics
import time


def chain(lib, n_ops: int):
    """Build the benchmark's function for a torch-like module ``lib``."""
    lib.manual_seed(0)
    x, a, b = (lib.randn(4, requires_grad=True) for _ in range(3))

    def run():
        y = x
        for i in range(n_ops):
            k = i % 3
            y = y + a if k == 0 else (y * b if k == 1 else y.tanh())
        y.sum().backward()
        x.grad = a.grad = b.grad = None

    return run


def measure(run, repeats: int) -> list[float]:
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        run()
        times.append(time.perf_counter() - t0)
    return times


def main(argv=None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ops", type=int, default=1000)
    parser.add_argument("--repeats", type=int, default=20)
    args = parser.parse_args(argv)

    import nbtorch

    results = {}
    libs = [("nbtorch", nbtorch)]
    try:
        import torch

        torch.set_num_threads(1)
        libs.append(("pytorch", torch))
    except ImportError:
        print("PyTorch is not installed: nbtorch's figure only.")
    runs = {name: chain(lib, args.ops) for name, lib in libs}
    times = {name: [] for name in runs}
    for run in runs.values():
        run()  # warm up
    for _ in range(args.repeats):  # interleaved, so both see the same machine load
        for name, run in runs.items():
            times[name].extend(measure(run, 1))
    for name in runs:
        results[name] = statistics.median(times[name]) / args.ops * 1e6
        results[name + "_min"] = min(times[name]) / args.ops * 1e6
    line = f"overhead: nbtorch {results['nbtorch']:.2f} us/op"
    if "pytorch" in results:
        ratio = results["nbtorch"] / results["pytorch"]
        best = results["nbtorch_min"] / results["pytorch_min"]
        line += (f", pytorch {results['pytorch']:.2f} us/op, ratio {ratio:.2f}x "
                 f"(best runs: {best:.2f}x)")
        results["ratio"] = ratio
    print(line)
    return results


if __name__ == "__main__":
    main()
