"""``MaxUnpool1d`` and ``MaxUnpool2d``: put max-pooled values back at the positions their
pooling ``indices`` recorded, zeros elsewhere (see ``F.max_unpool2d``). No parameters."""

from __future__ import annotations

from ..._tensor import Tensor
from .. import functional as F
from .module import Module


def _ntuple(v, n: int) -> tuple:
    return tuple(v) if isinstance(v, (tuple, list)) else (v,) * n


class _MaxUnpoolNd(Module):
    _dims: int = 2

    def __init__(self, kernel_size, stride=None, padding=0) -> None:
        super().__init__()
        self.kernel_size = _ntuple(kernel_size, self._dims)
        self.stride = _ntuple(stride if stride is not None else kernel_size, self._dims)
        self.padding = _ntuple(padding, self._dims)

    def extra_repr(self) -> str:
        return f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}"


class MaxUnpool1d(_MaxUnpoolNd):
    """(N, C, l) values and their ``indices`` -> (N, C, L), L = (l - 1) stride +
    kernel_size - 2 padding, or ``output_size`` in ``forward``."""

    _dims = 1

    def forward(self, input: Tensor, indices: Tensor, output_size=None) -> Tensor:
        return F.max_unpool1d(input, indices, self.kernel_size, self.stride, self.padding,
                              output_size)


class MaxUnpool2d(_MaxUnpoolNd):
    """(N, C, h, w) values and their ``indices`` -> (N, C, H, W) (see ``MaxUnpool1d``)."""

    def forward(self, input: Tensor, indices: Tensor, output_size=None) -> Tensor:
        return F.max_unpool2d(input, indices, self.kernel_size, self.stride, self.padding,
                              output_size)
