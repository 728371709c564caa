"""One training epoch of LeNet on the first 10,000 MNIST training images.

LeNet as in ``nbtorch.vision.models.LeNet`` (conv 5x5 -> 6, max pool, conv 5x5 -> 16, max
pool, 400-120-84-10, ReLU), SGD (lr 0.05, momentum 0.9), batch 64, the same shuffled order
for nbtorch and PyTorch. Prints the epoch time and the accuracy on the 10,000 test images
for both, and the ratio. Reads ../shared/data/mnist (or ``--data``).
"""

from __future__ import annotations

import argparse
import os
from pathlib import Path

from mlp_epoch import DATA, compare, load_mnist


def lenet(lib):
    if lib.__name__ == "nbtorch":
        from nbtorch.vision.models import LeNet

        return LeNet()
    nn = lib.nn  # the same network, written in PyTorch
    return nn.Sequential(nn.Conv2d(1, 6, 5, padding=2), nn.ReLU(), nn.MaxPool2d(2),
                         nn.Conv2d(6, 16, 5), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(),
                         nn.Linear(400, 120), nn.ReLU(), nn.Linear(120, 84), nn.ReLU(),
                         nn.Linear(84, 10))


def main(argv=None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DATA)
    parser.add_argument("--threads", type=int, default=1)
    args = parser.parse_args(argv)
    for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ.setdefault(var, str(args.threads))
    data = load_mnist(args.data, n_train=10_000, flat=False)
    return compare("cnn_epoch MNIST 10000, LeNet, batch 64", lenet, data, 0.05, args.threads)


if __name__ == "__main__":
    main()
