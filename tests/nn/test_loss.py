"""Losses against PyTorch (all reductions, weights, ignore_index, label smoothing), gradcheck
and gradgradcheck."""

import warnings

import numpy as np
import pytest
from nn_helpers import assert_close, to_torch

import nbtorch
from nbtorch import nn
from nbtorch.autograd import gradcheck, gradgradcheck
from nbtorch.nn import functional as F

REDUCTIONS = ["mean", "sum", "none"]


def _compare(torch, ours, theirs, inputs, rtol=1e-5, atol=1e-6):
    xs = [x.detach().requires_grad_(x.is_floating_point()) if i == 0 else x
          for i, x in enumerate(inputs)]
    txs = [to_torch(torch, x) for x in xs]
    out, tout = ours(*xs), theirs(*txs)
    assert_close(out, tout, rtol, atol)
    g = nbtorch.randn(*out.shape)
    out.backward(g)
    tout.backward(to_torch(torch, g))
    assert_close(xs[0].grad, txs[0].grad, rtol, atol)


@pytest.mark.oracle
@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("name,kwargs", [
    ("MSELoss", {}), ("L1Loss", {}), ("SmoothL1Loss", {"beta": 0.5}),
    ("SmoothL1Loss", {}), ("HuberLoss", {"delta": 0.7}),
])
def test_regression_losses(torch, name, kwargs, reduction):
    x, t = nbtorch.randn(4, 3), nbtorch.randn(4, 3)
    ours = getattr(nn, name)(reduction=reduction, **kwargs)
    theirs = getattr(torch.nn, name)(reduction=reduction, **kwargs)
    _compare(torch, ours, theirs, [x, t])


@pytest.mark.oracle
@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("smoothing", [0.0, 0.2])
@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("shape", [(6, 5), (3, 5, 2, 2), (5,)])
def test_cross_entropy_class_indices(torch, reduction, smoothing, weighted, shape):
    x = nbtorch.randn(*shape) * 2
    batch = () if len(shape) == 1 else (shape[0],) + shape[2:]
    t = nbtorch.randint(0, 5, batch)
    if len(shape) > 1:
        t[0] = -100  # ignored
    w = nbtorch.rand(5) + 0.5 if weighted else None
    tw = None if w is None else to_torch(torch, w)
    _compare(torch,
             lambda a, b: F.cross_entropy(a, b, w, reduction=reduction,
                                          label_smoothing=smoothing),
             lambda a, b: torch.nn.functional.cross_entropy(
                 a, b, tw, reduction=reduction, label_smoothing=smoothing),
             [x, t])


@pytest.mark.oracle
@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_cross_entropy_probabilities_and_module(torch, reduction):
    x = nbtorch.randn(4, 3)
    t = F.softmax(nbtorch.randn(4, 3), 1)
    w = nbtorch.rand(3) + 0.5
    ours = nn.CrossEntropyLoss(weight=w, reduction=reduction, label_smoothing=0.1)
    theirs = torch.nn.CrossEntropyLoss(weight=to_torch(torch, w), reduction=reduction,
                                       label_smoothing=0.1)
    _compare(torch, ours, theirs, [x, t])
    assert "weight" in ours.state_dict()


@pytest.mark.oracle
@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_nll_loss(torch, reduction):
    logp = F.log_softmax(nbtorch.randn(5, 4), 1)
    t = nbtorch.tensor([0, 3, 1, -100, 2])
    w = nbtorch.rand(4) + 0.5
    _compare(torch, nn.NLLLoss(weight=w, reduction=reduction),
             torch.nn.NLLLoss(weight=to_torch(torch, w), reduction=reduction), [logp, t])
    _compare(torch, nn.NLLLoss(reduction=reduction), torch.nn.NLLLoss(reduction=reduction),
             [logp, t])


