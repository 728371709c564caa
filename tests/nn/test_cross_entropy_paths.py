"""Cross entropy's fast paths give exactly the numbers of its general path: the "plain" case
(no weights, smoothing or ignored targets) and rows split over threads for big inputs."""

import numpy as np
import pytest

import nbtorch
import nbtorch.nn.functional as F
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
        nn_loss._over_row_chunks(work, 10, 2)


def test_out_of_range_target_still_raises():
    with pytest.raises(IndexError, match="Target 5 is out of bounds"):
        F.cross_entropy(nbtorch.randn(2, 5), nbtorch.tensor([0, 5]))
    with pytest.raises(IndexError, match="Target -1 is out of bounds"):
        F.cross_entropy(nbtorch.randn(2, 5), nbtorch.tensor([-1, 2]))
    out = F.cross_entropy(nbtorch.randn(2, 5), nbtorch.tensor([-100, 2]))  # ignored: fine
    assert np.isfinite(out.item())
