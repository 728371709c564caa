"""Bind the op functions as Tensor methods and operators (``x.exp()``, ``x + y``, ``x[0]``).

Each method *is* the function in ``nbtorch._ops`` with the tensor as its first argument, so
``x.sum(0)`` and ``nbtorch.sum(x, 0)`` run exactly the same code.
"""

from __future__ import annotations

from . import _creation, random
from ._ops import arithmetic as ar
from ._ops import convert, index, inplace, matmul, pointwise, reduce, shape
from ._tensor import Tensor


def _fill_(self, value):
    """Fill with ``value`` in place."""
    self._check_inplace()
    self._array[...] = value._array if isinstance(value, Tensor) else value
    self._bump_version()
    return self


def _zero_(self):
    """Fill with zeros in place."""
    return _fill_(self, 0)


def _reflect(fn):
    def method(self, other):
        return fn(other, self)

    method.__doc__ = f"``other`` op ``self``: the reflected form of ``{fn.__name__}``."
    return method


METHODS = {
    # arithmetic and operators
    "add": ar.add, "sub": ar.sub, "subtract": ar.sub, "mul": ar.mul, "multiply": ar.mul,
    "div": ar.div, "divide": ar.div, "true_divide": ar.div, "pow": ar.pow, "neg": ar.neg,
    "negative": ar.neg,
    "__add__": ar.add, "__radd__": _reflect(ar.add), "__sub__": ar.sub,
    "__rsub__": _reflect(ar.sub), "__mul__": ar.mul, "__rmul__": _reflect(ar.mul),
    "__truediv__": ar.div, "__rtruediv__": _reflect(ar.div), "__pow__": ar.pow,
    "__rpow__": _reflect(ar.pow), "__neg__": ar.neg, "__pos__": lambda self: self,
    "__floordiv__": pointwise.floor_divide, "__rfloordiv__": _reflect(pointwise.floor_divide),
    "floor_divide": pointwise.floor_divide,
    "__matmul__": matmul.matmul, "__rmatmul__": _reflect(matmul.matmul),
    "__eq__": pointwise.eq, "__ne__": pointwise.ne, "__lt__": pointwise.lt,
    "__le__": pointwise.le, "__gt__": pointwise.gt, "__ge__": pointwise.ge,
    "eq": pointwise.eq, "ne": pointwise.ne, "lt": pointwise.lt, "le": pointwise.le,
    "gt": pointwise.gt, "ge": pointwise.ge,
    # pointwise
    "exp": pointwise.exp, "log": pointwise.log, "tanh": pointwise.tanh,
    "sigmoid": pointwise.sigmoid, "relu": pointwise.relu, "sqrt": pointwise.sqrt,
    # reductions
    "sum": reduce.sum, "mean": reduce.mean, "sum_to_size": lambda self, *s: reduce.sum_to_size(
        self, s[0] if len(s) == 1 and isinstance(s[0], (tuple, list)) else s),
    # matrices
    "matmul": matmul.matmul, "mm": matmul.mm, "bmm": matmul.bmm, "mv": matmul.mv,
    "dot": matmul.dot, "inner": matmul.dot,
    # shape
    "view": shape.view, "reshape": shape.reshape, "permute": shape.permute,
    "transpose": shape.transpose, "swapaxes": shape.transpose, "swapdims": shape.transpose,
    "t": shape.t, "expand": shape.expand, "expand_as": shape.expand_as,
    "unsqueeze": shape.unsqueeze, "squeeze": shape.squeeze, "flatten": shape.flatten,
    "unflatten": shape.unflatten, "ravel": shape.ravel, "clone": shape.clone,
    "contiguous": shape.contiguous, "is_contiguous": shape.is_contiguous,
    "view_as": lambda self, other: shape.view(self, other.shape),
    "reshape_as": lambda self, other: shape.reshape(self, other.shape),
    # indexing and in-place
    "__getitem__": index.getitem, "__setitem__": index.setitem, "copy_": inplace.copy_,
    "fill_": _fill_, "zero_": _zero_,
    # dtype and device
    "to": convert.to, "float": convert.float_, "double": convert.double,
    "half": convert.half, "long": convert.long, "int": convert.int_, "short": convert.short,
    "char": convert.char, "byte": convert.byte, "bool": convert.bool_, "type": convert.type_,
    "cpu": convert.cpu, "cuda": convert.cuda,
    # creation from an existing tensor
    "new_tensor": _creation.new_tensor, "new_zeros": _creation.new_zeros,
    "new_ones": _creation.new_ones, "new_full": _creation.new_full,
    "new_empty": _creation.new_empty,
    # random fills
    "uniform_": random.uniform_, "normal_": random.normal_, "bernoulli_": random.bernoulli_,
    "random_": random.random_, "exponential_": random.exponential_,
}

INPLACE = {
    "add_": ar.add, "sub_": ar.sub, "mul_": ar.mul, "div_": ar.div, "pow_": ar.pow,
    "neg_": ar.neg, "exp_": pointwise.exp, "log_": pointwise.log, "tanh_": pointwise.tanh,
    "sigmoid_": pointwise.sigmoid, "relu_": pointwise.relu, "sqrt_": pointwise.sqrt,
    "__iadd__": ar.add, "__isub__": ar.sub, "__imul__": ar.mul, "__itruediv__": ar.div,
    "__ipow__": ar.pow, "floor_divide_": pointwise.floor_divide,
    "__ifloordiv__": pointwise.floor_divide,
}


def bind(methods: dict, inplace_methods: dict) -> None:
    """Attach functions as Tensor methods (used here and by later op modules)."""
    for name, fn in methods.items():
        setattr(Tensor, name, fn)
    for name, fn in inplace_methods.items():
        setattr(Tensor, name, inplace.make_inplace(fn, name))


bind(METHODS, INPLACE)
