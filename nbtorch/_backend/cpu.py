"""The CPU backend: numpy (whose matmul is BLAS) plus Numba kernels where numpy is slow.

The names below are the backend interface that every op uses; the cuda backend
provides the same names. Kernels written with Numba live in ``cpu_kernels``-style
modules beside this file and are re-exported here.
"""

# ruff: noqa: F401
import numpy as np
from numpy import (
    abs,
    add,
    all,
    any,
    arange,
    arccos,
    arccosh,
    arcsin,
    arcsinh,
    arctan,
    arctan2,
    arctanh,
    argmax,
    argmin,
    argsort,
    array,
    asarray,
    bitwise_and,
    bitwise_or,
    bitwise_xor,
    broadcast_to,
    ceil,
    clip,
    concatenate,
    copysign,
    cos,
    cosh,
    count_nonzero,
    cumprod,
    cumsum,
    diag,
    diagonal,
    divide,
    empty,
    equal,
    exp,
    expand_dims,
    expm1,
    eye,
    flip,
    floor,
    floor_divide,
    fmod,
    frexp,
    full,
    greater,
    greater_equal,
    invert,
    isclose,
    isfinite,
    isinf,
    isnan,
    less,
    less_equal,
    linspace,
    log,
    log1p,
    log2,
    log10,
    logaddexp,
    logical_and,
    logical_not,
    logical_or,
    logical_xor,
    max,
    maximum,
    mean,
    min,
    minimum,
    moveaxis,
    multiply,
    nan_to_num,
    negative,
    nextafter,
    nonzero,
    not_equal,
    ones,
    outer,
    pad,
    power,
    prod,
    put_along_axis,
    remainder,
    roll,
    round,
    sign,
    sin,
    sinh,
    sort,
    sqrt,
    square,
    stack,
    std,
    subtract,
    sum,
    swapaxes,
    take_along_axis,
    tan,
    tanh,
    tile,
    trace,
    tril,
    triu,
    trunc,
    var,
    where,
    zeros,
)
from numpy.linalg import LinAlgError, cholesky, det, eigh, inv, qr, slogdet, solve, svd

from .. import _threads

ndarray = np.ndarray
device_type = "cpu"


def to_numpy(a):
    """The array as a numpy array (already one on the CPU)."""
    return a


def from_numpy(a, device=None):
    """A numpy array moved to this backend (the CPU: nothing to do)."""
    return a


def ascontiguousarray(a):
    """A C-contiguous version of ``a`` (the same array when it already is)."""
    return np.ascontiguousarray(a)


def index_add_at(out, key, values) -> None:
    """``out[key] += values``, adding repeatedly where an index repeats (a Numba loop for
    the common keys, numpy's slower general ``np.add.at`` for the rest)."""
    from .cpu_kernels.scatter import add_at

    if not add_at(out, key, values):
        np.add.at(out, key, values)


def erf(x):
    """The error function, elementwise (numpy has none: a Numba loop over C's ``erf``)."""
    from .cpu_kernels.special import erf_flat

    values = np.ascontiguousarray(x).reshape(-1)
    out = np.empty_like(values)
    erf_flat(values, out)
    return out.reshape(x.shape)


def erfc(x):
    """1 - erf(x), elementwise, without the cancellation (a Numba loop over C's ``erfc``)."""
    from .cpu_kernels.special import erfc_flat

    values = np.ascontiguousarray(x).reshape(-1)
    out = np.empty_like(values)
    erfc_flat(values, out)
    return out.reshape(x.shape)


def _gamma_bessel(name: str, *args):
    """The Numba ufunc ``name`` of ``cpu_kernels/gamma_bessel.py`` on float arrays (or
    numbers), run in float64 and its result cast back to the arguments' dtype. Its inf and
    NaN (poles, overflow) are results, not accidents: numpy's warnings about them are
    silenced."""
    from .cpu_kernels import gamma_bessel

    dtype = np.result_type(*args)
    wide = [a.astype(np.float64, copy=False) if isinstance(a, np.ndarray) else float(a)
            for a in args]
    with np.errstate(all="ignore"):
        return np.asarray(getattr(gamma_bessel, name)(*wide), dtype=dtype)


