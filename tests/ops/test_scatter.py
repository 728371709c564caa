"""gather / scatter / scatter_add / index_select / index_add / masked_fill / masked_select /
nonzero / take / take_along_dim, and the Numba scatter-add kernel behind their backward:
values against numpy, gradients against finite differences, and PyTorch as an oracle."""

import numpy as np
import pytest
from _data_helpers import SETTINGS, check_grads, leaf, oracle, same_error
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import nbtorch
from nbtorch._backend.cpu_kernels import scatter as kernels

# -- the scatter-add kernel against np.add.at ------------------------------------------------


def _reference(shape, key, values):
    out = np.zeros(shape)
    np.add.at(out, key, values)
    return out


@SETTINGS
@given(hnp.array_shapes(min_dims=1, max_dims=3, max_side=4), st.integers(0, 10_000))
def test_kernel_whole_slices_match_add_at(shape, seed):
    rng = np.random.default_rng(seed)
    dim = int(rng.integers(0, len(shape)))
    index = rng.integers(-shape[dim], shape[dim], size=int(rng.integers(0, 7)))
    key = (slice(None),) * dim + (index,)
    values = rng.standard_normal(np.zeros(shape)[key].shape)
    out = np.zeros(shape)
    assert kernels.add_at(out, key, values)
    np.testing.assert_allclose(out, _reference(shape, key, values))


@SETTINGS
@given(hnp.array_shapes(min_dims=1, max_dims=3, max_side=4), st.integers(0, 10_000))
def test_kernel_one_array_per_dim_matches_add_at(shape, seed):
    rng = np.random.default_rng(seed)
    n = int(rng.integers(1, 9))
    key = tuple(rng.integers(-s, s, size=n) for s in shape)
    values = rng.standard_normal(n)
    out = np.zeros(shape)
    assert kernels.add_at(out, key, values)
    np.testing.assert_allclose(out, _reference(shape, key, values))
    out = np.zeros(shape, dtype=np.float32)  # broadcast value, float32
    assert kernels.add_at(out, key, 2.0)
    np.testing.assert_allclose(out, _reference(shape, key, 2.0))


def test_kernel_multi_dim_index_masks_and_fallbacks():
    rng = np.random.default_rng(0)
    index = np.array([[0, 2], [2, 2]])  # an embedding lookup with a 2-d batch of ids
    values = rng.standard_normal((2, 2, 3))
    out = np.zeros((4, 3))
    assert kernels.add_at(out, index, values)
    np.testing.assert_allclose(out, _reference((4, 3), index, values))
    mask = np.array([True, False, True, True])
    out = np.zeros((4, 3))
    assert kernels.add_at(out, mask, values.reshape(-1, 3)[:3])
    np.testing.assert_allclose(out, _reference((4, 3), mask, values.reshape(-1, 3)[:3]))
    out = np.zeros((4, 3))  # an int together with an array: left to np.add.at
    assert not kernels.add_at(out, (np.array([1, 1]), 0), np.ones(2))
    assert not kernels.add_at(np.zeros(3, dtype=np.int64), np.array([0, 0]), np.ones(2))
    assert not kernels.add_at(np.zeros((3, 2)).T, np.array([0, 0]), np.ones((2, 3)))


# -- forward against numpy -------------------------------------------------------------------


@SETTINGS
@given(hnp.array_shapes(min_dims=1, max_dims=3, max_side=4), st.integers(0, 10_000))
def test_gather_scatter_add_match_numpy(shape, seed):
    rng = np.random.default_rng(seed)
    dim = int(rng.integers(0, len(shape)))
    a = rng.standard_normal(shape)
    idx_shape = list(shape)
    idx_shape[dim] = int(rng.integers(1, 5))
    index = rng.integers(0, shape[dim], idx_shape)
    got = nbtorch.tensor(a).gather(dim, nbtorch.tensor(index))
    np.testing.assert_array_equal(got.numpy(), np.take_along_axis(a, index, dim))
    src = rng.standard_normal(idx_shape)
    got = nbtorch.tensor(a).scatter_add(dim, nbtorch.tensor(index), nbtorch.tensor(src))
    expected = a.copy()
    grids = list(np.indices(index.shape))
    grids[dim] = index
    np.add.at(expected, tuple(grids), src)
    np.testing.assert_allclose(got.numpy(), expected)


