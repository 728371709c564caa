"""A sweep of forward-mode and higher-order derivatives over the public differentiable API.

Every case is a function ``fn(M, *tensors)`` of a module ``M`` (nbtorch, or torch for the
oracle) and some float64 tensors, with inputs drawn away from the points where the function
is not differentiable (kinks, ties, poles). For each case:

* ``gradcheck(..., check_forward_ad=True)``: backward and the jvp rule both agree with
  finite differences;
* ``gradgradcheck``: the backward is itself differentiable (``create_graph=True``), and right;
* (oracle) ``nbtorch.func.jvp`` gives the same tangents as ``torch.func.jvp``.

Writing the function once for both libraries keeps the sweep honest: the same code runs on
both sides, so a difference is nbtorch's.
"""

import numpy as np
import pytest

import nbtorch
import nbtorch.autograd.forward_ad as fwAD
from nbtorch.autograd import gradcheck, gradgradcheck

# Input kinds: (low, high) of a uniform draw, or None for a standard normal one.
KINDS = {
    "n": None,
    "pos": (0.5, 2.0),  # logs, roots, divisors
    "unit": (-0.9, 0.9),  # asin, atanh
    "away": (0.2, 0.8),  # away from 0 and 1: kinks of relu, abs, floor
    "prob": (0.2, 0.8),
    "big": (5.0, 6.0),  # clearly larger than "n": max/min ties cannot happen
    "gt1": (1.2, 2.0),  # acosh
}


def I(M, *values):  # noqa: E743 - an index tensor, short because cases use it a lot
    return M.tensor(values if len(values) != 1 else values[0], dtype=M.int64)


def F(M):
    return M.nn.functional


def W(M, a):
    """Constant class weights (PyTorch has no derivative for them)."""
    return M.tensor([0.5, 1.0, 2.0], dtype=a.dtype)


def spd(M, a):
    """A symmetric positive definite matrix made from ``a`` (for cholesky, eigh, ...)."""
    return a @ a.transpose(-2, -1) + 3 * M.eye(a.shape[-1], dtype=a.dtype)


def _inplace_view(M, a, b):
    y = a.clone()
    y[1].mul_(b)  # a view of a dual changed in place: the base's tangent must follow
    return y


def _inplace_flat(M, a, b):
    y = a.clone()
    y.view(-1).add_(b.reshape(-1))
    return y


def _setitem(M, a, b):
    y = a.clone()
    y[0] = b
    return y


def _masked_scatter(M, a, s):
    return M.masked_scatter(a, a > 0, s)


def _cummax(M, a):
    return M.cummax(a, 1)[0]


def _cummin(M, a):
    return M.cummin(a, 1)[0]


def _sort(M, a):
    return M.sort(a, 1)[0]


def _topk(M, a):
    return M.topk(a, 2, 1)[0]


def _kthvalue(M, a):
    return M.kthvalue(a, 2, 1)[0]


def _max_dim(M, a):
    return M.max(a, 1, keepdim=True)[0]


def _min_dim(M, a):
    return M.min(a, 0)[0]


def _median_dim(M, a):
    return M.median(a, 1)[0]


def _mode_dim(M, a):
    return M.mode(a.round(), 1)[0] + 0 * a.sum()


def _aminmax(M, a):
    mn, mx = M.aminmax(a, dim=1)
    return mn, mx


def _slogdet(M, a):
    return M.linalg.slogdet(spd(M, a))[1]


def _eigh(M, a):
    w, v = M.linalg.eigh(spd(M, a))
    return w, v * v[..., :1, :].sign()  # eigenvectors up to sign: fix the sign


def _qr(M, a):
    q, r = M.linalg.qr(a)
    return q, r


def _svd(M, a):
    u, s, vh = M.linalg.svd(a, full_matrices=False)
    return s, (u * u[:1].sign()) @ M.diag(s)  # singular vectors up to sign


def _lstsq(M, a, b):
    return M.linalg.lstsq(a, b).solution


def _mha(M, q, k, v, w_in, w_out):
    out, weights = F(M).multi_head_attention_forward(
        q, k, v, 4, 2, w_in, None, None, None, False, 0.0, w_out, None, training=False)
    return out, weights


def _lstm_like(M, x, w):
    h = M.tanh(x @ w)
    return M.sigmoid(h) * h


def _unfold(M, a):
    return F(M).unfold(a, 2)


def _fold(M, a):
    return F(M).fold(a, (3, 3), 2)


def _max_pool_idx(M, a):
    out, idx = F(M).max_pool2d(a, 2, return_indices=True)
    return out


def _max_unpool(M, a):
    out, idx = F(M).max_pool2d(a, 2, return_indices=True)
    return F(M).max_unpool2d(out, idx, 2)


def _unbind(M, a):
    return M.unbind(a, 1)


def _split(M, a):
    return M.split(a, [1, 3], 1)


def _tensor_split(M, a):
    return M.tensor_split(a, 3, 1)


def _chunk(M, a):
    return M.chunk(a, 2, 0)


def _var_mean(M, a):
    return M.var_mean(a, 1)


def _std_mean(M, a):
    return M.std_mean(a, 0, keepdim=True)


def _frexp_ldexp(M, a):
    return M.ldexp(a, I(M, [1, 2, 3]))


def _broadcast_tensors(M, a, b):
    return M.broadcast_tensors(a, b)


def _meshgrid(M, a, b):
    return M.meshgrid(a, b, indexing="ij")


def _index_put(M, a, v):
    return M.index_put(a, (I(M, [0, 2]),), v, accumulate=True)


def _put(M, a, v):
    return M.put(a, I(M, [0, 5]), v)


def _scatter_reduce(M, a, s, reduce):
    index = I(M, [[0, 1, 0], [1, 1, 0], [0, 0, 1]])
    return M.scatter_reduce(a, 0, index, s, reduce, include_self=True)


def _index_reduce(M, a, s, reduce):
    return M.index_reduce(a, 0, I(M, [0, 2]), s, reduce, include_self=True)


def _sdpa(M, q, k, v):
    return F(M).scaled_dot_product_attention(q, k, v)


def _sdpa_causal(M, q, k, v):
    return F(M).scaled_dot_product_attention(q, k, v, is_causal=True)


def _embedding(M, w):
    return F(M).embedding(I(M, [[0, 2], [1, 0]]), w)


def _one_hot_mm(M, a):
    return F(M).one_hot(I(M, [0, 2]), 3).to(a.dtype) @ a


def _batch_norm_eval(M, x, w, b):
    mean = M.zeros(3, dtype=x.dtype) + 0.1
    var = M.ones(3, dtype=x.dtype) * 2.0
    return F(M).batch_norm(x, mean, var, w, b, training=False)


def _batch_norm_train(M, x, w, b):
    return F(M).batch_norm(x, None, None, w, b, training=True)


def _pad(M, a, mode):
    return F(M).pad(a, (1, 2), mode=mode)


_MODULES: dict = {}


def module(M, name, *args, **kwargs):
    """``M.nn.<name>(*args, **kwargs)`` in float64 with parameters drawn from a seed that
    depends only on their names, so nbtorch and torch get the same numbers. Made once per
    module and arguments (torch's function transforms refuse a module made inside them)."""
    key = (M.__name__, name, args, tuple(sorted(kwargs.items())))
    if key not in _MODULES:
        m = getattr(M.nn, name)(*args, **kwargs).double()
        for pname, p in m.named_parameters():
            rng = np.random.default_rng(sum(map(ord, pname)))
            with M.no_grad():
                p.copy_(M.tensor(rng.uniform(-0.6, 0.6, tuple(p.shape)), dtype=p.dtype))
        _MODULES[key] = m
    return _MODULES[key]


def _lstm(M, x):
    out, (h, c) = module(M, "LSTM", 3, 2)(x)
    return out, h, c


def _gru(M, x, h0):
    return module(M, "GRU", 3, 2, batch_first=True)(x, h0)


def _rnn(M, x):
    return module(M, "RNN", 3, 2, num_layers=2)(x)[0]


def _lstm_cell(M, x, h, c):
    return module(M, "LSTMCell", 3, 2)(x, (h, c))


def _mha_module(M, q, k):
    return module(M, "MultiheadAttention", 4, 2, batch_first=True)(q, k, k)


def _encoder_layer(M, x):
    layer = module(M, "TransformerEncoderLayer", 4, 2, dim_feedforward=6, dropout=0.0,
                   batch_first=True)
    return layer(x)


def _view_after_base_change(M, a, b):
    y = a.clone()
    row = y[0]  # a view taken before the base changes in place
    y.mul_(b)
    return row * 1


