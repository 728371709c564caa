"""Elementwise ops: values against numpy, gradients against finite differences (gradcheck and
gradgradcheck, also on broadcast and non-contiguous inputs), and values, gradients, dtypes
and exception types against PyTorch when it is installed."""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import nbtorch
from nbtorch.autograd import gradcheck, gradgradcheck

# gradcheck also compares every op's jvp (forward AD) against finite differences.
CHECK_FORWARD_AD = True

SETTINGS = settings(max_examples=8, deadline=None)


def check_grads(fn, *inputs):
    """gradcheck and gradgradcheck (float64 inputs that require grad)."""
    assert gradcheck(fn, inputs, check_forward_ad=CHECK_FORWARD_AD)
    assert gradgradcheck(fn, inputs)


def leaf(array, contiguous=True):
    """A float64 leaf tensor holding ``array``; a strided (non-contiguous) view if asked."""
    array = np.asarray(array, dtype=np.float64)
    if contiguous or array.ndim == 0:
        return nbtorch.tensor(array).requires_grad_()
    wide = np.repeat(array, 2, axis=-1)  # every element twice along the last dim
    t = nbtorch.tensor(wide)[..., ::2]
    assert array.shape[-1] == 1 or not t.is_contiguous()
    return t.requires_grad_()


def values(rng, shape, domain):
    """Random values inside an op's domain, away from its kinks and poles."""
    if domain == "real":
        return rng.uniform(-2, 2, shape)
    if domain == "positive":
        return rng.uniform(0.2, 2, shape)
    if domain == "unit":
        return rng.uniform(-0.8, 0.8, shape)
    if domain == "nonzero":
        return rng.uniform(0.1, 2, shape) * rng.choice([-1, 1], shape)
    if domain == "between_ints":  # for floor, round, ...: never near an integer or a half
        return rng.integers(-3, 3, shape) + rng.uniform(0.1, 0.4, shape)
    raise ValueError(domain)


_erf = np.vectorize(math.erf)

# name -> (numpy reference, domain)
UNARY = {
    "exp": (np.exp, "real"),
    "expm1": (np.expm1, "real"),
    "log": (np.log, "positive"),
    "log1p": (np.log1p, "positive"),
    "log2": (np.log2, "positive"),
    "log10": (np.log10, "positive"),
    "sqrt": (np.sqrt, "positive"),
    "rsqrt": (lambda a: 1 / np.sqrt(a), "positive"),
    "reciprocal": (lambda a: 1 / a, "nonzero"),
    "square": (np.square, "real"),
    "sin": (np.sin, "real"),
    "cos": (np.cos, "real"),
    "tan": (np.tan, "unit"),
    "asin": (np.arcsin, "unit"),
    "acos": (np.arccos, "unit"),
    "atan": (np.arctan, "real"),
    "sinh": (np.sinh, "real"),
    "cosh": (np.cosh, "real"),
    "tanh": (np.tanh, "real"),
    "sigmoid": (lambda a: 1 / (1 + np.exp(-a)), "real"),
    "relu": (lambda a: np.maximum(a, 0), "nonzero"),
    "erf": (_erf, "real"),
    "abs": (np.abs, "nonzero"),
    "sign": (np.sign, "nonzero"),
    "floor": (np.floor, "between_ints"),
    "ceil": (np.ceil, "between_ints"),
    "trunc": (np.trunc, "between_ints"),
    "round": (np.round, "between_ints"),
    "frac": (lambda a: a - np.trunc(a), "between_ints"),
}

shapes = hnp.array_shapes(min_dims=0, max_dims=3, min_side=1, max_side=3)