def test_scatter_writes_and_one_hot():
    labels = nbtorch.tensor([2, 0, 1])
    one_hot = nbtorch.zeros(3, 4).scatter(1, labels.unsqueeze(1), 1.0)
    np.testing.assert_array_equal(one_hot.numpy(), np.eye(4)[[2, 0, 1]])
    src = nbtorch.arange(1.0, 7.0).view(2, 3)
    got = nbtorch.zeros(3, 3).scatter(0, nbtorch.tensor([[0, 1, 2], [2, 0, 1]]), src)
    np.testing.assert_array_equal(got.numpy(), [[1, 5, 0], [0, 2, 6], [4, 0, 3]])
    added = nbtorch.zeros(3).scatter(0, nbtorch.tensor([0, 0]), nbtorch.ones(2), reduce="add")
    np.testing.assert_array_equal(added.numpy(), [2, 0, 0])


def test_index_select_index_add_match_numpy():
    rng = np.random.default_rng(3)
    a = rng.standard_normal((3, 4, 2))
    idx = np.array([3, 0, 3])
    t = nbtorch.tensor(a)
    np.testing.assert_array_equal(t.index_select(1, nbtorch.tensor(idx)).numpy(), a[:, idx])
    src = rng.standard_normal((3, 3, 2))
    expected = a.copy()
    np.add.at(expected, (slice(None), idx), 2 * src)
    got = t.index_add(1, nbtorch.tensor(idx), nbtorch.tensor(src), alpha=2)
    np.testing.assert_allclose(got.numpy(), expected)
    int32_idx = nbtorch.tensor(idx, dtype=nbtorch.int32)
    np.testing.assert_array_equal(t.index_select(1, int32_idx).numpy(), a[:, idx])


def test_masks_nonzero_take_match_numpy():
    a = np.arange(12.0).reshape(3, 4) - 5
    t = nbtorch.tensor(a)
    mask = t > 0
    np.testing.assert_array_equal(t.masked_fill(mask, -1.0).numpy(), np.where(a > 0, -1, a))
    row_mask = nbtorch.tensor([True, False, False, True])  # broadcasts over rows
    np.testing.assert_array_equal(t.masked_fill(row_mask, 7.0).numpy(),
                                  np.where([True, False, False, True], 7, a))
    np.testing.assert_array_equal(t.masked_select(mask).numpy(), a[a > 0])
    np.testing.assert_array_equal(t.nonzero().numpy(), np.argwhere(a))
    for got, expected in zip(t.nonzero(as_tuple=True), np.nonzero(a), strict=True):
        np.testing.assert_array_equal(got.numpy(), expected)
    np.testing.assert_array_equal(nbtorch.where(mask)[1].numpy(), np.nonzero(a > 0)[1])
    idx = np.array([[0, -1], [11, 5]])
    np.testing.assert_array_equal(t.take(nbtorch.tensor(idx)).numpy(), np.take(a, idx))
    best = np.argmax(a, axis=1)[:, None]
    got = nbtorch.take_along_dim(t, nbtorch.tensor(best), 1)
    np.testing.assert_array_equal(got.numpy(), np.take_along_axis(a, best, 1))


def test_in_place_variants():
    t = nbtorch.zeros(2, 3)
    assert t.masked_fill_(nbtorch.tensor([True, False, True]), 1.0) is t
    assert t.sum().item() == 4
    t.scatter_(1, nbtorch.tensor([[1], [1]]), 5.0)
    t.index_add_(0, nbtorch.tensor([0, 0]), nbtorch.ones(2, 3))
    t.scatter_add_(0, nbtorch.tensor([[1, 1, 1]]), nbtorch.ones(1, 3))
    np.testing.assert_array_equal(t.numpy(), [[3, 7, 3], [2, 6, 2]])
    assert t._version == 4


