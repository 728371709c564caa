"""Small helpers shared by the op modules: operand arrays, dtype promotion, dims."""

from __future__ import annotations

import numpy as np

from .. import _backend
from .. import _dtype as dt
from .._tensor import Tensor, _wrap_dim


def array_of(x):
    """The backend array of a tensor, or the Python number itself."""
    return x._array if isinstance(x, Tensor) else x


def backend(x):
    """The backend module of a tensor's array (numpy's for a CPU tensor, checked first: this
    runs in nearly every op)."""
    a = x._array
    return _backend.cpu if type(a) is np.ndarray else _backend.backend_of(a)


def check_same_device(x, y) -> None:
    if type(x) is not type(y) and x.ndim and y.ndim:
        dx = "cpu" if type(x) is np.ndarray else str(x.device)
        dy = "cpu" if type(y) is np.ndarray else str(y.device)
        if dx == "cpu":  # PyTorch names the cuda device first, whatever the operand order
            dx, dy = dy, dx
        raise RuntimeError(
            "Expected all tensors to be on the same device, but found at least two devices, "
            f"{dx} and {dy}!"
        )


def promoted_dtype(*operands) -> dt.dtype:
    """PyTorch's result dtype for tensors and Python numbers used together (a numpy array
    among them: numpy's, see ``_numpy_result_dtype``)."""
    dims = zero = scal = None
    for x in operands:
        if isinstance(x, Tensor):
            d = dt._FROM_NUMPY[x._array.dtype]
            if x._array.ndim:
                dims = d if dims is None else dt.promote_types(dims, d)
            else:
                zero = d if zero is None else dt.promote_types(zero, d)
        else:
            if not isinstance(x, (int, float, np.number, np.bool_)):
                if isinstance(x, np.ndarray):
                    return _numpy_result_dtype(operands)
                raise TypeError(
                    f"unsupported operand type(s): expected a Tensor or a number, got "
                    f"'{type(x).__name__}'"
                )
            d = dt.scalar_dtype(x)
            scal = d if scal is None else dt.promote_types(scal, d)
    return dt.result_type(dims, zero, scal)


def _numpy_result_dtype(operands) -> dt.dtype:
    """The dtype of ``tensor + ndarray``. PyTorch lets numpy compute it: numpy reads each
    tensor through ``numpy()`` (which refuses a tensor that requires grad, or one on cuda) and
    promotes by its own rules, so float32 + a float64 array is float64, as is float32 + an
    int64 array."""
    arrays = [x.numpy() if isinstance(x, Tensor) else x for x in operands]
    return dt._FROM_NUMPY[np.result_type(*arrays)]


def binary_arrays(a, b, to_float: bool = False):
    """The arrays of two operands, cast to their common (promoted) dtype.

    Python numbers stay Python numbers (numpy treats them as "weak", like PyTorch).
    ``to_float`` lifts integer results to the default float (true division).
    """
    if isinstance(a, Tensor) and isinstance(b, Tensor):
        x, y = a._array, b._array
        if type(x) is not type(y):
            check_same_device(x, y)
        if x.dtype == y.dtype and not (to_float and x.dtype.kind != "f"):
            return x, y
    else:
        x, y = array_of(a), array_of(b)
    target = promoted_dtype(a, b)
    if to_float and not target.is_floating_point:
        target = dt.get_default_dtype()
    nd = target.numpy
    if isinstance(a, Tensor):
        x = x if x.dtype == nd else x.astype(nd)
    else:
        x = _weak_scalar(x, nd)
    if isinstance(b, Tensor):
        y = y if y.dtype == nd else y.astype(nd)
    else:
        y = _weak_scalar(y, nd)
    return x, y


def _weak_scalar(value, nd):
    """A Python number as numpy should see it next to an array of dtype ``nd``.

    numpy scalars become Python numbers (numpy treats only Python numbers as "weak"), and an
    integer too large for an integer dtype wraps around, as PyTorch's does (int8 + 1000).
    """
    if isinstance(value, np.generic):
        value = value.item()
    if nd.kind in "iu" and isinstance(value, int) and not isinstance(value, bool):
        info = np.iinfo(nd)
        if not info.min <= value <= info.max:
            return np.array(value).astype(nd)
    return value


def unary_float(x):
    """The array of ``x``, lifted to the default float when it is an integer tensor
    (``exp`` of an int tensor is float in PyTorch)."""
    a = x._array
    if a.dtype.kind != "f":
        return a.astype(dt.get_default_dtype().numpy)
    return a


def unlock_view(array):
    """Make a view of an expanded tensor writable when no two of its elements share memory.

    numpy marks a broadcast array (``expand``'s) and all its views read-only. PyTorch refuses
    only writes where several elements are one memory location (a dim of stride 0 and size
    above 1): ``x.expand(2, 3)[0]`` picks distinct elements, so writing into it (and so into
    ``x``) is allowed. Returns ``array``, unlocked where that is allowed.
    """
    overlaps = any(st == 0 and n > 1 for n, st in zip(array.shape, array.strides))
    if not overlaps:
        try:
            array.flags.writeable = True
        except ValueError:  # the memory itself is read-only (from a read-only numpy array)
            pass
    return array


def normalize_dims(dim, ndim: int) -> tuple:
    """``dim`` (None, an int or a sequence) as a sorted tuple of non-negative dims.

    None and an empty sequence mean every dim (``x.sum(dim=())`` sums everything, as in
    PyTorch). A 0-d tensor accepts dim 0 and -1 as if it had one dim of size 1; reducing
    over that dim reduces nothing, so its dims are ``()``.
    """
    if dim is None:
        return tuple(range(ndim))
    if isinstance(dim, (list, tuple)):
        if not dim:
            return tuple(range(ndim))
        dims = tuple(sorted({_wrap_dim(d, ndim) for d in dim}))
        if len(dims) != len(dim):
            seen = [_wrap_dim(d, ndim) for d in dim]
            twice = next(d for d in seen if seen.count(d) > 1)
            raise RuntimeError(f"dim {twice} appears multiple times in the list of dims")
    else:
        dims = (_wrap_dim(dim, ndim),)
    return dims if ndim else ()


def wrap_dim(dim: int, ndim: int, scalar_ok: bool = True) -> int:
    return _wrap_dim(dim, ndim, scalar_ok)


def require_tensor(name: str, value, arg: str = "input", position: int = 1) -> None:
    """PyTorch's TypeError when a function that needs a tensor is given something else."""
    if not isinstance(value, Tensor):
        raise TypeError(f"{name}(): argument '{arg}' (position {position}) must be Tensor, not "
                        f"{type(value).__name__}")
