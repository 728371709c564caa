"""Changing a tensor's dtype or device: ``to``, ``float``, ``long``, ``cpu``, ``cuda``, ...

Both are differentiable: the gradient of a cast is cast back to the input's dtype, and the
gradient of a move comes back to the input's device.
"""

from __future__ import annotations

from .. import _backend
from .. import _device as dv
from .. import _dtype as dt
from ..autograd.function import Function


class ToDtype(Function):
    @staticmethod
    def forward(ctx, x, np_dtype):
        ctx.dtype, ctx.out_dtype = x._array.dtype, np_dtype
        return x._array.astype(np_dtype)

    @staticmethod
    def backward(ctx, grad):
        return grad.to(dt._FROM_NUMPY[ctx.dtype]), None

    @staticmethod
    def jvp(ctx, t, _):
        return t.to(dt._FROM_NUMPY[ctx.out_dtype])


class ToDevice(Function):
    @staticmethod
    def forward(ctx, x, device):
        ctx.device, ctx.out_device = x.device, device
        src = x._array
        if ctx.device.type == "cpu":
            return _backend.backend_for(device).from_numpy(src, device)
        numpy_copy = _backend.backend_of(src).to_numpy(src)
        return _backend.backend_for(device).from_numpy(numpy_copy, device)

    @staticmethod
    def backward(ctx, grad):
        return grad.to(ctx.device), None

    @staticmethod
    def jvp(ctx, t, _):
        return t.to(ctx.out_device)


def _parse_to(args, kwargs):
    """Read ``to(dtype)``, ``to(device)``, ``to(device, dtype)``, ``to(tensor)``, keywords."""
    from .._tensor import Tensor

    device = kwargs.pop("device", None)
    dtype = kwargs.pop("dtype", None)
    copy = kwargs.pop("copy", False)
    kwargs.pop("non_blocking", None)
    kwargs.pop("memory_format", None)
    if kwargs:
        raise TypeError(f"to() got unexpected keyword arguments {sorted(kwargs)}")
    for a in args:
        if isinstance(a, Tensor):
            device, dtype = a.device, a.dtype
        elif isinstance(a, dt.dtype):
            dtype = a
        elif isinstance(a, (str, dv.device, int)) and not isinstance(a, bool):
            device = a
        elif a is None:
            continue
        else:
            raise TypeError(f"to() received an invalid combination of arguments: {a!r}")
    return (None if device is None else dv.as_device(device)), dtype, copy


def _normalize_cuda(device):
    """``cuda`` without an index means the current cuda device."""
    if device.type == "cuda" and device.index is None:
        from .. import cuda

        return dv.device("cuda", cuda.current_device())
    return device


def to(self, *args, **kwargs):
    """Return the tensor with another dtype and/or on another device.

    ``x.to(nbtorch.float64)``, ``x.to('cuda')``, ``x.to(other)``. When nothing changes, the
    tensor itself is returned (unless ``copy=True``).
    """
    device, dtype, copy = _parse_to(args, kwargs)
    out = self
    if device is not None:
        device = _normalize_cuda(device)
        if device != self.device:
            out = ToDevice.apply(out, device)
    if dtype is not None:
        np_dtype = dt.to_numpy_dtype(dtype)
        if np_dtype != out._array.dtype:
            out = ToDtype.apply(out, np_dtype)
    if copy and out is self:
        out = self.clone()
    return out


def _cast(name: str, d: dt.dtype):
    def method(self, memory_format=None):
        return to(self, d)

    method.__name__ = name
    method.__doc__ = f"``self.to({d!r})``."
    return method


float_ = _cast("float", dt.float32)
double = _cast("double", dt.float64)
half = _cast("half", dt.float16)
long = _cast("long", dt.int64)
int_ = _cast("int", dt.int32)
short = _cast("short", dt.int16)
char = _cast("char", dt.int8)
byte = _cast("byte", dt.uint8)
bool_ = _cast("bool", dt.bool_)


_TYPE_NAMES = {"float32": "Float", "float64": "Double", "float16": "Half", "int64": "Long",
               "int32": "Int", "int16": "Short", "int8": "Char", "uint8": "Byte", "bool": "Bool"}


def type_(self, dtype=None, non_blocking=False):
    """With no argument, the type name (``'torch.FloatTensor'``); else a cast.

    The target may be a dtype, a legacy type (``x.type(torch.LongTensor)``) or its name
    (``x.type('torch.cuda.FloatTensor')``, which also moves the tensor).
    """
    if dtype is None:
        prefix = "torch.cuda." if self.is_cuda else "torch."
        return f"{prefix}{_TYPE_NAMES[self.dtype.name]}Tensor"
    if isinstance(dtype, str):
        by_name = {f"{name}Tensor": d for d, name in _TYPE_NAMES.items()}
        device, _, name = dtype.rpartition(".")
        if device not in ("torch", "torch.cuda") or name not in by_name:
            raise ValueError(f"invalid type: '{dtype}'")
        return to(self, "cuda" if device == "torch.cuda" else "cpu", dt._NAMES[by_name[name]])
    return to(self, getattr(dtype, "dtype", dtype))  # a legacy type carries its dtype


def new(self, *args):
    """Legacy ``x.new(2, 3)`` / ``x.new(data)``: like ``torch.Tensor(...)``, but with this
    tensor's dtype and device (prefer ``new_empty``/``new_tensor``)."""
    from .._creation import _legacy_new
    from .._tensor import Tensor

    return _legacy_new(Tensor, self.dtype, *args, device=self.device)


def type_as(self, other):
    """The tensor cast to ``other``'s dtype (and moved to its device)."""
    return to(self, other.device, other.dtype)


def get_device(self) -> int:
    """The cuda device index of the tensor, or -1 for a CPU tensor."""
    return -1 if self.device.type == "cpu" else self.device.index


def cpu(self):
    """The tensor on the CPU (itself if it is there already)."""
    return to(self, "cpu")


def cuda(self, device=None, non_blocking=False):
    """The tensor on a cuda device (``cuda()``, ``cuda(1)``, ``cuda('cuda:0')``)."""
    if device is None:
        device = "cuda"
    elif isinstance(device, int):
        device = dv.device("cuda", device)
    return to(self, device)


__all__: list = []

TENSOR_METHODS = {
    "to": to, "float": float_, "double": double, "half": half, "long": long, "int": int_,
    "short": short, "char": char, "byte": byte, "bool": bool_, "type": type_, "cpu": cpu,
    "cuda": cuda, "type_as": type_as, "get_device": get_device, "new": new,
}
