"""Multi-head attention as a function (``nn.functional.multi_head_attention_forward``).

One attention looks at the sequence in one way. Multi-head attention runs ``num_heads`` of
them side by side, each in its own ``head_dim = embed_dim / num_heads`` slice:

1. project: q = query W_q^T + b_q, k = key W_k^T + b_k, v = value W_v^T + b_v (E -> E);
2. split E into heads: (L, N, E) -> (N * heads, L, head_dim);
3. attend in every head at once: softmax(q k^T / sqrt(head_dim) + mask) v;
4. join the heads back to (L, N, E) and mix them: output = heads W_o^T + b_o.

Masks are carried as floats added to the scores (0 = visible, -inf = hidden); the boolean
masks of this API mean the opposite of ``scaled_dot_product_attention``'s: True = *hidden*.
Sequences are time-major, (L, N, E), as in PyTorch's function (``nn.MultiheadAttention``
handles ``batch_first``).
"""

from __future__ import annotations

from .. import _dtype as dt
from .._creation import zeros
from .._tensor import Tensor
from .join import cat
from .nn_attention import attention_weights
from .nn_basic import dropout
from .nn_linear import linear
from .nn_resample import pad


def canonical_mask(mask: Tensor | None, name: str, dtype) -> Tensor | None:
    """A bool mask (True = hidden) as the float mask it means (-inf = hidden, 0 = visible);
    a float mask as it is."""
    if mask is None or mask.is_floating_point():
        return mask
    if mask.dtype != dt.bool_:
        raise AssertionError(f"only bool and floating types of {name} are supported")
    return zeros(tuple(mask.shape), dtype=dtype, device=mask.device).masked_fill(
        mask, float("-inf"))


def _check_shapes(query: Tensor, key: Tensor, value: Tensor, key_padding_mask: Tensor | None,
                  attn_mask: Tensor | None, num_heads: int) -> bool:
    """Check the ranks of the inputs and masks; True when the input is batched (3-D)."""
    if query.dim() not in (2, 3):
        raise AssertionError("query should be unbatched 2D or batched 3D tensor but received "
                             f"{query.dim()}-D query tensor")
    batched = query.dim() == 3
    kind = "batched (3-D)" if batched else "unbatched (2-D)"
    if key.dim() != query.dim() or value.dim() != query.dim():
        raise AssertionError(
            f"For {kind} `query`, expected `key` and `value` to be {query.dim()}-D but found "
            f"{key.dim()}-D and {value.dim()}-D tensors respectively")
    if key_padding_mask is not None and key_padding_mask.dim() != query.dim() - 1:
        raise AssertionError(
            f"For {kind} `query`, expected `key_padding_mask` to be `None` or "
            f"{query.dim() - 1}-D but found {key_padding_mask.dim()}-D tensor instead")
    if attn_mask is not None:
        if attn_mask.dim() not in (2, 3):
            raise AssertionError(
                f"For {kind} `query`, expected `attn_mask` to be `None`, 2-D or 3-D but found "
                f"{attn_mask.dim()}-D tensor instead")
        expected = (num_heads, query.shape[0], key.shape[0])
        if not batched and attn_mask.dim() == 3 and tuple(attn_mask.shape) != expected:
            raise AssertionError(f"Expected `attn_mask` shape to be {expected} but got "
                                 f"{tuple(attn_mask.shape)}")
    return batched


def _project(query: Tensor, key: Tensor, value: Tensor, in_proj_weight: Tensor | None,
             in_proj_bias: Tensor | None, separate: tuple | None) -> tuple:
    """Step 1: q, k, v from one packed (3E, E) weight, or from three separate weights
    (``separate``; key and value may then have their own sizes kdim, vdim)."""
    b_q = b_k = b_v = None
    if in_proj_bias is not None:
        b_q, b_k, b_v = in_proj_bias.chunk(3)
    if separate is not None:
        w_q, w_k, w_v = separate
        return linear(query, w_q, b_q), linear(key, w_k, b_k), linear(value, w_v, b_v)
    if in_proj_weight is None:
        raise AssertionError("use_separate_proj_weight is False but in_proj_weight is None")
    if query is key and key is value:  # self-attention: one matrix product for all three
        return linear(query, in_proj_weight, in_proj_bias).chunk(3, -1)
    w_q, w_k, w_v = in_proj_weight.chunk(3)
    return linear(query, w_q, b_q), linear(key, w_k, b_k), linear(value, w_v, b_v)


