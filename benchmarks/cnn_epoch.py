"""One training epoch of LeNet on the first 10,000 MNIST training images.

LeNet as in ``nbtorch.vision.models.LeNet`` (conv 5x5 -> 6, max pool, conv 5x5 -> 16, max
pool, 400-120-84-10, ReLU), SGD (lr 0.05, momentum 0.9), batch 64, the same shuffled order
for nbtorch and PyTorch. Prints the epoch time and the accuracy on the 10,000 test images
for both, and the ratio. Reads ../shared/data/mnist (or ``--data``).
"""

from __future__ import annotations

from pathlib import Path

from _common import parser
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
    p = parser(__doc__, repeats=None)
    p.add_argument("--data", type=Path, default=DATA)
    args = p.parse_args(argv)
    data = load_mnist(args.data, n_train=10_000, flat=False)
    return compare("cnn_epoch MNIST 10000, LeNet, batch 64", lenet, data, 0.05, args)


if __name__ == "__main__":
    main()