def _view_chain_inplace(M, a, b):
    y = a.clone()
    y[:, 1:][0].sub_(b)
    return y


def _diagonal_inplace(M, a):
    y = a.clone()
    y.diagonal().mul_(a[0])
    return y


def _transpose_view_add(M, a, b):
    y = a.clone()
    y.t().add_(b)
    return y


def _inplace_view_ops(M, a):
    y = a.clone()
    y.t_()
    y.unsqueeze_(0)
    return y.squeeze_(0) * 1


def _index_put_(M, a, v):
    y = a.clone()
    y.index_put_((I(M, [1, 0]), I(M, [2, 2])), v)
    return y


def _masked_scatter_(M, a, s):
    return a.clone().masked_scatter_(a > 0, s)


def _of_module(name):
    return lambda M, a: getattr(M, name)(a)


def _of_functional(name):
    return lambda M, a: getattr(F(M), name)(a)


S2 = [((2, 3), "n")]  # one small matrix, the most common input
V4 = [((4,), "n")]
P4 = [((4,), "pos")]

# (name, fn(M, *tensors), [(shape, kind), ...])
OPS = [
    # -- pointwise, one input ----------------------------------------------------------------
    *[(n, _of_module(n), [((4,), k)]) for n, k in [
        ("exp", "n"), ("exp2", "n"), ("expm1", "n"), ("log", "pos"), ("log1p", "pos"),
        ("log2", "pos"), ("log10", "pos"), ("sqrt", "pos"), ("rsqrt", "pos"),
        ("reciprocal", "pos"), ("square", "n"), ("sin", "n"), ("cos", "n"), ("tan", "unit"),
        ("asin", "unit"), ("acos", "unit"), ("atan", "n"), ("sinh", "n"), ("cosh", "n"),
        ("tanh", "n"), ("asinh", "n"), ("acosh", "gt1"), ("atanh", "unit"),
        ("sigmoid", "n"), ("relu", "away"), ("erf", "n"), ("erfc", "n"), ("erfinv", "unit"),
        ("abs", "away"), ("neg", "n"), ("frac", "away"), ("floor", "away"), ("ceil", "away"),
        ("round", "away"), ("trunc", "away"), ("sign", "away"), ("sinc", "pos"),
        ("deg2rad", "n"), ("rad2deg", "n"), ("lgamma", "pos"), ("digamma", "pos"),
        ("i0", "n"), ("logit", "prob"), ("nan_to_num", "n"),
        ("absolute", "away"), ("negative", "n"), ("arcsinh", "n"), ("arctan", "n"),
        ("clone", "n"), ("ravel", "n"), ("atleast_2d", "n"), ("msort", "n"),
        ("t", "n"), ("flatten", "n"), ("squeeze", "n"),
    ]],
    ("logcumsumexp", lambda M, a: M.logcumsumexp(a, 1), S2),
    ("polygamma1", lambda M, a: M.polygamma(1, a), P4),
    ("mvlgamma", lambda M, a: M.mvlgamma(a, 2), [((4,), "big")]),
    ("special_entr", lambda M, a: M.special.entr(a), P4),
    ("special_ndtr", lambda M, a: M.special.ndtr(a), V4),
    ("special_ndtri", lambda M, a: M.special.ndtri(a), [((4,), "prob")]),
    ("special_i0e", lambda M, a: M.special.i0e(a), P4),
    ("special_i1", lambda M, a: M.special.i1(a), P4),
    ("special_i1e", lambda M, a: M.special.i1e(a), P4),
    ("special_expit", lambda M, a: M.special.expit(a), V4),
    ("special_xlogy", lambda M, a, b: M.special.xlogy(a, b), [((4,), "n"), ((4,), "pos")]),
    ("special_zeta", lambda M, a: M.special.zeta(3.0, a), P4),
    ("signbit_mul", lambda M, a: M.signbit(a) * a, V4),
    ("special_log_softmax", lambda M, a: M.special.log_softmax(a, 1), S2),
    ("pow_scalar", lambda M, a: a ** 3, V4),
    ("pow_frac", lambda M, a: a ** 0.5, P4),
    ("pow_tensor", lambda M, a, b: a ** b, [((4,), "pos"), ((4,), "n")]),
    ("rpow", lambda M, a: 2.0 ** a, V4),
    ("float_power", lambda M, a, b: M.float_power(a, b), [((4,), "pos"), ((4,), "n")]),
    ("clamp", lambda M, a: M.clamp(a, -0.5, 0.5), [((6,), "n")]),
    ("clamp_min", lambda M, a: M.clamp_min(a, 0.1), [((6,), "n")]),
    ("clamp_max", lambda M, a: M.clamp_max(a, 0.1), [((6,), "n")]),
    ("clamp_tensor", lambda M, a, lo, hi: M.clamp(a, lo, hi),
     [((6,), "n"), ((6,), "n"), ((6,), "big")]),
    ("clip", lambda M, a: M.clip(a, -0.5, 0.5), [((6,), "n")]),
    ("threshold", lambda M, a: F(M).threshold(a, 0.5, -1.0), [((6,), "pos")]),
    # -- pointwise, several inputs -----------------------------------------------------------
    ("add_alpha", lambda M, a, b: M.add(a, b, alpha=2.0), [((2, 3), "n"), ((3,), "n")]),
    ("sub_alpha", lambda M, a, b: M.sub(a, b, alpha=0.5), [((2, 3), "n"), ((2, 1), "n")]),
    ("rsub", lambda M, a, b: M.rsub(a, b), [((2, 3), "n"), ((2, 3), "n")]),
    ("mul", lambda M, a, b: a * b, [((2, 1), "n"), ((1, 3), "n")]),
    ("div", lambda M, a, b: a / b, [((2, 3), "n"), ((3,), "pos")]),
    ("div_floor", lambda M, a, b: M.div(a, b, rounding_mode="floor"),
     [((4,), "away"), ((4,), "big")]),
    ("true_divide", lambda M, a, b: M.true_divide(a, b), [((4,), "n"), ((4,), "pos")]),
    ("rdiv_scalar", lambda M, a: 2.0 / a, P4),
    ("atan2", lambda M, a, b: M.atan2(a, b), [((4,), "n"), ((4,), "pos")]),
    ("hypot", lambda M, a, b: M.hypot(a, b), [((4,), "pos"), ((4,), "n")]),
    ("maximum", lambda M, a, b: M.maximum(a, b), [((4,), "n"), ((4,), "big")]),
    ("minimum", lambda M, a, b: M.minimum(a, b), [((4,), "n"), ((4,), "big")]),
    ("fmax", lambda M, a, b: M.fmax(a, b), [((4,), "n"), ((4,), "big")]),
    ("fmin", lambda M, a, b: M.fmin(a, b), [((4,), "n"), ((4,), "big")]),
    ("remainder", lambda M, a, b: M.remainder(a, b), [((4,), "away"), ((4,), "big")]),
    ("fmod", lambda M, a, b: M.fmod(a, b), [((4,), "away"), ((4,), "big")]),
    ("copysign", lambda M, a, b: M.copysign(a, b), [((4,), "away"), ((4,), "n")]),
    ("xlogy", lambda M, a, b: M.xlogy(a, b), [((4,), "n"), ((4,), "pos")]),
    ("logaddexp", lambda M, a, b: M.logaddexp(a, b), [((4,), "n"), ((4,), "n")]),
    ("logaddexp2", lambda M, a, b: M.logaddexp2(a, b), [((4,), "n"), ((4,), "n")]),
    ("lerp", lambda M, a, b, w: M.lerp(a, b, w), [((4,), "n")] * 3),
    ("lerp_scalar", lambda M, a, b: M.lerp(a, b, 0.3), [((4,), "n")] * 2),
    ("addcmul", lambda M, a, b, c: M.addcmul(a, b, c, value=0.5), [((4,), "n")] * 3),
    ("addcdiv", lambda M, a, b, c: M.addcdiv(a, b, c, value=2.0),
     [((4,), "n"), ((4,), "n"), ((4,), "pos")]),
    ("where", lambda M, a, b: M.where(a > 0, a, b), [((2, 3), "n"), ((3,), "n")]),
    ("where_scalar", lambda M, a: M.where(a > 0, a, 0.5), S2),
    ("heaviside_mul", lambda M, a: M.heaviside(a, a) * a, [((4,), "away")]),
    # -- reductions --------------------------------------------------------------------------
    ("sum", lambda M, a: a.sum(), S2),
    ("sum_dim_keep", lambda M, a: a.sum(1, keepdim=True), S2),
    ("sum_dims", lambda M, a: a.sum((0, 2)), [((2, 2, 3), "n")]),
    ("mean", lambda M, a: a.mean(), S2),
    ("mean_dim", lambda M, a: a.mean(0, keepdim=True), S2),
    ("nansum", lambda M, a: M.nansum(a, 1), S2),
    ("nanmean", lambda M, a: M.nanmean(a, 0), S2),
    ("prod", lambda M, a: a.prod(), [((2, 3), "pos")]),
    ("prod_dim", lambda M, a: a.prod(1, keepdim=True), [((2, 3), "pos")]),
    ("var", lambda M, a: a.var(), S2),
    ("var_dim", lambda M, a: a.var(1, keepdim=True), S2),
    ("var_correction0", lambda M, a: M.var(a, 0, correction=0), S2),
    ("std", lambda M, a: a.std(), S2),
    ("std_dim", lambda M, a: a.std(1), S2),
    ("var_mean", _var_mean, S2),
    ("std_mean", _std_mean, S2),
    ("amax", lambda M, a: M.amax(a, 1), S2),
    ("amin_keep", lambda M, a: M.amin(a, 0, keepdim=True), S2),
    ("amax_all", lambda M, a: M.amax(a), S2),
    ("aminmax", _aminmax, S2),
    ("max_all", lambda M, a: a.max(), S2),
    ("min_all", lambda M, a: a.min(), S2),
    ("max_dim", _max_dim, S2),
    ("min_dim", _min_dim, S2),
    ("median_all", lambda M, a: a.median(), [((5,), "n")]),
    ("median_dim", _median_dim, [((2, 3), "n")]),
    ("mode_dim", _mode_dim, S2),
    ("kthvalue", _kthvalue, [((2, 4), "n")]),
    ("quantile", lambda M, a: M.quantile(a, 0.3, dim=1), [((2, 4), "n")]),
    ("quantile_all", lambda M, a: M.quantile(a, 0.75), [((2, 4), "n")]),
    ("nanquantile", lambda M, a: M.nanquantile(a, 0.4, dim=0), [((3, 2), "n")]),
    ("logsumexp", lambda M, a: M.logsumexp(a, 1), S2),
    ("logsumexp_keep", lambda M, a: M.logsumexp(a, 0, keepdim=True), S2),
    ("norm", lambda M, a: a.norm(), S2),
    ("norm_p1_dim", lambda M, a: M.norm(a, 1, 1), [((2, 3), "away")]),
    ("norm_p3", lambda M, a: M.norm(a, 3), S2),
    ("norm_inf", lambda M, a: M.norm(a, float("inf")), S2),
    ("vector_norm", lambda M, a: M.linalg.vector_norm(a, 2, dim=1), S2),
    ("vector_norm_p05", lambda M, a: M.linalg.vector_norm(a, 0.5), [((4,), "pos")]),
    ("matrix_norm_fro", lambda M, a: M.linalg.matrix_norm(a), S2),
    ("matrix_norm_nuc", lambda M, a: M.linalg.matrix_norm(a, "nuc"), S2),
    ("matrix_norm_2", lambda M, a: M.linalg.matrix_norm(a, 2), S2),
    ("linalg_norm", lambda M, a: M.linalg.norm(a), S2),
    ("renorm", lambda M, a: M.renorm(a, 2, 0, 0.5), [((3, 2), "big")]),
    ("dist", lambda M, a, b: M.dist(a, b), [((2, 3), "n")] * 2),
    ("dist_p1", lambda M, a, b: M.dist(a, b, 1), [((3,), "n"), ((3,), "big")]),
    ("count_nonzero_mul", lambda M, a: M.count_nonzero(a > 0) * a, S2),
    ("trace", lambda M, a: M.trace(a), [((3, 3), "n")]),
    # -- cumulative and scans ----------------------------------------------------------------
    ("cumsum", lambda M, a: M.cumsum(a, 1), S2),
    ("cumsum_dim0", lambda M, a: a.cumsum(0), S2),
    ("cumprod", lambda M, a: M.cumprod(a, 1), [((2, 3), "pos")]),
    ("cumprod_neg", lambda M, a: M.cumprod(a, 0), [((3, 2), "n")]),
    ("cummax", _cummax, S2),
    ("cummin", _cummin, S2),
    ("diff", lambda M, a: M.diff(a, dim=1), S2),
    ("diff_n2", lambda M, a: M.diff(a, n=2, dim=0), [((4, 2), "n")]),
    ("trapezoid", lambda M, a: M.trapezoid(a, dim=1), S2),
    ("trapezoid_x", lambda M, a, x: M.trapezoid(a, x), [((4,), "n"), ((4,), "n")]),
    ("cumulative_trapezoid", lambda M, a: M.cumulative_trapezoid(a, dim=1), S2),
    # -- sort, search --------------------------------------------------------------------------
    ("sort", _sort, S2),
    ("sort_desc", lambda M, a: M.sort(a, 0, descending=True)[0], S2),
    ("topk", _topk, [((2, 4), "n")]),
    ("topk_smallest", lambda M, a: M.topk(a, 2, largest=False)[0], [((5,), "n")]),
    ("argsort_gather", lambda M, a: M.gather(a, 1, M.argsort(a, 1)), S2),
    ("argmax_index", lambda M, a: a[M.argmax(a)] * a, V4),
    # -- shape ops and views -----------------------------------------------------------------
    ("view", lambda M, a: a.view(3, 2), S2),
    ("view_minus1", lambda M, a: a.view(-1), S2),
    ("reshape_noncontig", lambda M, a: a.t().reshape(6), S2),
    ("permute", lambda M, a: a.permute(2, 0, 1), [((2, 3, 2), "n")]),
    ("transpose", lambda M, a: a.transpose(0, 1), S2),
    ("mT", lambda M, a: a.mT, [((2, 2, 3), "n")]),
    ("T", lambda M, a: a.T, S2),
    ("expand", lambda M, a: a.expand(2, 2, 3), [((2, 1, 3), "n")]),
    ("expand_as", lambda M, a, b: a.expand_as(b), [((3,), "n"), ((2, 3), "n")]),
    ("unsqueeze", lambda M, a: M.unsqueeze(a, -1), S2),
    ("squeeze_dim", lambda M, a: M.squeeze(a, 1), [((2, 1, 3), "n")]),
    ("flatten_dims", lambda M, a: M.flatten(a, 1), [((2, 2, 2), "n")]),
    ("unflatten", lambda M, a: M.unflatten(a, 1, (3, 1)), S2),
    ("contiguous", lambda M, a: a.t().contiguous(), S2),
    ("repeat", lambda M, a: a.repeat(2, 1), S2),
    ("repeat_interleave", lambda M, a: M.repeat_interleave(a, 2, dim=0), S2),
    ("repeat_interleave_t", lambda M, a: M.repeat_interleave(a, I(M, [1, 2]), dim=0), S2),
    ("tile", lambda M, a: M.tile(a, (2,)), [((3,), "n")]),
    ("roll", lambda M, a: M.roll(a, 1, 1), S2),
    ("roll_flat", lambda M, a: M.roll(a, 2), S2),
    ("flip", lambda M, a: M.flip(a, (0, 1)), S2),
    ("fliplr", lambda M, a: M.fliplr(a), S2),
    ("flipud", lambda M, a: M.flipud(a), S2),
    ("rot90", lambda M, a: M.rot90(a, 1, (0, 1)), S2),
    ("movedim", lambda M, a: M.movedim(a, 0, 2), [((2, 3, 2), "n")]),
    ("swapaxes", lambda M, a: M.swapaxes(a, 0, 1), S2),
    ("narrow", lambda M, a: M.narrow(a, 1, 1, 2), S2),
    ("narrow_copy", lambda M, a: M.narrow_copy(a, 1, 1, 2), S2),
    ("select", lambda M, a: M.select(a, 0, 1), S2),
    ("broadcast_to", lambda M, a: M.broadcast_to(a, (2, 3)), [((3,), "n")]),
    ("broadcast_tensors", _broadcast_tensors, [((2, 1), "n"), ((3,), "n")]),
    ("meshgrid", _meshgrid, [((2,), "n"), ((3,), "n")]),
    ("as_strided", lambda M, a: M.as_strided(a, (2, 2), (1, 2)), [((6,), "n")]),
    ("diagonal", lambda M, a: M.diagonal(a, 1), [((3, 3), "n")]),
    ("diag_vec", lambda M, a: M.diag(a, -1), [((3,), "n")]),
    ("diag_mat", lambda M, a: M.diag(a), [((3, 3), "n")]),
    ("diag_embed", lambda M, a: M.diag_embed(a), S2),
    ("diagflat", lambda M, a: M.diagflat(a), [((3,), "n")]),
    ("tril", lambda M, a: M.tril(a), [((3, 3), "n")]),
    ("triu", lambda M, a: M.triu(a, 1), [((3, 3), "n")]),
    ("atleast_3d", lambda M, a: M.atleast_3d(a), S2),
    ("unfold_tensor", lambda M, a: a.unfold(0, 2, 1), [((4,), "n")]),
    ("pixel_shuffle", lambda M, a: F(M).pixel_shuffle(a, 2), [((1, 4, 1, 2), "n")]),
    ("pixel_unshuffle", lambda M, a: F(M).pixel_unshuffle(a, 2), [((1, 1, 2, 2), "n")]),
    # -- join and split ----------------------------------------------------------------------
    ("cat", lambda M, a, b: M.cat([a, b], 1), [((2, 3), "n"), ((2, 2), "n")]),
    ("cat_dim0", lambda M, a, b: M.cat((a, b)), [((1, 3), "n"), ((2, 3), "n")]),
    ("concat", lambda M, a, b: M.concat([a, b], -1), [((2,), "n"), ((3,), "n")]),
    ("stack", lambda M, a, b: M.stack([a, b], 1), [((2, 3), "n")] * 2),
    ("hstack", lambda M, a, b: M.hstack([a, b]), [((2,), "n"), ((3,), "n")]),
    ("vstack", lambda M, a, b: M.vstack([a, b]), [((3,), "n"), ((2, 3), "n")]),
    ("dstack", lambda M, a, b: M.dstack([a, b]), [((2, 2), "n")] * 2),
    ("column_stack", lambda M, a, b: M.column_stack([a, b]), [((3,), "n"), ((3, 2), "n")]),
    ("block_diag", lambda M, a, b: M.block_diag(a, b), [((2, 2), "n"), ((1, 3), "n")]),
    ("cartesian_prod", lambda M, a, b: M.cartesian_prod(a, b), [((2,), "n"), ((3,), "n")]),
    ("split", _split, [((2, 4), "n")]),
    ("split_size", lambda M, a: M.split(a, 2, 1), [((2, 5), "n")]),
    ("tensor_split", _tensor_split, [((2, 4), "n")]),
    ("chunk", _chunk, [((4, 2), "n")]),
    ("unbind", _unbind, S2),
    ("hsplit", lambda M, a: M.hsplit(a, 2), [((2, 4), "n")]),
    ("vsplit", lambda M, a: M.vsplit(a, 2), [((4, 2), "n")]),
    ("dsplit", lambda M, a: M.dsplit(a, 2), [((1, 2, 4), "n")]),
    # -- indexing, gather, scatter -----------------------------------------------------------
    ("getitem_basic", lambda M, a: a[1:, ::2], [((3, 4), "n")]),
    ("getitem_int", lambda M, a: a[1, 2], [((3, 4), "n")]),
    ("getitem_neg_step_free", lambda M, a: a[..., None, 1], [((3, 4), "n")]),
    ("getitem_advanced", lambda M, a: a[[0, 2, 0]], [((3, 4), "n")]),
    ("getitem_adv_2d", lambda M, a: a[I(M, [0, 2]), I(M, [1, 1])], [((3, 4), "n")]),
    ("getitem_mask", lambda M, a: a[a > 0], [((3, 4), "n")]),
    ("getitem_tensor_idx", lambda M, a: a[:, I(M, [3, 0])], [((3, 4), "n")]),
    ("setitem", _setitem, [((3, 4), "n"), ((4,), "n")]),
    ("gather", lambda M, a: M.gather(a, 1, I(M, [[0, 0], [1, 3], [2, 2]])), [((3, 4), "n")]),
    ("take", lambda M, a: M.take(a, I(M, [0, 5, 11, 5])), [((3, 4), "n")]),
    ("take_along_dim", lambda M, a: M.take_along_dim(a, I(M, [[0], [2], [1]]), 1),
     [((3, 4), "n")]),
    ("index_select", lambda M, a: M.index_select(a, 1, I(M, [2, 0, 2])), [((3, 4), "n")]),
    ("masked_select", lambda M, a: M.masked_select(a, a > 0), [((3, 4), "n")]),
    ("masked_fill", lambda M, a: M.masked_fill(a, a > 0, 0.5), [((3, 4), "n")]),
    ("masked_fill_t", lambda M, a, v: a.masked_fill(a > 0, v), [((3, 4), "n"), ((), "n")]),
    ("masked_scatter", _masked_scatter, [((2, 3), "n"), ((6,), "n")]),
    ("scatter", lambda M, a, s: M.scatter(a, 1, I(M, [[0, 1], [1, 3], [2, 0]]), s),
     [((3, 4), "n"), ((3, 2), "n")]),
    ("scatter_scalar", lambda M, a: M.scatter(a, 0, I(M, [[2, 0, 1, 1]]), 0.5),
     [((3, 4), "n")]),
    ("scatter_add", lambda M, a, s: M.scatter_add(a, 0, I(M, [[0, 1, 2, 0]]), s),
     [((3, 4), "n"), ((1, 4), "n")]),
    ("scatter_reduce_sum", lambda M, a, s: _scatter_reduce(M, a, s, "sum"),
     [((2, 3), "n"), ((3, 3), "n")]),
    ("scatter_reduce_prod", lambda M, a, s: _scatter_reduce(M, a, s, "prod"),
     [((2, 3), "pos"), ((3, 3), "pos")]),
    ("scatter_reduce_mean", lambda M, a, s: _scatter_reduce(M, a, s, "mean"),
     [((2, 3), "n"), ((3, 3), "n")]),
    ("scatter_reduce_amax", lambda M, a, s: _scatter_reduce(M, a, s, "amax"),
     [((2, 3), "n"), ((3, 3), "big")]),
    ("scatter_reduce_amin", lambda M, a, s: _scatter_reduce(M, a, s, "amin"),
     [((2, 3), "big"), ((3, 3), "n")]),
    ("index_add", lambda M, a, s: M.index_add(a, 0, I(M, [2, 0]), s, alpha=2.0),
     [((3, 4), "n"), ((2, 4), "n")]),
    ("index_copy", lambda M, a, s: M.index_copy(a, 0, I(M, [2, 0]), s),
     [((3, 4), "n"), ((2, 4), "n")]),
    ("index_fill", lambda M, a: M.index_fill(a, 1, I(M, [1, 3]), -1.0), [((3, 4), "n")]),
    ("index_reduce_prod", lambda M, a, s: _index_reduce(M, a, s, "prod"),
     [((3, 2), "pos"), ((2, 2), "pos")]),
    ("index_reduce_mean", lambda M, a, s: _index_reduce(M, a, s, "mean"),
     [((3, 2), "n"), ((2, 2), "n")]),
    ("index_reduce_amax", lambda M, a, s: _index_reduce(M, a, s, "amax"),
     [((3, 2), "n"), ((2, 2), "big")]),
    ("index_put_acc", _index_put, [((3, 2), "n"), ((2, 2), "n")]),
    ("put", _put, [((2, 3), "n"), ((2,), "n")]),
    ("select_scatter", lambda M, a, s: M.select_scatter(a, s, 0, 1),
     [((3, 2), "n"), ((2,), "n")]),
    ("slice_scatter", lambda M, a, s: M.slice_scatter(a, s, 1, 0, 4, 2),
     [((2, 4), "n"), ((2, 2), "n")]),
    ("diagonal_scatter", lambda M, a, s: M.diagonal_scatter(a, s),
     [((3, 3), "n"), ((3,), "n")]),
    ("embedding", _embedding, [((3, 2), "n")]),
    ("one_hot_mm", _one_hot_mm, [((3, 2), "n")]),
    # -- in place and views of dual tensors --------------------------------------------------
    ("add_", lambda M, a, b: a.clone().add_(b, alpha=2.0), [((2, 3), "n"), ((3,), "n")]),
    ("mul_", lambda M, a, b: a.clone().mul_(b), [((2, 3), "n")] * 2),
    ("div_", lambda M, a, b: a.clone().div_(b), [((2, 3), "n"), ((2, 3), "pos")]),
    ("sub_", lambda M, a, b: a.clone().sub_(b), [((2, 3), "n")] * 2),
    ("pow_", lambda M, a: a.clone().pow_(2), S2),
    ("exp_", lambda M, a: a.clone().exp_(), S2),
    ("clamp_", lambda M, a: a.clone().clamp_(-0.5, 0.5), S2),
    ("relu_", lambda M, a: F(M).relu(a.clone(), inplace=True), [((2, 3), "away")]),
    ("sigmoid_", lambda M, a: a.clone().sigmoid_(), S2),
    ("addcmul_", lambda M, a, b: a.clone().addcmul_(b, b), [((2, 3), "n")] * 2),
    ("lerp_", lambda M, a, b: a.clone().lerp_(b, 0.25), [((2, 3), "n")] * 2),
    ("copy_", lambda M, a, b: a.clone().copy_(b) * a, [((2, 3), "n"), ((3,), "n")]),
    ("masked_fill_", lambda M, a: a.clone().masked_fill_(a > 0, 1.0), S2),
    ("index_add_", lambda M, a, s: a.clone().index_add_(0, I(M, [1]), s),
     [((2, 3), "n"), ((1, 3), "n")]),
    ("scatter_", lambda M, a, s: a.clone().scatter_(1, I(M, [[0], [2]]), s),
     [((2, 3), "n"), ((2, 1), "n")]),
    ("inplace_view_mul", _inplace_view, [((3, 2), "n"), ((2,), "n")]),
    ("inplace_flat_add", _inplace_flat, [((2, 3), "n"), ((2, 3), "n")]),
    ("view_of_dual_t", lambda M, a: a.t()[1], S2),
    ("zero_view", lambda M, a: a.clone()[0].zero_() + a[1], S2),
    ("fill_diag", lambda M, a: a.clone().fill_diagonal_(0.5), [((3, 3), "n")]),
    # -- matmul family -----------------------------------------------------------------------
    ("mm", lambda M, a, b: M.mm(a, b), [((2, 3), "n"), ((3, 2), "n")]),
    ("bmm", lambda M, a, b: M.bmm(a, b), [((2, 2, 3), "n"), ((2, 3, 2), "n")]),
    ("mv", lambda M, a, b: M.mv(a, b), [((2, 3), "n"), ((3,), "n")]),
    ("dot", lambda M, a, b: M.dot(a, b), [((3,), "n")] * 2),
    ("vdot", lambda M, a, b: M.vdot(a, b), [((3,), "n")] * 2),
    ("inner", lambda M, a, b: M.inner(a, b), [((3,), "n")] * 2),
    ("outer", lambda M, a, b: M.outer(a, b), [((2,), "n"), ((3,), "n")]),
    ("ger", lambda M, a, b: M.ger(a, b), [((2,), "n"), ((3,), "n")]),
    ("matmul_bcast", lambda M, a, b: M.matmul(a, b), [((2, 2, 3), "n"), ((3, 2), "n")]),
    ("matmul_vec", lambda M, a, b: a @ b, [((3,), "n"), ((3, 2), "n")]),
    ("matmul_mat_vec", lambda M, a, b: a @ b, [((2, 3), "n"), ((3,), "n")]),
    ("addmm", lambda M, c, a, b: M.addmm(c, a, b, beta=0.5, alpha=2.0),
     [((2,), "n"), ((2, 3), "n"), ((3, 2), "n")]),
    ("addmv", lambda M, c, a, b: M.addmv(c, a, b), [((2,), "n"), ((2, 3), "n"), ((3,), "n")]),
    ("addr", lambda M, c, a, b: M.addr(c, a, b), [((2, 3), "n"), ((2,), "n"), ((3,), "n")]),
    ("addbmm", lambda M, c, a, b: M.addbmm(c, a, b),
     [((2, 2), "n"), ((2, 2, 3), "n"), ((2, 3, 2), "n")]),
    ("baddbmm", lambda M, c, a, b: M.baddbmm(c, a, b),
     [((2, 2, 2), "n"), ((2, 2, 3), "n"), ((2, 3, 2), "n")]),
    ("einsum", lambda M, a, b: M.einsum("ij,jk->ik", a, b), [((2, 3), "n"), ((3, 2), "n")]),
    ("einsum_trace", lambda M, a: M.einsum("ii->", a), [((3, 3), "n")]),
    ("einsum_batch", lambda M, a, b: M.einsum("bij,bj->bi", a, b),
     [((2, 2, 3), "n"), ((2, 3), "n")]),
    ("tensordot", lambda M, a, b: M.tensordot(a, b, dims=1), [((2, 3), "n"), ((3, 2), "n")]),
    ("kron", lambda M, a, b: M.kron(a, b), [((2, 2), "n"), ((1, 2), "n")]),
    ("cross", lambda M, a, b: M.linalg.cross(a, b), [((2, 3), "n")] * 2),
    ("cross_torch", lambda M, a, b: M.cross(a, b, dim=1), [((2, 3), "n")] * 2),
    ("multi_dot", lambda M, a, b, c: M.linalg.multi_dot([a, b, c]),
     [((2, 3), "n"), ((3, 2), "n"), ((2, 2), "n")]),
    ("vecdot", lambda M, a, b: M.linalg.vecdot(a, b), [((2, 3), "n")] * 2),
    ("matrix_power", lambda M, a: M.matrix_power(a, 3), [((2, 2), "n")]),
    ("matrix_power_neg", lambda M, a: M.linalg.matrix_power(spd(M, a), -2), [((2, 2), "n")]),
    ("cdist", lambda M, a, b: M.cdist(a, b), [((2, 3), "n"), ((3, 3), "n")]),
    ("cdist_p1", lambda M, a, b: M.cdist(a, b, p=1), [((2, 2), "n"), ((2, 2), "big")]),
    ("bilinear", lambda M, a, b, w: F(M).bilinear(a, b, w),
     [((2, 2), "n"), ((2, 3), "n"), ((2, 2, 3), "n")]),
    ("linear", lambda M, x, w, b: F(M).linear(x, w, b),
     [((2, 3), "n"), ((2, 3), "n"), ((2,), "n")]),
    # -- linalg ------------------------------------------------------------------------------
    ("det", lambda M, a: M.det(a), [((3, 3), "n")]),
    ("logdet", lambda M, a: M.logdet(spd(M, a)), [((2, 2), "n")]),
    ("slogdet", _slogdet, [((2, 2), "n")]),
    ("inverse", lambda M, a: M.inverse(spd(M, a)), [((2, 2), "n")]),
    ("inv", lambda M, a: M.linalg.inv(a + 3 * M.eye(3, dtype=a.dtype)), [((3, 3), "n")]),
    ("solve", lambda M, a, b: M.linalg.solve(spd(M, a), b), [((2, 2), "n"), ((2, 3), "n")]),
    ("solve_vec", lambda M, a, b: M.linalg.solve(spd(M, a), b), [((2, 2), "n"), ((2,), "n")]),
    ("cholesky", lambda M, a: M.linalg.cholesky(spd(M, a)), [((3, 3), "n")]),
    ("cholesky_torch", lambda M, a: M.cholesky(spd(M, a)), [((2, 2), "n")]),
    ("cholesky_ex", lambda M, a: M.linalg.cholesky_ex(spd(M, a))[0], [((2, 2), "n")]),
    ("eigh", _eigh, [((3, 3), "n")]),
    ("eigvalsh", lambda M, a: M.linalg.eigvalsh(spd(M, a)), [((3, 3), "n")]),
    ("qr", _qr, [((3, 2), "n")]),
    ("svdvals", lambda M, a: M.linalg.svdvals(a), [((3, 2), "n")]),
    ("svd", _svd, [((3, 2), "n")]),
    ("pinv", lambda M, a: M.linalg.pinv(a), [((3, 2), "n")]),
    ("pinverse", lambda M, a: M.pinverse(a), [((2, 3), "n")]),
    ("lstsq", _lstsq, [((3, 2), "n"), ((3, 1), "n")]),
    ("cond", lambda M, a: M.linalg.cond(a), [((2, 2), "n")]),
    # -- activations -------------------------------------------------------------------------
    *[(f"F_{n}", _of_functional(n), [((5,), k)]) for n, k in [
        ("relu", "away"), ("relu6", "away"), ("elu", "n"), ("selu", "n"), ("celu", "n"),
        ("gelu", "n"), ("silu", "n"), ("mish", "n"), ("softplus", "n"), ("softsign", "n"),
        ("logsigmoid", "n"), ("hardtanh", "unit"), ("hardsigmoid", "unit"),
        ("hardswish", "unit"), ("hardshrink", "big"), ("softshrink", "big"),
        ("tanhshrink", "n"), ("sigmoid", "n"), ("tanh", "n"),
    ]],
    ("F_leaky_relu", lambda M, a: F(M).leaky_relu(a, 0.1), [((5,), "n")]),
    ("F_gelu_tanh", lambda M, a: F(M).gelu(a, approximate="tanh"), [((5,), "n")]),
    ("F_elu_alpha", lambda M, a: F(M).elu(a, 0.5), [((5,), "n")]),
    ("F_softplus_beta", lambda M, a: F(M).softplus(a, beta=2.0, threshold=5.0), [((5,), "n")]),
    ("F_prelu", lambda M, a, w: F(M).prelu(a, w), [((2, 3), "n"), ((3,), "pos")]),
    ("F_glu", lambda M, a: F(M).glu(a, -1), [((2, 4), "n")]),
    ("F_softmax", lambda M, a: F(M).softmax(a, 1), S2),
    ("F_softmin", lambda M, a: F(M).softmin(a, 0), S2),
    ("F_log_softmax", lambda M, a: F(M).log_softmax(a, -1), S2),
    ("softmax_torch", lambda M, a: M.softmax(a, 0), S2),
    ("F_normalize", lambda M, a: F(M).normalize(a, dim=1), S2),
    ("F_normalize_p1", lambda M, a: F(M).normalize(a, p=1, dim=0), [((2, 3), "away")]),
    ("F_cosine_similarity", lambda M, a, b: F(M).cosine_similarity(a, b), [((2, 3), "n")] * 2),
    ("F_pairwise_distance", lambda M, a, b: F(M).pairwise_distance(a, b),
     [((2, 3), "n")] * 2),
    # -- losses ------------------------------------------------------------------------------
    ("mse_loss", lambda M, a, b: F(M).mse_loss(a, b), [((2, 3), "n")] * 2),
    ("mse_loss_sum", lambda M, a, b: F(M).mse_loss(a, b, reduction="sum"), [((2, 3), "n")] * 2),
    ("l1_loss", lambda M, a, b: F(M).l1_loss(a, b), [((2, 3), "n"), ((2, 3), "big")]),
    ("smooth_l1_loss", lambda M, a, b: F(M).smooth_l1_loss(a, b, beta=0.5),
     [((2, 3), "n")] * 2),
    ("huber_loss", lambda M, a, b: F(M).huber_loss(a, b, delta=0.5), [((2, 3), "n")] * 2),
    ("bce", lambda M, a, b: F(M).binary_cross_entropy(a, b), [((4,), "prob")] * 2),
    ("bce_weight", lambda M, a, b, w: F(M).binary_cross_entropy(a, b, w),
     [((4,), "prob"), ((4,), "prob"), ((4,), "pos")]),
    ("bce_logits", lambda M, a, b: F(M).binary_cross_entropy_with_logits(a, b),
     [((4,), "n"), ((4,), "prob")]),
    ("bce_logits_pos_weight",
     lambda M, a, b, w: F(M).binary_cross_entropy_with_logits(a, b, pos_weight=w),
     [((2, 2), "n"), ((2, 2), "prob"), ((2,), "pos")]),
    ("kl_div", lambda M, a, b: F(M).kl_div(a, b, reduction="batchmean"),
     [((2, 2), "n"), ((2, 2), "pos")]),
    ("kl_div_log_target", lambda M, a, b: F(M).kl_div(a, b, reduction="sum", log_target=True),
     [((4,), "n"), ((4,), "n")]),
    ("cross_entropy", lambda M, a: F(M).cross_entropy(a, I(M, [0, 2])), [((2, 3), "n")]),
    ("cross_entropy_smooth",
     lambda M, a: F(M).cross_entropy(a, I(M, [0, 2]), label_smoothing=0.2), [((2, 3), "n")]),
    ("cross_entropy_weight", lambda M, a: F(M).cross_entropy(a, I(M, [0, 2]), weight=W(M, a)),
     [((2, 3), "n")]),
    ("cross_entropy_all", lambda M, a: F(M).cross_entropy(
        a, I(M, [0, 2, 1]), weight=W(M, a), ignore_index=1, label_smoothing=0.1),
     [((3, 3), "n")]),
    ("nll_loss_weight", lambda M, a: F(M).nll_loss(a, I(M, [1, 2]), weight=W(M, a)),
     [((2, 3), "n")]),
    ("cross_entropy_probs", lambda M, a, p: F(M).cross_entropy(a, p),
     [((2, 3), "n"), ((2, 3), "prob")]),
    ("cross_entropy_2d", lambda M, a: F(M).cross_entropy(a, I(M, [[0, 1]]), reduction="sum"),
     [((1, 3, 2), "n")]),
    ("cross_entropy_none", lambda M, a: F(M).cross_entropy(a, I(M, [1, 0]), reduction="none"),
     [((2, 3), "n")]),
    ("nll_loss", lambda M, a: F(M).nll_loss(a, I(M, [0, 2])), [((2, 3), "n")]),
    ("nll_loss_ignore", lambda M, a: F(M).nll_loss(a, I(M, [0, 1, 2]), ignore_index=1),
     [((3, 3), "n")]),
    # -- conv, pool, resample ----------------------------------------------------------------
    ("conv1d", lambda M, x, w, b: F(M).conv1d(x, w, b, padding=1),
     [((1, 2, 4), "n"), ((2, 2, 2), "n"), ((2,), "n")]),
    ("conv2d", lambda M, x, w: F(M).conv2d(x, w, stride=1, padding=1),
     [((1, 1, 3, 3), "n"), ((1, 1, 2, 2), "n")]),
    ("conv2d_groups", lambda M, x, w: F(M).conv2d(x, w, groups=2, dilation=1),
     [((1, 2, 3, 3), "n"), ((2, 1, 2, 2), "n")]),
    ("conv2d_stride", lambda M, x, w, b: F(M).conv2d(x, w, b, stride=2),
     [((1, 1, 4, 4), "n"), ((2, 1, 2, 2), "n"), ((2,), "n")]),
    ("conv_transpose1d", lambda M, x, w: F(M).conv_transpose1d(x, w, stride=2),
     [((1, 2, 3), "n"), ((2, 1, 2), "n")]),
    ("conv_transpose2d", lambda M, x, w, b: F(M).conv_transpose2d(x, w, b),
     [((1, 1, 2, 2), "n"), ((1, 2, 2, 2), "n"), ((2,), "n")]),
    ("max_pool1d", lambda M, x: F(M).max_pool1d(x, 2), [((1, 1, 4), "n")]),
    ("max_pool2d", lambda M, x: F(M).max_pool2d(x, 2), [((1, 1, 4, 4), "n")]),
    ("max_pool2d_idx", _max_pool_idx, [((1, 1, 4, 4), "n")]),
    ("max_pool2d_stride_pad", lambda M, x: F(M).max_pool2d(x, 3, 2, 1), [((1, 1, 4, 4), "n")]),
    ("max_unpool2d", _max_unpool, [((1, 1, 4, 4), "n")]),
    ("avg_pool1d", lambda M, x: F(M).avg_pool1d(x, 2), [((1, 2, 4), "n")]),
    ("avg_pool2d", lambda M, x: F(M).avg_pool2d(x, 2, 1, 1, count_include_pad=False),
     [((1, 1, 3, 3), "n")]),
    ("adaptive_avg_pool1d", lambda M, x: F(M).adaptive_avg_pool1d(x, 2), [((1, 2, 5), "n")]),
    ("adaptive_avg_pool2d", lambda M, x: F(M).adaptive_avg_pool2d(x, (2, 1)),
     [((1, 1, 3, 3), "n")]),
    ("adaptive_max_pool1d", lambda M, x: F(M).adaptive_max_pool1d(x, 2), [((1, 2, 5), "n")]),
    ("adaptive_max_pool2d", lambda M, x: F(M).adaptive_max_pool2d(x, 2), [((1, 1, 4, 4), "n")]),
    ("unfold_im2col", _unfold, [((1, 1, 3, 3), "n")]),
    ("fold_col2im", _fold, [((1, 4, 4), "n")]),
    ("interp_nearest", lambda M, x: F(M).interpolate(x, scale_factor=2), [((1, 1, 2, 2), "n")]),
    ("interp_bilinear",
     lambda M, x: F(M).interpolate(x, size=(3, 3), mode="bilinear", align_corners=False),
     [((1, 1, 2, 2), "n")]),
    ("interp_bilinear_ac",
     lambda M, x: F(M).interpolate(x, size=(3, 3), mode="bilinear", align_corners=True),
     [((1, 1, 2, 2), "n")]),
    ("interp_linear", lambda M, x: F(M).interpolate(x, size=5, mode="linear"),
     [((1, 1, 3), "n")]),
    ("pad_constant", lambda M, a: F(M).pad(a, (1, 1, 0, 1), value=0.5), S2),
    ("pad_reflect", lambda M, a: _pad(M, a, "reflect"), [((1, 1, 4), "n")]),
    ("pad_replicate", lambda M, a: _pad(M, a, "replicate"), [((1, 1, 3), "n")]),
    ("pad_circular", lambda M, a: _pad(M, a, "circular"), [((1, 1, 3), "n")]),
    # -- normalization -----------------------------------------------------------------------
    ("batch_norm_eval", _batch_norm_eval, [((2, 3), "n"), ((3,), "pos"), ((3,), "n")]),
    ("batch_norm_train", _batch_norm_train, [((3, 3), "n"), ((3,), "pos"), ((3,), "n")]),
    ("batch_norm_train_2d", lambda M, x: F(M).batch_norm(x, None, None, training=True),
     [((2, 2, 2, 1), "n")]),
    ("layer_norm", lambda M, x, w, b: F(M).layer_norm(x, (3,), w, b),
     [((2, 3), "n"), ((3,), "pos"), ((3,), "n")]),
    ("layer_norm_2d", lambda M, x: F(M).layer_norm(x, (2, 2)), [((2, 2, 2), "n")]),
    ("group_norm", lambda M, x, w, b: F(M).group_norm(x, 2, w, b),
     [((1, 4, 2), "n"), ((4,), "pos"), ((4,), "n")]),
    ("instance_norm", lambda M, x: F(M).instance_norm(x), [((1, 2, 3), "n")]),
    ("rms_norm", lambda M, x, w: F(M).rms_norm(x, (3,), w), [((2, 3), "n"), ((3,), "pos")]),
    ("local_response_norm", lambda M, x: F(M).local_response_norm(x, 2),
     [((1, 3, 2), "n")]),
    # -- attention -------------------------------------------------------------------------------
    ("sdpa", _sdpa, [((1, 2, 2), "n"), ((1, 3, 2), "n"), ((1, 3, 2), "n")]),
    ("sdpa_causal", _sdpa_causal, [((1, 2, 2), "n")] * 3),
    ("sdpa_mask", lambda M, q, k, v, m: F(M).scaled_dot_product_attention(q, k, v, m),
     [((1, 2, 2), "n"), ((1, 3, 2), "n"), ((1, 3, 2), "n"), ((2, 3), "n")]),
    ("mha", _mha, [((2, 1, 4), "n")] * 3 + [((12, 4), "n"), ((4, 4), "n")]),
    # -- small compositions ------------------------------------------------------------------
    ("tanh_mlp", _lstm_like, [((2, 3), "n"), ((3, 2), "n")]),
    ("ldexp", _frexp_ldexp, [((3,), "n")]),
    # -- modules (parameters from fixed seeds, so torch's are the same) ------------------
    ("nn_lstm", _lstm, [((2, 1, 3), "n")]),
    ("nn_gru", _gru, [((1, 2, 3), "n"), ((1, 1, 2), "n")]),
    ("nn_rnn_2layers", _rnn, [((2, 1, 3), "n")]),
    ("nn_lstm_cell", _lstm_cell, [((1, 3), "n"), ((1, 2), "n"), ((1, 2), "n")]),
    ("nn_gru_cell", lambda M, x, h: module(M, "GRUCell", 3, 2)(x, h),
     [((1, 3), "n"), ((1, 2), "n")]),
    ("nn_rnn_cell_relu", lambda M, x: module(M, "RNNCell", 3, 2, nonlinearity="relu")(x),
     [((2, 3), "n")]),
    ("nn_mha", _mha_module, [((1, 2, 4), "n"), ((1, 3, 4), "n")]),
    ("nn_encoder_layer", _encoder_layer, [((1, 2, 4), "n")]),
    ("nn_linear", lambda M, x: module(M, "Linear", 3, 2)(x), S2),
    ("nn_conv2d", lambda M, x: module(M, "Conv2d", 1, 2, 2, padding=1)(x),
     [((1, 1, 2, 2), "n")]),
    ("nn_bilinear", lambda M, a, b: module(M, "Bilinear", 2, 3, 2)(a, b),
     [((1, 2), "n"), ((1, 3), "n")]),
    ("nn_batchnorm1d", lambda M, x: module(M, "BatchNorm1d", 3)(x), [((4, 3), "n")]),
    ("nn_groupnorm", lambda M, x: module(M, "GroupNorm", 1, 2)(x), [((1, 2, 3), "n")]),
    ("nn_prelu", lambda M, x: module(M, "PReLU")(x), [((4,), "n")]),
    ("nn_dropout_eval", lambda M, x: module(M, "Dropout", 0.5).eval()(x), S2),
    ("F_dropout_p0", lambda M, x: F(M).dropout(x, 0.0), S2),
    # -- more in place, views and Tensor methods --------------------------------------------
    ("view_after_base_change", _view_after_base_change, [((2, 3), "n"), ((3,), "n")]),
    ("view_chain_inplace", _view_chain_inplace, [((2, 3), "n"), ((2,), "n")]),
    ("diagonal_inplace", _diagonal_inplace, [((3, 3), "n")]),
    ("transpose_view_add", _transpose_view_add, [((2, 3), "n"), ((3, 2), "n")]),
    ("inplace_view_ops", _inplace_view_ops, S2),
    ("index_put_", _index_put_, [((2, 3), "n"), ((2,), "n")]),
    ("masked_scatter_", _masked_scatter_, [((2, 3), "n"), ((6,), "n")]),
    ("abs_", lambda M, a: a.clone().abs_(), [((2, 3), "away")]),
    ("neg_", lambda M, a: a.clone().neg_(), S2),
    ("sqrt_", lambda M, a: a.clone().sqrt_(), [((2, 3), "pos")]),
    ("fill_", lambda M, a, v: a.clone().fill_(v) * a, [((2, 3), "n"), ((), "n")]),
    ("zero_", lambda M, a: a.clone().zero_() + a, S2),
    ("clamp_min_", lambda M, a: a.clone().clamp_min_(0.1), S2),
    ("index_fill_", lambda M, a: a.clone().index_fill_(1, I(M, [0]), 2.0), S2),
    ("index_copy_", lambda M, a, s: a.clone().index_copy_(1, I(M, [2, 0]), s),
     [((2, 3), "n"), ((2, 2), "n")]),
    ("put_", lambda M, a, v: a.clone().put_(I(M, [1, 4]), v, accumulate=True),
     [((2, 3), "n"), ((2,), "n")]),
    ("scatter_add_", lambda M, a, s: a.clone().scatter_add_(0, I(M, [[1, 0, 1]]), s),
     [((2, 3), "n"), ((1, 3), "n")]),
    ("scatter_reduce_", lambda M, a, s: a.clone().scatter_reduce_(
        1, I(M, [[0, 0], [2, 1]]), s, "mean"), [((2, 3), "n"), ((2, 2), "n")]),
    ("copy_transposed", lambda M, a, b: a.clone().copy_(b.t()), [((2, 3), "n"), ((3, 2), "n")]),
    ("type_as", lambda M, a, b: a.type_as(b) * b, [((2, 3), "n")] * 2),
    ("view_as", lambda M, a, b: a.view_as(b) * b, [((6,), "n"), ((2, 3), "n")]),
    ("reshape_as", lambda M, a, b: a.t().reshape_as(b) + b, [((3, 2), "n"), ((2, 3), "n")]),
    ("new_zeros_add", lambda M, a: a.new_zeros(3) + a, S2),
    ("tensor_where", lambda M, a, b: a.where(a > b, b), [((2, 3), "n")] * 2),
    ("method_chain", lambda M, a: a.exp().log1p().sum(1).sqrt(), S2),
    ("pow_method_tensor", lambda M, a, b: a.pow(b), [((2, 3), "pos"), ((3,), "n")]),
    ("sum_dtype", lambda M, a: a.sum(dtype=M.float64), S2),
    ("cumsum_dtype", lambda M, a: a.cumsum(1, dtype=M.float64), S2),
    ("x_T_matmul", lambda M, a: a.T @ a, S2),
]


