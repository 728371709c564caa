"""Shape ops (view, reshape, flatten, squeeze, permute, transpose, expand, repeat, tile,
repeat_interleave, roll, movedim, narrow, select, broadcast_*, atleast_*, meshgrid):
values against numpy, views sharing memory, gradients against finite differences, and
values, grads, dtypes and errors against PyTorch."""

import numpy as np
import pytest
from _data_helpers import SETTINGS, check_grads, leaf, oracle, same_error
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import nbtorch

shapes = hnp.array_shapes(min_dims=1, max_dims=3, max_side=3)

# -- forward against numpy -------------------------------------------------------------------


@SETTINGS
@given(shapes, st.integers(0, 10_000))
def test_reshape_family_matches_numpy(shape, seed):
    rng = np.random.default_rng(seed)
    a = rng.standard_normal(shape)
    t = nbtorch.tensor(a)
    np.testing.assert_array_equal(t.view(-1).numpy(), a.reshape(-1))
    np.testing.assert_array_equal(t.reshape(shape[::-1]).numpy(), a.reshape(shape[::-1]))
    np.testing.assert_array_equal(t.flatten().numpy(), a.reshape(-1))
    np.testing.assert_array_equal(t.unsqueeze(-1).numpy(), a[..., None])
    np.testing.assert_array_equal(t.unsqueeze(0).squeeze().numpy(), a.squeeze())
    perm = tuple(rng.permutation(len(shape)))
    np.testing.assert_array_equal(t.permute(perm).numpy(), a.transpose(perm))
    np.testing.assert_array_equal(t.T.numpy(), a.T)
    np.testing.assert_array_equal(t.transpose(0, -1).numpy(), np.swapaxes(a, 0, -1))
    np.testing.assert_array_equal(t.movedim(0, -1).numpy(), np.moveaxis(a, 0, -1))
    reps = tuple(rng.integers(1, 3, len(shape) + 1))
    np.testing.assert_array_equal(t.repeat(*reps).numpy(), np.tile(a, reps))
    np.testing.assert_array_equal(t.tile((2,)).numpy(), np.tile(a, 2))
    shift = int(rng.integers(-3, 4))
    np.testing.assert_array_equal(t.roll(shift, 0).numpy(), np.roll(a, shift, 0))
    np.testing.assert_array_equal(t.roll(shift).numpy(), np.roll(a, shift))
    np.testing.assert_array_equal(t.repeat_interleave(2).numpy(), np.repeat(a, 2))
    np.testing.assert_array_equal(t.expand(2, *shape).numpy(), np.broadcast_to(a, (2,) + shape))


def test_flatten_unflatten_squeeze_dims():
    a = np.arange(24.0).reshape(2, 1, 3, 4)
    t = nbtorch.tensor(a)
    assert t.flatten(1).shape == (2, 12)
    assert t.flatten(1, 2).shape == (2, 3, 4)
    assert t.flatten(-2).shape == (2, 1, 12)
    assert t.unflatten(-1, (2, -1)).shape == (2, 1, 3, 2, 2)
    assert t.squeeze(1).shape == (2, 3, 4)
    assert t.squeeze(0).shape == (2, 1, 3, 4)  # not of size 1: unchanged
    assert t.squeeze((0, 1)).shape == (2, 3, 4)
    assert nbtorch.tensor(5.0).flatten().shape == (1,)
    assert t.view_as(nbtorch.zeros(6, 4)).shape == (6, 4)
    assert t.reshape_as(nbtorch.zeros(24)).shape == (24,)


def test_narrow_select_repeat_interleave_and_meshgrid():
    a = np.arange(12.0).reshape(3, 4)
    t = nbtorch.tensor(a)
    np.testing.assert_array_equal(t.narrow(1, 1, 2).numpy(), a[:, 1:3])
    np.testing.assert_array_equal(t.narrow(0, -2, 2).numpy(), a[1:])
    np.testing.assert_array_equal(t.select(1, -1).numpy(), a[:, -1])
    counts = np.array([0, 2, 1])
    got = t.repeat_interleave(nbtorch.tensor(counts), dim=0)
    np.testing.assert_array_equal(got.numpy(), np.repeat(a, counts, axis=0))
    np.testing.assert_array_equal(nbtorch.repeat_interleave(nbtorch.tensor(counts)).numpy(),
                                  np.repeat(np.arange(3), counts))
    x, y = nbtorch.arange(3), nbtorch.arange(4)
    for indexing in ("ij", "xy"):
        for got, expected in zip(nbtorch.meshgrid(x, y, indexing=indexing),
                                 np.meshgrid(np.arange(3), np.arange(4), indexing=indexing),
                                 strict=True):
            np.testing.assert_array_equal(got.numpy(), expected)


