"""Elementwise math (asinh/acosh/atanh, erfc, xlogy, copysign, fmax/fmin, exp2, logit, sinc,
deg2rad/rad2deg, float_power, ldexp, nextafter, signbit, frexp) and ``nbtorch.special``:
values against numpy/math, gradients against finite differences in float64, and PyTorch as
the oracle for values, dtypes, gradients and errors."""

import math

import numpy as np
import pytest

import nbtorch
from nbtorch.autograd import gradcheck, gradgradcheck


def leaf(values):
    return nbtorch.tensor(np.asarray(values, dtype=np.float64)).requires_grad_()


def check_grads(fn, *inputs):
    assert gradcheck(fn, inputs, check_forward_ad=True)
    assert gradgradcheck(fn, inputs)


X = np.array([-2.5, -0.7, -0.1, 0.3, 0.9, 3.0])
POSITIVE = np.array([0.05, 0.3, 0.5, 0.8, 2.0, 7.0])

UNARY = {  # name: (nbtorch function, numpy reference, inputs where it is smooth)
    "asinh": (nbtorch.asinh, np.arcsinh, X),
    "acosh": (nbtorch.arccosh, np.arccosh, POSITIVE + 1.01),
    "atanh": (nbtorch.atanh, np.arctanh, X / 3.1),
    "erfc": (nbtorch.erfc, np.vectorize(math.erfc), X),
    "exp2": (nbtorch.exp2, np.exp2, X),
    "logit": (nbtorch.logit, lambda v: np.log(v / (1 - v)), POSITIVE / 7.5),
    "sinc": (nbtorch.sinc, np.sinc, X),
    "deg2rad": (nbtorch.deg2rad, np.deg2rad, X),
    "rad2deg": (nbtorch.rad2deg, np.rad2deg, X),
    "expit": (nbtorch.special.expit, lambda v: 1 / (1 + np.exp(-v)), X),
    "ndtr": (nbtorch.special.ndtr, np.vectorize(lambda v: (1 + math.erf(v / 2**0.5)) / 2), X),
    "entr": (nbtorch.special.entr, lambda v: -v * np.log(v), POSITIVE),
}


@pytest.mark.parametrize("name", list(UNARY))
def test_unary_values_and_gradients(name):
    fn, reference, values = UNARY[name]
    np.testing.assert_allclose(fn(nbtorch.tensor(values)).numpy(), reference(values),
                               rtol=1e-12, atol=1e-15)
    check_grads(fn, leaf(values))


def test_erfc_keeps_the_tail_and_special_values():
    values = np.array([5.0, 10.0, 26.0, -np.inf, np.inf, np.nan])
    expected = np.array([math.erfc(v) for v in values])
    np.testing.assert_allclose(nbtorch.erfc(nbtorch.tensor(values)).numpy(), expected,
                               rtol=1e-14)
    assert nbtorch.erfc(nbtorch.tensor([10.0])).item() > 0  # 1 - erf(10) would be 0


def test_special_cases_of_sinc_logit_entr_and_inverse_hyperbolics():
    assert nbtorch.sinc(nbtorch.tensor([0.0])).item() == 1.0
    x = leaf([0.0])
    nbtorch.sinc(x).backward()
    assert x.grad.item() == 0.0
    np.testing.assert_allclose(nbtorch.logit(nbtorch.tensor([0.0, 1.0, 0.5]), eps=0.1).numpy(),
                               np.log(np.array([0.1, 0.9, 0.5]) / [0.9, 0.1, 0.5]), rtol=1e-6)
    out = nbtorch.special.entr(nbtorch.tensor([0.0, -1.0, np.nan])).numpy()
    assert out[0] == 0 and out[1] == -np.inf and np.isnan(out[2])
    np.testing.assert_array_equal(nbtorch.atanh(nbtorch.tensor([1.0, -1.0, 2.0])).numpy(),
                                  np.arctanh(np.array([1.0, -1.0, 2.0], dtype=np.float32)))
    assert np.isnan(nbtorch.acosh(nbtorch.tensor([0.5])).item())


def test_xlogy():
    x, y = np.array([0.0, 0.0, 2.0, -1.5, 3.0]), np.array([0.0, np.inf, 3.0, 0.5, np.nan])
    out = nbtorch.xlogy(nbtorch.tensor(x), nbtorch.tensor(y)).numpy()
    np.testing.assert_allclose(out[:4], [0.0, 0.0, 2 * np.log(3), -1.5 * np.log(0.5)])
    assert np.isnan(out[4])
    assert nbtorch.special.xlogy(2, nbtorch.tensor([4.0])).item() == pytest.approx(2 * np.log(4))
    assert nbtorch.xlogy(nbtorch.tensor([0, 2]), 3.0).dtype == nbtorch.float32
    check_grads(nbtorch.xlogy, leaf([0.5, -2.0, 1.5]), leaf([0.2, 3.0, 1.5]))


