"""scaled_dot_product_attention and MultiheadAttention on cuda compute what they compute on
the CPU: outputs, attention weights and gradients (inputs and parameters). Tiny sizes, for
the simulator."""

import copy

import numpy as np
import pytest

import nbtorch
import nbtorch.nn.functional as F
from nbtorch import nn

pytestmark = pytest.mark.cuda

rng = np.random.default_rng(0)


def arrays(*shapes):
    return [rng.standard_normal(s).astype(np.float32) for s in shapes]


def close(cuda_tensor, cpu_tensor):
    assert cuda_tensor.device.type == "cuda"
    np.testing.assert_allclose(cuda_tensor.cpu().detach().numpy(),
                               cpu_tensor.detach().numpy(), rtol=1e-5, atol=1e-6)


HIDE = np.array([[True, False, True, True], [False, False, False, False],
                 [False, True, False, False]])  # query 1 sees no key


@pytest.mark.parametrize("kw", [{"attn_mask": "bool"}, {"attn_mask": "float"},
                                {"is_causal": True}], ids=str)
def test_sdpa_on_cuda_equals_cpu(kw):
    data = arrays((1, 2, 3, 4), (1, 2, 4, 4), (1, 2, 4, 2))
    masks = {"bool": nbtorch.tensor(~HIDE),
             "float": nbtorch.tensor(np.where(HIDE, -np.inf, 0.5).astype(np.float32))}
    results = {}
    for device in ("cpu", "cuda"):
        q, k, v = (nbtorch.tensor(a).to(device).requires_grad_() for a in data)
        call = {n: masks[x].to(device) if n == "attn_mask" else x for n, x in kw.items()}
        out = F.scaled_dot_product_attention(q, k, v, **call)
        (out * out).sum().backward()
        results[device] = (out, q.grad, k.grad, v.grad)
    for ours, cpu in zip(results["cuda"], results["cpu"]):
        close(ours, cpu)


def test_multihead_attention_on_cuda_equals_cpu():
    cpu = nn.MultiheadAttention(4, 2, batch_first=True)
    gpu = copy.deepcopy(cpu).cuda()
    x_data, = arrays((2, 3, 4))
    padding = np.array([[False, False, True], [False, False, False]])
    results = {}
    for device, module in (("cpu", cpu), ("cuda", gpu)):
        x = nbtorch.tensor(x_data).to(device).requires_grad_()
        out, weights = module(x, x, x, key_padding_mask=nbtorch.tensor(padding).to(device))
        ((out * out).sum() + (weights * weights).sum()).backward()
        results[device] = [out, weights, x.grad] + [p.grad for p in module.parameters()]
    for ours, theirs in zip(results["cuda"], results["cpu"]):
        close(ours, theirs)
