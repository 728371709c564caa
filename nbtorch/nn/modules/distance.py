"""Distances between two batches of vectors: ``CosineSimilarity`` and
``PairwiseDistance`` (the layers of ``F.cosine_similarity`` / ``F.pairwise_distance``)."""

from __future__ import annotations

from ..._tensor import Tensor
from .. import functional as F
from .module import Module


class CosineSimilarity(Module):
    """cos of the angle between x1 and x2 along ``dim`` (lengths below ``eps`` count as
    ``eps``): x1, x2 of broadcastable shapes -> that shape without ``dim``."""

    def __init__(self, dim: int = 1, eps: float = 1e-8) -> None:
        super().__init__()
        self.dim = dim
        self.eps = eps

    def forward(self, x1: Tensor, x2: Tensor) -> Tensor:
        return F.cosine_similarity(x1, x2, self.dim, self.eps)


class PairwiseDistance(Module):
    """||x1 - x2 + eps||_p along the last dim; ``keepdim`` keeps it with size 1."""

    def __init__(self, p: float = 2.0, eps: float = 1e-6, keepdim: bool = False) -> None:
        super().__init__()
        self.norm = p
        self.eps = eps
        self.keepdim = keepdim

    def forward(self, x1: Tensor, x2: Tensor) -> Tensor:
        return F.pairwise_distance(x1, x2, self.norm, self.eps, self.keepdim)
