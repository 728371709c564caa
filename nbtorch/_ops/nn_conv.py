"""Convolution as one matrix product (im2col), and its two gradients.

``conv2d(x, w)``: copy every kernel-sized patch of the (padded) input into a column
(``im2col``), then multiply by the kernel reshaped to a matrix: BLAS does all the arithmetic.

Its backward needs two more operations, and each is again a Function:

* ``ConvInputGrad(g, w)``: the gradient w.r.t. the input, ``col2im(w^T @ g)`` (each output
  position sends its gradient back to the patch it came from). This is also
  ``conv_transpose2d``.
* ``ConvWeightGrad(x, g)``: the gradient w.r.t. the kernel, ``g @ cols^T``.

The three are bilinear and are each other's adjoints, so the backward of each is written
with the other two, and convolutions can be differentiated any number of times.
``Geometry`` holds everything they share: kernel, stride, padding, dilation, groups and the
size of the (unpadded) convolution input.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from .._backend import backend_of
from .._tensor import Tensor
from .._threads import parallel_chunks, threads_for
from ..autograd.function import Function


class Geometry(NamedTuple):
    """The shape arithmetic of a 2-d convolution (per spatial dim: height, width)."""

    in_size: tuple      # (H, W) of the convolution input, before padding
    kernel: tuple       # (kh, kw)
    stride: tuple
    padding: tuple      # ((top, bottom), (left, right))
    dilation: tuple
    groups: int

    def out_size(self) -> tuple:
        """H_out = floor((H + pad - dilation * (k - 1) - 1) / stride) + 1, and W_out."""
        return tuple((n + p0 + p1 - d * (k - 1) - 1) // s + 1 for n, (p0, p1), k, s, d in
                     zip(self.in_size, self.padding, self.kernel, self.stride, self.dilation))


def _new_cols(a, geom: Geometry):
    """An empty (N, C, kh, kw, H_out, W_out) array for the columns of the input ``a``."""
    return backend_of(a).empty(a.shape[:2] + tuple(geom.kernel) + geom.out_size(), a.dtype)


def _fill_cols(a, geom: Geometry, cols) -> None:
    """im2col: fill ``cols`` with the patches of ``a`` (N, C, H, W), a C-contiguous array
    (padding included: no padded copy of the input is made)."""
    (kh, kw), (sh, sw), (dh, dw) = geom.kernel, geom.stride, geom.dilation
    (top, _), (left, _) = geom.padding  # bottom/right padding: implied by the output size
    backend_of(a).batched_im2col(a, kh, kw, sh, sw, top, left, dh, dw, cols)


def _as_matrices(cols, groups: int):
    """(N, C, kh, kw, H_out, W_out) columns -> (N, G, C/G*kh*kw, H_out*W_out), a view."""
    return cols.reshape(cols.shape[0], groups, -1, cols.shape[4] * cols.shape[5])


def _col2im(cols, geom: Geometry, out) -> None:
    """Add cols (N, G, C/G*kh*kw, H_out*W_out) onto ``out``, the (N, C, H, W) input."""
    B = backend_of(cols)
    (kh, kw), (sh, sw), (dh, dw) = geom.kernel, geom.stride, geom.dilation
    (top, _), (left, _) = geom.padding
    ho, wo = geom.out_size()
    n, channels = out.shape[:2]
    B.batched_col2im(cols.reshape(n, channels, kh, kw, ho, wo), sh, sw, top, left, dh, dw, out)


CHUNK_BYTES = 1 << 18
"""How many bytes of columns are made at a time (256 KiB: they stay in the CPU core's own
cache until the BLAS product or col2im reads them, and a batch has enough parts to share
out evenly among threads). Made for the whole batch at once, the columns of a mid-sized
layer are tens of megabytes: written to main memory by im2col and read back by BLAS, which
then waits on memory rather than computing."""

KEEP_COLS_BYTES = 1 << 24
"""The forward pass keeps a batch's columns for the weight gradient when they fit in this
(16 MiB, about the CPU's shared cache); bigger ones are remade chunk by chunk in the
backward pass, which costs less than storing them to main memory and reading them back."""


def _for_each_part(work, a, per_sample: int) -> None:
    """Call ``work(part)`` for consecutive slices of the batch ``a`` whose columns
    (``per_sample`` bytes a sample) hold about CHUNK_BYTES, one sample at least; a big batch
    has its parts shared out among nbtorch's threads (each running its parts' im2col and BLAS
    products). The parts do not depend on the number of threads, so neither do the results.
    On the GPU: one part (every launch has a fixed cost there, and its memory is fast)."""
    n = len(a)
    size = max(1, CHUNK_BYTES // max(per_sample, 1)) if type(a) is np.ndarray else n
    parts = [slice(i, min(i + size, n)) for i in range(0, n, size)]

    def run(first, stop):
        for part in parts[first:stop]:
            work(part)

    parallel_chunks(run, len(parts), threads_for(a, len(parts), n * per_sample // a.itemsize))


def _cols_bytes(a, geom: Geometry) -> int:
    """Bytes of one sample's columns: C * kh * kw * H_out * W_out entries."""
    ho, wo = geom.out_size()
    return a.shape[1] * geom.kernel[0] * geom.kernel[1] * ho * wo * a.itemsize


