"""``Function``: the one kind of object behind every differentiable operation.

A Function has a ``forward(ctx, *args)`` that computes the result and a
``backward(ctx, *grad_outputs)`` that turns the gradient of the result into
gradients of the inputs (a vector-Jacobian product). ``jvp(ctx, *tangents)`` is the
forward-mode rule. Built-in ops (``nbtorch._ops``) are Functions too: their forward
works on backend arrays and returns arrays, their backward is written in Tensor ops,
so that the backward pass can itself be differentiated (``create_graph=True``).

``Function.apply`` runs forward and, when grad mode is on and an input requires grad,
records a ``BackwardNode`` in the graph. The node is also the ``ctx`` forward saw: it
keeps the saved tensors, and its ``next_functions`` are the edges to the nodes that
made the inputs (an ``AccumulateGrad`` for a leaf).
"""

from __future__ import annotations

import sys
import traceback
import weakref

import numpy as np

from .._tensor import Tensor, VersionCounter, _new_object
from .grad_mode import _State

_FREED = (
    "Trying to backward through the graph a second time (or directly access saved tensors "
    "after they have already been freed). Saved intermediate values of the graph are freed "
    "when you call .backward() or autograd.grad(). Specify retain_graph=True if you need to "
    "backward through the graph a second time or if you need to access saved tensors after "
    "calling backward."
)


class RemovableHandle:
    """Returned by ``register_hook``; ``handle.remove()`` takes the hook away again."""

    def __init__(self, hooks: list, hook):
        self._hooks = hooks
        self._hook = hook

    def remove(self) -> None:
        if self._hook in self._hooks:
            self._hooks.remove(self._hook)


class _SavedInput:
    """A saved input tensor and the version it had, to detect later in-place changes."""

    __slots__ = ("tensor", "version")

    def __init__(self, tensor):
        self.tensor = tensor
        self.version = tensor._version_counter.value

    def unpack(self, node):
        t = self.tensor
        if t._version_counter.value != self.version:
            _raise_modified(t, node, t._version_counter.value, self.version)
        return t


class _SavedOutput:
    """A saved output of the node itself, kept as an array so that output and node do not
    point at each other. Unpacked under ``create_graph`` it is re-attached to the node, so
    a second differentiation sees that it depends on the inputs."""

    __slots__ = ("array", "counter", "version", "index", "differentiable")

    def __init__(self, tensor, index):
        self.array = tensor._array
        self.counter = tensor._version_counter
        self.version = self.counter.value
        self.index = index
        self.differentiable = tensor._requires_grad

    def unpack(self, node):
        t = Tensor._make(self.array)
        t._version_counter = self.counter
        if self.counter.value != self.version:
            _raise_modified(t, node, self.counter.value, self.version, self.index)
        if self.differentiable and _State.grad_enabled:
            t._requires_grad = True
            t.grad_fn = node
            t._output_nr = self.index
        return t


class _SavedConstant:
    """A saved backend array that is not a tensor (an index, a mask): no grad, no version."""

    __slots__ = ("array",)

    def __init__(self, array):
        self.array = array

    def unpack(self, node):
        return Tensor._make(self.array)


def _raise_modified(t, node, now, expected, output_nr=None):
    which = "" if output_nr is None else f", which is output {output_nr} of {node.name()},"
    raise RuntimeError(
        "one of the variables needed for gradient computation has been modified by an inplace "
        f"operation: [{t.dtype.name} tensor {list(t.shape)}]{which} is at version {now}; "
        f"expected version {expected} instead. Hint: compute the value out of place (for "
        "example `y = y * 2` instead of `y *= 2`), or `.clone()` it before changing it."
    )


_NO_GRAD_EDGE = (None, 0, None, None)  # the edge of a tensor input that does not require grad
# The backends' array types: a forward returning a fresh one of these gets it wrapped as the
# output Tensor directly (the cuda backend adds its DeviceArray when it is first loaded).
ARRAY_TYPES = {np.ndarray}
_NEEDS: dict = {}  # needs_input_grad tuples, (True, False) -> the one shared (True, False)


def _pack(item, raw_outputs, outputs):
    """Wrap one ``save_for_backward`` item: an output, an input tensor, or a constant."""
    if item is None:
        return None
    for i, r in enumerate(raw_outputs):
        if r is item:
            return _SavedOutput(outputs[i], i)
    if isinstance(item, Tensor):
        return _SavedInput(item)
    return _SavedConstant(item)


