"""Making tensors: from data (``tensor``, ``from_numpy``) and by shape (``zeros``, ``arange``...).

Each function builds a numpy array (or asks the cuda backend for a device array) and wraps it.
Float data gets the default dtype (float32), integer data int64 and bools bool, as in PyTorch.
"""

from __future__ import annotations

import numpy as np

from . import _backend
from . import _device as dv
from . import _dtype as dt
from ._tensor import Tensor


def _infer_dtype(data, python=None) -> dt.dtype:
    """numpy arrays and numpy scalars keep their dtype; Python numbers are bool, int64 or the
    default float. In a list the dtypes of the items promote, as in PyTorch:
    ``[np.float64(1.5), 2.0]`` is float64, ``[np.int32(1), 2]`` int64, ``[]`` float32."""
    if isinstance(data, (np.ndarray, np.generic)):
        return dt.from_numpy_dtype(data.dtype)
    if python is None:  # the dtypes of Python numbers
        python = {bool: dt.bool_, int: dt.int64, float: dt.get_default_dtype()}
    if type(data) in python:
        return python[type(data)]
    if isinstance(data, str):
        raise TypeError("new(): invalid data type 'str'")
    if not isinstance(data, (list, tuple)):
        raise RuntimeError(f"Could not infer dtype of {type(data).__name__}")
    types = set(map(type, data))  # one fast pass; look closer only at items that need it
    found = {python[t] for t in types if t in python}
    if not types <= python.keys():
        found |= {_infer_dtype(d, python) for d in data if type(d) not in python}
    result = dt.get_default_dtype() if not found else found.pop()
    for d in found:
        result = dt.promote_types(result, d)
    return result


def _to_nested_arrays(data):
    """Replace tensors inside (nested) lists by their values, so numpy can read them."""
    if isinstance(data, Tensor):
        return data.detach().cpu()._array
    if isinstance(data, (list, tuple)):
        return [_to_nested_arrays(d) for d in data]
    return data


def _finish(array: np.ndarray, device, requires_grad: bool) -> Tensor:
    device = dv.as_device(device)
    if device.type != "cpu":
        array = _backend.backend_for(device).from_numpy(array, device)
    t = Tensor._make(array)
    if requires_grad:
        t.requires_grad = True  # the property checks for a floating point dtype
    return t


def tensor(data, *, dtype=None, device=None, requires_grad: bool = False) -> Tensor:
    """A new tensor holding a copy of ``data`` (a number, nested lists, a numpy array)."""
    if isinstance(data, Tensor):
        out = data.detach().clone()
        if dtype is not None or device is not None:
            out = out.to(device=device, dtype=dtype)
        return out.requires_grad_(requires_grad) if requires_grad else out
    data = _to_nested_arrays(data)
    try:
        np_dtype = dt.to_numpy_dtype(dtype if dtype is not None else _infer_dtype(data))
        array = np.array(data, dtype=np_dtype)
    except ValueError as e:
        raise ValueError(f"could not build a tensor from the data: {e}") from None
    return _finish(array, device, requires_grad)


def as_tensor(data, dtype=None, device=None) -> Tensor:
    """Like ``tensor``, but shares memory with a numpy array (or tensor) when it can."""
    if isinstance(data, Tensor):
        return data if dtype is None and device is None else data.to(device=device, dtype=dtype)
    if isinstance(data, np.ndarray) and dv.as_device(device).type == "cpu":
        d = dt.from_numpy_dtype(data.dtype) if dtype is None else dtype
        return Tensor._make(data.astype(dt.to_numpy_dtype(d), copy=False))
    return tensor(data, dtype=dtype, device=device)


def from_numpy(array: np.ndarray) -> Tensor:
    """A tensor sharing memory with a numpy array: changing one changes the other."""
    if not isinstance(array, np.ndarray):
        raise TypeError(f"expected np.ndarray (got {type(array).__name__})")
    dt.from_numpy_dtype(array.dtype)  # raises TypeError for unsupported dtypes
    return Tensor._make(array)


def _size(size) -> tuple:
    if len(size) == 1 and isinstance(size[0], (tuple, list)):
        size = tuple(size[0])
    for s in size:
        if not isinstance(s, (int, np.integer)) or isinstance(s, bool):
            raise TypeError(f"size must be a tuple of ints, but got {type(s).__name__}")
        if s < 0:
            raise RuntimeError(
                f"Trying to create tensor with negative dimension {s}: {list(size)}"
            )
    return tuple(int(s) for s in size)


def _float_dtype(dtype) -> np.dtype:
    return dt.get_default_dtype().numpy if dtype is None else dt.to_numpy_dtype(dtype)


def _filled(shape, value, dtype, device, requires_grad) -> Tensor:
    device = dv.as_device(device)
    B = _backend.backend_for(device)
    if device.type == "cpu":
        array = B.full(shape, value, dtype=dtype)
    else:
        array = B.full(shape, value, dtype=dtype, device=device)
    t = Tensor._make(array)
    if requires_grad:
        t.requires_grad = True
    return t


