"""Tensor.unfold (a view), diff, rot90, block_diag, cartesian_prod, tril_indices and
triu_indices: values against numpy, views sharing memory, gradients against finite
differences (gradcheck, gradgradcheck, forward AD), and dtypes and errors against PyTorch."""

import itertools

import numpy as np
import pytest
from _data_helpers import leaf

import nbtorch
from nbtorch.autograd import gradcheck, gradgradcheck


def check_grads(fn, *inputs):
    assert gradcheck(fn, inputs, check_forward_ad=True)
    assert gradgradcheck(fn, inputs)


def random(*shape, seed=0):
    return np.random.default_rng(seed).standard_normal(shape)


def like_torch(torch, fn, exact: bool = True, match: str | None = None):
    """``fn(module)`` raises the same exception class in nbtorch as in PyTorch, with the
    same message (``exact``) or one that contains ``match``."""
    with pytest.raises(Exception) as expected:
        fn(torch)
    with pytest.raises(Exception) as got:
        fn(nbtorch)
    assert type(got.value) is type(expected.value), (got.value, expected.value)
    if exact:
        assert str(got.value) == str(expected.value)
    if match is not None:
        assert match in str(got.value)


def same_dtype(got, want) -> bool:
    return str(got.dtype) == str(want.dtype).replace("torch.", "nbtorch.")


# -- unfold ---------------------------------------------------------------------------------


def numpy_unfold(a, dim, size, step):
    windows = np.lib.stride_tricks.sliding_window_view(a, size, axis=dim)
    return windows[(slice(None),) * (dim % a.ndim) + (slice(None, None, step),)]


@pytest.mark.parametrize("contiguous", [True, False])
@pytest.mark.parametrize("shape, dim, size, step", [
    ((7,), 0, 3, 2), ((7,), 0, 2, 1), ((7,), -1, 7, 1), ((7,), 0, 3, 5), ((7,), 0, 0, 1),
    ((2, 5), -1, 2, 2), ((2, 5), 0, 2, 2), ((3, 4, 5), 1, 2, 1), ((3, 4, 5), 2, 3, 2),
])
def test_unfold_matches_numpy(shape, dim, size, step, contiguous):
    a = random(*shape)
    x = leaf(a, contiguous)
    got = x.unfold(dim, size, step)
    np.testing.assert_array_equal(got.detach().numpy(), numpy_unfold(a, dim, size, step))


def test_unfold_is_a_view_with_window_strides():
    base = nbtorch.arange(24.0).reshape(4, 6)
    x = base[:, 1:]  # a view with an offset and a row stride of 6
    u = x.unfold(1, 3, 2)
    d = 1
    assert u.stride() == x.stride()[:d] + (x.stride(d) * 2,) + x.stride()[d + 1:] + (x.stride(d),)
    assert u.data_ptr() == x.data_ptr()
    x[0, 2] = -1.0  # in window 0 (position 2) and window 1 (position 0)
    assert u[0, 0, 2].item() == -1.0 and u[0, 1, 0].item() == -1.0
    u[3, 1, 1] = 100.0  # and back: writing into the view changes the tensor
    assert x[3, 3].item() == 100.0


@pytest.mark.parametrize("shape, dim, size, step", [
    ((7,), 0, 3, 2),  # windows overlap by one
    ((7,), 0, 2, 3),  # gaps between windows
    ((3, 5), 1, 3, 1),
    ((4, 3), 0, 2, 2),
])
def test_unfold_gradients(shape, dim, size, step):
    x = leaf(random(*shape, seed=1), contiguous=False)
    check_grads(lambda t: t.unfold(dim, size, step), x)


def test_unfold_gradient_counts_the_windows_of_each_element():
    """The gradient of the sum over all windows is how many windows each element is in."""
    a = random(9, seed=2)
    x = leaf(a)
    x.unfold(0, 4, 2).sum().backward()
    windows = numpy_unfold(np.arange(9), 0, 4, 2)
    np.testing.assert_array_equal(x.grad.numpy(), np.bincount(windows.ravel(), minlength=9))


def test_unfold_of_a_number():
    x = nbtorch.tensor(5.0)
    np.testing.assert_array_equal(x.unfold(0, 1, 1).numpy(), x.reshape(1).numpy())
    assert x.unfold(-1, 1, 3).shape == (1,)