def test_copysign_fmax_fmin():
    x, y = np.array([1.5, -2.0, 0.0, 3.0, np.nan]), np.array([-0.0, 1.0, -1.0, np.nan, 2.0])
    out = nbtorch.copysign(nbtorch.tensor(x), nbtorch.tensor(y)).numpy()
    np.testing.assert_array_equal(np.signbit(out), np.signbit(np.copysign(x, y)))
    np.testing.assert_array_equal(np.abs(out), np.abs(np.copysign(x, y)))
    np.testing.assert_array_equal(nbtorch.copysign(nbtorch.tensor(x), -1).numpy(),
                                  np.copysign(x, -1))
    np.testing.assert_array_equal(nbtorch.fmax(nbtorch.tensor(x), nbtorch.tensor(y)).numpy(),
                                  np.fmax(x, y))
    np.testing.assert_array_equal(nbtorch.fmin(nbtorch.tensor(x), nbtorch.tensor(y)).numpy(),
                                  np.fmin(x, y))
    check_grads(lambda a: nbtorch.copysign(a, nbtorch.tensor([-1.0, 2.0, -0.0])),
                leaf([0.5, -1.5, 2.0]))
    check_grads(nbtorch.fmax, leaf([0.5, -1.5, 2.0]), leaf([1.0, -2.0, 0.0]))
    check_grads(nbtorch.fmin, leaf([0.5, -1.5, 2.0]), leaf([1.0, -2.0, 0.0]))


def test_float_power_ldexp_nextafter_signbit_frexp():
    x = nbtorch.tensor([1.5, -2.0, 0.25])
    out = nbtorch.float_power(x, 2)
    assert out.dtype == nbtorch.float64
    np.testing.assert_allclose(out.numpy(), np.float_power(x.numpy(), 2))
    e = nbtorch.tensor([1, -2, 3])
    np.testing.assert_array_equal(nbtorch.ldexp(x, e).numpy(), np.ldexp(x.numpy(), e.numpy()))
    up = nbtorch.nextafter(x, nbtorch.tensor([np.inf] * 3))
    np.testing.assert_array_equal(up.numpy(), np.nextafter(x.numpy(), np.float32(np.inf)))
    values = np.array([-0.0, 0.0, -np.inf, 2.0, -3.0])
    np.testing.assert_array_equal(nbtorch.signbit(nbtorch.tensor(values)).numpy(),
                                  np.signbit(values))
    mantissa, exponent = nbtorch.frexp(nbtorch.tensor(values[1:]))
    m_np, e_np = np.frexp(values[1:].astype(np.float32))
    np.testing.assert_array_equal(mantissa.numpy(), m_np)
    np.testing.assert_array_equal(exponent.numpy(), e_np)
    assert exponent.dtype == nbtorch.int32
    check_grads(lambda t: nbtorch.frexp(t).mantissa, leaf([3.0, -0.3, 100.0]))
    check_grads(lambda a, b: nbtorch.float_power(a, b), leaf([1.5, 0.5]), leaf([2.0, -1.5]))
    check_grads(lambda a: nbtorch.ldexp(a, nbtorch.tensor([2, -1])), leaf([1.5, 0.5]))


def test_special_module_names_and_ndtri():
    p = np.array([0.01, 0.2, 0.5, 0.9])
    out = nbtorch.special.ndtr(nbtorch.special.ndtri(nbtorch.tensor(p)))
    np.testing.assert_allclose(out.numpy(), p, rtol=1e-5)
    x = nbtorch.tensor(X)
    for name in ("erf", "erfinv", "log1p", "expm1", "exp2", "sinc", "logit"):
        assert hasattr(nbtorch.special, name)
    np.testing.assert_allclose(nbtorch.special.softmax(x, 0).numpy(), nbtorch.softmax(x, 0)
                               .numpy())
    np.testing.assert_allclose(nbtorch.special.logsumexp(x, 0).item(),
                               np.log(np.exp(X).sum()))


def test_in_place_forms_and_methods():
    x = nbtorch.tensor([0.5, -0.25])
    y = x.clone()
    y.arcsinh_()
    np.testing.assert_allclose(y.numpy(), np.arcsinh(x.numpy()), rtol=1e-6)
    y = x.clone().atanh_()
    np.testing.assert_allclose(y.numpy(), np.arctanh(x.numpy()), rtol=1e-6)
    np.testing.assert_allclose(x.copysign(-1.0).numpy(), -np.abs(x.numpy()))
    np.testing.assert_allclose(x.deg2rad().numpy(), np.deg2rad(x.numpy()), rtol=1e-6)


# -- PyTorch as the oracle -------------------------------------------------------------------

