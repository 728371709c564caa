"""NAdam, RAdam, Adamax, Rprop, ASGD and LBFGS on cuda parameters take the steps they take
on the CPU (their updates are array expressions that run the cuda backend's kernels)."""

import numpy as np
import pytest

import nbtorch as torch

pytestmark = pytest.mark.cuda

W0 = np.random.default_rng(0).standard_normal((4, 3)).astype(np.float32)


def train(device, name, options, steps=3):
    """A few steps on a small non-quadratic loss whose gradient changes sign."""
    w = torch.tensor(W0.copy()).to(device).requires_grad_()
    opt = getattr(torch.optim, name)([w], **options)
    for i in range(steps):
        def closure(i=i):
            opt.zero_grad()
            loss = ((w - 0.5) ** 2 * (i + 1)).sum() + 0.1 * (w**3).sum()
            loss.backward()
            return loss

        opt.step(closure)
    assert w.is_cuda == (device == "cuda")
    state = {k: v.cpu().numpy() for k, v in opt.state[w].items()
             if isinstance(v, torch.Tensor) and v.dim() > 0}
    return w.detach().cpu().numpy(), state


@pytest.mark.parametrize("name, options, steps", [
    ("NAdam", dict(lr=0.1, weight_decay=0.1), 3),
    ("NAdam", dict(lr=0.1, weight_decay=0.1, decoupled_weight_decay=True, maximize=True), 3),
    ("RAdam", dict(lr=0.1, betas=(0.9, 0.9), weight_decay=0.1), 7),  # rectified from step 6
    ("Adamax", dict(lr=0.1, weight_decay=0.1), 3),
    ("Rprop", dict(lr=0.05, step_sizes=(1e-3, 0.06)), 3),
    ("ASGD", dict(lr=0.05, t0=0, weight_decay=0.1), 3),  # averaging from step 3
    ("LBFGS", dict(lr=0.1, max_iter=3), 3),
    ("LBFGS", dict(line_search_fn="strong_wolfe", max_iter=3), 3),
])
def test_steps_on_cuda_equal_the_cpu(name, options, steps):
    w_cpu, state_cpu = train("cpu", name, options, steps)
    w_gpu, state_gpu = train("cuda", name, options, steps)
    assert not np.allclose(w_cpu, W0)
    np.testing.assert_allclose(w_gpu, w_cpu, rtol=1e-5, atol=1e-6)
    assert state_gpu.keys() == state_cpu.keys() and state_cpu
    for key in state_cpu:
        np.testing.assert_allclose(state_gpu[key], state_cpu[key], rtol=1e-5, atol=1e-6,
                                   err_msg=key)
