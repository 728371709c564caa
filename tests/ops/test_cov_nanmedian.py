"""cov, corrcoef and nanmedian: numpy's cov/corrcoef/nanmedian as references, PyTorch as the
oracle for values, dtypes, indices, gradients and errors, finite differences (float64,
reverse, forward and second order) for the gradients."""

import warnings

import numpy as np
import pytest

import nbtorch
from nbtorch.autograd import gradcheck, gradgradcheck

rng = np.random.default_rng(0)
X = rng.standard_normal((3, 6))
FWEIGHTS = np.array([1, 2, 0, 3, 1, 1])
AWEIGHTS = rng.uniform(0.2, 2.0, 6)


def leaf(values):
    return nbtorch.tensor(np.asarray(values, dtype=np.float64)).requires_grad_()


def check_grads(fn, *inputs):
    assert gradcheck(fn, inputs, check_forward_ad=True)
    assert gradgradcheck(fn, inputs)


def assert_raises_like(torch, call_ours, call_theirs):
    with pytest.raises(Exception) as theirs:
        call_theirs()
    with pytest.raises(type(theirs.value)) as ours:
        call_ours()
    return str(ours.value), str(theirs.value)


# -- cov, corrcoef -----------------------------------------------------------------------------


@pytest.mark.parametrize("correction", [0, 1, 2])
@pytest.mark.parametrize("weights", ["none", "f", "a", "both"])
def test_cov_matches_numpy(correction, weights):
    f = FWEIGHTS if weights in ("f", "both") else None
    a = AWEIGHTS if weights in ("a", "both") else None
    out = nbtorch.cov(nbtorch.tensor(X), correction=correction,
                      fweights=None if f is None else nbtorch.tensor(f),
                      aweights=None if a is None else nbtorch.tensor(a))
    np.testing.assert_allclose(out.numpy(), np.cov(X, ddof=correction, fweights=f, aweights=a),
                               rtol=1e-12)


def test_cov_and_corrcoef_of_one_variable_and_corrcoef_matches_numpy():
    v = X[0]
    assert nbtorch.cov(nbtorch.tensor(v)).shape == ()
    assert nbtorch.cov(nbtorch.tensor(v)).item() == pytest.approx(np.var(v, ddof=1))
    np.testing.assert_allclose(nbtorch.corrcoef(nbtorch.tensor(X)).numpy(), np.corrcoef(X),
                               rtol=1e-12)
    assert nbtorch.tensor(v).corrcoef().item() == 1.0
    assert np.isnan(nbtorch.corrcoef(nbtorch.ones(4)).item())


def test_corrcoef_stays_within_minus_one_and_one():
    a = np.random.default_rng(0).standard_normal(7)
    rows = np.stack([a, 3 * a + 1, -0.7 * a + 2])  # perfectly (anti)correlated
    c = np.cov(rows)
    assert (np.abs(c / np.sqrt(np.outer(np.diag(c), np.diag(c)))) > 1).any()  # by rounding
    out = nbtorch.corrcoef(nbtorch.tensor(rows)).numpy()
    assert (np.abs(out) <= 1).all()
    np.testing.assert_allclose(np.abs(out), 1, rtol=1e-15)


def test_cov_and_corrcoef_gradients():
    check_grads(lambda x: nbtorch.cov(x, correction=0), leaf(X))
    check_grads(lambda x, w: nbtorch.cov(x, fweights=nbtorch.tensor(FWEIGHTS), aweights=w),
                leaf(X), leaf(AWEIGHTS))
    check_grads(nbtorch.corrcoef, leaf(X))


@pytest.mark.oracle
@pytest.mark.parametrize("data", [X, X[:1], X[0], X.astype(np.float32),
                                  np.array([[1, 2, 4], [3, 1, 0]]),
                                  np.array([[1.0, 2, 3], [2, 2, 2]]), np.zeros((0, 4)),
                                  np.zeros((3, 0)), np.zeros((3, 1))])
