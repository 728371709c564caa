"""Reductions, sorting and cumulative ops: values against numpy, gradients against finite
differences (gradcheck, gradgradcheck, forward AD) on random shapes, dims, broadcast and
non-contiguous inputs, and values, gradients, dtypes and errors against PyTorch."""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import nbtorch
from nbtorch.autograd import gradcheck, gradgradcheck

CHECK_FORWARD_AD = True  # nbtorch.autograd.forward_ad provides forward_jacobian

SETTINGS = settings(max_examples=6, deadline=None)


def check_grads(fn, *inputs):
    assert gradcheck(fn, inputs, check_forward_ad=CHECK_FORWARD_AD)
    assert gradgradcheck(fn, inputs)


def leaf(array, contiguous=True):
    """A float64 leaf holding ``array``; a strided (non-contiguous) view if asked."""
    array = np.asarray(array, dtype=np.float64)
    if contiguous or array.ndim == 0:
        return nbtorch.tensor(array).requires_grad_()
    return nbtorch.tensor(np.repeat(array, 2, axis=-1))[..., ::2].requires_grad_()


@st.composite
def shape_and_dim(draw):
    """A shape (1-3 dims) and a dim argument: None, an int, or a tuple of ints."""
    shape = draw(hnp.array_shapes(min_dims=1, max_dims=3, min_side=1, max_side=3))
    n = len(shape)
    dim = draw(st.one_of(st.none(), st.integers(-n, n - 1),
                         st.lists(st.integers(0, n - 1), min_size=1, max_size=n, unique=True)
                         .map(tuple)))
    return shape, dim


def _np_dim(dim):
    return dim if dim is None or isinstance(dim, int) else tuple(dim)


def _np_norm(p):
    def ref(a, axis, keepdims):
        if p == math.inf:
            return np.abs(a).max(axis=axis, keepdims=keepdims)
        return (np.abs(a) ** p).sum(axis=axis, keepdims=keepdims) ** (1 / p)

    return ref


def _np_logsumexp(a, axis, keepdims):
    return np.log(np.exp(a).sum(axis=axis, keepdims=keepdims))


# name -> (nbtorch function(x, dim, keepdim), numpy reference(a, axis, keepdims))
REDUCTIONS = {
    "sum": (lambda x, d, k: x.sum(d, keepdim=k), np.sum),
    "mean": (lambda x, d, k: x.mean(d, keepdim=k), np.mean),
    "amax": (lambda x, d, k: x.amax(() if d is None else d, keepdim=k), np.max),
    "amin": (lambda x, d, k: nbtorch.amin(x, () if d is None else d, k), np.min),
    "var": (lambda x, d, k: x.var(d, keepdim=k), lambda a, axis, keepdims:
            np.var(a, axis=axis, keepdims=keepdims, ddof=1)),
    "var0": (lambda x, d, k: x.var(d, keepdim=k, correction=0), np.var),
    "std": (lambda x, d, k: x.std(d, unbiased=False, keepdim=k), np.std),
    "norm2": (lambda x, d, k: x.norm(dim=d, keepdim=k), _np_norm(2)),
    "norm1": (lambda x, d, k: x.norm(1, d, k), _np_norm(1)),
    "norm3": (lambda x, d, k: nbtorch.norm(x, 3, d, k), _np_norm(3)),
    "norm_inf": (lambda x, d, k: x.norm(math.inf, d, k), _np_norm(math.inf)),
    "logsumexp": (lambda x, d, k: x.logsumexp(tuple(range(x.ndim)) if d is None else d, k),
                  _np_logsumexp),
}


@pytest.mark.parametrize("name", sorted(REDUCTIONS))
@SETTINGS
@given(case=shape_and_dim(), keepdim=st.booleans(), contiguous=st.booleans(),
       seed=st.integers(0, 2**16))
def test_reduction_forward_and_grads(name, case, keepdim, contiguous, seed):
    shape, dim = case
    fn, ref = REDUCTIONS[name]
    a = np.random.default_rng(seed).uniform(-2, 2, shape)
    if name.startswith("var") or name == "std":
        n = a.size if dim is None else math.prod(
            shape[d] for d in ((dim,) if isinstance(dim, int) else dim))
        if n < 2:
            return  # variance of a single element divides by zero
    x = leaf(a, contiguous)
    expected = ref(a, axis=_np_dim(dim), keepdims=keepdim)
    np.testing.assert_allclose(fn(x, dim, keepdim).detach().numpy(), expected, rtol=1e-10)
    check_grads(lambda t: fn(t, dim, keepdim), x)


