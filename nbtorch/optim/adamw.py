"""AdamW: Adam with weight decay applied to the weights, not mixed into the gradient."""

from __future__ import annotations

from collections.abc import Iterable

from .._tensor import Tensor
from .adam import Adam


class AdamW(Adam):
    r"""Adam with decoupled weight decay (Loshchilov & Hutter, 2019), as ``torch.optim.AdamW``.

    Adam's L2 penalty ``g + weight_decay * p`` passes through the division by
    ``sqrt(v_hat)``, so parameters with large gradients are barely regularised. AdamW
    instead shrinks every weight by the same factor before the Adam step::

        p = p * (1 - lr * weight_decay)
        p = p - lr * m_hat / (sqrt(v_hat) + eps)     # Adam, with g not changed by decay

    Same arguments as ``Adam``; ``weight_decay`` defaults to ``1e-2``.
    """

    def __init__(self, params: Iterable[Tensor] | Iterable[dict], lr: float = 1e-3,
                 betas: tuple[float, float] = (0.9, 0.999), eps: float = 1e-8,
                 weight_decay: float = 1e-2, amsgrad: bool = False, *, maximize: bool = False):
        super().__init__(params, lr=lr, betas=betas, eps=eps, weight_decay=weight_decay,
                         amsgrad=amsgrad, maximize=maximize, decoupled_weight_decay=True)
