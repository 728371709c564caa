"""Modules moved with ``.cuda()`` compute what their CPU copy computes: outputs, the input's
gradient, every parameter's gradient and the buffers they update (BatchNorm's running
statistics), for the recurrent layers and the layers with state or several kernels."""

import numpy as np
import pytest

import nbtorch.nn as nn

from ._compare import assert_module_on_cuda_equals_cpu

pytestmark = pytest.mark.cuda

rng = np.random.default_rng(0)
SEQUENCE = rng.standard_normal((2, 3, 4)).astype(np.float32)  # (length, batch, features)
BATCH = rng.standard_normal((3, 4)).astype(np.float32)
IMAGES = rng.standard_normal((2, 3, 6, 6)).astype(np.float32)

MODULES = {
    "RNN, two layers": (lambda: nn.RNN(4, 6, num_layers=2), SEQUENCE),
    "RNN, batch_first, bidirectional": (
        lambda: nn.RNN(4, 6, batch_first=True, bidirectional=True), SEQUENCE),
    "LSTM, bidirectional": (lambda: nn.LSTM(4, 6, bidirectional=True), SEQUENCE),
    "GRU": (lambda: nn.GRU(4, 6), SEQUENCE),
    "RNNCell": (lambda: nn.RNNCell(4, 6), BATCH),
    "LSTMCell": (lambda: nn.LSTMCell(4, 6), BATCH),
    "GRUCell": (lambda: nn.GRUCell(4, 6), BATCH),
    "BatchNorm2d, training": (lambda: nn.BatchNorm2d(3), IMAGES),
    "BatchNorm1d, training": (lambda: nn.BatchNorm1d(4), BATCH),
    "ConvTranspose2d": (lambda: nn.ConvTranspose2d(3, 2, 3, stride=2), IMAGES),
    "GroupNorm": (lambda: nn.GroupNorm(3, 3), IMAGES),
}


@pytest.mark.parametrize("name", list(MODULES))
def test_a_module_on_cuda_computes_what_its_cpu_copy_does(name):
    assert_module_on_cuda_equals_cpu(*MODULES[name])
