"""Helpers for the nn tests: move weights and tensors between nbtorch and PyTorch."""

import numpy as np

import nbtorch


def to_torch(torch, t, requires_grad=None):
    """A PyTorch copy of an nbtorch tensor (keeping requires_grad unless overridden)."""
    out = torch.from_numpy(np.array(t.detach().numpy(), copy=True))
    rg = t.requires_grad if requires_grad is None else requires_grad
    return out.requires_grad_(rg) if out.is_floating_point() else out


def copy_weights(torch, ours, theirs):
    """Copy every parameter and buffer of an nbtorch module into the PyTorch module."""
    state = {k: torch.from_numpy(np.array(v.numpy(), copy=True))
             for k, v in ours.state_dict().items()}
    theirs.load_state_dict(state)


def assert_close(ours, theirs, rtol=1e-5, atol=1e-6):
    """Compare an nbtorch tensor with a PyTorch tensor (or arrays)."""
    a = ours.detach().numpy() if isinstance(ours, nbtorch.Tensor) else np.asarray(ours)
    b = theirs.detach().numpy() if hasattr(theirs, "detach") else np.asarray(theirs)
    assert a.shape == b.shape, (a.shape, b.shape)
    np.testing.assert_allclose(a, b, rtol=rtol, atol=atol)


def check_module(torch, ours, theirs, *inputs, rtol=1e-5, atol=1e-5):
    """Same weights -> same output and same gradients (inputs and parameters)."""
    copy_weights(torch, ours, theirs)
    xs = [x.detach().requires_grad_(x.is_floating_point()) for x in inputs]
    txs = [to_torch(torch, x) for x in xs]
    out, tout = ours(*xs), theirs(*txs)
    if isinstance(out, tuple):
        out, tout = out[0], tout[0]
    assert_close(out, tout, rtol, atol)
    g = nbtorch.randn(*out.shape, dtype=out.dtype)
    out.backward(g)
    tout.backward(to_torch(torch, g))
    for x, tx in zip(xs, txs):
        if x.is_floating_point():
            assert_close(x.grad, tx.grad, rtol, atol)
    tparams = dict(theirs.named_parameters())
    for name, p in ours.named_parameters():
        assert_close(p.grad, tparams[name].grad, rtol, atol)
