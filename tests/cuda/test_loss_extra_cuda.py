"""The margin losses, the Poisson and Gaussian NLL, ``pdist``, ``channel_shuffle`` and
``Softmax2d`` on cuda: the CPU's values and input gradients (tiny sizes, for the simulator).
The random ones (channel and alpha dropout, Gumbel-softmax) keep their structure there."""

import numpy as np
import pytest

import nbtorch as torch
import nbtorch.nn.functional as F
from nbtorch import nn

from ._compare import assert_cuda_equals_cpu

pytestmark = pytest.mark.cuda

rng = np.random.default_rng(0)
X, X2, X3 = (rng.standard_normal((3, 4)).astype(np.float32) for _ in range(3))
SIGNS = rng.choice([-1.0, 1.0], 3).astype(np.float32)
WEIGHT = (rng.random(4) + 0.5).astype(np.float32)
LABEL_LISTS = np.array([[3, 0, -1, 1], [1, 2, 3, -1], [0, 0, -1, 2]])
COUNTS = rng.poisson(2.0, (3, 4)).astype(np.float32)
MAPS = rng.standard_normal((2, 4, 3)).astype(np.float32)

CASES = {  # name: the case of ``assert_cuda_equals_cpu``, given a reduction
    "margin_ranking": lambda T, r: F.margin_ranking_loss(
        T(X[:, 0], True), T(X2[:, 0], True), T(SIGNS), margin=0.2, reduction=r),
    "hinge_embedding": lambda T, r: F.hinge_embedding_loss(
        T(np.abs(X), True), T(np.sign(X2)), reduction=r),
    "cosine_embedding": lambda T, r: F.cosine_embedding_loss(
        T(X, True), T(X2, True), T(SIGNS), margin=0.1, reduction=r),
    "soft_margin": lambda T, r: F.soft_margin_loss(T(X, True), T(np.sign(X2)), reduction=r),
    "multilabel_soft_margin": lambda T, r: F.multilabel_soft_margin_loss(
        T(X, True), T((X2 > 0).astype(np.float32)), weight=T(WEIGHT), reduction=r),
    "multi_margin": lambda T, r: F.multi_margin_loss(
        T(X, True), T(np.array([0, 3, 1])), p=2, margin=0.8, weight=T(WEIGHT), reduction=r),
    "multilabel_margin": lambda T, r: F.multilabel_margin_loss(
        T(X, True), T(LABEL_LISTS), reduction=r),
    "triplet_margin": lambda T, r: F.triplet_margin_loss(
        T(X, True), T(X2, True), T(X3, True), p=1, swap=True, reduction=r),
    "poisson_nll": lambda T, r: F.poisson_nll_loss(
        T(X, True), T(COUNTS), full=True, reduction=r),
    "gaussian_nll": lambda T, r: F.gaussian_nll_loss(
        T(X, True), T(X2, True), T(np.abs(X3[:, 0]) + 0.1, True), full=True, reduction=r),
}


@pytest.mark.parametrize("reduction", ["none", "mean"])
@pytest.mark.parametrize("name", list(CASES))
def test_loss_on_cuda_equals_cpu(name, reduction):
    assert_cuda_equals_cpu(lambda T: CASES[name](T, reduction))


@pytest.mark.parametrize("case", [
    lambda T: F.pdist(T(X, True)),
    lambda T: F.pdist(T(X, True), float("inf")),
    lambda T: F.channel_shuffle(T(MAPS, True), 2),
    lambda T: nn.Softmax2d()(T(MAPS, True)),
])
def test_functional_on_cuda_equals_cpu(case):
    assert_cuda_equals_cpu(case)


def test_random_layers_keep_their_structure_on_cuda():
    x = torch.ones(4, 6, 2).cuda()
    out = F.dropout1d(x, 0.5)
    assert out.is_cuda
    values = out.cpu().numpy()
    assert set(np.unique(values)) <= {0.0, 2.0}
    assert (values.min(2) == values.max(2)).all()  # whole channels

    out = F.alpha_dropout(x, 0.5, True)
    assert out.is_cuda
    assert len(np.unique(out.cpu().numpy())) <= 2  # a kept one and a dropped one

    logits = torch.tensor(X).cuda()
    soft = F.gumbel_softmax(logits, tau=0.5)
    hard = F.gumbel_softmax(logits, hard=True)
    assert soft.is_cuda and hard.is_cuda
    np.testing.assert_allclose(soft.cpu().numpy().sum(1), 1, rtol=1e-6)
    np.testing.assert_array_equal(np.sort(hard.cpu().numpy(), 1), [[0, 0, 0, 1]] * 3)
