"""Loss functions (``nn.functional.cross_entropy``, ``mse_loss``, ...).

A loss compares a prediction with a target and returns one number per element (``reduction=
'none'``), their mean (``'mean'``, the default) or their sum (``'sum'``).

Most losses here are short compositions of Tensor ops, so autograd differentiates them (to
any order) for free. ``cross_entropy`` is the exception: it is the loss of nearly every
classifier, so it is one fused ``Function``. Its forward never builds the log-probabilities
(it needs only each row's log-sum-exp), and its gradient is the famous
``softmax(x) - onehot(target)``, scaled. On cuda its common case runs in the cuda backend's
own kernels instead (``CudaCrossEntropy``): there, the number of launches is the cost.
"""

from __future__ import annotations

import numpy as np

from .._tensor import Tensor
from .._threads import parallel_chunks, threads_for
from ..autograd.function import Function
from ._util import backend, check_same_device
from .nn_activation import Softmax, log_softmax, softplus
from .pointwise import not_implemented, type_name, where
from .scatter import Gather

_REDUCTIONS = ("none", "mean", "sum")
_TARGET_DTYPES = (np.dtype(np.int64), np.dtype(np.uint8))  # class indices: Long or Byte


def legacy_reduction(size_average, reduce, reduction: str) -> str:
    """Map the old ``size_average``/``reduce`` flags to ``reduction`` (PyTorch still takes
    them)."""
    if size_average is None and reduce is None:
        return reduction
    size_average = True if size_average is None else size_average
    reduce = True if reduce is None else reduce
    if not reduce:
        return "none"
    return "mean" if size_average else "sum"


def _reduce(loss: Tensor, reduction: str) -> Tensor:
    if reduction == "mean":
        return loss.mean()
    if reduction == "sum":
        return loss.sum()
    if reduction == "none":
        return loss
    raise ValueError(f"{reduction} is not a valid value for reduction")


def _check_same_size(input: Tensor, target: Tensor, name: str) -> None:
    if input.shape != target.shape:
        raise ValueError(
            f"Using a target size ({target.shape}) that is different to the input size "
            f"({input.shape}) is deprecated. Please ensure they have the same size."
            if name == "bce" else
            f"Target size ({target.shape}) must be the same as input size ({input.shape})"
        )


# -- regression losses ----------------------------------------------------------------------


def mse_loss(input: Tensor, target: Tensor, size_average=None, reduce=None,
             reduction: str = "mean", weight=None) -> Tensor:
    """Mean squared error: mean of (input - target)^2."""
    diff = input - target
    return _reduce(diff * diff, legacy_reduction(size_average, reduce, reduction))


def l1_loss(input: Tensor, target: Tensor, size_average=None, reduce=None,
            reduction: str = "mean") -> Tensor:
    """Mean absolute error: mean of |input - target|."""
    return _reduce((input - target).abs(), legacy_reduction(size_average, reduce, reduction))


def smooth_l1_loss(input: Tensor, target: Tensor, size_average=None, reduce=None,
                   reduction: str = "mean", beta: float = 1.0) -> Tensor:
    """Quadratic (0.5 d^2 / beta) for |d| < beta, linear (|d| - 0.5 beta) beyond: L1 that is
    smooth at zero, so less sensitive to outliers than MSE."""
    reduction = legacy_reduction(size_average, reduce, reduction)
    d = (input - target).abs()
    if beta == 0:
        return _reduce(d, reduction)
    return _reduce(where(d < beta, 0.5 * d * d / beta, d - 0.5 * beta), reduction)


def huber_loss(input: Tensor, target: Tensor, reduction: str = "mean",
               delta: float = 1.0) -> Tensor:
    """0.5 d^2 for |d| < delta, delta (|d| - 0.5 delta) beyond (``smooth_l1 * delta``)."""
    if delta <= 0:
        raise RuntimeError("huber_loss does not support non-positive values for delta.")
    d = (input - target).abs()
    return _reduce(where(d < delta, 0.5 * d * d, delta * (d - 0.5 * delta)), reduction)


# -- classification: cross entropy ---------------------------------------------------------


def _class_last(x: Tensor) -> Tensor:
    """(N, C, d1, ...) -> (N * d1 * ..., C): one row of class scores per prediction."""
    if x.dim() == 2:
        return x  # already one row per prediction (the common case: no op to record)
    if x.dim() < 2:
        return x.reshape(-1, x.shape[-1])
    return x.movedim(1, -1).reshape(-1, x.shape[1])


