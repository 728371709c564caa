"""Shape operations: views that share memory (view, transpose, permute, expand, ...) and
copies (reshape when a view is impossible, contiguous, clone).

A view's backward is the inverse reshaping of the gradient: ``view`` -> ``reshape`` back,
``permute`` -> the inverse permutation, ``expand`` -> ``sum_to_size``.
"""

from __future__ import annotations

import operator

import numpy as np

from .._backend import backend_of
from .._tensor import Size
from ..autograd.function import Function
from ._util import backend, unlock_view, wrap_dim
from .reduce import sum_to_size


def _infer_shape(shape, numel: int) -> tuple:
    """Resolve one ``-1`` in ``shape`` and check the element count (PyTorch's messages)."""
    try:
        shape = tuple(operator.index(s) for s in shape)  # ints only: 2.0 or "2" is refused
    except TypeError:
        raise TypeError(f"shape must be a tuple of ints, but got {list(shape)}") from None
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


def _shape_args(shape, keyword=None):
    """Accept ``f(2, 3)``, ``f((2, 3))`` and the keyword form (``f(size=(2, 3))``) alike."""
    if keyword is not None:
        if shape:
            raise TypeError("the sizes were given both as arguments and as a keyword")
        return tuple(keyword) if isinstance(keyword, (tuple, list)) else (keyword,)
    if len(shape) == 1 and isinstance(shape[0], (tuple, list)):
        return tuple(shape[0])
    return shape


class View(Function):
    _view_of_input = True

    @staticmethod
    def forward(ctx, x, shape):
        a = x._array
        ctx.shape, ctx.out_shape = a.shape, shape
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
    def jvp(ctx, t, _):
        return t.reshape(ctx.out_shape)


class Reshape(Function):
    """Like ``View``, but copies when the memory layout does not allow a view."""

    @staticmethod
    def forward(ctx, x, shape):
        ctx.shape, ctx.out_shape = x._array.shape, shape
        return x._array.reshape(shape)

    @staticmethod
    def backward(ctx, grad):
        return grad.reshape(ctx.shape), None

    @staticmethod
    def jvp(ctx, t, _):
        return t.reshape(ctx.out_shape)


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
    def jvp(ctx, t, _):
        return t.permute(ctx.dims)


class Expand(Function):
    _view_of_input = True

    @staticmethod
    def forward(ctx, x, shape):
        from .. import _backend

        ctx.shape, ctx.out_shape = x._array.shape, shape
        out = _backend.backend_of(x._array).broadcast_to(x._array, shape)
        return unlock_view(out) if type(out) is np.ndarray else out

    @staticmethod
    def backward(ctx, grad):
        return sum_to_size(grad, ctx.shape), None

    @staticmethod
    def jvp(ctx, t, _):
        return t.expand(ctx.out_shape)


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


def view(input, *shape, size=None):
    """The same data with another shape, sharing memory; ``-1`` infers one dimension.

    Works only when the memory layout allows it (otherwise use ``reshape``). ``view(dtype)``
    reinterprets the bytes as another dtype.
    """
    from .. import _dtype as dt

    if len(shape) == 1 and isinstance(shape[0], dt.dtype):
        return _view_dtype(input, shape[0])
    shape = _infer_shape(_shape_args(shape, size), input._array.size)
    return View.apply(input, shape)


def _view_dtype(input, dtype):
    from .._tensor import Tensor

    out = Tensor._make(input._array.view(dtype.numpy))
    out._version_counter = input._version_counter
    return out


def reshape(input, *sizes, shape=None):
    """The data with another shape: a view when possible, else a copy."""
    shape = _infer_shape(_shape_args(sizes, shape), input._array.size)
    if input._array.flags.c_contiguous:
        return View.apply(input, shape)  # always possible: share memory and version counter
    try:
        return View.apply(input, shape)
    except RuntimeError:  # the layout allows no view (a transposed matrix, say): copy
        return Reshape.apply(input, shape)


def permute(input, *order, dims=None):
    """Reorder the dimensions (a view): ``x.permute(2, 0, 1)`` turns HWC into CHW."""
    dims = _shape_args(order, dims)
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
    if n:  # a 0-d tensor has nothing to swap
        dims[d0], dims[d1] = dims[d1], dims[d0]
    return Permute.apply(input, tuple(dims))


swapaxes = swapdims = transpose


