"""Scaled dot-product attention (``nn.functional.scaled_dot_product_attention``).

Attention lets every query position look at all key positions and take a weighted average
of their values, the weights saying how well the query matches each key:

    weights = softmax(Q K^T * scale + mask)      (L, S): one row of weights per query
    output  = weights V                          (L, E_v)

with ``scale = 1 / sqrt(E)`` by default, so that the dot products of E-dimensional vectors
do not grow with E and saturate the softmax. A *mask* hides keys from queries: a boolean
mask says which keys a query may see (False = hidden, i.e. -inf before the softmax), a float
mask is added to the scores, and ``is_causal`` hides the future (query i sees keys 0..i).

It is a composition of Tensor ops (matmul, masked_fill, softmax, dropout), so autograd gives
its gradients to any order and it runs on every device with no kernel of its own.
"""

from __future__ import annotations

import math

import numpy as np

from .. import _creation
from .. import _dtype as dt
from .._tensor import Tensor
from .nn_activation import softmax
from .nn_basic import dropout
from .shape import broadcast_shapes

NEG_INF = float("-inf")


def _check_inputs(query: Tensor, key: Tensor, value: Tensor, attn_mask: Tensor | None,
                  dropout_p: float, is_causal: bool) -> None:
    if query.dim() < 2 or key.dim() < 2 or value.dim() < 2:
        raise RuntimeError(
            "Expected query, key, and value to all be at least 2 dimensional, but got "
            f"query.dim: {query.dim()} key.dim: {key.dim()} and value.dim: {value.dim()} "
            "instead."
        )
    if not (query.dtype == key.dtype == value.dtype):
        raise RuntimeError(
            "Expected query, key, and value to have the same dtype, but got query.dtype: "
            f"{query.dtype} key.dtype: {key.dtype} and value.dtype: {value.dtype} instead."
        )
    if not query.is_floating_point():
        raise RuntimeError(f"scaled_dot_product_attention: expected floating point query, key "
                           f"and value, but got {query.dtype}")
    if key.shape[-1] != query.shape[-1] or key.shape[-2] != value.shape[-2]:
        raise RuntimeError(
            f"scaled_dot_product_attention: query {list(query.shape)}, key "
            f"{list(key.shape)} and value {list(value.shape)} do not fit: query and key need "
            "the same last dim (E), key and value the same sequence length (S)"
        )
    if dropout_p > 1.0:
        raise RuntimeError(f"dropout probability has to be between 0 and 1, but got "
                           f"{dropout_p}")
    if attn_mask is not None:
        if is_causal:
            raise RuntimeError("_scaled_dot_product_attention: Explicit attn_mask should not "
                               "be set when is_causal=True")
        if attn_mask.dtype not in (dt.bool_, dt.float32, query.dtype):
            raise RuntimeError(
                "Expected attn_mask dtype to be bool or float or to match query dtype, but "
                f"got attn_mask.dtype: {attn_mask.dtype} and query.dtype: {query.dtype} "
                "instead."
            )


def _repeat_kv_heads(query: Tensor, key: Tensor, value: Tensor) -> tuple[Tensor, Tensor]:
    """Grouped-query attention: each of the H_kv key/value heads serves H_q / H_kv query
    heads, so repeat every key/value head that many times along the head dim (-3)."""
    heads_q, heads_k, heads_v = query.shape[-3], key.shape[-3], value.shape[-3]
    if heads_q % heads_k or heads_q % heads_v:
        raise RuntimeError(
            "Number of heads in key and value must divide the number of heads in query, "
            f"but got {heads_k} key heads, {heads_v} value heads and {heads_q} query heads"
        )
    return (key.repeat_interleave(heads_q // heads_k, -3),
            value.repeat_interleave(heads_q // heads_v, -3))


def _safe_softmax(scores: Tensor) -> Tensor:
    """Softmax over the last dim, with zeros (not NaN) in a row whose keys are all masked.

    A row of -inf has no probability distribution; PyTorch returns zeros for it, so a query
    that may see nothing contributes nothing (and gets zero gradient)."""
    hidden_row = (scores == NEG_INF).all(-1, keepdim=True)
    weights = softmax(scores.masked_fill(hidden_row, 0.0), -1)
    return weights.masked_fill(hidden_row, 0.0)


def attention_weights(query: Tensor, key: Tensor, attn_mask: Tensor | None = None,
                      scale: float | None = None, empty_rows_zero: bool = True) -> Tensor:
    """softmax(Q K^T * scale + mask) over the keys: (..., L, E), (..., S, E) -> (..., L, S).

    ``attn_mask`` as in ``scaled_dot_product_attention`` (bool: True = may attend; float:
    added); it must broadcast to the scores' shape without enlarging them. A query whose keys
    are all masked gets zero weights, or NaN (the plain softmax of -inf's) with
    ``empty_rows_zero=False``, as PyTorch's multi-head attention gives when it returns its
    weights."""
    if scale is None:
        scale = 1.0 / math.sqrt(query.shape[-1])
    scores = query.matmul(key.transpose(-2, -1)) * scale
    if attn_mask is None:
        return softmax(scores, -1)
    if tuple(broadcast_shapes(scores.shape, attn_mask.shape)) != tuple(scores.shape):
        raise RuntimeError(
            f"attn_mask of shape {list(attn_mask.shape)} does not broadcast to the attention "
            f"scores' shape {list(scores.shape)}"
        )
    if attn_mask.dtype == dt.bool_:
        scores = scores.masked_fill(attn_mask.logical_not(), NEG_INF)
    else:
        scores = scores + attn_mask.to(scores.dtype)
    if empty_rows_zero:
        return _safe_softmax(scores)
    with np.errstate(invalid="ignore"):  # -inf - (-inf) in a hidden row: NaN, as intended
        return softmax(scores, -1)


def scaled_dot_product_attention(query: Tensor, key: Tensor, value: Tensor,
                                 attn_mask: Tensor | None = None, dropout_p: float = 0.0,
                                 is_causal: bool = False, scale: float | None = None,
                                 enable_gqa: bool = False) -> Tensor:
    """softmax(Q K^T * scale + mask) V: each query's weighted average of the values.

    Shapes: ``query`` (..., L, E), ``key`` (..., S, E), ``value`` (..., S, E_v) ->
    (..., L, E_v); the leading (batch, head) dims broadcast. ``attn_mask`` broadcasts to
    (..., L, S): bool (True = the query may attend to this key) or float (added to the
    scores, e.g. -inf to hide). ``is_causal=True`` lets query i see keys 0..i only (the
    top-left triangle; no ``attn_mask`` then). ``scale`` defaults to 1 / sqrt(E).
    ``dropout_p`` zeros attention weights at random (always applied: pass 0.0 in
    evaluation). ``enable_gqa``: key and value may have fewer heads (dim -3) than query, each
    shared by a group of query heads. A query whose keys are all masked gets zeros.

    Example::

        >>> q = k = v = torch.randn(2, 4, 10, 16)        # (batch, heads, length, E)
        >>> F.scaled_dot_product_attention(q, k, v, is_causal=True).shape
        nbtorch.Size([2, 4, 10, 16])
    """
    _check_inputs(query, key, value, attn_mask, dropout_p, is_causal)
    if enable_gqa:
        key, value = _repeat_kv_heads(query, key, value)
    if is_causal:
        attn_mask = _creation.ones(query.shape[-2], key.shape[-2], dtype=dt.bool_,
                                   device=query.device).tril()
    weights = attention_weights(query, key, attn_mask, scale)
    if dropout_p > 0.0:
        weights = dropout(weights, dropout_p, True)
    return weights.matmul(value)
