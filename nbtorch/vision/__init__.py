"""``nbtorch.vision``: torchvision's ``datasets``, ``transforms``, ``models`` and ``utils``."""

from . import datasets, models, transforms, utils

__all__ = ["datasets", "models", "transforms", "utils"]
