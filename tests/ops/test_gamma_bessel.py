"""lgamma, digamma, polygamma, mvlgamma, Hurwitz's zeta and the modified Bessel functions
i0, i0e, i1, i1e: values against PyTorch (many points, special values, float32 and integer
inputs), accuracy against mpmath's arbitrary precision where PyTorch's own values are less
accurate, gradients by finite differences (gradcheck, gradgradcheck, forward AD) and against
PyTorch's at higher order, Tensor methods, in-place forms, and PyTorch's errors."""

import math

import numpy as np
import pytest

import nbtorch
import nbtorch.special as special
from nbtorch.autograd import gradcheck, gradgradcheck

rng = np.random.default_rng(0)

# Ordinary points (both signs, both Chebyshev ranges of the Bessel functions, around the
# shift point 10 of digamma) and special ones: poles, signed zeros, infinities, NaN, tiny.
ORDINARY = np.concatenate([np.linspace(-30, 30, 601) + 1e-3, rng.standard_normal(200) * 10,
                           np.geomspace(1e-8, 1e8, 60), -np.geomspace(1e-6, 50, 40) + 0.123])
SPECIAL = np.array([0.0, -0.0, -1.0, -2.0, -17.0, 1.0, 2.0, 10.0, -2.5, np.inf, -np.inf,
                    np.nan, 1e-300, -1e-300, 1e300, 1e-30, -1e-30, 0.5, 8.0, -8.0, 700.0])

# name -> (nbtorch function, its PyTorch name as a function of the torch module)
UNARY = {
    "lgamma": (nbtorch.lgamma, lambda t: t.lgamma),
    "digamma": (nbtorch.digamma, lambda t: t.digamma),
    "i0": (nbtorch.i0, lambda t: t.i0),
    "i0e": (special.i0e, lambda t: t.special.i0e),
    "i1": (special.i1, lambda t: t.special.i1),
    "i1e": (special.i1e, lambda t: t.special.i1e),
}


def both(torch, name, x):
    """The function ``name`` of UNARY on x (float64) in nbtorch and in PyTorch, as arrays."""
    ours, theirs = UNARY[name]
    return ours(nbtorch.tensor(x)).numpy(), theirs(torch)(torch.tensor(x)).numpy()


def assert_same_special_values(got, want):
    """Equal where finite (to rounding), and the same inf, -inf and NaN elsewhere."""
    assert np.array_equal(np.isnan(got), np.isnan(want))
    assert np.array_equal(np.isposinf(got), np.isposinf(want))
    assert np.array_equal(np.isneginf(got), np.isneginf(want))
    finite = np.isfinite(want)
    np.testing.assert_allclose(got[finite], want[finite], rtol=1e-13, atol=1e-300)


def leaf(values):
    return nbtorch.tensor(np.asarray(values, dtype=np.float64), requires_grad=True)


def check_grads(fn, *inputs):
    assert gradcheck(fn, inputs, check_forward_ad=True)
    assert gradgradcheck(fn, inputs)


# -- values --------------------------------------------------------------------------------


@pytest.mark.oracle
@pytest.mark.parametrize("name", list(UNARY))
def test_float64_values_match_pytorch(torch, name):
    x = ORDINARY if name in ("lgamma", "digamma") else np.linspace(-700, 700, 1401) + 0.3
    got, want = both(torch, name, x)
    assert got.dtype == np.float64
    # lgamma and digamma cross zero (at 1, 2 and between the negative poles): near a zero
    # only an absolute error is meaningful
    atol = 1e-13 if name in ("lgamma", "digamma") else 0
    np.testing.assert_allclose(got, want, rtol=1e-12, atol=atol)


@pytest.mark.oracle
@pytest.mark.parametrize("name", list(UNARY))
def test_special_values_match_pytorch(torch, name):
    got, want = both(torch, name, SPECIAL)
    assert_same_special_values(got, want)
    # the sign of zero too (digamma(-0) = +inf, i1e(-inf) = -0)
    zeros = want == 0
    assert np.array_equal(np.signbit(got[zeros]), np.signbit(want[zeros]))


