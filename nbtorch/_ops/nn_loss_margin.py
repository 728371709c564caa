"""Margin losses (``nn.functional.margin_ranking_loss``, ``hinge_embedding_loss``,
``multi_margin_loss``, ``triplet_margin_loss``, ...).

A margin loss does not ask a score to equal a target: it asks one score to beat another by
at least a ``margin``, and is zero once it does. The hinge ``max(0, margin - gap)`` is the
building block (``clamp_min(0)``), and the losses differ in which scores they compare:

* ``margin_ranking_loss``: two scores per pair, ``target`` = +1 or -1 says which must win;
* ``hinge_embedding_loss``, ``cosine_embedding_loss``: is a pair similar (+1) or not (-1)?
* ``soft_margin_loss``, ``multilabel_soft_margin_loss``: the smooth hinge log(1 + exp(-y x));
* ``multi_margin_loss``: the score of the true class against every other class (the SVM);
* ``multilabel_margin_loss``: every true class against every other class;
* ``triplet_margin_loss``: an anchor must be closer to a positive than to a negative.

Each is a composition of differentiable Tensor ops (``clamp_min``, ``where``, ``gather``,
norms), so autograd (reverse and forward mode, any order) and the cuda device need nothing
new. Only the integer targets of the multi-class losses are read on the host, to check them.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from .._tensor import Tensor
from .nn_activation import softplus
from .nn_activation_extra import logsigmoid
from .nn_basic import constant_like, pairwise_distance
from .nn_loss import _REDUCTIONS, _reduce, legacy_reduction
from .pointwise import type_name, where


def _reduction(size_average, reduce, reduction: str) -> str:
    """``reduction`` after the legacy flags, checked before any work is done."""
    reduction = legacy_reduction(size_average, reduce, reduction)
    if reduction not in _REDUCTIONS:
        raise ValueError(f"{reduction} is not a valid value for reduction")
    return reduction


# -- pairs of scores -------------------------------------------------------------------------


def margin_ranking_loss(input1: Tensor, input2: Tensor, target: Tensor, margin: float = 0.0,
                        size_average=None, reduce=None, reduction: str = "mean") -> Tensor:
    """max(0, -target * (input1 - input2) + margin): ``target`` = 1 asks ``input1`` to rank
    above ``input2`` by at least ``margin``, ``target`` = -1 the other way round.

    The three tensors must have the same number of dimensions (their sizes broadcast).
    """
    reduction = _reduction(size_average, reduce, reduction)
    if not input1.dim() == input2.dim() == target.dim():
        raise RuntimeError(
            "margin_ranking_loss : All input tensors should have same dimension but got "
            f"sizes: input1: {input1.size()}, input2: {input2.size()}, target: "
            f"{target.size()} "
        )
    return _reduce((-target * (input1 - input2) + margin).clamp_min(0), reduction)


def hinge_embedding_loss(input: Tensor, target: Tensor, margin: float = 1.0,
                         size_average=None, reduce=None, reduction: str = "mean") -> Tensor:
    """``input`` (usually a distance between two embeddings) itself where ``target`` = 1
    (similar pairs: pull together), max(0, margin - input) where ``target`` = -1
    (dissimilar pairs: push apart until at least ``margin``)."""
    reduction = _reduction(size_average, reduce, reduction)
    push = where(target != 1, (margin - input).clamp_min(0), 0.0)
    pull = where(target != -1, input, 0.0)
    return _reduce(push + pull, reduction)


def cosine_embedding_loss(input1: Tensor, input2: Tensor, target: Tensor, margin: float = 0.0,
                          size_average=None, reduce=None, reduction: str = "mean") -> Tensor:
    """With c the cosine similarity of each pair of rows: 1 - c where ``target`` = 1 (make
    them point the same way), max(0, c - margin) where ``target`` = -1 (make them at least
    this far apart).

    ``input1`` and ``input2`` are (N, D) with ``target`` (N,), or (D,) with a 0-d target. As
    in PyTorch, c = x1.x2 / sqrt((|x1|^2 + 1e-12) (|x2|^2 + 1e-12)).
    """
    reduction = _reduction(size_average, reduce, reduction)
    dim = target.dim()
    if dim > 1:
        raise RuntimeError("0D or 1D target tensor expected, multi-target not supported")
    if input1.dim() != dim + 1 or input2.dim() != dim + 1:
        raise RuntimeError(
            f"{dim}D target tensor expects {dim + 1}D input tensors, but found inputs with "
            f"sizes {list(input1.shape)} and {list(input2.shape)}."
        )
    square1 = (input1 * input1).sum(dim) + 1e-12
    square2 = (input2 * input2).sum(dim) + 1e-12
    cos = (input1 * input2).sum(dim) / (square1 * square2).sqrt()
    loss = where(target == 1, 1 - cos, 0.0) + where(target == -1, (cos - margin).clamp_min(0),
                                                    0.0)
    return _reduce(loss, reduction)


# -- the smooth hinge ------------------------------------------------------------------------


def soft_margin_loss(input: Tensor, target: Tensor, size_average=None, reduce=None,
                     reduction: str = "mean") -> Tensor:
    """log(1 + exp(-target * input)) for labels ``target`` = +1 or -1: a hinge with its kink
    smoothed (the logistic loss). Written as ``softplus``, which does not overflow."""
    reduction = _reduction(size_average, reduce, reduction)
    return _reduce(softplus(-input * target), reduction)


def multilabel_soft_margin_loss(input: Tensor, target: Tensor, weight: Tensor | None = None,
                                size_average=None, reduce=None,
                                reduction: str = "mean") -> Tensor:
    """Multi-label classification, one independent yes/no per class: for scores ``input``
    (N, C) and 0/1 ``target`` (N, C), the binary cross entropy of sigmoid(input) averaged
    over the C classes, -(t log sigmoid(x) + (1 - t) log sigmoid(-x)), giving one loss per
    sample. ``weight`` (broadcast against (N, C)) weighs the classes."""
    reduction = legacy_reduction(size_average, reduce, reduction)
    if reduction not in _REDUCTIONS:
        raise ValueError(f"{reduction} is not valid")
    loss = -(target * logsigmoid(input) + (1 - target) * logsigmoid(-input))
    if weight is not None:
        loss = loss * weight
    return _reduce(loss.sum(-1) / input.shape[-1], reduction)


# -- a true class against the others ---------------------------------------------------------


def _score_rows(input: Tensor) -> Tensor:
    """The class scores as rows (N, C): a vector (C,) or a 0-d score is one row."""
    if input.dim() > 2 or (input.dim() >= 1 and input.shape[-1] == 0):
        raise RuntimeError("Expected non-empty vector or matrix with optional 0-dim batch "
                           f"size, but got: {list(input.shape)}")
    return input.reshape(-1, 1 if input.dim() == 0 else input.shape[-1])


def _check_dtypes(name: str, input: Tensor, target: Tensor) -> None:
    """Float scores, int64 (Long) targets, as PyTorch's kernels require."""
    if input._array.dtype.kind != "f":
        raise NotImplementedError(f'"{name}" not implemented for \'{type_name(input._array)}\'')
    if target._array.dtype != np.int64:
        raise RuntimeError(f"expected scalar type Long but found {type_name(target._array)}")