# -- gradients -------------------------------------------------------------------------------


@pytest.mark.parametrize("contiguous", [True, False])
def test_gather_scatter_grads(contiguous):
    rng = np.random.default_rng(4)
    x = leaf(rng.standard_normal((3, 4)), contiguous)
    src = leaf(rng.standard_normal((3, 3)), contiguous)
    index = nbtorch.tensor([[0, 1], [3, 3], [2, 0]])  # repeats: gradients must add up
    check_grads(lambda a: a.gather(1, index), x)
    check_grads(lambda a, s: a.scatter_add(1, index, s), x, src)
    unique = nbtorch.tensor([[0, 1], [3, 2], [2, 0]])  # scatter with repeats is undefined
    check_grads(lambda a, s: a.scatter(1, unique, s), x, src)
    check_grads(lambda a: a.scatter(0, nbtorch.tensor([[2, 0, 1, 1]]), 0.5), x)


@pytest.mark.parametrize("contiguous", [True, False])
def test_index_select_index_add_grads(contiguous):
    rng = np.random.default_rng(5)
    x = leaf(rng.standard_normal((3, 4)), contiguous)
    src = leaf(rng.standard_normal((3, 3)), contiguous)
    index = nbtorch.tensor([1, 1, 3])
    check_grads(lambda a: a.index_select(1, index), x)
    check_grads(lambda a: a.index_select(0, index[:2]), x)
    check_grads(lambda a, s: a.index_add(1, index, s, alpha=-2.0), x, src)


@pytest.mark.parametrize("contiguous", [True, False])
def test_mask_and_take_grads(contiguous):
    rng = np.random.default_rng(6)
    x = leaf(rng.standard_normal((3, 4)), contiguous)
    value = leaf(1.5)
    mask = nbtorch.tensor(rng.random((3, 4)) > 0.5)
    check_grads(lambda a: a.masked_fill(mask, 0.0), x)
    check_grads(lambda a, v: a.masked_fill(mask[0], v), x, value)
    check_grads(lambda a: a.masked_select(mask), x)
    check_grads(lambda a: a.take(nbtorch.tensor([[0, 0], [11, 5]])), x)
    check_grads(lambda a: nbtorch.take_along_dim(a, nbtorch.tensor([[1], [0], [3]]), 1), x)
    check_grads(lambda a: nbtorch.take_along_dim(a, nbtorch.tensor([[1, 1], [0, 2]]).T), x)


def test_embedding_style_backward_adds_repeats():
    weight = nbtorch.zeros(5, 3, requires_grad=True)
    ids = nbtorch.tensor([[1, 4], [1, 1]])
    weight[ids].sum().backward()  # row 1 used three times, row 4 once
    np.testing.assert_array_equal(weight.grad.numpy()[:, 0], [0, 3, 0, 0, 1])


# -- the PyTorch oracle ----------------------------------------------------------------------


