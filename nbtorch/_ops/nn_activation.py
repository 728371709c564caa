"""Activation functions of neural networks (``nn.functional.leaky_relu``, ``gelu``, ...).

Each is an elementwise nonlinearity f. Forward applies f to the array; backward multiplies
the incoming gradient by f'(x), written in Tensor ops so that it can be differentiated
again. Where f' is piecewise constant (LeakyReLU, Hardtanh) the mask is a constant: its own
derivative is zero almost everywhere.

``softmax`` and ``log_softmax`` (over one dimension) are here too: subtracting the row's
maximum before ``exp`` keeps them from overflowing.
"""

from __future__ import annotations

import math

from .._tensor import Tensor
from ..autograd.function import Function
from ._util import backend, unary_float, wrap_dim
from .inplace import make_inplace
from .pointwise import where


class LeakyRelu(Function):
    @staticmethod
    def forward(ctx, x, slope):
        a = unary_float(x)
        pos = a > 0
        ctx.save_for_backward(pos)
        ctx.slope = slope
        return backend(x).where(pos, a, a * a.dtype.type(slope))

    @staticmethod
    def backward(ctx, grad):
        (pos,) = ctx.saved_tensors
        return grad * where(pos, 1.0, ctx.slope), None

    @staticmethod
    def jvp(ctx, t, _):
        (pos,) = ctx.saved_tensors
        return t * where(pos, 1.0, ctx.slope)


class Elu(Function):
    """alpha (e^x - 1) for x <= 0, x above; f'(x) = f(x) + alpha on the negative side."""

    @staticmethod
    def forward(ctx, x, alpha):
        B = backend(x)
        a = unary_float(x)
        pos = a > 0
        out = B.where(pos, a, alpha * B.expm1(B.minimum(a, 0))).astype(a.dtype, copy=False)
        ctx.save_for_backward(pos, out)
        ctx.alpha = alpha
        return out

    @staticmethod
    def backward(ctx, grad):
        pos, out = ctx.saved_tensors
        return grad * where(pos, 1.0, out + ctx.alpha), None

    @staticmethod
    def jvp(ctx, t, _):
        pos, out = ctx.saved_tensors
        return t * where(pos, 1.0, out + ctx.alpha)


def _normal_cdf_pdf(x: Tensor):
    """Phi(x) and phi(x) of the standard normal, in Tensor ops."""
    cdf = 0.5 * (1 + (x * (1 / math.sqrt(2))).erf())
    pdf = (-0.5 * x * x).exp() * (1 / math.sqrt(2 * math.pi))
    return cdf, pdf


class Gelu(Function):
    """x Phi(x), Phi the standard normal CDF; f'(x) = Phi(x) + x phi(x)."""

    @staticmethod
    def forward(ctx, x):
        B = backend(x)
        a = unary_float(x)
        ctx.save_for_backward(x)
        return (a * 0.5 * (1 + B.erf(a * (1 / math.sqrt(2))))).astype(a.dtype, copy=False)

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        cdf, pdf = _normal_cdf_pdf(x)
        return grad * (cdf + x * pdf)

    @staticmethod
    def jvp(ctx, t):
        (x,) = ctx.saved_tensors
        cdf, pdf = _normal_cdf_pdf(x)
        return t * (cdf + x * pdf)


class Softplus(Function):
    """log(1 + e^(beta x)) / beta, computed stably; f'(x) = sigmoid(beta x). Above
    ``threshold`` (in beta x) it is x itself, as PyTorch's."""

    @staticmethod
    def forward(ctx, x, beta, threshold):
        B = backend(x)
        a = unary_float(x)
        z = a * a.dtype.type(beta)
        soft = (B.maximum(z, 0) + B.log1p(B.exp(-B.abs(z)))) / beta
        linear = z > threshold
        ctx.save_for_backward(x, linear)
        ctx.beta = beta
        return B.where(linear, a, soft).astype(a.dtype, copy=False)

    @staticmethod
    def backward(ctx, grad):
        x, linear = ctx.saved_tensors
        return grad * where(linear, 1.0, (x * ctx.beta).sigmoid()), None, None

    @staticmethod
    def jvp(ctx, t, *_):
        x, linear = ctx.saved_tensors
        return t * where(linear, 1.0, (x * ctx.beta).sigmoid())


class Hardtanh(Function):
    """x clipped to [min_val, max_val]; f' is 1 inside, 0 outside."""

    @staticmethod
    def forward(ctx, x, lo, hi):
        a = unary_float(x)
        ctx.save_for_backward((a > lo) & (a < hi))
        return backend(x).clip(a, lo, hi).astype(a.dtype, copy=False)

    @staticmethod
    def backward(ctx, grad):
        (inside,) = ctx.saved_tensors
        return grad * inside, None, None

    @staticmethod
    def jvp(ctx, t, *_):
        (inside,) = ctx.saved_tensors
        return t * inside