@SETTINGS
@given(case=shape_and_dim(), keepdim=st.booleans(), seed=st.integers(0, 2**16))
def test_prod_forward_and_grads_with_zeros(case, keepdim, seed):
    shape, dim = case
    rng = np.random.default_rng(seed)
    a = rng.uniform(-2, 2, shape) * (rng.uniform(size=shape) > 0.4)  # some exact zeros
    d = dim if isinstance(dim, int) or dim is None else dim[0]
    x = leaf(a)
    np.testing.assert_allclose(x.prod(d, keepdim=keepdim).detach().numpy(),
                               np.prod(a, axis=d, keepdims=keepdim))
    check_grads(lambda t: t.prod(d, keepdim=keepdim), x)


def test_prod_gradient_with_one_two_and_three_zeros():
    rows = [[2.0, 0.0, 3.0, 4.0], [0.0, 0.0, 3.0, 4.0], [0.0, 0.0, 0.0, 4.0], [1, 2, 3, 4]]
    x = leaf(rows)
    x.prod(1).sum().backward()
    expected = [[0, 24, 0, 0], [0, 0, 0, 0], [0, 0, 0, 0], [24, 12, 8, 6]]
    np.testing.assert_allclose(x.grad.numpy(), expected)
    check_grads(lambda t: t.prod(1), leaf(rows))
    check_grads(lambda t: t.prod(), leaf(rows[1:2]))


def test_full_max_shares_the_gradient_among_ties():
    x = leaf([1.0, 3.0, 3.0, -1.0])
    x.max().backward()
    np.testing.assert_array_equal(x.grad.numpy(), [0, 0.5, 0.5, 0])
    y = leaf([[1.0, 1.0], [0.0, 2.0]])
    y.min().backward()
    np.testing.assert_array_equal(y.grad.numpy(), [[0, 0], [1, 0]])


@pytest.mark.parametrize("fn", ["max", "min"])
@pytest.mark.parametrize("keepdim", [False, True])
def test_max_with_dim_returns_values_and_indices(fn, keepdim):
    a = np.array([[1.0, 5.0, 5.0], [7.0, -2.0, 7.0]])
    x = leaf(a)
    out = getattr(x, fn)(1, keepdim=keepdim)
    values, indices = out
    assert out.values is values and out.indices is indices
    assert type(out).__name__ == fn and indices.dtype == nbtorch.int64
    np_fn = np.max if fn == "max" else np.min
    np_arg = np.argmax if fn == "max" else np.argmin
    np.testing.assert_array_equal(values.detach().numpy(), np_fn(a, 1, keepdims=keepdim))
    np.testing.assert_array_equal(indices.numpy(), np_arg(a, 1, keepdims=keepdim))
    values.sum().backward()
    grad = np.zeros_like(a)
    np.put_along_axis(grad, np_arg(a, 1, keepdims=True), 1, 1)  # only the returned index
    np.testing.assert_array_equal(x.grad.numpy(), grad)
    check_grads(lambda t: getattr(t, fn)(0, keepdim=keepdim).values,
                leaf(np.random.default_rng(0).normal(size=(3, 4)), contiguous=False))


def test_max_of_two_tensors_is_maximum():
    a, b = nbtorch.tensor([1.0, 4.0]), nbtorch.tensor([3.0, 2.0])
    np.testing.assert_array_equal(nbtorch.max(a, b).numpy(), [3, 4])
    np.testing.assert_array_equal(a.min(b).numpy(), [1, 2])