@pytest.mark.oracle
@SETTINGS
@given(st.integers(0, 10_000))
def test_oracle_scatter_family(seed):
    rng = np.random.default_rng(seed)
    a, s = rng.standard_normal((3, 4)), rng.standard_normal((3, 4))
    index = rng.integers(0, 4, (3, 2))
    perm = np.stack([rng.permutation(4)[:2] for _ in range(3)])
    mask = rng.random((3, 4)) > 0.5
    vec = rng.integers(0, 3, 5)
    oracle(lambda m, x, i: x.gather(1, i), a, index, rng=rng)
    oracle(lambda m, x, y, i: x.scatter_add(1, i, y), a, s[:, :2], index, rng=rng)
    oracle(lambda m, x, y, i: x.scatter(1, i, y), a, s[:, :2], perm, rng=rng)
    oracle(lambda m, x, i: x.gather(1, i), a, index.astype(np.int32), rng=rng)
    oracle(lambda m, x, i: x.scatter(1, i, 2.0), a, perm, rng=rng)
    oracle(lambda m, x, i: x.index_select(1, i), a, vec, rng=rng)
    rows = index[:2, 0] % 3
    oracle(lambda m, x, y, i: x.index_add(0, i, y, alpha=0.5), a, s[:2], rows, rng=rng)
    oracle(lambda m, x, k: x.masked_fill(k, -1.0), a, mask, rng=rng)
    oracle(lambda m, x, k: x.masked_select(k), a, mask, rng=rng)
    oracle(lambda m, x, k: m.masked_select(x, k), a[0], mask, rng=rng)  # both broadcast
    oracle(lambda m, x: x.nonzero(), mask)
    oracle(lambda m, x: x.nonzero(as_tuple=True), mask)
    oracle(lambda m, x, i: x.take(i), a, vec - 12, rng=rng)  # negative: from the end
    oracle(lambda m, x, i: m.take_along_dim(x, i, 1), a, index, rng=rng)
    oracle(lambda m, x, i: m.take_along_dim(x, i), a, vec + 8, rng=rng)
    oracle(lambda m, x, i: x.gather(0, i), a[:, 0], vec, rng=rng)
    oracle(lambda m, x: x.masked_fill(m.tensor(True), 3), a.astype(np.int64))


@pytest.mark.oracle
@pytest.mark.parametrize("fn", [
    lambda m: m.zeros(3, 2).gather(0, m.tensor([[5, 0]])),
    lambda m: m.zeros(3, 2).gather(0, m.tensor([[1, 0, 1]])),
    lambda m: m.zeros(3, 2).gather(0, m.tensor([1, 0])),
    lambda m: m.zeros(3, 2).gather(0, m.tensor([[1, 0]], dtype=m.int16)),
    lambda m: m.zeros(3, 2).scatter(0, m.tensor([[1.0, 0.0]]), 1.0),
    lambda m: m.zeros(3, 2).index_select(0, m.tensor([5])),
    lambda m: m.zeros(3, 2).index_select(0, m.tensor([[0]])),
    lambda m: m.zeros(3, 2).index_select(0, m.tensor([0.0])),
    lambda m: m.zeros(3, 2).scatter(0, m.tensor([[5, 0]]), 1.0),
    lambda m: m.zeros(3, 2).scatter_add(0, m.tensor([[1, 0]]), m.ones(1, 1)),
    lambda m: m.zeros(3).index_add(0, m.tensor([0, 1]), m.ones(3)),
    lambda m: m.zeros(3).masked_fill(m.ones(3, dtype=m.long), 1.0),
    lambda m: m.zeros(3).masked_fill(m.ones(3, dtype=m.bool), m.ones(2)),
    lambda m: m.zeros(3).take(m.tensor([7])),
    lambda m: m.zeros(3, 2).gather(2, m.tensor([[0]])),
    lambda m: m.zeros(3, 2).gather(0, m.tensor([[-1]])),
    lambda m: m.zeros(3, 2).scatter_add(1, m.tensor([[-1]]), m.ones(1, 1)),
])
def test_oracle_scatter_errors(fn):
    same_error(fn)


@pytest.mark.oracle
def test_oracle_scatter_messages():
    same_error(lambda m: m.zeros(3, 2).gather(0, m.tensor([[5, 0]])), match_message=True)
    same_error(lambda m: m.zeros(3).masked_fill(m.ones(3, dtype=m.long), 1.0),
               match_message=True)
    same_error(lambda m: m.zeros(3).index_add(0, m.tensor([0, 1]), m.ones(3)),
               match_message=True)
    same_error(lambda m: m.zeros(3).take(m.tensor([7])), match_message=True)
    same_error(lambda m: m.zeros(3, 2).gather(0, m.tensor([[1.0, 0.0]])), match_message=True)
