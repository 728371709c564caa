"""``FakeData``: random images, for trying a pipeline without downloading anything."""

from __future__ import annotations

from collections.abc import Callable

from ...random import Generator, randint, randn
from .vision import VisionDataset


class FakeData(VisionDataset):
    """``size`` random images of ``image_size`` (C, H, W) as PIL images, with random labels.

    Sample ``i`` is drawn from a generator seeded with ``i + random_offset``: the same index
    always gives the same image, and the global random state is not touched.
    """

    def __init__(self, size: int = 1000, image_size: tuple = (3, 224, 224),
                 num_classes: int = 10, transform: Callable | None = None,
                 target_transform: Callable | None = None, random_offset: int = 0) -> None:
        super().__init__(None, transform=transform, target_transform=target_transform)
        self.size = size
        self.num_classes = num_classes
        self.image_size = tuple(image_size)
        self.random_offset = random_offset

    def __getitem__(self, index: int):
        from ..transforms import functional as F

        if not -self.size <= index < self.size:
            raise IndexError(f"{type(self).__name__} index out of range")
        g = Generator().manual_seed(index % self.size + self.random_offset)
        img = F.to_pil_image(randn(*self.image_size, generator=g))
        target = int(randint(0, self.num_classes, (1,), generator=g).item())
        return self._apply_transforms(img, target)

    def __len__(self) -> int:
        return self.size
