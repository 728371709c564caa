"""aminmax, cummax, cummin: values against numpy, indices against a plain loop that follows
PyTorch's rule (NaN wins, of equal elements the later one), gradients by gradcheck and
gradgradcheck with forward AD, and values, indices, gradients and errors against PyTorch."""

import numpy as np
import pytest

import nbtorch
from nbtorch.autograd import gradcheck, gradgradcheck

rng = np.random.default_rng(0)


def running_best(a, axis, largest):
    """Reference: walk along ``axis`` keeping the best value and its index; a new element
    takes over when it is NaN, or is >= (<=) the best and the best is not NaN."""
    moved = np.moveaxis(a, axis, -1)
    values, indices = np.empty_like(moved), np.zeros(moved.shape, dtype=np.int64)
    for row in np.ndindex(moved.shape[:-1]):
        best, at = None, 0
        for k, v in enumerate(moved[row]):
            if best is None or np.isnan(v) or (
                    not np.isnan(best) and (v >= best if largest else v <= best)):
                best, at = v, k
            values[row + (k,)], indices[row + (k,)] = best, at
    return np.moveaxis(values, -1, axis), np.moveaxis(indices, -1, axis)


def with_ties(shape, nans=False, seed=0):
    """Small integers as floats (many ties), and NaNs if asked."""
    r = np.random.default_rng(seed)
    a = r.integers(-3, 4, shape).astype(np.float64)
    if nans:
        a[r.random(shape) < 0.15] = np.nan
    return a


@pytest.mark.parametrize("shape,dim", [((7,), 0), ((3, 9), 1), ((3, 9), 0), ((2, 3, 5), -2),
                                       ((4, 1), 1), ((1, 16), 1), ((0, 3), 0), ((3, 0), 1)])
@pytest.mark.parametrize("nans", [False, True])
@pytest.mark.parametrize("largest", [True, False])
def test_running_values_and_indices(shape, dim, nans, largest):
    a = with_ties(shape, nans)
    out = (nbtorch.cummax if largest else nbtorch.cummin)(nbtorch.tensor(a), dim)
    want_values, want_indices = running_best(a, dim, largest)
    np.testing.assert_array_equal(out.values.numpy(), want_values)
    np.testing.assert_array_equal(out.indices.numpy(), want_indices)
    assert out.indices.dtype == nbtorch.int64
    if not nans:
        acc = np.maximum.accumulate if largest else np.minimum.accumulate
        np.testing.assert_array_equal(out.values.numpy(), acc(a, axis=dim))


@pytest.mark.parametrize("dtype", [nbtorch.int64, nbtorch.int32, nbtorch.bool])
def test_integer_and_bool_inputs_keep_their_dtype(dtype):
    a = with_ties((3, 6))
    x = nbtorch.tensor(a).to(dtype)
    for largest, fn in ((True, nbtorch.cummax), (False, nbtorch.cummin)):
        values, indices = fn(x, 1)
        want_values, want_indices = running_best(x.numpy(), 1, largest)
        assert values.dtype == dtype
        np.testing.assert_array_equal(values.numpy(), want_values)
        np.testing.assert_array_equal(indices.numpy(), want_indices)


def test_zero_dim_input():
    x = nbtorch.tensor(2.5)
    values, indices = x.cummax(0)
    assert values.shape == () and values.item() == 2.5 and indices.item() == 0
    with pytest.raises(IndexError, match="Dimension out of range"):
        x.cummin(1)


def test_gradient_goes_to_the_chosen_index():
    a = with_ties((3, 8))
    x = nbtorch.tensor(a, requires_grad=True)
    weights = rng.standard_normal((3, 8))
    out = nbtorch.cummax(x, 1)
    (out.values * nbtorch.tensor(weights)).sum().backward()
    want = np.zeros_like(a)
    np.add.at(want, (np.arange(3)[:, None], out.indices.numpy()), weights)
    np.testing.assert_allclose(x.grad.numpy(), want)


