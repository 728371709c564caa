"""Cross entropy's fast paths give exactly the numbers of its general path: the "plain" case
(no weights, smoothing or ignored targets) and rows split over threads for big inputs."""

import numpy as np
import pytest

import nbtorch
import nbtorch.nn.functional as F
from nbtorch import _threads
from nbtorch._ops import nn_loss


def _loss_and_grad(x, y, **kw):
    x = nbtorch.tensor(x, requires_grad=True)
    loss = F.cross_entropy(x, nbtorch.tensor(y), **kw)
    (loss.sum() if loss.dim() else loss).backward()
    return loss.detach().numpy(), x.grad.numpy()


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_plain_path_equals_the_general_path(reduction, monkeypatch):
    rng = np.random.default_rng(0)
    x = rng.standard_normal((64, 10)).astype(np.float32)
    y = np.r_[0, 9, rng.choice([0, 1, 2, 3, 4, 6, 7, 8, 9], 62)]  # no target is 5
    calls = []
    apply = nn_loss.CrossEntropy.apply
    monkeypatch.setattr(nn_loss.CrossEntropy, "apply", lambda *a: calls.append(a[-1])
                        or apply(*a))
    plain = _loss_and_grad(x, y, reduction=reduction)
    general = _loss_and_grad(x, y, reduction=reduction, ignore_index=5)  # in range: general
    assert calls == [True, False]
    for a, b in zip(plain, general):
        np.testing.assert_array_equal(a, b)


def test_ignore_index_inside_the_target_range_still_ignores():
    x = np.random.default_rng(1).standard_normal((4, 3)).astype(np.float32)
    loss, grad = _loss_and_grad(x, np.array([0, 1, 2, 1]), ignore_index=1)
    kept, kept_grad = _loss_and_grad(x[[0, 2]], np.array([0, 2]))
    np.testing.assert_allclose(loss, kept, rtol=1e-6)
    assert not grad[[1, 3]].any()
    np.testing.assert_allclose(grad[[0, 2]], kept_grad, rtol=1e-6)


@pytest.mark.parametrize("kw", [{}, {"reduction": "none"}, {"label_smoothing": 0.2},
                                {"ignore_index": 3}])
def test_rows_split_over_threads_give_the_same_bits(monkeypatch, kw):
    rng = np.random.default_rng(2)
    x = rng.standard_normal((37, 50)).astype(np.float32)
    y = rng.integers(0, 50, 37)
    one_thread = _loss_and_grad(x, y, **kw)
    monkeypatch.setattr(nn_loss, "_row_threads", lambda x: 3)
    three_threads = _loss_and_grad(x, y, **kw)
    for a, b in zip(one_thread, three_threads):
        np.testing.assert_array_equal(a, b)


def test_thread_errors_reach_the_caller():
    def work(a, b):
        raise ValueError(f"rows {a}:{b}")

    with pytest.raises(ValueError, match="rows"):
        _threads.parallel_chunks(work, 10, 2)


def test_out_of_range_target_still_raises():
    with pytest.raises(IndexError, match="Target 5 is out of bounds"):
        F.cross_entropy(nbtorch.randn(2, 5), nbtorch.tensor([0, 5]))
    with pytest.raises(IndexError, match="Target -1 is out of bounds"):
        F.cross_entropy(nbtorch.randn(2, 5), nbtorch.tensor([-1, 2]))
    out = F.cross_entropy(nbtorch.randn(2, 5), nbtorch.tensor([-100, 2]))  # ignored: fine
    assert np.isfinite(out.item())


# -- the fused Numba kernels (big float32 inputs): against a float64 numpy oracle -----------


