"""cuda tensors through the public API: devices, moves, errors, autograd and an optimizer
step that must equal the CPU's."""

import numpy as np
import pytest

import nbtorch as torch
import nbtorch.nn as nn
import nbtorch.nn.functional as F

pytestmark = pytest.mark.cuda


def test_devices_and_moves():
    x = torch.arange(6.0).reshape(2, 3)
    c = x.cuda()
    assert c.is_cuda and not x.is_cuda and c.device == torch.device("cuda", 0)
    assert str(c.device) == "cuda:0" and c.device.type == "cuda"
    assert x.to("cuda:0").device == c.device and c.cpu().device.type == "cpu"
    assert c.to(torch.float64).dtype == torch.float64 and c.to(torch.float64).is_cuda
    np.testing.assert_array_equal(c.cpu().numpy(), x.numpy())
    assert c.cuda() is c and c.to("cuda") is c  # nothing to move
    for make in (lambda: torch.zeros(2, 3, device="cuda"), lambda: torch.ones(2, device="cuda"),
                 lambda: torch.full((2,), 3.0, device="cuda"),
                 lambda: torch.tensor([1, 2], device="cuda"),
                 lambda: torch.arange(3, device="cuda"), lambda: torch.randn(2, device="cuda"),
                 lambda: torch.zeros_like(c), lambda: torch.eye(2, device="cuda")):
        assert make().is_cuda
    assert torch.zeros(2, 3, device="cuda").cpu().sum().item() == 0
    assert "device='cuda:0'" in repr(c)
    with pytest.raises(TypeError, match="cpu"):
        c.numpy()


def test_mixing_devices_raises_pytorchs_error():
    with pytest.raises(RuntimeError, match="Expected all tensors to be on the same device"):
        torch.ones(3) + torch.ones(3, device="cuda")
    with pytest.raises(RuntimeError, match="same device"):
        torch.ones(2, 2) @ torch.ones(2, 2).cuda()
    for a, b in ((torch.ones(2), torch.ones(2).cuda()), (torch.ones(2).cuda(), torch.ones(2))):
        with pytest.raises(RuntimeError, match="at least two devices, cuda:0 and cpu!"):
            a * b  # PyTorch names the cuda device first, in either operand order


def test_random_numbers_are_drawn_on_the_gpu():
    torch.manual_seed(3)
    a = torch.rand(200, device="cuda")
    z = torch.randn(2, 100, device="cuda", dtype=torch.float64, requires_grad=True)
    d = torch.rand(200, device="cuda", dtype=torch.float64).cpu().numpy()
    torch.manual_seed(3)
    b = torch.rand(200, device="cuda")
    torch.manual_seed(4)
    c = torch.rand(200, device="cuda")
    assert a.is_cuda and z.is_cuda and z.requires_grad and z.dtype == torch.float64
    u = a.cpu().numpy()
    np.testing.assert_array_equal(u, b.cpu().numpy())  # the seed decides the numbers
    assert not np.array_equal(u, c.cpu().numpy())
    assert 0 <= u.min() and u.max() < 1 and abs(u.mean() - 0.5) < 0.1
    assert abs(z.detach().cpu().numpy().std() - 1) < 0.2
    assert d.dtype == np.float64 and 0 <= d.min() and d.max() < 1 and abs(d.mean() - 0.5) < 0.1


def test_cuda_module():
    assert torch.cuda.is_available() and torch.cuda.device_count() >= 1
    assert torch.cuda.current_device() == 0
    assert isinstance(torch.cuda.get_device_name(), str)
    torch.cuda.synchronize()
    with torch.cuda.device(0):
        assert torch.cuda.current_device() == 0
    with pytest.raises(RuntimeError, match="invalid device ordinal"):
        torch.cuda.set_device(torch.cuda.device_count())
    assert torch.cuda.memory_allocated() >= 0
    torch.manual_seed(0)  # also seeds the GPU generators once cuda is in use
    torch.cuda.manual_seed(0)


def test_no_gpu_and_no_simulator_gives_a_clear_error(monkeypatch):
    from nbtorch._backend.cuda import runtime

    monkeypatch.setattr(runtime, "SIMULATOR", False)
    monkeypatch.setattr(runtime.cuda, "is_available", lambda: False)
    with pytest.raises(RuntimeError, match="NVIDIA driver.*NUMBA_ENABLE_CUDASIM"):
        torch.ones(2).cuda()
    assert not torch.cuda.is_available()


def test_ops_and_autograd_equal_the_cpu():
    torch.manual_seed(0)
    a, b = torch.randn(4, 5), torch.randn(5)
    results = []
    for device in ("cpu", "cuda"):
        x = a.clone().to(device).requires_grad_()
        y = b.clone().to(device).requires_grad_()
        z = ((x * y + 1).tanh() @ y.exp()).sum() + x.t()[1:3, ::2].sigmoid().mean()
        z = z + (x[[0, 2]] ** 2).sum() + x.relu().max() + x.softmax(1)[:, 0].sum()
        z.backward()
        results.append([t.detach().cpu().numpy() for t in (z, x.grad, y.grad)])
    for got, want in zip(results[1], results[0]):
        np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-6)


