"""Build the MNIST subset shipped inside nbtorch (nbtorch/vision/data/MNIST/raw/).

The first 6,000 training and the first 1,000 test images of the real MNIST, with their
labels, as gzipped IDX files written without a timestamp, so running this script again
gives byte-identical files:

    python scripts/make_mnist_subset.py [--source ../shared/data/mnist]
"""

import argparse
import hashlib
from pathlib import Path

from nbtorch.vision.datasets.mnist import EMBEDDED_ROOT, read_idx, write_idx

HERE = Path(__file__).resolve().parent
COUNTS = {"train": 6000, "t10k": 1000}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--source", type=Path, default=HERE.parent.parent / "shared/data/mnist",
                        help="folder with the four full MNIST .gz files")
    args = parser.parse_args()
    out = EMBEDDED_ROOT / "MNIST" / "raw"
    out.mkdir(parents=True, exist_ok=True)
    for prefix, n in COUNTS.items():
        for kind in ("images-idx3-ubyte", "labels-idx1-ubyte"):
            name = f"{prefix}-{kind}.gz"
            write_idx(out / name, read_idx(args.source / name)[:n])
            digest = hashlib.sha256((out / name).read_bytes()).hexdigest()
            print(f"{name}: {n} items, {(out / name).stat().st_size:,} bytes, sha256 {digest}")


if __name__ == "__main__":
    main()
