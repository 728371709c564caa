"""Import time: seconds for ``import nbtorch`` (or ``import torch``) in a fresh process.

nbtorch's budget is 0.5 s, and importing it must not import Numba: the kernels are compiled
or loaded from Numba's cache only when first used. ``benchmarks/run.py`` runs this script
in a new process each time, so nothing is imported yet when the clock starts.
"""

from __future__ import annotations

import argparse
import importlib
import sys
import time


def main(argv=None) -> dict:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--lib", choices=["nbtorch", "pytorch"], default="nbtorch")
    p.add_argument("--threads", type=int, default=1, help="ignored: taken by every benchmark")
    args = p.parse_args(argv)
    name = "torch" if args.lib == "pytorch" else "nbtorch"
    already = sorted(m for m in ("numpy", "numba", name) if m in sys.modules)
    if already:
        raise RuntimeError(f"not a fresh process: {already} already imported")
    t0 = time.perf_counter()
    importlib.import_module(name)
    seconds = time.perf_counter() - t0
    numba = "numba" in sys.modules
    print(f"import {name}: {seconds:.3f} s, numba imported: {'yes' if numba else 'no'}")
    return {args.lib: seconds, "numba_imported": numba}


if __name__ == "__main__":
    main()