def test_argmax_argmin_all_any_count_nonzero():
    a = np.array([[3, 9, 9], [0, -1, 4]])
    x = nbtorch.tensor(a)
    assert x.argmax().item() == np.argmax(a) and nbtorch.argmin(x).item() == np.argmin(a)
    np.testing.assert_array_equal(x.argmax(1).numpy(), np.argmax(a, 1))
    np.testing.assert_array_equal(x.argmin(0, keepdim=True).numpy(), np.argmin(a, 0, keepdims=True))
    assert x.all().item() is False and x.any().item() is True
    np.testing.assert_array_equal(x.all(1).numpy(), [True, False])
    np.testing.assert_array_equal((x > 0).any(0, keepdim=True).numpy(), [[True, True, True]])
    assert nbtorch.count_nonzero(x).item() == 5
    np.testing.assert_array_equal(x.count_nonzero(1).numpy(), [3, 2])
    assert x.sum().dtype == nbtorch.int64 and x.prod().dtype == nbtorch.int64


def test_var_std_argument_forms():
    a = np.random.default_rng(1).normal(size=(3, 4))
    x = nbtorch.tensor(a)
    np.testing.assert_allclose(x.var().item(), a.var(ddof=1))
    np.testing.assert_allclose(x.var(False).item(), a.var())
    np.testing.assert_allclose(x.std(1, True, True).numpy(), a.std(1, ddof=1, keepdims=True))
    np.testing.assert_allclose(x.var((0, 1), correction=2).item(), a.var(ddof=2))
    v, m = nbtorch.var_mean(x, 0)
    np.testing.assert_allclose(v.numpy(), a.var(0, ddof=1))
    np.testing.assert_allclose(m.numpy(), a.mean(0))
    with pytest.raises(RuntimeError, match="floating point"):
        nbtorch.tensor([1, 2]).var()


def test_norm_gradient_at_zero_is_zero():
    x = leaf([0.0, 0.0])
    x.norm().backward()
    np.testing.assert_array_equal(x.grad.numpy(), [0.0, 0.0])


def test_logsumexp_is_stable():
    x = nbtorch.tensor([1000.0, 1000.0, -math.inf])
    np.testing.assert_allclose(x.logsumexp(0).item(), 1000 + math.log(2))
    assert nbtorch.tensor([-math.inf, -math.inf]).logsumexp(0).item() == -math.inf


def test_softmax_and_log_softmax():
    a = np.random.default_rng(2).normal(size=(2, 3)) * 50
    x = leaf(a)
    e = np.exp(a - a.max(1, keepdims=True))
    np.testing.assert_allclose(x.softmax(1).detach().numpy(), e / e.sum(1, keepdims=True))
    np.testing.assert_allclose(nbtorch.log_softmax(x, 1).detach().numpy(),
                               np.log(e / e.sum(1, keepdims=True)))
    assert nbtorch.softmax(x.detach().float(), 0, dtype=nbtorch.float64).dtype == nbtorch.float64
    check_grads(lambda t: t.softmax(0), leaf(a / 50))
    check_grads(lambda t: t.log_softmax(-1), leaf(a / 50, contiguous=False))


# -- sort, topk, cumsum, cumprod -------------------------------------------------------------


@pytest.mark.parametrize("descending", [False, True])
@SETTINGS
@given(shape=hnp.array_shapes(min_dims=1, max_dims=3, min_side=1, max_side=4),
       seed=st.integers(0, 2**16), data=st.data())
def test_sort_is_stable_and_differentiable(descending, shape, seed, data):
    dim = data.draw(st.integers(-len(shape), len(shape) - 1))
    a = np.random.default_rng(seed).integers(0, 3, shape).astype(float)  # many ties
    x = nbtorch.tensor(a)
    values, indices = x.sort(dim, descending=descending)
    key = -a if descending else a
    expected = np.argsort(key, axis=dim, kind="stable")
    np.testing.assert_array_equal(indices.numpy(), expected)
    np.testing.assert_array_equal(values.numpy(), np.take_along_axis(a, expected, dim))
    np.testing.assert_array_equal(nbtorch.argsort(x, dim, descending).numpy(), expected)
    b = np.random.default_rng(seed).permutation(a.size).reshape(shape).astype(float)  # distinct
    check_grads(lambda t: t.sort(dim, descending=descending).values, leaf(b))


