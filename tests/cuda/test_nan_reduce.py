"""nansum and nanmean on cuda give the CPU's values and gradients (0 at NaN entries)."""

import numpy as np
import pytest

import nbtorch as torch

pytestmark = pytest.mark.cuda

rng = np.random.default_rng(0)
X = rng.standard_normal((3, 4)).astype(np.float32)
X[rng.random((3, 4)) < 0.3] = np.nan
X[0, 0] = X[1, 1] = 0.5  # no row or column is all NaN

CASES = {
    "nansum": lambda x: torch.nansum(x),
    "nansum dim": lambda x: x.nansum(1, keepdim=True),
    "nansum dtype": lambda x: torch.nansum(x, 0, dtype=torch.float64),
    "nanmean": lambda x: x.nanmean(),
    "nanmean dim": lambda x: torch.nanmean(x, 0),
}


def _output_and_grad(case, device):
    x = torch.tensor(X).to(device).requires_grad_()
    out = CASES[case](x)
    assert out.device.type == device
    out.sum().backward()
    return out.detach().cpu().numpy(), x.grad.cpu().numpy()


@pytest.mark.parametrize("case", list(CASES))
def test_output_and_gradient_equal_the_cpus(case):
    out, grad = _output_and_grad(case, "cpu")
    cuda_out, cuda_grad = _output_and_grad(case, "cuda")
    assert cuda_out.dtype == out.dtype
    np.testing.assert_allclose(cuda_out, out, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(cuda_grad, grad, rtol=1e-5, atol=1e-6)
    assert (grad[np.isnan(X)] == 0).all()


def test_integer_input():
    a = rng.integers(-5, 5, (2, 3))
    out = torch.tensor(a).to("cuda").nansum(1)
    assert out.dtype == torch.int64 and out.cpu().tolist() == a.sum(1).tolist()
