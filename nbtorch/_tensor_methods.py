"""Bind the op functions as Tensor methods and operators (``x.exp()``, ``x + y``, ``x[0]``).

Each op module lists its methods in ``TENSOR_METHODS`` (and in-place ones in
``INPLACE_METHODS``: ``"add_": add`` makes ``add_`` from ``add``). A method *is* the function
in ``nbtorch._ops`` with the tensor as its first argument, so ``x.sum(0)`` and
``nbtorch.sum(x, 0)`` run exactly the same code.
"""

from __future__ import annotations

from . import _creation, _storage, random
from ._ops import OP_MODULES, inplace
from ._tensor import Tensor


def _fill_(self, value):
    """Fill with ``value`` (a number or a 0-d tensor) in place."""
    if isinstance(value, Tensor) and value._array.ndim:
        raise RuntimeError("fill_ only supports 0-dimension value tensor but got tensor with "
                           f"{value._array.ndim} dimensions.")
    self._check_inplace()
    if inplace._is_recording(self, (value,)):  # autograd sees the fill (see inplace.Overwrite)
        if not isinstance(value, Tensor):
            value = _creation.full((), value, dtype=self.dtype, device=self.device)
        inplace.assign_result(self, value.to(self.device, self.dtype).expand(self.shape))
        return self
    inplace.writable(self, same_value=True)[...] = (value._array if isinstance(value, Tensor)
                                                    else value)
    self._bump_version()
    return self


def _zero_(self):
    """Fill with zeros in place."""
    return _fill_(self, 0)


CREATION_METHODS = {
    "new_tensor": _creation.new_tensor, "new_zeros": _creation.new_zeros,
    "new_ones": _creation.new_ones, "new_full": _creation.new_full,
    "new_empty": _creation.new_empty,
    "uniform_": random.uniform_, "normal_": random.normal_, "bernoulli_": random.bernoulli_,
    "bernoulli": random.bernoulli, "multinomial": random.multinomial,
    "random_": random.random_, "exponential_": random.exponential_,
    "cauchy_": random.cauchy_, "geometric_": random.geometric_,
    "log_normal_": random.log_normal_,
    "fill_": _fill_, "zero_": _zero_,
    "storage": _storage.storage, "untyped_storage": _storage.untyped_storage,
}


def bind(methods: dict, inplace_methods: dict) -> None:
    """Attach functions as Tensor methods; ``inplace_methods`` maps ``add_`` to ``add``."""
    for name, fn in methods.items():
        setattr(Tensor, name, fn)
    for name, fn in inplace_methods.items():
        setattr(Tensor, name, inplace.make_inplace(fn, name))


bind(CREATION_METHODS, {})
for _module in OP_MODULES:
    bind(getattr(_module, "TENSOR_METHODS", {}), getattr(_module, "INPLACE_METHODS", {}))
