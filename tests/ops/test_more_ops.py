"""index_put / index_copy / masked_scatter / put / select_scatter / slice_scatter /
diagonal_scatter, diag_embed / diagflat, dstack / column_stack / hsplit / vsplit / dsplit /
narrow_copy, as_strided, quantile / nanquantile / mode, logcumsumexp, trapezoid /
cumulative_trapezoid, unique_consecutive, histogram, renorm / dist, vdot / addbmm / addr:
values against numpy, gradients against finite differences, PyTorch as an oracle for
values, gradients and errors."""

import numpy as np
import pytest
from _data_helpers import check_grads, leaf, oracle, same_error

import nbtorch

rng = np.random.default_rng(0)
A = rng.standard_normal((3, 4))
V3, V4 = rng.standard_normal(3), rng.standard_normal(4)
NAN_ROWS = rng.standard_normal((3, 5))
NAN_ROWS[0, 1] = np.nan
NAN_ROWS[2, :] = np.nan
MASK = rng.standard_normal((2, 3, 4)) > 0

# -- values and gradients against PyTorch ----------------------------------------------------

CASES = {
    "index_put": (lambda m, x, v: x.index_put((m.tensor([0, 2]),), v), A, V4),
    "index_put, two index tensors": (
        lambda m, x, v: x.index_put((m.tensor([0, 2]), m.tensor([3, 1])), v), A, V4[:2]),
    "index_put, accumulate": (
        lambda m, x, v: m.index_put(x, (m.tensor([0, 2, 0]),), v, accumulate=True), A, V4),
    "index_put, accumulate pairs": (
        lambda m, x, v: x.index_put((m.tensor([0, 2, 0]), m.tensor([1, 1, 1])), v, True),
        A, V3),
    "index_put, mask": (lambda m, x, v: x.index_put((m.tensor(A > 0),), v), A, V4[:1]),
    "index_copy": (lambda m, x, s: x.index_copy(1, m.tensor([3, 0]), s), A, A[:, :2] * 2),
    "index_copy, 1-d": (lambda m, x, s: m.index_copy(x, 0, m.tensor([2, 0]), s), V4, V3[:2]),
    "masked_scatter": (lambda m, x, s: x.masked_scatter(m.tensor([True, False, True, True]), s),
                       A, rng.standard_normal(12)),
    "masked_scatter, broadcast": (
        lambda m, x, s: x.masked_scatter(m.tensor(MASK), s), A,
        rng.standard_normal(30)),
    "put": (lambda m, x, s: x.put(m.tensor([0, -1, 5]), s), A, V3),
    "put, accumulate": (lambda m, x, s: m.put(x, m.tensor([[0, 11], [0, -1]]), s, True), A,
                        V4.reshape(2, 2)),
    "select_scatter": (lambda m, x, s: m.select_scatter(x, s, 1, -1), A, V3),
    "select_scatter, dim 0": (lambda m, x, s: x.select_scatter(s, 0, 1), A, V4),
    "slice_scatter": (lambda m, x, s: m.slice_scatter(x, s, 1, 0, None, 2), A, A[:, :2]),
    "slice_scatter, defaults": (lambda m, x, s: x.slice_scatter(s), A, A[:1] * 0 + A),
    "slice_scatter, negative start": (lambda m, x, s: x.slice_scatter(s, 1, -2), A, A[:, :2]),
    "diagonal_scatter": (lambda m, x, s: m.diagonal_scatter(x, s, 1), A, V3),
    "diagonal_scatter, below": (lambda m, x, s: x.diagonal_scatter(s, -1), A, V3[:2]),
    "diagonal_scatter, 3-d": (lambda m, x, s: x.diagonal_scatter(s, 0, 0, 2),
                              rng.standard_normal((2, 3, 2)), rng.standard_normal((3, 2))),
    "diag_embed": (lambda m, x: m.diag_embed(x), A),
    "diag_embed, dims": (lambda m, x: x.diag_embed(1, 0, 2), A),
    "diag_embed, negative dims": (lambda m, x: x.diag_embed(-1, -1, -3), A),
    "diagflat": (lambda m, x: m.diagflat(x, -1), A),
    "diagflat, 0-d": (lambda m, x: x.diagflat(1), np.array(2.0)),
    "dstack": (lambda m, a, b, c: m.dstack([a, b, c]), A[:2, :3], rng.standard_normal((2, 3, 2)),
               A[:2, :3]),
    "dstack, vectors": (lambda m, a, b: m.dstack([a, b]), V3, V3),
    "column_stack": (lambda m, a, b, c: m.column_stack([a, b, c]), V3, A[:, :2], V3),
    "column_stack, 0-d": (lambda m, a, b: m.column_stack((a, b)), np.array(1.5), V3[:1]),
    "hsplit": (lambda m, x: m.hsplit(x, [1, 3]), A),
    "hsplit, vector": (lambda m, x: x.hsplit(2), V4),
    "vsplit": (lambda m, x: x.vsplit(3), A),
    "dsplit": (lambda m, x: m.dsplit(x, [1]), rng.standard_normal((2, 2, 4))),
    "as_strided": (lambda m, x: x.as_strided((3, 2), (1, 1)), V4[:4]),
    "as_strided, offset": (lambda m, x: m.as_strided(x, (2, 2), (1, 2), 1), A.reshape(-1)),
    "as_strided, of a view": (lambda m, x: (x * 1)[1:].as_strided((3, 2), (1, 2), 0),
                              A.reshape(-1)),
    "as_strided, transposed": (
        lambda m, x: (x * 1).reshape(3, 4).t().as_strided((2, 2), (1, 4)), A.reshape(-1)),
    "nanquantile": (lambda m, x: x.nanquantile(m.tensor([0.2, 0.9], dtype=m.float64), dim=1),
                    NAN_ROWS),
    "nanquantile, all": (lambda m, x: m.nanquantile(x, 0.3), NAN_ROWS),
    "quantile, NaN": (lambda m, x: x.quantile(0.4, dim=1), NAN_ROWS),
    "mode, ties": (lambda m, x: x.mode(), np.array([3.0, 1.0, 3.0, 1.0])),
    "mode, dim 0 keepdim": (lambda m, x: m.mode(x, 0, keepdim=True),
                            np.array([[1.0, 2, 2, 1, 3, 3], [5, 4, 4, 5, 5, 0]])),
    "mode, integers": (lambda m, x: x.mode(1), np.array([[1, 2, 2, 1, 3, 3], [5, 4, 4, 5, 5, 0]])),
    "logcumsumexp": (lambda m, x: x.logcumsumexp(1), A * 10),
    "logcumsumexp, large": (lambda m, x: m.logcumsumexp(x, 0),
                            np.array([-1000.0, 0.0, 1000.0, 3.0, 999.0])),
    "trapezoid": (lambda m, y: m.trapezoid(y), A),
    "trapezoid, dx": (lambda m, y: m.trapezoid(y, dx=0.5, dim=0), A),
    "trapezoid, x": (lambda m, y, x: m.trapezoid(y, x, dim=0), A, np.sort(V3)),
    "trapezoid, x broadcast": (lambda m, y, x: m.trapezoid(y, x, dim=0), A[:2, :3],
                               rng.standard_normal((3, 3))),
    "trapezoid, integers": (lambda m, y: m.trapezoid(y, dx=2), np.array([1, 2, 4])),
    "trapz": (lambda m, y: m.trapz(y, dx=0.5), A),
    "trapezoid, no sample": (lambda m, y: m.trapezoid(y), np.zeros((2, 0))),
    "cumulative_trapezoid": (lambda m, y, x: m.cumulative_trapezoid(y, x), A, np.sort(V4)),
    "cumulative_trapezoid, dx": (lambda m, y: m.cumulative_trapezoid(y, dx=0.5, dim=0), A),
    "unique_consecutive": (lambda m, x: m.unique_consecutive(x, return_inverse=True,
                                                             return_counts=True),
                           np.array([1, 1, 2, 2, 3, 1, 1, 2])),
    "unique_consecutive, 2-d": (lambda m, x: x.unique_consecutive(return_inverse=True),
                                np.array([[1, 1, 2], [2, 3, 3]])),
    "unique_consecutive, dim 0": (
        lambda m, x: m.unique_consecutive(x, return_inverse=True, return_counts=True, dim=0),
        np.array([[1, 1, 2], [1, 1, 2], [3, 3, 3], [1, 1, 2]])),
    "unique_consecutive, dim 1": (
        lambda m, x: x.unique_consecutive(return_counts=True, dim=1),
        np.array([[1, 1, 2], [1, 1, 2], [3, 3, 3], [1, 1, 2]])),
    "renorm": (lambda m, x: x.renorm(2, 0, 1.5), A),
    "renorm, p=1 dim 1": (lambda m, x: m.renorm(x, 1, 1, 1.0), A),
    "renorm, inf": (lambda m, x: x.renorm(float("inf"), 1, 1.0), A),
    "dist": (lambda m, a, b: m.dist(a, b), A, V4),
    "dist, p=1": (lambda m, a, b: a.dist(b, 1), A, V4),
    "dist, p=3": (lambda m, a, b: a.dist(b, 3), A, V4),
    "dist, inf": (lambda m, a, b: a.dist(b, float("inf")), A, V4),
    "vdot": (lambda m, a, b: m.vdot(a, b), V4, V4[::-1].copy()),
    "addbmm": (lambda m, x, a, b: m.addbmm(x, a, b, beta=0.5, alpha=2), V4,
               rng.standard_normal((5, 2, 3)), rng.standard_normal((5, 3, 4))),
    "addbmm, method": (lambda m, x, a, b: x.addbmm(a, b), A[:2],
                       rng.standard_normal((2, 2, 3)), rng.standard_normal((2, 3, 4))),
    "addr": (lambda m, x, a, b: x.addr(a, b, beta=0.5, alpha=2), A, V3, V4),
    "addr, integers": (lambda m, x, a, b: m.addr(x, a, b, beta=2), np.ones((2, 4), np.int64),
                       np.arange(2), np.arange(4)),
    "addr, bools": (lambda m, x, a, b: x.addr(a, b), np.array([[True, False]] * 2),
                    np.array([True, False]), np.array([False, True])),
}