def test_cov_and_corrcoef_match_pytorch(torch, data):
    x, tx = nbtorch.tensor(data), torch.tensor(data)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # degrees of freedom <= 0 (warned, see below)
        pairs = [(nbtorch.cov(x), torch.cov(tx)), (x.cov(correction=0), tx.cov(correction=0)),
                 (nbtorch.corrcoef(x), torch.corrcoef(tx))]
        if data.shape[-1] == 6:
            pairs.append((nbtorch.cov(x, correction=3, fweights=nbtorch.tensor(FWEIGHTS),
                                      aweights=nbtorch.tensor(AWEIGHTS)),
                          torch.cov(tx, correction=3, fweights=torch.tensor(FWEIGHTS),
                                    aweights=torch.tensor(AWEIGHTS))))
    for ours, theirs in pairs:
        assert str(ours.dtype)[8:] == str(theirs.dtype)[6:] and ours.shape == theirs.shape
        np.testing.assert_allclose(ours.numpy(), theirs.numpy(), rtol=1e-6, atol=1e-7)


@pytest.mark.oracle
def test_cov_dtype_follows_the_weights_and_warns_without_degrees_of_freedom(torch):
    x32 = X.astype(np.float32)
    ours = nbtorch.cov(nbtorch.tensor(x32), aweights=nbtorch.tensor(AWEIGHTS))
    theirs = torch.cov(torch.tensor(x32), aweights=torch.tensor(AWEIGHTS))
    assert ours.dtype == nbtorch.float64 and theirs.dtype == torch.float64
    with pytest.warns(UserWarning, match="degrees of freedom is <= 0"):
        ours = nbtorch.cov(nbtorch.tensor(X), correction=6)
    with pytest.warns(UserWarning, match="degrees of freedom is <= 0"):
        theirs = torch.cov(torch.tensor(X), correction=6)
    np.testing.assert_array_equal(ours.numpy(), theirs.numpy())  # +-inf


@pytest.mark.oracle
def test_cov_gradients_match_pytorch(torch):
    x, w = leaf(X), leaf(AWEIGHTS)
    tx, tw = (torch.tensor(v).requires_grad_() for v in (X, AWEIGHTS))
    weights = rng.standard_normal((3, 3))
    for lib, a, b in ((nbtorch, x, w), (torch, tx, tw)):
        out = lib.cov(a, aweights=b) + lib.corrcoef(a)
        (out * lib.tensor(weights)).sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), tx.grad.numpy(), rtol=1e-10)
    np.testing.assert_allclose(w.grad.numpy(), tw.grad.numpy(), rtol=1e-10)


@pytest.mark.oracle
@pytest.mark.parametrize("call", [
    lambda lib, x: lib.cov(x.reshape(1, 3, 6)),
    lambda lib, x: lib.cov(x > 0),
    lambda lib, x: lib.cov(x, correction=1.5),
    lambda lib, x: lib.cov(x, fweights=lib.tensor([1.0, 2, 1, 1, 1, 1])),
    lambda lib, x: lib.cov(x, fweights=lib.tensor([1, -2, 1, 1, 1, 1])),
    lambda lib, x: lib.cov(x, fweights=lib.tensor([[1, 2, 1, 1, 1, 1]])),
    lambda lib, x: lib.cov(x, fweights=lib.tensor([1, 2, 1, 1])),
    lambda lib, x: lib.cov(x, aweights=lib.tensor([1, 2, 1, 1, 1, 1])),
    lambda lib, x: lib.cov(x, aweights=lib.tensor([1.0, -2, 1, 1, 1, 1])),
    lambda lib, x: lib.cov(x, aweights=lib.tensor([1.0, 2, 1, 1])),
    lambda lib, x: lib.cov(x, fweights=lib.zeros(6, dtype=lib.int64)),
    lambda lib, x: lib.corrcoef(x.reshape(1, 3, 6)),
])
def test_cov_errors(torch, call):
    ours, theirs = assert_raises_like(torch, lambda: call(nbtorch, nbtorch.tensor(X)),
                                      lambda: call(torch, torch.tensor(X)))
    assert ours == theirs


# -- nanmedian ---------------------------------------------------------------------------------

