"""MNIST and its cousins (Fashion-MNIST, KMNIST, EMNIST), stored in the IDX format.

An IDX file is a tiny header and then raw numbers: a magic number whose third byte is the
element type (0x08 = uint8) and fourth byte the number of dimensions, the size of each
dimension (big-endian int32), then the values. ``train-images-idx3-ubyte`` is 60000 x 28 x 28
uint8 pixels; ``train-labels-idx1-ubyte`` is 60000 uint8 labels. The files may be gzipped.

The layout of ``root`` is torchvision's: ``root/MNIST/raw/train-images-idx3-ubyte[.gz]``.
``MNIST(root=None)`` uses the full MNIST in ``data_root()`` when it is there, and otherwise
the small real subset shipped inside nbtorch (the first 6,000 training and 1,000 test
images), so the course runs offline; ``mnist_subset()`` always gives the subset.
"""

from __future__ import annotations

import gzip
import os
import string
import struct
import zipfile
from collections.abc import Callable
from pathlib import Path

import numpy as np
from PIL import Image

from ..._tensor import Tensor
from .utils import data_root, download_url
from .vision import VisionDataset

EMBEDDED_ROOT = Path(__file__).resolve().parent.parent / "data"
_IDX_TYPES = {0x08: ">u1", 0x09: ">i1", 0x0B: ">i2", 0x0C: ">i4", 0x0D: ">f4", 0x0E: ">f8"}


def read_idx(path: str | Path) -> np.ndarray:
    """Read an IDX file (gzipped when its name ends in .gz) into a numpy array."""
    path = Path(path)
    problem = (f"{path} is truncated or corrupt; delete it and download it again "
               "(download=True)")
    try:
        with (gzip.open(path, "rb") if path.suffix == ".gz" else open(path, "rb")) as f:
            data = f.read()
    except (EOFError, gzip.BadGzipFile, OSError) as e:
        raise RuntimeError(f"{problem} ({e})") from None
    if len(data) < 4 or data[0] != 0 or data[1] != 0 or data[2] not in _IDX_TYPES:
        raise RuntimeError(f"{problem} (not an IDX file: bad magic number)")
    ndim = data[3]
    dims = struct.unpack(f">{ndim}I", data[4:4 + 4 * ndim])
    dtype = np.dtype(_IDX_TYPES[data[2]])
    expected = int(np.prod(dims)) * dtype.itemsize
    if len(data) - 4 - 4 * ndim != expected:
        raise RuntimeError(f"{problem} (the header announces {list(dims)} values, "
                           f"{expected} bytes, but {len(data) - 4 - 4 * ndim} bytes follow)")
    array = np.frombuffer(data, dtype=dtype, offset=4 + 4 * ndim).reshape(dims)
    return array.astype(dtype.newbyteorder("="))


def write_idx(path: str | Path, array: np.ndarray) -> None:
    """Write a uint8 array as a gzipped IDX file, byte for byte reproducibly (no timestamp)."""
    array = np.ascontiguousarray(array, dtype=np.uint8)
    header = bytes([0, 0, 0x08, array.ndim]) + struct.pack(f">{array.ndim}I", *array.shape)
    with open(path, "wb") as raw, gzip.GzipFile(filename="", mode="wb", fileobj=raw,
                                                 compresslevel=9, mtime=0) as f:
        f.write(header + array.tobytes())


