"""In-place operations (``add_``, ``mul_``, ``x[i] = v``, ``copy_``, ...).

An in-place op computes the out-of-place result and writes it into the tensor's memory,
then bumps the version counter that the tensor shares with its views. Any backward that
saved the old value notices the new version and refuses to run with a wrong value.

When autograd is recording, the tensor takes over the result's ``grad_fn``: it becomes the
output of the operation. The operation is applied to a clone, so that what backward saved
is the old value, not the memory that is about to change. A change through a view is
recorded as a change of its base (see ``inplace_view``).
"""

from __future__ import annotations

import weakref

import numpy as np

from .. import _dtype as dt
from ..autograd.function import Function, _forward_ad_state
from ..autograd.grad_mode import _State
from ._util import unlock_view
from .inplace_view import CopySlices, geometry, overlaps, view_of


def _is_recording(self, args) -> bool:
    if _has_tangents(self, args):
        return True
    if not _State.grad_enabled:
        return False
    if self._requires_grad:
        return True
    return any(getattr(a, "_requires_grad", False) for a in args)


def _has_tangents(self, args) -> bool:
    """True while forward AD follows ``self`` or an argument (the op must go through its
    Function, so that the tangent is updated too)."""
    return bool(_forward_ad_state.levels) and any(
        getattr(t, "_tangents", None) for t in (self, *args))


def assign_result(self, result) -> None:
    """Write ``result`` into ``self``'s memory and make ``self`` its output for autograd."""
    if result._array.shape != self._array.shape:
        raise RuntimeError(
            f"output with shape {list(self._array.shape)} doesn't match the broadcast shape "
            f"{list(result._array.shape)}"
        )
    src, dst = dt._FROM_NUMPY[result._array.dtype], dt._FROM_NUMPY[self._array.dtype]
    if src.category > dst.category:
        from .pointwise import type_name

        raise RuntimeError(
            f"result type {type_name(result._array)} can't be cast to the desired output type "
            f"{type_name(self._array)}"
        )
    base = self._base
    if base is not None and ((_State.grad_enabled and (result._requires_grad
                                                       or base._requires_grad))
                             or result._tangents or base._tangents):
        _write_through_view(self, result)
        return
    if not result._requires_grad and ((self.grad_fn is not None and _State.grad_enabled)
                                      or (self._tangents and not result._tangents)):
        result = Overwrite.apply(self, result)  # the old history: zero gradient and tangent
    writable(self)[...] = result._array
    self._bump_version()
    if self._tangents or result._tangents:  # forward AD: self takes the result's tangents
        from ..autograd.forward_ad import copy_tangents

        self._tangents = None
        copy_tangents(result, self)
    if result._requires_grad:
        self.grad_fn = result.grad_fn
        self._output_nr = result._output_nr
        self._requires_grad = True
    if self._views:  # views that autograd follows follow the change too
        refresh_views(self)


OVERLAP_MESSAGE = (
    "unsupported operation: more than one element of the written-to tensor refers to a single "
    "memory location. Please clone() the tensor before performing the operation.")


def writable(self, same_value: bool = False):
    """The array an in-place op on ``self`` writes into.

    In an expanded tensor several elements are one memory location (a dim of stride 0).
    PyTorch refuses an in-place op there, since which value would win is unclear, unless
    every element gets the same value (``fill_``, ``zero_``: ``same_value``); then one
    element per location is written. (numpy marks expanded memory read-only: the array is
    unlocked where writing is allowed.)"""
    a = self._array
    if type(a) is np.ndarray:
        if a.flags.writeable:
            return a
    elif 0 not in a.estrides:  # a cuda array: nothing marks expanded memory
        return a
    shared = [n > 1 and st == 0 for n, st in zip(a.shape, a.strides)]
    if any(shared):
        if not same_value:
            raise RuntimeError(OVERLAP_MESSAGE)
        a = a[tuple(slice(0, 1) if s else slice(None) for s in shared)]
    return unlock_view(a) if type(a) is np.ndarray else a