def make_inputs(M, specs, seed=0, dtype="float64"):
    """Float inputs for one case, as tensors of module ``M``, the same numbers for any ``M``."""
    rng = np.random.default_rng(seed)
    arrays = []
    for shape, kind in specs:
        bounds = KINDS[kind]
        a = rng.standard_normal(shape) if bounds is None else rng.uniform(*bounds, shape)
        arrays.append(a)
    return tuple(M.tensor(a, dtype=getattr(M, dtype)) for a in arrays)


def _grad_inputs(specs, seed=0):
    return tuple(x.requires_grad_() for x in make_inputs(nbtorch, specs, seed))


def _call(fn):
    return lambda *xs: fn(nbtorch, *xs)


# What the sweep found and could not (or should not) be fixed here: name -> reason.
KNOWN = {}
IDS = [c[0] for c in OPS]
CASES = [pytest.param(*c, id=c[0], marks=[pytest.mark.xfail(strict=True, reason=KNOWN[c[0]])]
                      if c[0] in KNOWN else []) for c in OPS]


@pytest.mark.parametrize("name, fn, specs", CASES)
def test_gradcheck_with_forward_ad(name, fn, specs):
    assert gradcheck(_call(fn), _grad_inputs(specs), check_forward_ad=True)


@pytest.mark.parametrize("name, fn, specs", CASES)
def test_gradgradcheck(name, fn, specs):
    assert gradgradcheck(_call(fn), _grad_inputs(specs))


