"""Convolution layers: ``Conv1d``, ``Conv2d``, ``ConvTranspose1d`` and ``ConvTranspose2d``.

A convolution slides a small kernel over the input; each output channel has its own kernel
spanning all input channels (or its group's). Weights: (C_out, C_in / groups, *kernel).
"""

from __future__ import annotations

import math

from ... import _creation
from ..._tensor import Tensor
from .. import functional as F
from .. import init
from ..parameter import Parameter
from .module import Module


def _ntuple(v, n: int) -> tuple:
    return tuple(v) if isinstance(v, (tuple, list)) else (v,) * n


class _ConvNd(Module):
    def __init__(self, in_channels, out_channels, kernel_size, stride, padding, dilation,
                 transposed, output_padding, groups, bias, padding_mode, device, dtype,
                 dims: int) -> None:
        super().__init__()
        if groups <= 0:
            raise ValueError("groups must be a positive integer")
        if in_channels % groups:
            raise ValueError("in_channels must be divisible by groups")
        if out_channels % groups:
            raise ValueError("out_channels must be divisible by groups")
        if isinstance(padding, str):
            if padding not in ("same", "valid"):
                raise ValueError(f"Invalid padding string {padding!r}, should be one of "
                                 "{'valid', 'same'}")
            if padding == "same" and any(s != 1 for s in _ntuple(stride, dims)):
                raise ValueError("padding='same' is not supported for strided convolutions")
        if padding_mode not in ("zeros", "reflect", "replicate", "circular"):
            raise ValueError(f"padding_mode must be one of ['zeros', 'reflect', 'replicate', "
                             f"'circular'], but got padding_mode='{padding_mode}'")
        self.in_channels = in_channels
        self.out_channels = out_channels
        self.kernel_size = _ntuple(kernel_size, dims)
        self.stride = _ntuple(stride, dims)
        self.padding = padding if isinstance(padding, str) else _ntuple(padding, dims)
        self.dilation = _ntuple(dilation, dims)
        self.transposed = transposed
        self.output_padding = _ntuple(output_padding, dims)
        self.groups = groups
        self.padding_mode = padding_mode
        shape = ((in_channels, out_channels // groups) if transposed else
                 (out_channels, in_channels // groups)) + self.kernel_size
        self.weight = Parameter(_creation.empty(*shape, device=device, dtype=dtype))
        if bias:
            self.bias = Parameter(_creation.empty(out_channels, device=device, dtype=dtype))
        else:
            self.register_parameter("bias", None)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        """kaiming_uniform_(a=sqrt(5)) weights and U(+-1/sqrt(fan_in)) bias, as PyTorch."""
        init.kaiming_uniform_(self.weight, a=math.sqrt(5))
        if self.bias is not None:
            fan_in, _ = init._calculate_fan_in_and_fan_out(self.weight)
            if fan_in:
                bound = 1 / math.sqrt(fan_in)
                init.uniform_(self.bias, -bound, bound)

    def _padded(self, input: Tensor) -> tuple[Tensor, object]:
        """For a non-zero ``padding_mode``: pad explicitly, then convolve without padding."""
        if self.padding_mode == "zeros" or isinstance(self.padding, str):
            return input, self.padding
        widths = []
        for p in reversed(self.padding):
            widths += [p, p]
        return F.pad(input, widths, mode=self.padding_mode), 0

    def extra_repr(self) -> str:
        s = (f"{self.in_channels}, {self.out_channels}, kernel_size={self.kernel_size}, "
             f"stride={self.stride}")
        if isinstance(self.padding, str) or self.padding != (0,) * len(self.padding):
            s += f", padding={self.padding}"
        if self.dilation != (1,) * len(self.dilation):
            s += f", dilation={self.dilation}"
        if self.output_padding != (0,) * len(self.output_padding):
            s += f", output_padding={self.output_padding}"
        if self.groups != 1:
            s += f", groups={self.groups}"
        if self.bias is None:
            s += ", bias=False"
        if self.padding_mode != "zeros":
            s += f", padding_mode={self.padding_mode}"
        return s


class Conv1d(_ConvNd):
    """1-d convolution over (N, C_in, L) -> (N, C_out, L_out).

    Parameters: ``weight`` (C_out, C_in/groups, k), ``bias`` (C_out,).
    L_out = floor((L + 2 padding - dilation (k - 1) - 1) / stride) + 1.
    """

    def __init__(self, in_channels: int, out_channels: int, kernel_size, stride=1, padding=0,
                 dilation=1, groups: int = 1, bias: bool = True, padding_mode: str = "zeros",
                 device=None, dtype=None) -> None:
        super().__init__(in_channels, out_channels, kernel_size, stride, padding, dilation,
                         False, 0, groups, bias, padding_mode, device, dtype, 1)

    def forward(self, input: Tensor) -> Tensor:
        x, padding = self._padded(input)
        return F.conv1d(x, self.weight, self.bias, self.stride, padding, self.dilation,
                        self.groups)


class Conv2d(_ConvNd):
    """2-d convolution over (N, C_in, H, W) -> (N, C_out, H_out, W_out).

    Args: ``in_channels``, ``out_channels``, ``kernel_size``, ``stride=1``, ``padding=0``
    (an int, a pair, 'same' or 'valid'), ``dilation=1``, ``groups=1``, ``bias=True``,
    ``padding_mode='zeros'``.
    Parameters: ``weight`` (C_out, C_in/groups, kh, kw), ``bias`` (C_out,).
    H_out = floor((H + 2 padding - dilation (kh - 1) - 1) / stride) + 1 (W_out alike).
    """

    def __init__(self, in_channels: int, out_channels: int, kernel_size, stride=1, padding=0,
                 dilation=1, groups: int = 1, bias: bool = True, padding_mode: str = "zeros",
                 device=None, dtype=None) -> None:
        super().__init__(in_channels, out_channels, kernel_size, stride, padding, dilation,
                         False, 0, groups, bias, padding_mode, device, dtype, 2)

    def forward(self, input: Tensor) -> Tensor:
        x, padding = self._padded(input)
        return F.conv2d(x, self.weight, self.bias, self.stride, padding, self.dilation,
                        self.groups)


class _ConvTransposeNd(_ConvNd):
    """What the transposed convolutions share: zero padding only, and an ``output_size``
    that picks the output's size among those the strided convolution maps to one size."""

    _dims = 2
    _conv = staticmethod(F.conv_transpose2d)

    def __init__(self, in_channels: int, out_channels: int, kernel_size, stride=1, padding=0,
                 output_padding=0, groups: int = 1, bias: bool = True, dilation=1,
                 padding_mode: str = "zeros", device=None, dtype=None) -> None:
        if padding_mode != "zeros":
            raise ValueError(
                f'Only "zeros" padding mode is supported for {type(self).__name__}'
            )
        super().__init__(in_channels, out_channels, kernel_size, stride, padding, dilation,
                         True, output_padding, groups, bias, padding_mode, device, dtype,
                         self._dims)

    def forward(self, input: Tensor, output_size=None) -> Tensor:
        return self._conv(input, self.weight, self.bias, self.stride, self.padding,
                          _output_padding(self, input, output_size), self.groups,
                          self.dilation)


class ConvTranspose2d(_ConvTransposeNd):
    """Transposed 2-d convolution (upsampling): (N, C_in, H, W) -> (N, C_out, H_out, W_out)
    with H_out = (H - 1) stride - 2 padding + dilation (kh - 1) + output_padding + 1.

    Parameters: ``weight`` (C_in, C_out/groups, kh, kw), ``bias`` (C_out,).
    """


class ConvTranspose1d(_ConvTransposeNd):
    """Transposed 1-d convolution: (N, C_in, L) -> (N, C_out, L_out) with
    L_out = (L - 1) stride - 2 padding + dilation (k - 1) + output_padding + 1.

    Parameters: ``weight`` (C_in, C_out/groups, k), ``bias`` (C_out,).
    """

    _dims = 1
    _conv = staticmethod(F.conv_transpose1d)


def _output_padding(conv: _ConvNd, input: Tensor, output_size) -> tuple:
    """The ``output_padding`` that makes a transposed convolution's output ``output_size``
    (several sizes map to one by the strided convolution it transposes); without
    ``output_size``, the layer's own."""
    if output_size is None:
        return conv.output_padding
    dims = len(conv.kernel_size)
    smallest = [(n - 1) * s - 2 * p + d * (k - 1) + 1 for n, s, p, d, k in
                zip(input.shape[-dims:], conv.stride, conv.padding, conv.dilation,
                    conv.kernel_size)]
    return tuple(w - m for w, m in zip(list(output_size)[-dims:], smallest))
