"""Forward-mode automatic differentiation (前向模式自动微分) with dual tensors.

A *dual tensor* carries a primal value x and a tangent (切线) x' = dx/ds, the derivative of x
along one chosen direction s. Every operation then computes its output and, with its ``jvp``
rule, the output's tangent: for y = f(x), y' = J_f(x) x' (a Jacobian-vector product). One
forward pass gives the directional derivative of every output; no graph is kept.

    with forward_ad.dual_level():
        x = forward_ad.make_dual(x, v)          # seed the tangent v
        y = f(x)
        y_value, jv = forward_ad.unpack_dual(y) # jv = J_f(x) v

How it works here: ``Function.apply`` calls :func:`_propagate_tangents` after forward while
a level is open. Tangents live on the tensor, ``tensor._tangents = {level: tangent}``.

Levels. Each ``dual_level()`` has its own tangents. Levels can be nested by the function
transforms (``nbtorch.func.jacfwd(jacfwd(f))``): the tangent rule at level L is computed with
only the levels *below* L switched on, so tangents of tangents at lower levels give second
derivatives while a level never differentiates its own tangents. The public ``dual_level``
refuses to nest, as PyTorch's does.
"""

from __future__ import annotations

import contextlib
import itertools
import weakref
from collections import namedtuple

import numpy as np

from .function import Function, _forward_ad_state, _SavedConstant, _SavedInput, _SavedOutput

UnpackedDualTensor = namedtuple("UnpackedDualTensor", ["primal", "tangent"])
UnpackedDualTensor.__doc__ = "What ``unpack_dual`` returns: the value and its tangent (or None)."

_next_level = itertools.count()  # level ids are never reused, so a stale tangent is never read
_holders: dict = {}  # level -> weak references to the tensors that hold a tangent at it


# -- levels ----------------------------------------------------------------------------------


def enter_dual_level() -> int:
    """Open a new forward-AD level and return its id (prefer ``with dual_level():``)."""
    if _forward_ad_state.levels:
        raise RuntimeError("Nested forward mode AD is not supported at the moment")
    return _enter_level()


def exit_dual_level(*, level: int | None = None) -> None:
    """Close the innermost level: every tangent it gave to a tensor is dropped."""
    levels = _forward_ad_state.levels
    if level is None:
        if not levels:
            raise RuntimeError("Trying to exit a forward AD level but no level is open.")
        level = levels[-1]
    if not levels or levels[-1] != level:
        raise RuntimeError("Trying to exit a forward AD level that was not the last one that "
                           "was created. This is not supported.")
    _forward_ad_state.levels = levels[:-1]
    for ref in _holders.pop(level):
        t = ref()
        if t is not None and t._tangents:
            t._tangents.pop(level, None)


def _enter_level() -> int:
    """Open a level, nested inside the open ones (used by ``nbtorch.func``)."""
    level = next(_next_level)
    _holders[level] = []
    _forward_ad_state.levels = [*_forward_ad_state.levels, level]
    return level


class dual_level(contextlib.ContextDecorator):
    """Context manager (or decorator) for one forward-AD level.

    Dual tensors made inside carry tangents only until the block ends::

        with dual_level():
            y = f(make_dual(x, v))
            jvp = unpack_dual(y).tangent
    """

    def __enter__(self) -> int:
        return enter_dual_level()

    def __exit__(self, *exc) -> bool:
        exit_dual_level()
        return False


# -- dual tensors ----------------------------------------------------------------------------


class _Alias(Function):
    """The tensor itself as a new view: gradients and other levels' tangents pass through."""

    _view_of_input = True

    @staticmethod
    def forward(ctx, x):
        return x._array

    @staticmethod
    def backward(ctx, grad):
        return grad

    @staticmethod
    def jvp(ctx, tangent):
        return tangent


def _current_level(level: int | None, action: str) -> int:
    if level is not None:
        return level
    if not _forward_ad_state.levels:
        raise RuntimeError(f"Trying to {action} for forward AD but no level exists, make sure "
                           "to enter_dual_level() first.")
    return _forward_ad_state.levels[-1]