@pytest.mark.parametrize("name", sorted(UNARY))
@SETTINGS
@given(shape=shapes, seed=st.integers(0, 2**16), contiguous=st.booleans())
def test_unary_forward_and_grads(name, shape, seed, contiguous):
    ref, domain = UNARY[name]
    a = values(np.random.default_rng(seed), shape, domain)
    fn = getattr(nbtorch, name)
    x = leaf(a, contiguous)
    np.testing.assert_allclose(fn(x).detach().numpy(), ref(a), rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(fn(x.detach().float()).numpy(), ref(a).astype(np.float32),
                               rtol=1e-5, atol=1e-6)
    check_grads(fn, x)


@pytest.mark.parametrize("name", sorted(UNARY))
def test_unary_method_and_inplace_forms(name):
    a = values(np.random.default_rng(0), (2, 3), UNARY[name][1])
    x = nbtorch.tensor(a)
    expected = getattr(nbtorch, name)(x).numpy()
    np.testing.assert_array_equal(getattr(x, name)().numpy(), expected)
    y = x.clone()
    assert getattr(y, name + "_")() is y
    np.testing.assert_array_equal(y.numpy(), expected)


def test_erf_is_accurate_in_float32_and_float64():
    a = np.linspace(-5, 5, 101)
    for dtype in (np.float32, np.float64):
        out = nbtorch.erf(nbtorch.tensor(a.astype(dtype)))
        assert out.dtype == nbtorch.from_numpy(a.astype(dtype)).dtype
        np.testing.assert_allclose(out.numpy(), _erf(a.astype(dtype)), rtol=1e-6)


def test_round_decimals():
    a = np.array([1.2345, -2.5, 0.5, 1.5, 123.456])
    for d in (0, 1, 2, -1):
        np.testing.assert_allclose(nbtorch.tensor(a).round(decimals=d).numpy(), np.round(a, d))


def test_step_functions_have_zero_gradient():
    for name in ("floor", "ceil", "trunc", "round", "sign"):
        x = nbtorch.tensor([0.3, -1.7, 2.5], requires_grad=True)
        getattr(nbtorch, name)(x).sum().backward()
        np.testing.assert_array_equal(x.grad.numpy(), np.zeros(3))


def test_abs_gradient_is_zero_at_zero():
    x = nbtorch.tensor([-2.0, 0.0, 3.0], requires_grad=True)
    x.abs().sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), [-1.0, 0.0, 1.0])


# -- binary ops ------------------------------------------------------------------------------

BINARY = {
    "maximum": np.maximum,
    "minimum": np.minimum,
    "remainder": np.remainder,
    "fmod": np.fmod,
    "atan2": np.arctan2,
}
SHAPE_PAIRS = [((3, 4), (3, 4)), ((3, 1), (1, 4)), ((4,), (2, 3, 4)), ((), (2, 3))]


def binary_operands(name, sa, sb, rng):
    a = rng.uniform(-3, 3, sa)
    if name in ("remainder", "fmod"):
        b = rng.uniform(0.7, 2, sb) * rng.choice([-1, 1], sb)  # no division by ~0
    else:
        b = rng.uniform(-3, 3, sb)
    return np.asarray(a), np.asarray(b)


@pytest.mark.parametrize("name", sorted(BINARY))
@pytest.mark.parametrize("shapes", SHAPE_PAIRS)
@pytest.mark.parametrize("contiguous", [True, False])
def test_binary_forward_and_grads(name, shapes, contiguous):
    a, b = binary_operands(name, *shapes, np.random.default_rng(1))
    fn = getattr(nbtorch, name)
    x, y = leaf(a, contiguous), leaf(b, contiguous)
    np.testing.assert_allclose(fn(x, y).detach().numpy(), BINARY[name](a, b), rtol=1e-12)
    check_grads(fn, x, y)


@pytest.mark.parametrize("name", ["remainder", "fmod"])
def test_binary_with_a_python_number(name):
    a = np.random.default_rng(2).uniform(-3, 3, (2, 3))
    x = leaf(a)
    fn = getattr(nbtorch, name)
    np.testing.assert_allclose(fn(x, 1.5).detach().numpy(), BINARY[name](a, 1.5))
    check_grads(lambda t: fn(t, 1.5), x)
    check_grads(lambda t: fn(2.5, t), leaf(a + 4))


def test_mod_operators():
    a = np.array([[5.0, -5.0, 7.5], [0.5, -2.25, 3.0]])
    x = nbtorch.tensor(a)
    np.testing.assert_allclose((x % 2).numpy(), a % 2)
    np.testing.assert_allclose((7 % (x + 10)).numpy(), 7 % (a + 10))
    y = x.clone()
    y %= 3
    np.testing.assert_allclose(y.numpy(), a % 3)
    np.testing.assert_array_equal((nbtorch.tensor([5, -5]) % 3).numpy(), [2, 1])