def _class_first(rows: Tensor, shape) -> Tensor:
    """Undo ``_class_last`` for a tensor of the input's shape."""
    if len(shape) <= 2:
        return rows.reshape(shape)
    return rows.reshape((shape[0],) + tuple(shape[2:]) + (shape[1],)).movedim(-1, 1)


def _check_targets(input: Tensor, target: Tensor, ignore_index: int, need_values: bool = True):
    """The class indices as a flat int64 numpy array, checked against the input, and whether
    every target is a real class (True when none can equal ``ignore_index``).

    With ``need_values=False`` (the fused cuda path, which reads the targets on the device)
    it returns ``(None, True)`` without reading a cuda target back when the host already
    knows every value is a real class (``_known_real_classes``)."""
    if input.dim() == 0:
        raise RuntimeError("cross_entropy: input must have at least one dimension")
    batch = () if input.dim() == 1 else (input.shape[0],) + tuple(input.shape[2:])
    if tuple(target.shape) != batch:
        if input.dim() >= 2 and target.dim() >= 1 and target.shape[0] != input.shape[0]:
            raise ValueError(
                f"Expected input batch_size ({input.shape[0]}) to match target batch_size "
                f"({target.shape[0]})."
            )
        raise RuntimeError(
            f"Expected target size {list(batch)}, got {list(target.shape)}"
        )
    if target._array.dtype not in _TARGET_DTYPES:
        raise RuntimeError(
            f"expected target dtype to be Long or Byte, but got {type_name(target._array)}"
        )
    classes = input.shape[-1] if input.dim() == 1 else input.shape[1]
    if not need_values and _known_real_classes(target, classes, ignore_index):
        return None, True
    t = np.asarray(target._array).reshape(-1)  # a cuda array is copied to the host here
    if t.size == 0:
        return t.astype(np.int64, copy=False), True
    lo, hi = t.min(), t.max()  # two reductions instead of a mask per test
    if lo < 0 or hi >= classes:
        bad = (t != ignore_index) & ((t < 0) | (t >= classes))
        if bad.any():
            raise IndexError(f"Target {t[bad][0]} is out of bounds.")
    return t.astype(np.int64, copy=False), not lo <= ignore_index <= hi


def _check_class_weight(input: Tensor, weight: Tensor) -> None:
    """Class weights: one number per class of ``input`` (N, C, ...) or (C,)."""
    classes = input.shape[-1] if input.dim() == 1 else input.shape[1]
    if tuple(weight.shape) != (classes,):
        raise RuntimeError(
            f"weight tensor should be defined either for all {classes} classes or no classes "
            f"but got weight tensor of shape: {list(weight.shape)}"
        )


def _known_real_classes(target: Tensor, classes: int, ignore_index: int) -> bool:
    """True when the host knows, without reading it, that every value of the cuda tensor
    ``target`` is a class in [0, classes) other than ``ignore_index``: from the range of
    its values kept since they were copied from the host (``DeviceArray.known_range``).

    Reading the targets back would wait for every kernel queued before (the forward pass):
    at every training step the GPU would run dry while Python prepares the next launches.
    Targets made on the GPU (``logits.argmax(1)``, say) have no known range: they are read."""
    known = target._array.known_range() if target.numel() else None
    if known is None:
        return False
    lo, hi = known
    return 0 <= lo and hi < classes and not lo <= ignore_index <= hi


# -- row-parallel pieces for large inputs ---------------------------------------------------
# Big inputs are split by rows over nbtorch's worker threads (``nbtorch._threads``). For these
# few numpy calls, below about a million entries the hand-off costs more than it saves.

_PARALLEL_MIN_ENTRIES = 1 << 20


def _row_threads(x) -> int:
    """How many threads to split ``x``'s rows over: 1 unless it is a big numpy array."""
    return threads_for(x, len(x), x.size, _PARALLEL_MIN_ENTRIES)


def _exp_shifted(B, x, threads: int):
    """Per row: ``m`` = max (n, 1), ``e = exp(x - m)`` and ``s`` = sum of ``e`` (n,).

    Subtracting the maximum first keeps ``exp`` from overflowing; softmax = e / s and
    log-sum-exp = m + log(s). Big arrays are split by rows over ``threads`` threads.
    """
    if threads == 1:
        m = B.max(x, axis=1, keepdims=True)
        e = B.subtract(x, m)
        B.exp(e, out=e)
        return e, m, B.sum(e, axis=1)
    e, m, s = np.empty_like(x), np.empty((len(x), 1), x.dtype), np.empty(len(x), x.dtype)

    def rows(a, b):  # the same three numpy calls on rows a:b, written into e, m, s
        np.max(x[a:b], axis=1, keepdims=True, out=m[a:b])
        np.exp(np.subtract(x[a:b], m[a:b], out=e[a:b]), out=e[a:b])
        np.sum(e[a:b], axis=1, out=s[a:b])

    parallel_chunks(rows, len(x), threads)
    return e, m, s


