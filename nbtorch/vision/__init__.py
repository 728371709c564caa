"""``nbtorch.vision``: torchvision's ``datasets``, ``transforms``, ``models`` and ``utils``."""

from . import datasets, transforms, utils

__all__ = ["datasets", "models", "transforms", "utils"]


def __getattr__(name):
    if name == "models":  # imported on first use: it needs nbtorch.nn
        import importlib

        return importlib.import_module(".models", __name__)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
