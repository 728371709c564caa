"""``VisionDataset``: the common base of the image datasets (root, transforms, repr)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from ...utils.data import Dataset


class VisionDataset(Dataset):
    """An image dataset under ``root`` whose samples go through ``transform`` (the image) and
    ``target_transform`` (the label), or through ``transforms`` (both together)."""

    def __init__(self, root: str | Path | None = None, transforms: Callable | None = None,
                 transform: Callable | None = None,
                 target_transform: Callable | None = None) -> None:
        self.root = str(Path(root).expanduser()) if root is not None else None
        if transforms is not None and (transform is not None or target_transform is not None):
            raise ValueError("Only transforms or transform/target_transform can be passed as "
                             "argument")
        self.transform = transform
        self.target_transform = target_transform
        self.transforms = transforms

    def _apply_transforms(self, img, target):
        if self.transforms is not None:
            return self.transforms(img, target)
        if self.transform is not None:
            img = self.transform(img)
        if self.target_transform is not None:
            target = self.target_transform(target)
        return img, target

    def extra_repr(self) -> str:
        return ""

    def __repr__(self) -> str:
        lines = [f"Number of datapoints: {len(self)}"]
        if self.root is not None:
            lines.append(f"Root location: {self.root}")
        lines += [line for line in self.extra_repr().splitlines() if line]
        for name in ("transforms", "transform", "target_transform"):
            if getattr(self, name) is not None:
                lines.append(f"{name.replace('_', ' ').capitalize()}: "
                             + repr(getattr(self, name)).replace("\n", "\n    "))
        return "\n".join([f"Dataset {type(self).__name__}"] + ["    " + ln for ln in lines])
