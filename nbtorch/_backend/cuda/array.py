"""``DeviceArray``: a numpy-like array whose elements live in GPU memory.

It is the cuda twin of ``numpy.ndarray`` and has the same *strided* layout:

* ``buf``: the storage, a flat 1-d Numba device array (``cuda.device_array``);
* ``offset``: where element ``[0, 0, ...]`` sits in ``buf``;
* ``shape`` and ``estrides``: element ``[i, j, k]`` sits at
  ``offset + i*estrides[0] + j*estrides[1] + k*estrides[2]`` (strides counted in elements;
  ``strides`` gives them in bytes, as numpy does).

So a view (a slice, a transpose, a reshape, a broadcast with stride 0) is a new
``DeviceArray`` over the same ``buf``: no data moves. Kernels receive ``buf``, ``offset`` and
the strides, and compute each element's position themselves (see ``layout.py``).
"""

from __future__ import annotations

import functools
import sys
import weakref

import numpy as np

from . import runtime


class _Flags:
    """numpy's ``a.flags.c_contiguous`` / ``f_contiguous``, each worked out when asked."""

    __slots__ = ("_a",)

    def __init__(self, a):
        self._a = a

    @property
    def c_contiguous(self) -> bool:
        return _is_c_contiguous(self._a.shape, self._a.estrides)

    @property
    def f_contiguous(self) -> bool:
        return _is_c_contiguous(self._a.shape[::-1], self._a.estrides[::-1])


def c_strides(shape) -> tuple:
    """Row-major (C) strides, in elements, for ``shape``."""
    strides, step = [], 1
    for s in reversed(shape):
        strides.append(step)
        step *= max(s, 1)
    return tuple(reversed(strides))


def _is_c_contiguous(shape, strides) -> bool:
    if strides == _shape_info(shape)[1]:  # the usual case: a new array's own strides
        return True
    step = 1
    for s, st in zip(reversed(shape), reversed(strides)):
        if s == 1:
            continue
        if s == 0:
            return True
        if st != step:
            return False
        step *= s
    return True


