"""``Parameter``: a tensor that a ``Module`` recognises as one of its learnable weights.

A Parameter is an ordinary tensor with ``requires_grad=True``. What makes it special is
what happens when you assign it to a module attribute (``self.weight = Parameter(...)``):
``Module.__setattr__`` sees the type and records it, so that ``model.parameters()`` finds it
and an optimizer can update it. A plain tensor assigned the same way is *not* registered.
"""

from __future__ import annotations

from .._tensor import Tensor


class Parameter(Tensor):
    """A learnable tensor of a module (``torch.nn.Parameter``).

    ``Parameter(data, requires_grad=True)`` shares ``data``'s memory. Parameters are leaves:
    after ``loss.backward()`` their gradient is in ``.grad``.

    >>> w = Parameter(nbtorch.zeros(2))
    >>> w
    Parameter containing:
    tensor([0., 0.], requires_grad=True)
    """

    def __new__(cls, data: Tensor | None = None, requires_grad: bool = True):
        if data is None:
            from .._creation import empty

            data = empty(0)
        if requires_grad and data._array.dtype.kind != "f":
            raise RuntimeError(
                "Only Tensors of floating point and complex dtype can require gradients"
            )
        return cls._make(data.detach()._array, requires_grad)

    def __init__(self, data: Tensor | None = None, requires_grad: bool = True):
        pass  # everything is done in __new__ (Tensor has no __init__ to call)

    def __repr__(self) -> str:
        return "Parameter containing:\n" + super().__repr__()

    def __reduce_ex__(self, protocol):
        return (_rebuild_parameter, (self.detach().cpu()._array, self._requires_grad))


def _rebuild_parameter(array, requires_grad):
    return Parameter._make(array.copy(), requires_grad)
