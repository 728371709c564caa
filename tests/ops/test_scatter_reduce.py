"""scatter_reduce / index_reduce / scatter(reduce='multiply'): values against numpy's
``ufunc.at``, gradients against finite differences (first and second order, and forward
mode), and PyTorch as an oracle for values, tie and zero gradient rules, and errors."""

import numpy as np
import pytest
from _data_helpers import check_grads, leaf, oracle, same_error

import nbtorch

REDUCES = ["sum", "prod", "mean", "amax", "amin"]
UFUNCS = {"sum": np.add, "prod": np.multiply, "amax": np.maximum, "amin": np.minimum}
IDENTITY = {"sum": 0.0, "prod": 1.0, "amax": -np.inf, "amin": np.inf}

rng = np.random.default_rng(0)
X = rng.standard_normal((3, 4))
INDEX = np.array([[0, 1, 0, 2], [2, 2, 1, 0]])
SRC = rng.standard_normal((2, 4))


def _numpy_scatter_reduce(x, dim, index, src, reduce, include_self):
    """The reference: numpy's unbuffered ufunc.at, with counts for the mean."""
    out = x.copy()
    grids = list(np.indices(index.shape, sparse=True))
    grids[dim] = index
    key = tuple(grids)
    values = src[tuple(slice(0, s) for s in index.shape)]
    if not include_self:
        out[key] = IDENTITY.get(reduce, 0.0)
    UFUNCS.get(reduce, np.add).at(out, key, values)
    if reduce == "mean":
        count = np.ones_like(x) if include_self else np.zeros_like(x)
        np.add.at(count, key, 1.0)
        out = out / np.maximum(count, 1)
    return out


@pytest.mark.parametrize("reduce", REDUCES)
@pytest.mark.parametrize("include_self", [True, False])
@pytest.mark.parametrize("dim", [0, 1, -1])
def test_values_match_numpy(reduce, include_self, dim):
    index = rng.integers(0, X.shape[dim], size=(3, 4) if dim == 0 else (3, 2))
    src = rng.standard_normal((3, 5))  # larger than index: only its corner is used
    out = nbtorch.tensor(X).scatter_reduce(dim, nbtorch.tensor(index), nbtorch.tensor(src),
                                           reduce, include_self=include_self)
    expected = _numpy_scatter_reduce(X, dim % 2, index, src, reduce, include_self)
    np.testing.assert_allclose(out.numpy(), expected, rtol=1e-12)


@pytest.mark.parametrize("reduce", REDUCES)
@pytest.mark.parametrize("include_self", [True, False])
def test_gradients_match_finite_differences(reduce, include_self):
    # distinct values (even and odd sevenths): no ties, where amax/amin are not
    # differentiable
    x = leaf(2 * rng.permutation(12).reshape(3, 4) / 7.0 - 1.5)
    src = leaf((2 * rng.permutation(8).reshape(2, 4) + 1) / 7.0 - 1.5, contiguous=False)
    index = nbtorch.tensor(INDEX)
    check_grads(lambda a, b: a.scatter_reduce(0, index, b, reduce, include_self=include_self),
                x, src)


def test_prod_gradient_with_one_zero_matches_finite_differences():
    x = leaf([2.0, 0.0, 3.0])
    src = leaf([0.0, 5.0, -1.5, 0.5, 4.0])
    index = nbtorch.tensor([0, 1, 0, 2, 2])
    check_grads(lambda a, b: a.scatter_reduce(0, index, b, "prod"), x, src)


@pytest.mark.oracle
@pytest.mark.parametrize("reduce", REDUCES)
@pytest.mark.parametrize("include_self", [True, False])
def test_matches_torch_with_ties_and_zeros(torch, reduce, include_self):
    # ties between src values and with self (amax/amin share the gradient, counting self
    # even when include_self=False), zeros (prod's other-product rule), a position no src
    # reaches
    self_values = np.array([3.0, 0.0, 2.0, 7.0])
    src = np.array([3.0, 3.0, 1.0, 2.0, 2.0, 0.0, 0.0, 5.0])
    index = np.array([0, 1, 0, 1, 2, 2, 1, 1])
    oracle(lambda m, x, i, s: x.scatter_reduce(0, i, s, reduce, include_self=include_self),
           self_values, index, src)


@pytest.mark.oracle
@pytest.mark.parametrize("reduce", REDUCES)
def test_matches_torch_in_2d_along_dim_1(torch, reduce):
    # (PyTorch's backward needs src and index of one shape)
    oracle(lambda m, x, i, s: m.scatter_reduce(x, 1, i, s, reduce=reduce), X,
           np.array([[0, 0, 3], [1, 3, 3]]), np.round(SRC[:, :3] * 2) / 2)


@pytest.mark.oracle
@pytest.mark.parametrize("reduce", REDUCES)
@pytest.mark.parametrize("include_self", [True, False])
def test_integers_match_torch(torch, reduce, include_self):
    # integer means round down (floor division), also for negative sums
    oracle(lambda m, x, i, s: x.scatter_reduce(0, i, s, reduce, include_self=include_self),
           np.array([0, 4, -1, 2]), np.array([0, 1, 0, 1, 2]), np.array([1, -2, 4, -3, 5]))


@pytest.mark.oracle
def test_inplace_method_matches_torch(torch):
    results = []
    for m in (nbtorch, torch):
        x = m.tensor(X.copy())
        same = x.scatter_reduce_(1, m.tensor(INDEX), m.tensor(SRC), "amax", include_self=False)
        assert same is x
        results.append(x.numpy())
    np.testing.assert_allclose(results[0], results[1], rtol=1e-12)


