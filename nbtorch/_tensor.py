"""The Tensor: a backend array plus what autograd needs to know about it.

A Tensor holds

* ``_array``: its data, a numpy array (cpu) or a device array (cuda). Views made by
  ``view``, slicing or ``transpose`` share this memory with their base, as in PyTorch.
* ``_version_counter``: shared by a tensor and all its views, bumped by every in-place
  change, so that backward can refuse a saved tensor that was modified.
* ``requires_grad``, ``grad``, ``grad_fn``: the autograd fields. A tensor made by an
  operation on tensors that require grad has a ``grad_fn`` (the node that made it); a
  tensor made directly by the user is a *leaf*, and its gradient accumulates in ``.grad``.

Operations (``+``, ``exp``, ``sum``, ``view``, ...) are defined in ``nbtorch._ops`` and
bound as methods in ``_tensor_methods.py``.
"""

from __future__ import annotations

import weakref

import numpy as np

from . import _device
from . import _dtype as dt


class VersionCounter:
    """How many times a storage has been changed in place (shared by views)."""

    value = 0  # a class default: a new counter stores nothing until its first change


_new_object = object.__new__  # makes an instance without running __init__ (fast)


class Size(tuple):
    """A tensor's shape: a tuple of ints with ``numel()`` (``torch.Size``). Slicing it, adding
    a tuple to it and repeating it give a Size again, as in PyTorch."""

    def __getitem__(self, index):
        item = tuple.__getitem__(self, index)
        return Size(item) if isinstance(index, slice) else item

    def __add__(self, other):
        return Size(tuple.__add__(self, other)) if isinstance(other, tuple) else NotImplemented

    def __radd__(self, other):
        return Size(other + tuple(self)) if isinstance(other, tuple) else NotImplemented

    def __mul__(self, n):
        return Size(tuple.__mul__(self, n))

    __rmul__ = __mul__

    def numel(self) -> int:
        n = 1
        for s in self:
            n *= s
        return n

    def __repr__(self) -> str:
        return f"nbtorch.Size({list(self)})"


