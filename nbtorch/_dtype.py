"""Data types and PyTorch's type-promotion rules.

A ``nbtorch.dtype`` is a thin label around a numpy dtype. The interesting part is
*promotion*: what dtype ``a + b`` gets. PyTorch orders dtypes in three categories,
bool < integer < floating point, and a Python number or a 0-dim tensor may only raise
the *category* of a result, never its size (``int8_tensor + 1000`` stays int8,
``float16_tensor * 2.5`` stays float16, ``int_tensor * 0.5`` becomes the default float).
"""

from __future__ import annotations

import numpy as np


class dtype:
    """A tensor element type (``nbtorch.float32``, ``nbtorch.int64``, ...)."""

    __slots__ = ("name", "numpy", "is_floating_point", "is_signed", "itemsize", "_rank")

    def __init__(self, name: str, np_dtype, rank: int):
        self.name = name
        self.numpy = np.dtype(np_dtype)
        self.is_floating_point = self.numpy.kind == "f"
        self.is_signed = self.numpy.kind in "if"
        self.itemsize = self.numpy.itemsize
        self._rank = rank

    @property
    def category(self) -> int:
        """0 for bool, 1 for integers, 2 for floating point."""
        return 2 if self.is_floating_point else (0 if self.numpy.kind == "b" else 1)

    def __repr__(self) -> str:
        return f"nbtorch.{self.name}"

    def __reduce__(self):
        return (_by_name, (self.name,))


bool_ = dtype("bool", np.bool_, 0)
uint8 = dtype("uint8", np.uint8, 1)
int8 = dtype("int8", np.int8, 2)
int16 = dtype("int16", np.int16, 3)
int32 = dtype("int32", np.int32, 4)
int64 = dtype("int64", np.int64, 5)
float16 = dtype("float16", np.float16, 6)
float32 = dtype("float32", np.float32, 7)
float64 = dtype("float64", np.float64, 8)

ALL = (bool_, uint8, int8, int16, int32, int64, float16, float32, float64)
_FROM_NUMPY = {d.numpy: d for d in ALL}
_NAMES = {d.name: d for d in ALL}
_NAMES.update(half=float16, float=float32, double=float64, short=int16, int=int32,
              long=int64, byte=uint8, char=int8)


def _by_name(name: str) -> dtype:
    return _NAMES[name]


class _DefaultDtype:
    value = float32


def get_default_dtype() -> dtype:
    """The dtype that float data gets when none is given (float32 unless changed)."""
    return _DefaultDtype.value


def set_default_dtype(d: dtype) -> None:
    """Change the default floating-point dtype (float32 or float64), as PyTorch allows."""
    if not isinstance(d, dtype) or not d.is_floating_point:
        raise TypeError(f"only floating-point types are supported as the default type, got {d}")
    _DefaultDtype.value = d


def from_numpy_dtype(np_dtype) -> dtype:
    """The nbtorch dtype of a numpy dtype; raises TypeError for unsupported ones."""
    try:
        return _FROM_NUMPY[np.dtype(np_dtype)]
    except KeyError:
        raise TypeError(
            f"can't convert np.ndarray of type numpy.{np.dtype(np_dtype)}. The only supported "
            "types are: float64, float32, float16, int64, int32, int16, int8, uint8, and bool."
        ) from None


def to_numpy_dtype(d) -> np.dtype:
    """Accept an nbtorch dtype, a numpy dtype, a Python type or a name; return a numpy dtype."""
    if isinstance(d, dtype):
        return d.numpy
    if d is float:
        return _DefaultDtype.value.numpy
    if d is int:
        return int64.numpy
    if d is bool:
        return bool_.numpy
    if isinstance(d, str) and d in _NAMES:
        return _NAMES[d].numpy
    return from_numpy_dtype(d).numpy


def promote_types(a: dtype, b: dtype) -> dtype:
    """The smallest dtype that can hold both (``torch.promote_types``)."""
    if a is b:
        return a
    if a.category != b.category:
        return a if a.category > b.category else b
    if {a, b} == {uint8, int8}:
        return int16
    return a if a._rank > b._rank else b


def scalar_dtype(value) -> dtype:
    """The dtype PyTorch gives a Python number: bool, int64 or the default float."""
    if isinstance(value, (bool, np.bool_)):
        return bool_
    if isinstance(value, (int, np.integer)):
        return int64
    return _DefaultDtype.value


def result_type(dims: dtype | None, zero_dims: dtype | None, scalars: dtype | None) -> dtype:
    """Combine the three priority classes of PyTorch's promotion.

    ``dims`` is the promoted dtype of the operands with at least one dimension, ``zero_dims``
    that of 0-dim tensors, ``scalars`` that of Python numbers. A lower-priority class only
    matters when it is of a higher category (bool < int < float).
    """
    result = dims
    for lower in (zero_dims, scalars):
        if lower is None:
            continue
        if result is None or lower.category > result.category:
            # a 0-dim tensor keeps its own dtype; a Python float becomes the default float
            result = lower
    return result
