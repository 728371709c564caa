"""``UpsamplingNearest2d`` and ``UpsamplingBilinear2d``: the old fixed-mode names of
``Upsample`` (bilinear with ``align_corners=True``)."""

from __future__ import annotations

from .pooling import Upsample


class UpsamplingNearest2d(Upsample):
    """Resize (N, C, H, W) to ``size`` or by ``scale_factor``, copying the nearest pixel."""

    def __init__(self, size=None, scale_factor=None) -> None:
        super().__init__(size, scale_factor, mode="nearest")


class UpsamplingBilinear2d(Upsample):
    """Resize (N, C, H, W) by bilinear interpolation with the corner pixels of input and
    output aligned (``align_corners=True``)."""

    def __init__(self, size=None, scale_factor=None) -> None:
        super().__init__(size, scale_factor, mode="bilinear", align_corners=True)