def test_maximum_splits_the_gradient_at_ties():
    a = nbtorch.tensor([1.0, 2.0, 3.0], requires_grad=True)
    b = nbtorch.tensor([1.0, 5.0, 0.0], requires_grad=True)
    nbtorch.maximum(a, b).sum().backward()
    np.testing.assert_array_equal(a.grad.numpy(), [0.5, 0.0, 1.0])
    np.testing.assert_array_equal(b.grad.numpy(), [0.5, 1.0, 0.0])


@pytest.mark.parametrize("name", ["maximum", "minimum", "atan2"])
def test_tensors_required(name):
    with pytest.raises(TypeError, match="'other' .* must be Tensor"):
        getattr(nbtorch, name)(nbtorch.ones(2), 1)
    with pytest.raises(TypeError, match="'input' .* must be Tensor"):
        getattr(nbtorch, name)(1.5, nbtorch.ones(2))


# -- clamp -----------------------------------------------------------------------------------


@SETTINGS
@given(shape=shapes, seed=st.integers(0, 2**16), contiguous=st.booleans())
def test_clamp_with_number_bounds(shape, seed, contiguous):
    a = values(np.random.default_rng(seed), shape, "real")
    x = leaf(a, contiguous)
    for lo, hi in ((-0.5, 0.7), (None, 0.3), (-0.2, None)):
        out = nbtorch.clamp(x, min=lo, max=hi)
        np.testing.assert_array_equal(out.detach().numpy(), np.clip(a, lo, hi))
        check_grads(lambda t, lo=lo, hi=hi: t.clamp(lo, hi), x)


def test_clamp_with_tensor_bounds_and_broadcasting():
    rng = np.random.default_rng(3)
    x, lo, hi = leaf(rng.uniform(-2, 2, (3, 4))), leaf(rng.uniform(-1, 0, (4,))), \
        leaf(rng.uniform(0, 1, (3, 1)))
    out = nbtorch.clamp(x, lo, hi)
    np.testing.assert_array_equal(out.detach().numpy(),
                                  np.minimum(np.maximum(x.detach().numpy(), lo.detach().numpy()),
                                             hi.detach().numpy()))
    check_grads(nbtorch.clamp, x, lo, hi)
    check_grads(lambda t, m: nbtorch.clamp(t, min=m), x, lo)


def test_clamp_needs_a_bound_and_has_aliases():
    x = nbtorch.tensor([-2.0, 0.5, 2.0])
    with pytest.raises(RuntimeError, match="At least one of 'min' or 'max'"):
        nbtorch.clamp(x)
    np.testing.assert_array_equal(nbtorch.clip(x, -1, 1).numpy(), [-1, 0.5, 1])
    np.testing.assert_array_equal(x.clamp_min(0).numpy(), [0, 0.5, 2])
    np.testing.assert_array_equal(x.clamp_max(0).numpy(), [-2, 0, 0])
    assert x.clamp_(-1, 1) is x
    np.testing.assert_array_equal(x.numpy(), [-1, 0.5, 1])


# -- composites, nan_to_num ------------------------------------------------------------------


def test_lerp_addcmul_addcdiv():
    rng = np.random.default_rng(4)
    a, b, c = (rng.uniform(0.5, 2, s) for s in ((3, 4), (4,), (3, 1)))
    x, y, z = leaf(a), leaf(b), leaf(c, contiguous=False)
    np.testing.assert_allclose(nbtorch.lerp(x, y, 0.3).detach().numpy(), a + 0.3 * (b - a))
    np.testing.assert_allclose(nbtorch.addcmul(x, y, z, value=2).detach().numpy(), a + 2 * b * c)
    np.testing.assert_allclose(nbtorch.addcdiv(x, y, z, value=-1).detach().numpy(), a - b / c)
    check_grads(nbtorch.lerp, x, y, z)
    check_grads(lambda p, q, r: nbtorch.addcmul(p, q, r, value=0.5), x, y, z)
    check_grads(lambda p, q, r: p.addcdiv(q, r, value=3), x, y, z)