def test_case_names_are_unique():
    assert len(IDS) == len(set(IDS))


def test_tangent_has_the_output_dtype_and_integer_outputs_have_none():
    x = nbtorch.tensor([0.3, -1.2, 2.0])  # float32
    with fwAD.dual_level():
        d = fwAD.make_dual(x, nbtorch.ones(3, dtype=nbtorch.float64))
        y = d.exp()
        assert fwAD.unpack_dual(y).tangent.dtype == nbtorch.float32
        values, indices = d.sort()
        assert fwAD.unpack_dual(values).tangent.dtype == nbtorch.float32
        assert fwAD.unpack_dual(indices).tangent is None
        assert fwAD.unpack_dual(d.argmax()).tangent is None
        assert fwAD.unpack_dual(d.long()).tangent is None


# -- regressions: what the sweep found --------------------------------------------------------


@pytest.mark.parametrize("kwargs", [
    dict(), dict(reduction="sum"), dict(reduction="none"), dict(label_smoothing=0.2),
    dict(weight=[0.5, 1.0, 2.0], ignore_index=1, label_smoothing=0.1),
], ids=["mean", "sum", "none", "smoothing", "weight_ignore_smoothing"])
def test_cross_entropy_gradient_has_a_jvp_in_logits_and_incoming_gradient(kwargs):
    # Forward over reverse (a Hessian) differentiates CrossEntropyBackward in forward mode.
    kwargs = dict(kwargs)
    if "weight" in kwargs:
        kwargs["weight"] = nbtorch.tensor(kwargs["weight"], dtype=nbtorch.float64)
    target = I(nbtorch, [0, 2, 1])

    def gradient(x, v):
        loss = nbtorch.nn.functional.cross_entropy(x, target, **kwargs)
        return nbtorch.autograd.grad(loss, x, v, create_graph=True)[0]

    x = make_inputs(nbtorch, [((3, 3), "n")])[0].requires_grad_()
    shape = (3,) if kwargs.get("reduction") == "none" else ()
    v = make_inputs(nbtorch, [(shape, "pos")], seed=1)[0].requires_grad_()
    assert gradcheck(gradient, (x, v), check_forward_ad=True)