def _labels(target: Tensor, low: int, classes: int, message: str) -> np.ndarray:
    """The integer targets as a numpy array (read from the device), each checked to be in
    [low, classes)."""
    labels = np.asarray(target.detach().cpu()._array)
    if labels.size and (labels.min() < low or labels.max() >= classes):
        raise RuntimeError(message)
    return labels


def multi_margin_loss(input: Tensor, target: Tensor, p: int = 1, margin: float = 1.0,
                      weight: Tensor | None = None, size_average=None, reduce=None,
                      reduction: str = "mean") -> Tensor:
    """The multi-class hinge (SVM) loss: the score of the true class y must beat every other
    class's by ``margin``. For scores x (N, C) and class indices ``target`` (N,):

        loss_n = sum over i != y of w[y] * max(0, margin - x[y] + x[i]) ** p / C

    with ``p`` = 1 or 2 and ``weight`` (C,) weighing the classes (1 when None).
    """
    reduction = _reduction(size_average, reduce, reduction)
    if p not in (1, 2):
        raise ValueError("only p == 1 and p == 2 supported")
    if weight is not None and weight.dim() != 1:
        raise ValueError("weight must be one-dimensional")
    rows = _score_rows(input)
    n, classes = rows.shape
    if target.dim() > 1 or target.numel() != n:
        raise RuntimeError(
            "multi_margin_loss: target tensor should be 1-D with size equal to the number of "
            f"input samples (batch size). Expected target size [{n}], but got "
            f"{list(target.shape)}. Input has shape {list(input.shape)}."
        )
    _check_dtypes("multi_margin_loss_cpu_kernel", input, target)
    if weight is not None:
        if weight.numel() != classes:
            raise RuntimeError(f"inconsistent weight size, expected {classes} but got "
                               f"{list(weight.shape)}")
        if weight._array.dtype != input._array.dtype:
            raise RuntimeError(f"expected scalar type {type_name(input._array)} but found "
                               f"{type_name(weight._array)}")
    labels = _labels(target, 0, classes, "target out of range").reshape(n, 1)
    y = constant_like(labels, input)
    hinge = (margin - rows.gather(1, y) + rows).clamp_min(0)
    if p == 2:
        hinge = hinge * hinge
    if weight is not None:
        hinge = hinge * weight[y]
    others = constant_like(labels != np.arange(classes), input)  # (N, C): not the true class
    loss = where(others, hinge, 0.0).sum(1) / classes
    return _reduce(loss.reshape(target.shape), reduction)