class DeviceArray:
    """An n-d array in GPU memory with numpy's names (``shape``, ``dtype``, ``reshape``, ...)."""

    __slots__ = ("buf", "offset", "shape", "estrides", "dtype", "device_index")

    def __init__(self, buf, offset: int, shape: tuple, estrides: tuple, device_index: int = 0):
        self.buf = buf
        self.offset = offset
        self.shape = tuple(map(int, shape))
        self.estrides = tuple(map(int, estrides))
        self.dtype = np.dtype(buf.dtype)
        self.device_index = device_index

    # -- what numpy code asks of an array ------------------------------------------------
    @property
    def ndim(self) -> int:
        return len(self.shape)

    @property
    def size(self) -> int:
        n = 1
        for s in self.shape:
            n *= s
        return n

    @property
    def itemsize(self) -> int:
        return self.dtype.itemsize

    @property
    def nbytes(self) -> int:
        return self.size * self.dtype.itemsize

    @property
    def strides(self) -> tuple:
        """Strides in bytes, as numpy gives them."""
        return tuple(s * self.dtype.itemsize for s in self.estrides)

    @property
    def flags(self) -> _Flags:
        return _Flags(self)

    @property
    def device(self):
        from ..._device import device

        return device("cuda", self.device_index)

    @property
    def T(self) -> DeviceArray:
        return self.transpose()

    def __len__(self) -> int:
        if not self.shape:
            raise TypeError("len() of unsized object")
        return self.shape[0]

    def __repr__(self) -> str:
        return f"DeviceArray({self.get()!r}, device='{self.device}')"

    @classmethod
    def _of_parts(cls, buf, offset: int, shape: tuple, estrides: tuple, dtype: np.dtype,
                  device_index: int) -> DeviceArray:
        """What ``DeviceArray(...)`` makes, from parts already of the right types (tuples of
        Python ints, ``buf``'s dtype), without ``__init__``'s conversions: allocation and
        views use it, and they run in nearly every op."""
        a = object.__new__(cls)
        a.buf, a.offset, a.shape, a.estrides = buf, offset, shape, estrides
        a.dtype, a.device_index = dtype, device_index
        return a

    # -- views: new shape/strides over the same buffer -----------------------------------
    def _view(self, offset: int, shape, estrides) -> DeviceArray:
        """Another shape and strides over the same buffer (``shape`` and ``estrides``:
        sequences of Python ints)."""
        return DeviceArray._of_parts(self.buf, offset, tuple(shape), tuple(estrides),
                                     self.dtype, self.device_index)

    def transpose(self, *axes) -> DeviceArray:
        """Permute the dimensions (a view): ``a.transpose(1, 0)`` or ``a.transpose((1, 0))``."""
        if len(axes) == 1 and isinstance(axes[0], (tuple, list)):
            axes = tuple(axes[0])
        if not axes:
            axes = tuple(reversed(range(self.ndim)))
        return self._view(self.offset, [self.shape[a] for a in axes],
                          [self.estrides[a] for a in axes])

    def swapaxes(self, a: int, b: int) -> DeviceArray:
        axes = list(range(self.ndim))
        axes[a], axes[b] = axes[b], axes[a]
        return self.transpose(axes)

    def reshape(self, *shape, copy: bool | None = None) -> DeviceArray:
        """Another shape over the same elements: a view when the strides allow it. With
        ``copy=False`` an impossible view raises ValueError (numpy's rule); by default it
        copies instead."""
        if len(shape) == 1 and isinstance(shape[0], (tuple, list)):
            shape = tuple(shape[0])
        shape = _resolve(shape, self.size)
        if copy:
            return self.copy().reshape(shape)
        strides = _view_strides(self.shape, self.estrides, shape)
        if strides is None:
            if copy is False:
                raise ValueError("cannot reshape array without copying it")
            return self.copy().reshape(shape)
        return self._view(self.offset, shape, strides)

    def ravel(self) -> DeviceArray:
        return self.reshape(-1)

    flatten = ravel

    def squeeze(self, axis=None) -> DeviceArray:
        if axis is None:
            axis = tuple(i for i, s in enumerate(self.shape) if s == 1)
        axis = axis if isinstance(axis, tuple) else (axis,)
        axis = {a % self.ndim for a in axis}
        keep = [i for i in range(self.ndim) if i not in axis]
        return self._view(self.offset, [self.shape[i] for i in keep],
                          [self.estrides[i] for i in keep])

    def view(self, dtype) -> DeviceArray:
        """The same bytes read as another dtype of the same size (a contiguous array)."""
        dtype = np.dtype(dtype)
        if dtype.itemsize != self.dtype.itemsize or not self.flags.c_contiguous:
            raise ValueError("DeviceArray.view(dtype) needs a contiguous array and a dtype "
                             "of the same itemsize")
        self.forget_values()  # a write through the view would not reach this buffer's record
        return DeviceArray(keep_alive(self.buf.view(dtype), self.buf), self.offset, self.shape,
                           self.estrides, self.device_index)

    def __getitem__(self, key):
        return index.getitem(self, key)

    def __setitem__(self, key, value) -> None:
        index.setitem(self, key, value)

    # -- copies ------------------------------------------------------------------------------
    def copy(self) -> DeviceArray:
        """A C-contiguous copy."""
        return layout.copy(self)

    def astype(self, dtype, copy: bool = True) -> DeviceArray:
        """A copy converted to ``dtype`` (``self`` when it already has it and copy=False)."""
        dtype = np.dtype(dtype)
        if dtype == self.dtype and not copy:
            return self
        return layout.copy(self, dtype)

    def fill(self, value) -> None:
        layout.fill(self, value)

    def get(self) -> np.ndarray:
        """The elements as a numpy array on the host (``copy_to_host``)."""
        src = self if self.flags.c_contiguous else self.copy()
        n = src.size
        out = np.empty(src.shape, dtype=self.dtype)
        if n:  # the whole buffer, or a slice of it (making a slice costs ~10 us on a GPU)
            whole = src.offset == 0 and n == src.buf.size
            (src.buf if whole else src.buf[src.offset:src.offset + n]).copy_to_host(
                out.reshape(-1))
        return out

    # -- what the host knows of the values, without reading them ---------------------------
    # Reading a cuda array on the host (``get``) waits until every kernel queued before has
    # finished: the GPU then runs dry while Python prepares the next launches. When integers
    # come from the host, the host has seen them: ``from_numpy`` keeps their smallest and
    # largest value on the buffer (shared by every view of it), and any in-place change
    # (``Tensor._bump_version``) forgets them. ``cross_entropy`` checks its class indices
    # with them instead of reading the targets back at every training step.
    def remember_range(self, lo: int, hi: int) -> None:
        self.buf.known_range = (lo, hi)

    def known_range(self):
        """(smallest, largest) value of the buffer as the host copied it, or None."""
        return getattr(self.buf, "known_range", None)

    def forget_values(self) -> None:
        self.buf.__dict__.pop("known_range", None)

    def __array__(self, dtype=None, copy=None):
        a = self.get()
        return a if dtype is None else a.astype(dtype)

    def item(self):
        if self.size != 1:
            raise ValueError("can only convert an array of size 1 to a Python scalar")
        return self.get().reshape(()).item()

    def tolist(self):
        return self.get().tolist()

    def __float__(self) -> float:
        return float(self.item())

    def __int__(self) -> int:
        return int(self.item())

    def __bool__(self) -> bool:
        if self.size != 1:
            raise ValueError("The truth value of an array with more than one element is "
                             "ambiguous")
        return bool(self.item())

    # -- numpy's own functions called on a DeviceArray run our kernels ---------------------
    def __array_ufunc__(self, ufunc, method, *inputs, **kwargs):
        """``np.sqrt(d)``, ``np.maximum(a, b, out=a)``, ``ndarray + d``: numpy hands its
        ufuncs to us (NEP 13); we run the cuda backend's function of the same name."""
        fn = getattr(_backend(), ufunc.__name__, None)
        if method != "__call__" or fn is None:
            return NotImplemented
        out = kwargs.pop("out", None)
        if kwargs:
            return NotImplemented
        if out is not None:
            kwargs["out"] = out[0] if isinstance(out, tuple) else out
        return fn(*inputs, **kwargs)

    def __array_function__(self, func, types, args, kwargs):
        """``np.zeros_like(d)``, ``np.sum(d)``...: numpy functions dispatch to the cuda
        backend's function of the same name (NEP 18)."""
        fn = getattr(_backend(), func.__name__, None)
        if fn is None:
            return NotImplemented
        return fn(*args, **{k: v for k, v in kwargs.items()
                            if v is not None and k not in ("order", "subok")})

    # -- math as methods, like numpy's ------------------------------------------------------
    def sum(self, axis=None, dtype=None, keepdims=False):
        return reduce.sum(self, axis=axis, dtype=dtype, keepdims=keepdims)

    def mean(self, axis=None, dtype=None, keepdims=False):
        return reduce.mean(self, axis=axis, dtype=dtype, keepdims=keepdims)

    def prod(self, axis=None, dtype=None, keepdims=False):
        return reduce.prod(self, axis=axis, dtype=dtype, keepdims=keepdims)

    def max(self, axis=None, keepdims=False):
        return reduce.max(self, axis=axis, keepdims=keepdims)

    def min(self, axis=None, keepdims=False):
        return reduce.min(self, axis=axis, keepdims=keepdims)

    def argmax(self, axis=None, keepdims=False):
        return reduce.argmax(self, axis=axis, keepdims=keepdims)

    def argmin(self, axis=None, keepdims=False):
        return reduce.argmin(self, axis=axis, keepdims=keepdims)

    def all(self, axis=None, keepdims=False):
        return reduce.all(self, axis=axis, keepdims=keepdims)

    def any(self, axis=None, keepdims=False):
        return reduce.any(self, axis=axis, keepdims=keepdims)

    def var(self, axis=None, dtype=None, ddof=0, keepdims=False):
        return reduce.var(self, axis=axis, dtype=dtype, ddof=ddof, keepdims=keepdims)

    def std(self, axis=None, dtype=None, ddof=0, keepdims=False):
        return reduce.std(self, axis=axis, dtype=dtype, ddof=ddof, keepdims=keepdims)

    def clip(self, min=None, max=None):  # noqa: A002
        return elementwise.clip(self, min, max)

    # -- operators: the elementwise kernels ------------------------------------------------
    def __neg__(self):
        return elementwise.negative(self)

    def __pos__(self):
        return self

    def __abs__(self):
        return elementwise.abs(self)

    def __invert__(self):
        return elementwise.invert(self)


