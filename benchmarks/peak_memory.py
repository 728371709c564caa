"""Peak memory of mlp_epoch: the most resident memory a process training it ever held.

One library per process (``--lib``), so that each figure is that library's alone: imports,
the MNIST arrays, the model, and every temporary of one epoch (Numba's compiler included,
when its cache is cold). Read from the operating system's high-water mark
(``resource.getrusage``). Also returned: how much the epoch's own peak lay above the process
as it was after the import and the data loading (``<lib>_training``; on Linux, where the
high-water mark can be restarted). The data are read with numpy alone, so the PyTorch
process never loads nbtorch.
"""

from __future__ import annotations

import gzip
import resource
import sys
from pathlib import Path

import numpy as np
from _common import libraries, parser
from mlp_epoch import DATA, mlp, train_epoch


def peak_mb() -> float:
    """This process's resident-set high-water mark in MiB (Linux counts KiB, macOS bytes)."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / 2**20 if sys.platform == "darwin" else peak / 2**10


def restart_peak() -> None:
    """Restart the high-water mark from the current size (Linux only; elsewhere it goes on)."""
    try:
        Path("/proc/self/clear_refs").write_text("5")
    except OSError:
        pass


def read_idx(path: Path, offset: int) -> np.ndarray:
    """The payload of a gzipped IDX file of unsigned bytes (``offset``: its header size)."""
    with gzip.open(path, "rb") as f:
        return np.frombuffer(f.read(), np.uint8, offset=offset)


def main(argv=None) -> dict:
    p = parser(__doc__, repeats=None, alone=True)
    p.add_argument("--data", type=Path, default=DATA)
    args = p.parse_args(argv)
    (lib,) = libraries(args).values()
    x = read_idx(args.data / "train-images-idx3-ubyte.gz", 16).reshape(-1, 784)
    x = (x.astype(np.float32) / 255 - 0.1307) / 0.3081
    y = read_idx(args.data / "train-labels-idx1-ubyte.gz", 8).astype(np.int64)
    loading = peak_mb()
    restart_peak()
    before = peak_mb()
    lib.manual_seed(0)
    train_epoch(lib, mlp(lib), x, y, lr=0.1)
    training = peak_mb()
    peak = max(loading, training)
    print(f"peak memory mlp_epoch: {args.lib} {peak:.0f} MiB (the epoch: "
          f"{training - before:.0f} MiB over import and data)")
    return {args.lib: peak, f"{args.lib}_training": training - before}


if __name__ == "__main__":
    main()