def _grouped_kernel(w, groups: int):
    """(C_out, C/G, kh, kw) -> (G, C_out/G, C/G*kh*kw)."""
    return w.reshape(groups, w.shape[0] // groups, -1)


def _rows(y, groups: int):
    """Output-shaped (N, C_out, H_out, W_out) -> (N, G, C_out/G, H_out*W_out), contiguous
    (a broadcast gradient, e.g. from ``.sum()``, becomes a real array BLAS can read)."""
    n, c = y.shape[:2]
    return backend_of(y).ascontiguousarray(y).reshape(n, groups, c // groups, -1)


class Conv2d(Function):
    """y = conv(x, w) + b, computed as w @ im2col(x)."""

    @staticmethod
    def forward(ctx, x, w, b, geom):
        B = backend_of(x._array)
        a = B.ascontiguousarray(x._array)
        kernel = _grouped_kernel(w._array, geom.groups)
        ho, wo = geom.out_size()
        # (G, C_out/G, K) @ (n, G, K, P): one BLAS product per sample and group, and the
        # result (N, G, C_out/G, P) is already the output's (N, C_out, H_out, W_out) order.
        out = B.empty((a.shape[0], geom.groups, kernel.shape[1], ho * wo), a.dtype)
        per_sample = _cols_bytes(a, geom)
        kept = _new_cols(a, geom) if a.shape[0] * per_sample <= KEEP_COLS_BYTES else None

        def part_of_batch(part):
            cols = _new_cols(a[part], geom) if kept is None else kept[part]
            _fill_cols(a[part], geom, cols)
            B.matmul(kernel, _as_matrices(cols, geom.groups), out=out[part])

        _for_each_part(part_of_batch, a, per_sample)
        out = out.reshape(x.shape[0], w.shape[0], ho, wo)
        if b is not None:
            out += b._array.reshape(1, -1, 1, 1)
        ctx.save_for_backward(x, w)
        ctx.geom, ctx.cols = geom, kept
        return out

    @staticmethod
    def backward(ctx, grad):
        x, w = ctx.saved_tensors
        need_x, need_w, need_b, _ = ctx.needs_input_grad
        gx = ConvInputGrad.apply(grad, w, ctx.geom) if need_x else None
        gw = ConvWeightGrad.apply(x, grad, ctx.geom, ctx.cols) if need_w else None
        gb = grad.sum((0, 2, 3)) if need_b else None
        return gx, gw, gb, None

    @staticmethod
    def jvp(ctx, tx, tw, tb, _):
        x, w = ctx.saved_tensors
        terms = [Conv2d.apply(tx, w, None, ctx.geom) if tx is not None else None,
                 Conv2d.apply(x, tw, None, ctx.geom) if tw is not None else None,
                 tb.reshape(1, -1, 1, 1) if tb is not None else None]
        return _sum_terms(terms)


class ConvInputGrad(Function):
    """The gradient of conv(x, w) w.r.t. x for an output gradient g: col2im(w^T @ g).
    As a layer of its own this is the transposed convolution."""

    @staticmethod
    def forward(ctx, g, w, geom):
        kernel_t = _grouped_kernel(w._array, geom.groups).transpose(0, 2, 1)
        rows = _rows(g._array, geom.groups)
        n, channels = g.shape[0], w.shape[1] * geom.groups
        out = backend_of(rows).zeros((n, channels) + tuple(geom.in_size), dtype=rows.dtype)
        per_sample = kernel_t.shape[0] * kernel_t.shape[1] * rows.shape[-1] * rows.itemsize

        def part_of_batch(part):
            _col2im(kernel_t @ rows[part], geom, out[part])  # (n, G, K, P) columns

        _for_each_part(part_of_batch, rows, per_sample)
        ctx.save_for_backward(g, w)
        ctx.geom = geom
        return out

    @staticmethod
    def backward(ctx, v):
        g, w = ctx.saved_tensors
        need_g, need_w, _ = ctx.needs_input_grad
        # <v, T(g, w)> = <conv(v, w), g> = <w, ConvWeightGrad(v, g)>
        dg = Conv2d.apply(v, w, None, ctx.geom) if need_g else None
        dw = ConvWeightGrad.apply(v, g, ctx.geom, None) if need_w else None
        return dg, dw, None

    @staticmethod
    def jvp(ctx, tg, tw, _):
        g, w = ctx.saved_tensors
        return _sum_terms([ConvInputGrad.apply(tg, w, ctx.geom) if tg is not None else None,
                           ConvInputGrad.apply(g, tw, ctx.geom) if tw is not None else None])


class ConvWeightGrad(Function):
    """The gradient of conv(x, w) w.r.t. w for an output gradient g: g @ im2col(x)^T,
    summed over the samples. ``cols`` are x's columns when the forward pass kept them;
    else they are remade from x chunk by chunk."""

    @staticmethod
    def forward(ctx, x, g, geom, cols):
        a = backend_of(x._array).ascontiguousarray(x._array)
        rows_t = _rows(g._array, geom.groups).transpose(0, 1, 3, 2)
        per_sample = _cols_bytes(a, geom)
        terms = {}  # first sample of a part -> that part's sum over its samples

        def part_of_batch(part):
            if cols is None:
                part_cols = _new_cols(a[part], geom)
                _fill_cols(a[part], geom, part_cols)
            else:
                part_cols = cols[part]
            # Per sample (n, G, K, P) @ (n, G, P, C_out/G), summed over the samples.
            terms[part.start] = (_as_matrices(part_cols, geom.groups) @ rows_t[part]).sum(0)

        _for_each_part(part_of_batch, a, per_sample)
        gw = None
        for start in sorted(terms):  # a fixed order: the same bits on any number of threads
            gw = terms[start] if gw is None else gw + terms[start]
        ctx.save_for_backward(x, g)
        ctx.geom = geom
        kh, kw = geom.kernel
        return gw.transpose(0, 2, 1).reshape(g.shape[1], x.shape[1] // geom.groups, kh, kw)

    @staticmethod
    def backward(ctx, v):
        x, g = ctx.saved_tensors
        need_x, need_g, _, _ = ctx.needs_input_grad
        # <v, ConvWeightGrad(x, g)> = <conv(x, v), g> = <x, T(g, v)>
        dx = ConvInputGrad.apply(g, v, ctx.geom) if need_x else None
        dg = Conv2d.apply(x, v, None, ctx.geom) if need_g else None
        return dx, dg, None, None

    @staticmethod
    def jvp(ctx, tx, tg, *_):
        x, g = ctx.saved_tensors
        return _sum_terms([
            ConvWeightGrad.apply(tx, g, ctx.geom, None) if tx is not None else None,
            ConvWeightGrad.apply(x, tg, ctx.geom, None) if tg is not None else None])


def _sum_terms(terms):
    """The sum of the tangent terms that exist (a bilinear op's jvp: d(xw) = dx w + x dw)."""
    present = [t for t in terms if t is not None]
    out = present[0]
    for t in present[1:]:
        out = out + t
    return out


# -- public functions: argument parsing and shape checks ------------------------------------


def _pair(v) -> tuple:
    if isinstance(v, (tuple, list)):
        if len(v) == 1:
            return (int(v[0]),) * 2
        return tuple(int(i) for i in v)
    return (int(v), int(v))


def _padding(padding, kernel, dilation, stride) -> tuple:
    """``padding`` as ((top, bottom), (left, right)); 'same' may pad one more at the end."""
    if isinstance(padding, str):
        if padding == "valid":
            return ((0, 0), (0, 0))
        if padding != "same":
            raise ValueError(
                f"Invalid padding string '{padding}', should be one of {{'valid', 'same'}}"
            )
        if any(s != 1 for s in stride):
            raise RuntimeError("padding='same' is not supported for strided convolutions")
        total = [d * (k - 1) for k, d in zip(kernel, dilation)]
        return tuple((t // 2, t - t // 2) for t in total)
    return tuple((p, p) for p in _pair(padding))


def _check_steps(stride: tuple, padding: tuple, dilation: tuple) -> None:
    """Strides and dilations must be positive, paddings not negative (PyTorch's errors)."""
    if any(s <= 0 for s in stride):
        raise RuntimeError("non-positive stride is not supported")
    if any(p < 0 for p in padding):
        raise RuntimeError("negative padding is not supported")
    if any(d <= 0 for d in dilation):
        raise RuntimeError(f"dilation should be greater than zero, but got {list(dilation)}")


def _check_conv(x: Tensor, w: Tensor, b, groups: int, name: str, geom: Geometry) -> None:
    if x.dim() != 4:
        raise RuntimeError(
            f"Expected 3D (unbatched) or 4D (batched) input to {name}, but got input of size: "
            f"{list(x.shape)}"
        )
    _check_steps(geom.stride, geom.padding[0] + geom.padding[1], geom.dilation)
    if w.dim() != 4:
        raise RuntimeError(
            f"weight should have at least three dimensions, got weight of size {list(w.shape)}"
        )
    if x.shape[1] != w.shape[1] * groups or w.shape[0] % groups:
        raise RuntimeError(
            f"Given groups={groups}, weight of size {list(w.shape)}, expected input"
            f"{list(x.shape)} to have {w.shape[1] * groups} channels, but got {x.shape[1]} "
            "channels instead"
        )
    if b is not None and tuple(b.shape) != (w.shape[0],):
        raise RuntimeError(
            f"Given weight of size {list(w.shape)}, expected bias to be 1-dimensional with "
            f"{w.shape[0]} elements, but got bias of size {list(b.shape)} instead"
        )
    padded = [n + p0 + p1 for n, (p0, p1) in zip(geom.in_size, geom.padding)]
    span = [d * (k - 1) + 1 for k, d in zip(geom.kernel, geom.dilation)]
    if any(p < s for p, s in zip(padded, span)):
        raise RuntimeError(
            f"Calculated padded input size per channel: ({padded[0]} x {padded[1]}). Kernel "
            f"size: ({span[0]} x {span[1]}). Kernel size can't be greater than actual input size"
        )
    if x.dtype != w.dtype:
        raise RuntimeError(
            f"Input type ({x.dtype}) and weight type ({w.dtype}) should be the same"
        )


def conv2d(input: Tensor, weight: Tensor, bias: Tensor | None = None, stride=1, padding=0,
           dilation=1, groups: int = 1) -> Tensor:
    """2-d convolution (cross-correlation, as in every framework) of ``input`` (N, C, H, W)
    with ``weight`` (C_out, C/groups, kh, kw) -> (N, C_out, H_out, W_out).

    H_out = floor((H + 2 padding - dilation (kh - 1) - 1) / stride) + 1. ``padding`` may be
    'same' (output as large as the input, stride 1) or 'valid' (no padding). ``groups``
    splits the channels into independent convolutions (groups = C: depthwise).
    """
    unbatched = input.dim() == 3
    if unbatched:
        input = input.unsqueeze(0)
    stride, dilation = _pair(stride), _pair(dilation)
    kernel = tuple(weight.shape[2:]) if weight.dim() == 4 else (1, 1)
    geom = Geometry(tuple(input.shape[2:]), kernel, stride,
                    _padding(padding, kernel, dilation, stride), dilation, groups)
    _check_conv(input, weight, bias, groups, "conv2d", geom)
    out = Conv2d.apply(input, weight, bias, geom)
    return out.squeeze(0) if unbatched else out


def conv1d(input: Tensor, weight: Tensor, bias: Tensor | None = None, stride=1, padding=0,
           dilation=1, groups: int = 1) -> Tensor:
    """1-d convolution of ``input`` (N, C, L) with ``weight`` (C_out, C/groups, k): a 2-d
    convolution of height 1."""
    if input.dim() not in (2, 3):
        raise RuntimeError(
            f"Expected 2D (unbatched) or 3D (batched) input to conv1d, but got input of size: "
            f"{list(input.shape)}"
        )
    pad = padding if isinstance(padding, str) else (0, _pair(padding)[0])
    out = conv2d(input.unsqueeze(-2), weight.unsqueeze(-2), bias, (1, _pair(stride)[0]), pad,
                 (1, _pair(dilation)[0]), groups)
    return out.squeeze(-2)


def conv_transpose2d(input: Tensor, weight: Tensor, bias: Tensor | None = None, stride=1,
                     padding=0, output_padding=0, groups: int = 1, dilation=1) -> Tensor:
    """Transposed convolution ("deconvolution"): the gradient of ``conv2d`` w.r.t. its input,
    used to upsample. ``input`` (N, C_in, H, W), ``weight`` (C_in, C_out/groups, kh, kw) ->
    (N, C_out, (H - 1) stride - 2 padding + dilation (kh - 1) + output_padding + 1, ...).
    """
    unbatched = input.dim() == 3
    if unbatched:
        input = input.unsqueeze(0)
    if input.dim() != 4:
        raise RuntimeError(
            f"Expected 3D (unbatched) or 4D (batched) input to conv_transpose2d, but got input "
            f"of size: {list(input.shape)}"
        )
    stride, dilation = _pair(stride), _pair(dilation)
    pad, extra = _pair(padding), _pair(output_padding)
    _check_steps(stride, pad, dilation)
    _check_output_padding(extra, stride, dilation)
    kernel = tuple(weight.shape[2:])
    if input.shape[1] != weight.shape[0]:
        raise RuntimeError(
            f"Given transposed=1, weight of size {list(weight.shape)}, expected input"
            f"{list(input.shape)} to have {weight.shape[0]} channels, but got {input.shape[1]} "
            "channels instead"
        )
    out_size = tuple((n - 1) * s - 2 * p + d * (k - 1) + e + 1 for n, s, p, d, k, e in
                     zip(input.shape[2:], stride, pad, dilation, kernel, extra))
    geom = Geometry(out_size, kernel, stride, tuple((p, p) for p in pad), dilation, groups)
    out = ConvInputGrad.apply(input, weight, geom)
    if bias is not None:
        out = out + bias.reshape(1, -1, 1, 1)
    return out.squeeze(0) if unbatched else out


def _check_output_padding(extra: tuple, stride: tuple, dilation: tuple) -> None:
    """The extra rows ``output_padding`` adds must be fewer than the stride or the dilation."""
    if any(e < 0 for e in extra):
        raise RuntimeError("negative output_padding is not supported")
    if any(e >= s and e >= d for e, s, d in zip(extra, stride, dilation)):
        raise RuntimeError(
            "output padding must be smaller than either stride or dilation, but got "
            f"output_padding_height: {extra[0]} output_padding_width: {extra[1]} "
            f"stride_height: {stride[0]} stride_width: {stride[1]} "
            f"dilation_height: {dilation[0]} dilation_width: {dilation[1]}"
        )


def conv_transpose1d(input: Tensor, weight: Tensor, bias: Tensor | None = None, stride=1,
                     padding=0, output_padding=0, groups: int = 1, dilation=1) -> Tensor:
    """Transposed 1-d convolution of ``input`` (N, C_in, L) with ``weight``
    (C_in, C_out/groups, k): ``conv_transpose2d`` of height 1."""
    if input.dim() not in (2, 3):
        raise RuntimeError(
            f"Expected 2D (unbatched) or 3D (batched) input to conv_transpose1d, but got input "
            f"of size: {list(input.shape)}"
        )
    if input.shape[-2] != weight.shape[0]:
        batched = list(input.shape) if input.dim() == 3 else [1] + list(input.shape)
        raise RuntimeError(
            f"Given transposed=1, weight of size {list(weight.shape)}, expected input"
            f"{batched} to have {weight.shape[0]} channels, but got {input.shape[-2]} "
            "channels instead"
        )
    one = lambda v: (1, _pair(v)[0])  # noqa: E731
    out = conv_transpose2d(input.unsqueeze(-2), weight.unsqueeze(-2), bias, one(stride),
                           (0, _pair(padding)[0]), (0, _pair(output_padding)[0]), groups,
                           one(dilation))
    return out.squeeze(-2)


__all__ = ["conv1d", "conv2d", "conv_transpose1d", "conv_transpose2d"]

TENSOR_METHODS: dict = {}