def _scale_rows_(B, e, factor, threads: int):
    """``e *= factor[:, None]`` in place (row r scaled by factor[r]), split over threads."""
    factor = factor[:, None]
    if threads == 1:
        return B.multiply(e, factor, out=e)

    def rows(a, b):
        np.multiply(e[a:b], factor[a:b], out=e[a:b])

    parallel_chunks(rows, len(e), threads)
    return e


# -- the fused Numba kernels for big float32 batches (see cpu_kernels/softmax.py) ------------
# Below about 64k entries numpy's few calls cost less than entering a compiled kernel.

_FUSED_MIN_ENTRIES = 1 << 16


def _fused_kernels(x):
    """The module of fused softmax kernels when they suit ``x`` (a big C-contiguous float32
    numpy matrix), else None."""
    if (type(x) is not np.ndarray or x.dtype != np.float32 or x.size < _FUSED_MIN_ENTRIES
            or not x.flags.c_contiguous):
        return None
    from .._backend.cpu_kernels import softmax

    return softmax


def _max_sumexp(kernels, x, threads: int):
    """Per row: ``m`` = max (n, 1) and ``s`` = sum of exp(x - m) (n,), in one kernel pass
    after numpy's max; split by rows over ``threads`` threads."""
    m, s = np.empty(len(x), x.dtype), np.empty(len(x), x.dtype)

    def rows(a, b):
        np.max(x[a:b], axis=1, out=m[a:b])
        kernels.row_sumexp(x, m, s, a, b)

    parallel_chunks(rows, len(x), threads)
    return m[:, None], s


def _softmax_minus_onehot(kernels, x, m, factor, target, scale, threads: int):
    """A new matrix exp(x - m) * factor[:, None] with ``scale`` (one number, or one per row)
    taken off each row's target entry: the gradient of the plain cross entropy, in one
    kernel pass."""
    out, m = np.empty_like(x), m[:, 0]
    factor = factor.astype(x.dtype, copy=False)
    scale = np.ascontiguousarray(np.broadcast_to(scale, (len(x),)), dtype=x.dtype)

    def rows(a, b):
        kernels.softmax_minus_onehot(x, m, factor, target, scale, out, a, b)

    parallel_chunks(rows, len(x), threads)
    return out


class CrossEntropy(Function):
    """Fused log-softmax + negative log-likelihood over rows of class scores.

    For row r with target t, weights w and smoothing eps over C classes:
    loss_r = (1 - eps) w_t (lse_r - x_rt) + eps / C * sum_c w_c (lse_r - x_rc),
    lse_r = log sum_c exp(x_rc). Its gradient is computed by ``CrossEntropyBackward``.

    ``plain`` marks the common case (no class weights, no smoothing, no ignored target,
    numpy arrays): every w_t is 1, so those per-row arrays are never built.
    """

    @staticmethod
    def forward(ctx, rows, target, weight, ignore_index, smoothing, reduction, plain):
        B = backend(rows)
        x = rows._array
        n, classes = x.shape
        if plain:
            t, valid, w_t = target, None, None
        else:
            valid = target != ignore_index
            t = B.where(valid, target, 0)
            w_t = valid.astype(x.dtype) if weight is None else weight[t] * valid
        row_idx = B.arange(n)
        x_t = x[row_idx, t] if plain else B.take_along_axis(x, t[:, None], axis=1)[:, 0]
        threads = _row_threads(x)
        kernels = _fused_kernels(x) if plain else None
        if kernels is not None:  # nothing of x's size is kept: backward recomputes the exps
            e, (m, s) = None, _max_sumexp(kernels, x, threads)
        elif classes:
            e, m, s = _exp_shifted(B, x, threads)  # e is kept for backward: softmax = e / s
        else:
            m, e, s = B.zeros((n, 1), x.dtype), B.exp(x), B.sum(x, axis=1)
        lse = m[:, 0] + B.log(s)
        loss = lse - x_t if plain else w_t * (lse - x_t)
        if smoothing:
            w_all = B.sum(weight) if weight is not None else classes
            x_w = B.sum(x, axis=1) if weight is None else x @ weight
            smooth = (w_all * lse - x_w) * valid
            loss = (1 - smoothing) * loss + (smoothing / classes) * smooth
        denom = x.dtype.type(n) if plain else B.sum(w_t)
        ctx.save_for_backward(rows)
        ctx.cache = [e, m, s, t, valid, w_t, denom, row_idx, threads, kernels]
        ctx.args = (weight, smoothing, reduction)
        if reduction == "none":
            return loss.astype(x.dtype, copy=False)
        total = B.sum(loss)
        if reduction == "sum":
            return B.asarray(total, dtype=x.dtype)
        with np.errstate(invalid="ignore", divide="ignore"):  # 0 / 0 (no rows counted): nan,
            mean = total / denom                                # quietly, as in PyTorch
            if smoothing:  # rows of weight 0 add smoothing terms: total / 0 would be inf
                mean = B.where(denom == 0, np.nan, mean)
            return B.asarray(mean, dtype=x.dtype)

    @staticmethod
    def backward(ctx, grad):
        (rows,) = ctx.saved_tensors
        g = CrossEntropyBackward.apply(rows, grad, ctx.cache, ctx.args)
        return g, None, None, None, None, None, None

    @staticmethod
    def jvp(ctx, t, *_):
        (rows,) = ctx.saved_tensors
        return _jvp_from_gradient(CrossEntropyBackward, rows, t, ctx.args[2], ctx.cache,
                                  ctx.args)