def test_nan_to_num():
    a = np.array([np.nan, np.inf, -np.inf, 1.5])
    x = nbtorch.tensor(a, requires_grad=True)
    out = nbtorch.nan_to_num(x, nan=0.5, posinf=9.0)
    np.testing.assert_array_equal(out.detach().numpy(),
                                  np.nan_to_num(a, nan=0.5, posinf=9.0))
    out.sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), [0, 0, 0, 1])
    check_grads(nbtorch.nan_to_num, leaf(np.array([1.0, -2.0])))


# -- predicates, logical and bitwise ops -----------------------------------------------------


def test_predicates():
    a = np.array([np.nan, np.inf, -np.inf, 1.0, 0.0])
    x = nbtorch.tensor(a)
    for name in ("isnan", "isinf", "isfinite"):
        out = getattr(nbtorch, name)(x)
        assert out.dtype == nbtorch.bool
        np.testing.assert_array_equal(out.numpy(), getattr(np, name)(a))
        np.testing.assert_array_equal(getattr(x, name)().numpy(), getattr(np, name)(a))
    assert nbtorch.isnan(nbtorch.tensor(1.0)).shape == ()


def test_isclose_allclose_equal():
    a = nbtorch.tensor([1.0, 2.0, np.nan])
    b = nbtorch.tensor([1.0 + 1e-7, 2.1, np.nan])
    np.testing.assert_array_equal(nbtorch.isclose(a, b).numpy(), [True, False, False])
    np.testing.assert_array_equal(a.isclose(b, equal_nan=True).numpy(), [True, False, True])
    assert nbtorch.allclose(a[:1], b[:1]) and not nbtorch.allclose(a, b, atol=0.2)
    assert nbtorch.allclose(a, b, atol=0.2, equal_nan=True)
    assert nbtorch.equal(a[:2], a[:2].clone()) and not nbtorch.equal(a[:2], a[:1])
    assert isinstance(nbtorch.equal(a, a), bool)


def test_logical_and_bitwise():
    p = nbtorch.tensor([True, True, False, False])
    q = nbtorch.tensor([True, False, True, False])
    np.testing.assert_array_equal((p & q).numpy(), [True, False, False, False])
    np.testing.assert_array_equal((p | q).numpy(), [True, True, True, False])
    np.testing.assert_array_equal((p ^ q).numpy(), [False, True, True, False])
    np.testing.assert_array_equal((~p).numpy(), [False, False, True, True])
    np.testing.assert_array_equal((True & q).numpy(), q.numpy())
    i = nbtorch.tensor([6, 5, -1])
    np.testing.assert_array_equal((i & 3).numpy(), [2, 1, 3])
    np.testing.assert_array_equal((~i).numpy(), [-7, -6, 0])
    f = nbtorch.tensor([1.0, 0.0, 2.0])
    np.testing.assert_array_equal(nbtorch.logical_and(f, i).numpy(), [True, False, True])
    np.testing.assert_array_equal(f.logical_not().numpy(), [False, True, False])
    np.testing.assert_array_equal(nbtorch.logical_xor(f, p[:3]).numpy(), [False, True, True])
    with pytest.raises(NotImplementedError, match="bitwise_and_cpu"):
        nbtorch.bitwise_and(f, f)
    with pytest.raises(NotImplementedError, match="bitwise_not_cpu"):
        nbtorch.bitwise_not(f)
    r = p.clone()
    r &= q
    np.testing.assert_array_equal(r.numpy(), [True, False, False, False])


def test_integer_division_by_zero_raises():
    with pytest.raises(RuntimeError, match="ZeroDivisionError"):
        nbtorch.tensor([5, 3]) % 0
    assert nbtorch.isnan(nbtorch.tensor([5.0]) % 0).all()


# -- PyTorch as the oracle -------------------------------------------------------------------


@pytest.fixture(scope="module")
def torch():
    return pytest.importorskip("torch")


def _both(torch, fn_name, arrays, kwargs=None, grad=True):
    """Run ``fn_name`` in nbtorch and torch on the same arrays; return (ours, theirs) as
    (output, [grads]) with a fixed upstream gradient."""
    kwargs = kwargs or {}
    results = []
    for lib in (nbtorch, torch):
        ts = [lib.tensor(a, requires_grad=grad and a.dtype.kind == "f")
              if isinstance(a, np.ndarray) else a for a in arrays]
        out = getattr(lib, fn_name)(*ts, **kwargs)
        grads = []
        if grad and out.requires_grad:
            w = lib.tensor(np.linspace(-1, 1, out.numel()).reshape(tuple(out.shape)),
                           dtype=out.dtype)
            (out * w).sum().backward()
            grads = [t.grad for t in ts if isinstance(t, lib.Tensor) and t.requires_grad]
        results.append((out, grads))
    return results


