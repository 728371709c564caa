"""Linear, Bilinear, Embedding, Dropout, Flatten against PyTorch; default init; errors."""

import math

import numpy as np
import pytest
from nn_helpers import check_module, to_torch

import nbtorch
from nbtorch import nn
from nbtorch.autograd import gradcheck, gradgradcheck
from nbtorch.nn import functional as F


@pytest.mark.oracle
@pytest.mark.parametrize("bias", [True, False])
@pytest.mark.parametrize("shape", [(4, 3), (2, 5, 3), (3,)])
def test_linear_matches_pytorch(torch, bias, shape):
    check_module(torch, nn.Linear(3, 2, bias=bias), torch.nn.Linear(3, 2, bias=bias),
                 nbtorch.randn(*shape))


@pytest.mark.oracle
def test_bilinear_matches_pytorch(torch):
    check_module(torch, nn.Bilinear(3, 4, 2), torch.nn.Bilinear(3, 4, 2),
                 nbtorch.randn(5, 3), nbtorch.randn(5, 4))


@pytest.mark.oracle
def test_embedding_matches_pytorch(torch):
    ours, theirs = nn.Embedding(6, 3, padding_idx=1), torch.nn.Embedding(6, 3, padding_idx=1)
    assert float(ours.weight[1].abs().sum()) == 0
    idx = nbtorch.tensor([[0, 1, 5], [1, 2, 2]])
    check_module(torch, ours, theirs, idx)
    assert float(ours.weight.grad[1].abs().sum()) == 0


def test_linear_shape_error_names_both_shapes():
    with pytest.raises(RuntimeError,
                       match=r"mat1 and mat2 shapes cannot be multiplied \(4x3 and 5x2\)"):
        nn.Linear(5, 2)(nbtorch.randn(4, 3))


def test_default_init_bounds():
    lin = nn.Linear(50, 400)
    bound = 1 / math.sqrt(50)
    w = lin.weight.detach().numpy()
    assert np.abs(w).max() <= bound and np.abs(w).max() > 0.95 * bound
    # U(-b, b) has standard deviation b / sqrt(3)
    assert abs(w.std() - bound / math.sqrt(3)) < 0.02 * bound
    assert np.abs(lin.bias.detach().numpy()).max() <= bound


def test_same_seed_same_weights():
    nbtorch.manual_seed(3)
    a = nn.Linear(4, 4)
    nbtorch.manual_seed(3)
    b = nn.Linear(4, 4)
    np.testing.assert_array_equal(a.weight.detach().numpy(), b.weight.detach().numpy())


def test_dropout_train_and_eval():
    drop = nn.Dropout(0.25)
    x = nbtorch.ones(1000)
    y = drop(x).numpy()
    assert set(np.unique(y).tolist()) <= {0.0, float(np.float32(1 / 0.75))}
    assert 0.2 < (y == 0).mean() < 0.3
    drop.eval()
    assert drop(x) is x
    d2 = nn.Dropout2d(0.5)
    out = d2(nbtorch.ones(4, 8, 3, 3)).numpy()
    per_channel = out.reshape(32, 9)
    assert all(len(set(row)) == 1 for row in per_channel)  # whole channels kept or dropped
    with pytest.raises(ValueError):
        nn.Dropout(1.5)


def test_dropout_gradient_uses_the_same_mask():
    x = nbtorch.ones(200, requires_grad=True)
    y = F.dropout(x, 0.5)
    y.sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), y.detach().numpy())


def test_flatten_unflatten():
    x = nbtorch.randn(2, 3, 4, 5)
    assert nn.Flatten()(x).shape == (2, 60)
    assert nn.Flatten(0, 2)(x).shape == (24, 5)
    assert nn.Unflatten(1, (2, 30))(nn.Flatten()(x)).shape == (2, 2, 30)
    assert nn.Identity(3, foo=1)(x) is x


def test_functional_gradchecks():
    x = nbtorch.randn(4, 3, dtype=nbtorch.float64, requires_grad=True)
    w = nbtorch.randn(2, 3, dtype=nbtorch.float64, requires_grad=True)
    b = nbtorch.randn(2, dtype=nbtorch.float64, requires_grad=True)
    assert gradcheck(F.linear, (x, w, b)) and gradgradcheck(F.linear, (x, w, b))
    assert gradcheck(F.linear, (x.t().t()[:, ::1], w, None))
    x2 = nbtorch.randn(4, 2, dtype=nbtorch.float64, requires_grad=True)
    wb = nbtorch.randn(2, 3, 2, dtype=nbtorch.float64, requires_grad=True)
    assert gradcheck(F.bilinear, (x, x2, wb, b)) and gradgradcheck(F.bilinear, (x, x2, wb, b))
    assert gradcheck(lambda v: F.normalize(v, dim=1), (x,))
    assert gradgradcheck(lambda v: F.normalize(v, dim=1), (x,))
    y = nbtorch.randn(4, 3, dtype=nbtorch.float64, requires_grad=True)
    assert gradcheck(F.cosine_similarity, (x, y)) and gradgradcheck(F.cosine_similarity, (x, y))
    emb = nbtorch.randn(5, 2, dtype=nbtorch.float64, requires_grad=True)
    idx = nbtorch.tensor([0, 4, 4, 2])
    assert gradcheck(lambda e: F.embedding(idx, e), (emb,))


@pytest.mark.oracle
def test_functional_small_ops_match_pytorch(torch):
    x = nbtorch.randn(4, 3)
    y = nbtorch.randn(4, 3)
    tx, ty = to_torch(torch, x), to_torch(torch, y)
    tf = torch.nn.functional
    np.testing.assert_allclose(F.normalize(x).numpy(), tf.normalize(tx).numpy(), rtol=1e-5)
    np.testing.assert_allclose(F.normalize(x, p=1, dim=0).numpy(),
                               tf.normalize(tx, p=1, dim=0).numpy(), rtol=1e-5)
    np.testing.assert_allclose(F.cosine_similarity(x, y).numpy(),
                               tf.cosine_similarity(tx, ty).numpy(), rtol=1e-5)
    np.testing.assert_allclose(F.pairwise_distance(x, y).numpy(),
                               tf.pairwise_distance(tx, ty).numpy(), rtol=1e-5)
    idx = nbtorch.tensor([[0, 2], [3, 1]])
    np.testing.assert_array_equal(F.one_hot(idx, 5).numpy(),
                                  tf.one_hot(to_torch(torch, idx), 5).numpy())
    assert F.one_hot(idx).shape == (2, 2, 4)