def test_gradient_flows_back_across_devices():
    x = torch.randn(3, requires_grad=True)
    (x.cuda() * 2).sum().backward()
    assert x.grad.device.type == "cpu"
    np.testing.assert_allclose(x.grad.numpy(), 2.0)


def test_mlp_training_step_equals_the_cpu():
    def train(device):
        torch.manual_seed(0)
        model = nn.Sequential(nn.Linear(6, 8), nn.ReLU(), nn.Linear(8, 3)).to(device)
        opt = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
        x = torch.randn(5, 6).to(device)
        y = torch.tensor([0, 2, 1, 1, 0]).to(device)
        for _ in range(2):
            opt.zero_grad()
            loss = F.cross_entropy(model(x), y)
            loss.backward()
            opt.step()
        assert all(p.is_cuda == (device == "cuda") for p in model.parameters())
        return loss.item(), [p.detach().cpu().numpy() for p in model.parameters()]

    (l_cpu, p_cpu), (l_gpu, p_gpu) = train("cpu"), train("cuda")
    assert l_gpu == pytest.approx(l_cpu, rel=1e-5)
    for got, want in zip(p_gpu, p_cpu):
        np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-6)


def test_adam_step_equals_the_cpu():
    def step(device):
        torch.manual_seed(1)
        w = torch.randn(4, 3).to(device).requires_grad_()
        opt = torch.optim.Adam([w], lr=0.05)
        for _ in range(2):
            opt.zero_grad()
            (w ** 2).sum().backward()
            opt.step()
        return w.detach().cpu().numpy()

    np.testing.assert_allclose(step("cuda"), step("cpu"), rtol=1e-5, atol=1e-6)


def test_save_and_load_with_map_location(tmp_path):
    c = torch.arange(4.0, device="cuda")
    torch.save({"w": c}, tmp_path / "w.pt")
    back = torch.load(tmp_path / "w.pt", map_location="cuda")
    assert back["w"].is_cuda
    np.testing.assert_array_equal(back["w"].cpu().numpy(), c.cpu().numpy())
    assert not torch.load(tmp_path / "w.pt", map_location="cpu")["w"].is_cuda


def test_zero_dim_tensors_stay_zero_dim_on_cuda():
    for moved in (torch.tensor(2.5).cuda(), torch.tensor(2.5, device="cuda"),
                  torch.tensor(2.5).to("cuda"), torch.tensor(np.float32(2.5)).cuda()):
        assert moved.shape == () and moved.dim() == 0 and moved.item() == 2.5


def test_gradcheck_and_gradgradcheck_on_cuda_inputs():
    x = torch.tensor([[1.0, -2.0, 3.0], [0.5, 0.25, -1.0]], dtype=torch.float64)
    x = x.cuda().requires_grad_()
    assert torch.autograd.gradcheck(lambda t: (t * t.exp()).sum(1), (x,))
    assert torch.autograd.gradgradcheck(lambda t: (t * t * t).sum(1), (x,))
    wrong = torch.autograd.gradcheck(_WrongSquare.apply, (x,), raise_exception=False)
    assert not wrong  # it can fail: a wrong backward is caught on cuda too


class _WrongSquare(torch.autograd.Function):
    @staticmethod
    def forward(ctx, t):
        ctx.save_for_backward(t)
        return t * t

    @staticmethod
    def backward(ctx, g):
        (t,) = ctx.saved_tensors
        return g * t  # should be 2 * g * t


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_cross_entropy_of_an_empty_batch_on_cuda(reduction):
    x, y = torch.zeros(0, 4), torch.zeros(0, dtype=torch.int64)
    with np.errstate(invalid="ignore"):  # the mean of no rows is 0 / 0 = nan, as in PyTorch
        want = F.cross_entropy(x, y, reduction=reduction)
        got = F.cross_entropy(x.cuda(), y.cuda(), reduction=reduction)
    assert got.is_cuda and got.shape == want.shape
    np.testing.assert_array_equal(got.cpu().numpy(), want.numpy())


def test_count_launches_and_empty_cache():
    import importlib

    x = torch.ones(4, device="cuda")
    with torch.cuda.count_launches() as launches:
        y = x * 2.0 + 1.0  # two elementwise kernels, named after their ops
    assert launches == {"multiply_flat_array_number": 1, "add_flat_array_number": 1}
    with torch.cuda.count_launches() as later:
        pass
    assert not later and sum(launches.values()) == 2  # counting stopped with the block
    del y
    array = importlib.import_module("nbtorch._backend.cuda.array")
    assert any(array._free.values())  # the dead arrays' buffers wait for reuse
    torch.cuda.empty_cache()
    assert not any(array._free.values())