def _assert_same(ours, theirs, rtol=1e-6, atol=1e-7):
    assert str(ours.dtype).split(".")[-1] == str(theirs.dtype).split(".")[-1]
    assert tuple(ours.shape) == tuple(theirs.shape)
    np.testing.assert_allclose(ours.detach().numpy(), theirs.detach().numpy(), rtol=rtol,
                               atol=atol, equal_nan=True)


@pytest.mark.oracle
@pytest.mark.parametrize("name", sorted(UNARY))
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_unary_matches_torch(torch, name, dtype):
    a = values(np.random.default_rng(5), (3, 4), UNARY[name][1]).astype(dtype)
    (o, go), (t, gt) = _both(torch, name, [a])
    _assert_same(o, t, rtol=1e-5 if dtype == np.float32 else 1e-12)
    for g, h in zip(go, gt):
        _assert_same(g, h, rtol=1e-5 if dtype == np.float32 else 1e-12)


@pytest.mark.oracle
@pytest.mark.parametrize("name", sorted(UNARY))
@pytest.mark.parametrize("dtype", [np.int64, np.int32, np.uint8])
def test_unary_integer_dtypes_match_torch(torch, name, dtype):
    a = np.array([[1, 2], [3, 4]], dtype=dtype)
    outcome = []
    for lib in (nbtorch, torch):
        try:
            outcome.append(getattr(lib, name)(lib.tensor(a)))
        except Exception as e:  # noqa: BLE001 - the exception type itself is compared
            outcome.append(type(e))
    ours, theirs = outcome
    if isinstance(theirs, type):
        assert ours is theirs
    else:
        _assert_same(ours, theirs, rtol=1e-6)


@pytest.mark.oracle
def test_special_values_match_torch(torch):
    a = np.array([0.0, -0.0, np.inf, -np.inf, np.nan, 1.0, -1.0, 2.5, -2.5], dtype=np.float32)
    for name in UNARY:
        (o, _), (t, _) = _both(torch, name, [a], grad=False)
        _assert_same(o, t, rtol=1e-5)


@pytest.mark.oracle
@pytest.mark.parametrize("name", sorted(BINARY))
@pytest.mark.parametrize("shapes", SHAPE_PAIRS)
def test_binary_matches_torch(torch, name, shapes):
    a, b = binary_operands(name, *shapes, np.random.default_rng(6))
    # ties for maximum/minimum, exact multiples for remainder
    a, b = np.asarray(a.round()), b.round(1)
    (o, go), (t, gt) = _both(torch, name, [a, b])
    _assert_same(o, t)
    assert len(go) == len(gt) == 2
    for g, h in zip(go, gt):
        _assert_same(g, h)


@pytest.mark.oracle
@pytest.mark.parametrize("name", sorted(BINARY))
@pytest.mark.parametrize("types", [(np.int64, np.int64), (np.int32, np.float32),
                                   (np.uint8, np.int8), (np.float32, np.float64)])
def test_binary_dtypes_match_torch(torch, name, types):
    a = np.array([[7, -3], [4, 9]]).astype(types[0])
    b = np.array([2, -5]).astype(types[1])
    (o, _), (t, _) = _both(torch, name, [a, b], grad=False)
    _assert_same(o, t)
    if name in ("remainder", "fmod"):
        for scalar in (3, 2.5):
            (o, _), (t, _) = _both(torch, name, [a, scalar], grad=False)
            _assert_same(o, t)


