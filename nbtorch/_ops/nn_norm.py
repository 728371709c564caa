"""Normalisation layers as functions: ``batch_norm``, ``layer_norm``, ``group_norm``.

All three compute (x - mean) / sqrt(var + eps) * weight + bias; they differ only in *which*
elements share a mean and variance:

* batch norm: each channel, over the batch and the spatial positions (dims 0, 2, 3, ...);
* layer norm: each sample, over its last ``len(normalized_shape)`` dims;
* group norm: each sample and group of channels.

They are written in Tensor ops (mean, multiply, sqrt), so their gradients, including the
subtle dependence of mean and variance on every input, come from autograd.
"""

from __future__ import annotations

from .._tensor import Tensor
from ..autograd.grad_mode import no_grad


def _normalize(x: Tensor, dims: tuple, eps: float):
    """(x - mean) / sqrt(var + eps) over ``dims`` (biased variance), and the batch stats."""
    mean = x.mean(dims, keepdim=True)
    centered = x - mean
    var = (centered * centered).mean(dims, keepdim=True)
    return centered / (var + eps).sqrt(), mean, var


def _channel_shape(x: Tensor) -> list:
    shape = [1] * x.dim()
    shape[1] = x.shape[1]
    return shape


def batch_norm(input: Tensor, running_mean: Tensor | None, running_var: Tensor | None,
               weight: Tensor | None = None, bias: Tensor | None = None,
               training: bool = False, momentum: float = 0.1, eps: float = 1e-5) -> Tensor:
    """Normalise each channel of (N, C) or (N, C, *) input.

    Training: with the batch's mean and (biased) variance, and update the running estimates
    ``running = (1 - momentum) * running + momentum * batch`` (the variance unbiased), in
    place. Evaluation (``training=False``): with the running estimates.
    """
    if input.dim() < 2:
        raise ValueError(f"expected 2D or 3D input (got {input.dim()}D input)")
    dims = (0,) + tuple(range(2, input.dim()))
    shape = _channel_shape(input)
    for name, t in (("running_mean", running_mean), ("running_var", running_var),
                    ("weight", weight), ("bias", bias)):
        if t is not None and t.numel() != input.shape[1]:
            raise RuntimeError(f"{name} should contain {input.shape[1]} elements not "
                               f"{t.numel()}")
    if training:
        count = input.numel() // input.shape[1]
        if count <= 1:
            raise ValueError(
                f"Expected more than 1 value per channel when training, got input size "
                f"{input.shape}"
            )
        out, mean, var = _normalize(input, dims, eps)
        with no_grad():
            if running_mean is not None:
                _blend(running_mean, mean.detach().reshape(-1), momentum)
            if running_var is not None:
                _blend(running_var, var.detach().reshape(-1) * (count / (count - 1)), momentum)
    else:
        if running_mean is None or running_var is None:
            raise RuntimeError("running_mean and running_var must be defined in evaluation mode")
        out = (input - running_mean.reshape(shape)) / (running_var.reshape(shape) + eps).sqrt()
    if weight is not None:
        out = out * weight.reshape(shape)
    if bias is not None:
        out = out + bias.reshape(shape)
    return out


def _blend(running: Tensor, batch: Tensor, momentum: float) -> None:
    """running <- (1 - momentum) running + momentum batch, in place."""
    running._array[...] = (1 - momentum) * running._array + momentum * batch._array
    running._bump_version()


def layer_norm(input: Tensor, normalized_shape, weight: Tensor | None = None,
               bias: Tensor | None = None, eps: float = 1e-5) -> Tensor:
    """Normalise each sample over its last dims (``normalized_shape``), then scale and
    shift elementwise by ``weight`` and ``bias`` of that shape. Used in transformers."""
    if isinstance(normalized_shape, int):
        normalized_shape = (normalized_shape,)
    normalized_shape = tuple(normalized_shape)
    k = len(normalized_shape)
    if tuple(input.shape[input.dim() - k:]) != normalized_shape or input.dim() < k:
        raise RuntimeError(
            f"Given normalized_shape={list(normalized_shape)}, expected input with shape "
            f"[*, {', '.join(str(s) for s in normalized_shape)}], but got input of size"
            f"{input.shape}"
        )
    out, _, _ = _normalize(input, tuple(range(input.dim() - k, input.dim())), eps)
    if weight is not None:
        out = out * weight
    if bias is not None:
        out = out + bias
    return out


def group_norm(input: Tensor, num_groups: int, weight: Tensor | None = None,
               bias: Tensor | None = None, eps: float = 1e-5) -> Tensor:
    """Normalise each sample over groups of C / num_groups channels (and all positions);
    then a per-channel ``weight`` and ``bias``. Independent of the batch size."""
    if input.dim() < 2 or input.shape[1] % num_groups:
        raise RuntimeError(
            "Expected number of channels in input to be divisible by num_groups, but got "
            f"input of shape {input.shape} and num_groups={num_groups}"
        )
    n = input.shape[0]
    grouped = input.reshape(n, num_groups, -1)
    out, _, _ = _normalize(grouped, (2,), eps)
    out = out.reshape(input.shape)
    shape = _channel_shape(input)
    if weight is not None:
        out = out * weight.reshape(shape)
    if bias is not None:
        out = out + bias.reshape(shape)
    return out


__all__ = ["layer_norm", "group_norm"]

TENSOR_METHODS: dict = {}
