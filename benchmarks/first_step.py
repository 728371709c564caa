"""First training step of a fresh process: build a model, then one SGD step on a batch of 64.

This is what a student waits for after ``import`` in a new notebook kernel: the layers'
construction, the first forward and backward (which loads the Numba kernels, from Numba's
cache when it is warm) and the optimizer step. Timed from just after the import (the import
has its own benchmark) to the end of the step. ``--model mlp`` is mlp_epoch's network,
``--model lenet`` cnn_epoch's. ``benchmarks/run.py`` runs it once to warm Numba's cache, then
times it in new processes.
"""

from __future__ import annotations

import time

import numpy as np
from _common import libraries, parser


def main(argv=None) -> dict:
    p = parser(__doc__, repeats=None, alone=True)
    p.add_argument("--model", choices=["mlp", "lenet"], default="mlp")
    args = p.parse_args(argv)
    (lib,) = libraries(args).values()
    from cnn_epoch import lenet
    from mlp_epoch import mlp

    rng = np.random.default_rng(0)
    shape = (64, 784) if args.model == "mlp" else (64, 1, 28, 28)
    x = rng.standard_normal(shape, dtype=np.float32)
    y = rng.integers(0, 10, 64)

    t0 = time.perf_counter()
    lib.manual_seed(0)
    model = (mlp if args.model == "mlp" else lenet)(lib)
    opt = lib.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
    loss = lib.nn.functional.cross_entropy(model(lib.from_numpy(x)), lib.from_numpy(y))
    opt.zero_grad()
    loss.backward()
    opt.step()
    seconds = time.perf_counter() - t0
    print(f"first step {args.model}: {args.lib} {seconds:.3f} s")
    return {args.lib: seconds}


if __name__ == "__main__":
    main()
