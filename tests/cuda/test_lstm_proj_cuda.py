"""nn.LSTM with proj_size moved to cuda computes what its CPU copy computes: the output, h_n
(proj_size features), c_n (hidden_size features), and the gradients of the input, the
initial state and every parameter, weight_hr included."""

import copy

import numpy as np
import pytest

import nbtorch as torch
import nbtorch.nn as nn

pytestmark = pytest.mark.cuda

rng = np.random.default_rng(0)


def results(lstm, arrays, device: str) -> list:
    """Output, h_n, c_n and the gradients of sum(w * each) on ``device``, as numpy arrays."""
    x, h0, c0 = (torch.tensor(a).to(device).requires_grad_() for a in arrays)
    out, (h, c) = lstm(x, (h0, c0))
    assert out.device.type == device and h.device.type == device
    total = torch.tensor(0.0).to(device)
    for t in (out, h, c):
        w = np.linspace(-1, 1, t.numel()).reshape(tuple(t.shape)).astype(np.float32)
        total = total + (t * torch.tensor(w).to(device)).sum()
    total.backward()
    return ([t.detach().cpu().numpy() for t in (out, h, c)]
            + [t.grad.cpu().numpy() for t in (x, h0, c0)]
            + [p.grad.cpu().numpy() for p in lstm.parameters()])


def test_lstm_with_projection_on_cuda_equals_cpu():
    torch.manual_seed(0)
    lstm = nn.LSTM(3, 4, proj_size=2, bidirectional=True)
    on_gpu = copy.deepcopy(lstm).cuda()
    arrays = [rng.standard_normal(s).astype(np.float32) for s in [(2, 2, 3), (2, 2, 2),
                                                                  (2, 2, 4)]]
    want, got = results(lstm, arrays, "cpu"), results(on_gpu, arrays, "cuda")
    assert [g.shape for g in got] == [w.shape for w in want]
    assert want[1].shape == (2, 2, 2) and want[2].shape == (2, 2, 4)
    for g, w in zip(got, want):
        np.testing.assert_allclose(g, w, rtol=1e-4, atol=1e-5)