def make_dual(tensor, tangent, *, level: int | None = None):
    """A view of ``tensor`` whose tangent (its derivative along the chosen direction) is
    ``tangent``. Operations on it compute tangents too, until the level is exited.

    Backward still works through it: gradients flow to ``tensor``.
    """
    level = _current_level(level, "create a dual Tensor")
    if level not in _holders:
        raise RuntimeError(f"Trying to create a dual Tensor at level {level}, which is not open.")
    for name, t in (("primal", tensor), ("tangent", tangent)):
        if not t.is_floating_point():
            raise ValueError(f"Expected {name} to be floating point or complex, but got: "
                             f"{t.dtype}")
    if tangent.shape != tensor.shape:
        raise RuntimeError(
            "Trying to set a forward gradient that has a different size than that of the "
            f"original Tensor, this is not supported. Tensor is of size {list(tensor.shape)} "
            f"while the given forward gradient is of size {list(tangent.shape)}."
        )
    dual = _Alias.apply(tensor)
    if not tensor._requires_grad and not tensor._tangents:
        # As in PyTorch, the dual is the base of its own views for forward AD: an in-place
        # change through one of them (``dual[0].mul_(2)``) updates the dual's tangent, and
        # never gives ``tensor`` one. (It still shares ``tensor``'s memory and version.)
        dual._base = None
    _set_tangent(dual, level, tangent)
    return dual


def unpack_dual(tensor, *, level: int | None = None) -> UnpackedDualTensor:
    """``(primal, tangent)``: the value as a tensor without this level's tangent, and the
    tangent (None if the tensor has none at this level, or no level is open)."""
    if level is None:
        if not _forward_ad_state.levels:
            return UnpackedDualTensor(tensor, None)
        level = _forward_ad_state.levels[-1]
    tangent = get_tangent(tensor, level)
    if tangent is None:
        return UnpackedDualTensor(tensor, None)
    primal = _Alias.apply(tensor)
    primal._tangents.pop(level, None)
    return UnpackedDualTensor(primal, tangent)


def get_tangent(tensor, level: int):
    """The tangent ``tensor`` carries at ``level``, or None."""
    tangents = getattr(tensor, "_tangents", None)
    return tangents.get(level) if tangents else None


def _set_tangent(tensor, level: int, tangent) -> None:
    if tensor._tangents is None:
        tensor._tangents = {}
    tensor._tangents[level] = tangent
    _holders[level].append(weakref.ref(tensor))


def copy_tangents(src, dst) -> None:
    """Give ``dst`` the tangents ``src`` has at the open levels (``dst`` equals ``src``)."""
    for level in _forward_ad_state.levels:
        t = get_tangent(src, level)
        if t is not None:
            _set_tangent(dst, level, t)


def detach_dual(tensor):
    """``tensor.detach()`` that keeps the forward-mode tangents (themselves detached):
    cut from the reverse graph only. (``detach()`` drops tangents, as in PyTorch.)"""
    out = tensor.detach()
    for level in _forward_ad_state.levels:
        t = get_tangent(tensor, level)
        if t is not None:
            _set_tangent(out, level, detach_dual(t))
    return out


# -- propagation: called by Function.apply after forward ---------------------------------------


def _propagate_tangents(cls, ctx, args, raw_outputs, outputs) -> None:
    """Give the outputs of ``cls`` their tangents at every open level, by its ``jvp`` rule."""
    levels = _forward_ad_state.levels
    for out in outputs:
        out._tangents = None  # a custom forward made of Tensor ops leaves no stale tangents
    saved = None
    for i, level in enumerate(levels):
        tangents = [_tangent_of_arg(a, level) for a in args]
        if all(t is None for t in tangents):
            continue
        differentiable = [o._array.dtype.kind == "f" and not _is_marked(ctx, r)
                          for o, r in zip(outputs, raw_outputs)]
        if not any(differentiable):
            return
        if saved is None:
            saved = _saved_for_jvp(ctx, raw_outputs, outputs)
        result = _run_jvp(cls, ctx, tangents, saved, levels[:i])
        if not isinstance(result, tuple):
            result = (result,)
        for out, t, ok in zip(outputs, result, differentiable):
            if ok and t is not None:
                _set_tangent(out, level, _fit(t, out))
    if saved is not None and ctx._saved:
        # Backward may unpack a saved output (exp saves exp(x)): it must bring its tangents,
        # or forward-over-reverse (a Hessian) would miss the output's own derivative.
        ctx._saved = [_SavedDualOutput(s, outputs[s.index]) if isinstance(s, _SavedOutput)
                      else s for s in ctx._saved]


def _tangent_of_arg(arg, level):
    if isinstance(arg, (list, tuple)):  # ops taking a sequence of tensors (cat, stack)
        ts = [get_tangent(a, level) for a in arg]
        return None if all(t is None for t in ts) else ts
    return get_tangent(arg, level)