@pytest.mark.oracle
@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_binary_losses(torch, reduction):
    p = nbtorch.rand(4, 3) * 0.98 + 0.01
    t = (nbtorch.rand(4, 3) > 0.5).float()
    w = nbtorch.rand(3)
    _compare(torch, nn.BCELoss(weight=w, reduction=reduction),
             torch.nn.BCELoss(weight=to_torch(torch, w), reduction=reduction), [p, t])
    logits = nbtorch.randn(4, 3) * 3
    pw = nbtorch.rand(3) * 3
    _compare(torch, nn.BCEWithLogitsLoss(reduction=reduction, pos_weight=pw),
             torch.nn.BCEWithLogitsLoss(reduction=reduction, pos_weight=to_torch(torch, pw)),
             [logits, t])
    _compare(torch, nn.BCEWithLogitsLoss(weight=w, reduction=reduction),
             torch.nn.BCEWithLogitsLoss(weight=to_torch(torch, w), reduction=reduction),
             [logits, nbtorch.rand(4, 3)])


@pytest.mark.oracle
@pytest.mark.parametrize("reduction", REDUCTIONS + ["batchmean"])
@pytest.mark.parametrize("log_target", [False, True])
def test_kl_div(torch, reduction, log_target):
    inp = F.log_softmax(nbtorch.randn(4, 3), 1)
    t = F.softmax(nbtorch.randn(4, 3), 1)
    t[0, 0] = 0.0
    if log_target:
        t = F.log_softmax(nbtorch.randn(4, 3), 1)
    _compare(torch, nn.KLDivLoss(reduction=reduction, log_target=log_target),
             torch.nn.KLDivLoss(reduction=reduction, log_target=log_target), [inp, t])


def _f64(*shape):
    return nbtorch.randn(*shape, dtype=nbtorch.float64)


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("loss", [
    F.mse_loss, F.l1_loss, F.smooth_l1_loss, F.huber_loss,
    lambda x, t, reduction: F.binary_cross_entropy_with_logits(
        x, (t > 0).double(), reduction=reduction, pos_weight=nbtorch.tensor([2.0, 0.5, 1.0],
                                                                             dtype=nbtorch.float64)),
    lambda x, t, reduction: F.binary_cross_entropy(
        x.sigmoid(), (t > 0).double(), reduction=reduction),
    lambda x, t, reduction: F.kl_div(F.log_softmax(x, 1), F.softmax(t, 1),
                                     reduction=reduction),
])
def test_losses_gradcheck(loss, reduction):
    x = _f64(4, 3).requires_grad_()
    t = _f64(4, 3)
    fn = lambda v: loss(v, t, reduction=reduction)  # noqa: E731
    assert gradcheck(fn, (x,))
    assert gradgradcheck(fn, (x,))


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("smoothing", [0.0, 0.3])
def test_cross_entropy_gradcheck_and_gradgradcheck(reduction, smoothing):
    x = _f64(5, 4).requires_grad_()
    t = nbtorch.tensor([0, 3, -100, 2, 1])
    w = nbtorch.tensor([1.0, 2.0, 0.5, 1.5], dtype=nbtorch.float64)
    for weight in (None, w):
        def fn(v, weight=weight):
            return F.cross_entropy(v, t, weight, reduction=reduction, label_smoothing=smoothing)

        assert gradcheck(fn, (x,))
        assert gradgradcheck(fn, (x,))
    # non-contiguous logits and K-dimensional input
    xt = _f64(4, 5).requires_grad_()
    assert gradcheck(lambda v: F.cross_entropy(v.t(), t, reduction=reduction), (xt,))
    x4 = _f64(2, 3, 2, 2).requires_grad_()
    t4 = nbtorch.randint(0, 3, (2, 2, 2))
    assert gradcheck(lambda v: F.cross_entropy(v, t4, reduction=reduction), (x4,))


def test_nll_gradcheck():
    x = _f64(4, 3).requires_grad_()
    t = nbtorch.tensor([0, 2, 1, 1])
    assert gradcheck(lambda v: F.nll_loss(v, t), (x,))
    assert gradgradcheck(lambda v: F.nll_loss(v, t), (x,))


def test_cross_entropy_errors():
    x = nbtorch.randn(4, 3)
    with pytest.raises(ValueError, match=r"batch_size \(4\) to match target batch_size \(3\)"):
        F.cross_entropy(x, nbtorch.tensor([0, 1, 2]))
    with pytest.raises(IndexError, match="Target 3 is out of bounds"):
        F.cross_entropy(x, nbtorch.tensor([0, 1, 2, 3]))
    with pytest.raises(ValueError):
        F.cross_entropy(x, nbtorch.tensor([0, 1, 2, 0]), reduction="avg")
    with pytest.raises(ValueError, match="Target size"):
        F.binary_cross_entropy_with_logits(x, nbtorch.zeros(4))