ORACLE = {
    "asinh": lambda lib, a, b: lib.asinh(a),
    "acosh": lambda lib, a, b: lib.arccosh(a.abs() + 1.5),
    "atanh": lambda lib, a, b: lib.atanh(a / 4),
    "erfc": lambda lib, a, b: lib.special.erfc(a),
    "xlogy": lambda lib, a, b: lib.xlogy(a, b.abs()),
    "xlogy scalar": lambda lib, a, b: lib.special.xlogy(a, 2.5),
    "copysign": lambda lib, a, b: lib.copysign(a, b),
    "fmax": lambda lib, a, b: lib.fmax(a, b),
    "fmin": lambda lib, a, b: lib.fmin(a, b),
    "exp2": lambda lib, a, b: lib.special.exp2(a),
    "logit eps": lambda lib, a, b: lib.logit(a.sigmoid(), eps=0.3),
    "sinc": lambda lib, a, b: lib.special.sinc(a),
    "deg2rad": lambda lib, a, b: a.deg2rad(),
    "rad2deg": lambda lib, a, b: a.rad2deg(),
    "float_power": lambda lib, a, b: a.abs().float_power(b),
    # (PyTorch's gradient of ldexp is 0 for negative integer exponents: 2 ** -2 in integers)
    "ldexp": lambda lib, a, b: lib.ldexp(a, lib.tensor([1, 2, 0, 3])),
    "nextafter": lambda lib, a, b: lib.nextafter(a, b) * 2,
    "ndtr": lambda lib, a, b: lib.special.ndtr(a),
    "ndtri": lambda lib, a, b: lib.special.ndtri(a.sigmoid()),
    "entr": lambda lib, a, b: lib.special.entr(a.abs()),
    "frexp": lambda lib, a, b: lib.frexp(a * 10)[0],
}


@pytest.mark.oracle
@pytest.mark.parametrize("case", list(ORACLE))
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_values_dtypes_and_gradients_against_pytorch(torch, case, dtype):
    a = np.array([-1.3, 0.4, 0.0, 2.2], dtype=dtype)
    b = np.array([0.7, -0.0, -1.5, 2.2], dtype=dtype)
    results = []
    for lib in (torch, nbtorch):
        x = lib.tensor(a, requires_grad=True)
        out = ORACLE[case](lib, x, lib.tensor(b))
        out.backward(lib.ones_like(out))
        results.append((out.detach().numpy(), str(out.dtype).split(".")[-1], x.grad.numpy()))
    (t_out, t_dtype, t_grad), (n_out, n_dtype, n_grad) = results
    assert n_dtype == t_dtype
    tol = 1e-5 if dtype == "float32" else 1e-12
    np.testing.assert_allclose(n_out, t_out, rtol=tol, atol=tol)
    np.testing.assert_allclose(n_grad, t_grad, rtol=tol, atol=tol)


INT_DTYPES = {
    "asinh": lambda lib, t: lib.asinh(t),
    "exp2": lambda lib, t: lib.exp2(t),
    "sinc": lambda lib, t: lib.sinc(t),
    "deg2rad": lambda lib, t: lib.deg2rad(t),
    "logit": lambda lib, t: lib.logit(t),
    "xlogy": lambda lib, t: lib.xlogy(t, t),
    "copysign": lambda lib, t: lib.copysign(t, -t),
    "fmax": lambda lib, t: lib.fmax(t, -t),
    "float_power": lambda lib, t: lib.float_power(t, 2),
    "ldexp": lambda lib, t: lib.ldexp(t, t),
    "signbit": lambda lib, t: lib.signbit(-t),
}


@pytest.mark.oracle
@pytest.mark.parametrize("case", list(INT_DTYPES))
def test_integer_inputs_against_pytorch(torch, case):
    values = [0, 1, 3]
    t_out = INT_DTYPES[case](torch, torch.tensor(values))
    n_out = INT_DTYPES[case](nbtorch, nbtorch.tensor(values))
    assert str(n_out.dtype).split(".")[-1] == str(t_out.dtype).split(".")[-1]
    np.testing.assert_allclose(n_out.numpy(), t_out.numpy(), rtol=1e-6)


ERRORS = {
    "fmax number": lambda lib: lib.fmax(lib.ones(2), 1.0),
    "nextafter int": lambda lib: lib.nextafter(lib.ones(2, dtype=lib.int64),
                                               lib.ones(2, dtype=lib.int64)),
    "frexp int": lambda lib: lib.frexp(lib.ones(2, dtype=lib.int64)),
}


@pytest.mark.oracle
@pytest.mark.parametrize("case", list(ERRORS))
def test_errors_against_pytorch(torch, case):
    with pytest.raises(Exception) as expected:
        ERRORS[case](torch)
    with pytest.raises(type(expected.value)) as got:
        ERRORS[case](nbtorch)
    assert str(got.value) == str(expected.value)