class MNIST(VisionDataset):
    """The MNIST handwritten digits: 28x28 grey images (PIL, mode "L") and labels 0-9.

    ``MNIST(root, train=True, transform=None, target_transform=None, download=False)``, like
    torchvision. ``.data`` is a uint8 tensor (N, 28, 28), ``.targets`` an int64 tensor (N,).
    """

    mirrors = ["https://ossci-datasets.s3.amazonaws.com/mnist/",
               "http://yann.lecun.com/exdb/mnist/"]
    resources = [
        ("train-images-idx3-ubyte.gz", "f68b3c2dcbeaaa9fbdd348bbdeb94873"),
        ("train-labels-idx1-ubyte.gz", "d53e105ee54ea40749a09fcbcd1e9432"),
        ("t10k-images-idx3-ubyte.gz", "9fb629c4189551a2d022fa330f9573f3"),
        ("t10k-labels-idx1-ubyte.gz", "ec29112dd5afa0611ce80d1b7f02629c"),
    ]
    classes = ["0 - zero", "1 - one", "2 - two", "3 - three", "4 - four", "5 - five",
               "6 - six", "7 - seven", "8 - eight", "9 - nine"]

    def __init__(self, root: str | Path | None = None, train: bool = True,
                 transform: Callable | None = None, target_transform: Callable | None = None,
                 download: bool = False) -> None:
        if root is None:
            root = data_root()
            if not download and not self._files_exist(root) and type(self) is MNIST:
                root = EMBEDDED_ROOT  # the small subset shipped with nbtorch
        super().__init__(root, transform=transform, target_transform=target_transform)
        self.train = train
        if download:
            self.download()
        if not self._files_exist(self.root):
            raise RuntimeError(f"Dataset not found in {self.raw_folder}. You can use "
                               "download=True to download it")
        self.data, self.targets = self._load_data()

    @property
    def raw_folder(self) -> str:
        return os.path.join(self.root, type(self).__name__, "raw")

    @property
    def class_to_idx(self) -> dict:
        return {c: i for i, c in enumerate(self.classes)}

    def _file_names(self) -> list[str]:
        """The (uncompressed) names of the files this split reads."""
        prefix = "train" if self.train else "t10k"
        return [f"{prefix}-images-idx3-ubyte", f"{prefix}-labels-idx1-ubyte"]

    def _find(self, root, name: str) -> str | None:
        """The path of ``name`` or ``name.gz`` in the raw folder under ``root``."""
        folder = os.path.join(root, type(self).__name__, "raw")
        for candidate in (name, name + ".gz"):
            if os.path.isfile(os.path.join(folder, candidate)):
                return os.path.join(folder, candidate)
        return None

    def _files_exist(self, root) -> bool:
        if not hasattr(self, "train"):  # called before __init__ set it: check both splits
            names = [n.removesuffix(".gz") for n, _ in self.resources]
        else:
            names = self._file_names()
        return all(self._find(root, n) is not None for n in names)

    def _load_data(self):
        images_file, labels_file = (self._find(self.root, n) for n in self._file_names())
        images, labels = read_idx(images_file), read_idx(labels_file)
        if images.ndim != 3 or labels.ndim != 1 or len(images) != len(labels):
            raise RuntimeError(f"{images_file} and {labels_file} do not match: images "
                               f"{images.shape}, labels {labels.shape}")
        return Tensor._make(images.astype(np.uint8)), Tensor._make(labels.astype(np.int64))

    def download(self) -> None:
        """Download the files into ``raw_folder`` unless they are already there."""
        if all(self._find(self.root, n.removesuffix(".gz")) for n, _ in self.resources):
            return
        for filename, md5 in self.resources:
            download_url([m + filename for m in self.mirrors], self.raw_folder, filename, md5)

    def __getitem__(self, index: int):
        """``(image, target)``: a PIL image (after ``transform``) and the class index."""
        img = Image.fromarray(self.data._array[index])  # uint8 (28, 28): mode "L"
        return self._apply_transforms(img, int(self.targets._array[index]))

    def __len__(self) -> int:
        return len(self.data)

    def extra_repr(self) -> str:
        return f"Split: {'Train' if self.train else 'Test'}"


def mnist_subset(train: bool = True, transform: Callable | None = None,
                 target_transform: Callable | None = None) -> MNIST:
    """The real MNIST subset shipped inside nbtorch: 6,000 training or 1,000 test images.

    Always available, even offline, and the same on every machine, which is why the course
    notebooks use it.
    """
    return MNIST(EMBEDDED_ROOT, train=train, transform=transform,
                 target_transform=target_transform)