def test_cross_entropy_hessian_forward_over_reverse_equals_reverse_over_reverse():
    from nbtorch import func

    target = I(nbtorch, [0, 2])
    x = make_inputs(nbtorch, [((2, 3), "n")])[0]

    def loss(x):
        return nbtorch.nn.functional.cross_entropy(x, target)

    np.testing.assert_allclose(func.hessian(loss)(x).numpy(),
                               func.jacrev(func.jacrev(loss))(x).numpy(), atol=1e-12)


def test_cosine_similarity_reverse_over_forward_keeps_the_norms_history():
    # The eps clamp of the lengths used to run under no_grad and replace their tangent with
    # one cut from the reverse graph: jacrev(jacfwd(f)) lost the norms' second derivatives.
    from nbtorch import func

    x, y = make_inputs(nbtorch, [((3,), "n")] * 2)

    def f(x):
        return nbtorch.nn.functional.cosine_similarity(x, y, dim=0)

    np.testing.assert_allclose(func.jacrev(func.jacfwd(f))(x).numpy(),
                               func.jacrev(func.jacrev(f))(x).numpy(), atol=1e-12)


def _dual_inplace(M, change):
    """(primal, tangent of the result, primal's own tangent) after ``change(dual)`` on a dual
    made from a plain tensor, in module ``M``'s forward AD."""
    fw = M.autograd.forward_ad
    x = M.tensor([1.0, 2.0, 3.0], dtype=M.float64)
    with fw.dual_level():
        d = fw.make_dual(x, M.tensor([0.5, -1.0, 2.0], dtype=M.float64))
        out = change(M, d)
        primal, tangent = fw.unpack_dual(out)
        x_tangent = fw.unpack_dual(x).tangent
        return (primal.numpy().copy(), None if tangent is None else tangent.numpy().copy(),
                x_tangent)


