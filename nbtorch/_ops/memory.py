"""How a tensor lies in memory: its layout, strides chosen by hand, resizing, and the memory
hints that PyTorch has for data loading and multiprocessing.

Every nbtorch tensor is *strided*: a block of memory read through a shape and strides
(``nbtorch.strided`` is its ``layout``; PyTorch also has sparse layouts). So ``empty_strided``
can make a tensor with any strides, ``dim_order`` tells in which order its dims lie in memory
(outermost first), and ``as_strided_`` gives a tensor new strides over its own storage.

Two PyTorch memory hints have nothing to do in nbtorch, and say so instead of pretending:

* ``pin_memory()`` asks for page-locked host memory, from which a GPU copies asynchronously.
  nbtorch's copies to the GPU are synchronous, from ordinary numpy memory; so it returns a
  copy in ordinary memory, and ``is_pinned()`` is False.
* ``share_memory_()`` moves a CPU tensor into memory that other processes can map. nbtorch
  does not share tensors between processes; it changes nothing, and ``is_shared()`` stays
  False on the CPU (a cuda tensor is always shareable in PyTorch: True).
"""

from __future__ import annotations

import warnings

import numpy as np

from .. import _device
from .. import _dtype as dt
from .._tensor import Tensor
from .shape import _inplace_view, _shape_args, resize_
from .strided import _view, as_strided


class layout:
    """How a tensor's elements are stored (``torch.layout``); nbtorch has one, ``strided``."""

    def __init__(self, name: str):
        self.name = name

    def __repr__(self) -> str:
        return f"nbtorch.{self.name}"


strided = layout("strided")


def _layout(self: Tensor) -> layout:
    return strided


def empty_strided(size, stride, *, dtype=None, device=None, requires_grad: bool = False,
                  **kwargs) -> Tensor:
    """A tensor of shape ``size`` whose elements lie ``stride`` elements apart along each dim
    (filled with zeros here, to stay deterministic). Strides may repeat elements (0) or
    leave gaps; they are what ``stride()`` then returns."""
    size, stride = tuple(int(s) for s in size), tuple(int(s) for s in stride)
    if len(size) != len(stride):
        raise RuntimeError(f"dimensionality of sizes ({len(size)}) must match dimensionality of "
                           f"strides ({len(stride)})")
    if any(n < 0 for n in size):
        raise RuntimeError(f"Trying to create tensor with negative dimension {min(size)}: "
                           f"{list(size)}")
    if any(s < 0 for s in stride):
        raise RuntimeError(f"Storage size calculation overflowed with sizes={list(size)} and "
                           f"strides={list(stride)}")
    extent = 0 if 0 in size else 1 + sum((n - 1) * s for n, s in zip(size, stride))
    dtype = dt.get_default_dtype() if dtype is None else dtype
    flat = Tensor._make(np.zeros(extent, dtype=dt.to_numpy_dtype(dtype)))
    if device is not None and _device.device(device).type != "cpu":
        flat = flat.to(device)
    out = Tensor._make(_view(flat._array, size, stride, 0))
    return out.requires_grad_() if requires_grad else out


def new_empty_strided(self: Tensor, size, stride, *, dtype=None, device=None,
                      requires_grad: bool = False) -> Tensor:
    """``empty_strided`` with this tensor's dtype and device (unless given)."""
    return empty_strided(size, stride, dtype=self.dtype if dtype is None else dtype,
                         device=self.device if device is None else device,
                         requires_grad=requires_grad)


def dim_order(self: Tensor) -> tuple:
    """The dims from the one whose elements lie farthest apart in memory (largest stride)
    to the nearest: ``(0, 1)`` for a matrix stored row by row, ``(1, 0)`` for its ``t()``."""
    strides = self.stride()
    return tuple(sorted(range(self.dim()), key=lambda d: -strides[d]))


def is_set_to(self: Tensor, tensor: Tensor) -> bool:
    """True when both tensors are the same view of the same memory: same storage, offset,
    shape and strides (``x.detach()`` is; ``x.view(-1)`` is not)."""
    a, b = self._array, tensor._array
    if type(a) is not type(b) or a.shape != b.shape or a.strides != b.strides:
        return False
    if type(a) is np.ndarray:
        return a.__array_interface__["data"][0] == b.__array_interface__["data"][0]
    return a.buf is b.buf and a.offset == b.offset


def is_pinned(self: Tensor) -> bool:
    """Whether the tensor is in page-locked host memory: never in nbtorch (see the module
    docstring)."""
    return False


def pin_memory(self: Tensor) -> Tensor:
    """A copy of this CPU tensor (nbtorch has no page-locked memory: see the module
    docstring)."""
    if not self.is_cpu:
        raise RuntimeError(f"cannot pin '{self.type()}' only dense CPU tensors can be pinned")
    return self.clone()


def share_memory_(self: Tensor) -> Tensor:
    """Nothing to do in nbtorch, which does not share tensors between processes; returns
    the tensor itself."""
    return self


def is_shared(self: Tensor) -> bool:
    """Whether other processes can map this tensor's memory: False on the CPU (nbtorch never
    shares it), True for a cuda tensor (as in PyTorch)."""
    return not self.is_cpu


def resize_as_(self: Tensor, the_template: Tensor) -> Tensor:
    """``self.resize_(the_template.shape)``: the template's shape, over this storage."""
    if not isinstance(the_template, Tensor):
        raise TypeError("resize_as_(): argument 'the_template' (position 1) must be Tensor, "
                        f"not {type(the_template).__name__}")
    return resize_(self, the_template.shape)


def resize(self: Tensor, *sizes) -> Tensor:
    """The deprecated out-of-place ``resize``: a reshaped tensor with the same number of
    elements (differentiable). Use ``reshape``."""
    warnings.warn("non-inplace resize is deprecated", UserWarning, stacklevel=2)
    shape = tuple(_shape_args(sizes))
    numel = int(np.prod(shape, dtype=np.int64))
    if numel != self.numel():
        raise RuntimeError(f"requested resize to {'x'.join(map(str, shape))} ({numel} elements "
                           f"in total), but the given tensor has a size of "
                           f"{'x'.join(map(str, self.shape))} "
                           f"({self.numel()} elements). autograd's resize can only change the "
                           "shape of a given tensor, while preserving the number of elements. ")
    return self.reshape(shape)


def resize_as(self: Tensor, tensor: Tensor) -> Tensor:
    """The deprecated out-of-place ``resize_as``: ``resize(tensor.shape)``."""
    warnings.warn("non-inplace resize_as is deprecated", UserWarning, stacklevel=2)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return resize(self, *tensor.shape)


as_strided_ = _inplace_view(as_strided, "as_strided_")
as_strided_.__doc__ = ("In-place ``as_strided``: this tensor itself takes the new shape, "
                       "strides and offset over its storage.")

is_inference = Tensor.is_inference  # torch.is_inference(x): always False (see Tensor's)

__all__ = ["layout", "strided", "empty_strided", "as_strided_", "resize_as_", "is_inference"]

TENSOR_METHODS = {
    "layout": property(_layout, doc="The tensor's layout: always ``nbtorch.strided``."),
    "new_empty_strided": new_empty_strided, "dim_order": dim_order, "is_set_to": is_set_to,
    "is_pinned": is_pinned, "pin_memory": pin_memory, "share_memory_": share_memory_,
    "is_shared": is_shared, "resize_as_": resize_as_, "resize": resize, "resize_as": resize_as,
    "as_strided_": as_strided_,
}
