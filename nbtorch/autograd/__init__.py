"""Automatic differentiation: ``Function``, ``backward``, ``grad`` and grad modes."""

from . import forward_ad, grad_mode
from .engine import backward, grad
from .function import AccumulateGrad, BackwardNode, Function, once_differentiable
from .grad_mode import (
    detect_anomaly,
    enable_grad,
    inference_mode,
    is_anomaly_enabled,
    is_grad_enabled,
    no_grad,
    set_detect_anomaly,
    set_grad_enabled,
)
from .gradcheck import GradcheckError, gradcheck, gradgradcheck


def Variable(data, requires_grad: bool = False, volatile: bool = False):
    """The legacy ``Variable`` of old PyTorch code: today simply a tensor."""
    from .._creation import as_tensor

    t = as_tensor(data)
    if requires_grad:
        t.requires_grad_(True)
    return t


from . import functional  # noqa: E402  (imported last: it uses the names above)