@pytest.mark.oracle
@pytest.mark.parametrize("case", list(CASES))
def test_values_and_gradients_match_torch(torch, case):
    fn, *arrays = CASES[case]
    oracle(fn, *arrays)


@pytest.mark.oracle
@pytest.mark.parametrize("interpolation", ["linear", "lower", "higher", "midpoint", "nearest"])
@pytest.mark.parametrize("dim, keepdim", [(None, False), (None, True), (1, False), (0, True)])
def test_quantile_matches_torch(torch, interpolation, dim, keepdim):
    # q = 0.5 of an even count sits halfway: 'nearest' rounds it to the even position.
    # (Distinct values: which of equal values gets the gradient is PyTorch's sort's choice.)
    x = rng.standard_normal((4, 6))
    oracle(lambda m, t: t.quantile(m.tensor([0.0, 0.3, 0.5, 1.0], dtype=m.float64), dim,
                                   keepdim, interpolation=interpolation), x)
    oracle(lambda m, t: m.quantile(t, 0.5, dim, keepdim, interpolation=interpolation), x)


def test_quantile_matches_numpy():
    x = rng.standard_normal((4, 7))
    for method in ("linear", "lower", "higher", "midpoint", "nearest"):
        out = nbtorch.tensor(x).quantile(nbtorch.tensor([0.1, 0.5, 0.75], dtype=nbtorch.float64),
                                         dim=1, interpolation=method)
        np.testing.assert_allclose(out.numpy(), np.quantile(x, [0.1, 0.5, 0.75], axis=1,
                                                            method=method), rtol=1e-12)
    np.testing.assert_allclose(nbtorch.tensor(NAN_ROWS).nanquantile(0.3, dim=1).numpy(),
                               np.nanquantile(NAN_ROWS, 0.3, axis=1), rtol=1e-12)


