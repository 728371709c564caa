"""Every loss of ``nn.functional`` on cuda: the CPU's loss and gradient with respect to the
input, for each reduction (cross entropy's fused cuda path has its own tests in
test_cross_entropy.py). ``nll_loss`` keeps its targets on the device, as cross entropy
does: targets copied from the host are not read back."""

import numpy as np
import pytest

import nbtorch as torch
import nbtorch.nn.functional as F

pytestmark = pytest.mark.cuda

REDUCTIONS = ["mean", "sum", "none"]
rng = np.random.default_rng(0)
X = rng.standard_normal((6, 5)).astype(np.float32)
X4 = rng.standard_normal((2, 5, 3, 2)).astype(np.float32)
Y = rng.standard_normal((6, 5)).astype(np.float32)
P = (1 / (1 + np.exp(-X))).astype(np.float32)  # probabilities
BITS = (rng.random((6, 5)) > 0.5).astype(np.float32)
SATURATED = np.where(np.arange(5) < 2, BITS, P).astype(np.float32)  # columns 0-1: 0 or 1
SATURATED[0, :2] = 1 - BITS[0, :2]  # and some of those the wrong way round
T = rng.integers(0, 5, 6)
T4 = rng.integers(0, 5, (2, 3, 2))
W = (rng.random(5) + 0.5).astype(np.float32)
IGNORED = np.where(T == T[0], -100, T)  # some targets ignored (ignore_index's default)


def _log_probs(x):
    return F.log_softmax(x, 1)


LOSSES = {  # name: (the loss of an input tensor, that input, other arguments as arrays)
    "nll_loss": (lambda x, t, r: F.nll_loss(_log_probs(x), t, reduction=r), X, [T]),
    "nll_loss, class weights": (
        lambda x, t, w, r: F.nll_loss(_log_probs(x), t, weight=w, reduction=r), X, [T, W]),
    "nll_loss, ignored targets": (
        lambda x, t, w, r: F.nll_loss(_log_probs(x), t, weight=w, reduction=r), X,
        [IGNORED, W]),
    "nll_loss, (N, C, d1, d2)": (
        lambda x, t, r: F.nll_loss(_log_probs(x), t, reduction=r), X4, [T4]),
    "mse_loss": (lambda x, y, r: F.mse_loss(x, y, reduction=r), X, [Y]),
    "l1_loss": (lambda x, y, r: F.l1_loss(x, y, reduction=r), X, [Y]),
    "smooth_l1_loss": (lambda x, y, r: F.smooth_l1_loss(x, y, reduction=r, beta=0.5), X, [Y]),
    "huber_loss": (lambda x, y, r: F.huber_loss(x, y, reduction=r, delta=0.7), X, [Y]),
    "binary_cross_entropy": (
        lambda p, b, w, r: F.binary_cross_entropy(p, b, weight=w, reduction=r), P, [BITS, W]),
    "binary_cross_entropy, p = 0 and 1": (
        lambda p, b, w, r: F.binary_cross_entropy(p, b, weight=w, reduction=r), SATURATED,
        [BITS, W]),
    "binary_cross_entropy_with_logits": (
        lambda x, b, w, r: F.binary_cross_entropy_with_logits(x, b, pos_weight=w,
                                                              reduction=r), X, [BITS, W]),
    "kl_div": (lambda x, p, r: F.kl_div(_log_probs(x), p, reduction=r), X,
               [P / P.sum(1, keepdims=True)]),
    "cross_entropy, class weights and smoothing": (
        lambda x, t, w, r: F.cross_entropy(x, t, weight=w, label_smoothing=0.1, reduction=r),
        X, [IGNORED, W]),
}


