"""Every layer function of ``nn.functional`` on cuda gives the CPU's output and the CPU's
gradients for each of its tensor inputs (the losses: test_losses.py and
test_cross_entropy.py). A function that builds a helper array with numpy must move it to
the input's device: this is where that shows."""

import math

import numpy as np
import pytest

import nbtorch as torch
import nbtorch.nn.functional as F

from ._compare import assert_cuda_equals_cpu

pytestmark = pytest.mark.cuda

rng = np.random.default_rng(0)
IMAGES = rng.standard_normal((2, 3, 6, 6)).astype(np.float32)
SIGNALS = rng.standard_normal((2, 3, 8)).astype(np.float32)
ROWS = rng.standard_normal((4, 5)).astype(np.float32)
ROWS2 = rng.standard_normal((4, 5)).astype(np.float32)
W_CONV2D = rng.standard_normal((4, 3, 3, 3)).astype(np.float32)
W_CONV1D = rng.standard_normal((4, 3, 3)).astype(np.float32)
W_TRANSPOSED = rng.standard_normal((3, 2, 3, 3)).astype(np.float32)
W_BILINEAR = rng.standard_normal((6, 5, 5)).astype(np.float32)
TABLE = rng.standard_normal((10, 4)).astype(np.float32)
TOKENS = rng.integers(0, 10, (3, 2))
ZERO_ROW = np.where(np.arange(4)[:, None] == 1, 0, ROWS).astype(np.float32)  # row 1: zeros
GAMMA = (rng.random(3) + 0.5).astype(np.float32)
BETA = rng.random(3).astype(np.float32)
MEAN, VAR = np.zeros(3, np.float32), np.ones(3, np.float32)