class BackwardNode:
    """A recorded operation in the graph: the ``grad_fn`` of its outputs and the ``ctx`` of
    its forward. Students may store anything on it (``ctx.shape = x.shape``)."""

    # Defaults on the class keep node creation cheap (one per op call).
    _to_save = ()
    _saved = None
    _freed = False
    _non_differentiable = ()
    _materialize_grads = True
    _tensor_hooks = None
    saved_for_forward = None
    needs_input_grad = ()
    _edges = ()
    _output_meta = (None,)  # one entry per output; (shape, dtype) kept when there are several

    def __init__(self, fn):
        self._fn = fn

    # -- the ctx interface used inside forward -------------------------------------------
    def save_for_backward(self, *tensors) -> None:
        """Keep tensors (inputs or outputs) for backward; read them with ``saved_tensors``."""
        self._to_save = tensors

    def save_for_forward(self, *tensors) -> None:
        """Keep tensors for the forward-mode rule ``jvp``."""
        self.saved_for_forward = tensors

    def mark_non_differentiable(self, *outputs) -> None:
        """Declare outputs (indices, masks) that never get a gradient."""
        self._non_differentiable = outputs

    def set_materialize_grads(self, value: bool) -> None:
        """With False, backward receives None (not zeros) for outputs that got no gradient."""
        self._materialize_grads = value

    @property
    def saved_tensors(self) -> tuple:
        """The tensors given to ``save_for_backward``, checked for in-place changes."""
        if self._freed:
            raise RuntimeError(_FREED)
        if self._saved is None:  # not recorded: forward ran with grad disabled
            return tuple(self._to_save)
        unpacked = []
        for s in self._saved:
            if s.__class__ is _SavedInput and s.tensor._version_counter.value == s.version:
                unpacked.append(s.tensor)  # the common case: an unchanged input, no call
            else:
                unpacked.append(None if s is None else s.unpack(self))
        return tuple(unpacked)

    # -- the graph interface -------------------------------------------------------------
    @property
    def next_functions(self) -> tuple:
        """``(node, output_nr)`` per tensor input: where each input's gradient goes next."""
        return tuple(e[:2] for e in self._edges if e is not None)

    def name(self) -> str:
        """``MulBackward0`` for the built-in ``Mul``, ``MyFnBackward`` for a user Function."""
        suffix = "0" if self._fn.__module__.startswith("nbtorch._ops") else ""
        return f"{self._fn.__name__}Backward{suffix}"

    def __repr__(self) -> str:
        return f"<{self.name()} object at {hex(id(self))}>"

    def _register_tensor_hook(self, output_nr: int, hook) -> RemovableHandle:
        if self._tensor_hooks is None:
            self._tensor_hooks = {}
        hooks = self._tensor_hooks.setdefault(output_nr, [])
        hooks.append(hook)
        return RemovableHandle(hooks, hook)

    def _record(self, args, raw_outputs, outputs) -> None:
        """Connect this node to the graph after forward (only when it needs a gradient).

        For every argument, one edge ``(node, output_nr, shape, dtype)``: where its gradient
        goes next, and the shape and dtype that gradient must have (``_NO_GRAD_EDGE`` for a
        tensor that needs none, None for a non-tensor). This runs once per recorded op, so
        it is written for speed: every object it keeps is one more for Python's garbage
        collector to scan while the graph is alive.
        """
        edges, needs = [], []
        for a in args:
            if isinstance(a, Tensor):
                if a._requires_grad:
                    fn = a.grad_fn  # inlined a._gradient_edge() for the usual non-leaf input
                    nr = a._output_nr
                    if fn is None:
                        fn, nr = a._gradient_edge()
                    array = a._array
                    edges.append((fn, nr, array.shape, array.dtype))
                    needs.append(True)
                    continue
                edges.append(_NO_GRAD_EDGE)
            else:
                edges.append(None)
            needs.append(False)
        self._edges = edges
        needs = tuple(needs)
        self.needs_input_grad = _NEEDS.setdefault(needs, needs)  # one shared tuple per pattern
        if len(outputs) > 1:
            self._output_meta = [(t._array.shape, t._array.dtype) for t in outputs]

        non_diff = self._non_differentiable
        for i, t in enumerate(outputs):
            if t._array.dtype.kind == "f" and not (
                    non_diff and any(raw_outputs[i] is n for n in non_diff)):
                t._requires_grad = True
                t.grad_fn = self
                t._output_nr = i
        if self._to_save:
            saved = []
            for item in self._to_save:
                if isinstance(item, Tensor) and not any(item is r for r in raw_outputs):
                    entry = _new_object(_SavedInput)  # the common case: _SavedInput(item),
                    entry.tensor = item  # written out to save a call per saved tensor
                    entry.version = item._version_counter.value
                    saved.append(entry)
                else:
                    saved.append(_pack(item, raw_outputs, outputs))
            self._saved = saved
            self._to_save = ()
        if _State.anomaly:
            self._forward_trace = "".join(traceback.format_stack()[:-3])

    def _release(self) -> None:
        """Free the saved tensors after backward (unless ``retain_graph``)."""
        if self._saved:
            self._saved = None
            self._freed = True
        if self.saved_for_forward is not None:
            self.saved_for_forward = None