@pytest.mark.oracle
def test_unique_consecutive_counts_each_nan_apart_like_torch(torch):
    x = np.array([1.0, np.nan, np.nan, 1.0, 1.0])
    ours = nbtorch.unique_consecutive(nbtorch.tensor(x), return_inverse=True,
                                      return_counts=True)
    theirs = torch.unique_consecutive(torch.tensor(x), return_inverse=True, return_counts=True)
    for a, b in zip(ours, theirs):
        np.testing.assert_array_equal(a.numpy(), b.numpy())


def test_logcumsumexp_and_trapezoid_match_numpy():
    x = rng.standard_normal((3, 9)) * 30
    np.testing.assert_allclose(nbtorch.tensor(x).logcumsumexp(1).numpy(),
                               np.logaddexp.accumulate(x, axis=1), rtol=1e-12)
    y, t = rng.standard_normal((3, 6)), np.cumsum(rng.random(6))
    np.testing.assert_allclose(nbtorch.trapezoid(nbtorch.tensor(y), nbtorch.tensor(t)).numpy(),
                               np.trapezoid(y, t), rtol=1e-12)
    running = nbtorch.cumulative_trapezoid(nbtorch.tensor(y), nbtorch.tensor(t)).numpy()
    np.testing.assert_allclose(running[:, -1], np.trapezoid(y, t), rtol=1e-12)
    np.testing.assert_allclose(running[:, 2], np.trapezoid(y[:, :4], t[:4]), rtol=1e-12)