@pytest.mark.oracle
@pytest.mark.parametrize("n", [0, 2, 3, 4, 7])
def test_polygamma_matches_pytorch(torch, n):
    x = ORDINARY[np.abs(ORDINARY) < 1e4]  # beyond, zeta adds up |x| terms one by one
    got = nbtorch.polygamma(n, nbtorch.tensor(x)).numpy()
    want = torch.polygamma(n, torch.tensor(x)).numpy()
    np.testing.assert_allclose(got, want, rtol=1e-11, atol=1e-13 if n == 0 else 0)
    got = nbtorch.polygamma(n, nbtorch.tensor(SPECIAL[np.abs(SPECIAL) < 1e4])).numpy()
    want = torch.polygamma(n, torch.tensor(SPECIAL[np.abs(SPECIAL) < 1e4])).numpy()
    assert_same_special_values(got, want)


@pytest.mark.oracle
def test_trigamma_is_pytorchs_to_its_accuracy_and_exact_to_mpmath(torch):
    mpmath = pytest.importorskip("mpmath")
    x = ORDINARY[(np.abs(ORDINARY) < 1e4) & (np.abs(ORDINARY - np.round(ORDINARY)) > 1e-3)]
    got = nbtorch.polygamma(1, nbtorch.tensor(x)).numpy()
    # PyTorch's trigamma is a shorter series, good to about 5e-10
    np.testing.assert_allclose(got, torch.polygamma(1, torch.tensor(x)).numpy(), rtol=2e-9)
    exact = np.array([float(mpmath.polygamma(1, v)) for v in x[::7]])
    np.testing.assert_allclose(got[::7], exact, rtol=1e-12)


def test_digamma_keeps_its_accuracy_next_to_a_negative_pole():
    mpmath = pytest.importorskip("mpmath")
    x = np.array([-2 + 1e-10, -2 - 1e-10, -5 + 1e-7, -0.5 - 1e-9, -30.25])
    got = nbtorch.digamma(nbtorch.tensor(x)).numpy()
    exact = np.array([float(mpmath.digamma(v)) for v in x])
    np.testing.assert_allclose(got, exact, rtol=1e-13)


@pytest.mark.parametrize("name", ["i0", "i1"])
def test_bessel_functions_match_their_power_series(name):
    """I_nu(x) = sum_k (x/2)^(2k+nu) / (k! (k+nu)!), summed in float64 (exact enough for
    |x| <= 20), and the scaled forms are exp(-|x|) times it."""
    nu = int(name[1])
    x = np.linspace(-20, 20, 81) + 0.05
    k = np.arange(80)
    log_factorials = np.array([math.lgamma(j + 1) for j in range(82)])
    terms = np.exp((2 * k + nu)[:, None] * np.log(np.abs(x) / 2)
                   - (log_factorials[k] + log_factorials[k + nu])[:, None])
    series = terms.sum(0) * np.sign(x) ** nu
    got = getattr(special, name)(nbtorch.tensor(x)).numpy()
    np.testing.assert_allclose(got, series, rtol=1e-13)
    scaled = getattr(special, name + "e")(nbtorch.tensor(x)).numpy()
    np.testing.assert_allclose(scaled, series * np.exp(-np.abs(x)), rtol=1e-13)


def test_lgamma_and_digamma_of_whole_numbers():
    """Gamma(n) = (n-1)!, and psi(n) = -gamma + sum_{k < n} 1/k (gamma: Euler's constant)."""
    n = np.arange(1, 30)
    lgamma = nbtorch.lgamma(nbtorch.tensor(n.astype(np.float64))).numpy()
    np.testing.assert_allclose(lgamma, [math.log(math.factorial(k - 1)) for k in n], atol=1e-13)
    psi = nbtorch.digamma(nbtorch.tensor(n.astype(np.float64))).numpy()
    euler = 0.57721566490153286061
    np.testing.assert_allclose(psi, [-euler + sum(1 / j for j in range(1, k)) for k in n],
                               rtol=1e-14, atol=1e-15)