def _view_inplace(M, d):
    d[0].mul_(2)
    return d


def _reshaped_inplace(M, d):
    d.view(3, 1).mul_(3)
    return d


def _view_then_base_inplace(M, d):
    v = d[1:]
    d.mul_(2)
    return v


def _overwrite(M, d):
    y = d.clone()
    y.copy_(M.ones(3, dtype=M.float64))
    return y


DUAL_INPLACE = {  # name: (change, expected tangent)
    "view_of_dual": (_view_inplace, [1.0, -1.0, 2.0]),
    "reshaped_dual": (_reshaped_inplace, [1.5, -3.0, 6.0]),
    "view_then_base": (_view_then_base_inplace, [-2.0, 4.0]),
    "overwritten": (_overwrite, [0.0, 0.0, 0.0]),
}


@pytest.mark.parametrize("name", list(DUAL_INPLACE))
def test_inplace_change_of_a_dual_updates_its_tangent_not_the_primals(name):
    change, expected = DUAL_INPLACE[name]
    _, tangent, x_tangent = _dual_inplace(nbtorch, change)
    np.testing.assert_allclose(tangent, expected)
    assert x_tangent is None  # the plain tensor behind the dual never gets one


@pytest.mark.oracle
@pytest.mark.parametrize("name", list(DUAL_INPLACE))
def test_inplace_change_of_a_dual_matches_torch(torch, name):
    change, _ = DUAL_INPLACE[name]
    ours, theirs = _dual_inplace(nbtorch, change), _dual_inplace(torch, change)
    np.testing.assert_allclose(ours[0], theirs[0])
    np.testing.assert_allclose(ours[1], theirs[1])
    assert ours[2] is None and theirs[2] is None