def test_histogram_matches_numpy():
    x = rng.standard_normal(50)
    w = rng.random(50)
    for bins, kwargs in ((7, {}), (5, {"range": (-1.0, 2.0)}), (4, {"weight": w,
                                                                     "density": True})):
        args = {k: nbtorch.tensor(v) if k == "weight" else v for k, v in kwargs.items()}
        hist, edges = nbtorch.histogram(nbtorch.tensor(x), bins, **args)
        np_kwargs = {"weights" if k == "weight" else k: v for k, v in kwargs.items()}
        expected, expected_edges = np.histogram(x, bins, **np_kwargs)
        np.testing.assert_allclose(hist.numpy(), expected, rtol=1e-12)
        np.testing.assert_allclose(edges.numpy(), expected_edges, rtol=1e-12)
    edges = nbtorch.tensor([-3.0, -0.5, 0.0, 2.5], dtype=nbtorch.float64)
    hist, _ = nbtorch.tensor(x).histogram(edges)
    np.testing.assert_allclose(hist.numpy(), np.histogram(x, edges.numpy())[0])


@pytest.mark.oracle
def test_histogram_matches_torch(torch):
    x = rng.standard_normal(40).astype(np.float32)
    for m_args in ((6,), (3,)):
        ours = nbtorch.histogram(nbtorch.tensor(x), *m_args)
        theirs = torch.histogram(torch.tensor(x), *m_args)
        np.testing.assert_allclose(ours.hist.numpy(), theirs.hist.numpy())
        np.testing.assert_allclose(ours.bin_edges.numpy(), theirs.bin_edges.numpy(), rtol=1e-6)
    ours = nbtorch.histogram(nbtorch.tensor([2.0, 2.0]), 2)  # one value: a width-1 range
    theirs = torch.histogram(torch.tensor([2.0, 2.0]), 2)
    np.testing.assert_allclose(ours.bin_edges.numpy(), theirs.bin_edges.numpy())
    np.testing.assert_allclose(ours.hist.numpy(), theirs.hist.numpy())


# -- finite differences (first and second order, forward mode) ---------------------------


GRAD_CASES = {
    "index_put, accumulate": lambda x, v: x.index_put((nbtorch.tensor([0, 2, 0]),), v, True),
    "index_copy": lambda x, v: x.index_copy(1, nbtorch.tensor([3, 0, 1]), v[:, :3]),
    "masked_scatter": lambda x, v: x.masked_scatter(nbtorch.tensor([True, False, True, False]),
                                                    v),
    "put, accumulate": lambda x, v: x.put(nbtorch.tensor([0, -1, 0]), v[0, :3], True),
    "select_scatter": lambda x, v: nbtorch.select_scatter(x, v[:, 0], 1, 2),
    "slice_scatter": lambda x, v: x.slice_scatter(v[:, :2], 1, 1, None, 2),
    "diagonal_scatter": lambda x, v: x.diagonal_scatter(v[0, :3], 1),
    "diag_embed": lambda x, v: nbtorch.diag_embed(x, 1) + v.sum(),
    "as_strided": lambda x, v: x.as_strided((3, 3), (1, 2), 2) * v[:, :3],
    "quantile": lambda x, v: x.quantile(nbtorch.tensor([0.3, 0.8], dtype=nbtorch.float64),
                                        dim=1) * v.sum(),
    "nanquantile, midpoint": lambda x, v: x.nanquantile(0.4, interpolation="midpoint") + v.sum(),
    "mode": lambda x, v: nbtorch.mode(x.round() + x / 100, 0).values + v.sum(),
    "logcumsumexp": lambda x, v: (x * 5).logcumsumexp(1) * v,
    "cumulative_trapezoid": lambda x, v: nbtorch.cumulative_trapezoid(x, v[0].cumsum(0)),
    "trapezoid": lambda x, v: nbtorch.trapezoid(x, v, dim=0),
    "renorm": lambda x, v: x.renorm(2, 0, 1.2) * v,
    "dist": lambda x, v: nbtorch.dist(x, v, 3),
    "vdot": lambda x, v: nbtorch.vdot(x.reshape(-1), v.reshape(-1)),
    "addbmm": lambda x, v: nbtorch.addbmm(x[:, :2], v.reshape(2, 3, 2),
                                          x.reshape(2, 2, 3)[:, :, :2]),
    "addr": lambda x, v: x.addr(v[:, 0], v[1], beta=0.5, alpha=-2),
}