def _jvp_from_gradient(gradient_fn, rows: Tensor, t: Tensor, reduction: str, *state) -> Tensor:
    """Forward mode for a loss of ``rows``: d loss = sum_c (d loss / d x_c) t_c, where
    d loss / d x is ``gradient_fn`` (a backward Function) for an incoming gradient of ones."""
    ones = rows.new_ones((rows.shape[0],) if reduction == "none" else ())
    per_entry = gradient_fn.apply(rows, ones, *state) * t
    return per_entry.sum(1) if reduction == "none" else per_entry.sum()


class CrossEntropyBackward(Function):
    """d loss / d x = scale_r * (A_r * softmax(x_r) - T_r), with T_r the (smoothed, weighted)
    one-hot target row. Linear in the incoming gradient; its own backward uses the softmax
    Jacobian, so cross entropy can be differentiated twice."""

    @staticmethod
    def forward(ctx, rows, grad, cache, args):
        B = backend(rows)
        e, m, s, t, valid, w_t, denom, row_idx, threads, kernels = cache
        if e is None and kernels is None:  # a second backward: the first one used e's memory
            e = B.exp(B.subtract(rows._array, m))
        cache[0] = None
        weight, smoothing, reduction = args
        x = rows._array
        n, classes = x.shape
        g = grad._array
        # a mean over no counted row divides by 0: PyTorch's nan (for rows of weight 0 that
        # are not ignored), quietly
        with np.errstate(invalid="ignore", divide="ignore"):
            if reduction == "none":
                scale = g.reshape(n)
            elif w_t is None:  # plain: one scale for every row
                scale = g / denom if reduction == "mean" else g
            else:  # an ignored row's scale is 0, even when no row counts: PyTorch skips it
                per_row = g / denom if reduction == "mean" else g
                scale = B.where(valid, per_row, 0).astype(x.dtype, copy=False)
            if w_t is None:  # plain: every row weighs 1, so softmax * scale - onehot * scale
                coef = hit = None
                factor = scale / s
            else:
                hit = (1 - smoothing) * w_t  # the one-hot part's weight
                coef = hit
                if smoothing:
                    w_all = B.sum(weight) if weight is not None else classes
                    coef = hit + (smoothing / classes) * w_all * valid
                factor = scale * coef / s
            if kernels is not None:
                out = _softmax_minus_onehot(kernels, x, m, factor, t, scale, threads)
            else:
                out = _scale_rows_(B, e, factor, threads)  # e's memory is reused
                out[row_idx, t] -= scale if hit is None else scale * hit
            if smoothing:
                w_row = 1.0 if weight is None else weight[None, :]
                out -= (scale * (smoothing / classes) * valid)[:, None] * w_row
        ctx.save_for_backward(rows, grad)
        ctx.parts = (coef, hit, t, valid, scale, weight, smoothing, reduction, denom)
        return out.astype(x.dtype, copy=False)

    @staticmethod
    def backward(ctx, v):
        rows, grad = ctx.saved_tensors
        reduction, denom = ctx.parts[7:]
        p = Softmax.apply(rows, 1)  # one softmax for both gradients
        gx = gg = None
        if ctx.needs_input_grad[0]:
            gx = CrossEntropyBackward._along_rows(ctx, p, grad, v)
        if ctx.needs_input_grad[1]:
            per_row = (CrossEntropyBackward._unit(ctx, p, grad) * v).sum(1)
            if reduction == "none":
                gg = per_row.reshape(grad.shape)
            else:
                gg = per_row.sum() / denom if reduction == "mean" else per_row.sum()
        return gx, gg, None, None

    @staticmethod
    def jvp(ctx, t_rows, t_grad, *_):
        # The output is scale_r * unit_r. Moving x by t moves the softmax in unit_r by its
        # Jacobian, which is symmetric: backward's formula with v = t. The output is linear
        # in grad: t_grad, scaled the way grad is, times the unit rows.
        rows, grad = ctx.saved_tensors
        reduction, denom = ctx.parts[7:]
        p = Softmax.apply(rows, 1)
        out = None
        if t_rows is not None:
            out = CrossEntropyBackward._along_rows(ctx, p, grad, t_rows)
        if t_grad is not None:
            t_scale = t_grad / denom if reduction == "mean" else t_grad
            part = CrossEntropyBackward._unit(ctx, p, grad) * t_scale.reshape(-1, 1)
            out = part if out is None else out + part
        return out

    @staticmethod
    def _weights(ctx, rows, grad):
        """Each row's scale, softmax coefficient and one-hot weight (arrays): forward's, or
        for the plain case all ones, scaled by grad (``rows``: any (N, C) tensor of the
        rows' dtype and device)."""
        coef, hit, _, _, scale, _, _, reduction, denom = ctx.parts
        if coef is None:
            B = backend(rows)
            g = grad._array
            scale = B.broadcast_to(g / denom if reduction == "mean" else g, (rows.shape[0],))
            coef = hit = B.ones(rows.shape[0], rows._array.dtype)
        return scale, coef, hit

    @staticmethod
    def _along_rows(ctx, p, grad, v):
        """The change of the output as x moves along v: scale_r coef_r (p v - p sum(p v)),
        p the rows' softmax."""
        scale, coef, _ = CrossEntropyBackward._weights(ctx, p, grad)
        pv = p * v
        return (pv - p * pv.sum(1, keepdim=True)) * Tensor._make(scale * coef)[:, None]

    @staticmethod
    def _unit(ctx, p, grad):
        """unit_r = coef_r p_r - T_r, p the rows' softmax: the output for a row scale of 1."""
        _, coef, hit = CrossEntropyBackward._weights(ctx, p, grad)
        t, valid, weight, smoothing = ctx.parts[2], ctx.parts[3], ctx.parts[5], ctx.parts[6]
        B = backend(p)
        n, classes = p.shape
        target = B.zeros((n, classes), dtype=p._array.dtype)
        target[B.arange(n), t] = hit
        if smoothing:
            w_row = 1.0 if weight is None else weight[None, :]
            target += ((smoothing / classes) * valid)[:, None] * w_row
        return p * Tensor._make(coef)[:, None] - Tensor._make(target)


