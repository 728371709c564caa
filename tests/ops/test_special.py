"""logaddexp, logaddexp2, hypot, erfinv, heaviside: values against numpy (and erfinv against
the standard library's erf), stability at huge and tiny inputs, gradients by gradcheck and
gradgradcheck with forward AD, and values, gradients and errors against PyTorch."""

import math

import numpy as np
import pytest

import nbtorch
from nbtorch.autograd import gradcheck, gradgradcheck

rng = np.random.default_rng(0)

# extreme and special values, paired so that every combination occurs
EDGES = np.array([0.0, -0.0, 1.5, -2.0, 700.0, -745.0, 1e200, -1e200, 1e-300, np.inf,
                  -np.inf, np.nan])
A, B = (a.ravel() for a in np.meshgrid(EDGES, EDGES))


def check_grads(fn, *inputs):
    assert gradcheck(fn, inputs, check_forward_ad=True)
    assert gradgradcheck(fn, inputs)


def leaf(array):
    return nbtorch.tensor(np.asarray(array, dtype=np.float64), requires_grad=True)


@pytest.mark.parametrize("name", ["logaddexp", "logaddexp2", "hypot"])
def test_special_and_extreme_values_match_numpy(name):
    with np.errstate(all="ignore"):
        want = getattr(np, name)(A, B)
    got = getattr(nbtorch, name)(nbtorch.tensor(A), nbtorch.tensor(B))
    assert got.dtype == nbtorch.float64
    # (log1p(e^-745) is the smallest subnormal number, 5e-324, which numpy rounds to 0)
    np.testing.assert_allclose(got.numpy(), want, rtol=1e-13, atol=1e-323, equal_nan=True)


@pytest.mark.parametrize("name", ["logaddexp", "logaddexp2", "hypot"])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_random_values_match_numpy_with_broadcasting(name, dtype):
    a = (rng.standard_normal((3, 1)) * 30).astype(dtype)
    b = (rng.standard_normal(4) * 30).astype(dtype)
    got = getattr(nbtorch.tensor(a), name)(nbtorch.tensor(b))
    assert got.shape == (3, 4) and got.numpy().dtype == dtype
    rtol = 1e-6 if dtype == np.float32 else 1e-14
    np.testing.assert_allclose(got.numpy(), getattr(np, name)(a, b), rtol=rtol)


def test_logaddexp_keeps_the_small_part_of_a_result_near_zero():
    # log(1 + e^-40) = 4.2e-18: a 1 + e^-40 in the computation would round to log(1) = 0
    for small in (-40.0, -60.0, -700.0):
        got = nbtorch.logaddexp(nbtorch.tensor([0.0]), nbtorch.tensor([small])).item()
        assert got == pytest.approx(np.logaddexp(0.0, small), rel=1e-14)
        got2 = nbtorch.logaddexp2(nbtorch.tensor([0.0]), nbtorch.tensor([small])).item()
        assert got2 == pytest.approx(np.logaddexp2(0.0, small), rel=1e-14)


def test_gradients_of_logaddexp_and_hypot():
    a = leaf(rng.standard_normal((3, 4)) * 3)
    b = leaf(rng.standard_normal(4) * 3)
    for fn in (nbtorch.logaddexp, nbtorch.logaddexp2, nbtorch.hypot):
        check_grads(fn, a, b)
    ties = leaf(np.array([-1.0, 0.5, 2.0]))
    check_grads(nbtorch.logaddexp, ties, leaf(ties.detach().numpy()))  # a == b exactly
    check_grads(nbtorch.logaddexp2, ties, leaf(ties.detach().numpy()))
    big = leaf(np.array([1e200, -3e250]))
    check_grads(lambda x, y: nbtorch.hypot(x, y) / 1e250, big, leaf(np.array([2e200, 1e249])))


def test_gradients_at_huge_inputs_are_finite():
    a, b = leaf([1000.0, -1000.0, 5.0]), leaf([-1000.0, 1000.0, 5.0])
    nbtorch.logaddexp(a, b).sum().backward()
    with np.errstate(over="ignore"):
        s = 1 / (1 + np.exp(b.detach().numpy() - a.detach().numpy()))  # sigmoid(a - b)
    np.testing.assert_allclose(a.grad.numpy(), s)
    np.testing.assert_allclose(b.grad.numpy(), 1 - s)


