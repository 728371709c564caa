"""Indexing ``x[key]`` and index assignment ``x[key] = value``: basic (views), negative,
stepped and advanced (integer/boolean tensors, lists, mixed with slices), against numpy;
gradients through both, and PyTorch as the oracle for values, grads and exceptions."""

import numpy as np
import pytest
from _data_helpers import SETTINGS, check_grads, leaf, oracle, same_error
from hypothesis import given
from hypothesis import strategies as st

import nbtorch

A = np.arange(24.0).reshape(2, 3, 4)
IDX = nbtorch.tensor([2, 0, 2])
MASK = np.array([True, False, True])

# keys for a (2, 3, 4) tensor, written once for nbtorch/numpy (tensors become arrays)
KEYS = [
    1, -1, (1, 2), (-1, -2, -3), slice(None, None, 2), (slice(None), slice(1, None, 2)),
    (Ellipsis, 1), (None, 0, Ellipsis, None), (0, slice(None), slice(None, None, 3)),
    [1, 0], ([1, 0], [2, 2]), (slice(None), [0, 2, 2]), (slice(None), IDX, slice(1, 3)),
    (0, IDX), (slice(None), MASK), (1, MASK, 0), (A[..., 0] > 4,), (A > 10,),
    (slice(None), [[0, 1], [2, 2]]), (nbtorch.tensor(1), 2), ([0, 1], slice(None), [3, 0]),
    (nbtorch.tensor([[True, False, True], [False, False, True]]), slice(1, None)),
]


def _np_key(key):
    items = key if isinstance(key, tuple) else (key,)
    out = tuple(k.numpy() if isinstance(k, nbtorch.Tensor) else k for k in items)
    return out if isinstance(key, tuple) else out[0]


def _nb_key(key):
    items = key if isinstance(key, tuple) else (key,)
    out = tuple(nbtorch.tensor(k) if isinstance(k, np.ndarray) else k for k in items)
    return out if isinstance(key, tuple) else out[0]


@pytest.mark.parametrize("key", KEYS, ids=range(len(KEYS)))
def test_getitem_matches_numpy(key):
    np.testing.assert_array_equal(nbtorch.tensor(A)[_nb_key(key)].numpy(), A[_np_key(key)])


@pytest.mark.parametrize("key", KEYS, ids=range(len(KEYS)))
def test_setitem_matches_numpy(key):
    t = nbtorch.tensor(A)
    expected = A.copy()
    shape = expected[_np_key(key)].shape
    value = np.arange(float(np.prod(shape[-1:]) if shape else 1)) + 100  # broadcasts
    t[_nb_key(key)] = nbtorch.tensor(value.reshape(shape[-1:]) if shape else value[0])
    expected[_np_key(key)] = value.reshape(shape[-1:]) if shape else value[0]
    np.testing.assert_array_equal(t.numpy(), expected)
    t[_nb_key(key)] = -1  # a Python number
    expected[_np_key(key)] = -1
    np.testing.assert_array_equal(t.numpy(), expected)


def test_basic_indexing_is_a_view_advanced_a_copy():
    t = nbtorch.zeros(3, 4)
    row = t[1]
    row[2] = 5.0
    assert t[1, 2].item() == 5.0 and row._version_counter is t._version_counter
    picked = t[[1, 1]]
    picked[0, 0] = 9.0
    assert t[1, 0].item() == 0.0
    assert not np.shares_memory(picked.numpy(), t.numpy())


def test_index_assignment_converts_dtype_and_bumps_version():
    t = nbtorch.zeros(3, dtype=nbtorch.int64)
    v = t._version
    t[0] = nbtorch.tensor(2.7)
    t[1:] = 1.9
    assert t.tolist() == [2, 1, 1] and t.dtype == nbtorch.int64
    assert t._version == v + 2


@SETTINGS
@given(st.integers(0, 10_000))
def test_random_int_and_mask_keys_match_numpy(seed):
    rng = np.random.default_rng(seed)
    a = rng.standard_normal((4, 5))
    rows = rng.integers(-4, 4, int(rng.integers(1, 6)))
    mask = rng.random(5) > 0.5
    t = nbtorch.tensor(a)
    np.testing.assert_array_equal(t[nbtorch.tensor(rows)].numpy(), a[rows])
    np.testing.assert_array_equal(t[:, nbtorch.tensor(mask)].numpy(), a[:, mask])
    np.testing.assert_array_equal(t[rows.tolist(), 1:].numpy(), a[rows, 1:])


# -- gradients -------------------------------------------------------------------------------