def lgamma(x):
    """log |Gamma(x)| elementwise."""
    return _gamma_bessel("lgamma", x)


def digamma(x):
    """The digamma function Gamma'(x) / Gamma(x) elementwise."""
    return _gamma_bessel("digamma", x)


def zeta(x, q):
    """Hurwitz's zeta function sum_k (k + q)^-x elementwise (broadcast)."""
    return _gamma_bessel("zeta", x, q)


def i0(x):
    """The modified Bessel function I0 elementwise: exp(|x|) i0e(x), in float64 (a float32
    result is rounded once)."""
    wide = np.asarray(x, dtype=np.float64)
    with np.errstate(all="ignore"):  # inf * 0 = NaN at x = inf, as in PyTorch
        return np.asarray(np.exp(np.abs(wide)) * i0e(wide), dtype=x.dtype)


def i0e(x):
    """exp(-|x|) I0(x) elementwise."""
    return _gamma_bessel("i0e", x)


def i1(x):
    """The modified Bessel function I1 elementwise: exp(|x|) i1e(x), in float64."""
    wide = np.asarray(x, dtype=np.float64)
    with np.errstate(all="ignore"):
        return np.asarray(np.exp(np.abs(wide)) * i1e(wide), dtype=x.dtype)


def i1e(x):
    """exp(-|x|) I1(x) elementwise."""
    return _gamma_bessel("i1e", x)


def diagonal_view(x, offset: int, dim1: int, dim2: int):
    """The diagonal of the (dim1, dim2) matrices as a writable view (numpy's is read-only)."""
    view = np.diagonal(x, offset, dim1, dim2)
    if x.flags.writeable:
        view.flags.writeable = True
    return view


def im2col(padded, kh, kw, sh, sw, dh, dw, ho, wo, cols):
    """Fill ``cols`` (C, kh, kw, N, ho, wo) with the patches of ``padded`` (N, C, Hp, Wp) and
    return it (a Numba kernel: ``cpu_kernels/conv.py``)."""
    from .cpu_kernels.conv import im2col as kernel

    kernel(padded, kh, kw, sh, sw, dh, dw, ho, wo, cols)
    return cols


def col2im(cols, sh, sw, dh, dw, out):
    """Add the patches in ``cols`` back onto ``out`` (N, C, Hp, Wp), im2col's adjoint."""
    from .cpu_kernels.conv import col2im as kernel

    kernel(cols, sh, sw, dh, dw, out)
    return out


def batched_im2col(x, kh, kw, sh, sw, ph, pw, dh, dw, cols):
    """Fill ``cols`` (N, C, kh, kw, ho, wo) with the patches of ``x`` (N, C, H, W), padded by
    ``ph`` rows on top and ``pw`` columns on the left, and return it (the layout of conv2d)."""
    from .cpu_kernels.conv import batched_im2col as kernel

    kernel(x, kh, kw, sh, sw, ph, pw, dh, dw, cols)
    return cols


def batched_col2im(cols, sh, sw, ph, pw, dh, dw, out):
    """Add the patches in ``cols`` (N, C, kh, kw, ho, wo) back onto ``out`` (N, C, H, W),
    ``batched_im2col``'s adjoint."""
    from .cpu_kernels.conv import batched_col2im as kernel

    kernel(cols, sh, sw, ph, pw, dh, dw, out)
    return out


def matmul(x, y, out=None):
    """numpy's ``matmul`` (BLAS), on nbtorch's threads when the product is big and on one
    thread when it is small (why: ``nbtorch/_threads.py``)."""
    _threads.blas_for_product(x.size * (y.shape[-1] if y.ndim > 1 else 1))
    return np.matmul(x, y, out=out)


