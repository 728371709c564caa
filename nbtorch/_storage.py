"""``x.storage()``: the flat block of memory behind a tensor and all of its views.

A view (``x[1:]``, ``x.t()``, ``x.view(3, 2)``) is the same storage seen with another shape,
strides and offset; that is why changing a view changes the tensor. Two tensors share
memory exactly when their storages have the same ``data_ptr()``.
"""

from __future__ import annotations

import numpy as np

from . import _dtype as dt


def _owner(array: np.ndarray) -> np.ndarray:
    """The array that owns the memory ``array`` looks into."""
    while isinstance(array.base, np.ndarray):
        array = array.base
    return array


class TypedStorage:
    """A 1-d sequence of elements of one dtype (``torch.TypedStorage``)."""

    def __init__(self, tensor):
        a = tensor.cpu()._array if not tensor.is_cpu else tensor._array
        self._flat = _owner(a).reshape(-1)
        self.dtype = dt._FROM_NUMPY[self._flat.dtype]
        self.device = tensor.device

    def data_ptr(self) -> int:
        """The address of the first element: equal for tensors that share memory."""
        return int(self._flat.ctypes.data)

    def size(self) -> int:
        return int(self._flat.size)

    def __len__(self) -> int:
        return int(self._flat.size)

    def element_size(self) -> int:
        return self._flat.dtype.itemsize

    def nbytes(self) -> int:
        return self._flat.nbytes

    def __getitem__(self, i):
        return self._flat[i].item()

    def tolist(self) -> list:
        return self._flat.tolist()

    def __repr__(self) -> str:
        fmt = (lambda v: f" {v!r}") if self.dtype.is_floating_point else (lambda v: f" {v}")
        lines = [fmt(v) for v in self._flat.tolist()]
        lines.append(f"[nbtorch.storage.TypedStorage(dtype={self.dtype!r}, device={self.device}) "
                     f"of size {len(self)}]")
        return "\n".join(lines)


def storage(self) -> TypedStorage:
    """The tensor's storage: all the elements of the memory block it looks into."""
    return TypedStorage(self)


untyped_storage = storage
