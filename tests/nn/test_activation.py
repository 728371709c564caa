"""Activation functions and layers against PyTorch, gradcheck and gradgradcheck."""

import numpy as np
import pytest
from nn_helpers import assert_close, to_torch

import nbtorch
from nbtorch import nn
from nbtorch.autograd import gradcheck, gradgradcheck
from nbtorch.nn import functional as F

# (our layer, the same layer in PyTorch as a function of torch.nn)
LAYERS = [
    (nn.ReLU(), lambda tnn: tnn.ReLU()),
    (nn.LeakyReLU(0.2), lambda tnn: tnn.LeakyReLU(0.2)),
    (nn.ELU(), lambda tnn: tnn.ELU()),
    (nn.ELU(alpha=0.5), lambda tnn: tnn.ELU(alpha=0.5)),
    (nn.GELU(), lambda tnn: tnn.GELU()),
    (nn.GELU("tanh"), lambda tnn: tnn.GELU("tanh")),
    (nn.SiLU(), lambda tnn: tnn.SiLU()),
    (nn.Sigmoid(), lambda tnn: tnn.Sigmoid()),
    (nn.Tanh(), lambda tnn: tnn.Tanh()),
    (nn.Softmax(dim=1), lambda tnn: tnn.Softmax(dim=1)),
    (nn.Softmax(dim=0), lambda tnn: tnn.Softmax(dim=0)),
    (nn.LogSoftmax(dim=-1), lambda tnn: tnn.LogSoftmax(dim=-1)),
    (nn.Softplus(), lambda tnn: tnn.Softplus()),
    (nn.Softplus(beta=2, threshold=1), lambda tnn: tnn.Softplus(beta=2, threshold=1)),
    (nn.Hardtanh(-0.5, 0.7), lambda tnn: tnn.Hardtanh(-0.5, 0.7)),
    (nn.ReLU6(), lambda tnn: tnn.ReLU6()),
]


@pytest.mark.oracle
@pytest.mark.parametrize("layer,make", LAYERS, ids=[repr(m) for m, _ in LAYERS])
def test_layer_matches_pytorch(torch, layer, make):
    x = (nbtorch.randn(4, 5) * 3).requires_grad_()
    tx = to_torch(torch, x)
    out, tout = layer(x), make(torch.nn)(tx)
    assert_close(out, tout)
    g = nbtorch.randn(4, 5)
    out.backward(g)
    tout.backward(to_torch(torch, g))
    assert_close(x.grad, tx.grad, rtol=1e-5, atol=1e-6)
    assert repr(layer) == repr(make(torch.nn))


FUNCTIONS = [
    lambda x: F.leaky_relu(x, 0.1),
    F.elu,
    F.gelu,
    lambda x: F.gelu(x, approximate="tanh"),
    F.silu,
    lambda x: F.softmax(x, 1),
    lambda x: F.log_softmax(x, 0),
    F.softplus,
    lambda x: F.softplus(x, beta=3, threshold=2),
    lambda x: F.hardtanh(x, -0.3, 0.4),
    F.relu,
    F.sigmoid,
    F.tanh,
]


@pytest.mark.parametrize("fn", FUNCTIONS)
def test_gradcheck_and_gradgradcheck(fn):
    # Values away from the kinks at 0 and the clip points, where f' jumps.
    base = np.array([-1.7, -0.8, -0.45, -0.12, 0.23, 0.61, 1.3, 2.2, -2.6, 0.9, 0.37, -0.2])
    x = nbtorch.tensor(base.reshape(3, 4), requires_grad=True)
    assert gradcheck(fn, (x,))
    assert gradgradcheck(fn, (x,))
    # non-contiguous input
    xt = nbtorch.tensor(base.reshape(4, 3), requires_grad=True)
    assert gradcheck(lambda v: fn(v.t()), (xt,))


def test_inplace_variants():
    x = nbtorch.randn(3, 4)
    expected = F.leaky_relu(x, 0.1)
    y = x.clone()
    out = F.leaky_relu(y, 0.1, inplace=True)
    assert out is y
    np.testing.assert_allclose(y.numpy(), expected.numpy())
    leaf = nbtorch.randn(5, requires_grad=True)
    z = leaf * 1
    nn.ReLU(inplace=True)(z).sum().backward()
    np.testing.assert_array_equal(leaf.grad.numpy(), (leaf.detach().numpy() > 0) * 1.0)


def test_softmax_is_stable_and_sums_to_one():
    x = nbtorch.tensor([[1000.0, 0.0, -1000.0], [1.0, 2.0, 3.0]])
    p = F.softmax(x, dim=1)
    assert np.isfinite(p.numpy()).all()
    np.testing.assert_allclose(p.sum(1).numpy(), [1, 1], rtol=1e-6)
    assert np.isfinite(F.log_softmax(x, dim=1).numpy()).all()


@pytest.mark.parametrize("fn", FUNCTIONS)
def test_forward_mode_ad(fn):
    base = np.array([-1.7, -0.8, -0.45, -0.12, 0.23, 0.61, 1.3, 2.2, -2.6, 0.9, 0.37, -0.2])
    x = nbtorch.tensor(base.reshape(3, 4), requires_grad=True)
    assert gradcheck(fn, (x,), check_forward_ad=True)
