"""Gradients that used to differ from PyTorch's, against PyTorch and finite differences:
cdist(p=inf) gives every tied largest coordinate the whole gradient; as_strided of an input
that overlaps itself shares a storage element's gradient among its copies; the double
backward of scatter_reduce(reduce='prod') with two zeros at one position raises."""

import math

import numpy as np
import pytest

import nbtorch
from nbtorch.autograd import gradcheck, gradgradcheck

rng = np.random.default_rng(0)


def pair(torch, array, requires_grad=True):
    """The same float64 values as an nbtorch and a PyTorch tensor."""
    array = np.asarray(array, dtype=np.float64)
    return (nbtorch.tensor(array, requires_grad=requires_grad),
            torch.tensor(array, requires_grad=requires_grad))


def grads_of(lib, f, inputs, weights):
    """The gradients of sum(weights * f(*inputs)) with respect to ``inputs``."""
    out = f(lib, *inputs)
    return lib.autograd.grad((out * lib.tensor(weights)).sum(), inputs)


def assert_same_grads(torch, f, arrays, out_shape):
    weights = rng.standard_normal(out_shape)
    ours = [pair(torch, a)[0] for a in arrays]
    theirs = [pair(torch, a)[1] for a in arrays]
    for g, tg in zip(grads_of(nbtorch, f, ours, weights), grads_of(torch, f, theirs, weights)):
        np.testing.assert_allclose(g.numpy(), tg.numpy(), rtol=1e-12, atol=1e-12)


# -- cdist, p = inf -------------------------------------------------------------------------


def cdist_inf(lib, a, b):
    return lib.cdist(a, b, p=math.inf)


@pytest.mark.oracle
def test_cdist_inf_gives_every_tie_the_whole_gradient(torch):
    """Rows at distance with two and three tied coordinates, and a row at distance zero."""
    x1 = np.array([[0.0, 0.0, 0.0], [1.0, 2.0, 3.0]])
    x2 = np.array([[1.0, -1.0, 0.5], [2.0, 2.0, -2.0], [0.0, 0.0, 0.0]])
    assert_same_grads(torch, cdist_inf, [x1, x2], (2, 3))


@pytest.mark.oracle
def test_cdist_inf_batched_integer_grid_matches_pytorch(torch):
    """Small integers make many ties; batch dims broadcast."""
    x1 = rng.integers(-2, 3, (2, 4, 3)).astype(np.float64)
    x2 = rng.integers(-2, 3, (1, 5, 3)).astype(np.float64)
    assert_same_grads(torch, cdist_inf, [x1, x2], (2, 4, 5))


@pytest.mark.oracle
def test_cdist_inf_forward_is_unchanged(torch):
    x1, x2 = rng.standard_normal((3, 4)), rng.integers(-1, 2, (5, 4)).astype(np.float64)
    got = nbtorch.cdist(nbtorch.tensor(x1), nbtorch.tensor(x2), p=math.inf)
    want = torch.cdist(torch.tensor(x1), torch.tensor(x2), p=math.inf)
    np.testing.assert_array_equal(got.numpy(), want.numpy())
    assert got.dtype == nbtorch.float64


def test_cdist_inf_gradcheck_away_from_ties():
    x1 = nbtorch.randn(3, 4, dtype=nbtorch.float64, requires_grad=True)
    x2 = nbtorch.randn(2, 4, dtype=nbtorch.float64, requires_grad=True)
    assert gradcheck(lambda a, b: nbtorch.cdist(a, b, p=math.inf), (x1, x2))
    assert gradgradcheck(lambda a, b: nbtorch.cdist(a, b, p=math.inf), (x1, x2))


# -- as_strided of an input that overlaps itself --------------------------------------------


AS_STRIDED = {
    "overlapping output": (lambda m, w: w.as_strided((3, 3), (1, 1)), (5,), (3, 3)),
    "expanded input, stride 0 out": (
        lambda m, w: w.unsqueeze(1).expand(3, 4).as_strided((2, 2), (1, 0)), (3,), (2, 2)),
    "expanded input, overlapping out": (
        lambda m, w: w.unsqueeze(1).expand(3, 4).as_strided((2, 2), (1, 1)), (3,), (2, 2)),
    "row expanded": (lambda m, w: w.expand(4, 2).as_strided((4, 2), (0, 1)), (2,), (4, 2)),
    "expanded twice": (lambda m, w: w.unsqueeze(0).expand(2, 3).unsqueeze(0).expand(
        2, 2, 3).as_strided((2, 2), (1, 1)), (3,), (2, 2)),
    "view of a view": (lambda m, w: (w * 1)[1:].as_strided((2, 2), (2, 1), 0), (6,), (2, 2)),
}