def test_topk():
    a = np.array([[4.0, 1.0, 7.0, 3.0], [0.0, 9.0, 2.0, 5.0]])
    x = leaf(a)
    values, indices = x.topk(2)
    np.testing.assert_array_equal(values.detach().numpy(), [[7, 4], [9, 5]])
    np.testing.assert_array_equal(indices.numpy(), [[2, 0], [1, 3]])
    small = nbtorch.topk(x, 3, dim=1, largest=False)
    np.testing.assert_array_equal(small.values.detach().numpy(), [[1, 3, 4], [0, 2, 5]])
    values.sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), [[1, 0, 1, 0], [0, 1, 0, 1]])
    check_grads(lambda t: t.topk(2, 0).values, leaf(a, contiguous=False))
    with pytest.raises(RuntimeError, match="out of range"):
        x.topk(5)


@pytest.mark.parametrize("name", ["cumsum", "cumprod"])
@SETTINGS
@given(shape=hnp.array_shapes(min_dims=1, max_dims=3, min_side=1, max_side=4),
       seed=st.integers(0, 2**16), zeros=st.booleans(), data=st.data())
def test_cumulative(name, shape, seed, zeros, data):
    dim = data.draw(st.integers(-len(shape), len(shape) - 1))
    rng = np.random.default_rng(seed)
    a = rng.uniform(-2, 2, shape)
    if zeros:
        a = a * (rng.uniform(size=shape) > 0.4)
    x = leaf(a)
    np.testing.assert_allclose(getattr(x, name)(dim).detach().numpy(),
                               getattr(np, name)(a, axis=dim))
    check_grads(lambda t: getattr(nbtorch, name)(t, dim), x)
    assert getattr(nbtorch.tensor([1, 2]), name)(0).dtype == nbtorch.int64


# -- PyTorch as the oracle -------------------------------------------------------------------


@pytest.fixture(scope="module")
def torch():
    return pytest.importorskip("torch")


def _run(lib, call, arrays):
    """``call(lib, *tensors)``, with ``.backward`` of a weighted sum of the first output;
    returns (outputs, grads) or the exception type."""
    ts = [lib.tensor(a, requires_grad=a.dtype.kind == "f") for a in arrays]
    try:
        out = call(lib, *ts)
    except Exception as e:  # noqa: BLE001 - the exception type is what is compared
        return type(e)
    outs = list(out) if isinstance(out, tuple) else [out]
    grads = []
    first = outs[0]
    if first.requires_grad:
        w = lib.tensor(np.linspace(-1, 2, first.numel()).reshape(tuple(first.shape)),
                       dtype=first.dtype)
        (first * w).sum().backward()
        grads = [t.grad for t in ts if t.requires_grad]
    return outs, grads


def _same(ours, theirs, rtol):
    assert str(ours.dtype).split(".")[-1] == str(theirs.dtype).split(".")[-1]
    assert tuple(ours.shape) == tuple(theirs.shape)
    np.testing.assert_allclose(ours.detach().numpy(), theirs.detach().numpy(), rtol=rtol,
                               atol=1e-6, equal_nan=True)


def assert_like_torch(torch, call, *arrays, rtol=1e-6):
    ours, theirs = _run(nbtorch, call, arrays), _run(torch, call, arrays)
    if isinstance(theirs, type):
        assert ours is theirs or (isinstance(ours, type) and issubclass(ours, theirs)), ours
        return
    assert not isinstance(ours, type), ours
    for o, t in zip(*[r[0] for r in (ours, theirs)]):
        _same(o, t, rtol)
    assert len(ours[1]) == len(theirs[1])
    for o, t in zip(ours[1], theirs[1]):
        _same(o, t, rtol)