def linear(x, weight, bias=None):
    """``x @ weight.T + bias`` for x (N, in), weight (out, in), bias (out,) or None: one BLAS
    product (``weight.T`` is a free transposed view) and the bias added in place."""
    out = matmul(x, weight.T)
    if bias is not None:
        out += bias  # in place: ``out`` is fresh, no second (N, out) array
    return out


def matmul_and_row_sums(a, b):
    """``(a @ b, a.sum(1))``: for ``linear``'s backward, d weight and d bias (the cuda
    backend does both in one kernel launch). The sums are taken as ``a.T.sum(0)``: for
    a = grad.T that is ``grad.sum(0)`` itself, the bias gradient's usual formula."""
    return matmul(a, b), a.T.sum(0)


def relu_backward(grad, out):
    """ReLU's backward: ``grad`` where the output is positive, else 0 (``grad * (out > 0)``)."""
    return grad * (out > 0)


def softmax(x, axis=-1):
    """exp(x - max) / sum(exp(x - max)) along ``axis`` (subtracting the max first keeps exp
    from overflowing)."""
    if x.size == 0:
        return x.copy()
    e = np.exp(x - np.max(x, axis=axis, keepdims=True))
    return e / np.sum(e, axis=axis, keepdims=True)


def log_softmax(x, axis=-1):
    """x - max - log(sum(exp(x - max))) along ``axis``."""
    if x.size == 0:
        return x.copy()
    shifted = x - np.max(x, axis=axis, keepdims=True)
    return shifted - np.log(np.sum(np.exp(shifted), axis=axis, keepdims=True))


_FUSED_MIN_SIZE = 1 << 14  # below this, numpy's few calls cost less than entering a kernel


def sgd_momentum_(p, g, buf, lr, momentum, dampening, weight_decay, nesterov, maximize):
    """One SGD step with momentum on parameter ``p`` and its buffer ``buf``, in place::

        d = -g if maximize else g;  d = d + weight_decay * p
        buf = momentum * buf + (1 - dampening) * d
        p = p - lr * (d + momentum * buf if nesterov else buf)

    A big float parameter takes one pass of a Numba loop (``cpu_kernels/optim.py``); the
    numpy lines below compute the same numbers with a pass over memory per operation.
    """
    if (p.size >= _FUSED_MIN_SIZE and p.dtype.kind == "f" and g.dtype == buf.dtype == p.dtype
            and p.flags.c_contiguous and g.flags.c_contiguous and buf.flags.c_contiguous):
        from .cpu_kernels.optim import sgd_momentum

        f = p.dtype.type
        sgd_momentum(p.reshape(-1), g.reshape(-1), buf.reshape(-1), f(lr), f(momentum),
                     f(1 - dampening), f(weight_decay), nesterov, maximize)
        return
    d = -g if maximize else g
    if weight_decay != 0:
        d = d + weight_decay * p
    buf *= momentum
    buf += (1 - dampening) * d if dampening else d
    p -= lr * (d + momentum * buf if nesterov else buf)


def max_pool2d(x, kh, kw, sh, sw, ph, pw, dh, dw, out, indices):
    """Fill ``out`` with each window's maximum and ``indices`` with where it was (samples
    split over nbtorch's threads when the batch is big)."""
    from .cpu_kernels.pool import max_pool2d as kernel

    def samples(a, b):
        kernel(x[a:b], kh, kw, sh, sw, ph, pw, dh, dw, out[a:b], indices[a:b])

    _threads.parallel_chunks(samples, len(x), _threads.threads_for(x, len(x), x.size))
    return out, indices


def max_pool2d_backward(grad, indices, grad_input):
    """Add each pooled gradient onto ``grad_input`` (N, C, H*W) at its window's argmax."""
    from .cpu_kernels.pool import max_pool2d_backward as kernel

    def samples(a, b):
        kernel(grad[a:b], indices[a:b], grad_input[a:b])

    n = len(grad)
    _threads.parallel_chunks(samples, n, _threads.threads_for(grad, n, grad.size))
    return grad_input
