"""One training epoch of an MLP 784-128-64-10 on the full MNIST (60,000 images).

SGD (lr 0.1, momentum 0.9), batch 64, in a shuffled order that is the same for both
libraries. The batches are sliced from arrays in memory, so the time is the model's:
forward, cross-entropy, backward and the optimizer step. Prints the epoch time and the test
accuracy of nbtorch and, when PyTorch is installed, of PyTorch in the same run (both on
``--threads`` threads), and the ratio. Reads ../shared/data/mnist (or ``--data``).
"""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np
from _common import parser

DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "mnist"


def load_mnist(folder: Path, n_train: int | None = None, flat: bool = True):
    """Normalised float32 images and int64 labels: (x_train, y_train, x_test, y_test)."""
    from nbtorch.vision.datasets.mnist import read_idx

    out = []
    for prefix, n in (("train", n_train), ("t10k", None)):
        x = read_idx(folder / f"{prefix}-images-idx3-ubyte.gz")[:n].astype(np.float32) / 255
        x = (x - 0.1307) / 0.3081
        x = x.reshape(len(x), -1) if flat else x[:, None]
        y = read_idx(folder / f"{prefix}-labels-idx1-ubyte.gz")[:n].astype(np.int64)
        out += [np.ascontiguousarray(x), y]
    return out


def train_epoch(lib, model, x, y, lr: float, batch: int = 64) -> float:
    """Train one epoch in a fixed shuffled order; return the seconds it took."""
    opt = lib.optim.SGD(model.parameters(), lr=lr, momentum=0.9)
    loss_fn = lib.nn.CrossEntropyLoss()
    order = np.random.default_rng(0).permutation(len(x))
    t0 = time.perf_counter()
    for i in range(0, len(x), batch):
        idx = order[i:i + batch]
        xb, yb = lib.from_numpy(x[idx]), lib.from_numpy(y[idx])
        loss = loss_fn(model(xb), yb)
        opt.zero_grad()
        loss.backward()
        opt.step()
    return time.perf_counter() - t0


def accuracy(lib, model, x, y) -> float:
    with lib.no_grad():
        pred = model(lib.from_numpy(x)).argmax(1).numpy()
    return float((pred == y).mean())


def compare(name: str, build, data, lr: float, args) -> dict:
    """Train ``build(lib)`` for one epoch with nbtorch and PyTorch (``args.lib``: both, or
    one of them) on ``args.threads`` threads; print one line."""
    from _common import libraries

    libs = libraries(args)
    x, y, xt, yt = data
    results = {}
    for lib_name, lib in libs.items():
        lib.manual_seed(0)
        model = build(lib)
        warm = build(lib)  # two warm-up batches (the optimizer's first step differs from
        train_epoch(lib, warm, x[:128], y[:128], lr)  # later ones) load kernels untimed
        seconds = train_epoch(lib, model, x, y, lr)
        results[lib_name] = (seconds, accuracy(lib, model.eval(), xt, yt))
    line = ", ".join(f"{k} {s:.2f} s (test acc {a:.4f})" for k, (s, a) in results.items())
    if len(results) == 2:
        line += f", ratio {results['nbtorch'][0] / results['pytorch'][0]:.2f}x"
    print(f"{name}: {line}")
    return results


def mlp(lib):
    nn = lib.nn
    return nn.Sequential(nn.Linear(784, 128), nn.ReLU(), nn.Linear(128, 64), nn.ReLU(),
                         nn.Linear(64, 10))


def main(argv=None) -> dict:
    p = parser(__doc__, repeats=None)
    p.add_argument("--data", type=Path, default=DATA)
    args = p.parse_args(argv)
    data = load_mnist(args.data)
    return compare("mlp_epoch MNIST 60000, 784-128-64-10, batch 64", mlp, data, 0.1, args)


if __name__ == "__main__":
    main()
