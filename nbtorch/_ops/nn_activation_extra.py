"""More activation functions: ``prelu``, ``rrelu``, ``selu``, ``celu``, ``mish``,
``hardswish``, ``hardsigmoid``, ``softsign``, ``tanhshrink``, ``threshold``, ``logsigmoid``,
``softmin``, ``glu``, ``hardshrink``, ``softshrink``; and the in-place forms of
``nn.functional`` (``relu_``, ``elu_``, ``leaky_relu_``, ``hardtanh_``, ``selu_``, ...), which
write the result into their input and return it.

Each one is a formula over ops that are already differentiable (``where``, ``elu``,
``softplus``, ``hardtanh``, ``tanh``, ...), so none needs a backward of its own: autograd
(reverse and forward mode, any order) and the cuda device come for free. Where a formula
has a kink (hardswish at -3 and 3, the shrinks at +-lambda) the gradient there is the one
of the branch ``where`` picks.
"""

from __future__ import annotations

import numpy as np

from .. import _dtype as dt
from .._tensor import Tensor
from ..random import rand
from ._util import wrap_dim
from .nn_activation import _inplace, elu, hardtanh, leaky_relu, softmax, softplus
from .pointwise import where

SELU_ALPHA = 1.6732632423543772848170429916717
SELU_SCALE = 1.0507009873554804934193349852946
"""The constants of SELU (Klambauer et al., 2017): with them, layers of SELU keep
activations near mean 0 and variance 1 ("self-normalising")."""


def prelu(input: Tensor, weight: Tensor) -> Tensor:
    """x for x > 0, ``weight * x`` otherwise: a leaky ReLU whose negative slope is learnt.

    ``weight`` holds one slope (shared by all channels) or one per channel, the channels
    being dim 1 of ``input`` (a 0-d or 1-d input has one channel).
    """
    if weight.dim() > 1:
        raise RuntimeError(
            f"prelu: Expected `weight` to be a scalar or 1D tensor, but got: ndim = "
            f"{weight.dim()}"
        )
    channels = input.shape[1] if input.dim() >= 2 else 1
    if weight.numel() not in (1, channels):
        raise RuntimeError(
            f"Mismatch of parameter numbers and input channel size. Found parameter numbers = "
            f"{weight.numel()} and channel size = {channels}."
        )
    if weight.numel() == 1:
        slope = weight.reshape(())
    else:  # (C,) -> (C, 1, ..., 1): one slope per channel, broadcast over the positions
        slope = weight.reshape((channels,) + (1,) * (input.dim() - 2))
    return where(input > 0, input, slope * input)


def rrelu(input: Tensor, lower: float = 1.0 / 8, upper: float = 1.0 / 3,
          training: bool = False, inplace: bool = False) -> Tensor:
    """Randomized leaky ReLU: x for x > 0, ``a * x`` otherwise.

    Training: every element draws its own slope ``a`` uniformly from [lower, upper) (from
    nbtorch's generator: ``manual_seed`` repeats them), a regulariser like dropout.
    Evaluation: the mean slope (lower + upper) / 2 for every element.
    """
    if lower > upper:
        raise RuntimeError("Lower bound should be less than or equal to the upper bound")
    if inplace:
        return _inplace(rrelu, input, lower, upper, training)
    if not training:
        return leaky_relu(input, (lower + upper) / 2)
    u = rand(*input.shape, dtype=input.dtype, device=input.device)
    return where(input > 0, input, input * (lower + (upper - lower) * u))


def selu(input: Tensor, inplace: bool = False) -> Tensor:
    """scale * elu(x, alpha) with SELU's fixed ``SELU_SCALE`` and ``SELU_ALPHA``."""
    if inplace:
        return _inplace(selu, input)
    return SELU_SCALE * elu(input, SELU_ALPHA)


def celu(input: Tensor, alpha: float = 1.0, inplace: bool = False) -> Tensor:
    """x for x > 0, ``alpha * (exp(x / alpha) - 1)`` otherwise: an ELU whose slope at 0 is
    1 for every alpha (it is ``alpha * elu(x / alpha)``)."""
    if alpha == 0:
        raise RuntimeError("ZeroDivisionError: alpha cannot be 0 for CELU")
    if inplace:
        return _inplace(celu, input, alpha)
    return alpha * elu(input / alpha)


def mish(input: Tensor, inplace: bool = False) -> Tensor:
    """x * tanh(softplus(x)): smooth, a little negative below 0, close to x above."""
    if inplace:
        return _inplace(mish, input)
    return input * softplus(input).tanh()


def hardsigmoid(input: Tensor, inplace: bool = False) -> Tensor:
    """relu6(x + 3) / 6: a piecewise-linear sigmoid (0 below -3, 1 above 3), cheap on
    mobile hardware."""
    if inplace:
        return _inplace(hardsigmoid, input)
    return hardtanh(input + 3, 0.0, 6.0) / 6


