"""``RMSNorm`` (scale by the root mean square of the last dims) and ``LocalResponseNorm``
(divide each channel by the energy of its neighbouring channels)."""

from __future__ import annotations

from ... import _creation
from ..._tensor import Tensor
from .. import functional as F
from ..parameter import Parameter
from .module import Module


class RMSNorm(Module):
    """x / sqrt(mean(x^2) + eps) over the last dims ``normalized_shape``, times a learnt
    ``weight`` (ones) of that shape when ``elementwise_affine``. ``eps=None``: the machine
    epsilon of the input's dtype. Unlike ``LayerNorm``: no mean subtracted, no bias."""

    def __init__(self, normalized_shape, eps: float | None = None,
                 elementwise_affine: bool = True, device=None, dtype=None) -> None:
        super().__init__()
        if isinstance(normalized_shape, int):
            normalized_shape = (normalized_shape,)
        self.normalized_shape = tuple(normalized_shape)
        self.eps = eps
        self.elementwise_affine = elementwise_affine
        weight = _creation.ones(*self.normalized_shape, device=device, dtype=dtype)
        self.register_parameter("weight", Parameter(weight) if elementwise_affine else None)

    def forward(self, input: Tensor) -> Tensor:
        return F.rms_norm(input, self.normalized_shape, self.weight, self.eps)

    def extra_repr(self) -> str:
        return (f"{self.normalized_shape}, eps={self.eps}, "
                f"elementwise_affine={self.elementwise_affine}")


class LocalResponseNorm(Module):
    """Divide each channel of (N, C, *) input by (k + alpha * mean of the squares of the
    ``size`` channels around it)^beta."""

    def __init__(self, size: int, alpha: float = 1e-4, beta: float = 0.75,
                 k: float = 1.0) -> None:
        super().__init__()
        self.size = size
        self.alpha = alpha
        self.beta = beta
        self.k = k

    def forward(self, input: Tensor) -> Tensor:
        return F.local_response_norm(input, self.size, self.alpha, self.beta, self.k)

    def extra_repr(self) -> str:
        return f"{self.size}, alpha={self.alpha}, beta={self.beta}, k={self.k}"