class Tensor:
    """A multi-dimensional array that can record the operations applied to it."""

    # Defaults live on the class: a new tensor only stores what differs (fast to create).
    _requires_grad = False
    _grad = None
    grad_fn = None
    _output_nr = 0
    _base = None
    _views = None  # weak references to views of this non-leaf (see inplace.refresh_views)
    _grad_acc_ref = None
    _hooks = None
    _post_accumulate_hooks = None
    _retains_grad = False
    _tangents = None
    __array_priority__ = 1000  # numpy defers `ndarray + tensor` to Tensor.__radd__

    def __new__(cls, *args, **kwargs):
        """Legacy constructor: ``Tensor(2, 3)`` (uninitialised float32) or ``Tensor(data)``."""
        from ._creation import _legacy_new

        return _legacy_new(cls, dt.get_default_dtype(), *args, **kwargs)

    @classmethod
    def _make(cls, array, requires_grad: bool = False) -> Tensor:
        """Wrap a backend array without copying (the internal constructor)."""
        t = _new_object(cls)
        t._array = array
        t._version_counter = _new_object(VersionCounter)
        if requires_grad:
            t._requires_grad = True
        return t

    # -- basic properties ------------------------------------------------------------------
    @property
    def dtype(self) -> dt.dtype:
        return dt._FROM_NUMPY[self._array.dtype]

    @property
    def shape(self) -> Size:
        return Size(self._array.shape)

    def size(self, dim: int | None = None):
        """The shape, or the length of one dimension."""
        if dim is None:
            return Size(self._array.shape)
        return self._array.shape[_wrap_dim(dim, self._array.ndim, scalar_ok=False)]

    def dim(self) -> int:
        """The number of dimensions (the rank)."""
        return self._array.ndim

    ndim = property(dim)

    def ndimension(self) -> int:
        return self._array.ndim

    def numel(self) -> int:
        """The number of elements."""
        return int(self._array.size)

    nelement = numel

    def element_size(self) -> int:
        """Bytes per element."""
        return self._array.dtype.itemsize

    @property
    def itemsize(self) -> int:
        return self._array.dtype.itemsize

    @property
    def nbytes(self) -> int:
        return self._array.dtype.itemsize * int(self._array.size)

    @property
    def device(self) -> _device.device:
        a = self._array
        return _device.CPU if type(a) is np.ndarray else a.device

    @property
    def is_cuda(self) -> bool:
        return self.device.type == "cuda"

    @property
    def is_cpu(self) -> bool:
        return type(self._array) is np.ndarray

    def is_floating_point(self) -> bool:
        return self._array.dtype.kind == "f"

    @property
    def is_leaf(self) -> bool:
        """True for tensors not made by a recorded operation (their grad goes to ``.grad``)."""
        return self.grad_fn is None

    @property
    def output_nr(self) -> int:
        """Which output of its ``grad_fn`` this tensor is (``x.unbind()[2]`` is output 2);
        0 for a leaf."""
        return self._output_nr

    def is_inference(self) -> bool:
        """Whether this is an inference tensor: always False, since nbtorch's
        ``inference_mode`` only stops recording (like ``no_grad``) and marks no tensor."""
        return False

    @property
    def requires_grad(self) -> bool:
        return self._requires_grad

    @requires_grad.setter
    def requires_grad(self, value: bool) -> None:
        if self.grad_fn is not None:
            raise RuntimeError(
                "you can only change requires_grad flags of leaf variables. If you want to use "
                "a computed variable in a subgraph that doesn't require differentiation use "
                "var_no_grad = var.detach()."
            )
        if value and self._array.dtype.kind != "f":
            raise RuntimeError(
                "Only Tensors of floating point and complex dtype can require gradients"
            )
        self._requires_grad = bool(value)

    def requires_grad_(self, requires_grad: bool = True) -> Tensor:
        """Set ``requires_grad`` in place and return self."""
        self.requires_grad = requires_grad
        return self

    @property
    def grad(self) -> Tensor | None:
        """The gradient ``backward`` accumulated here (None until then). It may be set to
        None or to a tensor of this tensor's shape, dtype and device."""
        return self._grad

    @grad.setter
    def grad(self, value: Tensor | None) -> None:
        if value is not None and (not isinstance(value, Tensor)
                                  or type(value._array) is not type(self._array)
                                  or value._array.shape != self._array.shape
                                  or value._array.dtype != self._array.dtype):
            _check_grad(self, value)  # raises PyTorch's error
        self._grad = value

    @property
    def _version(self) -> int:
        return self._version_counter.value

    @property
    def data(self) -> Tensor:
        """The same storage without autograd history (prefer ``detach()``)."""
        out = Tensor._make(self._array)
        out._version_counter = VersionCounter()  # .data changes are invisible to autograd
        return out

    @data.setter
    def data(self, value: Tensor) -> None:
        if not isinstance(value, Tensor):
            raise TypeError(f"Variable data has to be a tensor, but got {type(value).__name__}")
        self._array = value._array

    @property
    def T(self) -> Tensor:
        """All dimensions reversed (the transpose of a matrix)."""
        return self.permute(*reversed(range(self._array.ndim)))

    @property
    def mT(self) -> Tensor:
        """The last two dimensions swapped."""
        return self.transpose(-2, -1)

    # -- autograd ---------------------------------------------------------------------------
    def backward(self, gradient=None, retain_graph=None, create_graph=False, inputs=None):
        """Compute the gradient of this tensor with respect to the graph's leaves.

        For a scalar, ``gradient`` may be omitted (it is 1). For a non-scalar, ``gradient``
        is the vector v in the vector-Jacobian product v^T J that backward computes.
        """
        from .autograd.engine import backward

        backward(self, gradient, retain_graph, create_graph, inputs=inputs)

    def detach(self) -> Tensor:
        """A tensor sharing this storage, cut from the graph (``requires_grad=False``)."""
        out = Tensor._make(self._array)
        out._version_counter = self._version_counter
        return out

    def detach_(self) -> Tensor:
        """Cut this tensor from the graph in place, making it a leaf."""
        self.grad_fn = None
        self._requires_grad = False
        return self

    def retain_grad(self) -> None:
        """Keep ``.grad`` for a non-leaf tensor too (leaves always keep it)."""
        if not self._requires_grad:
            raise RuntimeError("can't retain_grad on Tensor that has requires_grad=False")
        if self.grad_fn is None or self._retains_grad:
            return
        self._retains_grad = True
        ref = weakref.ref(self)

        def store(grad):
            t = ref()
            if t is not None:
                t.grad = grad.detach() if t.grad is None else t.grad + grad.detach()

        self.grad_fn._register_tensor_hook(self._output_nr, store)

    @property
    def retains_grad(self) -> bool:
        return self._retains_grad

    def register_hook(self, hook):
        """Call ``hook(grad)`` when this tensor's gradient is computed; a returned tensor
        replaces the gradient. Returns a handle with ``remove()``."""
        from .autograd.function import RemovableHandle

        if not self._requires_grad:
            raise RuntimeError("cannot register a hook on a tensor that doesn't require gradient")
        if self.grad_fn is not None:
            return self.grad_fn._register_tensor_hook(self._output_nr, hook)
        if self._hooks is None:
            self._hooks = []
        self._hooks.append(hook)
        return RemovableHandle(self._hooks, hook)

    def register_post_accumulate_grad_hook(self, hook):
        """Call ``hook(tensor)`` after the gradient has been accumulated into this leaf."""
        from .autograd.function import RemovableHandle

        if self._post_accumulate_hooks is None:
            self._post_accumulate_hooks = []
        self._post_accumulate_hooks.append(hook)
        return RemovableHandle(self._post_accumulate_hooks, hook)

    def _gradient_edge(self):
        """Where this tensor's gradient goes: ``(grad_fn, output_nr)``, or its leaf node."""
        if self.grad_fn is not None:
            return (self.grad_fn, self._output_nr)
        acc = self._grad_acc_ref() if self._grad_acc_ref is not None else None
        if acc is None:
            acc = AccumulateGrad(self)
            self._grad_acc_ref = weakref.ref(acc)
        return (acc, 0)

    def _check_inplace(self) -> None:
        """Refuse an in-place change that would break autograd (called by in-place ops)."""
        if self._requires_grad and self.grad_fn is None and _State.grad_enabled:
            raise RuntimeError(
                "a leaf Variable that requires grad is being used in an in-place operation."
            )

    def _bump_version(self) -> None:
        """Record an in-place change (autograd checks the count; see ``_version``)."""
        self._version_counter.value += 1
        if type(self._array) is not np.ndarray:  # a cuda array: its values are no longer
            self._array.forget_values()          # those the host copied (known_range)

    # -- conversion -------------------------------------------------------------------------
    def numpy(self, *, force: bool = False) -> np.ndarray:
        """The data as a numpy array, sharing memory on the CPU."""
        if self._requires_grad and not force:
            raise RuntimeError(
                "Can't call numpy() on Tensor that requires grad. Use tensor.detach().numpy() "
                "instead."
            )
        if type(self._array) is not np.ndarray:
            if not force:
                raise TypeError(
                    f"can't convert {self.device} device type tensor to numpy. Use Tensor.cpu() "
                    "to copy the tensor to host memory first."
                )
            return self.cpu()._array
        return self._array

    def __array__(self, dtype=None, copy=None):
        a = self.detach().cpu()._array
        return a if dtype is None else a.astype(dtype)

    def item(self):
        """The value of a one-element tensor as a Python number."""
        if self._array.size != 1:
            raise RuntimeError(
                f"a Tensor with {self._array.size} elements cannot be converted to Scalar"
            )
        return self.cpu()._array.reshape(()).item()

    def tolist(self):
        """The data as (nested) Python lists of numbers."""
        return self.cpu()._array.tolist()

    def _python_scalar(self):
        """The value behind ``int(x)``, ``float(x)`` and ``complex(x)``: a ValueError (not
        ``item``'s RuntimeError) for a tensor that is not one element, as in PyTorch."""
        if self._array.size != 1:
            raise ValueError("only one element tensors can be converted to Python scalars")
        return self.item()

    def __float__(self) -> float:
        return float(self._python_scalar())

    def __int__(self) -> int:
        return int(self._python_scalar())

    def __index__(self) -> int:
        if self._array.dtype.kind not in "iub" or self._array.size != 1:
            raise TypeError("only integer tensors of a single element can be converted to an index")
        return int(self.item())

    def __bool__(self) -> bool:
        if self._array.size != 1:
            many = "no values" if self._array.size == 0 else "more than one value"
            raise RuntimeError(f"Boolean value of Tensor with {many} is ambiguous")
        return bool(self.item())

    def __len__(self) -> int:
        if self._array.ndim == 0:
            raise TypeError("len() of a 0-d tensor")
        return self._array.shape[0]

    def __iter__(self):
        if self._array.ndim == 0:
            raise TypeError("iteration over a 0-d tensor")
        return (self[i] for i in range(self._array.shape[0]))

    __hash__ = object.__hash__

    def __repr__(self) -> str:
        from ._tensor_str import tensor_repr

        return tensor_repr(self)

    def __format__(self, spec: str) -> str:
        if self._array.ndim == 0 and spec:
            return format(self.item(), spec)
        return repr(self) if not spec else format(str(self), spec)

    def __reduce_ex__(self, protocol):
        return (_rebuild, (self.detach().cpu()._array, self._requires_grad))

    def __deepcopy__(self, memo):
        if not self.is_leaf:
            raise RuntimeError(
                "Only Tensors created explicitly by the user (graph leaves) support the deepcopy "
                "protocol at the moment."
            )
        out = type(self)._make(self._array.copy(), self._requires_grad)
        if type(self) is not Tensor:
            out.__dict__.update({k: v for k, v in self.__dict__.items()
                                 if k not in ("_array", "_version_counter")})
        if self.grad is not None:
            out.grad = self.grad.clone()
        memo[id(self)] = out
        return out


