"""``nn.functional``: every layer as a plain function of tensors (``F.relu(x)``,
``F.conv2d(x, weight)``, ``F.cross_entropy(logits, y)``).

A layer module (``nn.Conv2d``) owns its parameters and calls the function here in its
``forward``; use the function directly when there is nothing to own (activations, losses,
pooling) or when you manage the weights yourself. The implementations live in
``nbtorch._ops.nn_*`` (each a differentiable op); this module gathers them under PyTorch's
names.
"""

# ruff: noqa: F401
from __future__ import annotations

from .._ops.nn_activation import (
    elu,
    gelu,
    hardtanh,
    leaky_relu,
    log_softmax,
    relu6,
    silu,
    softmax,
    softplus,
)
from .._ops.nn_activation_extra import (
    celu,
    celu_,
    elu_,
    glu,
    hardshrink,
    hardsigmoid,
    hardswish,
    hardtanh_,
    leaky_relu_,
    logsigmoid,
    mish,
    prelu,
    relu_,
    rrelu,
    rrelu_,
    selu,
    selu_,
    softmin,
    softshrink,
    softsign,
    tanhshrink,
    threshold,
    threshold_,
)
from .._ops.nn_adaptive_pool import (
    adaptive_avg_pool1d,
    adaptive_max_pool1d,
    adaptive_max_pool2d,
)
from .._ops.nn_attention import scaled_dot_product_attention
from .._ops.nn_basic import (
    bilinear,
    cosine_similarity,
    dropout,
    dropout2d,
    embedding,
    normalize,
    one_hot,
    pairwise_distance,
)
from .._ops.nn_channel_shuffle import channel_shuffle
from .._ops.nn_conv import conv1d, conv2d, conv_transpose1d, conv_transpose2d
from .._ops.nn_dropout import alpha_dropout, dropout1d, dropout3d, feature_alpha_dropout
from .._ops.nn_fold import fold, unfold
from .._ops.nn_grid_sample import affine_grid, grid_sample
from .._ops.nn_gumbel_softmax import gumbel_softmax
from .._ops.nn_linear import linear
from .._ops.nn_loss import (
    binary_cross_entropy,
    binary_cross_entropy_with_logits,
    cross_entropy,
    huber_loss,
    kl_div,
    l1_loss,
    mse_loss,
    nll_loss,
    smooth_l1_loss,
)
from .._ops.nn_loss_likelihood import gaussian_nll_loss, poisson_nll_loss
from .._ops.nn_loss_margin import (
    cosine_embedding_loss,
    hinge_embedding_loss,
    margin_ranking_loss,
    multi_margin_loss,
    multilabel_margin_loss,
    multilabel_soft_margin_loss,
    soft_margin_loss,
    triplet_margin_loss,
    triplet_margin_with_distance_loss,
)
from .._ops.nn_multihead import multi_head_attention_forward
from .._ops.nn_norm import batch_norm, group_norm, layer_norm
from .._ops.nn_norm_extra import instance_norm, local_response_norm, rms_norm
from .._ops.nn_pdist import pdist
from .._ops.nn_pixel_shuffle import pixel_shuffle, pixel_unshuffle
from .._ops.nn_pool import (
    adaptive_avg_pool2d,
    avg_pool1d,
    avg_pool2d,
    max_pool1d,
    max_pool2d,
)
from .._ops.nn_resample import interpolate, pad, upsample
from .._ops.nn_unpool import max_unpool1d, max_unpool2d
from .._tensor import Tensor


def relu(input: Tensor, inplace: bool = False) -> Tensor:
    """max(x, 0), elementwise (``inplace=True`` overwrites ``input``)."""
    return input.relu_() if inplace else input.relu()


def sigmoid(input: Tensor) -> Tensor:
    """1 / (1 + exp(-x)), elementwise."""
    return input.sigmoid()


def tanh(input: Tensor) -> Tensor:
    """tanh(x), elementwise."""
    return input.tanh()
