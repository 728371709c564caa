"""F.grid_sample and F.affine_grid compute on cuda what they compute on the CPU: outputs and
the gradients of the input, the grid and theta (tiny sizes: the simulator is slow)."""

import numpy as np
import pytest

import nbtorch.nn.functional as F

from ._compare import assert_cuda_equals_cpu

pytestmark = pytest.mark.cuda

rng = np.random.default_rng(0)
IMAGE = rng.standard_normal((1, 2, 3, 4)).astype(np.float32)
GRID = rng.uniform(-1.2, 1.2, (1, 2, 3, 2)).astype(np.float32)
THETA = (rng.standard_normal((1, 2, 3)) * 0.3 + [[1, 0, 0], [0, 1, 0]]).astype(np.float32)


@pytest.mark.parametrize("mode, padding_mode, align_corners", [
    ("bilinear", "zeros", False), ("bilinear", "reflection", True),
    ("nearest", "border", False), ("bicubic", "reflection", False),
])
def test_grid_sample_on_cuda_equals_cpu(mode, padding_mode, align_corners):
    assert_cuda_equals_cpu(lambda T: F.grid_sample(T(IMAGE, grad=True), T(GRID, grad=True),
                                                   mode, padding_mode, align_corners))


def test_spatial_transformer_on_cuda_equals_cpu():
    def transform(T):
        grid = F.affine_grid(T(THETA, grad=True), (1, 2, 2, 3), align_corners=False)
        return F.grid_sample(T(IMAGE, grad=True), grid, align_corners=False)

    assert_cuda_equals_cpu(transform)