def _is_marked(ctx, raw) -> bool:
    return any(raw is n for n in ctx._non_differentiable)


def _run_jvp(cls, ctx, tangents, saved, lower_levels):
    """Call the jvp rule with only the lower levels on; ``ctx.saved_tensors`` gives ``saved``."""
    if cls.jvp is Function.jvp and cls.__module__.startswith("nbtorch."):
        raise NotImplementedError(
            f"Trying to use forward AD with {cls.__name__} that does not support it because it "
            "has not been implemented yet."
        )
    state, to_save = ctx._saved, ctx._to_save
    ctx._saved, ctx._to_save = None, saved  # saved_tensors of an unrecorded ctx: _to_save
    levels = _forward_ad_state.levels
    _forward_ad_state.levels = lower_levels
    try:
        return cls.jvp(ctx, *tangents)
    finally:
        _forward_ad_state.levels = levels
        ctx._saved, ctx._to_save = state, to_save


def _saved_for_jvp(ctx, raw_outputs, outputs) -> tuple:
    """What the jvp rule reads as ``ctx.saved_tensors``, as Tensors: the tensors given to
    ``save_for_forward`` if any, else those for backward, with saved outputs being the output
    tensors themselves (they carry the tangents of lower levels)."""
    from .._tensor import Tensor

    if ctx.saved_for_forward is not None:
        items = ctx.saved_for_forward
    elif ctx._saved is not None:
        items = [_unpack_now(s, outputs) for s in ctx._saved]
    else:
        items = ctx._to_save
    result = []
    for item in items:
        if item is not None and not isinstance(item, Tensor):
            index = next((k for k, r in enumerate(raw_outputs) if r is item), None)
            item = Tensor._make(np.asarray(item)) if index is None else outputs[index]
        result.append(item)
    return tuple(result)


def _unpack_now(s, outputs):
    if isinstance(s, _SavedOutput):
        return outputs[s.index]
    if isinstance(s, _SavedInput):
        return s.tensor
    if isinstance(s, _SavedConstant):
        return s.array
    return s


def _fit(tangent, out):
    """The tangent with the output's shape and dtype (a rule may return it unbroadcast)."""
    from .._tensor import Tensor

    if not isinstance(tangent, Tensor):
        tangent = Tensor._make(np.full(out._array.shape, tangent, dtype=out._array.dtype))
    if tangent._array.shape != out._array.shape:
        tangent = tangent.expand(out.shape)
    if tangent._array.dtype != out._array.dtype:
        tangent = tangent.to(out.dtype)
    return tangent


class _SavedDualOutput:
    """A saved output that, unpacked in backward, carries the output's tangents again."""

    __slots__ = ("saved", "tangents")

    def __init__(self, saved, output):
        self.saved = saved
        self.tangents = output._tangents  # the same dict: exiting a level clears both

    def unpack(self, node):
        t = self.saved.unpack(node)
        t._tangents = self.tangents
        return t


# -- Jacobians by forward mode (used by gradcheck(check_forward_ad=True)) -----------------------


def forward_jacobian(func, inputs) -> list:
    """Per (differentiable input, output) pair, the Jacobian as a numpy array, one column per
    forward pass: seed input element j with tangent 1 (all else 0) and read every output's
    tangent, which is column j."""
    from .._creation import zeros_like
    from .._tensor import Tensor
    from .gradcheck import _differentiable_inputs, _outputs

    which = _differentiable_inputs(inputs)
    outs = _outputs(func, inputs)
    jac = [[np.zeros((o.numel(), inputs[i].numel())) for o in outs] for i in which]
    for k, i in enumerate(which):
        x = inputs[i]
        for j in range(x.numel()):
            seed = zeros_like(x)
            seed._array.reshape(-1)[j] = 1
            with dual_level():
                args = list(inputs)
                args[i] = make_dual(x, seed)
                results = [o for o in _as_tuple(func(*args)) if isinstance(o, Tensor)]
                for m, y in enumerate(results):
                    t = unpack_dual(y).tangent
                    if t is not None:
                        jac[k][m][:, j] = t.detach()._array.astype(np.float64).reshape(-1)
    return jac


def _as_tuple(x):
    return tuple(x) if isinstance(x, (tuple, list)) else (x,)


__all__ = ["UnpackedDualTensor", "dual_level", "enter_dual_level", "exit_dual_level",
           "make_dual", "unpack_dual"]