def _write_through_view(view, result) -> None:
    """Write ``result`` into ``view`` as autograd sees it: as a change of the view's base
    (``CopySlices``), after which ``view`` is a fresh view of the changed base (see
    ``inplace_view``)."""
    base = view._base
    if base._requires_grad and base.grad_fn is None:
        raise RuntimeError(
            "a view of a leaf Variable that requires grad is being used in an in-place "
            "operation.")
    geom = geometry(view._array, base._array)
    if geom is not None and overlaps(geom[0], geom[1]):
        raise RuntimeError(OVERLAP_MESSAGE)
    if geom is None:
        raise RuntimeError(
            "nbtorch cannot record an in-place operation on this view of a tensor that "
            "requires grad: the base's elements are not laid out one after the other "
            "(C-contiguous). Use an out-of-place operation, or .contiguous() the base first.")
    assign_result(base, CopySlices.apply(base, result, geom))  # refreshes base's views
    _refresh(view, base)


def _refresh(view, base) -> None:
    """Make ``view`` a fresh view of ``base`` for autograd (after ``base`` changed in
    place), or, when its geometry cannot be expressed, one whose backward raises."""
    geom = geometry(view._array, base._array)
    fresh = view_of(base, geom) if geom else OutdatedView.apply(base)
    if fresh._requires_grad:
        view.grad_fn, view._output_nr, view._requires_grad = fresh.grad_fn, 0, True
    if fresh._tangents or view._tangents:  # forward AD: the view's tangent follows too
        from ..autograd.forward_ad import copy_tangents

        view._tangents = None
        copy_tangents(fresh, view)
    if base._views is None:
        base._views = []
    base._views.append(weakref.ref(view))


class OutdatedView(Function):
    """The history of a view whose base changed in place, when nbtorch cannot rebuild it as
    a view of the new base (see ``_refresh``): its values follow the base, but its old
    ``grad_fn`` leads to the base's old history, so backward raises instead of giving a
    wrong gradient."""

    @staticmethod
    def forward(ctx, base):
        return base._array

    @staticmethod
    def backward(ctx, grad):
        raise RuntimeError(
            "a view of a tensor was used after an in-place operation changed that tensor; "
            "nbtorch cannot compute its gradient: take the view again after the in-place "
            "operation (e.g. z = y[0] after y.mul_(2), not before)")

    @staticmethod
    def jvp(ctx, t):
        return t  # the view's values follow the base's


def refresh_views(base) -> None:
    """Make the views of ``base`` (a non-leaf just changed in place) views of its new
    value for autograd. Views register with their base when they are made
    (``function._wrap_output``); PyTorch rebuilds them too."""
    views, base._views = base._views, None
    for ref in views:
        view = ref()
        if view is not None and (view.grad_fn is not None or view._tangents):
            _refresh(view, base)


class Overwrite(Function):
    """The new value of a tensor that an in-place op filled with values that do not depend on
    its old ones (``zero_``, ``fill_``, ``normal_``, ``copy_`` from a constant). Its old
    history gets a zero gradient, as in PyTorch. Without this node the tensor would keep its
    old ``grad_fn``, and backward would send gradients to values that are gone."""

    @staticmethod
    def forward(ctx, old, new):
        return new._array

    @staticmethod
    def backward(ctx, grad):
        return grad.new_zeros(grad.shape), grad if ctx.needs_input_grad[1] else None

    @staticmethod
    def jvp(ctx, t_old, t_new):
        return t_new if t_new is not None else t_old.new_zeros(t_old.shape)


def make_inplace(fn, name: str):
    """Build ``name`` (e.g. ``add_``) from the out-of-place ``fn`` (e.g. ``add``)."""

    def op_(self, *args, **kwargs):
        if _is_recording(self, args):
            self._check_inplace()
            assign_result(self, fn(self.clone(), *args, **kwargs))
        else:
            assign_result(self, fn(self, *args, **kwargs))
        return self

    op_.__name__ = name
    op_.__doc__ = f"In-place version of ``{fn.__name__}``: changes the tensor and returns it."
    return op_


