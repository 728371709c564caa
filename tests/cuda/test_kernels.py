"""Every cuda backend function against numpy on the same data (small sizes: the simulator
runs each CUDA thread as a Python thread)."""

import math
import warnings

import numpy as np
import pytest

pytestmark = pytest.mark.cuda

rng = np.random.default_rng(0)


@pytest.fixture(scope="module")
def B():
    from nbtorch._backend import cuda

    return cuda


def dev(B, a):
    return B.from_numpy(np.asarray(a))


def check(got, want, tol=1e-5):
    got = got.get() if hasattr(got, "get") else np.asarray(got)
    want = np.asarray(want)
    assert got.shape == want.shape, (got.shape, want.shape)
    assert got.dtype == want.dtype, (got.dtype, want.dtype)
    np.testing.assert_allclose(got.astype(np.float64), want.astype(np.float64), rtol=tol,
                               atol=tol, equal_nan=True)


UNARY = ["abs", "negative", "square", "sign", "exp", "expm1", "log", "log1p", "log2", "log10",
         "sqrt", "sin", "cos", "tan", "sinh", "cosh", "tanh", "arcsin", "arccos", "arctan",
         "arcsinh", "arccosh", "arctanh", "floor", "ceil", "trunc", "rint", "isnan", "isinf",
         "isfinite", "logical_not"]


@pytest.mark.parametrize("layout", ["strided view", "contiguous"])
def test_unary_ops(B, layout):
    # each op has a kernel for contiguous arrays and one for strided views
    a = rng.uniform(-2, 2, (3, 8)).astype(np.float32)
    a[0, 0], a[1, 2], a[2, 4], a[0, 2] = np.nan, np.inf, 0.5, 2.5  # 0.5: round half to even
    if layout == "strided view":
        view, host = dev(B, a)[:, ::2], a[:, ::2]
    else:
        view, host = dev(B, a), a
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore")
        for name in UNARY:
            check(getattr(B, name)(view), getattr(np, name)(host))
    for name in ("erf", "erfc"):  # numpy has neither: the C library's, in float64
        want = np.vectorize(getattr(math, name))(host.astype(np.float64)).astype(np.float32)
        check(getattr(B, name)(view), want)
    i = rng.integers(-9, 9, (3, 8))
    view, host = (dev(B, i)[:, ::2], i[:, ::2]) if layout == "strided view" else (dev(B, i), i)
    check(B.invert(view), ~host)


BINARY = ["add", "subtract", "multiply", "divide", "maximum", "minimum", "power", "arctan2",
          "copysign", "logaddexp", "equal", "not_equal", "less", "less_equal", "greater",
          "greater_equal", "fmod", "remainder", "floor_divide"]


def operand_pairs(B, a, b, number):
    """(cuda x, cuda y, numpy x, numpy y) for each kernel of a binary op: broadcast arrays,
    same-shape contiguous arrays, and an array with a number on either side, contiguous
    or a strided view."""
    da, db = dev(B, a), dev(B, b)
    same = b[: a.shape[0]] if a.ndim == b.ndim else b
    return [(da[:, None], db, a[:, None], b),  # broadcast: the strided kernel
            (da, dev(B, same), a, same),  # same shape, both contiguous: the flat kernel
            (da, number, a, number), (number, db, number, b),  # contiguous and a number
            (da[::2], number, a[::2], number), (number, db.T, number, b.T)]  # strided


BINARY_INT = ["bitwise_and", "bitwise_or", "bitwise_xor", "logical_and", "logical_or",
              "logical_xor"]


def test_binary_ops_broadcast_and_numbers(B):
    # every binary op on every kernel it has (see operand_pairs)
    a = rng.uniform(0.5, 2, (4, 3)).astype(np.float32)
    b = rng.uniform(0.5, 2, (5, 3)).astype(np.float32)
    with np.errstate(all="ignore"):
        for x, y, hx, hy in operand_pairs(B, a, b, 1.5):
            for name in BINARY:
                check(getattr(B, name)(x, y), getattr(np, name)(hx, hy))
    i = rng.integers(-9, 9, (4, 3))
    j = rng.integers(-9, 9, (5, 3))
    for x, y, hx, hy in operand_pairs(B, i, j, 6):
        for name in BINARY_INT:
            check(getattr(B, name)(x, y), getattr(np, name)(hx, hy))


