"""``F.cross_entropy`` on cuda. Its common case (class-index targets, no class weights, no
label smoothing, no ignored target) runs in the cuda backend's fused kernels: the CPU's
loss and gradients (first and second order, reverse and forward mode), in one or two
launches forward and two backward (the ``launches`` fixture counts them: the op-by-op path
made about 16 and 17)."""

import numpy as np
import pytest

import nbtorch as torch
import nbtorch.nn as nn
import nbtorch.nn.functional as F

pytestmark = pytest.mark.cuda

REDUCTIONS = ["mean", "sum", "none"]


def _problem(shape, dtype=np.float32, seed=0):
    """Logits of ``shape`` (N, C, d1, ...) and a target class per prediction (N, d1, ...)."""
    rng = np.random.default_rng(seed)
    x = (rng.standard_normal(shape) * 3).astype(dtype)
    t = rng.integers(0, shape[1], (shape[0],) + tuple(shape[2:]))
    return x, t


def _tol(dtype):
    return 1e-5 if dtype == np.float32 else 1e-12


def _loss_and_grad(x, t, device, reduction, seed=1):
    """The loss and d loss / d x on ``device``; a non-uniform incoming gradient, so that
    each row's scale is read (a strided one per row for reduction='none')."""
    xt = torch.tensor(x).to(device).requires_grad_()
    loss = F.cross_entropy(xt, torch.tensor(t).to(device), reduction=reduction)
    if reduction == "none":
        g = np.random.default_rng(seed).standard_normal(t.size * 2).astype(x.dtype)
        loss.backward(torch.tensor(g).to(device)[::2].reshape(loss.shape))
    else:
        (loss * 1.7).backward()
    return loss.detach().cpu().numpy(), xt.grad.cpu().numpy()


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
# (6, 11): a row longer than the simulator's 8-thread block; (37, 10): more rows than the
# block's threads (the one-launch mean takes several rows a thread); (5, 40): rows too wide
# for that kernel (a row kernel and a sum)
@pytest.mark.parametrize("shape", [(6, 11), (3, 4, 2), (37, 10), (5, 40)])
@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_loss_and_gradient_equal_the_cpus(reduction, shape, dtype):
    x, t = _problem(shape, dtype)
    loss, grad = _loss_and_grad(x, t, "cpu", reduction)
    cuda_loss, cuda_grad = _loss_and_grad(x, t, "cuda", reduction)
    assert cuda_loss.shape == loss.shape and cuda_loss.dtype == loss.dtype
    assert cuda_grad.dtype == grad.dtype
    np.testing.assert_allclose(cuda_loss, loss, rtol=_tol(dtype), atol=_tol(dtype))
    np.testing.assert_allclose(cuda_grad, grad, rtol=_tol(dtype), atol=_tol(dtype))


def test_module_and_targets_of_other_kinds_equal_the_cpu():
    """nn.CrossEntropyLoss; a uint8 target (converted on the device). An int32 target is
    refused, as in PyTorch."""
    x, t = _problem((5, 4))
    want = nn.CrossEntropyLoss()(torch.tensor(x), torch.tensor(t)).item()
    cx = torch.tensor(x).cuda()
    for target in (torch.tensor(t).cuda(), torch.tensor(t.astype(np.uint8)).cuda()):
        got = nn.CrossEntropyLoss()(cx, target)
        assert got.is_cuda
        assert abs(got.item() - want) < 1e-5
    with pytest.raises(RuntimeError, match="expected target dtype to be Long or Byte, but got "
                                           "Int"):
        nn.CrossEntropyLoss()(cx, torch.tensor(t.astype(np.int32)).cuda())


