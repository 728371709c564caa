"""Instance normalisation: ``InstanceNorm1d`` (N, C, L) and ``InstanceNorm2d``
(N, C, H, W), also for one unbatched sample.

Each channel of each sample is normalised over its own positions (``F.instance_norm``):
unlike batch norm, the result does not depend on the other samples. By default it has no
parameters and no running statistics (``affine=False``, ``track_running_stats=False``);
with them it keeps batch norm's ``weight``, ``bias``, ``running_mean``, ``running_var``
and ``num_batches_tracked``, so it shares batch norm's constructor.
"""

from __future__ import annotations

import warnings

from ..._tensor import Tensor
from .. import functional as F
from .normalization import _BatchNorm


class _InstanceNorm(_BatchNorm):
    def __init__(self, num_features: int, eps: float = 1e-5, momentum: float | None = 0.1,
                 affine: bool = False, track_running_stats: bool = False, device=None,
                 dtype=None, *, bias: bool = True) -> None:
        super().__init__(num_features, eps, momentum, affine, track_running_stats, device,
                         dtype, bias=bias)

    def forward(self, input: Tensor) -> Tensor:
        self._check_input_dim(input)
        unbatched = input.dim() == self._dims[0]
        channel_dim = 0 if unbatched else 1
        if input.shape[channel_dim] != self.num_features:
            if self.affine:
                raise ValueError(
                    f"expected input's size at dim={channel_dim} to match num_features "
                    f"({self.num_features}), but got: {input.shape[channel_dim]}."
                )
            warnings.warn(f"input's size at dim={channel_dim} does not match num_features. "
                          "You can silence this warning by not passing in num_features, "
                          "which is not used because affine=False", stacklevel=2)
        x = input.unsqueeze(0) if unbatched else input
        out = F.instance_norm(x, self.running_mean, self.running_var, self.weight, self.bias,
                              self.training or not self.track_running_stats,
                              0.0 if self.momentum is None else self.momentum, self.eps)
        return out.squeeze(0) if unbatched else out


class InstanceNorm1d(_InstanceNorm):
    """Instance normalisation of (N, C, L) or (C, L) input, per sample and channel C.

    With ``affine=True``: ``weight`` (C,) = 1 and ``bias`` (C,) = 0. With
    ``track_running_stats=True``: running estimates, updated in training and used by
    ``eval()``.
    """

    _dims = (2, 3)


class InstanceNorm2d(_InstanceNorm):
    """Instance normalisation of (N, C, H, W) or (C, H, W) input (see ``InstanceNorm1d``)."""

    _dims = (3, 4)