@pytest.mark.oracle
@pytest.mark.parametrize("p", [1, 2, 3, 5])
def test_mvlgamma_matches_pytorch(torch, p):
    x = np.abs(ORDINARY[np.abs(ORDINARY) < 1e6]) + (p - 1) / 2 + 1e-3
    got = nbtorch.mvlgamma(nbtorch.tensor(x), p).numpy()
    np.testing.assert_allclose(got, torch.mvlgamma(torch.tensor(x), p).numpy(), rtol=1e-13)
    # below (p - 1)/2 PyTorch no longer refuses: it sums the lgamma terms, and so do we
    low = np.array([0.3, 0.9, -2.5, 0.0, np.nan])
    assert_same_special_values(nbtorch.mvlgamma(nbtorch.tensor(low), p).numpy(),
                               torch.mvlgamma(torch.tensor(low), p).numpy())


@pytest.mark.oracle
def test_zeta_matches_pytorch_with_broadcasting_and_numbers(torch):
    x = np.concatenate([rng.uniform(1.01, 12, 300), rng.integers(2, 12, 300)])
    q = np.concatenate([rng.uniform(-20, 20, 400), np.geomspace(1e-5, 1e5, 200)])
    got = special.zeta(nbtorch.tensor(x), nbtorch.tensor(q)).numpy()
    want = torch.special.zeta(torch.tensor(x), torch.tensor(q)).numpy()
    assert_same_special_values(got, want)
    np.testing.assert_allclose(got, want, rtol=1e-12)
    # special values of both arguments, every combination (broadcast (9, 1) with (12,))
    xs = np.array([1.0, 0.5, 2.0, 3.5, np.inf, np.nan, 3.0, 4.0, 1.0000001])[:, None]
    qs = np.array([0.0, -1.0, -1.5, -np.inf, np.inf, np.nan, 1e-5, 2.0, -0.0, 0.3, 25.5, -3.25])
    got = special.zeta(nbtorch.tensor(xs), nbtorch.tensor(qs))
    assert got.shape == (9, 12)
    assert_same_special_values(got.numpy(), torch.special.zeta(torch.tensor(xs),
                                                               torch.tensor(qs)).numpy())
    for a, b in ((3.0, np.array([0.5, 2.0, -1.5])), (np.array([2.0, 4.5]), 1.0)):
        ours = special.zeta(*(nbtorch.tensor(v) if isinstance(v, np.ndarray) else v
                              for v in (a, b)))
        theirs = torch.special.zeta(*(torch.tensor(v) if isinstance(v, np.ndarray) else v
                                      for v in (a, b)))
        np.testing.assert_allclose(ours.numpy(), theirs.numpy(), rtol=1e-13)


def test_riemann_zeta_at_even_integers():
    """zeta(2k, 1) = |B_2k| (2 pi)^2k / (2 (2k)!): pi^2/6, pi^4/90, pi^6/945."""
    got = special.zeta(nbtorch.tensor([2.0, 4.0, 6.0], dtype=nbtorch.float64), 1.0).numpy()
    np.testing.assert_allclose(got, [math.pi**2 / 6, math.pi**4 / 90, math.pi**6 / 945],
                               rtol=1e-15)


# -- dtypes --------------------------------------------------------------------------------

ALL = {**UNARY,
       "polygamma": (lambda x: nbtorch.polygamma(2, x), lambda t: lambda x: t.polygamma(2, x)),
       "mvlgamma": (lambda x: nbtorch.mvlgamma(x, 2), lambda t: lambda x: t.mvlgamma(x, 2)),
       "zeta": (lambda q: special.zeta(3.0, q), lambda t: lambda q: t.special.zeta(3.0, q))}