def copy_into_out(out, result):
    """Implement the ``out=`` argument: store ``result`` in ``out``'s tensor."""
    if out._array.shape == result._array.shape:
        out._array[...] = result._array
    else:
        out._array = result._array.copy()
    out._bump_version()
    return out


def copy_(self, src, non_blocking: bool = False):
    """Copy ``src``'s values (broadcast, converted to this dtype and device) into self."""
    from .._tensor import Tensor

    if not isinstance(src, Tensor):
        raise TypeError(f"copy_(): argument 'src' must be Tensor, not {type(src).__name__}")
    if _is_recording(self, (src,)):
        self._check_inplace()
        assign_result(self, src.to(self.dtype).to(self.device).expand(self.shape).clone())
        return self
    value = src._array
    if type(value) is not type(self._array):
        value = src.to(self.device)._array
    try:
        writable(self)[...] = value
    except ValueError:
        raise RuntimeError(
            f"The size of tensor a ({list(self._array.shape)}) must match the size of tensor b "
            f"({list(src._array.shape)})"
        ) from None
    self._bump_version()
    return self


def apply_(self, callable):
    """Replace every element ``v`` by ``callable(v)`` (a Python function of a number), in
    place. A plain Python loop: slow, CPU only, and not recorded by autograd."""
    if self.device.type != "cpu":
        raise TypeError("apply_ is only implemented on CPU tensors")
    if self._requires_grad:
        raise RuntimeError("Can't call apply_() on Variable that requires grad. Use "
                           "var.detach().apply_() instead.")
    flat = self._array.reshape(-1)  # a view, or a copy when the tensor is not contiguous
    for i, v in enumerate(flat.tolist()):
        flat[i] = callable(v)
    self._array[...] = flat.reshape(self._array.shape)
    self._bump_version()
    return self


def map_(self, tensor, callable):
    """Replace every element ``v`` by ``callable(v, w)``, with ``w`` the element of ``tensor``
    (broadcast to this shape, of this dtype) at the same place, in place. Like ``apply_``: a
    Python loop, CPU only, not recorded by autograd."""
    return _map_elements("map_", self, (tensor,), callable)


def map2_(self, x, y, callable):
    """``map_`` with two tensors: every element ``v`` becomes ``callable(v, a, b)``."""
    return _map_elements("map2_", self, (x, y), callable)


def _map_elements(name, self, others, callable):
    from .._tensor import Tensor

    for i, other in enumerate(others):
        if not isinstance(other, Tensor):
            raise TypeError(f"{name}(): argument '{'other' if len(others) == 1 else 'xy'[i]}' "
                            f"(position {i + 1}) must be Tensor, not {type(other).__name__}")
    if any(t._requires_grad for t in (self, *others)):
        raise RuntimeError(f"Can't call {name}() on Variable that requires grad. Use "
                           f"var.detach().{name}() instead.")
    if any(t.device.type != "cpu" for t in (self, *others)):
        raise TypeError(f"{name} is only implemented on CPU tensors")
    for other in others:
        if other.dtype is not self.dtype:
            raise TypeError(f"{name}: expected {self.type()} for 'other' (got {other.type()})")
    columns = [other.expand(self.shape)._array.reshape(-1).tolist() for other in others]
    flat = self._array.reshape(-1)  # a view, or a copy when the tensor is not contiguous
    for i, values in enumerate(zip(flat.tolist(), *columns)):
        flat[i] = callable(*values)
    self._array[...] = flat.reshape(self._array.shape)
    self._bump_version()
    return self


__all__: list = []

TENSOR_METHODS = {"copy_": copy_, "apply_": apply_, "map_": map_, "map2_": map2_}