class CudaCrossEntropy(Function):
    """The plain cross entropy (every row weighs 1) of cuda rows in the cuda backend's fused
    kernels: forward writes each row's log-sum-exp and loss (already divided by the number
    of rows for the mean) and, for a mean or a sum, adds the losses up (one kernel for rows
    of up to 32 classes, else a row kernel and a sum); backward
    (``CudaCrossEntropyBackward``) is one elementwise kernel.

    Every launch on a GPU costs tens of microseconds of Python whatever its size, and at a
    classifier's sizes the launches are the whole cost: ``CrossEntropy``'s array code makes
    about 16 of them there (ranges, gathers, copies, small reductions), this makes 1 or 2.
    """

    @staticmethod
    def forward(ctx, rows, target, reduction):
        B = backend(rows)
        factor = 1 / rows.shape[0] if reduction == "mean" else 1
        if reduction == "none":
            loss, lse = B.cross_entropy_rows(rows._array, target, factor)
        else:
            loss, lse = B.cross_entropy_sum(rows._array, target, factor)
        ctx.save_for_backward(rows)
        ctx.kept = (lse, target, factor, reduction)
        return loss

    @staticmethod
    def backward(ctx, grad):
        (rows,) = ctx.saved_tensors
        return CudaCrossEntropyBackward.apply(rows, grad, ctx.kept), None, None

    @staticmethod
    def jvp(ctx, t, *_):
        (rows,) = ctx.saved_tensors
        return _jvp_from_gradient(CudaCrossEntropyBackward, rows, t, ctx.kept[3], ctx.kept)