ORACLE_CALLS = {
    "sum": lambda L, x: x.sum(1),
    "sum_dtype": lambda L, x: x.sum(dtype=L.float64),
    "mean": lambda L, x: x.mean((0, 1), keepdim=True),
    "prod": lambda L, x: x.prod(1),
    "prod_all": lambda L, x: L.prod(x),
    "amax": lambda L, x: x.amax(0),
    "amin_all": lambda L, x: L.amin(x),
    "max_all": lambda L, x: x.max(),
    "min_dim": lambda L, x: x.min(dim=1, keepdim=True),
    "max_dim": lambda L, x: L.max(x, 0),
    "argmax": lambda L, x: x.argmax(),
    "argmin_dim": lambda L, x: x.argmin(1, keepdim=True),
    "var": lambda L, x: x.var(1),
    "var_unbiased": lambda L, x: L.var(x, 0, False),
    "std": lambda L, x: x.std(correction=0),
    "norm": lambda L, x: x.norm(),
    "norm_p": lambda L, x: L.norm(x, 3, 1),
    "norm_inf": lambda L, x: x.norm(float("inf"), dim=0),
    "logsumexp": lambda L, x: x.logsumexp(1),
    "softmax": lambda L, x: L.softmax(x, 1),
    "log_softmax": lambda L, x: x.log_softmax(0),
    "all": lambda L, x: x.all(1),
    "any": lambda L, x: L.any(x),
    "count_nonzero": lambda L, x: L.count_nonzero(x, 0),
    "sort": lambda L, x: x.sort(dim=1, descending=True, stable=True),
    "argsort": lambda L, x: x.argsort(dim=0, stable=True),
    "topk": lambda L, x: (x + L.arange(4) * 1e-3).topk(2, 1),  # no ties
    "cumsum": lambda L, x: x.cumsum(0),
    "cumprod": lambda L, x: x.cumprod(1),
}

ORACLE_INPUTS = {
    "float32": np.array([[1.5, -2.0, 0.0, 1.5], [3.0, 0.5, -1.0, 3.0], [0.0, 2.0, 2.0, -4.0]],
                        dtype=np.float32),
    "float64": np.array([[1.5, -2.0, 0.25, 1.0], [3.0, 0.5, -1.0, 2.5], [0.75, 2.0, 1.0, -4.0]]),
    "int64": np.array([[1, -2, 0, 1], [3, 5, -1, 3], [0, 2, 2, -4]]),
    "bool": np.array([[True, False, True, True], [True, True, True, True],
                      [False, False, True, False]]),
}


BOOL_CALLS = {"sum", "sum_dtype", "prod", "prod_all", "mean", "var", "norm", "all", "any",
              "count_nonzero", "cumsum"}


@pytest.mark.oracle
@pytest.mark.parametrize("call", sorted(ORACLE_CALLS))
@pytest.mark.parametrize("dtype", sorted(ORACLE_INPUTS))
def test_reductions_match_torch(torch, call, dtype):
    if dtype == "bool" and call not in BOOL_CALLS:
        pytest.skip("bool tensors: only counting reductions are compared")
    if dtype == "int64" and call in ("softmax", "log_softmax"):
        pytest.skip("nbtorch's softmax lifts integers to float; PyTorch refuses them")
    assert_like_torch(torch, ORACLE_CALLS[call], ORACLE_INPUTS[dtype])


@pytest.mark.oracle
def test_special_values_match_torch(torch):
    a = np.array([[np.nan, 1.0, -np.inf], [2.0, np.inf, 2.0]], dtype=np.float32)
    for call in ("sum", "max_all", "max_dim", "argmax", "amax", "sort", "cumsum"):
        assert_like_torch(torch, ORACLE_CALLS[call], a)
    # logsumexp's gradient at inf/nan inputs is PyTorch-specific; compare the values only
    assert_like_torch(torch, lambda L, x: x.detach().logsumexp(1), a)
    assert_like_torch(torch, lambda L, x: x.detach().logsumexp(1), np.full((2, 3), -np.inf))
    assert_like_torch(torch, lambda L, x: x.prod(0), np.array([[0.0, 2.0], [0.0, 3.0]]))


@pytest.mark.oracle
@pytest.mark.parametrize("shape,dim", [((0,), None), ((3, 0), 1), ((0, 3), 1), ((0, 3), 0)])
def test_a_mean_over_no_element_is_nan_quietly_like_torch(torch, shape, dim):
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        x = nbtorch.zeros(*shape, requires_grad=True)
        out = x.mean() if dim is None else x.mean(dim)
        out.sum().backward()
    t = torch.zeros(*shape, requires_grad=True)
    want = t.mean() if dim is None else t.mean(dim)
    want.sum().backward()
    np.testing.assert_array_equal(out.detach().numpy(), want.detach().numpy())  # nan == nan
    assert x.grad.shape == tuple(t.grad.shape)
