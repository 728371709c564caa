"""aminmax, cummax and cummin on cuda give the CPU's values, indices (ties and NaN by
PyTorch's rule) and gradients."""

import numpy as np
import pytest

import nbtorch as torch

pytestmark = pytest.mark.cuda

rng = np.random.default_rng(0)
X = rng.integers(-2, 3, (3, 7)).astype(np.float32)  # many ties
X[0, 2] = X[2, 5] = np.nan

CASES = {
    "cummax": lambda x: torch.cummax(x, 1),
    "cummin dim 0": lambda x: x.cummin(0),
    "aminmax": lambda x: torch.aminmax(x.nan_to_num()),
    "aminmax dim": lambda x: x.nan_to_num().aminmax(dim=1, keepdim=True),
}


def _outputs_and_grad(case, device):
    x = torch.tensor(X).to(device).requires_grad_()
    first, second = CASES[case](x)
    assert first.device.type == device and second.device.type == device
    weights = torch.tensor(np.linspace(-1, 2, first.numel()).reshape(tuple(first.shape)),
                           dtype=first.dtype).to(device)
    (first * weights).sum().backward()
    return [t.detach().cpu().numpy() for t in (first, second)], x.grad.cpu().numpy()


@pytest.mark.parametrize("case", list(CASES))
def test_outputs_and_gradient_equal_the_cpus(case):
    outs, grad = _outputs_and_grad(case, "cpu")
    cuda_outs, cuda_grad = _outputs_and_grad(case, "cuda")
    for cuda_out, out in zip(cuda_outs, outs):
        assert cuda_out.dtype == out.dtype
        np.testing.assert_array_equal(cuda_out, out)
    np.testing.assert_allclose(cuda_grad, grad, rtol=1e-6)


@pytest.mark.parametrize("dtype", [torch.int64, torch.bool])
def test_integer_and_bool_inputs(dtype):
    x = torch.tensor(np.nan_to_num(X)).to(dtype)
    cpu = torch.cummax(x, 1)
    cuda = torch.cummax(x.to("cuda"), 1)
    for a, b in zip(cpu, cuda):
        assert a.dtype == b.dtype and a.tolist() == b.cpu().tolist()