class CudaCrossEntropyBackward(CrossEntropyBackward):
    """d loss / d x = grad * factor * (softmax(x) - onehot(target)) in one kernel, from the
    log-sum-exp that forward kept. Its own backward (second derivatives) is
    ``CrossEntropyBackward``'s Tensor-op formula, inherited."""

    @staticmethod
    def forward(ctx, rows, grad, kept):
        lse, target, factor, reduction = kept
        ctx.save_for_backward(rows, grad)
        ctx.kept = kept
        # CrossEntropyBackward.backward's parts for the plain case: no row weights, scales or
        # class weights (it makes them from ``grad``), no smoothing
        denom = rows._array.dtype.type(rows.shape[0])
        ctx.parts = (None, None, target, None, None, None, 0.0, reduction, denom)
        return backend(rows).cross_entropy_rows_backward(rows._array, lse, target,
                                                         grad._array, factor)

    @staticmethod
    def jvp(ctx, t_rows, t_grad, *_):
        # The gradient moves with x through the softmax's Jacobian (p t - p sum(p t), per
        # row), and is linear in grad.
        rows, grad = ctx.saved_tensors
        _, target, factor, _ = ctx.kept
        p = Softmax.apply(rows, 1)
        out = None
        if t_rows is not None:
            pt = p * t_rows
            out = (pt - p * pt.sum(1, keepdim=True)) * (grad * factor).reshape(-1, 1)
        if t_grad is not None:
            B = backend(rows)
            onehot = B.equal(target[:, None], B.arange(rows.shape[1])).astype(p._array.dtype)
            part = (p - Tensor._make(onehot)) * (t_grad * factor).reshape(-1, 1)
            out = part if out is None else out + part
        return out


def _targets_on_device(rows: Tensor, target: Tensor):
    """The class indices as a flat C-contiguous int64 array on ``rows``' (cuda) device:
    ``target``'s own array in the usual case (nothing is copied), else converted there."""
    return backend(rows).ascontiguousarray(
        target._array.reshape(-1).astype(np.int64, copy=False))


def cross_entropy(input: Tensor, target: Tensor, weight: Tensor | None = None,
                  size_average=None, ignore_index: int = -100, reduce=None,
                  reduction: str = "mean", label_smoothing: float = 0.0) -> Tensor:
    """Cross entropy between logits ``input`` (N, C) (or (N, C, d1, ...), or (C,)) and
    ``target``: class indices (N,) or class probabilities of the input's shape.

    Equals ``nll_loss(log_softmax(input, 1), target)``. ``weight`` (C,) weighs the classes
    (the mean divides by the total weight of the targets); targets equal to ``ignore_index``
    count for nothing; ``label_smoothing`` eps mixes the target with the uniform
    distribution: (1 - eps) onehot + eps / C.
    """
    reduction = legacy_reduction(size_average, reduce, reduction)
    if reduction not in _REDUCTIONS:
        raise ValueError(f"{reduction} is not a valid value for reduction")
    if not 0.0 <= label_smoothing <= 1.0:
        raise RuntimeError(
            f"label_smoothing must be between 0.0 and 1.0. Got: {label_smoothing}"
        )
    for other in (target, weight):
        if other is not None:  # the target and class weights live where the input does
            check_same_device(input._array, other._array)
    if input._array.dtype.kind != "f":
        raise not_implemented("log_softmax", input._array)
    if weight is not None:
        _check_class_weight(input, weight)
    if target.is_floating_point():
        return _cross_entropy_probs(input, target, weight, reduction, label_smoothing)
    fused = weight is None and not label_smoothing and type(input._array) is not np.ndarray
    t, all_counted = _check_targets(input, target, ignore_index, need_values=not fused)
    rows = _class_last(input)
    w = None if weight is None else weight.detach()._array.astype(rows._array.dtype)
    plain = all_counted and w is None and not label_smoothing  # every row weighs 1
    on_cpu = type(rows._array) is np.ndarray
    if plain and not on_cpu and rows.numel():  # no rows: a mean of 0 / 0, left to the generic path
        target = _targets_on_device(rows, target)
        loss = CudaCrossEntropy.apply(rows, target, reduction)
    else:
        loss = CrossEntropy.apply(rows, t, w, ignore_index, label_smoothing, reduction,
                                  plain and on_cpu)
    if reduction == "none":
        batch = () if input.dim() == 1 else (input.shape[0],) + tuple(input.shape[2:])
        return loss.reshape(batch)
    return loss