def _oracle(x, y, reduction):
    """Loss and gradient of cross entropy in float64 numpy, by the textbook formulas."""
    x = x.astype(np.float64)
    m = x.max(1, keepdims=True)
    lse = m[:, 0] + np.log(np.exp(x - m).sum(1))
    loss = lse - x[np.arange(len(x)), y]
    grad = np.exp(x - m) / np.exp(x - m).sum(1, keepdims=True)
    grad[np.arange(len(x)), y] -= 1
    if reduction == "mean":
        return loss.mean(), grad / len(x)
    return (loss.sum(), grad) if reduction == "sum" else (loss, grad)


@pytest.fixture
def big_batch():
    rng = np.random.default_rng(3)
    x = (rng.standard_normal((300, 257)) * 6).astype(np.float32)  # 77k entries: fused path
    return x, rng.integers(0, 257, 300)


def test_big_float32_batches_take_the_fused_kernels(big_batch, monkeypatch):
    x, y = big_batch
    used = []
    fused = nn_loss._fused_kernels
    monkeypatch.setattr(nn_loss, "_fused_kernels", lambda a: used.append(fused(a)) or used[-1])
    _loss_and_grad(x, y)
    _loss_and_grad(x.astype(np.float64), y)  # float64: numpy's exact exp
    _loss_and_grad(x[:, :200], y % 200)  # a strided view: numpy path
    assert used[0] is not None and used[1:] == [None, None]


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
@pytest.mark.parametrize("threads", [1, 3])
def test_fused_kernels_match_float64(big_batch, reduction, threads, monkeypatch):
    x, y = big_batch
    monkeypatch.setattr(nn_loss, "_row_threads", lambda a: threads)
    loss, grad = _loss_and_grad(x, y, reduction=reduction)
    want_loss, want_grad = _oracle(x, y, reduction)
    np.testing.assert_allclose(loss, want_loss, rtol=2e-6, atol=1e-6)
    scale = np.abs(want_grad).max()
    np.testing.assert_allclose(grad, want_grad, rtol=1e-5, atol=1e-6 * scale)


def test_fused_kernels_keep_nan_and_infinity_rules(big_batch):
    x, y = big_batch
    x = x.copy()
    x[0, 5] = np.nan  # row 0: a NaN loss and NaN gradient, like numpy and PyTorch
    x[1, :] = -np.inf
    x[1, y[1]] = 0.0  # row 1: only the target is finite: loss 0, gradient 0
    x[2, 7] = -1e4  # row 2: one exp underflows to exactly 0
    loss, grad = _loss_and_grad(x, y, reduction="none")
    assert np.isnan(loss[0]) and np.isnan(grad[0]).all()
    assert loss[1] == 0 and not grad[1].any()
    assert grad[2, 7] == 0
    want_loss, want_grad = _oracle(x[2:], y[2:], "none")
    np.testing.assert_allclose(loss[2:], want_loss, rtol=2e-6, atol=1e-6)
    np.testing.assert_allclose(grad[2:], want_grad, rtol=1e-5, atol=1e-7)


def test_fused_path_backward_twice_and_double_backward(big_batch):
    x, y = big_batch
    xt = nbtorch.tensor(x, requires_grad=True)
    loss = F.cross_entropy(xt, nbtorch.tensor(y))
    (g1,) = nbtorch.autograd.grad(loss, xt, retain_graph=True, create_graph=True)
    (g2,) = nbtorch.autograd.grad(loss, xt, retain_graph=True)
    np.testing.assert_array_equal(g1.detach().numpy(), g2.numpy())
    v = np.random.default_rng(4).standard_normal(x.shape).astype(np.float32)
    (hv,) = nbtorch.autograd.grad((g1 * nbtorch.tensor(v)).sum(), xt)
    p = np.exp(x - x.max(1, keepdims=True)).astype(np.float64)
    p /= p.sum(1, keepdims=True)
    pv = p * v
    want = (pv - p * pv.sum(1, keepdims=True)) / len(x)  # softmax Jacobian times v
    np.testing.assert_allclose(hv.numpy(), want, rtol=1e-4, atol=1e-9)
