"""Datasets from a folder tree: ``root/<class name>/<file>``.

``ImageFolder("pets")`` over ``pets/cat/1.jpg, pets/cat/2.jpg, pets/dog/1.jpg`` has classes
``['cat', 'dog']`` (sorted folder names) and samples ``(image, 0)``, ``(image, 0)``,
``(image, 1)``.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

from PIL import Image

from .vision import VisionDataset

IMG_EXTENSIONS = (".jpg", ".jpeg", ".png", ".ppm", ".bmp", ".pgm", ".tif", ".tiff", ".webp")


def find_classes(directory: str | Path) -> tuple[list[str], dict[str, int]]:
    """The sorted sub-folder names of ``directory`` and their class indices."""
    classes = sorted(e.name for e in os.scandir(directory) if e.is_dir())
    if not classes:
        raise FileNotFoundError(f"Couldn't find any class folder in {directory}.")
    return classes, {c: i for i, c in enumerate(classes)}


def make_dataset(directory, class_to_idx, extensions=None, is_valid_file=None) -> list:
    """``(path, class index)`` for every accepted file, class by class, in sorted order."""
    if (extensions is None) == (is_valid_file is None):
        raise ValueError("Both extensions and is_valid_file cannot be None or not None at the "
                         "same time")
    if is_valid_file is None:
        def is_valid_file(path: str) -> bool:
            return path.lower().endswith(tuple(extensions))
    samples = []
    for name in sorted(class_to_idx):
        for folder, _, files in sorted(os.walk(os.path.join(directory, name),
                                               followlinks=True)):
            for file in sorted(files):
                path = os.path.join(folder, file)
                if is_valid_file(path):
                    samples.append((path, class_to_idx[name]))
    empty = [c for c in class_to_idx if all(t != class_to_idx[c] for _, t in samples)]
    if empty:
        raise FileNotFoundError(f"Found no valid file for the classes {', '.join(empty)}. "
                                f"Supported extensions are: {extensions}")
    return samples


def pil_loader(path: str) -> Image.Image:
    """Open an image file as an RGB PIL image."""
    with open(path, "rb") as f:
        return Image.open(f).convert("RGB")


class DatasetFolder(VisionDataset):
    """Samples ``(loader(path), class index)`` for the files under ``root/<class>/``."""

    def __init__(self, root: str | Path, loader: Callable, extensions=None,
                 transform: Callable | None = None, target_transform: Callable | None = None,
                 is_valid_file: Callable | None = None) -> None:
        super().__init__(root, transform=transform, target_transform=target_transform)
        self.classes, self.class_to_idx = find_classes(self.root)
        self.samples = make_dataset(self.root, self.class_to_idx, extensions, is_valid_file)
        self.loader = loader
        self.extensions = extensions
        self.targets = [t for _, t in self.samples]

    def __getitem__(self, index: int):
        path, target = self.samples[index]
        return self._apply_transforms(self.loader(path), target)

    def __len__(self) -> int:
        return len(self.samples)


class ImageFolder(DatasetFolder):
    """``DatasetFolder`` for images: files with an image extension, opened as RGB."""

    def __init__(self, root: str | Path, transform: Callable | None = None,
                 target_transform: Callable | None = None, loader: Callable = pil_loader,
                 is_valid_file: Callable | None = None) -> None:
        super().__init__(root, loader, IMG_EXTENSIONS if is_valid_file is None else None,
                         transform=transform, target_transform=target_transform,
                         is_valid_file=is_valid_file)
        self.imgs = self.samples