def _cross_entropy_probs(input, target, weight, reduction, label_smoothing):
    """Cross entropy against class probabilities: -sum_c w_c target_c log softmax(x)_c."""
    if target.shape != input.shape:
        raise RuntimeError(
            f"Expected target size {list(input.shape)}, got {list(target.shape)}"
        )
    class_dim = 0 if input.dim() == 1 else 1
    classes = input.shape[class_dim]
    if label_smoothing:
        target = target * (1 - label_smoothing) + label_smoothing / classes
    logp = log_softmax(input, class_dim)
    terms = logp * target
    if weight is not None:
        shape = [1] * input.dim()
        shape[class_dim] = classes
        terms = terms * weight.reshape(shape)
    loss = -terms.sum(class_dim)
    if reduction == "mean":
        return loss.sum() / max(input.numel() // max(classes, 1), 1)
    return _reduce(loss, reduction)


def nll_loss(input: Tensor, target: Tensor, weight: Tensor | None = None, size_average=None,
             ignore_index: int = -100, reduce=None, reduction: str = "mean") -> Tensor:
    """Negative log-likelihood: ``-input[n, target[n]]`` (input holds log-probabilities, e.g.
    from ``log_softmax``), weighted by ``weight[target[n]]``; the mean divides by the sum of
    those weights. The targets and weights stay on the input's device: on cuda they are
    read back only when the host does not know their range (see ``_check_targets``)."""
    reduction = legacy_reduction(size_average, reduce, reduction)
    for other in (target, weight):
        if other is not None:  # the target and class weights live where the input does
            check_same_device(input._array, other._array)
    if weight is not None:
        _check_class_weight(input, weight)
    on_cpu = type(input._array) is np.ndarray
    t, all_counted = _check_targets(input, target, ignore_index, need_values=on_cpu)
    rows = _class_last(input)
    if not on_cpu:
        t = _targets_on_device(rows, target)
    B = backend(rows)
    if not all_counted:  # an ignored target picks class 0 and weighs 0
        valid = B.not_equal(t, ignore_index)
        t = B.where(valid, t, 0)
    index = Tensor._make(B.ascontiguousarray(t.reshape(-1, 1)))
    losses = -Gather.apply(rows, 1, index).reshape(-1)  # the targets are checked already
    w_t = None
    if weight is not None:
        w_t = weight.detach()._array.astype(rows._array.dtype)[t]
    if not all_counted:
        counted = valid.astype(rows._array.dtype)
        w_t = counted if w_t is None else w_t * counted
    if reduction == "mean":
        if w_t is None:
            return losses.mean()
        return WeightedMean.apply(losses, w_t, None if all_counted else valid)
    if w_t is not None:
        losses = losses * Tensor._make(w_t)
    if reduction == "sum":
        return losses.sum()
    batch = () if input.dim() == 1 else (input.shape[0],) + tuple(input.shape[2:])
    return losses.reshape(batch)


class WeightedMean(Function):
    """sum_r w_r l_r / sum_r w_r: the mean of losses ``l`` under constant row weights ``w``
    (0 for an ignored row). Its gradient w_r / sum w is 0 for an ignored row even when no row
    counts and the mean is 0 / 0 = nan (quietly): PyTorch skips those rows in backward."""

    @staticmethod
    def forward(ctx, losses, w, counted):
        B = backend(losses)
        denom = B.sum(w)
        with np.errstate(invalid="ignore", divide="ignore"):
            per_row = w / denom
            ctx.factor = per_row if counted is None else B.where(counted, per_row, 0)
            return B.sum(losses._array * w) / denom

    @staticmethod
    def backward(ctx, grad):
        return grad * Tensor._make(ctx.factor), None, None

    @staticmethod
    def jvp(ctx, t, *_):
        return (t * Tensor._make(ctx.factor)).sum()


# -- binary classification ------------------------------------------------------------------


class BinaryCrossEntropy(Function):
    """Elementwise -(t log p + (1 - t) log(1 - p)), each log clamped at -100.

    d loss / d p = (p - t) / (p (1 - p)), written, as in PyTorch, with the denominator
    clamped at 1e-12: at p = 0 or p = 1 (a saturated sigmoid) the gradient is large but
    finite, where the clamped logs composed by autograd would give 0 * inf = nan.
    d loss / d t = log(1 - p) - log(p). Both are Tensor ops, so it differentiates twice."""

    @staticmethod
    def forward(ctx, p, t):
        B = backend(p)
        with np.errstate(divide="ignore"):  # log(0) = -inf, clamped to -100 next
            log_p = B.maximum(B.log(p._array), -100)
            log_q = B.maximum(B.log(1 - p._array), -100)
        ctx.save_for_backward(p, t)
        return -(t._array * log_p + (1 - t._array) * log_q)

    @staticmethod
    def backward(ctx, grad):
        p, t = ctx.saved_tensors
        return (grad * _bce_slope_p(p, t) if ctx.needs_input_grad[0] else None,
                grad * _bce_slope_t(p) if ctx.needs_input_grad[1] else None)

    @staticmethod
    def jvp(ctx, tp, tt):
        p, t = ctx.saved_tensors
        out = None if tp is None else tp * _bce_slope_p(p, t)
        if tt is not None:
            out = tt * _bce_slope_t(p) if out is None else out + tt * _bce_slope_t(p)
        return out


def _bce_slope_p(p: Tensor, t: Tensor) -> Tensor:
    return (p - t) / (p * (1 - p)).clamp_min(1e-12)


def _bce_slope_t(p: Tensor) -> Tensor:
    return (1 - p).log() - p.log()


def binary_cross_entropy(input: Tensor, target: Tensor, weight: Tensor | None = None,
                         size_average=None, reduce=None, reduction: str = "mean") -> Tensor:
    """-(t log p + (1 - t) log(1 - p)) for probabilities ``input`` in [0, 1] (after a
    sigmoid). The logs are clamped at -100, as in PyTorch, so p = 0 gives a finite loss
    (and a finite gradient: see ``BinaryCrossEntropy``)."""
    reduction = legacy_reduction(size_average, reduce, reduction)
    _check_same_size(input, target, "bce")
    if target._array.dtype != input._array.dtype:
        raise RuntimeError(f"Found dtype {type_name(target._array)} but expected "
                           f"{type_name(input._array)}")
    a = input.detach()._array
    if ((a < 0) | (a > 1)).any():
        raise RuntimeError("all elements of input should be between 0 and 1")
    loss = BinaryCrossEntropy.apply(input, target)
    if weight is not None:
        loss = loss * weight
    return _reduce(loss, reduction)


def binary_cross_entropy_with_logits(input: Tensor, target: Tensor,
                                     weight: Tensor | None = None, size_average=None,
                                     reduce=None, reduction: str = "mean",
                                     pos_weight: Tensor | None = None) -> Tensor:
    """``binary_cross_entropy(sigmoid(input), target)`` computed stably from the logits:
    (1 - t) x + (1 + (pos_weight - 1) t) softplus(-x). ``pos_weight`` > 1 weighs the
    positive examples more (against class imbalance)."""
    reduction = legacy_reduction(size_average, reduce, reduction)
    _check_same_size(input, target, "logits")
    if target._array.dtype.kind in "iu":
        raise RuntimeError(f"result type {type_name(input._array)} can't be cast to the "
                           f"desired output type {type_name(target._array)}")
    log_weight = 1 if pos_weight is None else 1 + (pos_weight - 1) * target
    loss = (1 - target) * input + log_weight * softplus(-input)
    if weight is not None:
        loss = loss * weight
    return _reduce(loss, reduction)


def kl_div(input: Tensor, target: Tensor, size_average=None, reduce=None,
           reduction: str = "mean", log_target: bool = False) -> Tensor:
    """Kullback-Leibler divergence KL(target || exp(input)), pointwise
    ``target * (log target - input)``; ``input`` holds log-probabilities.

    ``reduction='batchmean'`` (sum / batch size) is the mathematically correct KL; the
    default ``'mean'`` divides by the number of elements.
    """
    reduction = legacy_reduction(size_average, reduce, reduction)
    if log_target:
        loss = target.exp() * (target - input)
    else:
        safe = where(target > 0, target, 1.0)
        loss = target * safe.log() - target * input
    if reduction == "batchmean":
        return loss.sum() / (input.shape[0] if input.dim() else 1)
    return _reduce(loss, reduction)


__all__: list = []