def _heads(x: Tensor, batch_heads: int, head_dim: int) -> Tensor:
    """Step 2: (S, N, E) -> (N * heads, S, head_dim)."""
    return x.reshape(x.shape[0], batch_heads, head_dim).transpose(0, 1)


def _check_attn_mask(attn_mask: Tensor, tgt_len: int, src_len: int, batch_heads: int) -> Tensor:
    if attn_mask.dim() == 2:
        if tuple(attn_mask.shape) != (tgt_len, src_len):
            raise RuntimeError(f"The shape of the 2D attn_mask is {tuple(attn_mask.shape)}, but "
                               f"should be {(tgt_len, src_len)}.")
        return attn_mask.unsqueeze(0)
    if tuple(attn_mask.shape) != (batch_heads, tgt_len, src_len):
        raise RuntimeError(f"The shape of the 3D attn_mask is {tuple(attn_mask.shape)}, but "
                           f"should be {(batch_heads, tgt_len, src_len)}.")
    return attn_mask


def _extra_key(k: Tensor, v: Tensor, new_k: Tensor, new_v: Tensor, dim: int,
               masks: list) -> tuple:
    """Append one more key/value position (``add_bias_kv``, ``add_zero_attn``) along ``dim``,
    and a visible column for it to each mask."""
    masks = [None if m is None else pad(m, (0, 1)) for m in masks]
    return cat([k, new_k], dim), cat([v, new_v], dim), masks