def hardswish(input: Tensor, inplace: bool = False) -> Tensor:
    """x * hardsigmoid(x): the piecewise version of SiLU (MobileNetV3)."""
    if inplace:
        return _inplace(hardswish, input)
    return input * hardtanh(input + 3, 0.0, 6.0) / 6


def softsign(input: Tensor) -> Tensor:
    """x / (1 + |x|): squashes to (-1, 1) like tanh, but approaches the limits slowly."""
    return input / (1 + input.abs())


def tanhshrink(input: Tensor) -> Tensor:
    """x - tanh(x)."""
    return input - input.tanh()


def threshold(input: Tensor, threshold: float, value: float,
              inplace: bool = False) -> Tensor:
    """x where x > ``threshold``, else ``value``."""
    if inplace:
        return _inplace(_threshold, input, threshold, value)
    return _threshold(input, threshold, value)


def _threshold(input: Tensor, threshold: float, value: float) -> Tensor:
    return where(input > threshold, input, value)


def logsigmoid(input: Tensor) -> Tensor:
    """log(sigmoid(x)) = -softplus(-x), computed without forming sigmoid (exact for very
    negative x, where sigmoid underflows to 0)."""
    return -softplus(-input)


def softmin(input: Tensor, dim: int | None = None, _stacklevel: int = 3,
            dtype=None) -> Tensor:
    """softmax(-x) along ``dim``: the smallest entries get the largest probabilities."""
    if dtype is not None:
        input = input.to(dtype)
    return softmax(-input, dim)


def glu(input: Tensor, dim: int = -1) -> Tensor:
    """Gated linear unit: split ``input`` in halves a, b along ``dim``; a * sigmoid(b)
    (b decides, elementwise, how much of a passes)."""
    if input.dim() == 0:
        raise RuntimeError("glu does not support scalars because halving size must be even")
    d = wrap_dim(dim, input.dim())
    if input.shape[d] % 2:
        raise RuntimeError(
            f"Halving dimension must be even, but dimension {d} is size {input.shape[d]}"
        )
    a, b = input.chunk(2, d)
    return a * b.sigmoid()


def hardshrink(input: Tensor, lambd: float = 0.5) -> Tensor:
    """x where |x| > ``lambd``, else 0: small values are set to zero."""
    return where(input.abs() > lambd, input, 0.0)


_TORCH_NAMES = {dt.float16: "Half", dt.float32: "Float", dt.float64: "Double"}


def softshrink(input: Tensor, lambd: float = 0.5) -> Tensor:
    """x - lambd above ``lambd``, x + lambd below ``-lambd``, 0 between: each value moves
    ``lambd`` towards 0 and stops there (the proximal step of the L1 penalty)."""
    if lambd < 0:
        biggest = float(np.finfo(input._array.dtype).max)
        raise RuntimeError(
            f"lambda must be in range [0, {biggest:g}] for input dtype "
            f"{_TORCH_NAMES.get(input.dtype, input.dtype)}, but found {lambd}"
        )
    return where(input > lambd, input - lambd, where(input < -lambd, input + lambd, 0.0))


def threshold_(input: Tensor, threshold: float, value: float) -> Tensor:
    """In-place ``threshold``."""
    return _inplace(_threshold, input, threshold, value)


def selu_(input: Tensor) -> Tensor:
    """In-place ``selu``."""
    return selu(input, inplace=True)


def celu_(input: Tensor, alpha: float = 1.0) -> Tensor:
    """In-place ``celu``."""
    return celu(input, alpha, inplace=True)


def rrelu_(input: Tensor, lower: float = 1.0 / 8, upper: float = 1.0 / 3,
           training: bool = False) -> Tensor:
    """In-place ``rrelu``."""
    return rrelu(input, lower, upper, training, inplace=True)


def relu_(input: Tensor) -> Tensor:
    """In-place ``relu``: max(x, 0) written into ``input``, which is returned."""
    return input.relu_()


def elu_(input: Tensor, alpha: float = 1.0) -> Tensor:
    """In-place ``elu``."""
    return elu(input, alpha, inplace=True)


def leaky_relu_(input: Tensor, negative_slope: float = 0.01) -> Tensor:
    """In-place ``leaky_relu``."""
    return leaky_relu(input, negative_slope, inplace=True)


def hardtanh_(input: Tensor, min_val: float = -1.0, max_val: float = 1.0) -> Tensor:
    """In-place ``hardtanh``."""
    return hardtanh(input, min_val, max_val, inplace=True)


__all__ = ["celu", "celu_", "hardshrink", "prelu", "relu_", "rrelu", "rrelu_", "selu", "selu_",
           "threshold", "threshold_"]

TENSOR_METHODS = {"hardshrink": hardshrink, "prelu": prelu}