@pytest.mark.oracle
@pytest.mark.parametrize("fn", [
    lambda m: m.arange(7.0).unfold(0, 8, 1),
    lambda m: m.arange(7.0).unfold(0, -1, 1),
    lambda m: m.arange(7.0).unfold(0, 2, 0),
    lambda m: m.arange(7.0).unfold(0, 2, -1),
    lambda m: m.arange(7.0).unfold(1, 2, 1),
    lambda m: m.tensor(5.0).unfold(0, 2, 1),
])
def test_unfold_errors_like_torch(torch, fn):
    like_torch(torch, fn)


@pytest.mark.oracle
@pytest.mark.parametrize("shape, dim, size, step", [((7,), 0, 3, 2), ((2, 5), 0, 2, 2),
                                                    ((2, 5), -1, 2, 2), ((0,), 0, 0, 1)])
def test_unfold_shape_and_strides_like_torch(torch, shape, dim, size, step):
    a = random(*shape, seed=3)
    got = nbtorch.tensor(a).unfold(dim, size, step)
    want = torch.tensor(a).unfold(dim, size, step)
    assert tuple(got.shape) == tuple(want.shape)
    assert got.stride() == want.stride()


# -- diff -----------------------------------------------------------------------------------


@pytest.mark.parametrize("contiguous", [True, False])
@pytest.mark.parametrize("shape, n, dim", [((6,), 1, -1), ((6,), 2, 0), ((6,), 0, 0),
                                           ((6,), 7, 0), ((3, 4), 1, 0), ((3, 4), 3, 1),
                                           ((2, 3, 4), 2, 1)])
def test_diff_matches_numpy(shape, n, dim, contiguous):
    a = random(*shape, seed=4)
    got = nbtorch.diff(leaf(a, contiguous), n, dim)
    np.testing.assert_allclose(got.detach().numpy(), np.diff(a, n, dim), rtol=1e-12)


def test_diff_with_prepend_and_append():
    a, before, after = random(3, 4, seed=5), random(1, 4, seed=6), random(2, 4, seed=7)
    x = nbtorch.tensor(a)
    got = x.diff(2, 0, prepend=nbtorch.tensor(before), append=nbtorch.tensor(after))
    np.testing.assert_allclose(got.numpy(), np.diff(a, 2, 0, prepend=before, append=after),
                               rtol=1e-12)
    got = nbtorch.diff(x, dim=1, append=nbtorch.tensor(after.T[:3, :1].copy()))
    np.testing.assert_allclose(got.numpy(), np.diff(a, 1, 1, append=after.T[:3, :1]))


def test_diff_of_integers_and_bools():
    ints = np.array([1, 3, 6, 10, 7])
    got = nbtorch.diff(nbtorch.tensor(ints), 2)
    assert got.dtype == nbtorch.int64
    np.testing.assert_array_equal(got.numpy(), np.diff(ints, 2))
    flags = np.array([True, False, False, True, True])
    got = nbtorch.diff(nbtorch.tensor(flags))
    assert got.dtype == nbtorch.bool
    np.testing.assert_array_equal(got.numpy(), np.diff(flags))


def test_diff_undoes_cumsum():
    x = nbtorch.tensor(random(5, seed=8))
    back = nbtorch.diff(x.cumsum(0), prepend=nbtorch.zeros(1, dtype=nbtorch.float64))
    np.testing.assert_allclose(back.numpy(), x.numpy(), rtol=1e-12, atol=1e-15)


def test_diff_gradients():
    x = leaf(random(4, 3, seed=9), contiguous=False)
    check_grads(lambda t: nbtorch.diff(t, 2, 0), x)
    before = leaf(random(4, 1, seed=10))
    check_grads(lambda t, p: nbtorch.diff(t, 1, 1, prepend=p), x, before)


@pytest.mark.oracle
@pytest.mark.parametrize("dtypes", [("int64", "float32"), ("uint8", "uint8"),
                                    ("bool", "bool"), ("float32", "float64")])
def test_diff_dtypes_like_torch(torch, dtypes):
    a = np.array([[3, 1, 4, 1, 5]]).astype(dtypes[0])
    p = np.array([[2]]).astype(dtypes[1])
    got = nbtorch.diff(nbtorch.tensor(a), prepend=nbtorch.tensor(p))
    want = torch.diff(torch.tensor(a), prepend=torch.tensor(p))
    assert same_dtype(got, want)
    np.testing.assert_array_equal(got.numpy(), want.numpy())