@pytest.mark.oracle
@pytest.mark.parametrize("weighted", [False, True])
def test_cross_entropy_with_nothing_counted_is_nan_without_a_warning(torch, weighted):
    """No rows, or every target ignored: the mean is 0 / 0, nan, quietly (as in PyTorch)."""
    w = [1.0, 2.0, 3.0] if weighted else None
    for x, t in [(np.zeros((0, 3), np.float32), []), (np.ones((2, 3), np.float32), [-100, -100])]:
        want = torch.nn.functional.cross_entropy(
            torch.tensor(x), torch.tensor(t, dtype=torch.long),
            weight=None if w is None else torch.tensor(w))
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            got = F.cross_entropy(nbtorch.tensor(x), nbtorch.tensor(t, dtype=nbtorch.long),
                                  weight=None if w is None else nbtorch.tensor(w))
        assert np.isnan(want.item()) and np.isnan(got.item())


def test_cross_entropy_backward_twice_with_retain_graph():
    x = nbtorch.randn(6, 5, requires_grad=True)
    t = nbtorch.tensor([0, 1, 2, 3, 4, 0])
    loss = F.cross_entropy(x, t, label_smoothing=0.1)
    loss.backward(retain_graph=True)
    first = x.grad.clone()
    loss.backward()
    np.testing.assert_allclose(x.grad.numpy(), 2 * first.numpy(), rtol=1e-6)


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_losses_forward_mode_ad(reduction):
    x = _f64(5, 4).requires_grad_()
    t = nbtorch.tensor([0, 3, -100, 2, 1])
    assert gradcheck(lambda v: F.cross_entropy(v, t, label_smoothing=0.2, reduction=reduction),
                     (x,), check_forward_ad=True)
    y = _f64(5, 4)
    for loss in (F.mse_loss, F.smooth_l1_loss, F.binary_cross_entropy_with_logits):
        assert gradcheck(lambda v, loss=loss: loss(v, y.sigmoid(), reduction=reduction), (x,),
                         check_forward_ad=True)


NOTHING_COUNTED_CASES = [  # (loss, targets, keyword arguments); class 1 weighs 0
    (loss, t, kw)
    for t in ([-100, -100, -100], [1, -100, 1], [0, -100, 2])
    for loss, kw in [("cross_entropy", {}), ("cross_entropy", {"label_smoothing": 0.2}),
                     ("cross_entropy", {"weight": [1.0, 0.0, 1.0, 1.0]}),
                     ("cross_entropy", {"weight": [1.0, 0.0, 1.0, 1.0], "label_smoothing": 0.2}),
                     ("nll_loss", {}), ("nll_loss", {"weight": [1.0, 0.0, 1.0, 1.0]})]
]


@pytest.mark.oracle
@pytest.mark.parametrize("loss,target,kw", NOTHING_COUNTED_CASES)
def test_an_ignored_row_gets_a_zero_gradient_even_when_no_row_counts(torch, loss, target, kw):
    """The mean over counted rows is 0 / 0 = nan when no row counts; PyTorch's backward skips
    ignored rows (gradient 0) and gives nan only to counted rows of weight 0. Quietly."""
    x = np.random.default_rng(3).standard_normal((3, 4)).astype(np.float32)
    w = kw.get("weight")
    ours = nbtorch.tensor(x, requires_grad=True)
    theirs = torch.tensor(x, requires_grad=True)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        out = getattr(F, loss)(ours, nbtorch.tensor(target), **{
            **kw, "weight": None if w is None else nbtorch.tensor(w)})
        out.backward()
    want = getattr(torch.nn.functional, loss)(theirs, torch.tensor(target), **{
        **kw, "weight": None if w is None else torch.tensor(w)})
    want.backward()
    assert_close(out, want)  # nan where PyTorch has nan
    assert_close(ours.grad, theirs.grad)
    assert not ours.grad.numpy()[1].any()  # row 1 is ignored in every case