def _loss_and_grad(name, device, reduction):
    loss_fn, x, others = LOSSES[name]
    xt = torch.tensor(x).to(device).requires_grad_()
    loss = loss_fn(xt, *[torch.tensor(a).to(device) for a in others], reduction)
    g = np.random.default_rng(1).standard_normal(loss.shape).astype(np.float32)
    loss.backward(torch.tensor(g).to(device))
    return loss.detach().cpu().numpy(), xt.grad.cpu().numpy()


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("name", list(LOSSES))
def test_loss_and_gradient_equal_the_cpus(name, reduction):
    loss, grad = _loss_and_grad(name, "cpu", reduction)
    cuda_loss, cuda_grad = _loss_and_grad(name, "cuda", reduction)
    assert cuda_loss.shape == loss.shape and cuda_loss.dtype == loss.dtype
    np.testing.assert_allclose(cuda_loss, loss, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(cuda_grad, grad, rtol=1e-5, atol=1e-6)


def test_nll_loss_does_not_read_targets_copied_from_the_host(monkeypatch):
    """Neither forward nor backward (gather and scatter_add check their indices by the
    range the host kept, as cross entropy does)."""
    from nbtorch._backend.cuda.array import DeviceArray

    x = torch.tensor(X).cuda().requires_grad_()
    t = torch.tensor(T).cuda()
    reads, get = [], DeviceArray.get
    monkeypatch.setattr(DeviceArray, "get", lambda a: reads.append(a.shape) or get(a))
    loss = F.nll_loss(_log_probs(x), t)
    loss.backward()
    assert reads == []
    monkeypatch.undo()
    want = F.nll_loss(_log_probs(torch.tensor(X)), torch.tensor(T)).item()
    np.testing.assert_allclose(loss.item(), want, rtol=1e-6)


def test_gather_checks_a_gpu_made_index_by_reading_it():
    x = torch.tensor(X).cuda()
    index = torch.tensor(T[:, None]).cuda() + 5  # made on the GPU: out of range, no range kept
    with pytest.raises(RuntimeError, match=f"index {T.max() + 5} is out of bounds for dim"):
        torch.gather(x, 1, index)


@pytest.mark.parametrize("device", ["cpu", "cuda"])
def test_nll_loss_errors_are_pytorchs(device):
    x = _log_probs(torch.tensor(X)).to(device)
    bad = T.copy()
    bad[3] = 7
    with pytest.raises(IndexError, match="^Target 7 is out of bounds.$"):
        F.nll_loss(x, torch.tensor(bad).to(device))
    other = "cpu" if device == "cuda" else "cuda"
    with pytest.raises(RuntimeError, match="same device"):
        F.nll_loss(x, torch.tensor(T).to(other))
    with pytest.raises(RuntimeError, match="same device"):
        F.nll_loss(x, torch.tensor(T).to(device), weight=torch.tensor(W).to(other))


ZERO_WEIGHT = np.where(np.arange(5) == T[1], 0.0, W).astype(np.float32)  # T[1]'s class: 0


@pytest.mark.parametrize("target", [np.full(6, -100), np.where(T == T[1], T, -100)],
                         ids=["every target ignored", "the rest weighs 0"])
@pytest.mark.parametrize("loss_fn", [
    lambda x, t, w: F.nll_loss(_log_probs(x), t, weight=w),
    lambda x, t, w: F.cross_entropy(x, t, weight=w),
    lambda x, t, w: F.cross_entropy(x, t, weight=w, label_smoothing=0.1),
], ids=["nll_loss", "cross_entropy", "cross_entropy, smoothing"])
def test_a_mean_over_no_counted_row_is_the_cpus_on_cuda(loss_fn, target):
    """0 / 0: a nan loss; ignored rows get a zero gradient, rows of weight 0 get nan."""
    results = []
    for device in ("cpu", "cuda"):
        x = torch.tensor(X).to(device).requires_grad_()
        loss = loss_fn(x, torch.tensor(target).to(device), torch.tensor(ZERO_WEIGHT).to(device))
        loss.backward()
        results.append((loss.item(), x.grad.cpu().numpy()))
    (loss, grad), (cuda_loss, cuda_grad) = results
    assert np.isnan(loss) and np.isnan(cuda_loss)
    np.testing.assert_allclose(cuda_grad, grad, rtol=1e-5, atol=1e-6)  # nan where the CPU's is
    assert not grad[target == -100].any()
