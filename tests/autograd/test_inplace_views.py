"""In-place changes through views under autograd (``y[1:] += v``, ``y.t().mul_(2)``): the
base's history records them (CopySlices), and views of a base changed in place follow its
new history (AsStrided). Values and gradients against PyTorch, gradcheck (both modes)."""

import numpy as np
import pytest

import nbtorch
from nbtorch.autograd import gradcheck, gradgradcheck


def through_a_slice(L, x, v):
    y = x * 2
    z = y[1:]
    z += v
    return (y * y).sum()


def through_a_transpose(L, x, v):
    y = x * 2
    y.t().mul_(v[:3])
    return (y**2).sum()


def views_taken_before_a_change(L, x, v):
    y = x * 2
    row, col = y[0], y[:, 1]
    y[2].zero_()
    return (row * col[0]).sum() + (col**2).sum() + (y * x).sum()


def a_view_before_the_base_changes(L, x, v):
    y = x * 2
    first = y[0]
    y.mul_(v)
    return (first * first).sum() + y.sum()


def a_slice_of_a_flat_view(L, x, v):
    y = x * 2
    y.view(-1)[3:7].add_(v)
    return (y * y).sum()


def a_copy_into_a_tensor_without_grad(L, x, v):
    y = L.zeros(3, 4, dtype=x.dtype)
    y[1].copy_(v)
    return (y * x).sum()


def columns_changed_one_by_one(L, x, v):
    y = x * 1
    y[:, 0] += 1
    y[:, 1] *= v[:3]
    return (y**3).sum()


def a_view_of_a_view(L, x, v):
    y = x * 1
    rows = y[1:]
    rows[0].fill_(7.0)
    return (y * y).sum() + (rows * v).sum()


def an_expanded_view_before_a_change(L, x, v):
    y = x * 2
    wide = y.expand(2, 3, 4)
    y.mul_(3)
    return (wide * wide).sum()


CASES = [through_a_slice, through_a_transpose, views_taken_before_a_change,
         a_view_before_the_base_changes, a_slice_of_a_flat_view,
         a_copy_into_a_tensor_without_grad, columns_changed_one_by_one, a_view_of_a_view,
         an_expanded_view_before_a_change]

X = np.arange(12.0).reshape(3, 4) / 7 - 0.5
V = np.array([1.5, -2.0, 0.25, 3.0])


def _run(L, case):
    x = L.tensor(X, requires_grad=True)
    v = L.tensor(V, requires_grad=True)
    out = case(L, x, v)
    out.backward()
    return out.detach().numpy(), x.grad.numpy(), None if v.grad is None else v.grad.numpy()


@pytest.mark.oracle
@pytest.mark.parametrize("case", CASES, ids=lambda c: c.__name__)
def test_in_place_changes_through_views_give_pytorchs_gradients(torch, case):
    for ours, theirs in zip(_run(nbtorch, case), _run(torch, case)):
        if theirs is None:
            assert ours is None
        else:
            np.testing.assert_allclose(ours, theirs, rtol=1e-12)


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.__name__)
def test_in_place_changes_through_views_pass_gradcheck(case):
    x = nbtorch.tensor(X, requires_grad=True)
    v = nbtorch.tensor(V, requires_grad=True)

    def f(x, v):
        return case(nbtorch, x, v)

    assert gradcheck(f, (x, v), check_forward_ad=True)
    assert gradgradcheck(f, (x, v))


@pytest.mark.oracle
def test_errors_are_pytorchs(torch):
    for L in (nbtorch, torch):
        leaf = L.ones(3, requires_grad=True)
        with pytest.raises(RuntimeError, match="a view of a leaf Variable that requires grad"):
            leaf[1:].mul_(2)
        wide = (leaf * 1).expand(2, 3)
        with pytest.raises(RuntimeError, match="more than one element of the written-to"):
            wide.mul_(2)


def test_a_view_of_a_base_that_cannot_be_rebuilt_refuses_a_wrong_gradient():
    """A base whose elements are not C-ordered (numpy keeps a transpose's layout in
    x.t() * 1): nbtorch cannot rebuild its views' history, so their backward raises, and
    a view taken again after the change is right."""
    x = nbtorch.tensor(X, requires_grad=True)
    y = x.t() * 1
    assert not y._array.flags.c_contiguous
    first = y[0]
    y.mul_(2)
    with pytest.raises(RuntimeError, match="take the view again"):
        (first * first).sum().backward()
    again = y[0]
    (again * again).sum().backward()  # d (2 x[:, 0])^2 / dx[:, 0] = 8 x[:, 0]
    np.testing.assert_allclose(x.grad.numpy()[:, 0], 8 * X[:, 0])
    assert not x.grad.numpy()[:, 1:].any()
