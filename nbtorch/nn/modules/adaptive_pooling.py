"""Adaptive pooling layers beyond ``AdaptiveAvgPool2d``: ``AdaptiveAvgPool1d``,
``AdaptiveMaxPool1d`` and ``AdaptiveMaxPool2d``. The output size is fixed; the windows
are chosen to fit the input. No parameters."""

from __future__ import annotations

from ..._tensor import Tensor
from .. import functional as F
from .module import Module


class AdaptiveAvgPool1d(Module):
    """Average pooling of (N, C, L) to (N, C, ``output_size``)."""

    def __init__(self, output_size) -> None:
        super().__init__()
        self.output_size = output_size

    def forward(self, input: Tensor) -> Tensor:
        return F.adaptive_avg_pool1d(input, self.output_size)

    def extra_repr(self) -> str:
        return f"output_size={self.output_size}"


class _AdaptiveMaxPoolNd(Module):
    def __init__(self, output_size, return_indices: bool = False) -> None:
        super().__init__()
        self.output_size = output_size
        self.return_indices = return_indices

    def extra_repr(self) -> str:
        return f"output_size={self.output_size}"


class AdaptiveMaxPool1d(_AdaptiveMaxPoolNd):
    """Max pooling of (N, C, L) to (N, C, ``output_size``); with ``return_indices`` also
    where each maximum was (for ``MaxUnpool1d``)."""

    def forward(self, input: Tensor):
        return F.adaptive_max_pool1d(input, self.output_size, self.return_indices)


class AdaptiveMaxPool2d(_AdaptiveMaxPoolNd):
    """Max pooling of (N, C, H, W) to (N, C, H_out, W_out) = ``output_size`` (None keeps
    that input size); with ``return_indices`` also where each maximum was."""

    def forward(self, input: Tensor):
        return F.adaptive_max_pool2d(input, self.output_size, self.return_indices)
