"""Edge cases found by a differential sweep against PyTorch: index assignment of values with
extra size-1 dims, ints mixed with index tensors, numpy arrays as indices, ``arange``'s
argument forms, dims of 0-d tensors and ``dim=()``, median with NaN, the many call forms of
the shape ops, writes into expanded tensors, the ``grad`` setter, std's gradient at a
constant input, and ``Size``, ``chunk``, ``tensor`` and ``axis=`` details."""

import copy

import numpy as np
import pytest
from _data_helpers import oracle, same_error

import nbtorch

pytestmark = pytest.mark.oracle

X = np.random.default_rng(0).standard_normal((4, 5, 6))


def _same(nb, pt):
    """An nbtorch result equals a PyTorch one: shape, dtype and values."""
    assert tuple(nb.shape) == tuple(pt.shape)
    assert nb.dtype.name == str(pt.dtype).replace("torch.", "")
    np.testing.assert_allclose(nb.detach().numpy(), pt.detach().numpy(), rtol=1e-6,
                               equal_nan=True)


# -- 1. index assignment: value dims ---------------------------------------------------------


def test_assigned_value_loses_leading_size_one_dims(torch):
    def fill(m):
        a = m.zeros(2, 3)
        a[0, 0] = m.tensor([5.0])
        a[1] = m.ones(1, 1, 3)
        a[[0, 1], 1:] = m.full((1, 2, 2), 7.0)
        return a

    _same(fill(nbtorch), fill(torch))


def test_assigned_value_that_does_not_fit_raises_torch_error():
    for key, shape in [((0, 0), (2,)), ((0,), (2, 3)), ((0,), (2, 1, 3)),
                       ((slice(None),), (2, 2, 3)), ((slice(None),), (4,)),
                       (([0, 1],), (3, 2, 3)), (([0, 1], 0), (2, 2))]:
        same_error(lambda m, k=key, s=shape: m.zeros(2, 3).__setitem__(k, m.ones(s)),
                   match_message=True)


# -- 2. ints next to index tensors: PyTorch applies the ints first -----------------------------


KEYS = [
    (1, slice(None), [0, 2]), ([0, 1], slice(None), 1), (1, [0, 1]), (slice(None), 1, [0, 2]),
    ([0, 1], 1, [0, 2]), (1, None, [0, 2]), (1, Ellipsis, [0, 2]), (Ellipsis, 2, [1, 1, 0]),
    ([[0, 1]], 2, [[0, 1], [1, 2]]), (-1, [True, False, True, False, True], slice(None, None, 2)),
    (1, [3, 1], [[0], [5]]), (1, 2, [3, 3]),
]


def test_ints_mixed_with_index_lists_follow_torch():
    for key in KEYS:
        oracle(lambda m, x, k=key: x[k], X)


def test_assignment_with_ints_mixed_with_index_lists_follows_torch():
    def assign(m, x, v, key):
        out = x * 1
        out[key] = v.reshape(tuple(out[key].shape))
        return out

    for key in KEYS:
        size = X[key].size  # numpy's rule gives the same number of elements
        oracle(assign, X, np.arange(float(size)), key)


def test_zero_dim_int_tensor_counts_as_an_int(torch):
    for m in (nbtorch, torch):
        assert tuple(m.zeros(4, 5, 6)[m.tensor(1), :, [0, 2]].shape) == (5, 2)


# -- 3. numpy arrays as indices ---------------------------------------------------------------


@pytest.mark.parametrize("key", [np.array([0, 2]), np.array([True, False, True, False]),
                                 (np.int64(1), slice(None), np.array([0, 2]))])
def test_numpy_arrays_index_like_tensors(key):
    oracle(lambda m, x: x[key], X)

    def fn(m, x):
        out = x * 1
        out[key] = 0.5
        return out

    oracle(fn, X)


# -- 4. arange ---------------------------------------------------------------------------------


@pytest.mark.parametrize("call", [
    lambda m: m.arange(m.tensor(3)),
    lambda m: m.arange(m.tensor(1), 5),
    lambda m: m.arange(end=3),
    lambda m: m.arange(end=3, dtype=m.float64),
    lambda m: m.arange(0, 5, 1.5, dtype=m.int64),
    lambda m: m.arange(-2.5, 0, 1, dtype=m.int64),
    lambda m: m.arange(0, 2.7, 1.2, dtype=m.int64),
])
def test_arange_argument_forms_match_torch(call, torch):
    _same(call(nbtorch), call(torch))


@pytest.mark.parametrize("call", [
    lambda m: m.arange(0, 2.5, 0.5, dtype=m.int64),
    lambda m: m.arange(0, 1, -1),
    lambda m: m.arange(1, 0, 1),
    lambda m: m.arange(0, float("inf")),
])
def test_arange_errors_match_torch(call):
    same_error(call, match_message=True)