@pytest.mark.oracle
@pytest.mark.parametrize("fn", [
    lambda m: m.diff(m.tensor([1, 3, 6]), n=-1),
    lambda m: m.diff(m.tensor(3)),
    lambda m: m.diff(m.tensor([1, 3, 6]), prepend=m.tensor(0)),
    lambda m: m.diff(m.ones(2, 3), dim=0, append=m.zeros(1, 2)),
    lambda m: m.diff(m.ones(2, 3), dim=0, append=m.zeros(3)),
    lambda m: m.diff(m.ones(2, 3), dim=2),
])
def test_diff_errors_like_torch(torch, fn):
    like_torch(torch, fn)


@pytest.mark.oracle
def test_diff_prepend_must_be_a_tensor(torch):
    like_torch(torch, lambda m: m.diff(m.tensor([1, 3, 6]), prepend=0), exact=False,
               match="prepend")


# -- rot90 ----------------------------------------------------------------------------------


@pytest.mark.parametrize("k", range(-5, 6))
@pytest.mark.parametrize("dims", [(0, 1), (1, 0), (0, 2), (-1, -2)])
def test_rot90_matches_numpy(k, dims):
    a = random(2, 3, 4, seed=11)
    got = leaf(a, contiguous=False).rot90(k, dims)
    np.testing.assert_array_equal(got.detach().numpy(), np.rot90(a, k, dims))


def test_rot90_is_a_copy_and_four_turns_are_none():
    x = nbtorch.tensor(random(2, 3, seed=12))
    for k in range(4):
        turned = nbtorch.rot90(x, k)
        assert turned.data_ptr() != x.data_ptr()
    once = nbtorch.rot90(x)
    np.testing.assert_array_equal(nbtorch.rot90(once, 3).numpy(), x.numpy())


@pytest.mark.parametrize("k", [1, 2, 3])
def test_rot90_gradients(k):
    x = leaf(random(2, 3, 2, seed=13), contiguous=False)
    check_grads(lambda t: t.rot90(k, (2, 0)), x)


@pytest.mark.oracle
@pytest.mark.parametrize("fn", [
    lambda m: m.rot90(m.ones(2, 3), 1, (0,)),
    lambda m: m.rot90(m.ones(2, 3), 1, (0, 0)),
    lambda m: m.rot90(m.ones(2, 3), 1, (0, -2)),
    lambda m: m.rot90(m.ones(2, 3), 1, (0, 2)),
    lambda m: m.rot90(m.ones(3), 1),
])
def test_rot90_errors_like_torch(torch, fn):
    like_torch(torch, fn)


@pytest.mark.oracle
def test_rot90_k_must_be_an_int(torch):
    like_torch(torch, lambda m: m.rot90(m.ones(2, 3), 1.5), exact=False, match="'k'")


# -- block_diag and cartesian_prod ------------------------------------------------------


def numpy_block_diag(*arrays):
    blocks = [np.atleast_2d(a) for a in arrays]
    out = np.zeros((sum(b.shape[0] for b in blocks), sum(b.shape[1] for b in blocks)))
    r = c = 0
    for b in blocks:
        out[r:r + b.shape[0], c:c + b.shape[1]] = b
        r, c = r + b.shape[0], c + b.shape[1]
    return out


@pytest.mark.parametrize("shapes", [[(2, 2), (3, 1)], [(2, 3), (), (4,)], [(1, 1)],
                                    [(0, 2), (2, 0)], [(2,), (2, 3), (1, 2)]])
def test_block_diag_matches_numpy(shapes):
    data = [random(*s, seed=i) for i, s in enumerate(shapes)]
    got = nbtorch.block_diag(*[leaf(a) for a in data])
    np.testing.assert_array_equal(got.detach().numpy(), numpy_block_diag(*data))


def test_block_diag_gradients():
    a, b, c = leaf(random(2, 3, seed=14), contiguous=False), leaf(random(2)), leaf(random())
    check_grads(nbtorch.block_diag, a, b, c)


@pytest.mark.oracle
@pytest.mark.parametrize("dtypes", [("int64", "float32"), ("bool", "bool"),
                                    ("int32", "int64"), ()])
def test_block_diag_dtypes_like_torch(torch, dtypes):
    data = [np.ones((2, 2)).astype(d) for d in dtypes]
    got = nbtorch.block_diag(*[nbtorch.tensor(a) for a in data])
    want = torch.block_diag(*[torch.tensor(a) for a in data])
    assert same_dtype(got, want) and tuple(got.shape) == tuple(want.shape)
    np.testing.assert_array_equal(got.numpy(), want.numpy())