def test_broadcasting_helpers_and_atleast():
    assert nbtorch.broadcast_shapes((2, 1), (3,), ()) == (2, 3)
    a, b = nbtorch.broadcast_tensors(nbtorch.zeros(2, 1), nbtorch.ones(3))
    assert a.shape == b.shape == (2, 3)
    assert nbtorch.zeros(3).broadcast_to((2, 3)).shape == (2, 3)
    for fn, ref in ((nbtorch.atleast_1d, np.atleast_1d), (nbtorch.atleast_2d, np.atleast_2d),
                    (nbtorch.atleast_3d, np.atleast_3d)):
        for shape in ((), (2,), (2, 3), (2, 3, 4)):
            assert fn(nbtorch.zeros(shape)).shape == ref(np.zeros(shape)).shape
    assert len(nbtorch.atleast_2d(nbtorch.zeros(2), nbtorch.zeros(3))) == 2


# -- views: shared memory, contiguity, version counter ----------------------------------------


def test_views_share_memory_and_version_counter():
    t = nbtorch.zeros(2, 3)
    for view in (t.view(6), t.t(), t.permute(1, 0), t[1], t.unsqueeze(0), t.narrow(1, 0, 2),
                 t.select(0, 1), t.expand(4, 2, 3), t.movedim(0, 1), t.flatten()):
        assert view._version_counter is t._version_counter
        assert np.shares_memory(view.numpy(), t.numpy())
    t.view(6)[4] = 7.0
    assert t[1, 1].item() == 7.0
    for copy in (t.clone(), t.repeat(2, 1), t.roll(1), t.t().reshape(6), t.t().contiguous()):
        assert not np.shares_memory(copy.numpy(), t.numpy())
    assert t.reshape(3, 2)._version_counter is t._version_counter  # possible: a view


def test_contiguity_and_view_errors():
    t = nbtorch.zeros(2, 3)
    assert t.is_contiguous() and t.contiguous() is t
    tt = t.t()
    assert not tt.is_contiguous()
    assert tt.contiguous().is_contiguous()
    with pytest.raises(RuntimeError, match="view size is not compatible"):
        tt.view(6)
    assert tt.reshape(6).shape == (6,)
    with pytest.raises(RuntimeError, match="is invalid for input of size 6"):
        t.view(4)


# -- gradients -------------------------------------------------------------------------------


@pytest.mark.parametrize("contiguous", [True, False])
def test_view_ops_grads(contiguous):
    rng = np.random.default_rng(0)
    x = leaf(rng.standard_normal((2, 3, 2)), contiguous)
    check_grads(lambda a: a.reshape(3, 4), x)
    check_grads(lambda a: a.flatten(1).unsqueeze(1).squeeze(1), x)
    check_grads(lambda a: a.permute(2, 0, 1) * 2, x)
    check_grads(lambda a: a.transpose(0, 2).unflatten(1, (3, 1)), x)
    check_grads(lambda a: a.movedim((0, 1), (2, 0)), x)
    check_grads(lambda a: a.narrow(1, 1, 2).select(2, 0), x)
    check_grads(lambda a: a[:, :1].expand(2, 4, 2), x)


@pytest.mark.parametrize("contiguous", [True, False])
def test_copying_ops_grads(contiguous):
    rng = np.random.default_rng(1)
    x = leaf(rng.standard_normal((2, 3)), contiguous)
    check_grads(lambda a: a.repeat(2, 1, 2), x)
    check_grads(lambda a: a.tile((2,)), x)
    check_grads(lambda a: a.repeat_interleave(nbtorch.tensor([2, 0, 1]), dim=1), x)
    check_grads(lambda a: a.roll((1, -1), (0, 1)), x)
    check_grads(lambda a: a.roll(2), x)
    check_grads(lambda a: a.t().contiguous(), x)
    check_grads(lambda a: nbtorch.meshgrid(a[0], a[1, :2], indexing="xy"), x)
    check_grads(lambda a: nbtorch.broadcast_tensors(a, a[:1, None, :]), x)