# torch.func.jvp is no oracle for these: it has no forward AD for the op (or none of second
# order), or (scatter_reduce prod) its forward AD disagrees with finite differences.
NOT_IN_TORCH = {"special_zeta", "heaviside_mul", "scatter_reduce_prod", "index_reduce_prod",
                "index_reduce_mean", "index_reduce_amax", "cdist", "cdist_p1",
                "cholesky_torch", "bce_weight", "nn_encoder_layer", "nn_batchnorm1d"}


@pytest.mark.oracle
@pytest.mark.parametrize("name, fn, specs", [c for c in OPS if c[0] not in NOT_IN_TORCH],
                         ids=[n for n in IDS if n not in NOT_IN_TORCH])
def test_jvp_matches_torch_func_jvp(torch, name, fn, specs):
    from nbtorch import func

    fn(torch, *make_inputs(torch, specs))  # a module is made outside torch's transforms
    tangent_specs = [(shape, "n") for shape, _ in specs]
    _, ours = func.jvp(lambda *xs: fn(nbtorch, *xs), make_inputs(nbtorch, specs),
                       make_inputs(nbtorch, tangent_specs, seed=7))
    _, theirs = torch.func.jvp(lambda *xs: fn(torch, *xs), make_inputs(torch, specs),
                               make_inputs(torch, tangent_specs, seed=7))
    ours = ours if isinstance(ours, (tuple, list)) else (ours,)
    theirs = theirs if isinstance(theirs, (tuple, list)) else (theirs,)
    for a, b in zip(ours, theirs):
        if b.dtype.is_floating_point:
            assert str(a.dtype).split(".")[-1] == str(b.dtype).split(".")[-1]
            np.testing.assert_allclose(a.detach().numpy(), b.detach().numpy(),
                                       rtol=1e-6, atol=1e-8)