@pytest.mark.oracle
@pytest.mark.filterwarnings("ignore:The reduce argument of torch.scatter")
def test_scatter_with_reduce_multiply_matches_torch(torch):
    results = []
    for m in (nbtorch, torch):  # (PyTorch has no gradient for scatter with reduce)
        x, index = m.tensor([1.0, 2.0, 3.0]), m.tensor([0, 1, 0, 2])
        results.append([x.scatter(0, index, m.tensor([2.0, -1.0, 4.0, 0.5]),
                                   reduce="multiply").numpy(),
                        x.scatter(0, index, 3.0, reduce="multiply").numpy(),  # a number
                        x.scatter(0, index, 3.0, reduce="add").numpy()])
    for ours, theirs in zip(*results):
        np.testing.assert_allclose(ours, theirs, rtol=1e-12)


@pytest.mark.oracle
@pytest.mark.filterwarnings("ignore:index_reduce\\(\\) is in beta")
@pytest.mark.parametrize("reduce", ["prod", "mean", "amax", "amin"])
@pytest.mark.parametrize("include_self", [True, False])
def test_index_reduce_matches_torch(torch, reduce, include_self):
    source = np.array([[1.0, -2.0, 3.0], [1.0, 0.5, 3.0], [0.0, 4.0, -1.0], [2.0, 2.0, 2.0]])
    oracle(lambda m, x, i, s: x.index_reduce(0, i, s, reduce, include_self=include_self),
           np.array([[1.0, 0.0, 3.0], [2.0, 2.0, 2.0]]), np.array([0, 0, 1, 0]), source)
    oracle(lambda m, x, i, s: x.index_reduce(1, i, s, reduce, include_self=include_self),
           np.array([[1.0, 0.0, 3.0], [2.0, 2.0, 2.0]]), np.array([2, 2]),
           np.array([[1.0, 5.0], [-2.0, 2.0]]))


@pytest.mark.parametrize("reduce", ["prod", "mean", "amax", "amin"])
def test_index_reduce_gradients_match_finite_differences(reduce):
    x = leaf(2 * rng.permutation(6).reshape(2, 3) / 7.0 - 1.0)  # no ties (see above)
    source = leaf((2 * rng.permutation(9).reshape(3, 3) + 1) / 7.0 - 1.0)
    index = nbtorch.tensor([1, 0, 1])
    check_grads(lambda a, b: a.index_reduce(0, index, b, reduce), x, source)


@pytest.mark.oracle
@pytest.mark.parametrize("call", [
    lambda m: m.zeros(3).scatter_reduce(0, m.tensor([0, 1]), m.ones(2), "median"),
    lambda m: m.zeros(3).scatter_reduce(0, m.tensor([0, 1]), m.ones(2, dtype=m.float64),
                                        "sum"),
    lambda m: m.zeros(3).scatter_reduce(0, m.tensor([0, 3]), m.ones(2), "amax"),
    lambda m: m.zeros(3).scatter_reduce(0, m.tensor([0, -1]), m.ones(2), "amax"),
    lambda m: m.zeros(3).scatter_reduce(0, m.tensor([0.0, 1.0]), m.ones(2), "sum"),
    lambda m: m.zeros(3).scatter_reduce(1, m.tensor([0, 1]), m.ones(2), "sum"),
    lambda m: m.zeros(3).scatter_reduce(0, m.tensor([0, 1, 2]), m.ones(2), "sum"),
    lambda m: m.zeros(2, 3).scatter_reduce(0, m.tensor([0, 1]), m.ones(2), "sum"),
    lambda m: m.zeros(3).scatter(0, m.tensor([0, 1]), m.ones(2), reduce="mean"),
    lambda m: m.zeros(3, 2).index_reduce(0, m.tensor([0, 1]), m.ones(2, 2), "sum"),
    lambda m: m.zeros(3, 2).index_reduce(0, m.tensor([0, 1]), m.ones(2, 2, dtype=m.float64),
                                         "prod"),
    lambda m: m.zeros(3, 2).index_reduce(0, m.tensor([0, 3]), m.ones(2, 2), "prod"),
    lambda m: m.zeros(3, 2).index_reduce(0, m.tensor([0, -1]), m.ones(2, 2), "prod"),
    lambda m: m.zeros(3, 2).index_reduce(0, m.tensor([0, 1, 2]), m.ones(2, 2), "prod"),
    lambda m: m.zeros(3, 2).index_reduce(0, m.tensor([0, 1]), m.ones(2, 3), "prod"),
    lambda m: m.zeros(3, 2).index_reduce(0, m.tensor([[0, 1]]), m.ones(2, 2), "prod"),
])
def test_bad_arguments_raise_like_torch(torch, call):
    same_error(call)


def test_messages_name_the_problem():
    with pytest.raises(RuntimeError, match="sum, prod, mean, amax or amin, got median"):
        nbtorch.zeros(3).scatter_reduce(0, nbtorch.tensor([0]), nbtorch.ones(1), "median")
    with pytest.raises(RuntimeError, match="index 3 is out of bounds for dimension 0 with "
                                           "size 3"):
        nbtorch.zeros(3).scatter_reduce(0, nbtorch.tensor([3]), nbtorch.ones(1), "sum")
    x = nbtorch.zeros(3)
    with pytest.raises(RuntimeError):  # a failed call leaves the tensor as it was
        x.scatter_reduce_(0, nbtorch.tensor([0, 5]), nbtorch.ones(2), "sum")
    assert not x.numpy().any()