def test_erfinv_inverts_erf():
    y = np.concatenate([np.linspace(-0.999999, 0.999999, 201), [-0.7, 0.7, 0.0]])
    x = nbtorch.erfinv(nbtorch.tensor(y)).numpy()
    np.testing.assert_allclose([math.erf(v) for v in x], y, rtol=1e-14, atol=1e-16)
    x_true = np.linspace(-3, 3, 61)
    back = nbtorch.tensor([math.erf(v) for v in x_true], dtype=nbtorch.float64).erfinv()
    back = back.numpy()
    np.testing.assert_allclose(back, x_true, rtol=1e-10, atol=1e-13)
    y32 = y.astype(np.float32)
    x32 = nbtorch.erfinv(nbtorch.tensor(y32))
    assert x32.dtype == nbtorch.float32
    np.testing.assert_allclose([math.erf(v) for v in x32.numpy()], y32, rtol=2e-6, atol=1e-7)


def test_erfinv_at_and_beyond_the_ends():
    out = nbtorch.erfinv(nbtorch.tensor([1.0, -1.0, 1.5, -2.0, np.nan])).numpy()
    assert np.isposinf(out[0]) and np.isneginf(out[1]) and np.isnan(out[2:]).all()
    assert nbtorch.erfinv(nbtorch.tensor([0, 1])).dtype == nbtorch.float32  # ints: default float


def test_erfinv_gradients():
    y = leaf(np.linspace(-0.95, 0.95, 9))
    check_grads(nbtorch.erfinv, y)
    check_grads(lambda t: t.erfinv() * t, y)


def test_heaviside_matches_numpy():
    x = np.array([[-2.0, 0.0, 3.0], [0.0, -0.0, 1e-300]])
    values = np.array([0.25, 0.5, 0.75])
    got = nbtorch.heaviside(nbtorch.tensor(x), nbtorch.tensor(values))
    np.testing.assert_array_equal(got.numpy(), np.heaviside(x, values))
    ints = np.array([-3, 0, 4])
    np.testing.assert_array_equal(nbtorch.tensor(ints).heaviside(nbtorch.tensor([7])).numpy(),
                                  np.heaviside(ints, 7))
    assert not nbtorch.heaviside(leaf(x), leaf(values)).requires_grad


def test_in_place_forms():
    a, b = rng.standard_normal(5), rng.standard_normal(5)
    x = nbtorch.tensor(a)
    assert x.hypot_(nbtorch.tensor(b)) is x
    np.testing.assert_allclose(x.numpy(), np.hypot(a, b))
    y = nbtorch.tensor(a / 4).erfinv_()
    np.testing.assert_allclose(y.numpy(), nbtorch.erfinv(nbtorch.tensor(a / 4)).numpy())
    z = nbtorch.tensor(np.round(a)).heaviside_(nbtorch.tensor([0.5], dtype=nbtorch.float64))
    np.testing.assert_array_equal(z.numpy(), np.heaviside(np.round(a), 0.5))


def test_errors():
    x, i = nbtorch.tensor([1.0]), nbtorch.tensor([1])
    for name in ("logaddexp", "logaddexp2", "hypot"):
        with pytest.raises(TypeError, match="must be Tensor, not float"):
            getattr(nbtorch, name)(x, 2.0)
        with pytest.raises(NotImplementedError, match="not implemented for 'Long'"):
            getattr(nbtorch, name)(i, i)
    with pytest.raises(RuntimeError, match="different dtypes"):
        nbtorch.heaviside(x, nbtorch.tensor([1.0], dtype=nbtorch.float64))
    with pytest.raises(TypeError, match="'values' \\(position 2\\) must be Tensor"):
        nbtorch.heaviside(x, 0.5)


# -- PyTorch as the oracle -------------------------------------------------------------------

CALLS = {
    "logaddexp": lambda L, a, b: L.logaddexp(a, b),
    "logaddexp2": lambda L, a, b: a.logaddexp2(b),
    "hypot": lambda L, a, b: L.hypot(a, b),
    "erfinv": lambda L, a, b: L.erfinv(a.clamp(-0.99, 0.99)) + b.erfinv(),
    "heaviside": lambda L, a, b: L.heaviside(a, b),
}