def _target_counts(labels: np.ndarray) -> np.ndarray:
    """How often each class is listed in each row of ``labels`` (N, C) before the first -1
    (the list's end): an (N, C) array of counts."""
    listed = np.cumprod(labels != -1, axis=1).astype(bool)  # False from the first -1 on
    counts = np.zeros(labels.shape)
    rows = np.broadcast_to(np.arange(len(labels))[:, None], labels.shape)
    np.add.at(counts, (rows[listed], labels[listed]), 1)
    return counts


def multilabel_margin_loss(input: Tensor, target: Tensor, size_average=None, reduce=None,
                           reduction: str = "mean") -> Tensor:
    """Multi-label hinge loss: every true class j of a sample must beat every class i that
    is not true by a margin of 1:

        loss_n = sum over true j, other i of max(0, 1 - (x[j] - x[i])) / C

    ``target`` (N, C) int64 lists each row's true classes first, ended by -1 (``[3, 0, -1,
    1]`` means classes 3 and 0; what follows the -1 is ignored). A class listed twice counts
    twice, as in PyTorch. The (N, C, C) grid of every pair is built, fine for C in the
    hundreds.
    """
    reduction = _reduction(size_average, reduce, reduction)
    rows = _score_rows(input)
    n, classes = rows.shape
    if input.dim() <= 1:
        fits = target.dim() <= 1 and target.numel() == classes
    else:
        fits = tuple(target.shape) == (n, classes)
    if not fits:
        raise RuntimeError(f"inconsistent target size: {list(target.shape)} for input of "
                           f"size: {list(input.shape)}")
    _check_dtypes("multilabel_margin_loss_forward_out_frame", input, target)
    labels = _labels(target, -1, classes, "argument #2 'target' is out of range")
    counts = _target_counts(labels.reshape(n, classes))
    # pairs[n, j, i]: how often the pair (true j, other i) counts
    pairs = counts[:, :, None] * (counts == 0)[:, None, :]
    hinge = (1 - rows.unsqueeze(2) + rows.unsqueeze(1)).clamp_min(0)
    loss = (hinge * constant_like(pairs.astype(rows._array.dtype), input)).sum((1, 2))
    loss = loss / classes
    return _reduce(loss.reshape(()) if input.dim() <= 1 else loss, reduction)


# -- triplets --------------------------------------------------------------------------------


def triplet_margin_with_distance_loss(
        anchor: Tensor, positive: Tensor, negative: Tensor, *,
        distance_function: Callable[[Tensor, Tensor], Tensor] | None = None,
        margin: float = 1.0, swap: bool = False, reduction: str = "mean") -> Tensor:
    """max(0, d(anchor, positive) - d(anchor, negative) + margin): each anchor must be closer
    to its positive than to its negative by at least ``margin``.

    ``distance_function`` d takes two tensors and returns their distances (default:
    ``pairwise_distance``, the Euclidean distance along the last dimension). With ``swap``,
    the negative's distance is the smaller of d(anchor, negative) and d(positive, negative)
    (the "distance swap" of Balntas et al., 2016: the harder of the two comparisons).
    """
    if reduction not in _REDUCTIONS:
        raise ValueError(f"{reduction} is not a valid value for reduction")
    if margin <= 0:
        raise ValueError(f"margin must be greater than 0, got {margin}")
    if not anchor.dim() == positive.dim() == negative.dim():
        raise RuntimeError(
            "The anchor, positive, and negative tensors are expected to have the same number "
            f"of dimensions, but got: anchor {anchor.dim()}D, positive {positive.dim()}D, and "
            f"negative {negative.dim()}D inputs"
        )
    distance = distance_function or pairwise_distance
    to_positive = distance(anchor, positive)
    to_negative = distance(anchor, negative)
    if swap:
        to_negative = to_negative.minimum(distance(positive, negative))
    return _reduce((margin + to_positive - to_negative).clamp_min(0), reduction)


def triplet_margin_loss(anchor: Tensor, positive: Tensor, negative: Tensor,
                        margin: float = 1.0, p: float = 2.0, eps: float = 1e-6,
                        swap: bool = False, size_average=None, reduce=None,
                        reduction: str = "mean") -> Tensor:
    """``triplet_margin_with_distance_loss`` with the distance ||x1 - x2 + eps||_p along the
    last dimension (``pairwise_distance(x1, x2, p, eps)``)."""

    def distance(x1: Tensor, x2: Tensor) -> Tensor:
        return pairwise_distance(x1, x2, p, eps)

    return triplet_margin_with_distance_loss(
        anchor, positive, negative, distance_function=distance, margin=margin, swap=swap,
        reduction=_reduction(size_average, reduce, reduction))


__all__: list = []