class Softmax(Function):
    """e^x_i / sum_j e^x_j along ``dim``; backward: y * (g - sum(g * y))."""

    @staticmethod
    def forward(ctx, x, dim):
        out = backend(x).softmax(unary_float(x), dim)  # on cuda: one kernel, a block per row
        ctx.save_for_backward(out)
        ctx.dim = dim
        return out

    @staticmethod
    def backward(ctx, grad):
        (y,) = ctx.saved_tensors
        return y * (grad - (grad * y).sum(ctx.dim, keepdim=True)), None

    @staticmethod
    def jvp(ctx, t, _):
        (y,) = ctx.saved_tensors
        return y * (t - (t * y).sum(ctx.dim, keepdim=True))


class LogSoftmax(Function):
    """x_i - log sum_j e^x_j along ``dim``; backward: g - softmax(x) * sum(g)."""

    @staticmethod
    def forward(ctx, x, dim):
        out = backend(x).log_softmax(unary_float(x), dim)
        ctx.save_for_backward(out)
        ctx.dim = dim
        return out

    @staticmethod
    def backward(ctx, grad):
        (y,) = ctx.saved_tensors
        return grad - y.exp() * grad.sum(ctx.dim, keepdim=True), None

    @staticmethod
    def jvp(ctx, t, _):
        (y,) = ctx.saved_tensors
        return t - (y.exp() * t).sum(ctx.dim, keepdim=True)


def _softmax_dim(input: Tensor, dim) -> int:
    if dim is None:  # PyTorch's legacy implicit choice
        dim = 0 if input.dim() in (0, 1, 3) else 1
    return wrap_dim(dim, input.dim())


def leaky_relu(input: Tensor, negative_slope: float = 0.01, inplace: bool = False) -> Tensor:
    """x for x > 0, ``negative_slope * x`` otherwise: a ReLU whose negative side still
    passes a little gradient."""
    if inplace:
        return _inplace(leaky_relu, input, negative_slope)
    return LeakyRelu.apply(input, negative_slope)


def elu(input: Tensor, alpha: float = 1.0, inplace: bool = False) -> Tensor:
    """x for x > 0, ``alpha * (exp(x) - 1)`` otherwise: smooth, with negative outputs."""
    if inplace:
        return _inplace(elu, input, alpha)
    return Elu.apply(input, alpha)


def gelu(input: Tensor, approximate: str = "none") -> Tensor:
    """x * Phi(x), with Phi the standard normal CDF (the activation of transformers).

    ``approximate='tanh'`` uses 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3))).
    """
    if approximate == "tanh":
        inner = math.sqrt(2 / math.pi) * (input + 0.044715 * input * input * input)
        return 0.5 * input * (1 + inner.tanh())
    if approximate != "none":
        raise RuntimeError("approximate argument must be either none or tanh.")
    return Gelu.apply(input)


def silu(input: Tensor, inplace: bool = False) -> Tensor:
    """x * sigmoid(x) (also called swish)."""
    if inplace:
        return _inplace(silu, input)
    return input * input.sigmoid()


def softplus(input: Tensor, beta: float = 1.0, threshold: float = 20.0) -> Tensor:
    """log(1 + exp(beta x)) / beta: a smooth ReLU, always positive."""
    return Softplus.apply(input, beta, threshold)


def hardtanh(input: Tensor, min_val: float = -1.0, max_val: float = 1.0,
             inplace: bool = False) -> Tensor:
    """x clipped to [min_val, max_val] (gradient 0 outside)."""
    if min_val > max_val:
        raise ValueError("min_val cannot be greater than max_val")
    if inplace:
        return _inplace(hardtanh, input, min_val, max_val)
    return Hardtanh.apply(input, min_val, max_val)


def relu6(input: Tensor, inplace: bool = False) -> Tensor:
    """min(max(x, 0), 6)."""
    return hardtanh(input, 0.0, 6.0, inplace)


def softmax(input: Tensor, dim: int | None = None, _stacklevel: int = 3,
            dtype=None) -> Tensor:
    """exp(x) / exp(x).sum(dim): turn scores into probabilities along ``dim``."""
    if dtype is not None:
        input = input.to(dtype)
    return Softmax.apply(input, _softmax_dim(input, dim))


def log_softmax(input: Tensor, dim: int | None = None, _stacklevel: int = 3,
                dtype=None) -> Tensor:
    """log(softmax(x)), computed without forming softmax (exact for very negative logs)."""
    if dtype is not None:
        input = input.to(dtype)
    return LogSoftmax.apply(input, _softmax_dim(input, dim))


def _inplace(fn, input: Tensor, *args) -> Tensor:
    """``inplace=True``: compute ``fn`` and write the result into ``input``'s memory."""
    return make_inplace(fn, fn.__name__ + "_")(input, *args)


__all__: list = []