def _backend():
    """The cuda backend package (imported before this module, so already in sys.modules)."""
    return sys.modules[__package__]


def _binary_operator(name: str, reflected: bool = False):
    def op(self, other):
        fn = matmul.matmul if name == "matmul" else getattr(elementwise, name)
        return fn(other, self) if reflected else fn(self, other)

    return op


for _dunder, _fn in [("add", "add"), ("sub", "subtract"), ("mul", "multiply"),
                     ("truediv", "divide"), ("floordiv", "floor_divide"), ("mod", "remainder"),
                     ("pow", "power"), ("and", "bitwise_and"), ("or", "bitwise_or"),
                     ("xor", "bitwise_xor"), ("matmul", "matmul")]:
    setattr(DeviceArray, f"__{_dunder}__", _binary_operator(_fn))
    setattr(DeviceArray, f"__r{_dunder}__", _binary_operator(_fn, reflected=True))


def _inplace_operator(name: str):
    def op(self, other):
        fn = getattr(elementwise, name)
        if (self.offset == 0 and is_flat(self)
                and getattr(other, "buf", None) is not self.buf):  # no overlap: write into self
            result = fn(self, other, out=self)
        else:
            result = fn(self, other)
        if result is not self:
            layout.copy_into(self, result)  # write back in place
        return self

    return op