@pytest.mark.oracle
@pytest.mark.parametrize("name", list(ALL))
def test_float32_results_are_the_float64_values_rounded(torch, name):
    ours, theirs = ALL[name]
    x = np.abs(rng.standard_normal(200) * 5) + 1.2 if name in ("mvlgamma", "zeta") else (
        rng.standard_normal(200) * 5)
    got = ours(nbtorch.tensor(x.astype(np.float32)))
    assert got.dtype == nbtorch.float32
    want = theirs(torch)(torch.tensor(x.astype(np.float32)).double()).numpy()
    np.testing.assert_allclose(got.numpy(), want.astype(np.float32), rtol=2e-7, atol=1e-30)


@pytest.mark.oracle
@pytest.mark.parametrize("name, dtype", [  # (mvlgamma refuses bool: see the errors below)
    (name, dtype) for name in ALL for dtype in ("int64", "int32", "uint8", "bool")
    if (name, dtype) != ("mvlgamma", "bool")])
def test_integer_and_bool_inputs_promote_like_pytorch(torch, name, dtype):
    ours, theirs = ALL[name]
    x = np.array([1, 2, 5, 0]) if dtype != "bool" else np.array([True, False])
    for default in (nbtorch.float32, nbtorch.float64):
        nbtorch.set_default_dtype(default)
        try:
            torch.set_default_dtype(getattr(torch, str(default).split(".")[1]))
            want = theirs(torch)(torch.tensor(x.astype(dtype)))
            got = ours(nbtorch.tensor(x.astype(dtype)))
        finally:
            nbtorch.set_default_dtype(nbtorch.float32)
            torch.set_default_dtype(torch.float32)
        assert str(got.dtype) == str(want.dtype).replace("torch", "nbtorch")
        np.testing.assert_allclose(got.numpy(), want.numpy(), rtol=1e-6)


# -- gradients -----------------------------------------------------------------------------

GAMMA_POINTS = [-2.7, -0.4, 0.3, 1.7, 4.2, 11.5]
BESSEL_POINTS = [-9.5, -3.1, -0.6, 0.4, 2.2, 8.7]


@pytest.mark.parametrize("name", list(UNARY))
def test_gradients_by_finite_differences(name):
    points = GAMMA_POINTS if name in ("lgamma", "digamma") else BESSEL_POINTS
    check_grads(UNARY[name][0], leaf(points))


@pytest.mark.parametrize("n", [0, 1, 2, 3])
def test_polygamma_gradients_by_finite_differences(n):
    check_grads(lambda x: nbtorch.polygamma(n, x), leaf(GAMMA_POINTS))


def test_mvlgamma_gradients_by_finite_differences():
    check_grads(lambda x: nbtorch.mvlgamma(x, 3), leaf([1.3, 2.5, 7.0]))


def test_zeta_gradient_in_q_by_finite_differences():
    x = nbtorch.tensor([2.0, 3.5, 6.0], dtype=nbtorch.float64)
    check_grads(lambda q: special.zeta(x, q), leaf([0.7, 2.5, 10.0]))
    check_grads(lambda q: special.zeta(3.0, q), leaf([-1.5, -0.3, 4.0]))


