"""``Parameter``: a tensor that a ``Module`` recognises as one of its learnable weights.

A Parameter is an ordinary tensor with ``requires_grad=True``. What makes it special is
what happens when you assign it to a module attribute (``self.weight = Parameter(...)``):
``Module.__setattr__`` sees the type and records it, so that ``model.parameters()`` finds it
and an optimizer can update it. A plain tensor assigned the same way is *not* registered.
"""

from __future__ import annotations

from .._tensor import Tensor


class Parameter(Tensor):
    """A learnable tensor of a module (``torch.nn.Parameter``).

    ``Parameter(data, requires_grad=True)`` shares ``data``'s memory. Parameters are leaves:
    after ``loss.backward()`` their gradient is in ``.grad``.

    >>> w = Parameter(nbtorch.zeros(2))
    >>> w
    Parameter containing:
    tensor([0., 0.], requires_grad=True)
    """

    def __new__(cls, data: Tensor | None = None, requires_grad: bool = True):
        if data is None:
            from .._creation import empty

            data = empty(0)
        if requires_grad and data._array.dtype.kind != "f":
            raise RuntimeError(
                "Only Tensors of floating point and complex dtype can require gradients"
            )
        return cls._make(data.detach()._array, requires_grad)

    def __init__(self, data: Tensor | None = None, requires_grad: bool = True):
        pass  # everything is done in __new__ (Tensor has no __init__ to call)

    def __repr__(self) -> str:
        return "Parameter containing:\n" + super().__repr__()

    def __reduce_ex__(self, protocol):
        return (_rebuild_parameter, (self.detach().cpu()._array, self._requires_grad))


def _rebuild_parameter(array, requires_grad):
    return Parameter._make(array.copy(), requires_grad)


# -- lazy modules: parameters whose shape is not known yet ------------------------------------
_ALLOWED_METHODS = frozenset({
    "size", "copy_", "is_complex", "is_floating_point", "half", "float", "double", "char",
    "short", "int", "long", "cuda", "cpu", "to", "get_device", "materialize", "cls_to_become",
})
# Python finds operators (``w + 1``, ``w[0]``, ``len(w)``) on the class, not through
# ``__getattribute__``, so the mixin refuses these explicitly.
_OPERATORS = (
    [f"__{p}{op}__" for op in ("add", "sub", "mul", "truediv", "floordiv", "mod", "pow",
                               "matmul", "and", "or", "xor") for p in ("", "r", "i")]
    + [f"__{op}__" for op in ("neg", "pos", "abs", "invert", "eq", "ne", "lt", "le", "gt",
                              "ge", "getitem", "setitem", "len", "iter", "bool", "float",
                              "int", "index", "array")]
)


class UninitializedTensorMixin:
    """What ``UninitializedParameter`` and ``UninitializedBuffer`` share: a placeholder
    tensor (``torch.nn.parameter.UninitializedTensorMixin``).

    A lazy module (``nn.LazyLinear``) cannot create its weight before it sees an input,
    because the weight's shape depends on the input's size. It holds this placeholder
    instead: an empty tensor that already knows its dtype and device (so ``module.to()`` and
    ``module.double()`` work before the first call), but refuses to be computed with
    (``ValueError``) and has no ``shape`` (``RuntimeError``). ``materialize(shape)`` gives it
    its memory and turns it into the real class (``cls_to_become``), keeping its identity,
    so an optimizer built before the first call still holds the right object.
    """

    cls_to_become: type

    def __getattribute__(self, name: str):
        value = super().__getattribute__(name)
        if callable(value) and not name.startswith("_") and name not in _ALLOWED_METHODS:
            _refuse(self, name)  # a method: it would compute with the placeholder
        return value

    def materialize(self, shape, device=None, dtype=None) -> None:
        """Give the placeholder memory of ``shape`` (uninitialised values) on its device and
        with its dtype (or the ones given), and make it a ``cls_to_become``."""
        from .._creation import empty

        device = self.device if device is None else device
        dtype = self.dtype if dtype is None else dtype
        self.data = empty(*shape, device=device, dtype=dtype)
        self.__class__ = self.cls_to_become

    @property
    def shape(self):
        raise RuntimeError(
            "Can't access the shape of an uninitialized parameter or buffer. This error "
            "usually happens in `load_state_dict` when trying to load an uninitialized "
            "parameter into an initialized one. Call `forward` to initialize the parameters "
            "before accessing their attributes."
        )

    def __repr__(self) -> str:
        return f"<{type(self).__name__}>"

    def __reduce_ex__(self, protocol):
        return (type(self), (self._requires_grad,))


def _refuse(tensor, name: str):
    cls = type(tensor).__name__
    raise ValueError(
        f"Attempted to use an uninitialized parameter in {name}. This error happens when you "
        f"are using a `LazyModule` or explicitly manipulating `torch.nn.parameter.{cls}` "
        "objects. When using LazyModules Call `forward` with a dummy batch to initialize the "
        "parameters before calling torch functions"
    )


def _refusing(name: str):
    def operator(self, *args):
        _refuse(self, name)

    return operator


for _name in _OPERATORS:
    setattr(UninitializedTensorMixin, _name, _refusing(_name))


def is_lazy(param) -> bool:
    """Whether ``param`` is an ``UninitializedParameter`` or ``UninitializedBuffer``."""
    return isinstance(param, UninitializedTensorMixin)


class UninitializedParameter(UninitializedTensorMixin, Parameter):
    """A parameter whose shape is not known yet (``torch.nn.UninitializedParameter``).

    ``UninitializedParameter(requires_grad=True, device=None, dtype=None)``. A lazy module
    materializes it on its first call; it then is an ordinary ``Parameter``.

    >>> w = UninitializedParameter()
    >>> w.materialize((2, 3))
    >>> type(w).__name__, tuple(w.shape)
    ('Parameter', (2, 3))
    """

    cls_to_become = Parameter

    def __new__(cls, requires_grad: bool = True, device=None, dtype=None):
        from .._creation import empty

        return cls._make(empty(0, device=device, dtype=dtype)._array, requires_grad)

    def __init__(self, requires_grad: bool = True, device=None, dtype=None):
        pass  # everything is done in __new__


class UninitializedBuffer(UninitializedTensorMixin, Tensor):
    """A buffer whose shape is not known yet (``torch.nn.UninitializedBuffer``), such as the
    running mean of a ``LazyBatchNorm1d``; materialized, it is an ordinary ``Tensor``."""

    cls_to_become = Tensor

    def __new__(cls, requires_grad: bool = False, device=None, dtype=None):
        from .._creation import empty

        return cls._make(empty(0, device=device, dtype=dtype)._array, requires_grad)


def _converting(name: str):
    def conversion(self, *args, **kwargs):
        out = getattr(Tensor, name)(self, *args, **kwargs)
        return self if out is self else type(self)._make(out._array, self._requires_grad)

    conversion.__doc__ = f"``Tensor.{name}``, giving a placeholder again."
    return conversion


# ``module.double()`` or ``module.to('cuda')`` before the first call replaces each buffer by
# its conversion: a buffer placeholder converts to a placeholder (with the new dtype or
# device). A parameter keeps its identity anyway (``Module._apply`` sets its ``.data``).
for _name in ("to", "cuda", "cpu", "half", "float", "double", "char", "short", "int", "long"):
    setattr(UninitializedBuffer, _name, _converting(_name))