@pytest.mark.oracle
@pytest.mark.parametrize("bounds", [(-0.5, 0.5), (0.5, -0.5), (None, 0.0), (0.0, None)])
def test_clamp_matches_torch(torch, bounds):
    a = np.array([[-1.0, -0.5, 0.0], [0.25, 0.5, 2.0]])
    (o, go), (t, gt) = _both(torch, "clamp", [a], dict(min=bounds[0], max=bounds[1]))
    _assert_same(o, t)
    _assert_same(go[0], gt[0])
    as_arrays = [None if b is None else np.full((3,), b) for b in bounds]
    (o, go), (t, gt) = _both(torch, "clamp", [a, *as_arrays])
    _assert_same(o, t)
    for g, h in zip(go, gt):
        _assert_same(g, h)
    (o, _), (t, _) = _both(torch, "clamp", [a.astype(np.int64)],
                           dict(min=bounds[0], max=bounds[1]), grad=False)
    _assert_same(o, t)


@pytest.mark.oracle
def test_logical_bitwise_and_predicates_match_torch(torch):
    arrays = [np.array([True, False, True]), np.array([3, 0, -2]), np.array([1.5, 0.0, -2.0]),
              np.array([5, 1, 0], dtype=np.uint8)]
    for a in arrays:
        for b in arrays:
            for name in ("logical_and", "logical_or", "logical_xor", "bitwise_and",
                         "bitwise_or", "bitwise_xor", "eq", "lt", "ge"):
                res = []
                for lib in (nbtorch, torch):
                    try:
                        res.append(getattr(lib, name)(lib.tensor(a), lib.tensor(b)))
                    except Exception as e:  # noqa: BLE001
                        res.append(type(e))
                if isinstance(res[1], type):
                    assert res[0] is res[1], (name, a.dtype, b.dtype)
                else:
                    _assert_same(*res)
        for name in ("logical_not", "bitwise_not", "isnan", "isinf", "isfinite"):
            res = []
            for lib in (nbtorch, torch):
                try:
                    res.append(getattr(lib, name)(lib.tensor(a)))
                except Exception as e:  # noqa: BLE001
                    res.append(type(e))
            if isinstance(res[1], type):
                assert res[0] is res[1], (name, a.dtype)
            else:
                _assert_same(*res)


@pytest.mark.oracle
def test_round_nan_to_num_and_closeness_match_torch(torch):
    a = np.array([1.2345, -2.5, 0.5, 1.5, 123.456, np.nan, np.inf], dtype=np.float32)
    for d in (0, 2, -1):
        (o, _), (t, _) = _both(torch, "round", [a], dict(decimals=d), grad=False)
        _assert_same(o, t)
    (o, go), (t, gt) = _both(torch, "nan_to_num", [a], dict(nan=1.0, neginf=-3.0))
    _assert_same(o, t)
    _assert_same(go[0], gt[0])
    b = a + np.float32(1e-6)
    for kw in ({}, dict(equal_nan=True), dict(rtol=0, atol=1e-7)):
        (o, _), (t, _) = _both(torch, "isclose", [a, b], kw, grad=False)
        _assert_same(o, t)
        assert nbtorch.allclose(nbtorch.tensor(a), nbtorch.tensor(b), **kw) == \
            torch.allclose(torch.tensor(a), torch.tensor(b), **kw)
    for lib in (nbtorch, torch):
        with pytest.raises(RuntimeError):
            lib.isclose(lib.tensor(a), lib.tensor(a.astype(np.float64)))
    assert nbtorch.equal(nbtorch.tensor([1, 2]), nbtorch.tensor([1.0, 2.0])) == \
        torch.equal(torch.tensor([1, 2]), torch.tensor([1.0, 2.0]))


@pytest.mark.oracle
def test_lerp_addcmul_addcdiv_match_torch(torch):
    rng = np.random.default_rng(7)
    a, b, c = (rng.uniform(0.5, 2, s) for s in ((3, 4), (3, 4), (3, 4)))
    for name, kw in (("lerp", {}), ("addcmul", dict(value=2)), ("addcdiv", dict(value=0.5))):
        (o, go), (t, gt) = _both(torch, name, [a, b, c], kw)
        _assert_same(o, t, rtol=1e-12)
        for g, h in zip(go, gt):
            _assert_same(g, h, rtol=1e-12)


@pytest.mark.oracle
def test_inplace_dtype_errors_match_torch(torch):
    for lib in (nbtorch, torch):
        with pytest.raises(RuntimeError):
            lib.tensor([1, 2]).sin_()
        with pytest.raises(RuntimeError, match="ZeroDivisionError"):
            lib.tensor([1, 2]) % 0