@pytest.mark.oracle
@pytest.mark.parametrize("name", list(ALL))
def test_second_derivatives_in_both_modes_match_pytorch(torch, name):
    """The Hessian's diagonal, forward over reverse and forward over forward."""
    ours, theirs = ALL[name]
    x = np.array(BESSEL_POINTS if name.startswith("i") else GAMMA_POINTS)
    if name in ("mvlgamma", "zeta"):
        x = np.abs(x) + 0.6
    if name == "zeta":  # PyTorch has no forward AD for zeta: its reverse over reverse
        t = torch.tensor(x, requires_grad=True)
        first, = torch.autograd.grad(theirs(torch)(t).sum(), t, create_graph=True)
        want = np.diag(torch.autograd.grad(first.sum(), t)[0].numpy())
    else:
        want = torch.func.hessian(lambda t: theirs(torch)(t).sum())(torch.tensor(x)).numpy()
    # PyTorch's lgamma'' is its trigamma, good to about 5e-10
    rtol = 2e-9 if name in ("lgamma", "mvlgamma") else 1e-12
    for second in (nbtorch.func.hessian,
                   lambda f: nbtorch.func.jacfwd(nbtorch.func.jacfwd(f))):
        got = second(lambda t: ours(t).sum())(nbtorch.tensor(x)).numpy()
        np.testing.assert_allclose(got, want, rtol=rtol, atol=1e-14)


@pytest.mark.oracle
@pytest.mark.parametrize("name", ["i0", "i0e", "i1", "i1e"])
def test_bessel_gradients_at_and_near_zero_match_pytorch(torch, name):
    x = np.array([0.0, -0.0, 1e-20, -1e-20, 2e-16, 1e-7])
    for dtype in ("float64", "float32"):
        ours, theirs = nbtorch.tensor(x.astype(dtype)), torch.tensor(x.astype(dtype))
        ours.requires_grad_(), theirs.requires_grad_()
        UNARY[name][0](ours).sum().backward()
        UNARY[name][1](torch)(theirs).sum().backward()
        np.testing.assert_allclose(ours.grad.numpy(), theirs.grad.numpy(), rtol=1e-6)


@pytest.mark.oracle
def test_third_derivative_of_lgamma_is_polygamma_2(torch):
    x = leaf([0.6, 3.3, 12.0])
    d1, = nbtorch.autograd.grad(nbtorch.lgamma(x).sum(), x, create_graph=True)
    d2, = nbtorch.autograd.grad(d1.sum(), x, create_graph=True)
    d3, = nbtorch.autograd.grad(d2.sum(), x)
    want = torch.polygamma(2, torch.tensor(x.detach().numpy())).numpy()
    np.testing.assert_allclose(d3.numpy(), want, rtol=1e-13)


@pytest.mark.oracle
def test_zeta_has_no_derivative_in_x_like_pytorch(torch):
    x, q = leaf([2.0, 3.0]), leaf([1.5, 2.0])
    out = special.zeta(x, q).sum()
    with pytest.raises(NotImplementedError, match="derivative for 'zeta'"):
        out.backward()
    tx = torch.tensor([2.0, 3.0], requires_grad=True)
    with pytest.raises(NotImplementedError):
        torch.special.zeta(tx, torch.tensor([1.5, 2.0])).sum().backward()
    with nbtorch.autograd.forward_ad.dual_level():
        dual = nbtorch.autograd.forward_ad.make_dual(x.detach(), nbtorch.ones(2).double())
        with pytest.raises(NotImplementedError, match="derivative for 'zeta'"):
            special.zeta(dual, q.detach())
    # in q, the gradient is PyTorch's, -x zeta(x + 1, q)
    qt = torch.tensor([1.5, 2.0], dtype=torch.float64, requires_grad=True)
    torch.special.zeta(torch.tensor([2.0, 3.0], dtype=torch.float64), qt).sum().backward()
    q = leaf([1.5, 2.0])
    special.zeta(x.detach(), q).sum().backward()
    np.testing.assert_allclose(q.grad.numpy(), qt.grad.numpy(), rtol=1e-14)


# -- methods, in-place forms, aliases ------------------------------------------------------