@pytest.mark.oracle
@pytest.mark.parametrize("fn", [
    lambda m: m.block_diag(m.ones(2, 2, 2)),
    lambda m: m.block_diag(m.ones(2, 2), 3),
    lambda m: m.block_diag([m.ones(2, 2)]),
])
def test_block_diag_errors_like_torch(torch, fn):
    like_torch(torch, fn)


@pytest.mark.parametrize("sizes", [(2, 3), (2, 3, 2), (4,), (2, 0)])
def test_cartesian_prod_matches_itertools(sizes):
    data = [np.arange(n) * 10 + i for i, n in enumerate(sizes)]
    got = nbtorch.cartesian_prod(*[nbtorch.tensor(a) for a in data])
    want = np.array(list(itertools.product(*data))).reshape(-1, len(sizes))
    np.testing.assert_array_equal(got.numpy(), want.squeeze(1) if len(sizes) == 1 else want)


def test_cartesian_prod_gradients():
    check_grads(nbtorch.cartesian_prod, leaf(random(2, seed=15)), leaf(random(3, seed=16)),
                leaf(random(2, seed=17)))


@pytest.mark.oracle
@pytest.mark.parametrize("fn", [
    lambda m: m.cartesian_prod(m.tensor([1, 2]), m.tensor([3.0, 4.0])),
    lambda m: m.cartesian_prod(m.tensor([[1, 2]]), m.tensor([3, 4])),
    lambda m: m.cartesian_prod(m.tensor(1), m.tensor([3, 4])),
    lambda m: m.cartesian_prod(),
    lambda m: m.cartesian_prod([m.tensor([1, 2]), m.tensor([3])]),
])
def test_cartesian_prod_errors_like_torch(torch, fn):
    like_torch(torch, fn)


# -- tril_indices and triu_indices --------------------------------------------------------


@pytest.mark.parametrize("row, col, offset", [(3, 3, 0), (3, 4, 1), (4, 3, -1), (3, 4, -5),
                                              (3, 4, 10), (0, 4, 0), (1, 1, 0)])
def test_triangle_indices_match_numpy(row, col, offset):
    for ours, theirs in ((nbtorch.tril_indices, np.tril_indices),
                         (nbtorch.triu_indices, np.triu_indices)):
        got = ours(row, col, offset)
        assert got.dtype == nbtorch.int64 and got.shape == (2, len(theirs(row, offset, col)[0]))
        np.testing.assert_array_equal(got.numpy(), np.stack(theirs(row, offset, col)))


def test_triangle_indices_pick_what_tril_keeps():
    x = nbtorch.tensor(random(3, 5, seed=18))
    rows, cols = nbtorch.tril_indices(3, 5, 1)
    np.testing.assert_array_equal(x[rows, cols].numpy(), x.tril(1).numpy()[np.tril(
        np.ones((3, 5)), 1) == 1])


def test_triangle_indices_dtype_and_device():
    got = nbtorch.triu_indices(3, 3, dtype=nbtorch.int32, device="cpu")
    assert got.dtype == nbtorch.int32 and got.device.type == "cpu"


@pytest.mark.oracle
@pytest.mark.parametrize("name", ["tril_indices", "triu_indices"])
@pytest.mark.parametrize("args", [(3, 3, 0), (3, 4, 1), (4, 3, -2), (2, 5, 3)])
def test_triangle_indices_like_torch(torch, name, args):
    got, want = getattr(nbtorch, name)(*args), getattr(torch, name)(*args)
    assert same_dtype(got, want)
    np.testing.assert_array_equal(got.numpy(), want.numpy())


@pytest.mark.oracle
@pytest.mark.parametrize("fn", [
    lambda m: m.tril_indices(-1, 4),
    lambda m: m.triu_indices(3, -4),
    lambda m: m.tril_indices(3, 3, dtype=m.float32),
    lambda m: m.triu_indices(3, 3, dtype=m.uint8),
])
def test_triangle_indices_errors_like_torch(torch, fn):
    like_torch(torch, fn, exact=False)
    with pytest.raises(Exception, match="must be non-negative|not implemented for"):
        fn(nbtorch)


@pytest.mark.oracle
def test_triangle_indices_sizes_must_be_ints(torch):
    like_torch(torch, lambda m: m.tril_indices(3.0, 3), exact=False, match="'row'")