for _dunder, _fn in [("add", "add"), ("sub", "subtract"), ("mul", "multiply"),
                     ("truediv", "divide"), ("floordiv", "floor_divide"), ("mod", "remainder"),
                     ("pow", "power"), ("and", "bitwise_and"), ("or", "bitwise_or"),
                     ("xor", "bitwise_xor")]:
    setattr(DeviceArray, f"__i{_dunder}__", _inplace_operator(_fn))
for _dunder, _fn in [("eq", "equal"), ("ne", "not_equal"), ("lt", "less"),
                     ("le", "less_equal"), ("gt", "greater"), ("ge", "greater_equal")]:
    setattr(DeviceArray, f"__{_dunder}__", _binary_operator(_fn))
DeviceArray.__hash__ = None


def _resolve(shape, size: int) -> tuple:
    """``shape`` with one ``-1`` replaced by what makes the sizes agree."""
    shape = tuple(int(s) for s in shape)
    if -1 in shape:
        known = 1
        for s in shape:
            if s != -1:
                known *= s
        shape = tuple(size // known if s == -1 and known else (0 if s == -1 else s)
                      for s in shape)
    n = 1
    for s in shape:
        n *= s
    if n != size:
        raise ValueError(f"cannot reshape array of size {size} into shape {shape}")
    return shape


def _view_strides(old_shape, old_strides, new_shape):
    """Strides that show the same elements in ``new_shape``, or None when no view can.

    Walk both shapes in chunks whose element counts agree; a chunk of old dims can be
    re-split only when it is contiguous in itself (PyTorch's ``computeStride``).
    """
    if _is_c_contiguous(old_shape, old_strides):
        return c_strides(new_shape)
    old = [(s, st) for s, st in zip(old_shape, old_strides) if s != 1]
    new_strides = [0] * len(new_shape)
    i = j = 0
    while i < len(old) or j < len(new_shape):
        if j < len(new_shape) and new_shape[j] == 1:
            new_strides[j] = 1
            j += 1
            continue
        if i >= len(old) or j >= len(new_shape):
            return None
        # grow a chunk of old dims and a chunk of new dims until their sizes match
        i0, j0 = i, j
        n_old, n_new = old[i][0], new_shape[j]
        i, j = i + 1, j + 1
        while n_old != n_new:
            if n_old < n_new:
                if i >= len(old):
                    return None
                n_old *= old[i][0]
                i += 1
            else:
                if j >= len(new_shape):
                    return None
                n_new *= new_shape[j]
                j += 1
        for k in range(i0, i - 1):  # the old chunk must be contiguous in itself
            if old[k][1] != old[k + 1][1] * old[k + 1][0]:
                return None
        step = old[i - 1][1]
        for k in range(j - 1, j0 - 1, -1):
            new_strides[k] = step
            step *= new_shape[k]
    return tuple(new_strides)


# -- a caching allocator -------------------------------------------------------------------
# Asking the driver for memory (``cuda.device_array``) takes tens of microseconds, and a
# training step asks for the same sizes again and again. So, like PyTorch's allocator, we
# keep buffers whose arrays died in free lists, one per (device, dtype, length), and hand
# them out again. ``empty`` gives out a *handle* (a second object for the pooled buffer);
# when the last array using that handle dies, the handle's ``__del__`` puts the buffer back
# on its list.
# Kernels run in launch order on one stream, so a buffer reused by a later kernel is only
# written after the earlier kernels that read it are done.
#
# A lent buffer is also kept in ``_lent``, so that it is never garbage itself. Numba frees
# device memory from a ``weakref.finalize`` on the buffer's memory object. When Python's
# cycle collector finds garbage (say an autograd graph with a cycle holding a handle), it
# first runs the finalizers of everything in that garbage, and only then the ``__del__``
# methods. Were the buffer reachable only from the handle, its memory would be freed (and
# could be handed to the next allocation) before the handle's ``__del__`` put the buffer
# back on its free list, to be lent again: two arrays in one piece of memory. On a GPU
# this failed tests with dead references and wrong values; the simulator has no such
# finalizer. (``tests/cuda/test_fast_paths.py`` recreates it.)
_free: dict = {}  # (device, dtype, length) -> buffers ready to be reused
_lent: dict = {}  # id(buffer) -> buffer, for the buffers handed out through a handle
POOLING = True