@pytest.mark.parametrize("contiguous", [True, False])
def test_getitem_grads(contiguous):
    rng = np.random.default_rng(0)
    x = leaf(rng.standard_normal((3, 4)), contiguous)
    mask = nbtorch.tensor(rng.random((3, 4)) > 0.4)
    for key in (1, (slice(None), -1), (slice(None, None, 2), slice(1, None, 2)),
                (None, Ellipsis, 0), [0, 0, 2], (slice(None), nbtorch.tensor([3, 3, 0])),
                ([0, 2, 2], [1, 1, 3]), mask, (nbtorch.tensor([True, False, True]), 1)):
        check_grads(lambda a, key=key: a[key], x)


@pytest.mark.parametrize("contiguous", [True, False])
def test_setitem_grads_reach_tensor_and_value(contiguous):
    rng = np.random.default_rng(1)
    x = leaf(rng.standard_normal((3, 4)), contiguous)
    v = leaf(rng.standard_normal(4), contiguous)

    def put(key):
        def fn(a, b):
            out = a * 1.0  # index assignment on a non-leaf that requires grad
            out[key] = b
            return out
        return fn

    check_grads(put(1), x, v)
    check_grads(put((slice(0, 2),)), x, v)  # value broadcast over two rows
    check_grads(put(([0, 2],)), x, v)
    check_grads(lambda a, b: put((slice(None), 1))(a, b[:3]), x, v)


def test_setitem_gradient_values():
    x = nbtorch.ones(2, 3, requires_grad=True)
    v = nbtorch.tensor([5.0, 6.0], requires_grad=True)
    y = x * 2
    y[:, 0] = v
    (y * nbtorch.arange(6.0).view(2, 3)).sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), [[0, 2, 4], [0, 8, 10]])
    np.testing.assert_array_equal(v.grad.numpy(), [0, 3])


def test_setitem_on_leaf_requiring_grad_raises():
    x = nbtorch.ones(3, requires_grad=True)
    with pytest.raises(RuntimeError, match="leaf Variable that requires grad"):
        x[0] = 2.0
    with nbtorch.no_grad():
        x[0] = 2.0  # allowed without recording (how optimizers update weights)
    assert x[0].item() == 2.0


def test_setitem_on_saved_tensor_breaks_backward():
    x = nbtorch.ones(3, requires_grad=True)
    y = x * 1
    z = y * y  # saves y
    y[0] = 0.0
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        z.sum().backward()


# -- the PyTorch oracle ----------------------------------------------------------------------


@pytest.mark.oracle
@pytest.mark.parametrize("key", KEYS, ids=range(len(KEYS)))
def test_oracle_getitem(key):
    torch = pytest.importorskip("torch")

    def to(m, k):
        items = k if isinstance(k, tuple) else (k,)
        conv = tuple(m.tensor(i.numpy()) if isinstance(i, nbtorch.Tensor) else
                     m.tensor(i) if isinstance(i, np.ndarray) else i for i in items)
        return conv if isinstance(k, tuple) else conv[0]

    assert torch  # the oracle needs torch
    oracle(lambda m, x: x[to(m, key)], A)


@pytest.mark.oracle
def test_oracle_setitem_grads():
    rng = np.random.default_rng(2)

    def fn(m, a, b):
        out = a * 2
        out[:, [2, 0]] = b
        out[0, 1:3] = b[0, 1]
        return out

    oracle(fn, rng.standard_normal((3, 4)), rng.standard_normal((3, 2)), rng=rng)
    oracle(lambda m, a: a[a > 0] * a[[0, 0]].sum(), rng.standard_normal((3, 4)), rng=rng)


@pytest.mark.oracle
@pytest.mark.parametrize("fn", [
    lambda m: m.ones(3)[3],
    lambda m: m.ones(3)[-4],
    lambda m: m.ones(3)[m.tensor([3])],
    lambda m: m.ones(3)[1.5],
    lambda m: m.ones(3)[m.tensor([1.0])],
    lambda m: m.ones(2, 3)[0, 0, 0],
    lambda m: m.ones(3)[::-1],
    lambda m: m.ones(3)[m.tensor([True, False])],
    lambda m: m.ones(3, requires_grad=True).__setitem__(0, 1.0),
    lambda m: m.ones(3).__setitem__(slice(0, 2), m.ones(3)),
])
def test_oracle_index_errors(fn):
    same_error(fn)


@pytest.mark.oracle
def test_oracle_index_messages():
    same_error(lambda m: m.ones(3)[3], match_message=True)
    same_error(lambda m: m.ones(3)[m.tensor([3])], match_message=True)
    same_error(lambda m: m.ones(2, 3)[0, 0, 0], match_message=True)
    same_error(lambda m: m.ones(3).__setitem__(slice(0, 2), m.ones(3)), match_message=True)
    same_error(lambda m: m.ones(3).__setitem__([0, 1], m.ones(3)), match_message=True)