def t(input):
    """Transpose of a matrix (a 0-d or 1-d tensor is returned as it is)."""
    if input._array.ndim > 2:
        raise RuntimeError(f"t() expects a tensor with <= 2 dimensions, but self is "
                           f"{input._array.ndim}D")
    return transpose(input, 0, 1) if input._array.ndim == 2 else input.view(input.shape)


def expand(input, *sizes, size=None):
    """Broadcast size-1 dimensions to larger sizes without copying (-1 keeps a size)."""
    sizes = _shape_args(sizes, size)
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
        dims = {d for d in dims if shape and shape[d] == 1}  # a 0-d tensor has no dim to drop
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


def stride(input, dim: int | None = None):
    """How many elements to step in memory to move one index along each dimension.

    A contiguous 3x4 tensor has strides ``(4, 1)``; its transpose ``(1, 4)``; an expanded
    dimension has stride 0 (every index reads the same element).
    """
    a = input._array
    steps = tuple(s // a.itemsize for s in a.strides)
    return steps if dim is None else steps[wrap_dim(dim, a.ndim)]


def _memory_owner(a: np.ndarray) -> np.ndarray:
    """The numpy array that owns the memory ``a`` looks into (``a`` itself if not a view)."""
    while isinstance(a.base, np.ndarray):
        a = a.base
    return a


def storage_offset(input) -> int:
    """Where the tensor's first element sits in its storage, counted in elements.

    ``x[1]`` of a contiguous 3x4 ``x`` starts at offset 4: views share the storage and
    differ only in offset, shape and strides.
    """
    a = input._array
    if hasattr(a, "offset"):  # a cuda DeviceArray keeps its offset itself
        return a.offset
    start = a.__array_interface__["data"][0]
    return (start - _memory_owner(a).__array_interface__["data"][0]) // a.itemsize


def data_ptr(input) -> int:
    """The memory address of the first element (equal for a tensor and e.g. its ``view``)."""
    a = input._array
    if hasattr(a, "offset"):
        return a.buf.__cuda_array_interface__["data"][0] + a.offset * a.itemsize
    return a.__array_interface__["data"][0]


def _inplace_view(fn, name: str):
    """``name`` (e.g. ``unsqueeze_``): the tensor itself takes the shape and strides of
    ``fn``'s view of it (same memory), and, when recorded, the view's place in the graph."""

    def op_(self, *args, **kwargs):
        from ..autograd.grad_mode import _State

        if self._requires_grad and self.grad_fn is None and _State.grad_enabled:
            raise RuntimeError("a leaf Variable that requires grad is being used in an "
                               "in-place operation.")
        out = fn(self, *args, **kwargs)
        self._array = out._array
        if out._tangents:  # forward AD: the tangent changes shape too
            from ..autograd.forward_ad import copy_tangents

            self._tangents = None
            copy_tangents(out, self)
        if out._requires_grad:
            self.grad_fn, self._output_nr = out.grad_fn, out._output_nr
        return self

    op_.__name__ = name
    op_.__doc__ = f"In-place ``{fn.__name__}``: changes this tensor's shape, not its data."
    return op_


def resize_(self, *sizes):
    """Give the tensor a new shape over its storage, keeping the elements' order in memory.

    Unlike ``view``, the number of elements may change: shrinking keeps a prefix of the
    storage (the rest is still there, and growing back shows it again); growing past the
    storage's end moves the tensor to new memory whose extra elements are zeros.
    """
    if self._requires_grad:
        raise RuntimeError("cannot resize variables that require grad")
    if self.device.type != "cpu":
        raise NotImplementedError("resize_ is implemented for CPU tensors only")
    shape = _shape_args(sizes)
    n = int(np.prod(shape, dtype=np.int64))
    owner = _memory_owner(self._array)
    if self._array.flags.c_contiguous and owner.flags.c_contiguous:
        storage, offset = owner.reshape(-1), storage_offset(self)
    else:
        storage, offset = self._array.reshape(-1), 0  # a copy in storage order
    if offset + n <= storage.size:
        self._array = storage[offset:offset + n].reshape(shape)
    else:
        grown = np.zeros(n, dtype=storage.dtype)
        kept = storage[offset:offset + n]
        grown[:kept.size] = kept
        self._array = grown.reshape(shape)
    self._bump_version()
    return self


def numel(input) -> int:
    """The number of elements (``torch.numel(x)`` is ``x.numel()``)."""
    return input.numel()


# -- repeating, rolling and moving dimensions ----------------------------------------------


class Repeat(Function):
    """``np.tile``: the input repeated ``reps[i]`` times along dimension i."""

    @staticmethod
    def forward(ctx, x, reps):
        a = x._array
        ctx.shape, ctx.reps = a.shape, reps
        lead = (1,) * (len(reps) - a.ndim)
        return backend(x).tile(a.reshape(lead + a.shape), reps)

    @staticmethod
    def backward(ctx, grad):
        # Each output dim of size r*s is r copies of the input's s: split it in (r, s) and
        # add the r copies together.
        in_shape = (1,) * (len(ctx.reps) - len(ctx.shape)) + ctx.shape
        split = []
        for r, s in zip(ctx.reps, in_shape):
            split += [r, s]
        copies = tuple(range(0, len(split), 2))
        return grad.reshape(split).sum(copies).reshape(ctx.shape), None

    @staticmethod
    def jvp(ctx, t, _):
        return t.repeat(ctx.reps)


def repeat(input, *sizes, repeats=None):
    """Tile the tensor: ``x.repeat(2, 3)`` copies a matrix 2 times down and 3 times across.

    ``sizes`` may have more entries than ``x`` has dimensions (new leading dimensions).
    Unlike ``expand`` it copies the data; unlike ``repeat_interleave`` it repeats the
    whole tensor, not each element.
    """
    sizes = tuple(int(s) for s in _shape_args(sizes, repeats))
    if len(sizes) < input._array.ndim:
        raise RuntimeError("Number of dimensions of repeat dims can not be smaller than number "
                           "of dimensions of tensor")
    if any(s < 0 for s in sizes):
        raise RuntimeError(f"Trying to create tensor with negative dimension: {list(sizes)}")
    return Repeat.apply(input, sizes)


def tile(input, *reps, dims=None):
    """``repeat``, but ``dims`` may also be shorter than the number of dimensions (leading
    dimensions are then repeated once), as in ``numpy.tile``: ``x.tile(2, 1)``,
    ``tile(x, (2, 1))``."""
    dims = tuple(_shape_args(reps, dims))
    return repeat(input, (1,) * (input._array.ndim - len(dims)) + dims)


def repeat_interleave(input, repeats=None, dim=None, *, output_size=None):
    """Repeat each element (or each slice along ``dim``) ``repeats`` times, in place:
    ``[1, 2] -> [1, 1, 2, 2]``. ``repeats`` is an int or a tensor with one count per slice.
    Without ``dim`` the tensor is flattened first. ``repeat_interleave(counts)`` alone
    repeats the indices ``0..n-1``.
    """
    from .._creation import arange, tensor
    from .scatter import index_select

    if repeats is None:  # repeat_interleave(counts): the indices 0..n-1, each counts[i] times
        repeats, input = input, arange(input.numel(), device=input.device)
    if dim is None:
        input, dim = input.reshape(-1), 0
    d = wrap_dim(dim, input._array.ndim)
    counts = repeats._array if hasattr(repeats, "_array") else repeats
    n = input._array.shape[d]
    reps = np.broadcast_to(np.asarray(_to_numpy(counts)), (n,))
    if (reps < 0).any():
        raise RuntimeError("repeats can not be negative")
    index = tensor(np.repeat(np.arange(n), reps), device=input.device)
    return index_select(input, d, index)


def _to_numpy(array):
    return backend_of(array).to_numpy(array) if hasattr(array, "dtype") else array


class Roll(Function):
    @staticmethod
    def forward(ctx, x, shifts, dims):
        ctx.shifts, ctx.dims = shifts, dims
        return backend(x).roll(x._array, shifts, dims)

    @staticmethod
    def backward(ctx, grad):
        return roll(grad, tuple(-s for s in ctx.shifts), ctx.dims), None, None

    @staticmethod
    def jvp(ctx, t, *_):
        return roll(t, ctx.shifts, ctx.dims)


def roll(input, shifts, dims=None):
    """Shift elements along dimensions, wrapping around: ``roll([1, 2, 3], 1) = [3, 1, 2]``.

    Without ``dims`` the tensor is rolled as if flattened, then given its shape back.
    """
    if dims is None:
        if isinstance(shifts, (tuple, list)) and len(shifts) != 1:
            raise RuntimeError(f"shifts and dimensions must align. shifts: {len(shifts)}, "
                               "dims:0")
        return roll(input.reshape(-1), shifts, 0).view(input.shape)
    shifts = tuple(shifts) if isinstance(shifts, (tuple, list)) else (shifts,)
    dims = tuple(dims) if isinstance(dims, (tuple, list)) else (dims,)
    if len(shifts) != len(dims):
        raise RuntimeError(f"shifts and dimensions must align. shifts: {len(shifts)}, "
                           f"dims:{len(dims)}")
    dims = tuple(wrap_dim(d, input._array.ndim, scalar_ok=False) for d in dims)
    return Roll.apply(input, tuple(int(s) for s in shifts), dims)


def movedim(input, source, destination):
    """Move dimension(s) ``source`` to position(s) ``destination`` (a view); the other
    dimensions keep their order. ``movedim(x, 0, -1)`` turns CHW into HWC."""
    n = input._array.ndim
    src = tuple(source) if isinstance(source, (tuple, list)) else (source,)
    dst = tuple(destination) if isinstance(destination, (tuple, list)) else (destination,)
    if len(src) != len(dst):
        raise RuntimeError(
            "movedim: Invalid source or destination dims: source "
            f"({list(src)} dims) should contain the same number of dims as destination "
            f"({list(dst)} dims)"
        )
    src = tuple(wrap_dim(d, n) for d in src)
    dst = tuple(wrap_dim(d, n) for d in dst)
    for name, dims in (("source", src), ("destination", dst)):
        if len(set(dims)) != len(dims):
            raise RuntimeError(f"movedim: repeated dim in `{name}` ({list(dims)})")
    if n == 0:  # a 0-d tensor: dim 0 stays where it is
        return Permute.apply(input, ())
    order = [None] * n
    for s, d in zip(src, dst):
        order[d] = s
    rest = iter(d for d in range(n) if d not in src)
    order = tuple(o if o is not None else next(rest) for o in order)
    return Permute.apply(input, order)


moveaxis = movedim


def narrow(input, dim: int, start: int, length: int):
    """The slice ``start:start+length`` of dimension ``dim`` (a view)."""
    n = input._array.ndim
    if n == 0:
        raise RuntimeError("narrow() cannot be applied to a 0-dim tensor.")
    d = wrap_dim(dim, n)
    size = input._array.shape[d]
    start = int(start)
    if not -size <= start <= size:
        raise IndexError(
            f"start out of range (expected to be in range of [{-size}, {size}], but got {start})"
        )
    start = start + size if start < 0 else start
    if length < 0 or start + length > size:
        raise RuntimeError(f"start ({start}) + length ({length}) exceeds dimension size ({size}).")
    from .index import BasicIndex

    return BasicIndex.apply(input, (slice(None),) * d + (slice(start, start + length),))


def select(input, dim: int, index: int):
    """The slice at ``index`` of dimension ``dim``, that dimension removed (a view):
    ``select(x, 1, 0)`` is ``x[:, 0]``."""
    n = input._array.ndim
    if n == 0:
        raise IndexError("select() cannot be applied to a 0-dim tensor.")
    d = wrap_dim(dim, n)
    size = input._array.shape[d]
    if not -size <= index < size:
        raise IndexError(f"select(): index {index} out of range for tensor of size "
                         f"{list(input._array.shape)} at dimension {d}")
    from .index import BasicIndex

    return BasicIndex.apply(input, (slice(None),) * d + (int(index),))


# -- broadcasting ---------------------------------------------------------------------------


def broadcast_shapes(*shapes) -> Size:
    """The shape that tensors of ``shapes`` broadcast to: dimensions are matched from the
    right, and each pair must be equal or contain a 1 (which stretches)."""
    result: list = []
    for k, shape in enumerate(shapes):
        shape = (shape,) if isinstance(shape, int) else tuple(shape)
        for i in range(1, len(shape) + 1):
            if i > len(result):
                result.insert(0, shape[-i])
            elif result[-i] == 1:
                result[-i] = shape[-i]
            elif shape[-i] not in (1, result[-i]):
                raise RuntimeError(
                    f"Attempting to broadcast a dimension of length {shape[-i]} at {-i}! "
                    f"Mismatching argument at index {k} had {shape}; but expected shape "
                    f"should be broadcastable to {result}"
                )
    return Size(result)


def broadcast_to(input, size):
    """``input`` broadcast to ``size`` without copying (the same as ``expand``)."""
    return expand(input, tuple(size))


def broadcast_tensors(*tensors):
    """All tensors expanded to their common broadcast shape (views)."""
    tensors = _shape_args(tensors)
    shape = broadcast_shapes(*(t._array.shape for t in tensors))
    return tuple(expand(t, shape) for t in tensors)


def _atleast_shape(shape: tuple, n: int) -> tuple:
    if n == 3 and len(shape) == 2:
        return shape + (1,)  # an image (H, W) becomes (H, W, 1), as in numpy
    if n == 3 and len(shape) == 1:
        return (1,) + shape + (1,)
    return (1,) * (n - len(shape)) + shape


def _atleast(n: int, tensors):
    tensors = _shape_args(tensors)
    out = [t if t._array.ndim >= n else t.reshape(_atleast_shape(t._array.shape, n))
           for t in tensors]
    return out[0] if len(out) == 1 else tuple(out)


def atleast_1d(*tensors):
    """Each tensor with at least 1 dimension (a 0-d tensor becomes shape (1,))."""
    return _atleast(1, tensors)


def atleast_2d(*tensors):
    """Each tensor with at least 2 dimensions (shape (n,) becomes (1, n))."""
    return _atleast(2, tensors)


def atleast_3d(*tensors):
    """Each tensor with at least 3 dimensions: (n,) -> (1, n, 1), (h, w) -> (h, w, 1)."""
    return _atleast(3, tensors)


def meshgrid(*tensors, indexing: str = "ij"):
    """Coordinate grids from 1-d tensors: output i holds ``tensors[i]`` varying along
    dimension i. With ``indexing='xy'`` the first two dimensions are swapped (as in
    numpy's default), which is what plotting a function z = f(x, y) wants."""
    tensors = _shape_args(tensors)
    if indexing not in ("ij", "xy"):
        raise ValueError(f"torch.meshgrid: indexing must be one of \"xy\" or \"ij\", "
                         f"but received: {indexing}")
    for t in tensors:
        if t._array.ndim > 1:
            raise RuntimeError("torch.meshgrid: Expected 0D or 1D tensor in the tensor list "
                               f"but got: {t}")
    tensors = [t.reshape(-1) for t in tensors]
    swap = indexing == "xy" and len(tensors) >= 2
    if swap:
        tensors[0], tensors[1] = tensors[1], tensors[0]
    shape = tuple(t._array.shape[0] for t in tensors)
    grids = []
    for i, t in enumerate(tensors):
        view_shape = [1] * len(tensors)
        view_shape[i] = shape[i]
        grids.append(t.view(view_shape).expand(shape))
    if swap:
        grids[0], grids[1] = grids[1], grids[0]
    return tuple(grids)


__all__ = ["view", "reshape", "permute", "transpose", "swapaxes", "swapdims", "t", "expand",
           "unsqueeze", "squeeze", "flatten", "unflatten", "ravel", "clone", "repeat_interleave",
           "tile", "roll", "movedim", "moveaxis", "narrow", "select", "broadcast_shapes",
           "broadcast_to", "broadcast_tensors", "atleast_1d", "atleast_2d", "atleast_3d",
           "meshgrid", "numel"]

TENSOR_METHODS = {
    "view": view, "reshape": reshape, "permute": permute, "transpose": transpose,
    "swapaxes": transpose, "swapdims": transpose, "t": t, "expand": expand,
    "expand_as": expand_as, "unsqueeze": unsqueeze, "squeeze": squeeze, "flatten": flatten,
    "unflatten": unflatten, "ravel": ravel, "clone": clone, "contiguous": contiguous,
    "is_contiguous": is_contiguous, "stride": stride, "storage_offset": storage_offset,
    "data_ptr": data_ptr, "resize_": resize_,
    "unsqueeze_": _inplace_view(unsqueeze, "unsqueeze_"),
    "squeeze_": _inplace_view(squeeze, "squeeze_"), "t_": _inplace_view(t, "t_"),
    "transpose_": _inplace_view(transpose, "transpose_"),
    "view_as": lambda self, other: view(self, other.shape),
    "reshape_as": lambda self, other: reshape(self, other.shape),
    "repeat": repeat, "tile": tile, "repeat_interleave": repeat_interleave, "roll": roll,
    "movedim": movedim, "moveaxis": movedim, "narrow": narrow, "select": select,
    "broadcast_to": broadcast_to,
}