def multi_head_attention_forward(
        query: Tensor, key: Tensor, value: Tensor, embed_dim_to_check: int, num_heads: int,
        in_proj_weight: Tensor | None, in_proj_bias: Tensor | None, bias_k: Tensor | None,
        bias_v: Tensor | None, add_zero_attn: bool, dropout_p: float, out_proj_weight: Tensor,
        out_proj_bias: Tensor | None, training: bool = True,
        key_padding_mask: Tensor | None = None, need_weights: bool = True,
        attn_mask: Tensor | None = None, use_separate_proj_weight: bool = False,
        q_proj_weight: Tensor | None = None, k_proj_weight: Tensor | None = None,
        v_proj_weight: Tensor | None = None, static_k: Tensor | None = None,
        static_v: Tensor | None = None, average_attn_weights: bool = True,
        is_causal: bool = False) -> tuple[Tensor, Tensor | None]:
    """Multi-head attention of time-major sequences; returns ``(output, weights)``.

    Shapes: ``query`` (L, N, E), ``key`` (S, N, kdim), ``value`` (S, N, vdim) (or (L, E),
    (S, kdim), (S, vdim) unbatched) -> output (L, N, E). ``weights`` (None unless
    ``need_weights``): (N, L, S) averaged over heads, or (N, heads, L, S) with
    ``average_attn_weights=False``; they are the weights after dropout.

    Masks (bool: True = hidden; float: added to the scores): ``key_padding_mask`` (N, S)
    hides padded keys of each sequence; ``attn_mask`` (L, S) or (N * heads, L, S) hides keys
    from queries. ``is_causal`` is only a hint that ``attn_mask`` is the causal mask (which
    must be given). ``bias_k``/``bias_v`` (1, 1, E) append one learned key/value position;
    ``add_zero_attn`` appends a zero one. ``static_k``/``static_v`` (N * heads, S,
    head_dim) replace the projected keys/values. Dropout on the weights only when
    ``training``. A query whose keys are all hidden has no softmax: as in PyTorch, its
    weights and output are NaN when ``need_weights`` (the weights come from a plain softmax)
    and its weights zero otherwise (``scaled_dot_product_attention``'s rule).
    """
    batched = _check_shapes(query, key, value, key_padding_mask, attn_mask, num_heads)
    if not batched:
        query, key, value = query.unsqueeze(1), key.unsqueeze(1), value.unsqueeze(1)
        if key_padding_mask is not None:
            key_padding_mask = key_padding_mask.unsqueeze(0)
    tgt_len, bsz, embed_dim = query.shape
    if is_causal and attn_mask is None:
        raise RuntimeError("Need attn_mask if specifying the is_causal hint. You may use the "
                           "Transformer module method `generate_square_subsequent_mask` to "
                           "create this mask.")
    key_padding_mask = canonical_mask(key_padding_mask, "key_padding_mask", query.dtype)
    attn_mask = canonical_mask(attn_mask, "attn_mask", query.dtype)
    if embed_dim != embed_dim_to_check:
        raise AssertionError(f"was expecting embedding dimension of {embed_dim_to_check}, but "
                             f"got {embed_dim}")
    head_dim = embed_dim // num_heads
    if head_dim * num_heads != embed_dim:
        raise AssertionError(f"embed_dim {embed_dim} not divisible by num_heads {num_heads}")
    if use_separate_proj_weight and key.shape[:2] != value.shape[:2]:
        raise AssertionError(f"key's sequence and batch dims {tuple(key.shape[:2])} do not "
                             f"match value's {tuple(value.shape[:2])}")
    if not use_separate_proj_weight and key.shape != value.shape:
        raise AssertionError(f"key shape {tuple(key.shape)} does not match value shape "
                             f"{tuple(value.shape)}")

    separate = (q_proj_weight, k_proj_weight, v_proj_weight) if use_separate_proj_weight \
        else None
    q, k, v = _project(query, key, value, in_proj_weight, in_proj_bias, separate)
    batch_heads = bsz * num_heads
    if attn_mask is not None:
        attn_mask = _check_attn_mask(attn_mask, tgt_len, key.shape[0], batch_heads)
    if (bias_k is None) != (bias_v is None):
        raise AssertionError("bias_k and bias_v must be given together")
    if bias_k is not None and (static_k is not None or static_v is not None):
        raise AssertionError("bias cannot be added to static key or value.")
    if bias_k is not None:
        k, v, (attn_mask, key_padding_mask) = _extra_key(
            k, v, bias_k.repeat(1, bsz, 1), bias_v.repeat(1, bsz, 1), 0,
            [attn_mask, key_padding_mask])

    q = _heads(q, batch_heads, head_dim)
    k = _heads(k, batch_heads, head_dim) if static_k is None else static_k
    v = _heads(v, batch_heads, head_dim) if static_v is None else static_v
    if add_zero_attn:
        zero = zeros((batch_heads, 1, head_dim), dtype=k.dtype, device=k.device)
        k, v, (attn_mask, key_padding_mask) = _extra_key(k, v, zero, zero, 1,
                                                         [attn_mask, key_padding_mask])
    src_len = k.shape[1]
    if key_padding_mask is not None:
        if tuple(key_padding_mask.shape) != (bsz, src_len):
            raise AssertionError(f"Expected key_padding_mask of shape {(bsz, src_len)}, but "
                                 f"got {tuple(key_padding_mask.shape)}")
        # (N, S) -> (N * heads, 1, S): the same padding for every head and every query.
        padding = key_padding_mask.view(bsz, 1, 1, src_len).expand(-1, num_heads, -1, -1)
        padding = padding.reshape(batch_heads, 1, src_len)
        attn_mask = padding if attn_mask is None else attn_mask + padding

    # (N * heads, L, S); a fully hidden row: NaN if the weights are returned, else zeros
    weights = attention_weights(q, k, attn_mask, empty_rows_zero=not need_weights)
    if training and dropout_p > 0.0:
        weights = dropout(weights, dropout_p, True)
    heads = weights.matmul(v)  # (N * heads, L, head_dim)
    output = linear(heads.transpose(0, 1).reshape(tgt_len, bsz, embed_dim), out_proj_weight,
                    out_proj_bias)
    if not batched:
        output = output.squeeze(1)
    if not need_weights:
        return output, None
    weights = weights.view(bsz, num_heads, tgt_len, src_len)
    if average_attn_weights:
        weights = weights.mean(1)
    return output, weights if batched else weights.squeeze(0)