@pytest.mark.parametrize("case", list(GRAD_CASES))
def test_gradients_match_finite_differences(case):
    x = leaf(rng.standard_normal((3, 4)), contiguous=False)
    v = leaf(rng.standard_normal((3, 4)))
    check_grads(GRAD_CASES[case], x, v)


# -- behaviour: views, in place ------------------------------------------------------------


def test_as_strided_is_a_view_of_the_storage():
    x = nbtorch.arange(8.0)
    windows = x[2:].as_strided((3, 2), (2, 1), 0)  # offsets count from the storage's start
    np.testing.assert_array_equal(windows.numpy(), np.arange(6.0).reshape(3, 2))
    later = x[2:].as_strided((3, 2), (2, 1))  # by default from the tensor's own offset
    np.testing.assert_array_equal(later.numpy(), np.arange(2.0, 8.0).reshape(3, 2))
    assert windows.stride() == (2, 1) and windows._base is x
    x[0] = 100.0
    assert windows[0, 0].item() == 100.0
    np.testing.assert_array_equal(x.as_strided((2,), (0,), 3).numpy(), [3.0, 3.0])


@pytest.mark.oracle
def test_inplace_methods_match_torch(torch):
    for name, args in (("index_put_", lambda m: ((m.tensor([0, 0]),), m.ones(4), True)),
                       ("index_copy_", lambda m: (1, m.tensor([2]), m.ones(3, 1))),
                       ("masked_scatter_", lambda m: (m.tensor([True, False, False, True]),
                                                      m.arange(12.0))),
                       ("put_", lambda m: (m.tensor([1, 1]), m.tensor([2.0, 3.0]), True)),
                       ("renorm_", lambda m: (2, 0, 0.5)),
                       ("addr_", lambda m: (m.ones(3), m.arange(4.0))),
                       ("index_reduce_", lambda m: (0, m.tensor([1, 1]), m.ones(2, 4) * 2,
                                                    "prod"))):
        results = []
        for m in (nbtorch, torch):
            x = m.tensor(A.astype(np.float32))
            assert getattr(x, name)(*args(m)) is x
            results.append(x.numpy())
        np.testing.assert_allclose(results[0], results[1], rtol=1e-12, err_msg=name)


def test_narrow_copy_owns_its_memory_and_passes_gradients():
    x = leaf(A)
    part = nbtorch.narrow_copy(x, 1, 1, 2)
    np.testing.assert_array_equal(part.detach().numpy(), A[:, 1:3])
    assert part.data_ptr() != x[:, 1:3].data_ptr()
    part.sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), np.pad(np.ones((3, 2)), ((0, 0), (1, 1))))


# -- errors ---------------------------------------------------------------------------------


