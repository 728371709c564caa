"""CIFAR-10 and CIFAR-100, read from their *binary* version.

torchvision reads the "python version" of CIFAR, which is pickled: loading it can run code.
The binary version is plain bytes: each image is one record of label byte(s) followed by
3,072 pixel bytes (1,024 red, 1,024 green, 1,024 blue, each 32 rows of 32).
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import numpy as np
from PIL import Image

from .utils import data_root, download_url, extract_archive
from .vision import VisionDataset


class CIFAR10(VisionDataset):
    """32x32 colour images in 10 classes (``root/cifar-10-batches-bin/``).

    ``.data`` is a uint8 numpy array (N, 32, 32, 3) and ``.targets`` a list of ints, as in
    torchvision; samples are ``(PIL image, class index)``.
    """

    base_folder = "cifar-10-batches-bin"
    url = "https://www.cs.toronto.edu/~kriz/cifar-10-binary.tar.gz"
    filename = "cifar-10-binary.tar.gz"
    tgz_md5 = "c32a1d4ab5d03f1284b67883e8d87530"
    train_list = [f"data_batch_{i}.bin" for i in range(1, 6)]
    test_list = ["test_batch.bin"]
    meta_file = "batches.meta.txt"
    label_bytes = 1  # CIFAR-100 has two: the coarse and the fine label

    def __init__(self, root: str | Path | None = None, train: bool = True,
                 transform: Callable | None = None, target_transform: Callable | None = None,
                 download: bool = False) -> None:
        super().__init__(data_root() if root is None else root, transform=transform,
                         target_transform=target_transform)
        self.train = train
        if download:
            self.download()
        if not self._check_exists():
            raise RuntimeError(f"Dataset not found or corrupted in {self._folder}. You can use "
                               "download=True to download it")
        records = [self._read_records(name) for name in self._files()]
        records = np.concatenate(records)
        self.targets = records[:, self.label_bytes - 1].astype(np.int64).tolist()
        pixels = records[:, self.label_bytes:].reshape(-1, 3, 32, 32)
        self.data = np.ascontiguousarray(pixels.transpose(0, 2, 3, 1))  # to N, H, W, C
        with open(os.path.join(self._folder, self.meta_file)) as f:
            self.classes = [line.strip() for line in f if line.strip()]
        self.class_to_idx = {c: i for i, c in enumerate(self.classes)}

    @property
    def _folder(self) -> str:
        return os.path.join(self.root, self.base_folder)

    def _files(self) -> list[str]:
        return self.train_list if self.train else self.test_list

    def _check_exists(self) -> bool:
        names = self._files() + [self.meta_file]
        return all(os.path.isfile(os.path.join(self._folder, n)) for n in names)

    def _read_records(self, name: str) -> np.ndarray:
        path = os.path.join(self._folder, name)
        raw = np.fromfile(path, dtype=np.uint8)
        record = self.label_bytes + 3072
        if raw.size == 0 or raw.size % record:
            raise RuntimeError(f"{path} is truncated or corrupt ({raw.size} bytes is not a "
                               f"whole number of {record}-byte records); delete it and "
                               "download again (download=True)")
        return raw.reshape(-1, record)

    def download(self) -> None:
        """Download and unpack the binary archive unless the files are already there."""
        if self._check_exists():
            return
        archive = download_url(self.url, self.root, self.filename, self.tgz_md5)
        extract_archive(archive, self.root)

    def __getitem__(self, index: int):
        img = Image.fromarray(self.data[index])
        return self._apply_transforms(img, self.targets[index])

    def __len__(self) -> int:
        return len(self.data)

    def extra_repr(self) -> str:
        return f"Split: {'Train' if self.train else 'Test'}"


class CIFAR100(CIFAR10):
    """32x32 colour images in 100 classes (the fine labels), ``root/cifar-100-binary/``."""

    base_folder = "cifar-100-binary"
    url = "https://www.cs.toronto.edu/~kriz/cifar-100-binary.tar.gz"
    filename = "cifar-100-binary.tar.gz"
    tgz_md5 = "03b5dce01913d631647c71ecec9e9cb8"
    train_list = ["train.bin"]
    test_list = ["test.bin"]
    meta_file = "fine_label_names.txt"
    label_bytes = 2
