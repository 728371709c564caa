"""Max unpooling: the partial inverse of max pooling.

``max_unpool2d(y, indices)`` puts every pooled value back where ``max_pool2d(...,
return_indices=True)`` found it, in an output of the unpooled size, and zeros elsewhere:
one ``scatter`` along the flattened positions of each (sample, channel) plane. Overlapping
pooling windows may have found the same maximum: its index repeats, and it is written once.
The gradient is scatter's: each pooled value gets the gradient at its index (a gather).
"""

from __future__ import annotations

from .. import _dtype as dt
from .._tensor import Tensor
from .nn_conv import _pair


def _output_size(input: Tensor, kernel: tuple, stride: tuple, padding: tuple,
                 output_size) -> tuple:
    """The unpooled spatial size: (H - 1) stride + kernel - 2 padding by default; a given
    ``output_size`` (spatial, or with N and C in front) must be within a stride of it."""
    k = len(kernel)
    default = [(input.shape[d - k] - 1) * s + kk - 2 * p for d, s, kk, p in
               zip(range(k), stride, kernel, padding)]
    if output_size is None:
        return tuple(default)
    sizes = output_size[2:] if len(output_size) == k + 2 else output_size
    if len(sizes) != k:
        raise ValueError(f"output_size should be a sequence containing {k} or {k + 2} "
                         f"elements, but it has a length of '{len(sizes)}'")
    for d, (size, base, s) in enumerate(zip(sizes, default, stride)):
        if not base - s < size < base + s:
            raise ValueError(f'invalid output_size "{sizes}" (dim {d} must be between '
                             f"{base - s} and {base + s})")
    return tuple(int(s) for s in sizes)


def _unpool(input: Tensor, indices: Tensor, size: tuple) -> Tensor:
    """Scatter ``input`` (N, C, h, w) or (C, h, w) into zeros of spatial ``size`` at the
    flat positions ``indices``."""
    if indices.dtype != dt.int64:
        raise RuntimeError(f"elements in indices should be type int64 but got: {indices.dtype}")
    if input.dim() not in (3, 4):
        raise RuntimeError("Input to max_unpooling2d should be a 3d or 4d Tensor, but got a "
                           f"tensor with {input.dim()} dimensions.")
    if tuple(indices.shape) != tuple(input.shape):
        raise RuntimeError(
            f"Expected shape of indices to be same as that of the input tensor "
            f"({list(input.shape)}) but got indices tensor with shape: {list(indices.shape)}"
        )
    if indices.numel():
        for bad in (int(indices.min()), int(indices.max())):
            if not 0 <= bad < size[0] * size[1]:
                raise RuntimeError(f"Found an invalid max index: {bad} (output volumes are "
                                   f"of size {size[0]}x{size[1]})")
    planes = tuple(input.shape[:-2])  # (N, C) or (C,)
    flat = input.new_zeros(planes + (size[0] * size[1],))
    k = len(planes)
    out = flat.scatter(k, indices.flatten(k), input.flatten(k))
    return out.reshape(planes + size)


def max_unpool2d(input: Tensor, indices: Tensor, kernel_size, stride=None, padding=0,
                 output_size=None) -> Tensor:
    """Undo ``max_pool2d``: (N, C, h, w) pooled values and their ``indices`` -> (N, C, H, W)
    with each value at its index (flat h * W + w) and zeros elsewhere.

    H = (h - 1) stride + kernel_size - 2 padding unless ``output_size`` says otherwise
    (pooling maps several sizes to one: pass the original size to get it back).
    """
    kernel = _pair(kernel_size)
    stride = kernel if stride is None else _pair(stride)
    size = _output_size(input, kernel, stride, _pair(padding), output_size)
    return _unpool(input, indices, size)


def max_unpool1d(input: Tensor, indices: Tensor, kernel_size, stride=None, padding=0,
                 output_size=None) -> Tensor:
    """Undo ``max_pool1d``: (N, C, l) values and indices -> (N, C, L), L = (l - 1) stride
    + kernel_size - 2 padding unless ``output_size`` says otherwise."""
    one = lambda v: (v[0] if isinstance(v, (tuple, list)) else v,)  # noqa: E731
    kernel = one(kernel_size)
    stride = kernel if stride is None else one(stride)
    (length,) = _output_size(input, kernel, stride, one(padding), output_size)
    # a width-1 image: the flat index of position l is l * 1 + 0 = l
    return _unpool(input.unsqueeze(-1), indices.unsqueeze(-1), (length, 1)).squeeze(-1)


__all__: list = []

TENSOR_METHODS: dict = {}
