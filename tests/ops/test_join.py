"""cat / stack / hstack / vstack / split / chunk / tensor_split / unbind: values against numpy,
gradients against finite differences, and values, grads, dtypes and errors against PyTorch."""

import numpy as np
import pytest
from _data_helpers import SETTINGS, check_grads, leaf, oracle, same_error
from hypothesis import given
from hypothesis import strategies as st

import nbtorch

# -- forward against numpy -------------------------------------------------------------------


@SETTINGS
@given(st.integers(1, 3), st.integers(0, 2), st.lists(st.integers(0, 3), min_size=1, max_size=3),
       st.integers(0, 10_000))
def test_cat_matches_numpy(ndim, dim, sizes, seed):
    dim = dim % ndim
    rng = np.random.default_rng(seed)
    base = list(rng.integers(1, 4, ndim))
    arrays = []
    for s in sizes:
        shape = base.copy()
        shape[dim] = s
        arrays.append(rng.standard_normal(shape).astype(np.float32))
    got = nbtorch.cat([nbtorch.tensor(a) for a in arrays], dim)
    np.testing.assert_array_equal(got.numpy(), np.concatenate(arrays, dim))
    got = nbtorch.cat([nbtorch.tensor(a) for a in arrays], dim - ndim)  # negative dim
    np.testing.assert_array_equal(got.numpy(), np.concatenate(arrays, dim))


@SETTINGS
@given(st.integers(1, 4), st.integers(-3, 2), st.integers(0, 10_000))
def test_stack_matches_numpy(n, dim, seed):
    rng = np.random.default_rng(seed)
    arrays = [rng.standard_normal((2, 3)) for _ in range(n)]
    got = nbtorch.stack([nbtorch.tensor(a) for a in arrays], dim)
    np.testing.assert_array_equal(got.numpy(), np.stack(arrays, dim))


def test_hstack_vstack_match_numpy():
    a, b = np.arange(3.0), np.arange(3.0, 6.0)
    ta, tb = nbtorch.tensor(a), nbtorch.tensor(b)
    np.testing.assert_array_equal(nbtorch.hstack([ta, tb]).numpy(), np.hstack([a, b]))
    np.testing.assert_array_equal(nbtorch.vstack([ta, tb]).numpy(), np.vstack([a, b]))
    m = np.arange(6.0).reshape(2, 3)
    tm = nbtorch.tensor(m)
    np.testing.assert_array_equal(nbtorch.hstack([tm, tm]).numpy(), np.hstack([m, m]))
    np.testing.assert_array_equal(nbtorch.vstack([tm, ta]).numpy(), np.vstack([m, a]))


