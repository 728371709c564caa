"""``Unfold`` and ``Fold``: im2col and col2im as layers (see ``F.unfold`` / ``F.fold``).

``Unfold`` turns (N, C, H, W) into the columns (N, C * kh * kw, L) of its L sliding blocks;
``Fold`` adds such columns back into an (N, C, H, W) image. No parameters.
"""

from __future__ import annotations

from ..._tensor import Tensor
from .. import functional as F
from .module import Module


class Unfold(Module):
    """Extract sliding ``kernel_size`` blocks: (N, C, H, W) -> (N, C * kh * kw, L)."""

    def __init__(self, kernel_size, dilation=1, padding=0, stride=1) -> None:
        super().__init__()
        self.kernel_size = kernel_size
        self.dilation = dilation
        self.padding = padding
        self.stride = stride

    def forward(self, input: Tensor) -> Tensor:
        return F.unfold(input, self.kernel_size, self.dilation, self.padding, self.stride)

    def extra_repr(self) -> str:
        return (f"kernel_size={self.kernel_size}, dilation={self.dilation}, "
                f"padding={self.padding}, stride={self.stride}")


class Fold(Module):
    """Sum sliding blocks into an image of ``output_size``: (N, C * kh * kw, L) ->
    (N, C, H, W)."""

    def __init__(self, output_size, kernel_size, dilation=1, padding=0, stride=1) -> None:
        super().__init__()
        self.output_size = output_size
        self.kernel_size = kernel_size
        self.dilation = dilation
        self.padding = padding
        self.stride = stride

    def forward(self, input: Tensor) -> Tensor:
        return F.fold(input, self.output_size, self.kernel_size, self.dilation, self.padding,
                      self.stride)

    def extra_repr(self) -> str:
        return (f"output_size={self.output_size}, kernel_size={self.kernel_size}, "
                f"dilation={self.dilation}, padding={self.padding}, stride={self.stride}")