def test_relu_backward_on_every_kernel(B):
    g = rng.standard_normal((4, 3)).astype(np.float32)
    out = rng.standard_normal((5, 3)).astype(np.float32)
    for x, y, hx, hy in operand_pairs(B, g, out, 0.5):
        want = np.where(np.asarray(hy) > 0, hx, 0 * hx).astype(np.result_type(hx, hy))
        check(B.relu_backward(x, y), want)


def test_dtype_promotion_follows_numpy(B):
    i = np.arange(6, dtype=np.int64).reshape(2, 3)
    f = np.linspace(-1, 1, 3).astype(np.float32)
    di, df = dev(B, i), dev(B, f)
    check(di + df, i + f)
    check(di * 2, i * 2)
    check(di / 4, i / 4)
    check(di // 4, i // 4)
    check(di < 2.5, i < 2.5)
    check(di.astype(np.float32) + 0.5, i.astype(np.float32) + 0.5)
    m = i > 2
    check(B.logical_and(dev(B, m), True), np.logical_and(m, True))
    check(~dev(B, m), ~m)
    check(B.bitwise_and(di, 3), i & 3)
    check(B.where(dev(B, m), di, 0.5), np.where(m, i, 0.5))


@pytest.mark.parametrize("axis", [None, -1, (0, 2)])
def test_reductions_along_any_dims(B, axis):
    a = rng.standard_normal((3, 2, 4)).astype(np.float32)
    d = dev(B, a)
    t = dev(B, a).transpose(2, 0, 1)  # a strided input
    for name in ["sum", "mean", "max", "min", "prod"]:
        check(getattr(B, name)(d, axis=axis), getattr(np, name)(a, axis=axis), 1e-4)
    for name in ["sum", "max"]:
        check(getattr(B, name)(t, axis=axis, keepdims=True),
              getattr(np, name)(a.transpose(2, 0, 1), axis=axis, keepdims=True), 1e-4)
    check(B.var(d, axis=axis), np.var(a, axis=axis), 1e-4)
    check(B.std(d, axis=axis, ddof=1), np.std(a, axis=axis, ddof=1), 1e-4)
    check(B.any(d > 1, axis=axis), np.any(a > 1, axis=axis))
    check(B.all(d > -1, axis=axis), np.all(a > -1, axis=axis))


def test_long_rows_are_split_into_parts(B):
    a = rng.standard_normal(3000).astype(np.float64)
    check(B.sum(dev(B, a)), np.sum(a), 1e-9)
    check(B.max(dev(B, a).reshape(2, 1500), axis=1), a.reshape(2, 1500).max(1))


def test_integer_sums_and_nan_max(B):
    i = rng.integers(-5, 5, (3, 4)).astype(np.int32)
    check(B.sum(dev(B, i), axis=0), i.sum(0))
    check(dev(B, i > 0).sum(), (i > 0).sum())
    a = np.array([[1.0, np.nan, 3.0], [2.0, 1.0, 0.0]], np.float32)
    check(B.max(dev(B, a), axis=1), a.max(1))


def test_arg_reductions_and_scans(B):
    a = rng.integers(0, 4, (4, 6)).astype(np.float32)  # ties: the first index wins
    d = dev(B, a)
    for axis in (None, 0, 1):
        check(B.argmax(d, axis=axis), np.argmax(a, axis=axis))
        check(B.argmin(d, axis=axis), np.argmin(a, axis=axis))
    check(B.argmax(d, axis=1, keepdims=True), np.argmax(a, axis=1, keepdims=True))
    check(B.cumsum(d, axis=1), np.cumsum(a, axis=1))
    check(B.cumprod(d[:, :3], axis=0), np.cumprod(a[:, :3], axis=0))
    check(B.cumsum(d), np.cumsum(a))


@pytest.mark.parametrize("shapes", [((5, 7), (7, 3)), ((2, 5, 7), (7, 9)),
                                    ((3, 1, 4, 6), (2, 6, 5)), ((7,), (7, 3)), ((4, 7), (7,)),
                                    ((6,), (6,))])
def test_matmul_tiles_batches_and_vectors(B, shapes):
    a = rng.standard_normal(shapes[0]).astype(np.float32)
    b = rng.standard_normal(shapes[1]).astype(np.float32)
    check(B.matmul(dev(B, a), dev(B, b)), np.matmul(a, b), 1e-4)


def test_matmul_reads_transposed_views_without_copies(B):
    a = rng.standard_normal((9, 5)).astype(np.float64)
    b = rng.standard_normal((9, 4)).astype(np.float64)
    check(dev(B, a).T @ dev(B, b), a.T @ b, 1e-10)
    i = rng.integers(-3, 3, (3, 4))
    check(dev(B, i) @ dev(B, i.T.copy()), i @ i.T)


def test_views_share_memory_and_reshape_follows_numpy(B):
    a = np.arange(24, dtype=np.float32).reshape(2, 3, 4)
    d = dev(B, a)
    v = d[1, :, ::2]
    v[...] = -1.0  # writes through the view
    a[1, :, ::2] = -1.0
    check(d, a)
    assert not d.transpose(2, 0, 1).flags.c_contiguous
    with pytest.raises(ValueError):
        d.transpose(2, 0, 1).reshape(-1, copy=False)
    check(d.transpose(2, 0, 1).reshape(4, 6), a.transpose(2, 0, 1).reshape(4, 6))
    check(d[:, 1:].reshape(2, 8), a[:, 1:].reshape(2, 8))  # a view: merges the last dims
    assert d.reshape(6, 4).buf is d.buf
    check(B.flip(d, 2), np.flip(a, 2))
    check(B.diagonal(d[0], 1), np.diagonal(a[0], 1))
    check(B.broadcast_to(d[0, 0], (3, 4)) * 1, np.broadcast_to(a[0, 0], (3, 4)))
    check(B.ascontiguousarray(d.T), np.ascontiguousarray(a.T))
    assert d.strides == a.strides and d.device.type == "cuda"


def test_creation_and_joins(B):
    check(B.zeros((2, 3), np.float32), np.zeros((2, 3), np.float32))
    check(B.full((2,), 7, np.int64), np.full((2,), 7, np.int64))
    check(B.arange(2, 11, 3, dtype=np.float32), np.arange(2, 11, 3, dtype=np.float32))
    check(B.eye(3, 4, 1, dtype=np.float32), np.eye(3, 4, 1, dtype=np.float32))
    a = rng.standard_normal((3, 4)).astype(np.float32)
    b = rng.standard_normal((3, 2)).astype(np.float32)
    check(B.concatenate([dev(B, a), dev(B, b)], axis=1), np.concatenate([a, b], 1))
    check(B.stack([dev(B, a), dev(B, a)], axis=1), np.stack([a, a], 1))
    check(B.tril(dev(B, a), -1), np.tril(a, -1))
    check(B.triu(dev(B, a), 1), np.triu(a, 1))
    check(B.roll(dev(B, a), 1, 1), np.roll(a, 1, 1))
    check(B.tile(dev(B, b), (2, 1)), np.tile(b, (2, 1)))
    check(B.outer(dev(B, a[0]), dev(B, b[0])), np.outer(a[0], b[0]))
    check(B.clip(dev(B, a), -0.5, 0.5), np.clip(a, -0.5, 0.5))


def test_advanced_indexing_gather_scatter(B):
    a = rng.standard_normal((4, 5, 3)).astype(np.float32)
    d = dev(B, a)
    rows, cols = np.array([0, 3, 3]), np.array([4, 0, 2])
    check(d[rows, cols], a[rows, cols])
    check(d[:, cols], a[:, cols])
    check(d[..., [2, 0]], a[..., [2, 0]])
    check(d[1, :, [1, 2]], a[1, :, [1, 2]])
    check(d[rows[:, None], :, cols[None, :] % 3], a[rows[:, None], :, cols[None, :] % 3])
    check(d[d > 0.5], a[a > 0.5])
    check(d[dev(B, np.array([-1, 0]))], a[[-1, 0]])
    d[rows, cols] = 9.0
    a[rows, cols] = 9.0
    d[:, [1]] = dev(B, a[:, [0]])
    a[:, [1]] = a[:, [0]]
    check(d, a)
    with pytest.raises(IndexError):
        d[np.array([4])]


def test_add_at_sums_repeated_indices(B):
    out = np.zeros((4, 3), np.float32)
    key = (np.array([0, 2, 0, 0]), np.array([1, 1, 1, 2]))
    vals = rng.standard_normal(4).astype(np.float32)
    d = dev(B, out)
    B.index_add_at(d, key, dev(B, vals))
    np.add.at(out, key, vals)
    check(d, out)


def test_along_axis(B):
    a = rng.standard_normal((3, 5)).astype(np.float32)
    idx = rng.integers(0, 5, (3, 2))
    check(B.take_along_axis(dev(B, a), dev(B, idx), 1), np.take_along_axis(a, idx, 1))
    d = dev(B, a)
    B.put_along_axis(d, dev(B, idx[:, :1]), 0.0, 1)
    np.put_along_axis(a, idx[:, :1], 0.0, 1)
    check(d, a)


def test_conv_im2col_col2im_and_pool(B):
    from nbtorch._backend.cpu_kernels import conv as cpu_conv
    from nbtorch._backend.cuda import conv, pool

    x = rng.standard_normal((2, 2, 5, 5)).astype(np.float32)
    w = rng.standard_normal((3, 2, 3, 3)).astype(np.float32)
    cols = np.zeros((2, 3, 3, 2, 2, 2), np.float32)
    cpu_conv.im2col(x, 3, 3, 2, 2, 1, 1, 2, 2, cols)
    check(conv.im2col(dev(B, x), 3, 3, 2, 2, 1, 1, 2, 2), cols)
    back = np.zeros_like(x)
    cpu_conv.col2im(cols, 1, 1, 1, 1, back)  # stride 1: overlapping patches add up
    check(conv.col2im(dev(B, cols), 1, 1, 1, 1, B.zeros(x.shape, np.float32)), back, 1e-5)
    # the convolution itself, against a direct sum over the window
    want = np.zeros((2, 3, 5, 5), np.float32)
    xp = np.pad(x, ((0, 0), (0, 0), (1, 1), (1, 1)))
    for i in range(3):
        for j in range(3):
            want += np.einsum("nchw,oc->nohw", xp[:, :, i:i + 5, j:j + 5], w[:, :, i, j])
    check(conv.conv2d(dev(B, x), dev(B, w), padding=(1, 1)), want, 1e-4)
    from nbtorch._backend.cpu_kernels import pool as cpu_pool

    x[0, 0, 1, 1] = np.nan
    out, where = np.empty((2, 2, 3, 3), np.float32), np.empty((2, 2, 3, 3), np.int64)
    cpu_pool.max_pool2d(x, 3, 3, 2, 2, 1, 1, 1, 1, out, where)  # padded, overlapping
    d_out, d_where = B.empty(out.shape, np.float32), B.empty(out.shape, np.int64)
    pool.max_pool2d(dev(B, x), 3, 3, 2, 2, 1, 1, 1, 1, d_out, d_where)
    check(d_out, out)
    check(d_where, where)
    g = rng.standard_normal(out.shape).astype(np.float32)
    back = np.zeros((2, 2, 25), np.float32)
    cpu_pool.max_pool2d_backward(g, where, back)
    check(pool.max_pool2d_backward(dev(B, g), d_where, B.zeros((2, 2, 25), np.float32)), back)


def test_fused_softmax_and_cross_entropy(B):
    x = rng.standard_normal((3, 7)).astype(np.float32) * 5
    e = np.exp(x - x.max(1, keepdims=True))
    p = e / e.sum(1, keepdims=True)
    check(B.softmax(dev(B, x)), p)
    logp = np.log(p)
    check(B.log_softmax(dev(B, x.T.copy()), axis=0), logp.T, 1e-5)
    t = np.array([0, 6, 2])
    lse = x.max(1) + np.log(e.sum(1))
    rows = dev(B, np.vstack([x[:1], x]))[1:]  # a view that starts at offset 7 in its buffer
    check(B.softmax(rows), p)
    loss, d_lse = B.cross_entropy_rows(rows, dev(B, t), 0.5)
    check(loss, -logp[np.arange(3), t] * np.float32(0.5), 1e-5)
    check(d_lse, lse, 1e-5)
    onehot = np.eye(7, dtype=np.float32)[t]
    g = np.array([1.0, -2.0, 3.0], np.float32)
    one_number = dev(B, g[1:2]).reshape(())  # the gradient of a mean or a sum: 0-d
    per_row = dev(B, np.repeat(g, 2))[::2]  # of reduction='none', here a strided view
    for grad, scale in ((one_number, g[1]), (per_row, g[:, None])):
        check(B.cross_entropy_rows_backward(rows, d_lse, dev(B, t), grad, 0.5),
              (p - onehot) * scale * np.float32(0.5), 1e-5)


def test_random_numbers(B):
    from nbtorch._backend.cuda import random

    random.manual_seed(3)
    u = random.uniform((400,)).get()
    random.manual_seed(3)
    assert np.array_equal(u, random.uniform((400,)).get())  # seeded: reproducible
    assert u.min() >= 0 and u.max() < 1 and abs(u.mean() - 0.5) < 0.1
    z = random.normal((400,), 2.0, 3.0, np.float64).get()
    assert abs(z.mean() - 2) < 0.6 and abs(z.std() - 3) < 0.6


def test_every_cpu_backend_name_exists_on_cuda(B):
    from nbtorch._backend import cpu

    names = {n for n in dir(cpu) if not n.startswith("_") and n not in ("np",)}
    missing = sorted(n for n in names if not hasattr(B, n))
    assert not missing, f"cuda backend lacks {missing}"


def test_pad(B):
    a = rng.standard_normal((2, 3)).astype(np.float32)
    check(B.pad(dev(B, a), ((1, 0), (2, 1))), np.pad(a, ((1, 0), (2, 1))))


@pytest.mark.parametrize("options", [(0.1, 0.9, 0.0, 0.0, False, False),
                                     (0.05, 0.8, 0.2, 0.01, False, True),
                                     (0.05, 0.8, 0.0, 0.1, True, False)])
def test_sgd_momentum_update(B, options):
    """One fused launch per parameter: the CPU backend's numbers (its numpy formulas)."""
    from nbtorch._backend import cpu

    p, g, buf = (rng.standard_normal(300).astype(np.float32) for _ in range(3))
    dp, dg, dbuf = dev(B, p), dev(B, g), dev(B, buf)
    B.sgd_momentum_(dp, dg, dbuf, *options)
    cpu.sgd_momentum_(p, g, buf, *options)  # 300 entries: numpy's formulas
    check(dp, p, tol=1e-6)
    check(dbuf, buf, tol=1e-6)


def test_sgd_momentum_update_of_strided_arrays(B):
    """A transposed gradient (``p.grad = g.t()``), parameter or buffer: same numbers."""
    from nbtorch._backend import cpu

    p, g, buf = (rng.standard_normal((6, 5)).astype(np.float32) for _ in range(3))
    dp, dg, dbuf = (dev(B, v.T.copy()).T for v in (p, g, buf))  # strided views on the GPU
    B.sgd_momentum_(dp, dg, dbuf, 0.1, 0.9, 0.0, 0.01, True, False)
    cpu.sgd_momentum_(p, g, buf, 0.1, 0.9, 0.0, 0.01, True, False)
    check(dp, p, tol=1e-6)
    check(dbuf, buf, tol=1e-6)


@pytest.mark.parametrize("name", ["softmax", "log_softmax"])
def test_softmax_ops_run_the_fused_kernel_on_every_dim(B, name):
    """``F.softmax``/``F.log_softmax`` on cuda: the backend's one-launch kernel, on any dim,
    0-d and empty inputs too, equal to the CPU's."""
    import nbtorch

    x = rng.standard_normal((3, 4, 5)).astype(np.float32)
    for dim in (0, 1, 2, -1):
        got = getattr(nbtorch.tensor(x).cuda(), name)(dim).cpu().numpy()
        want = getattr(nbtorch.tensor(x), name)(dim).numpy()
        np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-6)
    for shape, dim in (((), 0), ((0, 3), 1)):
        a = nbtorch.ones(shape)
        np.testing.assert_array_equal(getattr(a.cuda(), name)(dim).cpu().numpy(),
                                      getattr(a, name)(dim).numpy())