# -- 5. dims of a 0-d tensor and dim=() --------------------------------------------------------


@pytest.mark.parametrize("fn", [
    lambda x: x.sum(0), lambda x: x.sum(-1), lambda x: x.sum((0,)), lambda x: x.mean(0),
    lambda x: x.prod(-1), lambda x: x.var(0, correction=0), lambda x: x.std(-1),
    lambda x: x.amax(0), lambda x: x.amin(-1), lambda x: x.logsumexp(0), lambda x: x.all(0),
    lambda x: x.any(-1), lambda x: x.count_nonzero(0), lambda x: x.flip(0),
    lambda x: x.softmax(0), lambda x: x.movedim(0, -1), lambda x: x.squeeze(0),
    lambda x: x.transpose(0, -1), lambda x: x.norm(dim=0),
])
def test_zero_dim_tensor_takes_dim_0_and_minus_1(fn):
    oracle(lambda m, x: fn(x), np.array(2.0))


def test_index_select_of_a_zero_dim_tensor_is_zero_dim():
    oracle(lambda m, x: x.index_select(0, m.tensor([0])), np.array(2.0))


@pytest.mark.parametrize("fn", [
    lambda x: x.sum(()), lambda x: x.sum(dim=(), keepdim=True), lambda x: x.mean(()),
    lambda x: x.var(()).detach(), lambda x: x.std(()).detach(),  # PyTorch's grads are inf
    lambda x: x.norm(dim=()), lambda x: x.count_nonzero(()),
])
def test_empty_dim_tuple_reduces_every_dim(fn):
    oracle(lambda m, x: fn(x), X[:2, :3, 0])


@pytest.mark.parametrize("fn", [
    lambda m: m.tensor(2.0).size(0), lambda m: m.tensor(2.0).roll(1, 0),
    lambda m: m.tensor(2.0).unbind(0), lambda m: m.tensor(2.0).select(0, 0),
    lambda m: m.tensor(2.0).narrow(0, 0, 1), lambda m: m.tensor(2.0).chunk(1),
    lambda m: m.tensor(2.0).split(1),
    lambda m: m.tensor(2.0).index_select(0, m.tensor([0, 0])),
    lambda m: m.ones(2, 3).sum((0, -2)),
])
def test_ops_that_need_a_real_dim_raise_torch_errors(fn):
    same_error(fn, match_message=True)


def test_prod_takes_one_dim_only():
    same_error(lambda m: m.ones(2, 3).prod((0, 1)))
    same_error(lambda m: m.ones(2, 3).prod(dim=[0]))


# -- 6. median ---------------------------------------------------------------------------------


@pytest.mark.parametrize("fn", [
    lambda x: x.median(), lambda x: x.median(1).values, lambda x: x.median(1).indices,
    lambda x: x.median(0, keepdim=True).values, lambda x: x.median(0).indices,
])
def test_median_with_nan_matches_torch(fn):
    # NaN wins, at its first index
    oracle(lambda m, x: fn(x), np.array([[1.0, np.nan, 2.0, np.nan], [3.0, 1.0, 2.0, 0.0]]))


def test_full_median_ties_share_the_gradient():
    oracle(lambda m, x: x.median(), np.array([[1.0, 2.0, 2.0, 3.0], [2.0, 2.0, 2.0, 2.0]]))


def test_median_of_nothing_is_nan(torch):
    _same(nbtorch.tensor([]).median(), torch.tensor([]).median())
    _same(nbtorch.zeros(2, 0).median(), torch.zeros(2, 0).median())


# -- 7. the call forms of the shape ops ------------------------------------------------------


@pytest.mark.parametrize("fn", [
    lambda m, x: x.flip(0, 1), lambda m, x: x.tile(2, 1), lambda m, x: x.tile(3, 2, 1),
    lambda m, x: x.permute(dims=(1, 0)), lambda m, x: m.permute(x, dims=(1, 0)),
    lambda m, x: x.repeat(repeats=(2, 1)), lambda m, x: x.view(size=(3, 2)),
    lambda m, x: x.reshape(shape=(3, 2)), lambda m, x: m.reshape(x, shape=(6,)),
    lambda m, x: x[:1].expand(size=(3, 3)),
])
def test_shape_op_call_forms_match_torch(fn):
    oracle(fn, X[:2, :3, 0])


# -- 8. writing into an expanded tensor -------------------------------------------------------


def test_writes_into_distinct_elements_of_an_expanded_tensor_reach_its_memory(torch):
    def write(m):
        a = m.zeros(2, 3)
        b = a.expand(2, 2, 3)
        b[0].zero_()
        b[1, 0].add_(1)
        b[1, 1, 2] = 5
        c = m.zeros(3)
        c.expand(1, 3).fill_(2)
        return a, c

    for nb, pt in zip(write(nbtorch), write(torch)):
        _same(nb, pt)