ERRORS = [
    lambda m: m.zeros(3, 4).index_put((m.tensor([0]),), m.ones(4, dtype=m.float64)),
    lambda m: m.zeros(3, 4).index_put(m.tensor([0]), m.ones(4)),
    lambda m: m.zeros(3, 4).index_put((m.tensor([0.0]),), m.ones(4)),
    lambda m: m.zeros(3, 4).index_put((m.tensor([3]),), m.ones(4)),
    lambda m: m.zeros(3, 4).index_put((m.tensor([0, 1, 2]),), m.ones(3, 2)),
    lambda m: m.zeros(3, 4).index_put((m.tensor([0, 1, 2]),), m.ones(3, 2), accumulate=True),
    lambda m: m.zeros(3, 4).index_copy(0, m.tensor([0]), m.ones(1, 4, dtype=m.float64)),
    lambda m: m.zeros(3, 4).index_copy(0, m.tensor([0], dtype=m.int32), m.ones(1, 4)),
    lambda m: m.zeros(3, 4).index_copy(0, m.tensor([0, 1]), m.ones(1, 4)),
    lambda m: m.zeros(3, 4).index_copy(0, m.tensor([0]), m.ones(1, 5)),
    lambda m: m.zeros(3, 4).index_copy(0, m.tensor([3]), m.ones(1, 4)),
    lambda m: m.zeros(3, 4).index_copy(0, m.tensor([-1]), m.ones(1, 4)),
    lambda m: m.zeros(3, 4).index_copy(0, m.tensor([[0]]), m.ones(1, 4)),
    lambda m: m.zeros(3, 4).index_copy(0, m.tensor([0]), m.ones(1, 4, 1)),
    lambda m: m.zeros(3, 4).masked_scatter(m.tensor([1, 0, 1, 1]), m.ones(12)),
    lambda m: m.zeros(3, 4).masked_scatter(m.tensor([True] * 4), m.ones(11)),
    lambda m: m.zeros(3, 4).masked_scatter(m.tensor([True] * 4), m.ones(12, dtype=m.float64)),
    lambda m: m.zeros(3, 4).put(m.tensor([12]), m.ones(1)),
    lambda m: m.zeros(3, 4).put(m.tensor([-13]), m.ones(1)),
    lambda m: m.zeros(3, 4).put(m.tensor([0, 1]), m.ones(3)),
    lambda m: m.zeros(3, 4).put(m.tensor([0], dtype=m.int32), m.ones(1)),
    lambda m: m.zeros(3, 4).put(m.tensor([0]), m.ones(1, dtype=m.float64)),
    lambda m: m.select_scatter(m.zeros(3, 4), m.ones(4), 1, 0),
    lambda m: m.select_scatter(m.zeros(3, 4), m.ones(3), 1, 4),
    lambda m: m.select_scatter(m.zeros(3, 4), m.ones(1, 3), 1, 0),
    lambda m: m.slice_scatter(m.zeros(3, 4), m.ones(3, 3), 1),
    lambda m: m.slice_scatter(m.zeros(3, 4), m.ones(3, 2), 1, 0, 4, 0),
    lambda m: m.diagonal_scatter(m.zeros(3, 4), m.ones(4)),
    lambda m: m.diag_embed(m.ones(2, 3), 0, 0, 0),
    lambda m: m.diag_embed(m.ones(2, 3), 0, 0, 3),
    lambda m: m.dstack([]),
    lambda m: m.column_stack([]),
    lambda m: m.column_stack([m.ones(3, 2, 2), m.ones(3)]),
    lambda m: m.hsplit(m.ones(4, 6), 4),
    lambda m: m.hsplit(m.ones(()), 2),
    lambda m: m.vsplit(m.ones(6), 2),
    lambda m: m.dsplit(m.ones(4, 6), 2),
    lambda m: m.ones(4, 6, 2).dsplit(0),
    lambda m: m.narrow_copy(m.ones(4, 6), 1, 5, 3),
    lambda m: m.arange(6.0).as_strided((2, 2), (1, -2)),
    lambda m: m.arange(6.0).as_strided((3, 2), (2, 2), 1),
    lambda m: m.arange(6.0).as_strided((2, 2), (1, 2, 3)),
    lambda m: m.arange(6.0).as_strided((2, 2), (1, 2), -1),
    lambda m: m.ones(3, 4).quantile(1.5),
    lambda m: m.ones(3, 4).quantile(m.tensor([0.5, -0.1])),
    lambda m: m.ones(3, 4).quantile(m.tensor([0.5], dtype=m.float64)),
    lambda m: m.ones(3, 4).quantile(m.tensor([[0.5]])),
    lambda m: m.ones(3, 4, dtype=m.int64).quantile(0.5),
    lambda m: m.ones(0).nanquantile(0.5),
    lambda m: m.ones(3, 4).quantile(0.5, interpolation="cubic"),
    lambda m: m.ones(3, 4).quantile([0.5]),
    lambda m: m.ones(3, 4).quantile(0.5, dim=2),
    lambda m: m.ones(0).mode(),
    lambda m: m.ones(2, 0).mode(1),
    lambda m: m.tensor([1, 2]).logcumsumexp(0),
    lambda m: m.ones(3).logcumsumexp(1),
    lambda m: m.trapezoid(m.ones(2, 3), m.ones(3), dim=0),
    lambda m: m.trapezoid(m.ones(3), 2.0),
    lambda m: m.trapezoid(m.ones(())),
    lambda m: m.trapezoid(m.ones(3, 2), m.ones(1, 3, 2), dim=1),
    lambda m: m.cumulative_trapezoid(m.ones(3), m.ones(4)),
    lambda m: m.trapezoid(m.ones(3, dtype=m.bool)),
    lambda m: m.unique_consecutive(m.ones(3), dim=1),
    lambda m: m.histogram(m.ones(3, dtype=m.int64), 3),
    lambda m: m.histogram(m.ones(3), 0),
    lambda m: m.histogram(m.ones(3), 3, range=(2.0, 1.0)),
    lambda m: m.histogram(m.ones(3), m.tensor([0, 1, 3])),
    lambda m: m.ones(3, 4).renorm(0, 0, 1.0),
    lambda m: m.ones(3, 4).renorm(2, 0, -1.0),
    lambda m: m.ones(3).renorm(2, 0, 1.0),
    lambda m: m.ones(3, 4, dtype=m.int64).renorm(2, 0, 1.0),
    lambda m: m.ones(3, 4).renorm(2, 2, 1.0),
    lambda m: m.dist(m.ones(3, dtype=m.int64), m.ones(3, dtype=m.int64)),
    lambda m: m.dist(m.ones(3), m.ones(4)),
    lambda m: m.vdot(m.ones(3), m.ones(3, dtype=m.float64)),
    lambda m: m.vdot(m.ones(2, 3), m.ones(3)),
    lambda m: m.vdot(m.ones(3), m.ones(4)),
    lambda m: m.addbmm(m.ones(3, 4), m.ones(5, 2, 3), m.ones(5, 3, 4)),
    lambda m: m.addbmm(m.ones(2, 4), m.ones(2, 3), m.ones(5, 3, 4)),
    lambda m: m.addbmm(m.ones(2, 4), m.ones(5, 2, 3), m.ones(4, 3, 4)),
    lambda m: m.addbmm(m.ones(2, 4), m.ones(5, 2, 3), m.ones(5, 2, 4)),
    lambda m: m.addbmm(m.ones(2, 4), m.ones(5, 2, 3), m.ones(5, 3, 4, dtype=m.float64)),
    lambda m: m.addr(m.ones(3, 4), m.ones(2), m.ones(4)),
    lambda m: m.addr(m.ones(2, 4), m.ones(2, 1), m.ones(4)),
    lambda m: m.addr(m.ones(2, 4, dtype=m.int64), m.ones(2, dtype=m.int64),
                     m.ones(4, dtype=m.int64), beta=0.5),
]


@pytest.mark.oracle
@pytest.mark.parametrize("call", ERRORS, ids=range(len(ERRORS)))
def test_bad_arguments_raise_like_torch(torch, call):
    same_error(call)


@pytest.mark.oracle
@pytest.mark.parametrize("call", [
    lambda m: m.zeros(3, 4).index_copy(0, m.tensor([3]), m.ones(1, 4)),
    lambda m: m.zeros(3, 4).masked_scatter(m.tensor([True] * 4), m.ones(11)),
    lambda m: m.zeros(3, 4).put(m.tensor([12]), m.ones(1)),
    lambda m: m.select_scatter(m.zeros(3, 4), m.ones(4), 1, 0),
    lambda m: m.hsplit(m.ones(4, 6), 4),
    lambda m: m.arange(6.0).as_strided((3, 2), (2, 2), 1),
    lambda m: m.ones(3, 4).quantile(1.5),
    lambda m: m.ones(3).renorm(2, 0, 1.0),
    lambda m: m.addr(m.ones(2, 4), m.ones(2, 1), m.ones(4)),
])
def test_messages_match_torch(torch, call):
    same_error(call, match_message=True)
