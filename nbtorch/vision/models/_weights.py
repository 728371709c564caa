"""``weights=``: load a model's parameters from a file you provide.

nbtorch never downloads weights. Pass a path to a state_dict saved with ``torch.save`` or
``nbtorch.save`` (for example torchvision's ImageNet weights), or a state_dict itself.
"""

from __future__ import annotations

import os

from ... import nn
from ...serialization import load


def load_weights(model: nn.Module, weights, pretrained: bool, name: str,
                 fix_keys=None) -> nn.Module:
    """Load ``weights`` (a path or a state_dict) into ``model``; explain if there are none."""
    if weights is None and not pretrained:
        return model
    if isinstance(weights, (str, os.PathLike)) and os.path.isfile(weights):
        state_dict = load(weights, map_location="cpu")
    elif isinstance(weights, dict):
        state_dict = weights
    else:
        what = f"weights={weights!r}" if weights is not None else "pretrained=True"
        raise RuntimeError(
            f"{name}({what}): nbtorch does not download pretrained weights. Get a state_dict "
            f"file once, on a machine with PyTorch and internet: `import torch, torchvision; "
            f"torch.save(torchvision.models.{name}(weights='DEFAULT').state_dict(), "
            f"'{name}.pth')` (or download the .pth file listed in torchvision's documentation "
            f"from https://download.pytorch.org/models/), then pass its path: "
            f"{name}(weights='{name}.pth').")
    if fix_keys is not None:
        state_dict = fix_keys(state_dict)
    model.load_state_dict(state_dict)
    return model
