"""Tensor.unfold (a view on the device too), diff, rot90, block_diag, cartesian_prod and
tril_indices/triu_indices on cuda give the CPU's outputs and gradients. Tiny sizes: the
simulator is slow."""

import numpy as np
import pytest

import nbtorch as torch

from ._compare import assert_cuda_equals_cpu

pytestmark = pytest.mark.cuda

rng = np.random.default_rng(0)
ROWS = rng.standard_normal((2, 5)).astype(np.float32)
CUBE = rng.standard_normal((2, 3, 2)).astype(np.float32)
BLOCK = rng.standard_normal((2, 2)).astype(np.float32)
U = rng.standard_normal(2).astype(np.float32)
W = rng.standard_normal(3).astype(np.float32)

CASES = {
    "unfold, overlapping": lambda T: T(ROWS, True).unfold(1, 3, 1),
    "unfold, gaps": lambda T: T(ROWS, True).unfold(1, 2, 3),
    "unfold, dim 0": lambda T: T(ROWS, True).unfold(0, 2, 1),
    "diff": lambda T: torch.diff(T(ROWS, True), 2, prepend=T(ROWS[:, :1].copy(), True)),
    "rot90": lambda T: torch.rot90(T(CUBE, True), 1, (0, 2)),
    "rot90, k=-2": lambda T: T(CUBE, True).rot90(-2),
    "block_diag": lambda T: torch.block_diag(T(BLOCK, True), T(U, True), T(W[0], True)),
    "cartesian_prod": lambda T: torch.cartesian_prod(T(U, True), T(W, True)),
}


@pytest.mark.parametrize("case", list(CASES))
def test_output_and_gradients_equal_the_cpus(case):
    assert_cuda_equals_cpu(CASES[case])


def test_unfold_is_a_view_on_the_device():
    x = torch.tensor(ROWS).to("cuda")
    u = x.unfold(1, 3, 2)
    assert u.device.type == "cuda"
    assert u.stride() == (x.stride(0), 2 * x.stride(1), x.stride(1))
    x[0, 2] = -1.0  # in window 0 (position 2) and window 1 (position 0)
    assert u[0, 0, 2].item() == -1.0 and u[0, 1, 0].item() == -1.0
    u[1, 1, 1] = 7.0  # and back: writing into the view changes the tensor
    assert x[1, 3].item() == 7.0


@pytest.mark.parametrize("name", ["tril_indices", "triu_indices"])
def test_triangle_indices_on_the_device(name):
    got = getattr(torch, name)(3, 4, 1, device="cuda")
    want = getattr(torch, name)(3, 4, 1)
    assert got.device.type == "cuda" and got.dtype == want.dtype
    np.testing.assert_array_equal(got.cpu().numpy(), want.numpy())
