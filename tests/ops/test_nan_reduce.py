"""nansum and nanmean: values against numpy's nansum/nanmean, gradients (0 at NaN entries)
by gradcheck and gradgradcheck with forward AD, and dtypes, errors and gradients against
PyTorch."""

import warnings

import numpy as np
import pytest

import nbtorch
from nbtorch.autograd import gradcheck, gradgradcheck


def with_nans(shape, fraction=0.3, seed=0):
    rng = np.random.default_rng(seed)
    a = rng.standard_normal(shape)
    a[rng.random(shape) < fraction] = np.nan
    return a


@pytest.mark.parametrize("dim", [None, 0, 1, -1, (0, 2)])
@pytest.mark.parametrize("keepdim", [False, True])
def test_values_match_numpy(dim, keepdim):
    a = with_nans((3, 4, 2), fraction=0.5)  # some slices are all NaN
    x = nbtorch.tensor(a)
    np.testing.assert_allclose(nbtorch.nansum(x, dim, keepdim).numpy(),
                               np.nansum(a, axis=dim, keepdims=keepdim))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # numpy's "Mean of empty slice"
        want = np.nanmean(a, axis=dim, keepdims=keepdim)
    np.testing.assert_allclose(x.nanmean(dim, keepdim).numpy(), want, equal_nan=True)


def test_dtype_argument_and_integer_inputs():
    a = with_nans((4, 3)).astype(np.float32)
    x = nbtorch.tensor(a)
    out = nbtorch.nansum(x, 0, dtype=nbtorch.float64)
    assert out.dtype == nbtorch.float64
    np.testing.assert_allclose(out.numpy(), np.nansum(a.astype(np.float64), axis=0))
    assert x.nanmean(1, dtype=nbtorch.float64).dtype == nbtorch.float64
    ints = np.arange(12).reshape(3, 4)
    s = nbtorch.tensor(ints).nansum(1)
    assert s.dtype == nbtorch.int64 and s.tolist() == ints.sum(1).tolist()
    assert nbtorch.nansum(nbtorch.tensor([True, False, True])).item() == 2
    with pytest.raises(RuntimeError, match="nanmean.*floating point.*Long"):
        nbtorch.nanmean(nbtorch.tensor(ints))


def test_gradient_is_zero_at_nan_entries():
    a = with_nans((3, 5))
    a[:, 0] = 1.0  # no row is all NaN
    x = nbtorch.tensor(a, requires_grad=True)
    nbtorch.nansum(x).backward()
    np.testing.assert_array_equal(x.grad.numpy(), (~np.isnan(a)).astype(float))
    x.grad = None
    nbtorch.nanmean(x, 1).sum().backward()
    kept = ~np.isnan(a)
    np.testing.assert_allclose(x.grad.numpy(), kept / kept.sum(1, keepdims=True))


@pytest.mark.parametrize("fn", [
    lambda x: nbtorch.nansum(x, 1),
    lambda x: x.nansum((0, 1), keepdim=True),
    lambda x: nbtorch.nanmean(x, 0),
    lambda x: x.nanmean() * x.nanmean(1).sum(),  # a product: non-zero second derivatives
])
def test_gradcheck_with_nans(fn):
    a = with_nans((4, 3), seed=1)
    a[0] = 0.5  # no column or row is all NaN
    a[:, 0] = -0.5
    x = nbtorch.tensor(a, requires_grad=True)
    assert gradcheck(fn, (x,), check_forward_ad=True)
    assert gradgradcheck(fn, (x,))


# -- PyTorch as the oracle -------------------------------------------------------------------

CALLS = {
    "nansum": lambda L, x: L.nansum(x),
    "nansum_dim": lambda L, x: x.nansum(1, keepdim=True),
    "nansum_dims_dtype": lambda L, x: L.nansum(x, (0, 1), dtype=L.float64),
    "nanmean": lambda L, x: x.nanmean(),
    "nanmean_dim": lambda L, x: L.nanmean(x, 0),
    "nanmean_dtype": lambda L, x: L.nanmean(x, -1, True, dtype=L.float64),
}

INPUTS = {
    "float32": with_nans((3, 4), 0.4, seed=2).astype(np.float32),
    "float64": with_nans((3, 4), 0.4, seed=3),
    "all_nan_row": np.array([[np.nan, np.nan], [1.0, np.nan]]),
    "int64": np.arange(12).reshape(3, 4) - 5,
    "bool": np.arange(12).reshape(3, 4) % 3 == 0,
}


def _run(lib, call, a):
    x = lib.tensor(a, requires_grad=a.dtype.kind == "f")
    try:
        out = call(lib, x)
    except Exception as e:  # noqa: BLE001 - the exception type is what is compared
        return type(e), None
    grad = None
    if out.requires_grad:
        out.sum().backward()
        grad = x.grad.numpy()
    return out, grad


@pytest.mark.oracle
@pytest.mark.parametrize("call", sorted(CALLS))
@pytest.mark.parametrize("kind", sorted(INPUTS))
def test_matches_torch(torch, call, kind):
    (ours, our_grad), (theirs, their_grad) = (_run(lib, CALLS[call], INPUTS[kind])
                                              for lib in (nbtorch, torch))
    if isinstance(theirs, type):
        assert ours is theirs
        return
    assert str(ours.dtype).split(".")[-1] == str(theirs.dtype).split(".")[-1]
    assert tuple(ours.shape) == tuple(theirs.shape)
    np.testing.assert_allclose(ours.detach().numpy(), theirs.detach().numpy(), rtol=1e-5, atol=1e-6,
                               equal_nan=True)
    if their_grad is None:
        assert our_grad is None
    elif not (kind == "all_nan_row" and call.startswith("nanmean")):
        # (a mean over no element: PyTorch's gradient there is 0 * inf = NaN, ours 0)
        np.testing.assert_allclose(our_grad, their_grad, rtol=1e-6, equal_nan=True)
