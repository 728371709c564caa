"""Small layers as functions: ``bilinear``, ``dropout``, ``embedding``,
``one_hot``, ``normalize``, ``cosine_similarity``.

All are compositions of Tensor ops (matmul, indexing, multiplication by a random mask), so
autograd differentiates them without any new backward formula.
"""

from __future__ import annotations

import numpy as np

from .. import _dtype as dt
from .._tensor import Tensor
from ..random import _rng
from .pointwise import where


def constant_like(array: np.ndarray, like: Tensor) -> Tensor:
    """A constant tensor (no grad) from a numpy array, on ``like``'s device."""
    t = Tensor._make(array)
    return t if like.is_cpu else t.to(like.device)


def bilinear(input1: Tensor, input2: Tensor, weight: Tensor,
             bias: Tensor | None = None) -> Tensor:
    """y_k = x1^T A_k x2 + b_k for each output feature k.

    ``input1`` (*, in1), ``input2`` (*, in2), ``weight`` (out, in1, in2) -> (*, out).
    """
    if input1.shape[:-1] != input2.shape[:-1]:
        raise RuntimeError(
            f"bilinear(): input batch dimensions do not match: got {list(input1.shape[:-1])} "
            f"and {list(input2.shape[:-1])}"
        )
    if weight.dim() != 3 or weight.shape[1] != input1.shape[-1] or \
            weight.shape[2] != input2.shape[-1]:
        raise RuntimeError(
            f"bilinear(): weight shape {list(weight.shape)} does not match input shapes "
            f"{list(input1.shape)} and {list(input2.shape)}"
        )
    # (*, 1, 1, in1) @ (out, in1, in2) -> (*, out, 1, in2), then dot with x2 over in2.
    left = input1.unsqueeze(-2).unsqueeze(-2).matmul(weight).squeeze(-2)
    out = (left * input2.unsqueeze(-2)).sum(-1)
    return out if bias is None else out + bias


def _keep_mask(shape: tuple, p: float, like: Tensor) -> Tensor:
    """1 / (1 - p) where an element is kept (probability 1 - p), else 0."""
    scale = 0.0 if p == 1 else 1.0 / (1.0 - p)
    keep = _rng(None).random(shape, dtype=np.float32) >= p
    return constant_like((keep * scale).astype(like._array.dtype), like)


def _check_p(p: float) -> None:
    if not 0.0 <= p <= 1.0:
        raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")


def dropout(input: Tensor, p: float = 0.5, training: bool = True,
            inplace: bool = False) -> Tensor:
    """Zero each element with probability ``p`` and scale the rest by 1 / (1 - p), so the
    expected value is unchanged. Does nothing when ``training=False`` (evaluation)."""
    _check_p(p)
    if not training or p == 0:
        return input
    out = input * _keep_mask(tuple(input.shape), p, input)
    return input.copy_(out) if inplace else out


def dropout2d(input: Tensor, p: float = 0.5, training: bool = True,
              inplace: bool = False) -> Tensor:
    """Zero whole channels: for (N, C, H, W) input each of the N*C feature maps is dropped
    with probability ``p`` (neighbouring pixels are correlated, so single-pixel dropout
    would hardly regularise a convolution)."""
    _check_p(p)
    if input.dim() not in (3, 4):
        raise RuntimeError(
            f"dropout2d: Received a {input.dim()}-D input to dropout2d, which is deprecated "
            "and will result in an error in a future release."
        )
    if not training or p == 0:
        return input
    shape = tuple(input.shape[:-2]) + (1, 1)
    out = input * _keep_mask(shape, p, input)
    return input.copy_(out) if inplace else out


def embedding(input: Tensor, weight: Tensor, padding_idx: int | None = None,
              max_norm=None, norm_type: float = 2.0, scale_grad_by_freq: bool = False,
              sparse: bool = False) -> Tensor:
    """Look up rows of ``weight`` (num_embeddings, dim) by the integer indices ``input``:
    the output has shape ``input.shape + (dim,)``.

    The row ``padding_idx`` gets no gradient (it stays a fixed "padding" vector).
    """
    if input.dtype not in (dt.int64, dt.int32):
        raise RuntimeError(
            "Expected tensor for argument #1 'indices' to have one of the following scalar "
            f"types: Long, Int; but got {input.dtype} instead (while checking arguments for "
            "embedding)"
        )
    if padding_idx is not None:
        if padding_idx < 0:
            padding_idx += weight.shape[0]
        rows = np.zeros((weight.shape[0], 1), dtype=bool)
        rows[padding_idx] = True
        weight = where(constant_like(rows, weight), weight.detach(), weight)
    return weight[input]


def one_hot(tensor: Tensor, num_classes: int = -1) -> Tensor:
    """Class indices (any shape) -> int64 one-hot vectors of length ``num_classes`` in a new
    last dimension (``num_classes=-1``: one more than the largest index)."""
    if tensor.dtype != dt.int64:
        raise RuntimeError("one_hot is only applicable to index tensor of type LongTensor.")
    idx = tensor.cpu()._array
    if num_classes == -1:
        num_classes = int(idx.max()) + 1 if idx.size else 0
    if idx.size and (idx.min() < 0 or idx.max() >= num_classes):
        raise RuntimeError("Class values must be smaller than num_classes." if idx.min() >= 0
                           else "Class values must be non-negative.")
    out = (idx[..., None] == np.arange(num_classes)).astype(np.int64)
    return constant_like(out, tensor)


def normalize(input: Tensor, p: float = 2.0, dim: int = 1, eps: float = 1e-12) -> Tensor:
    """``input / max(||input||_p, eps)`` along ``dim``: unit-length vectors."""
    if p == 2:
        norm = (input * input).sum(dim, keepdim=True).sqrt()
    else:
        norm = input.abs().pow(p).sum(dim, keepdim=True).pow(1.0 / p)
    return input / norm.clamp_min(eps)


def cosine_similarity(x1: Tensor, x2: Tensor, dim: int = 1, eps: float = 1e-8) -> Tensor:
    """cos of the angle between x1 and x2 along ``dim``: x1 . x2 / (|x1| |x2|)."""
    n1 = (x1 * x1).sum(dim).sqrt().clamp_min(eps)
    n2 = (x2 * x2).sum(dim).sqrt().clamp_min(eps)
    return (x1 * x2).sum(dim) / (n1 * n2)


def pairwise_distance(x1: Tensor, x2: Tensor, p: float = 2.0, eps: float = 1e-6,
                      keepdim: bool = False) -> Tensor:
    """||x1 - x2 + eps||_p along the last dimension."""
    d = (x1 - x2 + eps).abs()
    return d.pow(p).sum(-1, keepdim=keepdim).pow(1.0 / p)


__all__ = ["bilinear", "cosine_similarity", "dropout", "pairwise_distance"]

TENSOR_METHODS: dict = {}