def zeros(*size, dtype=None, device=None, requires_grad: bool = False, out=None) -> Tensor:
    """A tensor of zeros: ``zeros(2, 3)`` or ``zeros((2, 3))``."""
    return _filled(_size(size), 0, _float_dtype(dtype), device, requires_grad)


def ones(*size, dtype=None, device=None, requires_grad: bool = False, out=None) -> Tensor:
    """A tensor of ones."""
    return _filled(_size(size), 1, _float_dtype(dtype), device, requires_grad)


def empty(*size, dtype=None, device=None, requires_grad: bool = False, **kwargs) -> Tensor:
    """A tensor whose values are whatever was in memory (here: zeros, to stay deterministic)."""
    return _filled(_size(size), 0, _float_dtype(dtype), device, requires_grad)


def full(size, fill_value, *, dtype=None, device=None, requires_grad: bool = False) -> Tensor:
    """A tensor filled with ``fill_value`` (its dtype inferred from the value, as in PyTorch)."""
    if dtype is None:
        dtype = dt.scalar_dtype(fill_value)
    return _filled(_size((size,)), fill_value, dt.to_numpy_dtype(dtype), device, requires_grad)


def _like(input, dtype, device):
    if not isinstance(input, Tensor):
        raise TypeError(f"argument 'input' (position 1) must be Tensor, not "
                        f"{type(input).__name__}")
    return (input.dtype.numpy if dtype is None else dt.to_numpy_dtype(dtype),
            input.device if device is None else device)


def zeros_like(input, *, dtype=None, device=None, requires_grad=False, **kwargs) -> Tensor:
    """Zeros with the shape (and by default dtype and device) of ``input``."""
    d, dev = _like(input, dtype, device)
    return _filled(input._array.shape, 0, d, dev, requires_grad)


def ones_like(input, *, dtype=None, device=None, requires_grad=False, **kwargs) -> Tensor:
    """Ones with the shape (and by default dtype and device) of ``input``."""
    d, dev = _like(input, dtype, device)
    return _filled(input._array.shape, 1, d, dev, requires_grad)


def empty_like(input, *, dtype=None, device=None, requires_grad=False, **kwargs) -> Tensor:
    """An uninitialised (here: zero) tensor like ``input``."""
    return zeros_like(input, dtype=dtype, device=device, requires_grad=requires_grad)


def full_like(input, fill_value, *, dtype=None, device=None, requires_grad=False,
              **kwargs) -> Tensor:
    """``fill_value`` everywhere, with the shape of ``input``."""
    d, dev = _like(input, dtype, device)
    return _filled(input._array.shape, fill_value, d, dev, requires_grad)


def arange(start=None, end=None, step=1, *, dtype=None, device=None,
           requires_grad: bool = False) -> Tensor:
    """Values from ``start`` up to (not including) ``end`` in steps of ``step``:
    ``arange(3)``, ``arange(1, 3)``, ``arange(end=3)``, ``arange(0, 1, 0.25)``.

    The result is int64 when all three are integers (0-d integer tensors count), else the
    default float. With ``dtype=int64``, PyTorch first cuts the three to integers:
    ``arange(0, 5, 1.5, dtype=int64)`` steps by 1.
    """
    if end is None:
        if start is None:
            raise TypeError("arange() missing 1 required argument: 'end'")
        start, end = 0, start
    elif start is None:
        start = 0
    start, end, step = (_number(v, "arange") for v in (start, end, step))
    if dtype is None:
        is_int = all(isinstance(v, (int, np.integer)) for v in (start, end, step))
        dtype = dt.int64 if is_int else dt.get_default_dtype()
    np_dtype = dt.to_numpy_dtype(dtype)
    if np_dtype.kind == "b":
        raise NotImplementedError("\"arange_cpu\" not implemented for 'Bool'")
    if step == 0:
        raise RuntimeError("step must be nonzero")
    if np_dtype == np.int64:
        start, end, step = int(start), int(end), int(step)
        if step == 0:
            raise ValueError("step must be nonzero")
    if not (np.isfinite(start) and np.isfinite(end)):
        raise RuntimeError(f"unsupported range: {start} -> {end}")
    if (end - start) * step < 0:
        raise RuntimeError("upper bound and lower bound inconsistent with step sign")
    array = np.arange(start, end, step, dtype=np.float64).astype(np_dtype) \
        if np_dtype.kind == "f" else np.arange(start, end, step, dtype=np_dtype)
    return _finish(array, device, requires_grad)


def _number(value, fn: str):
    """A Python number, or the value of a 0-d tensor (which PyTorch accepts as a number)."""
    if isinstance(value, Tensor):
        if value._array.ndim:
            raise TypeError(f"{fn}(): argument must be Number, not Tensor of shape "
                            f"{list(value._array.shape)}")
        return value.item()
    return value


def range_(start, end, step=1, *, dtype=None, device=None, requires_grad=False) -> Tensor:
    """``torch.range`` (deprecated in PyTorch): includes ``end``; always float."""
    n = int(np.floor((end - start) / step)) + 1
    array = (start + step * np.arange(n, dtype=np.float64)).astype(_float_dtype(dtype))
    return _finish(array, device, requires_grad)


