"""A lazy module moved to cuda before its first call materializes its parameters and
buffers there, with the weights the CPU copy draws."""

import numpy as np
import pytest

import nbtorch
from nbtorch import nn

pytestmark = pytest.mark.cuda


@pytest.mark.parametrize("move", [lambda m: m.cuda(), lambda m: m.to("cuda")])
def test_lazy_model_moved_to_cuda_before_its_first_call(move):
    x = np.random.default_rng(0).standard_normal((2, 3, 4)).astype(np.float32)

    def run(device):
        nbtorch.manual_seed(1)
        model = nn.Sequential(nn.LazyConv1d(2, 3), nn.LazyBatchNorm1d(), nn.Flatten(),
                              nn.LazyLinear(2))
        if device == "cuda":
            model = move(model)
        out = model(nbtorch.tensor(x).to(device))
        return model, out

    model, out = run("cuda")
    assert out.is_cuda
    assert all(t.is_cuda for t in [*model.parameters(), *model.buffers()])
    cpu_model, cpu_out = run("cpu")
    np.testing.assert_allclose(out.detach().cpu().numpy(), cpu_out.detach().numpy(),
                               rtol=1e-5, atol=1e-6)
    for (name, got), (_, want) in zip(model.state_dict().items(),
                                      cpu_model.state_dict().items()):
        np.testing.assert_allclose(got.cpu().numpy(), want.numpy(), rtol=1e-5, atol=1e-6,
                                   err_msg=name)
