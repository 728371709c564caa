"""nn.init (scales, gains, in place under no_grad), nn.utils (clipping, vectors), and a
custom layer written the way the course teaches."""

import math

import numpy as np
import pytest
from nn_helpers import to_torch

import nbtorch
from nbtorch import nn
from nbtorch.nn import functional as F
from nbtorch.nn import init


@pytest.mark.oracle
def test_calculate_gain_matches_pytorch(torch):
    for name in ["linear", "conv2d", "sigmoid", "tanh", "relu", "leaky_relu", "selu"]:
        assert init.calculate_gain(name) == pytest.approx(torch.nn.init.calculate_gain(name))
    assert init.calculate_gain("leaky_relu", 0.2) == pytest.approx(
        torch.nn.init.calculate_gain("leaky_relu", 0.2))
    with pytest.raises(ValueError):
        init.calculate_gain("swish")


@pytest.mark.parametrize("fn,expected_std", [
    (lambda w: init.kaiming_normal_(w, nonlinearity="relu"), math.sqrt(2 / 200)),
    (lambda w: init.kaiming_uniform_(w, nonlinearity="relu"), math.sqrt(2 / 200)),
    (lambda w: init.kaiming_normal_(w, mode="fan_out"), math.sqrt(2 / (1 + 0.01**2)) / 20),
    (lambda w: init.xavier_uniform_(w), math.sqrt(2 / 600)),
    (lambda w: init.xavier_normal_(w, gain=2.0), 2 * math.sqrt(2 / 600)),
    (lambda w: init.normal_(w, 1.0, 0.5), 0.5),
    (lambda w: init.uniform_(w, -3, 3), 6 / math.sqrt(12)),
])
def test_initialisers_have_the_right_scale(fn, expected_std):
    w = nn.Parameter(nbtorch.empty(400, 200))  # fan_in 200, fan_out 400
    out = fn(w)
    assert out is w and w.requires_grad and w.grad_fn is None
    assert w.detach().numpy().std() == pytest.approx(expected_std, rel=0.03)


def test_fill_initialisers():
    w = nn.Parameter(nbtorch.empty(3, 4))
    assert init.constant_(w, 0.5) is w and (w.detach().numpy() == 0.5).all()
    init.zeros_(w)
    assert (w.detach().numpy() == 0).all()
    init.ones_(w)
    assert (w.detach().numpy() == 1).all()
    init.eye_(w)
    np.testing.assert_array_equal(w.detach().numpy(), np.eye(3, 4))
    init.trunc_normal_(w, std=2.0, a=-1.0, b=1.5)
    assert w.detach().numpy().min() >= -1.0 and w.detach().numpy().max() <= 1.5
    init.orthogonal_(w)
    np.testing.assert_allclose(w.detach().numpy() @ w.detach().numpy().T, np.eye(3), atol=1e-5)
    conv_w = nbtorch.empty(4, 4, 3, 3)
    init.dirac_(conv_w)
    x = nbtorch.randn(1, 4, 5, 5)
    np.testing.assert_allclose(F.conv2d(x, conv_w, padding=1).numpy(), x.numpy(), atol=1e-6)
    with pytest.raises(ValueError, match="fewer than 2 dimensions"):
        init.xavier_uniform_(nbtorch.empty(3))


@pytest.mark.oracle
@pytest.mark.parametrize("norm_type", [2.0, 1.0, float("inf")])
def test_clip_grad_norm_matches_pytorch(torch, norm_type):
    ours = [nn.Parameter(nbtorch.randn(3, 4)), nn.Parameter(nbtorch.randn(5))]
    theirs = [to_torch(torch, p) for p in ours]
    for p, q in zip(ours, theirs):
        p.grad = nbtorch.randn(*p.shape) * 3
        q.grad = to_torch(torch, p.grad)
    total = nn.utils.clip_grad_norm_(ours, 1.5, norm_type)
    ttotal = torch.nn.utils.clip_grad_norm_(theirs, 1.5, norm_type)
    assert float(total) == pytest.approx(float(ttotal), rel=1e-5)
    for p, q in zip(ours, theirs):
        np.testing.assert_allclose(p.grad.numpy(), q.grad.numpy(), rtol=1e-5)
    nn.utils.clip_grad_value_(ours, 0.1)
    assert max(float(p.grad.abs().max()) for p in ours) <= 0.1 + 1e-7


def test_clip_grad_norm_leaves_small_gradients():
    p = nn.Parameter(nbtorch.ones(4))
    p.grad = nbtorch.full((4,), 0.1)
    total = nn.utils.clip_grad_norm_([p], max_norm=10.0)
    assert float(total) == pytest.approx(0.2)
    np.testing.assert_allclose(p.grad.numpy(), 0.1)
    p.grad = nbtorch.tensor([float("nan"), 1.0, 1.0, 1.0])
    with pytest.raises(RuntimeError, match="non-finite"):
        nn.utils.clip_grad_norm_(p, 1.0, error_if_nonfinite=True)


def test_parameters_to_vector_and_back():
    model = nn.Sequential(nn.Linear(3, 2), nn.Linear(2, 1))
    vec = nn.utils.parameters_to_vector(model.parameters())
    assert vec.shape == (11,)
    nn.utils.vector_to_parameters(vec * 0 + 1, model.parameters())
    assert all((p.detach().numpy() == 1).all() for p in model.parameters())
    # the flat vector is differentiable: its gradient reaches every parameter
    nn.utils.parameters_to_vector(model.parameters()).sum().backward()
    assert all((p.grad.numpy() == 1).all() for p in model.parameters())


# -- a custom layer, the four steps of the course -------------------------------------------


class Round(nbtorch.autograd.Function):
    """Rounding has zero gradient almost everywhere: pass the gradient straight through."""

    @staticmethod
    def forward(ctx, x):
        return (x * 4).floor() / 4

    @staticmethod
    def backward(ctx, grad):
        return grad


class QuantLinear(nn.Module):
    """A linear layer with weights rounded to multiples of 1/4 in the forward pass."""

    def __init__(self, in_features, out_features):
        super().__init__()
        self.weight = nn.Parameter(nbtorch.empty(out_features, in_features))
        self.bias = nn.Parameter(nbtorch.zeros(out_features))
        init.kaiming_uniform_(self.weight, a=math.sqrt(5))

    def forward(self, x):
        return F.linear(x, Round.apply(self.weight), self.bias)


def test_custom_layer_trains_like_a_builtin():
    nbtorch.manual_seed(0)
    layer = QuantLinear(3, 1)
    model = nn.Sequential(layer, nn.Sigmoid())
    assert [n for n, _ in model.named_parameters()] == ["0.weight", "0.bias"]
    x = nbtorch.randn(64, 3)
    y = (x[:, :1] > 0).float()
    losses = []
    for _ in range(60):
        loss = F.binary_cross_entropy(model(x), y)
        model.zero_grad()
        loss.backward()
        with nbtorch.no_grad():
            for p in model.parameters():
                p -= 0.5 * p.grad
        losses.append(loss.item())
    assert losses[-1] < 0.5 * losses[0]
    # the forward used quantised weights, the gradient went straight through
    w = layer.weight.detach().numpy()
    out = layer(x).detach().numpy()
    np.testing.assert_allclose(out, x.numpy() @ (np.floor(w * 4) / 4).T + layer.bias
                               .detach().numpy(), rtol=1e-5, atol=1e-6)
