"""The layers added to nn compute on cuda what they compute on the CPU: outputs, the input's
gradient, every parameter's gradient and the running statistics (tiny sizes: the simulator
is slow)."""

import numpy as np
import pytest

import nbtorch as torch
import nbtorch.nn as nn
import nbtorch.nn.functional as F

from ._compare import assert_module_on_cuda_equals_cpu

pytestmark = pytest.mark.cuda

rng = np.random.default_rng(0)
IMAGES = rng.standard_normal((2, 4, 4, 5)).astype(np.float32)
COLUMNS = rng.standard_normal((2, 8, 6)).astype(np.float32)  # fold: C=2, 2x2 blocks, 2x3

MODULES = {
    "Unfold": (lambda: nn.Unfold((2, 3), padding=1, stride=(2, 1)), IMAGES),
    "Fold": (lambda: nn.Fold((3, 4), 2), COLUMNS),
    "PixelShuffle": (lambda: nn.PixelShuffle(2), IMAGES),
    "PixelUnshuffle": (lambda: nn.PixelUnshuffle(2), IMAGES[..., :4]),
    "InstanceNorm2d, affine, running stats": (
        lambda: nn.InstanceNorm2d(4, affine=True, track_running_stats=True), IMAGES),
    "PReLU per channel": (lambda: nn.PReLU(4, init=0.1), IMAGES),
    "AdaptiveMaxPool2d": (lambda: nn.AdaptiveMaxPool2d((3, 2)), IMAGES),
    "AdaptiveMaxPool1d": (lambda: nn.AdaptiveMaxPool1d(3), IMAGES[0]),
    "RMSNorm": (lambda: nn.RMSNorm(5), IMAGES),
    "LocalResponseNorm": (lambda: nn.LocalResponseNorm(3, alpha=0.5), IMAGES),
    "ConvTranspose1d": (lambda: nn.ConvTranspose1d(4, 2, 3, stride=2), IMAGES[0]),
}


@pytest.mark.parametrize("name", list(MODULES))
def test_a_new_layer_on_cuda_computes_what_its_cpu_copy_does(name):
    assert_module_on_cuda_equals_cpu(*MODULES[name])


def test_adaptive_max_pool_indices_and_unpool_on_cuda():
    x = torch.tensor(IMAGES)
    out, idx = F.adaptive_max_pool2d(x.cuda(), (3, 2), return_indices=True)
    want_out, want_idx = F.adaptive_max_pool2d(x, (3, 2), return_indices=True)
    assert idx.is_cuda and idx.dtype == torch.int64
    np.testing.assert_array_equal(idx.cpu().numpy(), want_idx.numpy())
    np.testing.assert_array_equal(out.cpu().numpy(), want_out.numpy())
    values, indices = F.max_pool2d(x, 2, return_indices=True)
    want = F.max_unpool2d(values, indices, 2, output_size=(4, 5))
    got = F.max_unpool2d(values.cuda(), indices.cuda(), 2, output_size=(4, 5))
    assert got.is_cuda
    np.testing.assert_array_equal(got.cpu().numpy(), want.numpy())


def test_instance_norm_function_on_cuda():
    x = torch.tensor(IMAGES)
    w, b = torch.tensor([0.5, 1.0, 1.5, 2.0]), torch.tensor([0.0, 0.1, 0.2, 0.3])
    want = F.instance_norm(x, weight=w, bias=b)
    got = F.instance_norm(x.cuda(), weight=w.cuda(), bias=b.cuda())
    assert got.is_cuda
    np.testing.assert_allclose(got.cpu().numpy(), want.numpy(), rtol=1e-4, atol=1e-5)
