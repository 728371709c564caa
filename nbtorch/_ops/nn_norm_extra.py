"""More normalisations as functions: ``instance_norm``, ``rms_norm`` and
``local_response_norm``.

* instance norm: batch norm's formula with statistics per sample *and* channel, over the
  spatial positions only (style transfer: each image's contrast is normalised away);
* RMS norm: divide by the root mean square over the last dims, with no centring
  (cheaper than layer norm; used in many language models);
* local response norm: divide each channel by a power of the summed squares of its
  neighbouring channels (AlexNet's "lateral inhibition").

All are compositions of Tensor ops, so autograd gives their gradients.
"""

from __future__ import annotations

import numpy as np

from .._tensor import Tensor
from ..autograd.grad_mode import no_grad
from .nn_norm import _blend, _normalize
from .nn_pool import avg_pool2d
from .nn_resample import pad


def _check_per_instance(name: str, t: Tensor | None, n: int, c: int) -> None:
    """PyTorch repeats the per-channel tensors over the batch, and counts them so."""
    if t is not None and t.numel() != c:
        raise RuntimeError(f"{name} should contain {n * c} elements not {n * t.numel()}")


def instance_norm(input: Tensor, running_mean: Tensor | None = None,
                  running_var: Tensor | None = None, weight: Tensor | None = None,
                  bias: Tensor | None = None, use_input_stats: bool = True,
                  momentum: float = 0.1, eps: float = 1e-5) -> Tensor:
    """Normalise each channel of each sample of (N, C, *) input over its positions *, then
    scale by ``weight`` and shift by ``bias`` (per channel).

    With ``use_input_stats`` (the default) the statistics are the sample's own, and the
    running estimates, when given, move towards their mean over the batch:
    ``running = (1 - momentum) running + momentum batch`` (the variance unbiased). Without,
    the running estimates are used, as batch norm does in evaluation.
    """
    if use_input_stats and int(np.prod(input.shape[2:])) == 1:
        raise ValueError(
            f"Expected more than 1 spatial element when training, got input size {input.shape}"
        )
    n, c = input.shape[:2]
    for name, t in (("weight", weight), ("bias", bias), ("running_mean", running_mean),
                    ("running_var", running_var)):
        _check_per_instance(name, t, n, c)
    dims = tuple(range(2, input.dim()))
    shape = (1, c) + (1,) * len(dims)
    if use_input_stats:
        out, mean, var = _normalize(input, dims, eps)
        count = input.numel() // max(n * c, 1)
        with no_grad():
            if running_mean is not None:
                _blend(running_mean, mean.detach().reshape(n, c).mean(0), momentum)
            if running_var is not None:
                unbiased = var.detach().reshape(n, c) * (count / (count - 1))
                _blend(running_var, unbiased.mean(0), momentum)
    else:
        if running_mean is None or running_var is None:
            raise RuntimeError("Expected running_mean and running_var to be defined when "
                               "use_input_stats is false")
        out = (input - running_mean.reshape(shape)) / (running_var.reshape(shape) + eps).sqrt()
    if weight is not None:
        out = out * weight.reshape(shape)
    if bias is not None:
        out = out + bias.reshape(shape)
    return out


def rms_norm(input: Tensor, normalized_shape, weight: Tensor | None = None,
             eps: float | None = None) -> Tensor:
    """x / sqrt(mean(x^2) + eps) over the last ``len(normalized_shape)`` dims, times
    ``weight`` (of that shape). ``eps=None``: the machine epsilon of the input's dtype."""
    if not isinstance(normalized_shape, (tuple, list)):
        raise TypeError("rms_norm(): argument 'normalized_shape' (position 2) must be tuple "
                        f"of ints, not {type(normalized_shape).__name__}")
    normalized_shape = tuple(int(s) for s in normalized_shape)
    k = len(normalized_shape)
    if input.dim() < k or tuple(input.shape[input.dim() - k:]) != normalized_shape:
        raise RuntimeError(
            f"Given normalized_shape={list(normalized_shape)}, expected input with shape "
            f"[*{', '.join(str(s) for s in normalized_shape)}], but got input of size"
            f"{list(input.shape)}"
        )
    if weight is not None and tuple(weight.shape) != normalized_shape:
        raise RuntimeError(
            "Expected weight to be of same shape as normalized_shape, but got weight of shape "
            f"{list(weight.shape)} and normalized_shape = {list(normalized_shape)}"
        )
    if eps is None:
        eps = float(np.finfo(input._array.dtype).eps)
    dims = tuple(range(input.dim() - k, input.dim()))
    out = input * ((input * input).mean(dims, keepdim=True) + eps).rsqrt()
    return out if weight is None else out * weight


def local_response_norm(input: Tensor, size: int, alpha: float = 1e-4, beta: float = 0.75,
                        k: float = 1.0) -> Tensor:
    """x / (k + alpha * mean of x^2 over ``size`` neighbouring channels)^beta, for
    (N, C, *) input. The window is centred on the channel (zeros beyond the first and
    last channel); the mean is a sliding average over the channel dim."""
    if input.dim() < 3:
        raise ValueError(
            f"Expected 3D or higher dimensionality input (got {input.dim()} dimensions)"
        )
    if input.numel() == 0:
        return input
    n, c = input.shape[:2]
    squares = (input * input).reshape(n, 1, c, -1)  # channels as the height of an image
    squares = pad(squares, (0, 0, size // 2, (size - 1) // 2))
    mean = avg_pool2d(squares, (size, 1), stride=1).reshape(input.shape)
    return input / (mean * alpha + k).pow(beta)


__all__ = ["rms_norm"]

TENSOR_METHODS: dict = {}