NAN = np.nan
WITH_NANS = np.array([[1.0, NAN, 3.0, 2.0, 5.0],
                      [NAN, NAN, NAN, NAN, NAN],
                      [2.0, 2.0, NAN, 1.0, 7.0],
                      [4.0, 0.5, -1.0, NAN, 9.0]])


def _numpy_lower_nanmedian(a, axis):
    """The lower middle of the values that are not NaN (numpy's nanmedian averages)."""
    def one(row):
        kept = np.sort(row[~np.isnan(row)])
        return kept[(len(kept) - 1) // 2] if len(kept) else np.nan

    return np.apply_along_axis(one, axis, a)


@pytest.mark.parametrize("dim", [0, 1, -1])
def test_nanmedian_values_and_indices(dim):
    out = nbtorch.nanmedian(nbtorch.tensor(WITH_NANS), dim)
    expected = _numpy_lower_nanmedian(WITH_NANS, dim)
    np.testing.assert_array_equal(out.values.numpy(), expected)
    picked = np.take_along_axis(WITH_NANS, np.expand_dims(out.indices.numpy(), dim), dim)
    np.testing.assert_array_equal(picked.squeeze(dim), expected)
    assert type(out).__name__ == "nanmedian"
    if dim != 0:  # row 1 is all NaN: its first NaN is picked (PyTorch leaves which open)
        assert out.indices[1].item() == 0
    assert nbtorch.nanmedian(nbtorch.tensor(WITH_NANS)).item() == \
        _numpy_lower_nanmedian(WITH_NANS.reshape(-1), 0)


def test_nanmedian_gradients():
    check_grads(lambda x: nbtorch.nanmedian(x, 1).values, leaf(WITH_NANS[[0, 3]]))  # no ties
    check_grads(lambda x: x.nanmedian(0, keepdim=True).values, leaf(WITH_NANS[[0, 3]]))
    check_grads(nbtorch.nanmedian, leaf([1.0, NAN, 3.0, 2.0, 5.0]))


@pytest.mark.oracle
@pytest.mark.parametrize("data", [WITH_NANS, WITH_NANS[1], np.array([3, 1, 2, 7]),
                                  np.array([1.0, 1.0, NAN, 2.0]), np.array(3.0),
                                  np.array([]), np.zeros((2, 0)), np.array([[NAN, 1.0]])])
def test_nanmedian_matches_pytorch(torch, data):
    x = nbtorch.tensor(data).requires_grad_(data.dtype.kind == "f")
    tx = torch.tensor(data).requires_grad_(data.dtype.kind == "f")
    ours, theirs = nbtorch.nanmedian(x), torch.nanmedian(tx)
    assert str(ours.dtype)[8:] == str(theirs.dtype)[6:]
    np.testing.assert_array_equal(ours.detach().numpy(), theirs.detach().numpy())
    if data.size and data.dtype.kind == "f":  # ties and all-NaN share the gradient
        ours.backward()
        theirs.backward()
        np.testing.assert_allclose(x.grad.numpy(), tx.grad.numpy(), rtol=1e-12)
    for dim in range(data.ndim):
        if data.shape[dim] == 0:
            continue
        ours, theirs = x.nanmedian(dim, keepdim=True), tx.nanmedian(dim, keepdim=True)
        np.testing.assert_array_equal(ours.values.detach().numpy(),
                                      theirs.values.detach().numpy())
        has_number = ~np.isnan(theirs.values.detach().numpy())  # all NaN: PyTorch's index
        np.testing.assert_array_equal(ours.indices.numpy()[has_number],  # is unspecified
                                      theirs.indices.numpy()[has_number])


@pytest.mark.oracle
def test_nanmedian_errors(torch):
    ours, theirs = assert_raises_like(torch, lambda: nbtorch.zeros(2, 0).nanmedian(1),
                                      lambda: torch.zeros(2, 0).nanmedian(1))
    assert ours == theirs
    assert_raises_like(torch, lambda: nbtorch.nanmedian(nbtorch.ones(2), 2),
                       lambda: torch.nanmedian(torch.ones(2), 2))
    result = nbtorch.nanmedian(nbtorch.zeros(2, 0), 0)
    assert result.values.shape == (0,) and result.indices.dtype == nbtorch.int64
