"""logaddexp, logaddexp2, hypot, erfinv and heaviside on cuda give the CPU's values and
gradients, at ordinary, huge and special values."""

import numpy as np
import pytest

import nbtorch as torch

pytestmark = pytest.mark.cuda

rng = np.random.default_rng(0)
A = np.array([[-1.5, 0.0, 0.3, 800.0], [np.inf, -2.0, 1e30, -np.inf]], dtype=np.float32)
B = np.array([0.3, 0.0, -0.7, -800.0], dtype=np.float32)  # a tie, and huge gaps
Y = np.array([[-0.99, -0.5, 0.0, 0.2], [0.7, 0.71, 0.9, 0.999]], dtype=np.float32)

CASES = {
    "logaddexp": (lambda a, b: torch.logaddexp(a, b), A, B),
    "logaddexp2": (lambda a, b: a.logaddexp2(b), A, B),
    "hypot": (lambda a, b: torch.hypot(a, b), A[:, :3], B[:3]),
    "hypot, huge": (lambda a, b: torch.hypot(a, b), A[1:, 2:3] * 1e8, B[:1]),
    "erfinv": (lambda a, b: torch.erfinv(a) * b, Y, B[:4] * 0 + 1),
    "heaviside": (lambda a, b: torch.heaviside(a, b), A, np.full(4, 0.25, np.float32)),
}


def _output_and_grads(case, device):
    fn, a, b = CASES[case]
    x = torch.tensor(a).to(device).requires_grad_()
    y = torch.tensor(b).to(device).requires_grad_()
    out = fn(x, y)
    assert out.device.type == device
    if not out.requires_grad:
        return out.cpu().numpy(), []
    finite = torch.isfinite(out.detach())  # gradients at infinite results are not compared
    torch.where(finite, out, 0.0).sum().backward()
    return out.detach().cpu().numpy(), [x.grad.cpu().numpy(), y.grad.cpu().numpy()]


@pytest.mark.parametrize("case", list(CASES))
def test_output_and_gradients_equal_the_cpus(case):
    out, grads = _output_and_grads(case, "cpu")
    cuda_out, cuda_grads = _output_and_grads(case, "cuda")
    assert cuda_out.dtype == out.dtype
    np.testing.assert_allclose(cuda_out, out, rtol=1e-5, atol=1e-6)
    assert len(cuda_grads) == len(grads)
    for cuda_grad, grad in zip(cuda_grads, grads):
        np.testing.assert_allclose(cuda_grad, grad, rtol=1e-5, atol=1e-6)


def test_float64_erfinv_and_second_derivative():
    y = np.linspace(-0.9, 0.9, 7)
    results = []
    for device in ("cpu", "cuda"):
        t = torch.tensor(y).to(device).requires_grad_()
        (g,) = torch.autograd.grad(torch.erfinv(t).sum(), t, create_graph=True)
        g.sum().backward()
        results.append([torch.erfinv(t).detach().cpu().numpy(), g.detach().cpu().numpy(),
                        t.grad.cpu().numpy()])
    for cuda_value, value in zip(results[1], results[0]):
        np.testing.assert_allclose(cuda_value, value, rtol=1e-12)
