"""``linear``: the fully connected layer ``y = x W^T + b`` as ONE op.

Written as Tensor ops, ``x.matmul(weight.t()) + bias`` records three ops (transpose, matmul,
add) and its backward runs seven (the add's bias reduction, two matmuls, two transposes...).
At batch 64 an MLP step is so small that this bookkeeping, not the arithmetic, is what costs:
each recorded op is a few microseconds of Python on the CPU, and a kernel launch (tens of
microseconds) on cuda. So the common case, a batch of vectors (N, in_features), is one
``Function`` whose forward is the backend's ``linear`` (one BLAS call and an in-place bias
add on the CPU; one kernel that adds the bias as it writes on cuda), and whose backward is
one ``LinearBackward`` op computing exactly the gradients needed::

    d input  = grad @ W           (N, out) @ (out, in)
    d weight = grad^T @ input     (out, N) @ (N, in): already in W's (out, in) layout
    d bias   = grad.sum(0)

``LinearBackward`` has its own backward (in Tensor ops), so second derivatives
(``create_graph=True``, ``gradgradcheck``) still work. Other shapes and devices take the
plain composition of Tensor ops, which gives the same numbers.
"""

from __future__ import annotations

import numpy as np

from .._backend import backend_of
from .._tensor import Tensor
from ..autograd.function import Function
from .matmul import matmul

_WHICH = ("input", "weight", "bias")  # the order of Linear's tensor arguments


class Linear(Function):
    """``input @ weight.T + bias`` for input (N, in) and weight (out, in) on one device."""

    @staticmethod
    def forward(ctx, input, weight, bias):
        x = input._array
        out = backend_of(x).linear(x, weight._array, None if bias is None else bias._array)
        ctx.save_for_backward(input, weight)
        return out

    @staticmethod
    def backward(ctx, grad):
        input, weight = ctx.saved_tensors
        needs = ctx.needs_input_grad
        grads = iter(LinearBackward.apply(grad, input, weight, needs))
        return tuple([next(grads) if need else None for need in needs])

    @staticmethod
    def jvp(ctx, t_input, t_weight, t_bias):
        input, weight = ctx.saved_tensors
        out = None if t_input is None else matmul(t_input, weight.t())
        for term in (None if t_weight is None else matmul(input, t_weight.t()), t_bias):
            if term is not None:
                out = term if out is None else out + term
        return out


class LinearBackward(Function):
    """The gradients of ``Linear`` for an incoming ``grad`` (N, out): a tuple with one array
    for each of input, weight, bias whose flag in ``needs`` is True (nothing else is
    computed: the first layer never multiplies out a gradient for the data)."""

    @staticmethod
    def forward(ctx, grad, input, weight, needs):
        g = grad._array
        B = backend_of(g)
        out = []
        if needs[0]:
            out.append(B.matmul(g, weight._array))
        if needs[1] and needs[2]:  # both from one product (one launch on cuda)
            out.extend(B.matmul_and_row_sums(g.T, input._array))
        elif needs[1]:
            out.append(B.matmul(g.T, input._array))  # (out, in), C-contiguous like the weight
        elif needs[2]:
            out.append(B.sum(g, axis=0))
        ctx.save_for_backward(grad, input, weight)
        ctx.which = [name for name, need in zip(_WHICH, needs) if need]
        ctx.set_materialize_grads(False)
        return tuple(out)

    @staticmethod
    def backward(ctx, *output_grads):
        # Each output is linear in grad and in one of input/weight, so its derivative is a
        # matrix product with the other factor (the transposes of the formulas above).
        grad, input, weight = ctx.saved_tensors
        need_grad, need_input, need_weight, _ = ctx.needs_input_grad
        bar = dict(zip(ctx.which, output_grads))
        terms = []  # contributions to d grad
        d_input = d_weight = None
        if bar.get("input") is not None:  # d_in = grad @ W
            terms.append(matmul(bar["input"], weight.t()))
            d_weight = matmul(grad.t(), bar["input"]) if need_weight else None
        if bar.get("weight") is not None:  # d_W = grad^T @ input
            terms.append(matmul(input, bar["weight"].t()))
            d_input = matmul(grad, bar["weight"]) if need_input else None
        if bar.get("bias") is not None:  # d_b = grad.sum(0)
            terms.append(bar["bias"].expand(grad.shape))
        d_grad = None
        if need_grad:
            for term in terms:
                d_grad = term if d_grad is None else d_grad + term
        return d_grad, d_input, d_weight, None

    @staticmethod
    def jvp(ctx, t_grad, t_input, t_weight, _):
        grad, input, weight = ctx.saved_tensors
        out = []
        for name in ctx.which:
            if name == "input":  # d(grad @ W)
                parts = (_mm(t_grad, weight), _mm(grad, t_weight))
            elif name == "weight":  # d(grad^T @ input)
                parts = (_mm(None if t_grad is None else t_grad.t(), input),
                         _mm(grad.t(), t_input))
            else:  # d(grad.sum(0))
                parts = (None if t_grad is None else t_grad.sum(0), None)
            a, b = parts
            out.append(b if a is None else a if b is None else a + b)
        return tuple(out)


def _mm(a, b):
    """``a @ b``, or None when either factor is None (a missing tangent)."""
    return None if a is None or b is None else matmul(a, b)


def _fusable(input: Tensor, weight: Tensor, bias: Tensor | None) -> bool:
    """True for the common case the fused op handles: float arrays of one dtype on one
    device, input (N, in), weight (out, in), bias (out,) or None. (Anything else takes the
    plain path, which also raises PyTorch's errors for mismatched shapes or devices.)"""
    x, w = input._array, weight._array
    arrays = (x, w) if bias is None else (x, w, bias._array)
    if any(type(a) is not type(x) for a in arrays):
        return False
    if type(x) is not np.ndarray and any(a.device_index != x.device_index for a in arrays):
        return False
    if x.ndim != 2 or w.ndim != 2 or x.shape[1] != w.shape[1] or x.dtype != w.dtype:
        return False
    if x.dtype.kind != "f":
        return False
    return bias is None or (arrays[2].shape == (w.shape[0],) and arrays[2].dtype == x.dtype)


def linear(input: Tensor, weight: Tensor, bias: Tensor | None = None) -> Tensor:
    """``input @ weight.T + bias``: the affine map of a fully connected layer.

    ``input`` (*, in_features), ``weight`` (out_features, in_features), ``bias``
    (out_features,) -> (*, out_features). A batch of vectors runs as one fused op (see the
    module docstring); anything else as ``matmul`` plus ``+``.
    """
    if _fusable(input, weight, bias):
        return Linear.apply(input, weight, bias)
    out = input.matmul(weight.t())
    return out if bias is None else out + bias


__all__: list = []

TENSOR_METHODS: dict = {}