@pytest.mark.oracle
def test_tensor_methods_and_in_place_forms_match_pytorch(torch):
    x = np.array([0.7, 2.5, 6.0])
    calls = [("lgamma", ()), ("digamma", ()), ("polygamma", (2,)), ("mvlgamma", (2,)),
             ("i0", ())]
    for method, args in calls:
        want = getattr(torch.tensor(x), method)(*args).numpy()
        np.testing.assert_allclose(getattr(nbtorch.tensor(x), method)(*args).numpy(), want,
                                   rtol=1e-13)
        t = nbtorch.tensor(x)
        assert getattr(t, method + "_")(*args) is t
        np.testing.assert_allclose(t.numpy(), want, rtol=1e-13)
        with pytest.raises(RuntimeError):
            getattr(torch.tensor([1, 2]), method + "_")(*args)
        with pytest.raises(RuntimeError, match="can't be cast"):
            getattr(nbtorch.tensor([1, 2]), method + "_")(*args)


def test_in_place_form_records_its_gradient():
    x = leaf([0.7, 2.5])
    y = x * 1.0
    y.lgamma_()
    y.sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), nbtorch.digamma(x.detach()).numpy())


def test_torch_special_aliases():
    x = nbtorch.tensor([0.7, 2.5, 6.0])
    assert special.gammaln is nbtorch.lgamma and special.psi is nbtorch.digamma
    assert special.multigammaln is nbtorch.mvlgamma and special.i0 is nbtorch.i0
    assert special.digamma is nbtorch.digamma and special.polygamma is nbtorch.polygamma
    np.testing.assert_allclose(special.polygamma(0, x).numpy(), nbtorch.digamma(x).numpy())
    for name in ("gammaln", "psi", "polygamma", "multigammaln", "i0e", "i1", "i1e", "zeta"):
        assert name in special.__all__


# -- errors --------------------------------------------------------------------------------

T = np.array([1.5, 2.5])
BAD_CALLS = {
    "polygamma, negative n": (lambda m, t: m.polygamma(-1, t), RuntimeError, "negative n"),
    "polygamma, float n": (lambda m, t: m.polygamma(1.5, t), TypeError, "'n'.*must be int"),
    "polygamma, bool n": (lambda m, t: m.polygamma(True, t), TypeError, "must be int, not bool"),
    "polygamma, number x": (lambda m, t: m.polygamma(1, 2.0), TypeError, "must be Tensor"),
    "mvlgamma, p = 0": (lambda m, t: m.mvlgamma(t, 0), RuntimeError, "p has to be greater"),
    "mvlgamma, float p": (lambda m, t: m.mvlgamma(t, 2.0), TypeError, "'p'.*must be int"),
    "mvlgamma, bool input": (lambda m, t: m.mvlgamma(t > 2, 1), RuntimeError, "boolean"),
    "mvlgamma, number x": (lambda m, t: m.mvlgamma(2.0, 2), TypeError, "must be Tensor"),
    "lgamma, list": (lambda m, t: m.lgamma([1.0]), TypeError, "must be Tensor, not list"),
    "i0, number": (lambda m, t: m.i0(1.0), TypeError, "must be Tensor, not float"),
    "i1e, list": (lambda m, t: m.special.i1e([1.0]), TypeError, "must be Tensor"),
    "zeta, two numbers": (lambda m, t: m.special.zeta(2.0, 3.0), TypeError, "Tensor"),
    "zeta, a string": (lambda m, t: m.special.zeta(t, "a"), TypeError, "str"),
    "zeta, shapes": (lambda m, t: m.special.zeta(t, t[:, None].expand(2, 3)), RuntimeError,
                     "size"),
}


@pytest.mark.oracle
@pytest.mark.parametrize("case", list(BAD_CALLS))
def test_errors_match_pytorch(torch, case):
    call, error, message = BAD_CALLS[case]
    with pytest.raises(error):
        call(torch, torch.tensor(T))
    x = nbtorch.tensor(T)
    with pytest.raises(error, match=message):
        call(nbtorch, x)
    np.testing.assert_array_equal(x.numpy(), T)  # left as it was
