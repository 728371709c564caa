"""Running totals beyond ``cumsum``: ``logcumsumexp``, and integrals by the trapezoid rule
(``trapezoid``/``trapz`` and ``cumulative_trapezoid``).

``logcumsumexp``: out[k] = log(exp(x[0]) + ... + exp(x[k])), the running sum of values
stored as logarithms. ``log(cumsum(exp(x)))`` would overflow (exp(1000)); instead the pairs
are combined with ``logaddexp``, which never overflows, in a parallel prefix scan: after
step j every out[k] holds the log-sum of the 2^j elements ending at k, so the step adds in
the block 2^j before it. log2(n) steps of whole-tensor ops, all differentiable.

Trapezoid rule: between samples y[i] and y[i+1], taken dx apart, the area under the line
joining them is dx * (y[i] + y[i+1]) / 2. ``cumulative_trapezoid`` is the running sum of
these areas, ``trapezoid`` their total. Sample positions ``x`` (instead of a spacing
``dx``) give dx = x[i+1] - x[i].
"""

from __future__ import annotations

from .._tensor import Tensor
from ._util import wrap_dim
from .join import cat
from .pointwise import not_implemented
from .special import logaddexp


def logcumsumexp(input: Tensor, dim: int) -> Tensor:
    """log(cumsum(exp(input))) along ``dim``, computed without overflow: the running
    ``logsumexp``. Floating point inputs only."""
    if input._array.dtype.kind != "f":
        raise not_implemented("logcumsumexp_out_cpu", input._array)
    d = wrap_dim(dim, input.ndim)
    if input.ndim == 0:
        return input.clone()
    out, n, step = input, input.shape[d], 1
    while step < n:
        earlier = out.narrow(d, 0, n - step)  # the block ending `step` places before
        out = cat([out.narrow(d, 0, step), logaddexp(out.narrow(d, step, n - step), earlier)],
                  d)
        step *= 2
    return out if out is not input else input.clone()


def _spacing(name: str, y: Tensor, x, dx, d: int):
    """dx for each interval along dim ``d``: a number, or the differences of ``x``
    (shaped to broadcast against the intervals of ``y``)."""
    if x is None:
        return 1 if dx is None else dx
    if dx is not None:
        raise TypeError(f"{name}() received an invalid combination of arguments: give either "
                        "x or dx, not both")
    if not isinstance(x, Tensor):
        raise TypeError(f"{name}(): argument 'x' must be Tensor, not {type(x).__name__}")
    if x.ndim == 1:
        if x.shape[0] != y.shape[d]:
            raise RuntimeError(f"{name}: There must be one `x` value for each sample point")
        shape = [1] * y.ndim
        shape[d] = x.shape[0]
        x = x.reshape(shape)
    elif x.ndim < y.ndim:
        x = x.reshape([1] * (y.ndim - x.ndim) + list(x.shape))
    n = x.shape[d]
    return x.narrow(d, 1, n - 1) - x.narrow(d, 0, n - 1)


def _check(name: str, y: Tensor, x) -> None:
    if y._array.dtype.kind == "b" or (isinstance(x, Tensor) and x._array.dtype.kind == "b"):
        raise RuntimeError(f"{name}: received a bool input for `x` or `y`, but bool is not "
                           "supported")


def trapezoid(y: Tensor, x: Tensor | None = None, *, dx=None, dim: int = -1) -> Tensor:
    """The integral of the samples ``y`` along ``dim`` by the trapezoid rule: the sum of
    dx * (y[i] + y[i+1]) / 2 over the intervals. ``x`` gives the sample positions (a 1-d
    tensor, or one that broadcasts against ``y``), ``dx`` a constant spacing (default 1)."""
    _check("trapezoid", y, x)
    d = wrap_dim(dim, y.ndim, scalar_ok=False)
    n = y.shape[d]
    if n == 0:  # no sample: no area (numpy's answer)
        return y.new_zeros(y.shape[:d] + y.shape[d + 1:])
    spacing = _spacing("trapezoid", y, x, dx, d)
    left, right = y.narrow(d, 0, n - 1), y.narrow(d, 1, n - 1)
    if isinstance(spacing, Tensor):
        return ((left + right) * spacing).sum(d) / 2
    return (y.sum(d) - (y.select(d, 0) + y.select(d, -1)) * 0.5) * spacing


def trapz(y: Tensor, x: Tensor | None = None, *, dx=None, dim: int = -1) -> Tensor:
    """The older name of ``trapezoid``."""
    return trapezoid(y, x, dx=dx, dim=dim)


def cumulative_trapezoid(y: Tensor, x: Tensor | None = None, *, dx=None,
                         dim: int = -1) -> Tensor:
    """The running integral of ``y`` along ``dim`` by the trapezoid rule: entry i is the area
    up to sample i + 1, so the result has one element fewer along ``dim``. Same arguments as
    ``trapezoid``, whose result is this one's last entry."""
    _check("cumulative_trapezoid", y, x)
    d = wrap_dim(dim, y.ndim, scalar_ok=False)
    n = y.shape[d]
    if n == 0:
        return y.narrow(d, 0, 0) * 1.0
    spacing = _spacing("cumulative_trapezoid", y, x, dx, d)
    left, right = y.narrow(d, 0, n - 1), y.narrow(d, 1, n - 1)
    return (spacing / 2.0 * (left + right)).cumsum(d)


__all__ = ["logcumsumexp", "trapezoid", "trapz", "cumulative_trapezoid"]

TENSOR_METHODS = {"logcumsumexp": logcumsumexp}