def _take(length: int, dtype: np.dtype, device_index: int):
    """A 1-d device buffer of ``length`` elements, from the free list when one is there."""
    key = (device_index, dtype, length)
    free = _free.get(key)
    if free:
        raw = free.pop()
    else:
        with runtime.using(device_index):
            raw = runtime.cuda.device_array(length, dtype=dtype)
        _fill_launch_caches(raw)
        if not POOLING:
            return raw
        free = _free.setdefault(key, [])
    _lent[id(raw)] = raw
    return _handle(raw, free)


def _fill_launch_caches(raw) -> None:
    """At a launch, numba-cuda works out each array argument's Numba type and memory view
    (pointer, shape, strides), and keeps them on the array object (``cached_property``).
    Working them out once on the pooled buffer lets every handle made from it by
    ``_handle`` start with them, instead of each new handle paying at its first launch
    (an MLP training step: 1.84 ms -> 1.65 ms through numba-cuda 0.30 with the driver
    stubbed out, on the 2-core dev VM). The same goes for the parameters FastLauncher
    passes for the buffer (``launch_params``)."""
    if runtime.SIMULATOR:
        return
    for name in ("_numba_type_", "_strided_memory_view_shim"):
        getattr(raw, name, None)  # numba versions without these caches: nothing is kept
    from . import launcher

    if launcher.ENABLED:
        raw.launch_params = launcher.array_params(raw)


def _handle(raw, free: list):
    """Another Python object for ``raw``'s device memory, which puts ``raw`` back on ``free``
    when it dies. It is a shallow copy of the Numba array object, of a subclass of its class
    (``_handle_class``): about 0.4 us, where ``raw.view()`` would build a new Numba array
    from shape and strides (about 6 us) and watching a copy with ``weakref.finalize`` would
    add 1.5 us, at every allocation."""
    cls = _handle_class(type(raw))
    handle = cls.__new__(cls)
    handle.__dict__.update(raw.__dict__)
    handle._return_to = (free, raw, _lent)
    return handle


@functools.lru_cache(maxsize=None)
def _handle_class(array_class):
    """``array_class`` (Numba's device array, or the simulator's), with a ``__del__`` that
    puts the buffer back on its free list. Numba makes the views of an array with its
    array's class (``type(self)(...)``): those have nothing to return."""

    class PooledBuffer(array_class):
        _return_to = None

        def __del__(self):
            if self._return_to is not None:
                free, raw, lent = self._return_to
                lent.pop(id(raw), None)
                free.append(raw)

    PooledBuffer.__qualname__ = PooledBuffer.__name__ = f"Pooled{array_class.__name__}"
    return PooledBuffer


def keep_alive(derived, buf):
    """Tie ``buf``'s life to ``derived``, a Numba array made from it (e.g. ``buf.view``):
    the pooled buffer must not be reused while ``derived`` still reads it."""
    if POOLING:
        weakref.finalize(derived, id, buf)  # the finalizer holds a reference to buf
    return derived


def empty_cache() -> None:
    """Give the free buffers back to the driver."""
    _free.clear()


@functools.lru_cache(maxsize=4096)
def _shape_info(shape: tuple):
    size = 1
    for s in shape:
        size *= s
    return size, c_strides(shape)


def empty(shape, dtype, device_index: int | None = None) -> DeviceArray:
    """A new C-contiguous array (its values are whatever the memory held)."""
    if device_index is None:
        device_index = runtime.current_device()
    shape = tuple(map(int, shape)) if isinstance(shape, (tuple, list)) else (int(shape),)
    size, strides = _shape_info(shape)
    dtype = np.dtype(dtype)
    buf = _take(max(size, 1), dtype, device_index)
    return DeviceArray._of_parts(buf, 0, shape, strides, dtype, device_index)


def is_flat(a) -> bool:
    """True when ``a``'s elements lie in row-major order from ``a.offset`` on (so element i
    is ``buf[offset + i]``: the kernels' fast path, no strides needed)."""
    return a.estrides == _shape_info(a.shape)[1]


# imported last: these modules use DeviceArray themselves
from . import elementwise, index, layout, matmul, reduce  # noqa: E402
