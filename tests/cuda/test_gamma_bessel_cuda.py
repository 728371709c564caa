"""lgamma, digamma, polygamma, mvlgamma, zeta and the modified Bessel functions on cuda give
the CPU's values (also at poles, infinities and NaN), dtypes and gradients, first and second
order (tiny sizes: the simulator runs every thread in Python)."""

import numpy as np
import pytest

import nbtorch as torch
import nbtorch.special as special

from ._compare import assert_cuda_equals_cpu

pytestmark = pytest.mark.cuda

X = np.array([[-2.7, -0.4, 0.3, 1.7], [4.2, 11.5, -9.5, 8.7]])
POSITIVE = np.abs(X) + 0.6
# (values at and around poles and the special values; large ones are left out: the simulator
# runs Python's math, which raises on overflow where a GPU returns inf)
SPECIAL = np.array([0.0, -0.0, -1.0, -3.0, 1.0, 2.0, 10.0, 8.0, np.inf, -np.inf, np.nan,
                    1e-30, -1e-30, 0.5])

FUNCTIONS = {
    "lgamma": lambda x: torch.lgamma(x),
    "digamma": lambda x: x.digamma(),
    "polygamma 1": lambda x: torch.polygamma(1, x),
    "polygamma 3": lambda x: x.polygamma(3),
    "i0": lambda x: x.i0(),
    "i0e": lambda x: special.i0e(x),
    "i1": lambda x: special.i1(x),
    "i1e": lambda x: special.i1e(x),
    "mvlgamma": lambda x: torch.mvlgamma(x, 3),
    "zeta in q": lambda x: special.zeta(3.0, x),
}


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("name", list(FUNCTIONS))
def test_values_and_gradients_equal_the_cpus(name, dtype):
    fn = FUNCTIONS[name]
    data = (POSITIVE if name in ("mvlgamma",) else X).astype(dtype)
    rtol = 1e-5 if dtype == np.float32 else 1e-12
    assert_cuda_equals_cpu(lambda T: fn(T(data, grad=True)), rtol=rtol, atol=1e-30)


@pytest.mark.parametrize("name", list(FUNCTIONS))
def test_special_values_equal_the_cpus(name):
    fn = FUNCTIONS[name]
    x = torch.tensor(SPECIAL)
    want, got = fn(x).numpy(), fn(x.cuda()).cpu().numpy()
    for test in (np.isnan, np.isposinf, np.isneginf):
        assert np.array_equal(test(got), test(want))
    finite = np.isfinite(want)
    np.testing.assert_allclose(got[finite], want[finite], rtol=1e-12, atol=1e-300)


def test_zeta_broadcasts_and_takes_numbers_on_either_side():
    x = np.array([[2.0], [3.5]])
    q = np.array([0.5, 1.0, 7.25])
    want = special.zeta(torch.tensor(x), torch.tensor(q)).numpy()
    got = special.zeta(torch.tensor(x).cuda(), torch.tensor(q).cuda())
    assert got.shape == (2, 3) and got.dtype == torch.float64
    np.testing.assert_allclose(got.cpu().numpy(), want, rtol=1e-12)
    np.testing.assert_allclose(special.zeta(torch.tensor(x).cuda(), 2.0).cpu().numpy(),
                               special.zeta(torch.tensor(x), 2.0).numpy(), rtol=1e-12)
    # an integer tensor promotes to the default float, as on the CPU
    ints = torch.tensor([2, 3])
    got = special.zeta(ints.cuda(), 1.5)
    assert got.dtype == torch.float32
    np.testing.assert_allclose(got.cpu().numpy(), special.zeta(ints, 1.5).numpy(), rtol=1e-6)


@pytest.mark.parametrize("name", ["lgamma", "i1", "i1e", "polygamma 1"])
def test_second_derivatives_equal_the_cpus(name):
    fn = FUNCTIONS[name]
    results = []
    for device in ("cpu", "cuda"):
        t = torch.tensor(X[0]).to(device).requires_grad_()
        (g,) = torch.autograd.grad(fn(t).sum(), t, create_graph=True)
        g.sum().backward()
        results.append([g.detach().cpu().numpy(), t.grad.cpu().numpy()])
    for cuda_value, value in zip(results[1], results[0]):
        np.testing.assert_allclose(cuda_value, value, rtol=1e-12)


def test_i1_gradient_at_zero_is_one_half_on_cuda():
    t = torch.tensor([0.0, -0.0, 1e-20]).cuda().requires_grad_()
    special.i1(t).sum().backward()
    np.testing.assert_array_equal(t.grad.cpu().numpy(), [0.5, 0.5, 0.5])


@pytest.mark.parametrize("name", ["lgamma", "digamma", "i0", "i0e", "i1", "i1e"])
def test_strided_views_equal_the_cpus(name):
    # a transposed view: the strided kernel, not the flat one
    fn = FUNCTIONS[name]
    want = fn(torch.tensor(X).t()).numpy()
    got = fn(torch.tensor(X).cuda().t()).cpu().numpy()
    np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-300)


def test_zeta_of_numbers_and_views_equals_the_cpus():
    # a number for x, or for q, and strided or same-shape operands: every zeta kernel
    x, q = torch.tensor([[2.0, 3.0], [4.5, 6.0]]), torch.tensor([[0.5, 1.0], [2.5, 9.0]])
    cases = [lambda x, q: special.zeta(2.5, q), lambda x, q: special.zeta(x, 1.5),
             lambda x, q: special.zeta(x, q), lambda x, q: special.zeta(x.t(), q),
             lambda x, q: special.zeta(x.t(), 1.5), lambda x, q: special.zeta(2.5, q.t())]
    for case in cases:
        np.testing.assert_allclose(case(x.cuda(), q.cuda()).cpu().numpy(),
                                   case(x, q).numpy(), rtol=1e-12)
