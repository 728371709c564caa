"""Padding layers: ``F.pad`` with fixed widths, one class per mode and dimensionality.

``padding`` is an int (the same on every side) or a tuple (left, right) for 1-d, (left,
right, top, bottom) for 2-d. Modes: constant (``ConstantPad``, ``ZeroPad``: a value),
reflection (mirror at the edge, the edge not repeated), replication (repeat the edge),
circular (wrap around). No parameters.
"""

from __future__ import annotations

from ..._tensor import Tensor
from .. import functional as F
from .module import Module


def _widths(padding, sides: int) -> tuple:
    return tuple(padding) if isinstance(padding, (tuple, list)) else (padding,) * sides


class _ConstantPadNd(Module):
    _sides: int = 2

    def __init__(self, padding, value: float) -> None:
        super().__init__()
        self.padding = _widths(padding, self._sides)
        self.value = value

    def forward(self, input: Tensor) -> Tensor:
        return F.pad(input, self.padding, "constant", self.value)

    def extra_repr(self) -> str:
        return f"padding={self.padding}, value={self.value}"


class ConstantPad1d(_ConstantPadNd):
    """Pad the last dim with ``value``: (*, L) -> (*, left + L + right)."""


class ConstantPad2d(_ConstantPadNd):
    """Pad the last two dims with ``value``: (*, H, W) -> (*, top + H + bottom,
    left + W + right)."""

    _sides = 4


class ZeroPad1d(ConstantPad1d):
    """Pad the last dim with zeros."""

    def __init__(self, padding) -> None:
        super().__init__(padding, 0.0)

    def extra_repr(self) -> str:
        return f"{self.padding}"


class ZeroPad2d(ConstantPad2d):
    """Pad the last two dims with zeros."""

    def __init__(self, padding) -> None:
        super().__init__(padding, 0.0)

    def extra_repr(self) -> str:
        return f"{self.padding}"


class _PadNd(Module):
    """Padding by ``mode`` of a batch (N, C, *) or one sample (C, *)."""

    _sides: int = 2
    _mode: str = ""

    def __init__(self, padding) -> None:
        super().__init__()
        self.padding = _widths(padding, self._sides)

    def forward(self, input: Tensor) -> Tensor:
        return F.pad(input, self.padding, self._mode)

    def extra_repr(self) -> str:
        return f"{self.padding}"


class ReflectionPad1d(_PadNd):
    """Mirror the last dim at its ends ([a, b, c] padded by 2: [c, b, a, b, c, b, a])."""

    _mode = "reflect"


class ReflectionPad2d(_PadNd):
    """Mirror the last two dims at their edges."""

    _sides, _mode = 4, "reflect"


class ReplicationPad1d(_PadNd):
    """Repeat the end values of the last dim ([a, b, c] by 2: [a, a, a, b, c, c, c])."""

    _mode = "replicate"


class ReplicationPad2d(_PadNd):
    """Repeat the edge values of the last two dims."""

    _sides, _mode = 4, "replicate"


class _CircularPadNd(_PadNd):
    _mode = "circular"
    _dims: tuple = ()

    def forward(self, input: Tensor) -> Tensor:
        if input.dim() not in self._dims:
            raise ValueError(f"expected {self._dims[0]}D or {self._dims[1]}D input (got "
                             f"{input.dim()}D input)")
        return super().forward(input)


class CircularPad1d(_CircularPadNd):
    """Wrap the last dim around ([a, b, c] by 2: [b, c, a, b, c, a, b])."""

    _dims = (2, 3)


class CircularPad2d(_CircularPadNd):
    """Wrap the last two dims around (a torus)."""

    _sides, _dims = 4, (3, 4)
