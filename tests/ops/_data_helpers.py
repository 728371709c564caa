"""Helpers shared by the data/shape op tests (test_shape, test_index, test_join, test_scatter):
gradient checks, non-contiguous leaves and the PyTorch oracle."""

import numpy as np
import pytest
from hypothesis import settings

import nbtorch
from nbtorch.autograd import gradcheck, gradgradcheck

SETTINGS = settings(max_examples=8, deadline=None)


def _has_forward_ad() -> bool:
    try:
        from nbtorch.autograd import forward_ad
    except ImportError:
        return False
    return hasattr(forward_ad, "forward_jacobian")


# gradcheck also compares every op's jvp with finite differences once forward AD exists.
CHECK_FORWARD_AD = _has_forward_ad()


def check_grads(fn, *inputs, gradgrad: bool = True):
    """gradcheck (and gradgradcheck) of ``fn`` at float64 ``inputs`` that require grad."""
    assert gradcheck(fn, inputs, check_forward_ad=CHECK_FORWARD_AD)
    if gradgrad:
        assert gradgradcheck(fn, inputs)


def leaf(array, contiguous: bool = True):
    """A float64 leaf tensor holding ``array``; a strided (non-contiguous) view if asked."""
    array = np.asarray(array, dtype=np.float64)
    if contiguous or array.ndim == 0:
        return nbtorch.tensor(array).requires_grad_()
    wide = np.repeat(array, 2, axis=-1)  # every element twice along the last dim
    t = nbtorch.tensor(wide)[..., ::2]
    assert not t.is_contiguous() or t.numel() <= 1
    return t.requires_grad_()


def oracle(fn, *arrays, rng=None):
    """Run ``fn(module, *tensors)`` in nbtorch and in PyTorch on the same data and check
    values, dtypes and (for float inputs) gradients agree. ``arrays`` are numpy arrays:
    floating ones become leaves that require grad."""
    torch = pytest.importorskip("torch")
    rng = rng or np.random.default_rng(0)
    results = {}
    for m in (nbtorch, torch):
        ins = [m.tensor(a, requires_grad=a.dtype.kind == "f") if isinstance(a, np.ndarray)
               else a for a in arrays]
        out = fn(m, *ins)
        outs = list(out) if isinstance(out, (tuple, list)) else [out]
        results[m] = (ins, outs)
    (nb_in, nb_out), (pt_in, pt_out) = results[nbtorch], results[torch]
    assert len(nb_out) == len(pt_out)
    for a, b in zip(nb_out, pt_out):
        assert tuple(a.shape) == tuple(b.shape)
        assert a.dtype.name == str(b.dtype).replace("torch.", "")
        np.testing.assert_allclose(a.detach().numpy(), b.detach().numpy(), rtol=1e-12)
    diff = [i for i, b in enumerate(pt_out) if b.requires_grad]
    assert diff == [i for i, a in enumerate(nb_out) if a.requires_grad]
    if not diff:
        return
    weights = [rng.standard_normal(tuple(pt_out[i].shape)) for i in diff]
    nb_loss = sum((nb_out[i] * nbtorch.tensor(w)).sum() for i, w in zip(diff, weights))
    pt_loss = sum((pt_out[i] * torch.tensor(w)).sum() for i, w in zip(diff, weights))
    nb_loss.backward()
    pt_loss.backward()
    for a, b in zip(nb_in, pt_in):
        if isinstance(b, torch.Tensor) and b.requires_grad:
            if b.grad is None or a.grad is None:  # no gradient: same as a zero gradient
                other = a.grad if b.grad is None else b.grad
                assert other is None or not other.numpy().any()
            else:
                np.testing.assert_allclose(a.grad.numpy(), b.grad.numpy(), rtol=1e-10,
                                           atol=1e-12)


def same_error(fn, match_message: bool = False):
    """``fn(module)`` raises the same exception type in nbtorch as in PyTorch (and, if asked,
    the same message with 'torch' for 'nbtorch')."""
    torch = pytest.importorskip("torch")
    with pytest.raises(Exception) as pt:
        fn(torch)
    with pytest.raises(Exception) as nb:
        fn(nbtorch)
    assert type(nb.value) is type(pt.value), (nb.value, pt.value)
    if match_message:
        assert str(nb.value).replace("nbtorch", "torch") == str(pt.value)