# name: a function of ``T(array, grad=False)``, which makes a tensor on the tested device
# (with grad=True, an input whose gradient is compared)
CASES = {
    "adaptive_avg_pool2d": lambda T: F.adaptive_avg_pool2d(T(IMAGES, True), (2, 3)),
    "avg_pool1d": lambda T: F.avg_pool1d(T(SIGNALS, True), 2),
    "avg_pool2d, padded": lambda T: F.avg_pool2d(T(IMAGES, True), 3, 2, 1),
    "batch_norm, training": lambda T: F.batch_norm(
        T(IMAGES, True), T(MEAN.copy()), T(VAR.copy()), T(GAMMA, True), T(BETA, True),
        training=True),
    "batch_norm, eval": lambda T: F.batch_norm(
        T(IMAGES, True), T(MEAN), T(VAR), T(GAMMA, True), T(BETA, True), training=False),
    "bilinear": lambda T: F.bilinear(T(ROWS, True), T(ROWS2, True), T(W_BILINEAR, True)),
    "conv1d": lambda T: F.conv1d(T(SIGNALS, True), T(W_CONV1D, True), padding=1, stride=2),
    "conv2d": lambda T: F.conv2d(T(IMAGES, True), T(W_CONV2D, True), padding=1, stride=2),
    "conv2d, groups": lambda T: F.conv2d(T(IMAGES, True), T(W_CONV2D[:3, :1].copy(), True),
                                         groups=3),
    "conv_transpose2d": lambda T: F.conv_transpose2d(T(IMAGES, True), T(W_TRANSPOSED, True),
                                                     stride=2, padding=1),
    "cosine_similarity": lambda T: F.cosine_similarity(T(ROWS, True), T(ROWS2, True)),
    "cosine_similarity, zero row": lambda T: F.cosine_similarity(T(ZERO_ROW, True),
                                                                 T(ROWS2, True)),
    "dropout, eval": lambda T: F.dropout(T(ROWS, True), 0.5, training=False),
    "elu": lambda T: F.elu(T(ROWS, True)),
    "embedding": lambda T: F.embedding(T(TOKENS), T(TABLE, True)),
    "embedding, max_norm, scale_grad_by_freq": lambda T: F.embedding(
        T(TOKENS), T(TABLE, True), max_norm=1.5, scale_grad_by_freq=True),
    "gelu": lambda T: F.gelu(T(ROWS, True)),
    "gelu, tanh": lambda T: F.gelu(T(ROWS, True), approximate="tanh"),
    "group_norm": lambda T: F.group_norm(T(IMAGES, True), 3, T(GAMMA, True), T(BETA, True)),
    "hardtanh": lambda T: F.hardtanh(T(ROWS, True)),
    "interpolate, nearest": lambda T: F.interpolate(T(IMAGES, True), scale_factor=2),
    "interpolate, bilinear": lambda T: F.interpolate(T(IMAGES, True), size=(9, 7),
                                                     mode="bilinear", align_corners=False),
    "interpolate, bilinear, antialias": lambda T: F.interpolate(
        T(IMAGES, True), size=(4, 3), mode="bilinear", antialias=True),
    "interpolate, linear, corners": lambda T: F.interpolate(T(SIGNALS, True), size=5,
                                                            mode="linear", align_corners=True),
    "layer_norm": lambda T: F.layer_norm(T(ROWS, True), (5,)),
    "leaky_relu": lambda T: F.leaky_relu(T(ROWS, True), 0.1),
    "log_softmax": lambda T: F.log_softmax(T(ROWS, True), 0),
    "max_pool1d": lambda T: F.max_pool1d(T(SIGNALS, True), 3, 2, 1),
    "max_pool2d": lambda T: F.max_pool2d(T(IMAGES, True), 3, 2, 1),
    "normalize": lambda T: F.normalize(T(ROWS, True), dim=1),
    "normalize, inf, zero row": lambda T: F.normalize(T(ZERO_ROW, True), p=math.inf),
    "one_hot": lambda T: F.one_hot(T(TOKENS), 10),
    "pad, constant": lambda T: F.pad(T(IMAGES, True), (1, 2, 2, 1), value=3.0),
    "pad, reflect": lambda T: F.pad(T(IMAGES, True), (1, 2, 2, 1), mode="reflect"),
    "pad, replicate": lambda T: F.pad(T(IMAGES, True), (1, 2, 2, 1), mode="replicate"),
    "pad, circular, cropped": lambda T: F.pad(T(IMAGES, True), (-1, 2, 2, 1), mode="circular"),
    "pairwise_distance": lambda T: F.pairwise_distance(T(ROWS, True), T(ROWS2, True)),
    "relu6": lambda T: F.relu6(T(ROWS * 4, True)),
    "silu": lambda T: F.silu(T(ROWS, True)),
    "softplus": lambda T: F.softplus(T(ROWS, True), beta=2, threshold=1),
    "upsample": lambda T: F.upsample(T(IMAGES, True), scale_factor=2, mode="nearest"),
}


@pytest.mark.parametrize("case", list(CASES))
def test_output_and_gradients_equal_the_cpus(case):
    assert_cuda_equals_cpu(CASES[case], rtol=1e-4, atol=1e-5)


def test_embedding_checks_indices_copied_from_the_host_without_reading_them(monkeypatch):
    """By the range the host kept when it copied them (as cross entropy's targets)."""
    from nbtorch._backend.cuda.array import DeviceArray

    table, tokens = torch.tensor(TABLE).cuda(), torch.tensor(TOKENS).cuda()
    reads, get = [], DeviceArray.get
    monkeypatch.setattr(DeviceArray, "get", lambda a: reads.append(a.shape) or get(a))
    out = F.embedding(tokens, table)
    assert reads == []
    monkeypatch.undo()
    np.testing.assert_array_equal(out.cpu().numpy(), TABLE[TOKENS])


@pytest.mark.parametrize("make", [lambda: torch.tensor([[1, -1]]).cuda(),
                                  lambda: torch.tensor(TOKENS).cuda() + 10],
                         ids=["copied from the host", "made on the GPU"])
def test_an_embedding_index_out_of_range_raises_on_cuda(make):
    with pytest.raises(IndexError, match="^index out of range in self$"):
        F.embedding(make(), torch.tensor(TABLE).cuda())