def linspace(start, end, steps: int, *, dtype=None, device=None,
             requires_grad: bool = False) -> Tensor:
    """``steps`` evenly spaced values from ``start`` to ``end`` inclusive."""
    if steps < 0:
        raise RuntimeError("number of steps must be non-negative")
    array = np.linspace(start, end, steps, dtype=np.float64).astype(_float_dtype(dtype))
    return _finish(array, device, requires_grad)


def logspace(start, end, steps: int, base: float = 10.0, *, dtype=None, device=None,
             requires_grad: bool = False) -> Tensor:
    """``base ** linspace(start, end, steps)``."""
    array = (base ** np.linspace(start, end, steps, dtype=np.float64)).astype(_float_dtype(dtype))
    return _finish(array, device, requires_grad)


def eye(n: int, m: int | None = None, *, dtype=None, device=None,
        requires_grad: bool = False) -> Tensor:
    """The identity matrix (ones on the diagonal), n x m."""
    for name, size in (("n", n), ("m", m)):
        if size is not None and size < 0:
            raise RuntimeError(f"{name} must be greater or equal to 0, got {size}")
    return _finish(np.eye(n, m, dtype=_float_dtype(dtype)), device, requires_grad)


def _legacy_new(cls, default: dt.dtype, *args, device=None):
    """``FloatTensor(2, 3)`` makes an uninitialised (zero) 2x3 tensor; ``FloatTensor([1, 2])``
    copies data. The legacy constructors the course notes still use."""
    if len(args) == 0:
        array = np.zeros((0,), dtype=default.numpy)
    elif all(isinstance(a, (int, np.integer)) and not isinstance(a, bool) for a in args):
        array = np.zeros(_size(args), dtype=default.numpy)
    elif len(args) == 1 and isinstance(args[0], Tensor):
        array = args[0].detach().cpu()._array.astype(default.numpy)
    elif len(args) == 1:
        array = np.array(_to_nested_arrays(args[0]), dtype=default.numpy)
    else:
        raise TypeError(f"new(): invalid arguments {args}")
    t = object.__new__(cls)
    t._array = _finish(array, device, False)._array
    from ._tensor import VersionCounter

    t._version_counter = VersionCounter()
    return t


def _legacy(default: dt.dtype, name: str):
    def constructor(*args, device=None):
        return _legacy_new(Tensor, default, *args, device=device)

    constructor.__name__ = name
    constructor.__doc__ = (f"Legacy ``torch.{name}``: ``{name}(2, 3)`` (shape) or "
                           f"``{name}(data)``; dtype {default.name}.")
    constructor.dtype = default  # so that ``x.type(torch.LongTensor)`` knows the dtype
    return constructor


FloatTensor = _legacy(dt.float32, "FloatTensor")
DoubleTensor = _legacy(dt.float64, "DoubleTensor")
HalfTensor = _legacy(dt.float16, "HalfTensor")
LongTensor = _legacy(dt.int64, "LongTensor")
IntTensor = _legacy(dt.int32, "IntTensor")
ShortTensor = _legacy(dt.int16, "ShortTensor")
CharTensor = _legacy(dt.int8, "CharTensor")
ByteTensor = _legacy(dt.uint8, "ByteTensor")
BoolTensor = _legacy(dt.bool_, "BoolTensor")


# -- tensor.new_* : same dtype and device as an existing tensor ------------------------------


def new_tensor(self, data, *, dtype=None, device=None, requires_grad=False) -> Tensor:
    """A new tensor from ``data`` with this tensor's dtype and device by default."""
    return tensor(data, dtype=dtype or self.dtype, device=device or self.device,
                  requires_grad=requires_grad)


def new_zeros(self, *size, dtype=None, device=None, requires_grad=False) -> Tensor:
    return zeros(*size, dtype=dtype or self.dtype, device=device or self.device,
                 requires_grad=requires_grad)


def new_ones(self, *size, dtype=None, device=None, requires_grad=False) -> Tensor:
    return ones(*size, dtype=dtype or self.dtype, device=device or self.device,
                requires_grad=requires_grad)


def new_full(self, size, fill_value, *, dtype=None, device=None, requires_grad=False) -> Tensor:
    return full(size, fill_value, dtype=dtype or self.dtype, device=device or self.device,
                requires_grad=requires_grad)


def new_empty(self, *size, dtype=None, device=None, requires_grad=False) -> Tensor:
    return new_zeros(self, *size, dtype=dtype, device=device, requires_grad=requires_grad)


def set_default_tensor_type(t) -> None:
    """Old PyTorch's way to change the default float type: ``'torch.DoubleTensor'`` (or
    ``torch.DoubleTensor``) makes new float tensors float64. Prefer ``set_default_dtype``."""
    names = {"FloatTensor": dt.float32, "DoubleTensor": dt.float64, "HalfTensor": dt.float16}
    name = t if isinstance(t, str) else getattr(t, "__name__", "")
    key = name.rsplit(".", 1)[-1]
    if key not in names:
        raise TypeError(f"invalid type or not a floating point type: {name!r}")
    dt.set_default_dtype(names[key])