def _only_the_engine_holds(grad) -> bool:
    """True when ``grad`` and its memory are referenced by nothing but the engine's bookkeeping,
    so ``.grad`` may take the array over instead of copying it (PyTorch asks the same question:
    ``use_count() == 1``). A gradient the user passed to ``backward``, one sent to two leaves,
    a view, or a read-only broadcast all fail the test and are copied.

    Python's reference counts answer it: the array is held only by ``grad`` (3 = that field,
    the local ``a`` and ``getrefcount``'s argument), and ``grad`` only by the engine's buffer,
    ``accumulate``'s argument, this function's argument and ``getrefcount``'s (4). Any other
    holder makes a count larger, so a mistake here can only cost a copy, never share memory.
    A cuda array must also be the only user of its device buffer ``buf`` (views share it:
    2 = the array's field and ``getrefcount``'s argument) and cover all of it.
    """
    if sys.getrefcount(grad) != 4:
        return False
    a = grad._array
    if type(a) is np.ndarray:
        return (a.base is None and a.flags.writeable and a.flags.c_contiguous
                and sys.getrefcount(a) == 3)
    return (sys.getrefcount(a) == 3 and sys.getrefcount(a.buf) == 2 and a.offset == 0
            and a.buf.size == a.size and a.flags.c_contiguous)


class AccumulateGrad:
    """The node at a leaf: adds the arriving gradient into ``variable.grad``."""

    _edges = ()
    next_functions = ()
    _output_meta = (None,)
    _saved = None
    _tensor_hooks = None  # a leaf's hooks live on the tensor (``variable._hooks``)

    def __init__(self, variable):
        self.variable = variable

    def name(self) -> str:
        return "AccumulateGrad"

    def __repr__(self) -> str:
        return f"<AccumulateGrad object at {hex(id(self))}>"

    def accumulate(self, grad, create_graph: bool) -> None:
        v = self.variable
        for hook in v._hooks or ():
            new = hook(grad)
            if new is not None:
                grad = new
        if v.grad is None:
            if create_graph:
                v.grad = grad
            elif _only_the_engine_holds(grad):
                v.grad = Tensor._make(grad._array)  # take it over: nobody else can see it
            else:
                v.grad = Tensor._make(grad._array.copy())  # shared (or a view): copy it
        elif create_graph or v.grad.requires_grad:
            v.grad = v.grad + grad
        else:
            v.grad._array += grad._array
        for hook in v._post_accumulate_hooks or ():
            hook(v)


class _FunctionMeta(type):
    """Gives every Function subclass a ``vjp`` alias of its ``backward``, as PyTorch does."""

    def __init__(cls, name, bases, attrs):
        if "backward" in attrs:
            cls.vjp = attrs["backward"]
        super().__init__(name, bases, attrs)


