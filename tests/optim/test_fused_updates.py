"""The fused SGD-with-momentum update (one Numba pass over a big parameter) gives the same
bits as the numpy formulas it replaces, for every option, and PyTorch's numbers."""

import numpy as np
import pytest

import nbtorch
from nbtorch._backend import cpu

OPTIONS = [
    dict(lr=0.1, momentum=0.9),
    dict(lr=0.05, momentum=0.9, dampening=0.2, weight_decay=0.01),
    dict(lr=0.05, momentum=0.8, nesterov=True),
    dict(lr=0.01, momentum=0.5, maximize=True, weight_decay=0.1),
]


def _train(lib, options, steps=4):
    """A (150, 130) parameter: big enough for the fused kernel (19,500 entries)."""
    rng = np.random.default_rng(0)
    w = lib.tensor(rng.standard_normal((150, 130)).astype(np.float32), requires_grad=True)
    opt = lib.optim.SGD([w], **options)
    for step in range(steps):
        opt.zero_grad()
        target = lib.tensor(rng.standard_normal((150, 130)).astype(np.float32))
        ((w - target) ** 2 * (step + 1)).mean().backward()
        opt.step()
    return w.detach().numpy(), opt.state[w]["momentum_buffer"].numpy()


@pytest.mark.parametrize("options", OPTIONS)
def test_fused_update_equals_the_numpy_formulas(options, monkeypatch):
    calls = []
    kernel_module = pytest.importorskip("nbtorch._backend.cpu_kernels.optim")
    kernel = kernel_module.sgd_momentum
    monkeypatch.setattr(kernel_module, "sgd_momentum", lambda *a: calls.append(1) or kernel(*a))
    fused = _train(nbtorch, options)
    assert len(calls) == 3  # every step after the first (which makes the buffer)
    monkeypatch.setattr(cpu, "_FUSED_MIN_SIZE", 1 << 40)  # numpy for every size
    plain = _train(nbtorch, options)
    assert len(calls) == 3
    for a, b in zip(fused, plain):
        np.testing.assert_array_equal(a, b)


@pytest.mark.oracle
@pytest.mark.parametrize("options", OPTIONS)
def test_fused_update_matches_pytorch(options):
    torch = pytest.importorskip("torch")
    for a, b in zip(_train(nbtorch, options), _train(torch, options)):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)


def test_strided_gradients_take_the_numpy_formulas():
    """``p.grad`` set to a transposed view: no fused pass, the same numbers."""
    rng = np.random.default_rng(1)
    start = rng.standard_normal((150, 130)).astype(np.float32)
    grads = [rng.standard_normal((130, 150)).astype(np.float32) for _ in range(3)]
    results = []
    for strided in (True, False):
        w = nbtorch.tensor(start.copy(), requires_grad=True)
        opt = nbtorch.optim.SGD([w], lr=0.1, momentum=0.9)
        for g in grads:
            w.grad = nbtorch.tensor(g).t() if strided else nbtorch.tensor(g.T.copy())
            opt.step()
        results.append(w.detach().numpy())
    np.testing.assert_array_equal(*results)
