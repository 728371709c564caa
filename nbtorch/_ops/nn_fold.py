"""``unfold`` and ``fold``: convolution's im2col and col2im as functions of their own.

``unfold(x)`` copies every kernel-sized block of the (padded) input (N, C, H, W) into a
column: (N, C * kh * kw, L), L the number of blocks. A convolution is then one matrix
product, ``weight.view(C_out, -1) @ unfold(x)``. ``fold`` goes back: it adds every column
onto the block it describes, so where blocks overlap their values are summed (``fold`` is
not the inverse of ``unfold`` but its adjoint, the transpose of the same linear map).

Both reuse the kernels of ``nn_conv`` (``batched_im2col`` / ``batched_col2im`` on either
backend). Being linear and each other's adjoint, each one's backward is the other, and its
jvp is itself.
"""

from __future__ import annotations

from .._backend import backend_of
from .._tensor import Tensor
from ..autograd.function import Function
from .nn_conv import Geometry, _col2im, _fill_cols, _new_cols, _pair


class Unfold(Function):
    """(N, C, H, W) -> (N, C * kh * kw, L): im2col."""

    @staticmethod
    def forward(ctx, x, geom):
        a = backend_of(x._array).ascontiguousarray(x._array)
        cols = _new_cols(a, geom)  # (N, C, kh, kw, H_out, W_out)
        _fill_cols(a, geom, cols)
        ctx.geom = geom
        n, c, kh, kw, ho, wo = cols.shape
        return cols.reshape(n, c * kh * kw, ho * wo)

    @staticmethod
    def backward(ctx, grad):
        return Fold.apply(grad, ctx.geom), None

    @staticmethod
    def jvp(ctx, t, _):
        return Unfold.apply(t, ctx.geom)


class Fold(Function):
    """(N, C * kh * kw, L) -> (N, C, H, W): col2im (overlapping values are added)."""

    @staticmethod
    def forward(ctx, cols, geom):
        B = backend_of(cols._array)
        g = B.ascontiguousarray(cols._array)
        kh, kw = geom.kernel
        out = B.zeros((g.shape[0], g.shape[1] // (kh * kw)) + tuple(geom.in_size),
                      dtype=g.dtype)
        _col2im(g, geom, out)
        ctx.geom = geom
        return out

    @staticmethod
    def backward(ctx, grad):
        return Unfold.apply(grad, ctx.geom), None

    @staticmethod
    def jvp(ctx, t, _):
        return Fold.apply(t, ctx.geom)


def _geometry(size, kernel_size, dilation, padding, stride) -> Geometry:
    """Check the block arguments as PyTorch does and gather them in a ``Geometry``."""
    kernel, dilation, padding, stride = (_pair(v) for v in
                                         (kernel_size, dilation, padding, stride))
    for name, short, v in (("kernel size", "kernel", kernel), ("stride", "stride", stride),
                           ("dilation", "dilation", dilation)):
        if min(v) <= 0:
            raise RuntimeError(f"{name} should be greater than zero, but got {short}_height: "
                               f"{v[0]} {short}_width: {v[1]}")
    if min(padding) < 0:
        raise RuntimeError(f"padding should be non-negative, but got pad_height: {padding[0]} "
                           f"pad_width: {padding[1]}")
    return Geometry(tuple(size), kernel, stride, tuple((p, p) for p in padding), dilation, 1)


def _describe(geom: Geometry) -> str:
    return (f"kernel_size={geom.kernel}, dilation={geom.dilation}, "
            f"padding={tuple(p for p, _ in geom.padding)}")


def unfold(input: Tensor, kernel_size, dilation=1, padding=0, stride=1) -> Tensor:
    """Extract sliding blocks: (N, C, H, W) -> (N, C * kh * kw, L), or (C, H, W) ->
    (C * kh * kw, L). Column l holds block l (blocks in row-major order), its values
    ordered channel first, then kernel row, then kernel column.

    L = H_out * W_out, H_out = floor((H + 2 padding - dilation (kh - 1) - 1) / stride) + 1.
    """
    if input.dim() not in (3, 4):
        raise RuntimeError(
            "Expected 3D or 4D (batch mode) tensor with possibly 0 batch size and other "
            f"non-zero dimensions for input, but got: {list(input.shape)}"
        )
    unbatched = input.dim() == 3
    x = input.unsqueeze(0) if unbatched else input
    geom = _geometry(x.shape[2:], kernel_size, dilation, padding, stride)
    blocks = geom.out_size()
    if min(blocks) < 1:
        raise RuntimeError(
            f"Given input with spatial size {tuple(x.shape[2:])}, {_describe(geom)}, calculated "
            f"shape of the array of sliding blocks as {blocks}, but its components must be at "
            "least one."
        )
    out = Unfold.apply(x, geom)
    return out.squeeze(0) if unbatched else out


def fold(input: Tensor, output_size, kernel_size, dilation=1, padding=0,
         stride=1) -> Tensor:
    """Combine sliding blocks into an image: (N, C * kh * kw, L) -> (N, C, H, W) with
    (H, W) = ``output_size`` (or (C * kh * kw, L) -> (C, H, W)); the adjoint of ``unfold``:
    where blocks overlap, their values are added.

    ``fold(unfold(x))`` is x times the number of blocks that cover each pixel.
    """
    if input.dim() not in (2, 3):
        raise RuntimeError(
            "Expected 2D or 3D (batch mode) tensor for input with possibly 0 batch size and "
            f"non-zero dimensions for input, but got: {list(input.shape)}"
        )
    unbatched = input.dim() == 2
    cols = input.unsqueeze(0) if unbatched else input
    geom = _geometry(_pair(output_size), kernel_size, dilation, padding, stride)
    kh, kw = geom.kernel
    if cols.shape[1] % (kh * kw):
        raise RuntimeError(
            "Expected size of input's dimension 1 to be divisible by the product of "
            f"kernel_size, but got input.size(1)={cols.shape[1]} and "
            f"kernel_size={geom.kernel}."
        )
    bh, bw = geom.out_size()
    if bh < 1 or bw < 1 or bh * bw != cols.shape[2]:
        raise RuntimeError(
            f"Given output_size={geom.in_size}, {_describe(geom)}, stride={geom.stride}, "
            "expected size of input's dimension 2 to match the calculated number of "
            f"sliding blocks {bh} * {bw} = {bh * bw}, but got input.size(2)={cols.shape[2]}."
        )
    out = Fold.apply(cols, geom)
    return out.squeeze(0) if unbatched else out


__all__: list = []

TENSOR_METHODS: dict = {}
