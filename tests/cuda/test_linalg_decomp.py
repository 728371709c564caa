"""Decompositions and the new elementwise math on cuda give the CPU's values and gradients
(the factorizations run on the host; their gradients and the elementwise ops on the
device)."""

import numpy as np
import pytest

import nbtorch as torch

pytestmark = pytest.mark.cuda

rng = np.random.default_rng(0)
A = rng.normal(size=(2, 3, 3)) + 2 * np.eye(3)
V = np.array([-1.5, -0.2, 0.0, 0.7, 2.5])

CASES = {
    "svd": (lambda t: (lambda U, S, Vh: (U[..., :2] @ U[..., :2].mT, S))(
        *torch.linalg.svd(t)), A),
    "eigh": (lambda t: (lambda L, W: (W[..., -1:] @ W[..., -1:].mT, L))(
        *torch.linalg.eigh(t + t.mT)), A),
    "qr": (lambda t: tuple(torch.linalg.qr(t)), A),
    "cholesky": (lambda t: torch.linalg.cholesky(t @ t.mT + torch.eye(3, device=t.device,
                                                                     dtype=t.dtype)), A),
    "pinv": (lambda t: torch.linalg.pinv(t[..., :2]), A),
    "slogdet": (lambda t: torch.linalg.slogdet(t)[1], A),
    "lstsq": (lambda t: torch.linalg.lstsq(t, t[..., :1] + 1).solution, A),
    "asinh, erfc": (lambda t: (torch.asinh(t), torch.erfc(t), torch.atanh(t / 3)), V),
    "xlogy, copysign": (lambda t: (torch.xlogy(t, t.abs() + 0.5), torch.copysign(t, -t)), V),
    "nextafter, frexp": (lambda t: (torch.nextafter(t, t * 0), torch.frexp(t).mantissa), V),
}


def _outputs_and_grad(case, device):
    fn, a = CASES[case]
    x = torch.tensor(a).to(device).requires_grad_()
    out = fn(x)
    out = out if isinstance(out, tuple) else (out,)
    assert all(o.device.type == device for o in out)
    sum((o * (k + 1)).sum() for k, o in enumerate(out)).backward()
    return [o.detach().cpu().numpy() for o in out], x.grad.cpu().numpy()


@pytest.mark.parametrize("case", list(CASES))
def test_values_and_gradients_equal_the_cpus(case):
    cpu_out, cpu_grad = _outputs_and_grad(case, "cpu")
    cuda_out, cuda_grad = _outputs_and_grad(case, "cuda")
    for c, g in zip(cpu_out, cuda_out):
        np.testing.assert_allclose(g, c, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(cuda_grad, cpu_grad, rtol=1e-10, atol=1e-12)


def test_cholesky_error_and_info_on_cuda():
    bad = torch.tensor([[1.0, 2.0], [2.0, 1.0]]).cuda()
    with pytest.raises(torch.linalg.LinAlgError, match="leading minor of order 2"):
        torch.linalg.cholesky(bad)
    L, info = torch.linalg.cholesky_ex(bad)
    assert info.device.type == "cuda" and info.item() == 2