def _check_grad(tensor, grad) -> None:
    """Explain why ``grad`` cannot be ``tensor.grad``."""
    if not isinstance(grad, Tensor):
        raise TypeError("assigned grad expected to be a Tensor or None but got grad of type "
                        f"{type(grad).__name__}")
    if grad.device != tensor.device:
        raise RuntimeError("assigned grad has data located on a different device: "
                           f"{grad.device} (the tensor is on {tensor.device})")
    if grad._array.shape != tensor._array.shape:
        raise RuntimeError(f"attempting to assign a gradient of size '{list(grad.shape)}' to a "
                           f"tensor of size '{list(tensor.shape)}'. Please ensure that the "
                           "gradient and the tensor are the same size")
    raise RuntimeError(f"attempting to assign a gradient with dtype {grad.dtype} to a tensor "
                       f"of dtype {tensor.dtype}. The gradient must match the tensor's dtype")


def _rebuild(array, requires_grad):
    return Tensor._make(array.copy(), requires_grad)


def _wrap_dim(dim: int, ndim: int, scalar_ok: bool = True) -> int:
    """Turn a possibly negative dim into 0..ndim-1, raising IndexError like PyTorch.

    A 0-d tensor takes dim 0 (or -1) as if it had one dim of size 1 (``tensor(2.).sum(0)``),
    except in ops that need a real dim (``size``, ``roll``, ``unbind``: ``scalar_ok=False``).
    """
    if not ndim and not scalar_ok:
        raise IndexError(f"Dimension specified as {dim} but tensor has no dimensions")
    n = max(ndim, 1)
    if not -n <= dim < n:
        raise IndexError(
            f"Dimension out of range (expected to be in range of [{-n}, {n - 1}], but got {dim})"
        )
    return dim + n if dim < 0 else dim


# Imported last: the autograd package imports Tensor from this module.
from .autograd.function import AccumulateGrad  # noqa: E402
from .autograd.grad_mode import _State  # noqa: E402