@SETTINGS
@given(st.integers(1, 9), st.integers(1, 5))
def test_split_chunk_tensor_split_match_numpy(n, k):
    a = np.arange(float(n * 2)).reshape(n, 2)
    t = nbtorch.tensor(a)
    pieces = t.split(k)
    expected = [a[i:i + k] for i in range(0, n, k)]
    assert len(pieces) == len(expected)
    for p, e in zip(pieces, expected):
        np.testing.assert_array_equal(p.numpy(), e)
    chunk = -(-n // k)
    expected = [a[i:i + chunk] for i in range(0, n, chunk)]
    for p, e in zip(t.chunk(k), expected, strict=True):
        np.testing.assert_array_equal(p.numpy(), e)
    for p, e in zip(nbtorch.tensor_split(t, k), np.array_split(a, k), strict=True):
        np.testing.assert_array_equal(p.numpy(), e)


def test_split_sizes_tensor_split_indices_and_unbind():
    a = np.arange(12.0).reshape(3, 4)
    t = nbtorch.tensor(a)
    for p, e in zip(t.split([1, 3], 1), np.split(a, [1], 1), strict=True):
        np.testing.assert_array_equal(p.numpy(), e)
    for p, e in zip(t.tensor_split([1, 3], 1), np.array_split(a, [1, 3], 1), strict=True):
        np.testing.assert_array_equal(p.numpy(), e)
    rows = t.unbind(1)
    assert len(rows) == 4
    for i, r in enumerate(rows):
        np.testing.assert_array_equal(r.numpy(), a[:, i])


def test_split_returns_views_sharing_memory():
    t = nbtorch.zeros(4, 2)
    first, second = t.split(2)
    first[0, 0] = 5.0
    assert t[0, 0].item() == 5.0
    second.add_(1)
    assert t[2:].sum().item() == 4.0
    assert t._version == first._version == second._version


def test_cat_promotes_dtypes_and_writes_out():
    got = nbtorch.cat([nbtorch.tensor([1, 2]), nbtorch.tensor([0.5])])
    assert got.dtype == nbtorch.float32
    np.testing.assert_array_equal(got.numpy(), [1, 2, 0.5])
    out = nbtorch.zeros(3)
    nbtorch.cat([nbtorch.ones(1), nbtorch.ones(2)], out=out)
    assert out.sum().item() == 3


# -- gradients -------------------------------------------------------------------------------


@pytest.mark.parametrize("contiguous", [True, False])
def test_cat_stack_grads(contiguous):
    rng = np.random.default_rng(1)
    a = leaf(rng.standard_normal((2, 3)), contiguous)
    b = leaf(rng.standard_normal((2, 2)), contiguous)
    check_grads(lambda x, y: nbtorch.cat([x, y, x], 1), a, b)
    check_grads(lambda x: nbtorch.stack([x, 2 * x], 2), a)
    check_grads(lambda x, y: nbtorch.hstack([x, y]), a, b)


@pytest.mark.parametrize("contiguous", [True, False])
def test_split_chunk_unbind_grads(contiguous):
    rng = np.random.default_rng(2)
    a = leaf(rng.standard_normal((3, 4)), contiguous)
    check_grads(lambda x: x.split([1, 3], 1), a)
    check_grads(lambda x: x.chunk(2, 0), a)
    check_grads(lambda x: x.unbind(1)[2] * x.unbind(1)[0], a)
    check_grads(lambda x: nbtorch.tensor_split(x, 3, 1), a)


def test_cat_gradient_reaches_only_pieces_used():
    a = nbtorch.ones(2, requires_grad=True)
    b = nbtorch.ones(3, requires_grad=True)
    (nbtorch.cat([a, b]) * nbtorch.arange(5.0)).sum().backward()
    np.testing.assert_array_equal(a.grad.numpy(), [0, 1])
    np.testing.assert_array_equal(b.grad.numpy(), [2, 3, 4])


# -- the PyTorch oracle ----------------------------------------------------------------------


@pytest.mark.oracle
@SETTINGS
@given(st.integers(0, 10_000))
def test_oracle_join_values_and_grads(seed):
    rng = np.random.default_rng(seed)
    a, b = rng.standard_normal((2, 3)), rng.standard_normal((2, 3))
    oracle(lambda m, x, y: m.cat([x, y], 0), a, b, rng=rng)
    oracle(lambda m, x, y: m.cat([x, y], -1), a, b, rng=rng)
    oracle(lambda m, x, y: m.stack([x, y], 1), a, b, rng=rng)
    oracle(lambda m, x, y: m.vstack([x, y]), a, b, rng=rng)
    oracle(lambda m, x: x.split(2, 1), a, rng=rng)
    oracle(lambda m, x: x.chunk(3, 1), a, rng=rng)
    oracle(lambda m, x: m.tensor_split(x, [1, 2], 1), a, rng=rng)
    oracle(lambda m, x: x.unbind(0), a, rng=rng)
    oracle(lambda m, x, y: m.cat([x, y]), a.astype(np.int64), b.astype(np.float32), rng=rng)
    oracle(lambda m, x, y: m.cat([x, y]), np.zeros(0), b, rng=rng)


@pytest.mark.oracle
@pytest.mark.parametrize("fn", [
    lambda m: m.cat([]),
    lambda m: m.cat([m.zeros(2, 3), m.zeros(2, 2)]),
    lambda m: m.cat([m.zeros(2, 3), m.zeros(2)]),
    lambda m: m.cat([m.zeros(2, 3)], 2),
    lambda m: m.cat(m.zeros(2, 3)),
    lambda m: m.stack([]),
    lambda m: m.stack([m.zeros(2), m.zeros(3)]),
    lambda m: m.zeros(3).split([1, 1]),
    lambda m: m.zeros(3).chunk(0),
])
def test_oracle_join_errors(fn):
    same_error(fn)


@pytest.mark.oracle
def test_oracle_join_messages():
    same_error(lambda m: m.cat([m.zeros(2, 3), m.zeros(2, 2)]), match_message=True)
    same_error(lambda m: m.stack([m.zeros(2), m.zeros(3)]), match_message=True)
    same_error(lambda m: m.zeros(3).split([1, 1]), match_message=True)
