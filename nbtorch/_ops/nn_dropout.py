"""More dropout: whole channels of 1-d and 3-d feature maps (``dropout1d``, ``dropout3d``,
beside ``nn_basic``'s ``dropout`` and ``dropout2d``), and the alpha dropout of
self-normalising networks (``alpha_dropout``, ``feature_alpha_dropout``).

Channel dropout keeps or drops a whole feature map at once (one coin per channel, broadcast
over its positions): the values of neighbouring positions are correlated, so dropping them
one by one would hardly regularise.

Alpha dropout is dropout for networks of SELU units, which keep their activations at mean 0
and variance 1. Setting a unit to 0 would shift that mean and variance; alpha dropout sets it
instead to SELU's saturation value -alpha' (``SATURATION``, where selu goes for very
negative inputs), then maps every unit by a x + b with a, b chosen so that a standard normal
input keeps mean 0 and variance 1.

All are products and ``where``s with a random constant mask drawn from nbtorch's generator
(``manual_seed`` repeats them): autograd and cuda need nothing new. Each does nothing when
``training=False`` (``model.eval()``).
"""

from __future__ import annotations

import math
import warnings

import numpy as np

from .._tensor import Tensor
from ..random import _rng
from .nn_activation_extra import SELU_ALPHA, SELU_SCALE
from .nn_basic import _check_p, _keep_mask, constant_like
from .pointwise import where

SATURATION = SELU_SCALE * SELU_ALPHA
"""alpha' = 1.7581...: selu(x) tends to -alpha' as x -> -inf, the value of a dropped unit."""


def _channel_shape(input: Tensor, batched: bool) -> tuple:
    """The shape of a mask with one coin per channel: (N, C, 1, ..., 1) for a batch,
    (C, 1, ..., 1) for one sample."""
    lead = 2 if batched else 1
    if input.dim() < lead:
        raise RuntimeError("Feature dropout requires at least 2 dimensions in the input")
    return tuple(input.shape[:lead]) + (1,) * (input.dim() - lead)


def _drop_channels(input: Tensor, p: float, training: bool, inplace: bool,
                   batched: bool) -> Tensor:
    """Zero each channel with probability ``p``, scale the kept ones by 1 / (1 - p)."""
    if not training or p == 0 or input.numel() == 0:
        return input
    out = input * _keep_mask(_channel_shape(input, batched), p, input)
    return input.copy_(out) if inplace else out


def dropout1d(input: Tensor, p: float = 0.5, training: bool = True,
              inplace: bool = False) -> Tensor:
    """Zero whole channels of (N, C, L) input, or of (C, L) for one sample, each with
    probability ``p``; scale the others by 1 / (1 - p) (the expected value is unchanged)."""
    _check_p(p)
    if input.dim() not in (2, 3):
        raise RuntimeError(
            f"dropout1d: Expected 2D or 3D input, but received a {input.dim()}D input. Note "
            "that dropout1d exists to provide channel-wise dropout on inputs with 1 spatial "
            "dimension, a channel dimension, and an optional batch dimension (i.e. 2D or 3D "
            "inputs)."
        )
    return _drop_channels(input, p, training, inplace, batched=input.dim() == 3)


def dropout3d(input: Tensor, p: float = 0.5, training: bool = True,
              inplace: bool = False) -> Tensor:
    """Zero whole channels of (N, C, D, H, W) input, or of (C, D, H, W) for one sample, each
    with probability ``p``; scale the others by 1 / (1 - p). Any other number of dimensions
    is taken as one sample, with a warning (as in PyTorch)."""
    _check_p(p)
    if input.dim() not in (4, 5):
        warnings.warn(
            f"dropout3d: Received a {input.dim()}-D input to dropout3d, which is deprecated "
            "and will result in an error in a future release. To retain the behavior and "
            "silence this warning, please use dropout instead. Note that dropout3d exists to "
            "provide channel-wise dropout on inputs with 3 spatial dimensions, a channel "
            "dimension, and an optional batch dimension (i.e. 4D or 5D inputs).",
            stacklevel=2,
        )
    return _drop_channels(input, p, training, inplace, batched=input.dim() == 5)


def _alpha_drop(input: Tensor, p: float, training: bool, inplace: bool,
                channels: bool) -> Tensor:
    """Set each unit (each channel with ``channels``) to -SATURATION with probability ``p``,
    then a x + b.

    A standard normal unit becomes x (probability 1 - p) or -alpha' (probability p): its
    mean is -p alpha' and its variance (1 - p)(1 + p alpha'^2). So
    a = 1 / sqrt((1 - p)(1 + p alpha'^2)) and b = a p alpha' give mean 0 and variance 1."""
    _check_p(p)
    if not training or p == 0 or input.numel() == 0:
        return input
    if p == 1:
        out = input * 0.0  # as in PyTorch: zeros (a would be 1 / 0)
    else:
        shape = _channel_shape(input, batched=True) if channels else tuple(input.shape)
        keep = constant_like(_rng(None).random(shape, dtype=np.float32) >= p, input)
        a = 1 / math.sqrt((1 - p) * (1 + p * SATURATION**2))
        out = where(keep, input, -SATURATION) * a + a * p * SATURATION
    return input.copy_(out) if inplace else out


def alpha_dropout(input: Tensor, p: float = 0.5, training: bool = False,
                  inplace: bool = False) -> Tensor:
    """Alpha dropout of each element (see the module docstring): for SELU networks, keeps a
    standard normal input at mean 0 and variance 1. Note ``training=False`` by default."""
    return _alpha_drop(input, p, training, inplace, channels=False)


def feature_alpha_dropout(input: Tensor, p: float = 0.5, training: bool = False,
                          inplace: bool = False) -> Tensor:
    """Alpha dropout of whole channels of (N, C, ...) input: each channel is kept, or all of
    it set to SELU's saturation value, before the same a x + b as ``alpha_dropout``."""
    return _alpha_drop(input, p, training, inplace, channels=True)


__all__: list = []