@pytest.mark.parametrize("fn", [
    lambda x: nbtorch.cummax(x, 1).values,
    lambda x: x.cummin(0).values,
    lambda x: nbtorch.cummax(x, -1).values ** 2,  # non-zero second derivatives
    lambda x: nbtorch.aminmax(x).max * nbtorch.aminmax(x).min,
    lambda x: x.aminmax(dim=1, keepdim=True)[0] ** 3,
    lambda x: nbtorch.aminmax(x, dim=0).max.exp(),
])
def test_gradcheck(fn):
    x = nbtorch.tensor(rng.standard_normal((3, 5)), requires_grad=True)  # no ties
    assert gradcheck(fn, (x,), check_forward_ad=True)
    assert gradgradcheck(fn, (x,))


@pytest.mark.parametrize("dim", [None, 0, 1, -1])
@pytest.mark.parametrize("keepdim", [False, True])
def test_aminmax_values(dim, keepdim):
    a = with_ties((3, 4), nans=True, seed=3)
    out = nbtorch.aminmax(nbtorch.tensor(a), dim=dim, keepdim=keepdim)
    assert out._fields == ("min", "max")
    np.testing.assert_array_equal(out.min.numpy(), np.min(a, axis=dim, keepdims=keepdim))
    np.testing.assert_array_equal(out.max.numpy(), np.max(a, axis=dim, keepdims=keepdim))


def test_aminmax_errors_and_ties():
    with pytest.raises(RuntimeError, match="cannot compute aminmax over an empty dimension"):
        nbtorch.aminmax(nbtorch.zeros(0))
    with pytest.raises(IndexError, match="Expected reduction dim 1 to have non-zero size"):
        nbtorch.aminmax(nbtorch.zeros(2, 0), dim=1)
    x = nbtorch.tensor([1.0, 3.0, 3.0, 1.0, 2.0], requires_grad=True)
    low, high = x.aminmax()
    (low + 10 * high).backward()
    hit_low, hit_high = (x.detach().numpy() == v for v in (low.item(), high.item()))
    np.testing.assert_allclose(x.grad.numpy(),
                               hit_low / hit_low.sum() + 10 * hit_high / hit_high.sum())


# -- PyTorch as the oracle -------------------------------------------------------------------

CALLS = {
    "cummax": lambda L, x: L.cummax(x, 1),
    "cummax_dim0": lambda L, x: x.cummax(0),
    "cummin": lambda L, x: L.cummin(x, -1),
    "aminmax": lambda L, x: L.aminmax(x),
    "aminmax_dim": lambda L, x: x.aminmax(dim=1),
    "aminmax_keepdim": lambda L, x: L.aminmax(x, dim=0, keepdim=True),
}

INPUTS = {
    "ties": with_ties((3, 7), seed=5),
    "nans": with_ties((3, 7), nans=True, seed=6).astype(np.float32),
    "int64": with_ties((3, 7), seed=7).astype(np.int64),
    "bool": with_ties((3, 7), seed=8) > 0,
    "empty_rows": np.zeros((0, 7)),
    "empty_dim1": np.zeros((2, 0)),
    "zero_dim": np.array(1.5),
}


def _run(lib, call, a):
    x = lib.tensor(a, requires_grad=a.dtype.kind == "f")
    try:
        out = call(lib, x)
    except Exception as e:  # noqa: BLE001 - the exception type is what is compared
        return type(e), None
    grad = None
    if x.requires_grad and out[0].numel():
        w = lib.tensor(np.linspace(-1, 2, out[0].numel()).reshape(tuple(out[0].shape)),
                       dtype=out[0].dtype)
        (out[0] * w).sum().backward()
        grad = x.grad.numpy()
    return [t.detach().numpy() for t in out], grad


@pytest.mark.oracle
@pytest.mark.parametrize("call", sorted(CALLS))
@pytest.mark.parametrize("kind", sorted(INPUTS))
def test_matches_torch(torch, call, kind):
    (ours, our_grad), (theirs, their_grad) = (_run(lib, CALLS[call], INPUTS[kind])
                                              for lib in (nbtorch, torch))
    if isinstance(theirs, type):
        assert ours is theirs
        return
    assert not isinstance(ours, type), ours
    for o, t in zip(ours, theirs):
        assert o.dtype == t.dtype and o.shape == t.shape
        np.testing.assert_array_equal(o, t)
    if their_grad is None:
        assert our_grad is None
    else:
        np.testing.assert_allclose(our_grad, their_grad, rtol=1e-6)
