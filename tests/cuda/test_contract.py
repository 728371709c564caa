"""einsum, tensordot, kron and cdist on cuda give the CPU's outputs and gradients. They are
compositions of existing ops (permute, reshape, diagonal, sum, bmm, ...), so this checks that
each piece they use runs on the device. Tiny sizes: the simulator is slow."""

import math

import numpy as np
import pytest

import nbtorch as torch

from ._compare import assert_cuda_equals_cpu

pytestmark = pytest.mark.cuda

rng = np.random.default_rng(0)
A = rng.standard_normal((2, 3)).astype(np.float32)
B = rng.standard_normal((3, 4)).astype(np.float32)
V = rng.standard_normal(3).astype(np.float32)
SQUARE = rng.standard_normal((2, 3, 3)).astype(np.float32)
BATCH1 = rng.standard_normal((2, 2, 3)).astype(np.float32)
BATCH2 = rng.standard_normal((2, 3, 2)).astype(np.float32)
POINTS1 = rng.standard_normal((2, 3, 2)).astype(np.float32)
POINTS2 = rng.standard_normal((4, 2)).astype(np.float32)
POINTS2[0] = POINTS1[0, 0]  # a pair at distance zero

# name: a function of ``T(array, grad=False)``, which makes a tensor on the tested device
CASES = {
    "einsum, matmul": lambda T: torch.einsum("ij,jk->ik", T(A, True), T(B, True)),
    "einsum, non-contiguous": lambda T: torch.einsum("ij,jk", T(A.T.copy(), True).t(),
                                                     T(B, True)),
    "einsum, three operands": lambda T: torch.einsum("ij,jk,j->ik", T(A, True), T(B, True),
                                                     T(V, True)),
    "einsum, diagonal": lambda T: torch.einsum("...ii->...i", T(SQUARE, True)),
    "einsum, batched": lambda T: torch.einsum("bij,bjk->bik", T(BATCH1, True), T(BATCH2, True)),
    "einsum, sum": lambda T: torch.einsum("ijk->j", T(SQUARE, True)),
    "tensordot": lambda T: torch.tensordot(T(BATCH1, True), T(BATCH2, True), ([1, 2], [2, 1])),
    "kron": lambda T: torch.kron(T(A, True), T(V, True)),
    "cdist": lambda T: torch.cdist(T(POINTS1, True), T(POINTS2, True)),
    "cdist, p=1": lambda T: torch.cdist(T(POINTS1, True), T(POINTS2, True), p=1),
    "cdist, p=1.5": lambda T: torch.cdist(T(POINTS1, True), T(POINTS2, True), p=1.5),
    "cdist, p=inf": lambda T: torch.cdist(T(POINTS1, True), T(POINTS2, True), p=math.inf),
}


@pytest.mark.parametrize("case", list(CASES))
def test_output_and_gradients_equal_the_cpus(case):
    assert_cuda_equals_cpu(CASES[case], rtol=1e-4, atol=1e-5)