def test_writes_into_overlapping_elements_raise_torch_error():
    same_error(lambda m: m.zeros(1, 3).expand(2, 3).__setitem__((slice(None), 0), 2.0),
               match_message=True)


@pytest.mark.parametrize("op", [
    lambda m, b: b.add_(1), lambda m, b: b.mul_(2), lambda m, b: b.copy_(m.ones(2, 3)),
    lambda m, b: b.normal_(), lambda m, b: b.uniform_(),
])
def test_in_place_ops_on_overlapping_elements_raise_torch_error(op):
    same_error(lambda m: op(m, m.zeros(3).expand(2, 3)), match_message=True)


def test_fill_and_zero_of_an_expanded_tensor_write_its_memory(torch):
    def fill(m):
        a, c = m.ones(3), m.ones(1, 3)
        a.expand(2, 3).fill_(4.0)
        c.expand(2, 2, 3).zero_()
        return a, c

    for nb, pt in zip(fill(nbtorch), fill(torch)):
        _same(nb, pt)


@pytest.mark.parametrize("name", ["rand", "randn"])
@pytest.mark.parametrize("dtype", ["int64", "int32", "bool"])
def test_random_floats_of_an_integer_dtype_raise_torch_error(name, dtype):
    same_error(lambda m: getattr(m, name)(2, dtype=getattr(m, dtype)), match_message=True)


# -- 9. the grad setter ----------------------------------------------------------------------


@pytest.mark.parametrize("value", [
    lambda m: m.zeros(2), lambda m: m.zeros(1, 3), lambda m: m.zeros(3, dtype=m.float64),
    lambda m: 5,
])
def test_grad_setter_refuses_a_wrong_gradient(value):
    def assign(m):
        m.zeros(3).grad = value(m)

    same_error(assign)
    p = nbtorch.nn.Parameter(nbtorch.zeros(3))  # a matching gradient is still welcome
    p.grad = nbtorch.ones(3)
    assert copy.deepcopy(p).grad.tolist() == [1.0, 1.0, 1.0]


# -- 10. std at a constant input -------------------------------------------------------------


@pytest.mark.parametrize("fn", [
    lambda m, x: x.std(), lambda m, x: x.std(1), lambda m, x: x.std(correction=0),
    lambda m, x: m.std_mean(x, 1)[0],
])
def test_std_gradient_of_a_constant_is_zero(fn):
    oracle(fn, np.ones((2, 3)))


# -- 11. Size, chunk, tensor, axis=, index_select ---------------------------------------------


def test_size_slices_and_sums_stay_sizes(torch):
    for m in (nbtorch, torch):
        s = m.Size([1, 2, 3])
        got = [s[1:], s + m.Size([4]), s + (4,), (4,) + s, s * 2, s[::-1]]
        assert all(type(g) is m.Size for g in got)
        assert [tuple(g) for g in got] == [(2, 3), (1, 2, 3, 4), (1, 2, 3, 4), (4, 1, 2, 3),
                                           (1, 2, 3, 1, 2, 3), (3, 2, 1)]


@pytest.mark.parametrize("fn", [
    lambda m: m.zeros(0, 4).chunk(3), lambda m: m.zeros(4, 0).chunk(3, 1),
    lambda m: m.zeros(0).chunk(1), lambda m: m.zeros(0).split(2),
])
def test_empty_dim_splits_into_empty_pieces(fn, torch):
    nb, pt = fn(nbtorch), fn(torch)
    assert len(nb) == len(pt)
    for a, b in zip(nb, pt):
        _same(a, b)


@pytest.mark.parametrize("data", [
    [np.float64(1.5)], [1, np.float64(2.5)], [np.float16(1.5)], [np.uint8(1)],
    [[np.float64(1.5)], [2.0]],
])
def test_tensor_infers_dtype_from_numpy_scalars(data, torch):
    _same(nbtorch.tensor(data), torch.tensor(data))
    for mixed in ([np.int32(1), 2], [np.int64(1), 2.5], [True, 2], []):  # as before
        _same(nbtorch.tensor(mixed), torch.tensor(mixed))


@pytest.mark.parametrize("fn", [
    lambda x: x.sum(axis=1), lambda x: x.mean(axis=(0, 1)), lambda x: x.max(axis=1).values,
    lambda x: x.min(axis=0).indices, lambda x: x.std(axis=1), lambda x: x.var(axis=0),
    lambda x: x.prod(axis=1), lambda x: x.amax(axis=1), lambda x: x.amin(axis=0),
    lambda x: x.argmax(axis=1), lambda x: x.argmin(axis=1), lambda x: x.logsumexp(axis=1),
    lambda x: x.all(axis=1), lambda x: x.any(axis=0), lambda x: x.count_nonzero(axis=1),
    lambda x: x.median(axis=1).values,
])
def test_axis_is_another_name_for_dim(fn):
    oracle(lambda m, x: fn(x), X[:2, :3, 0])