class FashionMNIST(MNIST):
    """Zalando's Fashion-MNIST: 28x28 grey images of 10 kinds of clothing."""

    mirrors = ["http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/"]
    resources = [
        ("train-images-idx3-ubyte.gz", "8d4fb7e6c68d591d4c3dfef9ec88bf0d"),
        ("train-labels-idx1-ubyte.gz", "25c81989df183df01b3e8a0aad5dffbe"),
        ("t10k-images-idx3-ubyte.gz", "bef4ecab320f06d8554ea6380940ec79"),
        ("t10k-labels-idx1-ubyte.gz", "bb300cfdad3c16e7a12a480ee83cd310"),
    ]
    classes = ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt",
               "Sneaker", "Bag", "Ankle boot"]


class KMNIST(MNIST):
    """Kuzushiji-MNIST: 28x28 images of 10 cursive Japanese characters."""

    mirrors = ["http://codh.rois.ac.jp/kmnist/dataset/kmnist/"]
    resources = [
        ("train-images-idx3-ubyte.gz", "bdb82020997e1d708af4cf47b453dcf7"),
        ("train-labels-idx1-ubyte.gz", "e144d726b3acfaa3e44228e80efcd344"),
        ("t10k-images-idx3-ubyte.gz", "5c965bf0a639b31b8f53240b1b52f4d7"),
        ("t10k-labels-idx1-ubyte.gz", "7320c461ea6c1c855c0b718fb2a4b134"),
    ]
    classes = ["o", "ki", "su", "tsu", "na", "ha", "ma", "ya", "re", "wo"]


class EMNIST(MNIST):
    """Extended MNIST: letters and digits, in six ``split``s (``'byclass'``, ``'bymerge'``,
    ``'balanced'``, ``'letters'``, ``'digits'``, ``'mnist'``).

    As in torchvision, the images are stored transposed (they look mirrored and rotated).
    """

    url = "https://biometrics.nist.gov/cs_links/EMNIST/gzip.zip"
    md5 = "58c8d27c78d21e728a6bc7b3cc06412e"
    splits = ("byclass", "bymerge", "balanced", "letters", "digits", "mnist")
    _merged = set("cijklmopsuvwxyz")
    _all = set(string.digits + string.ascii_letters)
    classes_split_dict = {
        "byclass": sorted(_all),
        "bymerge": sorted(_all - _merged),
        "balanced": sorted(_all - _merged),
        "letters": ["N/A"] + list(string.ascii_lowercase),
        "digits": list(string.digits),
        "mnist": list(string.digits),
    }

    def __init__(self, root: str | Path | None, split: str, **kwargs) -> None:
        if split not in self.splits:
            raise ValueError(f"Unknown value '{split}' for argument split. Valid values are "
                             f"{{{', '.join(repr(s) for s in self.splits)}}}.")
        self.split = split
        self.classes = self.classes_split_dict[split]
        super().__init__(root, **kwargs)

    def _file_names(self) -> list[str]:
        prefix = f"emnist-{self.split}-{'train' if self.train else 'test'}"
        return [f"{prefix}-images-idx3-ubyte", f"{prefix}-labels-idx1-ubyte"]

    def _files_exist(self, root) -> bool:
        return hasattr(self, "train") and super()._files_exist(root)

    def download(self) -> None:
        """Download NIST's zip of all splits and keep its .gz files in ``raw_folder``."""
        if self._files_exist(self.root):
            return
        archive = download_url(self.url, self.raw_folder, "gzip.zip", self.md5)
        with zipfile.ZipFile(archive) as zf:
            for name in zf.namelist():
                if name.endswith(".gz"):
                    with open(os.path.join(self.raw_folder, os.path.basename(name)), "wb") as f:
                        f.write(zf.read(name))
        os.remove(archive)

    def extra_repr(self) -> str:
        return f"Split: {self.split} ({'Train' if self.train else 'Test'})"
