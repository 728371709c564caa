"""What every benchmark script shares: its options, the libraries, interleaved timing, the line.

A benchmark script builds one ``run()`` closure per library (``step_fn(lib, ...)``) and::

    args = parser(__doc__, repeats=15).parse_args(argv)
    libs = libraries(args)                        # {"nbtorch": nbtorch, "pytorch": torch}
    times = interleaved({name: step_fn(lib) for name, lib in libs.items()}, args.repeats)
    return report("matmul 1024", times, scale=1e3, unit="ms")

``benchmarks/run.py`` runs such scripts in fresh processes with ``--threads`` and, to measure
one library's memory alone, ``--lib``.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
from typing import Callable


def parser(doc: str, repeats: int | None, alone: bool = False) -> argparse.ArgumentParser:
    """An argument parser with the options every benchmark takes (its own come after);
    ``--repeats`` only where the script times several runs (``repeats``: its default).
    ``alone``: the script always measures one library (``--lib`` nbtorch or pytorch)."""
    p = argparse.ArgumentParser(description=doc.splitlines()[0])
    if repeats is not None:
        p.add_argument("--repeats", type=int, default=repeats, help="timed runs per library")
    p.add_argument("--threads", type=int, default=1, help="CPU threads for both libraries")
    p.add_argument("--lib", choices=(["both"] if not alone else []) + ["nbtorch", "pytorch"],
                   default="nbtorch" if alone else "both",
                   help="which libraries to run (one alone: in a process of its own)")
    return p


def libraries(args: argparse.Namespace) -> dict:
    """Import the libraries to compare, each set to ``args.threads`` CPU threads.

    PyTorch is optional: without it a line says so and nbtorch runs alone.
    """
    for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ.setdefault(var, str(args.threads))  # read by BLAS when numpy first loads
    libs = {}
    if args.lib in ("both", "nbtorch"):
        import nbtorch

        nbtorch.set_num_threads(args.threads)
        libs["nbtorch"] = nbtorch
    if args.lib in ("both", "pytorch"):
        try:
            import torch
        except ImportError:
            print("PyTorch is not installed: nbtorch's figure only.")
        else:
            torch.set_num_threads(args.threads)
            libs["pytorch"] = torch
    return libs


def interleaved(runs: dict[str, Callable[[], object]], repeats: int) -> dict[str, list[float]]:
    """Seconds per call of each run: one warm-up call each (it also compiles Numba's
    kernels), then ``repeats`` rounds that call every run once, so that all libraries see
    the same machine load."""
    for run in runs.values():
        run()
    times = {name: [] for name in runs}
    for _ in range(repeats):
        for name, run in runs.items():
            t0 = time.perf_counter()
            run()
            times[name].append(time.perf_counter() - t0)
    return times


def report(label: str, times: dict[str, list[float]], scale: float, unit: str,
           digits: int = 1) -> dict:
    """Print one line (medians, ratio nbtorch/PyTorch) and return the figures.

    Each figure is the median time times ``scale`` (1e3 for ms); ``<name>_min`` is the best
    run; ``ratio`` is nbtorch's median over PyTorch's when both ran.
    """
    results = {}
    for name, t in times.items():
        results[name] = statistics.median(t) * scale
        results[name + "_min"] = min(t) * scale
    line = ", ".join(f"{name} {results[name]:.{digits}f} {unit}" for name in times)
    if "nbtorch" in times and "pytorch" in times:
        results["ratio"] = results["nbtorch"] / results["pytorch"]
        best = results["nbtorch_min"] / results["pytorch_min"]
        line += f", ratio {results['ratio']:.2f}x (best runs: {best:.2f}x)"
    print(f"{label}: {line}")
    return results
