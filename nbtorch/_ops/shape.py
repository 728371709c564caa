"""Shape operations: views that share memory (view, transpose, permute, expand, ...) and
copies (reshape when a view is impossible, contiguous, clone).

A view's backward is the inverse reshaping of the gradient: ``view`` -> ``reshape`` back,
``permute`` -> the inverse permutation, ``expand`` -> ``sum_to_size``.
"""

from __future__ import annotations

from ..autograd.function import Function
from ._util import wrap_dim
from .reduce import sum_to_size


def _infer_shape(shape, numel: int) -> tuple:
    """Resolve one ``-1`` in ``shape`` and check the element count (PyTorch's messages)."""
    shape = tuple(int(s) for s in shape)
    if shape.count(-1) > 1:
        raise RuntimeError("only one dimension can be inferred")
    known = 1
    for s in shape:
        if s != -1:
            if s < 0:
                raise RuntimeError(f"invalid shape dimension {s}")
            known *= s
    if -1 in shape:
        if known == 0 or numel % known:
            raise RuntimeError(f"shape '{list(shape)}' is invalid for input of size {numel}")
        shape = tuple(numel // known if s == -1 else s for s in shape)
    elif known != numel:
        raise RuntimeError(f"shape '{list(shape)}' is invalid for input of size {numel}")
    return shape


def _shape_args(shape):
    """Accept ``f(2, 3)`` as well as ``f((2, 3))``."""
    if len(shape) == 1 and isinstance(shape[0], (tuple, list)):
        return tuple(shape[0])
    return shape


class View(Function):
    _view_of_input = True

    @staticmethod
    def forward(ctx, x, shape):
        a = x._array
        ctx.shape = a.shape
        try:
            out = a.reshape(shape, copy=False)  # refuses (instead of copying) if no view exists
        except ValueError:
            raise RuntimeError(
                "view size is not compatible with input tensor's size and stride (at least one "
                "dimension spans across two contiguous subspaces). Use .reshape(...) instead."
            ) from None
        return out

    @staticmethod
    def backward(ctx, grad):
        return grad.reshape(ctx.shape), None

    @staticmethod
    def jvp(ctx, t, shape):
        return t.reshape(shape)


class Reshape(Function):
    """Like ``View``, but copies when the memory layout does not allow a view."""

    @staticmethod
    def forward(ctx, x, shape):
        ctx.shape = x._array.shape
        return x._array.reshape(shape)

    @staticmethod
    def backward(ctx, grad):
        return grad.reshape(ctx.shape), None

    @staticmethod
    def jvp(ctx, t, shape):
        return t.reshape(shape)


class Permute(Function):
    _view_of_input = True

    @staticmethod
    def forward(ctx, x, dims):
        ctx.dims = dims
        return x._array.transpose(dims)

    @staticmethod
    def backward(ctx, grad):
        inverse = [0] * len(ctx.dims)
        for i, d in enumerate(ctx.dims):
            inverse[d] = i
        return grad.permute(inverse), None

    @staticmethod
    def jvp(ctx, t, dims):
        return t.permute(dims)


class Expand(Function):
    _view_of_input = True

    @staticmethod
    def forward(ctx, x, shape):
        from .. import _backend

        ctx.shape = x._array.shape
        return _backend.backend_of(x._array).broadcast_to(x._array, shape)

    @staticmethod
    def backward(ctx, grad):
        return sum_to_size(grad, ctx.shape), None

    @staticmethod
    def jvp(ctx, t, shape):
        return t.expand(shape)


class Clone(Function):
    @staticmethod
    def forward(ctx, x):
        return x._array.copy()

    @staticmethod
    def backward(ctx, grad):
        return grad

    @staticmethod
    def jvp(ctx, t):
        return t.clone()


def view(input, *shape):
    """The same data with another shape, sharing memory; ``-1`` infers one dimension.

    Works only when the memory layout allows it (otherwise use ``reshape``). ``view(dtype)``
    reinterprets the bytes as another dtype.
    """
    from .. import _dtype as dt

    if len(shape) == 1 and isinstance(shape[0], dt.dtype):
        return _view_dtype(input, shape[0])
    shape = _infer_shape(_shape_args(shape), input._array.size)
    return View.apply(input, shape)


def _view_dtype(input, dtype):
    from .._tensor import Tensor

    out = Tensor._make(input._array.view(dtype.numpy))
    out._version_counter = input._version_counter
    return out


def reshape(input, *shape):
    """The data with another shape: a view when possible, else a copy."""
    shape = _infer_shape(_shape_args(shape), input._array.size)
    if shape == input._array.shape:
        return input.view(shape)
    return Reshape.apply(input, shape)


def permute(input, *dims):
    """Reorder the dimensions (a view): ``x.permute(2, 0, 1)`` turns HWC into CHW."""
    dims = _shape_args(dims)
    n = input._array.ndim
    if len(dims) != n:
        raise RuntimeError(
            "permute(sparse_coo): number of dimensions in the tensor input does not match the "
            f"length of the desired ordering of dimensions i.e. input.dim() = {n} is not equal "
            f"to len(dims) = {len(dims)}"
        )
    wrapped = tuple(wrap_dim(d, n) for d in dims)
    if len(set(wrapped)) != n:
        raise RuntimeError("permute(): duplicate dims are not allowed.")
    return Permute.apply(input, wrapped)


def transpose(input, dim0: int, dim1: int):
    """Swap two dimensions (a view)."""
    n = input._array.ndim
    dims = list(range(n))
    d0, d1 = wrap_dim(dim0, n), wrap_dim(dim1, n)
    dims[d0], dims[d1] = dims[d1], dims[d0]
    return Permute.apply(input, tuple(dims))


swapaxes = swapdims = transpose


def t(input):
    """Transpose of a matrix (a 0-d or 1-d tensor is returned as it is)."""
    if input._array.ndim > 2:
        raise RuntimeError(f"t() expects a tensor with <= 2 dimensions, but self is "
                           f"{input._array.ndim}D")
    return transpose(input, 0, 1) if input._array.ndim == 2 else input.view(input.shape)


def expand(input, *sizes):
    """Broadcast size-1 dimensions to larger sizes without copying (-1 keeps a size)."""
    sizes = _shape_args(sizes)
    shape = input._array.shape
    if len(sizes) < len(shape):
        raise RuntimeError(
            f"expand: the number of sizes provided ({len(sizes)}) must be greater or equal to "
            f"the number of dimensions in the tensor ({len(shape)})"
        )
    lead = len(sizes) - len(shape)
    target = []
    for i, s in enumerate(sizes):
        old = shape[i - lead] if i >= lead else None
        if s == -1:
            if old is None:
                raise RuntimeError("expand: -1 is not allowed in a leading, non-existing dimension")
            s = old
        if old is not None and old != s and old != 1:
            raise RuntimeError(
                f"The expanded size of the tensor ({s}) must match the existing size ({old}) at "
                f"non-singleton dimension {i}.  Target sizes: {list(sizes)}.  Tensor sizes: "
                f"{list(shape)}"
            )
        target.append(int(s))
    target = tuple(target)
    if target == shape:
        return input
    return Expand.apply(input, target)


def expand_as(input, other):
    """``expand`` to ``other``'s shape."""
    return expand(input, other.shape)


def unsqueeze(input, dim: int):
    """Insert a dimension of size 1 at ``dim`` (a view)."""
    n = input._array.ndim
    d = wrap_dim(dim, n + 1)
    shape = list(input._array.shape)
    shape.insert(d, 1)
    return View.apply(input, tuple(shape))


def squeeze(input, dim=None):
    """Remove dimensions of size 1 (all of them, or only ``dim`` when it has size 1)."""
    shape = input._array.shape
    if dim is None:
        dims = {i for i, s in enumerate(shape) if s == 1}
    else:
        dims = dim if isinstance(dim, (tuple, list)) else (dim,)
        dims = {wrap_dim(d, len(shape)) for d in dims}
        dims = {d for d in dims if shape[d] == 1}
    new = tuple(s for i, s in enumerate(shape) if i not in dims)
    return View.apply(input, new)


def flatten(input, start_dim: int = 0, end_dim: int = -1):
    """Merge dimensions ``start_dim..end_dim`` into one."""
    shape = input._array.shape
    if not shape:
        return input.reshape(1)
    s, e = wrap_dim(start_dim, len(shape)), wrap_dim(end_dim, len(shape))
    if s > e:
        raise RuntimeError("flatten() has invalid args: start_dim cannot come after end_dim")
    merged = 1
    for d in shape[s:e + 1]:
        merged *= d
    return reshape(input, shape[:s] + (merged,) + shape[e + 1:])


def unflatten(input, dim: int, sizes):
    """Split dimension ``dim`` into ``sizes`` (the inverse of ``flatten``)."""
    shape = input._array.shape
    d = wrap_dim(dim, len(shape))
    sizes = _infer_shape(sizes, shape[d])
    return reshape(input, shape[:d] + sizes + shape[d + 1:])


def ravel(input):
    """All elements as a 1-d tensor."""
    return reshape(input, -1)


def clone(input, *, memory_format=None):
    """A copy with its own memory; gradients flow through it."""
    return Clone.apply(input)


def contiguous(input, memory_format=None):
    """The tensor itself when its memory is C-contiguous, else a contiguous copy."""
    if input._array.flags.c_contiguous:
        return input
    return Clone.apply(input)


def is_contiguous(input, memory_format=None) -> bool:
    """True when the elements lie in memory in row-major order with no gaps."""
    return bool(input._array.flags.c_contiguous)


__all__ = ["view", "reshape", "permute", "transpose", "swapaxes", "swapdims", "t", "expand",
           "unsqueeze", "squeeze", "flatten", "unflatten", "ravel", "clone"]

TENSOR_METHODS = {
    "view": view, "reshape": reshape, "permute": permute, "transpose": transpose,
    "swapaxes": transpose, "swapdims": transpose, "t": t, "expand": expand,
    "expand_as": expand_as, "unsqueeze": unsqueeze, "squeeze": squeeze, "flatten": flatten,
    "unflatten": unflatten, "ravel": ravel, "clone": clone, "contiguous": contiguous,
    "is_contiguous": is_contiguous,
    "view_as": lambda self, other: view(self, other.shape),
    "reshape_as": lambda self, other: reshape(self, other.shape),
}