@pytest.mark.oracle
@pytest.mark.parametrize("case", AS_STRIDED)
def test_as_strided_gradient_matches_pytorch(torch, case):
    f, shape, out_shape = AS_STRIDED[case]
    assert_same_grads(torch, f, [rng.standard_normal(shape)], out_shape)


@pytest.mark.parametrize("case", [c for c in AS_STRIDED if c != "view of a view"])
def test_as_strided_gradcheck(case):
    """The expanded input's copies are the same number, so w's true gradient is the sum
    over every output element that reads it: finite differences agree. (Not for the view of
    a view: it reads a storage element outside its input, which by PyTorch's rule gets no
    gradient.)"""
    f, shape, _ = AS_STRIDED[case]
    w = nbtorch.randn(*shape, dtype=nbtorch.float64, requires_grad=True)
    assert gradcheck(lambda w: f(nbtorch, w), (w,))
    assert gradgradcheck(lambda w: f(nbtorch, w) ** 2, (w,))


@pytest.mark.oracle
def test_as_strided_forward_mode_matches_pytorch(torch):
    f, shape, _ = AS_STRIDED["expanded input, overlapping out"]
    w, t = rng.standard_normal(shape), rng.standard_normal(shape)
    _, ours = nbtorch.func.jvp(lambda w: f(nbtorch, w), (nbtorch.tensor(w),),
                               (nbtorch.tensor(t),))
    _, theirs = torch.func.jvp(lambda w: f(torch, w), (torch.tensor(w),), (torch.tensor(t),))
    np.testing.assert_allclose(ours.numpy(), theirs.numpy(), rtol=1e-12)


# -- scatter_reduce(prod): double backward with two zeros at one position -------------------


def prod_src_grad(lib, x, src, include_self):
    """The gradient of sum(scatter_reduce(x, 'prod')) with respect to src, with a graph."""
    index = lib.tensor([0, 0, 1, 1])
    out = x.scatter_reduce(0, index, src, "prod", include_self=include_self)
    return lib.autograd.grad(out.sum(), src, create_graph=True)[0]


@pytest.mark.oracle
@pytest.mark.parametrize("include_self", [True, False])
def test_prod_double_backward_with_two_zeros_raises_like_pytorch(torch, include_self):
    x, tx = pair(torch, [1.0, 2.0, 3.0])
    src, tsrc = pair(torch, [0.0, 0.0, 2.0, 5.0])
    g, tg = prod_src_grad(nbtorch, x, src, include_self), prod_src_grad(torch, tx, tsrc,
                                                                        include_self)
    np.testing.assert_allclose(g.detach().numpy(), tg.detach().numpy())  # first order works
    with pytest.raises(RuntimeError) as theirs:
        torch.autograd.grad(tg.sum(), tsrc)
    with pytest.raises(RuntimeError) as ours:
        nbtorch.autograd.grad(g.sum(), src)
    assert str(ours.value) == str(theirs.value)


@pytest.mark.oracle
def test_prod_double_backward_with_one_zero_matches_pytorch(torch):
    """One zero per position is still twice differentiable, as in PyTorch."""
    x, tx = pair(torch, [1.0, 2.0, 3.0])
    src, tsrc = pair(torch, [0.0, 3.0, 2.0, 0.0])
    (gg,) = nbtorch.autograd.grad(prod_src_grad(nbtorch, x, src, True).sum(), src)
    (tgg,) = torch.autograd.grad(prod_src_grad(torch, tx, tsrc, True).sum(), tsrc)
    np.testing.assert_allclose(gg.numpy(), tgg.numpy())
    assert gradgradcheck(lambda s: x.scatter_reduce(0, nbtorch.tensor([0, 0, 1, 1]), s,
                                                    "prod"), (src,))


def test_prod_first_order_with_two_zeros_needs_no_graph():
    """Without create_graph nothing is recorded, and the gradient is the product of the
    others (finite differences)."""
    x = nbtorch.tensor([1.0, 2.0, 3.0], dtype=nbtorch.float64, requires_grad=True)
    src = nbtorch.tensor([0.0, 0.0, 2.0, 5.0], dtype=nbtorch.float64, requires_grad=True)
    index = nbtorch.tensor([0, 0, 1, 1])
    assert gradcheck(lambda x, s: x.scatter_reduce(0, index, s, "prod"), (x, src))