# -- the PyTorch oracle ----------------------------------------------------------------------


@pytest.mark.oracle
@SETTINGS
@given(shapes, st.integers(0, 10_000))
def test_oracle_shape_ops(shape, seed):
    rng = np.random.default_rng(seed)
    a = rng.standard_normal(shape)
    n = len(shape)
    perm = tuple(int(p) for p in rng.permutation(n))
    oracle(lambda m, x: x.view(-1), a, rng=rng)
    oracle(lambda m, x: x.permute(*perm), a, rng=rng)
    oracle(lambda m, x: x.transpose(0, -1).reshape(-1), a, rng=rng)
    oracle(lambda m, x: x.unsqueeze(1).expand(*shape[:1], 2, *shape[1:]), a, rng=rng)
    oracle(lambda m, x: x.repeat(2, *([1] * n)), a, rng=rng)
    oracle(lambda m, x: x.tile((3,)), a, rng=rng)
    oracle(lambda m, x: x.repeat_interleave(2, dim=-1), a, rng=rng)
    oracle(lambda m, x: x.roll(1, -1), a, rng=rng)
    oracle(lambda m, x: m.movedim(x, -1, 0), a, rng=rng)
    oracle(lambda m, x: x.narrow(0, 0, 1), a, rng=rng)
    oracle(lambda m, x: x.select(-1, 0), a, rng=rng)
    oracle(lambda m, x: m.atleast_3d(x), a, rng=rng)
    oracle(lambda m, x: x.flatten().unflatten(0, (1, -1)), a, rng=rng)
    oracle(lambda m, x: x.squeeze(), a.reshape((1,) + shape), rng=rng)
    oracle(lambda m, x, y: m.meshgrid(x, y, indexing="xy"), a.reshape(-1), a[..., 0].reshape(-1),
           rng=rng)


@pytest.mark.oracle
@pytest.mark.parametrize("fn", [
    lambda m: m.zeros(2, 3).t().view(6),
    lambda m: m.zeros(2, 3).view(4),
    lambda m: m.zeros(2, 3).view(-1, -1),
    lambda m: m.zeros(2, 3).reshape(-1, 4),
    lambda m: m.zeros(2, 3).transpose(0, 2),
    lambda m: m.zeros(2, 3).permute(0, 0),
    lambda m: m.zeros(2, 3).permute(0),
    lambda m: m.zeros(2, 3).expand(3, 3),
    lambda m: m.zeros(2, 3).expand(3),
    lambda m: m.zeros(2, 3).squeeze(5),
    lambda m: m.zeros(2, 3).unsqueeze(3),
    lambda m: m.zeros(2, 3).flatten(1, 0),
    lambda m: m.zeros(3, 2, 1).t(),
    lambda m: m.zeros(2, 3).repeat(2),
    lambda m: m.zeros(3).narrow(0, 2, 2),
    lambda m: m.zeros(3).select(0, 3),
    lambda m: m.zeros(2, 3).movedim((0, 1), (0, 0)),
    lambda m: m.zeros(2, 3).roll((1, 1), 0),
    lambda m: m.broadcast_shapes((2, 3), (4,)),
    lambda m: m.zeros(3).repeat_interleave(m.tensor([1, -1, 1])),
])
def test_oracle_shape_errors(fn):
    same_error(fn)


@pytest.mark.oracle
def test_oracle_shape_messages():
    for fn in (lambda m: m.zeros(2, 3).view(4),
               lambda m: m.zeros(2, 3).t().view(6),
               lambda m: m.zeros(2, 3).expand(3, 3),
               lambda m: m.zeros(2, 3).transpose(0, 2),
               lambda m: m.zeros(2, 3).repeat(2),
               lambda m: m.zeros(3).narrow(0, 2, 2),
               lambda m: m.zeros(3).select(0, 3)):
        same_error(fn, match_message=True)