class Function(metaclass=_FunctionMeta):
    """Base class for differentiable operations with a hand-written backward.

    Subclass it with two static methods and call ``MyFn.apply(x, ...)``::

        class Square(Function):
            @staticmethod
            def forward(ctx, x):
                ctx.save_for_backward(x)
                return x * x

            @staticmethod
            def backward(ctx, grad_out):
                (x,) = ctx.saved_tensors
                return 2 * x * grad_out

    ``backward`` returns one gradient per forward argument (None for non-tensors).
    """

    @staticmethod
    def forward(ctx, *args):
        raise NotImplementedError("You must implement the forward function for custom Function.")

    @staticmethod
    def backward(ctx, *grad_outputs):
        raise NotImplementedError("You must implement the backward function for custom Function.")

    @staticmethod
    def jvp(ctx, *tangents):
        raise NotImplementedError(
            "You must implement the jvp function for custom autograd.Function to use it with "
            "forward mode AD."
        )

    _view_of_input = False  # True for ops whose output is a view of their first argument

    @classmethod
    def apply(cls, *args):
        """Run ``forward`` and record the operation for backward when needed."""
        ctx = _new_object(BackwardNode)  # no __init__ to run: a fast C-level creation
        ctx._fn = cls
        requires_grad = False
        if _State.grad_enabled:
            for a in args:
                if isinstance(a, Tensor) and a._requires_grad:
                    requires_grad = True
                    break
            # forward itself is never recorded (a custom forward may use Tensor ops)
            _State.grad_enabled = False
            try:
                raw = cls.forward(ctx, *args)
            except ValueError as e:
                raise _as_broadcast_error(e, args) from None
            except AttributeError as e:
                raise _as_type_error(cls, e, args) from None
            finally:
                _State.grad_enabled = True
        else:
            try:
                raw = cls.forward(ctx, *args)
            except ValueError as e:
                raise _as_broadcast_error(e, args) from None
            except AttributeError as e:
                raise _as_type_error(cls, e, args) from None

        if type(raw) is tuple:
            raw_outputs = raw
            outputs = tuple([_wrap_output(cls, r, args) for r in raw])
        elif type(raw) in ARRAY_TYPES and not cls._view_of_input:
            # The common case, one fresh array: Tensor._make written out (it runs per op).
            out = _new_object(Tensor)
            out._array = raw
            out._version_counter = _new_object(VersionCounter)
            if not requires_grad and not _forward_ad_state.levels:
                return out  # nothing to record (inside backward, or under no_grad)
            raw_outputs = (raw,)
            outputs = (out,)
        else:
            raw_outputs = (raw,)
            outputs = (_wrap_output(cls, raw, args),)
        if requires_grad:
            ctx._record(args, raw_outputs, outputs)
        if _forward_ad_state.levels:
            from .forward_ad import _propagate_tangents

            _propagate_tangents(cls, ctx, args, raw_outputs, outputs)
        return outputs if type(raw) is tuple else outputs[0]


def _as_broadcast_error(error: ValueError, args) -> Exception:
    """numpy's broadcasting ValueError, reworded as the RuntimeError PyTorch raises."""
    if "broadcast" not in str(error):
        return error
    shapes = [a._array.shape for a in args if isinstance(a, Tensor)]
    if len(shapes) >= 2:
        a, b = shapes[0], shapes[1]
        for k in range(1, min(len(a), len(b)) + 1):
            if a[-k] != b[-k] and 1 not in (a[-k], b[-k]):
                dim = max(len(a), len(b)) - k
                return RuntimeError(
                    f"The size of tensor a ({a[-k]}) must match the size of tensor b ({b[-k]}) "
                    f"at non-singleton dimension {dim}"
                )
    return RuntimeError(f"shapes {[list(s) for s in shapes]} cannot be broadcast together")


def _as_type_error(cls, error: AttributeError, args) -> Exception:
    """A list or string where a tensor belongs (``exp([1.0])``) fails in forward on its
    missing ``_array``: reworded as the TypeError PyTorch raises."""
    for position, a in enumerate(args, 1):
        if a is error.obj and error.name == "_array" and not isinstance(a, Tensor):
            return TypeError(f"{cls.__name__.lower()}(): argument (position {position}) must be "
                             f"Tensor, not {type(a).__name__}")
    return error


class _forward_ad_state:
    """The open ``forward_ad.dual_level()`` levels (empty: forward mode is off)."""

    levels: list = []


def _wrap_output(cls, raw, args):
    """Turn what forward returned (an array or a Tensor) into a fresh output Tensor."""
    if type(raw) in ARRAY_TYPES and not cls._view_of_input:
        return Tensor._make(raw)  # the common case, kept short
    if isinstance(raw, Tensor):
        if not any(raw is a for a in args):
            return raw
        out = Tensor._make(raw._array)  # forward returned an input: the output is a view of it
        out._version_counter = raw._version_counter
        return out
    if isinstance(raw, np.generic):  # numpy turns 0-dim results into scalars
        raw = np.asarray(raw)
    out = Tensor._make(raw)
    if cls._view_of_input:
        base = args[0]
        out._version_counter = base._version_counter
        out._base = root = base if base._base is None else base._base
        if (root.grad_fn is not None and _State.grad_enabled) or root._tangents:
            # autograd follows root: the view must follow its in-place changes (see
            # inplace.refresh_views)
            if root._views is None:
                root._views = []
            root._views.append(weakref.ref(out))
    return out




def once_differentiable(fn):
    """Decorator for a ``backward`` that cannot itself be differentiated: it runs without
    recording, and using its result in a second differentiation raises."""
    import functools

    @functools.wraps(fn)
    def wrapper(ctx, *grads):
        from .grad_mode import no_grad

        with no_grad():
            return fn(ctx, *grads)

    return wrapper
