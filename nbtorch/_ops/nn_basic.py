"""Small layers as functions: ``bilinear``, ``dropout``, ``embedding``,
``one_hot``, ``normalize``, ``cosine_similarity``.

All are compositions of Tensor ops (matmul, indexing, multiplication by a random mask), so
autograd differentiates them without any new backward formula; only ``embedding``'s
``scale_grad_by_freq`` needs one (``ScaleGrad``).
"""

from __future__ import annotations

import numpy as np

from .. import _dtype as dt
from .._tensor import Tensor
from ..autograd.function import Function
from ..autograd.grad_mode import no_grad
from ..random import _rng
from .pointwise import where
from .shape import broadcast_tensors


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
    the output has shape ``input.shape + (dim,)``. Every index must be in
    [0, num_embeddings): unlike Python indexing, -1 is an error, not the last row.

    The row ``padding_idx`` gets no gradient (it stays a fixed "padding" vector). With
    ``max_norm``, each looked-up row of ``weight`` whose ``norm_type``-norm exceeds it is
    first scaled down to that norm, in place. With ``scale_grad_by_freq``, a row's gradient
    is divided by how often its index occurs in ``input``.
    """
    if input.dtype not in (dt.int64, dt.int32):
        raise RuntimeError(
            "Expected tensor for argument #1 'indices' to have one of the following scalar "
            f"types: Long, Int; but got {input.dtype} instead (while checking arguments for "
            "embedding)"
        )
    _check_indices(input, weight.shape[0])
    if max_norm is not None:
        _renorm_rows_(weight, input, max_norm, norm_type)
    if padding_idx is not None:
        if padding_idx < 0:
            padding_idx += weight.shape[0]
        rows = np.zeros((weight.shape[0], 1), dtype=bool)
        rows[padding_idx] = True
        weight = where(constant_like(rows, weight), weight.detach(), weight)
    out = weight[input]
    if scale_grad_by_freq:
        idx = np.asarray(input._array)  # a cuda index is copied to the host here
        counts = np.bincount(idx.reshape(-1), minlength=weight.shape[0])
        factor = (1 / counts[idx])[..., None].astype(weight._array.dtype)
        out = ScaleGrad.apply(out, constant_like(factor, weight))
    return out


def _check_indices(input: Tensor, rows: int) -> None:
    """PyTorch's IndexError for an index outside [0, rows).

    A cuda index whose values the host copied is checked by the range it kept then
    (``DeviceArray.known_range``), not read back: reading waits for every kernel queued
    before (see ``nn_loss._known_real_classes``)."""
    a = input._array
    if not a.size:
        return
    known = None if type(a) is np.ndarray else a.known_range()
    lo, hi = known if known is not None else (int(a.min()), int(a.max()))
    if lo < 0 or hi >= rows:
        raise IndexError("index out of range in self")


def _renorm_rows_(weight: Tensor, input: Tensor, max_norm: float, norm_type: float) -> None:
    """Scale, in place, each row of ``weight`` that ``input`` looks up and whose norm is
    above ``max_norm`` by max_norm / (norm + 1e-7) (PyTorch's ``embedding_renorm_``).

    Autograd does not record it: the table itself changes, as in an optimizer step."""
    with no_grad():
        idx = input.reshape(-1)  # a repeated index writes the same row twice: no harm
        picked = weight[idx]
        norm = picked.norm(norm_type, 1, keepdim=True)
        weight[idx] = picked * where(norm > max_norm, max_norm / (norm + 1e-7), 1.0)


class ScaleGrad(Function):
    """The identity, whose backward multiplies the gradient by a constant ``factor``.

    ``embedding(..., scale_grad_by_freq=True)`` scales each looked-up vector's gradient by
    1 / (how often its index occurs), so a frequent word's row does not get a gradient many
    times larger than a rare word's."""

    @staticmethod
    def forward(ctx, x, factor):
        ctx.factor = factor
        return x  # an input returned as is: the output is a view of it

    @staticmethod
    def backward(ctx, grad):
        return grad * ctx.factor, None

    @staticmethod
    def jvp(ctx, t, _):
        return t  # the value is x itself: only the gradient is rescaled


def one_hot(tensor: Tensor, num_classes: int = -1) -> Tensor:
    """Class indices (any shape) -> int64 one-hot vectors of length ``num_classes`` in a new
    last dimension (``num_classes=-1``: one more than the largest index)."""
    if tensor.dtype != dt.int64:
        raise RuntimeError("one_hot is only applicable to index tensor of type LongTensor.")
    idx = tensor.cpu()._array
    if num_classes == -1:
        if not idx.size:
            raise RuntimeError("Can not infer total number of classes from empty tensor.")
        num_classes = int(idx.max()) + 1
    if idx.size and (idx.min() < 0 or idx.max() >= num_classes):
        raise RuntimeError("Class values must be smaller than num_classes." if idx.min() >= 0
                           else "Class values must be non-negative.")
    out = (idx[..., None] == np.arange(num_classes)).astype(np.int64)
    return constant_like(out, tensor)


def normalize(input: Tensor, p: float = 2.0, dim: int = 1, eps: float = 1e-12) -> Tensor:
    """``input / max(||input||_p, eps)`` along ``dim``: unit-length vectors.

    ``p`` is any norm order of ``Tensor.norm``: ``inf`` divides by the largest |x|, 0 by
    the number of non-zeros. An all-zero vector stays zero, with the finite gradient 1 / eps
    (the norm's own gradient at 0 is taken as 0, and the clamp passes none below eps)."""
    return input / input.norm(p, dim, keepdim=True).clamp_min(eps)


def cosine_similarity(x1: Tensor, x2: Tensor, dim: int = 1, eps: float = 1e-8) -> Tensor:
    """cos of the angle between x1 and x2 along ``dim``: (x1 / |x1|) . (x2 / |x2|).

    As in PyTorch, each vector is divided by its own length first, so the result stays in
    [-1, 1]; a length below ``eps`` counts as ``eps``. That clamp is written through a
    ``detach()``ed alias, unseen by autograd: gradients (and forward-mode tangents, which keep
    their own history for a second derivative) flow as if the length were not clamped, which
    stays finite for an all-zero vector (the length's gradient there is 0) where x / |x|
    would give 0 / 0.
    """
    x1, x2 = broadcast_tensors(x1, x2)
    # clones: the norms' backward keeps them, and they are about to change in place
    n1 = x1.norm(2, dim, keepdim=True).clone()
    n2 = x2.norm(2, dim, keepdim=True).clone()
    n1.detach().clamp_min_(eps)
    n2.detach().clamp_min_(eps)
    return ((x1 / n1) * (x2 / n2)).sum(dim)


def pairwise_distance(x1: Tensor, x2: Tensor, p: float = 2.0, eps: float = 1e-6,
                      keepdim: bool = False) -> Tensor:
    """||x1 - x2 + eps||_p along the last dimension (x1 and x2 broadcast); ``p`` is any
    order of ``Tensor.norm`` (``inf``: the largest difference). ``eps`` keeps equal vectors
    away from the norm's kink at 0."""
    return (x1 - x2 + eps).norm(p, -1, keepdim=keepdim)


__all__ = ["bilinear", "cosine_similarity", "dropout", "pairwise_distance"]

TENSOR_METHODS: dict = {}