@pytest.mark.oracle
@pytest.mark.parametrize("name", sorted(CALLS))
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_values_and_gradients_match_torch(torch, name, dtype):
    a = np.array([[-1.5, 0.0, 0.3, 2.0], [0.3, -0.2, 0.9, -0.9]], dtype=dtype)
    b = np.array([0.3, 0.0, -0.7, 0.4], dtype=dtype)  # ties with a: logaddexp's 1/2 each
    results = []
    for lib in (nbtorch, torch):
        differentiable = name != "heaviside"  # PyTorch's heaviside has no derivative
        ta = lib.tensor(a, requires_grad=differentiable)
        tb = lib.tensor(b, requires_grad=differentiable)
        out = CALLS[name](lib, ta, tb)
        grads = None
        if differentiable:
            (out * lib.tensor(np.linspace(-1, 2, out.numel()).reshape(out.shape),
                              dtype=out.dtype)).sum().backward()
            grads = (ta.grad.numpy(), tb.grad.numpy())
        results.append((out.detach().numpy(), grads))
    (ours, our_grads), (theirs, their_grads) = results
    assert ours.dtype == theirs.dtype
    rtol = 2e-6 if dtype == "float32" else 1e-12
    np.testing.assert_allclose(ours, theirs, rtol=rtol, atol=1e-7)
    if not differentiable:
        return
    for o, t in zip(our_grads, their_grads):
        np.testing.assert_allclose(o, t, rtol=rtol * 10, atol=1e-6)


@pytest.mark.oracle
def test_special_values_match_torch(torch):
    for name in ("logaddexp", "logaddexp2", "hypot"):
        with np.errstate(all="ignore"):
            ours = getattr(nbtorch, name)(nbtorch.tensor(A), nbtorch.tensor(B)).numpy()
        theirs = getattr(torch, name)(torch.tensor(A), torch.tensor(B)).numpy()
        np.testing.assert_allclose(ours, theirs, rtol=1e-13, atol=1e-323, equal_nan=True)
    y = np.array([1.0, -1.0, 1.5, np.nan, 0.999999, -0.1, 0.0])
    for dtype in (np.float32, np.float64):
        np.testing.assert_allclose(nbtorch.erfinv(nbtorch.tensor(y.astype(dtype))).numpy(),
                                   torch.erfinv(torch.tensor(y.astype(dtype))).numpy(),
                                   rtol=1e-6 if dtype == np.float32 else 1e-11)
    x, half = np.array([-1.0, 0.0, 2.0, np.nan]), np.array([0.5])
    np.testing.assert_array_equal(
        nbtorch.heaviside(nbtorch.tensor(x), nbtorch.tensor(half)).numpy(),
        torch.heaviside(torch.tensor(x), torch.tensor(half)).numpy())


@pytest.mark.oracle
@pytest.mark.parametrize("call", [
    lambda L: L.logaddexp(L.tensor([1, 2]), L.tensor([3, 4])),
    lambda L: L.hypot(L.tensor([1.0]), 2.0),
    lambda L: L.logaddexp2(L.tensor([1.0]), 2),
    lambda L: L.heaviside(L.tensor([1.0]), L.tensor([1])),
    lambda L: L.heaviside(L.tensor([1.0]), 0.5),
    lambda L: L.logaddexp(L.tensor([1.0]), L.tensor(2)),  # a 0-d int: promoted, no error
    lambda L: L.hypot(L.tensor([3.0]), L.tensor([4.0], dtype=L.float64)),
])
def test_errors_match_torch(torch, call):
    def outcome(lib):
        try:
            out = call(lib)
        except Exception as e:  # noqa: BLE001 - the exception type is what is compared
            return type(e)
        return str(out.dtype).split(".")[-1], out.numpy()

    ours, theirs = outcome(nbtorch), outcome(torch)
    if isinstance(theirs, type):
        assert ours is theirs
    else:
        assert ours[0] == theirs[0]
        np.testing.assert_allclose(ours[1], theirs[1], rtol=1e-6)