def test_a_target_or_weight_on_another_device_raises_pytorchs_error():
    x, t = _problem((5, 4))
    for logits, target, weight in [
            (torch.tensor(x).cuda(), torch.tensor(t), None),
            (torch.tensor(x), torch.tensor(t).cuda(), None),
            (torch.tensor(x).cuda(), torch.tensor(t).cuda(), torch.ones(4)),
            (torch.tensor(x).cuda(), torch.tensor(x).softmax(1), None)]:  # probabilities
        with pytest.raises(RuntimeError, match="same device.*cuda:0 and cpu"):
            F.cross_entropy(logits, target, weight=weight)


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_second_derivatives_equal_the_cpus(reduction):
    """create_graph=True: the gradient is itself differentiable (CrossEntropyBackward's
    Tensor-op formula), with respect to the logits and to the incoming gradient."""
    x, t = _problem((4, 3), np.float64)
    w = np.random.default_rng(2).standard_normal(x.shape)
    results = []
    for device in ("cpu", "cuda"):
        xt = torch.tensor(x).to(device).requires_grad_()
        loss = F.cross_entropy(xt, torch.tensor(t).to(device), reduction=reduction)
        shape = t.shape if reduction == "none" else ()
        scale = torch.full(shape, 0.5, dtype=torch.float64, device=device, requires_grad=True)
        (g,) = torch.autograd.grad(loss, xt, scale, create_graph=True)
        (g * torch.tensor(w).to(device)).sum().backward()
        results.append([a.detach().cpu().numpy() for a in (g, xt.grad, scale.grad)])
    for cuda_result, cpu_result in zip(results[1], results[0]):
        np.testing.assert_allclose(cuda_result, cpu_result, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("reduction", ["mean", "none"])
def test_forward_mode_equals_the_cpus(reduction):
    x, t = _problem((4, 3), np.float64)
    v = np.random.default_rng(3).standard_normal(x.shape)
    results = []
    for device in ("cpu", "cuda"):
        target = torch.tensor(t).to(device)
        out, tangent = torch.func.jvp(
            lambda a, target=target: F.cross_entropy(a, target, reduction=reduction),
            (torch.tensor(x).to(device),), (torch.tensor(v).to(device),))
        results.append((out.cpu().numpy(), tangent.cpu().numpy()))
    for cuda_result, cpu_result in zip(results[1], results[0]):
        np.testing.assert_allclose(cuda_result, cpu_result, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("reduction", ["mean", "none"])
def test_forward_over_reverse(reduction):
    """The gradient's own jvp rule (CudaCrossEntropyBackward.jvp): a Hessian-vector
    product equals the CPU's reverse-over-reverse one, and the gradient is linear in the
    incoming gradient."""
    x, t = _problem((4, 3), np.float64)
    v = np.random.default_rng(4).standard_normal(x.shape)
    xc = torch.tensor(x, requires_grad=True)
    (g,) = torch.autograd.grad(F.cross_entropy(xc, torch.tensor(t), reduction=reduction).sum(),
                               xc, create_graph=True)
    (want,) = torch.autograd.grad((g * torch.tensor(v)).sum(), xc)
    target = torch.tensor(t).cuda()

    def gradient(a):
        return torch.func.grad(
            lambda b: F.cross_entropy(b, target, reduction=reduction).sum())(a)

    _, hv = torch.func.jvp(gradient, (torch.tensor(x).cuda(),), (torch.tensor(v).cuda(),))
    np.testing.assert_allclose(hv.cpu().numpy(), want.numpy(), rtol=1e-12, atol=1e-12)
    out, vjp_fn = torch.func.vjp(lambda b: F.cross_entropy(b, target, reduction=reduction),
                                 torch.tensor(x).cuda())
    s, ds = (torch.full(out.shape, c, dtype=torch.float64, device="cuda") for c in (0.7, 1.3))
    _, tangent = torch.func.jvp(lambda s: vjp_fn(s)[0], (s,), (ds,))
    np.testing.assert_allclose(tangent.cpu().numpy(), vjp_fn(ds)[0].cpu().numpy(),
                               rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("bad", [7, -3])
def test_an_out_of_range_target_raises_the_cpus_error(bad):
    x, t = _problem((3, 4))
    t[1] = bad
    for device in ("cpu", "cuda"):
        with pytest.raises(IndexError, match=f"^Target {bad} is out of bounds.$"):
            F.cross_entropy(torch.tensor(x).to(device), torch.tensor(t).to(device))


@pytest.mark.parametrize("classes, forward_launches", [(10, 1), (40, 2)])
def test_launches_forward_and_backward(launches, classes, forward_launches):
    """The plain mean forward: for rows of up to 32 classes one kernel (losses and their
    sum), for wider rows the row kernel and a sum (24 rows: a sum the simulator, too, does
    in one pass). Backward: the seed gradient's fill and the one gradient kernel."""
    x, t = _problem((24, classes))
    cx, ct = torch.tensor(x).cuda().requires_grad_(), torch.tensor(t).cuda()
    launches.clear()
    loss = F.cross_entropy(cx, ct)
    forward = sum(launches.values())
    launches.clear()
    loss.backward()
    backward = sum(launches.values())
    assert (forward, backward) == (forward_launches, 2), dict(launches)
    launches.clear()
    F.cross_entropy(cx, ct, reduction="none")
    assert sum(launches.values()) == 1


@pytest.mark.parametrize("classes", [10, 40])
@pytest.mark.parametrize("reduction", ["mean", "sum"])
def test_a_nan_or_inf_logit_gives_the_cpus_loss(classes, reduction):
    x, t = _problem((12, classes))
    for bad in (np.nan, np.inf, -np.inf):
        x[5, 3] = bad
        want = F.cross_entropy(torch.tensor(x), torch.tensor(t), reduction=reduction).item()
        got = F.cross_entropy(torch.tensor(x).cuda(), torch.tensor(t).cuda(),
                              reduction=reduction).item()
        np.testing.assert_allclose(got, want, rtol=1e-5)


# -- checking the targets without reading them back ------------------------------------------
# On a GPU, reading the targets on the host waits for the forward pass to finish. The host
# knows the range of targets it copied to the device, and forgets it at any in-place change.


def _reads_back(monkeypatch) -> list:
    """A list that gets the shape of every cuda array read back to the host from now on."""
    from nbtorch._backend.cuda.array import DeviceArray

    reads, get = [], DeviceArray.get

    def counted(self):
        reads.append(self.shape)
        return get(self)

    monkeypatch.setattr(DeviceArray, "get", counted)
    return reads


def test_targets_copied_from_the_host_are_not_read_back(monkeypatch):
    """Also through a slice of them, as in a training loop over a dataset kept on the GPU;
    the loss is the CPU's."""
    x, t = _problem((8, 5))
    cx, all_targets = torch.tensor(x).cuda(), torch.tensor(np.concatenate([t, t])).cuda()
    reads = _reads_back(monkeypatch)
    loss = F.cross_entropy(cx, all_targets[8:])
    assert reads == []
    want = F.cross_entropy(torch.tensor(x), torch.tensor(t)).item()
    np.testing.assert_allclose(loss.item(), want, rtol=1e-6)


@pytest.mark.parametrize("change", ["setitem", "add_ on a view", "through .data", "fill_"])
def test_a_target_changed_in_place_is_read_and_checked_again(change):
    x, t = _problem((6, 4))
    cx, ct = torch.tensor(x).cuda(), torch.tensor(t).cuda()
    F.cross_entropy(cx, ct)  # every target a class
    if change == "setitem":
        ct[2] = 9
    elif change == "add_ on a view":
        ct[1:3].add_(9)
    elif change == "through .data":
        ct.data[2] = 9
    else:
        ct[2:4].fill_(-5)
    now = ct.cpu().numpy()
    bad = now[(now < 0) | (now > 3)][0]  # the first target that is not a class
    with pytest.raises(IndexError, match=f"^Target {bad} is out of bounds.$"):
        F.cross_entropy(cx, ct)


def test_targets_made_on_the_gpu_are_read_and_checked(monkeypatch):
    x, t = _problem((6, 4))
    ct = torch.tensor(t).cuda() + 4  # computed on the device: no range known on the host
    reads = _reads_back(monkeypatch)
    with pytest.raises(IndexError, match=f"^Target {t[0] + 4} is out of bounds.$"):
        F.cross_entropy(torch.tensor(x).cuda(), ct)
    assert reads


@pytest.mark.parametrize("ignore_index", [2, -100])
def test_an_ignore_index_inside_the_known_range_is_honoured(ignore_index):
    x, t = _problem((6, 4))
    t[1] = t[4] = ignore_index if ignore_index >= 0 else t[1]
    losses = [F.cross_entropy(torch.tensor(x).to(d), torch.tensor(t).to(d),
                              ignore_index=ignore_index).item() for d in ("cpu", "cuda")]
    np.testing.assert_allclose(losses[1], losses[0], rtol=1e-6)


def test_an_empty_slice_of_known_targets_equals_the_cpu():
    x = np.zeros((0, 5), np.float32)
    t = np.arange(5)
    for reduction in REDUCTIONS:
        want = F.cross_entropy(torch.tensor(x), torch.tensor(t)[2:2], reduction=reduction)
        got = F.cross_entropy(torch.tensor(x).cuda(), torch.tensor(t).cuda()[2:2],
                              reduction=reduction)
        np.testing.assert_array_equal(got.cpu().numpy(), want.numpy())
