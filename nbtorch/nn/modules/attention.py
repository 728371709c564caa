"""``MultiheadAttention``: the attention layer of the Transformer, with its projections.

The layer owns four E x E projections, for queries, keys, values and the output, and runs
``num_heads`` attentions in parallel, each on its own E / num_heads slice of the projected
vectors (see ``nn.functional.multi_head_attention_forward`` for the computation).

Parameters are PyTorch's, so state dicts load both ways: ``in_proj_weight`` (3E, E), the
query, key and value projections stacked (or ``q_proj_weight`` (E, E), ``k_proj_weight``
(E, kdim), ``v_proj_weight`` (E, vdim) when keys or values have their own sizes),
``in_proj_bias`` (3E), ``out_proj`` (a Linear E -> E), and with ``add_bias_kv`` ``bias_k``,
``bias_v`` (1, 1, E).
"""

from __future__ import annotations

from ... import _creation
from ..._tensor import Tensor
from .. import functional as F
from .. import init
from ..parameter import Parameter
from .linear import Linear
from .module import Module


class NonDynamicallyQuantizableLinear(Linear):
    """A ``Linear``, under the name PyTorch gives ``MultiheadAttention.out_proj``."""


def _time_major(*tensors: Tensor) -> list[Tensor]:
    """(N, L, E) -> (L, N, E) for each, transposing a tensor passed twice only once, so that
    self-attention (``query is key is value``) is still recognised afterwards."""
    moved: dict = {}
    for x in tensors:
        if id(x) not in moved:
            moved[id(x)] = x.transpose(0, 1)
    return [moved[id(x)] for x in tensors]


class MultiheadAttention(Module):
    """Attention with ``num_heads`` heads: project, attend in each head, join, project.

    Args: ``embed_dim`` E (divisible by ``num_heads``), ``num_heads``, ``dropout=0.0`` (on
    the attention weights, in training), ``bias=True``, ``add_bias_kv=False`` (one learned
    key/value position appended), ``add_zero_attn=False`` (one zero key/value position
    appended), ``kdim``/``vdim`` (sizes of key and value, default E), ``batch_first=False``.

    ``forward(query, key, value, key_padding_mask=None, need_weights=True, attn_mask=None,
    average_attn_weights=True, is_causal=False)`` -> ``(output, weights)``: query (L, N, E),
    key (S, N, kdim), value (S, N, vdim) ((N, L, E) ... with ``batch_first``, or unbatched
    (L, E) ...) -> output like query; weights (N, L, S) averaged over heads, (N, heads, L,
    S) if not ``average_attn_weights``, None if not ``need_weights``. Masks: True (or -inf)
    hides: ``key_padding_mask`` (N, S), ``attn_mask`` (L, S) or (N * heads, L, S).

    Example (self-attention)::

        >>> mha = nn.MultiheadAttention(16, 4, batch_first=True)
        >>> x = torch.randn(2, 10, 16)
        >>> out, weights = mha(x, x, x)      # (2, 10, 16), (2, 10, 10)
    """

    def __init__(self, embed_dim: int, num_heads: int, dropout: float = 0.0, bias: bool = True,
                 add_bias_kv: bool = False, add_zero_attn: bool = False,
                 kdim: int | None = None, vdim: int | None = None, batch_first: bool = False,
                 device=None, dtype=None) -> None:
        if embed_dim <= 0 or num_heads <= 0:
            raise ValueError(f"embed_dim and num_heads must be greater than 0, got "
                             f"embed_dim={embed_dim} and num_heads={num_heads} instead")
        super().__init__()
        self.embed_dim = embed_dim
        self.kdim = embed_dim if kdim is None else kdim
        self.vdim = embed_dim if vdim is None else vdim
        self._qkv_same_embed_dim = self.kdim == embed_dim and self.vdim == embed_dim
        self.num_heads = num_heads
        self.dropout = dropout
        self.batch_first = batch_first
        self.head_dim = embed_dim // num_heads
        if self.head_dim * num_heads != embed_dim:
            raise AssertionError("embed_dim must be divisible by num_heads")
        kw = {"device": device, "dtype": dtype}

        def param(*shape: int) -> Parameter:
            return Parameter(_creation.empty(*shape, **kw))

        separate = not self._qkv_same_embed_dim
        self.register_parameter("in_proj_weight", None if separate else param(3 * embed_dim,
                                                                               embed_dim))
        self.register_parameter("q_proj_weight", param(embed_dim, embed_dim) if separate
                                else None)
        self.register_parameter("k_proj_weight", param(embed_dim, self.kdim) if separate
                                else None)
        self.register_parameter("v_proj_weight", param(embed_dim, self.vdim) if separate
                                else None)
        self.register_parameter("in_proj_bias", param(3 * embed_dim) if bias else None)
        self.out_proj = NonDynamicallyQuantizableLinear(embed_dim, embed_dim, bias=bias, **kw)
        self.register_parameter("bias_k", param(1, 1, embed_dim) if add_bias_kv else None)
        self.register_parameter("bias_v", param(1, 1, embed_dim) if add_bias_kv else None)
        self.add_zero_attn = add_zero_attn
        self._reset_parameters()

    def _reset_parameters(self) -> None:
        """Xavier-uniform projections, zero biases, Xavier-normal ``bias_k``/``bias_v``."""
        for w in (self.in_proj_weight, self.q_proj_weight, self.k_proj_weight,
                  self.v_proj_weight):
            if w is not None:
                init.xavier_uniform_(w)
        if self.in_proj_bias is not None:
            init.constant_(self.in_proj_bias, 0.0)
            init.constant_(self.out_proj.bias, 0.0)
        for b in (self.bias_k, self.bias_v):
            if b is not None:
                init.xavier_normal_(b)

    def forward(self, query: Tensor, key: Tensor, value: Tensor,
                key_padding_mask: Tensor | None = None, need_weights: bool = True,
                attn_mask: Tensor | None = None, average_attn_weights: bool = True,
                is_causal: bool = False) -> tuple[Tensor, Tensor | None]:
        batched = query.dim() == 3
        if self.batch_first and batched:
            query, key, value = _time_major(query, key, value)
        output, weights = F.multi_head_attention_forward(
            query, key, value, self.embed_dim, self.num_heads, self.in_proj_weight,
            self.in_proj_bias, self.bias_k, self.bias_v, self.add_zero_attn, self.dropout,
            self.out_proj.weight, self.out_proj.bias, training=self.training,
            key_padding_mask=key_padding_mask, need_weights=need_weights,
            attn_mask=attn_mask, use_separate_proj_weight=not self._qkv_same_embed_dim,
            q_proj_weight=self.q_proj_weight, k_proj_weight=self.k_proj_weight,
            v_proj_weight=self.v_proj_weight, average_attn_weights=average_attn_weights,
            is_causal=is_causal)
        if self.batch_first and batched:
            output = output.transpose(0, 1)
        return output, weights
