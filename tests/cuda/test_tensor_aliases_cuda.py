"""gcd/lcm, bit shifts, isposinf, cov/corrcoef, nanmedian, matrix_exp, the triangular and
Cholesky solves and the LU factorization give on cuda what they give on the CPU (values,
dtypes and gradients); empty_strided, mH and the memory questions work there too."""

import numpy as np
import pytest

import nbtorch as torch

from ._compare import assert_cuda_equals_cpu

pytestmark = pytest.mark.cuda

rng = np.random.default_rng(0)
INTS = np.array([[0, 12, -18, 35, 7], [9, -6, 0, 100, 21]])
X = rng.standard_normal((3, 4)).astype(np.float32)
W = rng.uniform(0.5, 2.0, 4).astype(np.float32)
NANS = np.array([[1.0, np.nan, 3.0, 2.0], [4.0, 0.5, -1.0, np.nan]], dtype=np.float32)
A = (rng.standard_normal((3, 3)) * 2).astype(np.float32)
L = (np.tril(rng.standard_normal((3, 3)), -1) + 2 * np.eye(3)).astype(np.float32)
B = rng.standard_normal((3, 2)).astype(np.float32)


def _on(device, array):
    return torch.tensor(array).to(device)


@pytest.mark.parametrize("dtype", [np.int8, np.int64])
def test_integer_math_on_cuda(dtype):
    a, b = INTS.astype(dtype), INTS[::-1].astype(dtype)
    shifts = np.array([-1, 0, 1, 3, 7, 8, 63, 64])
    values = np.array([-128, -5, -1, 0, 1, 3, 77, 127]).astype(dtype)
    for fn in (torch.gcd, torch.lcm):
        cpu, gpu = fn(_on("cpu", a), _on("cpu", b)), fn(_on("cuda", a), _on("cuda", b))
        assert gpu.device.type == "cuda" and gpu.dtype == cpu.dtype
        np.testing.assert_array_equal(gpu.cpu().numpy(), cpu.numpy())
    for fn in (torch.bitwise_left_shift, torch.bitwise_right_shift):
        cpu = fn(_on("cpu", values), _on("cpu", shifts))
        gpu = fn(_on("cuda", values), _on("cuda", shifts))
        assert gpu.dtype == cpu.dtype
        np.testing.assert_array_equal(gpu.cpu().numpy(), cpu.numpy())


def test_isposinf_isneginf_angle_and_mH_on_cuda():
    values = np.array([np.inf, -np.inf, np.nan, 1.0, -2.0], dtype=np.float32)
    for fn in (torch.isposinf, torch.isneginf, torch.angle):
        np.testing.assert_array_equal(fn(_on("cuda", values)).cpu().numpy(),
                                      fn(_on("cpu", values)).numpy())
    assert_cuda_equals_cpu(lambda T: T(X.reshape(2, 2, 3), grad=True).mH * 2)


@pytest.mark.parametrize("case", [
    lambda T: torch.cov(T(X, grad=True)),
    lambda T: torch.cov(T(X, grad=True), correction=0, fweights=T(np.array([1, 2, 1, 3])),
                        aweights=T(W, grad=True)),
    lambda T: torch.corrcoef(T(X, grad=True)),
    lambda T: torch.nanmedian(T(NANS, grad=True)),
    lambda T: torch.nanmedian(T(NANS, grad=True), 1).values,
    lambda T: torch.matrix_exp(T(A, grad=True)),
    lambda T: torch.linalg.solve_triangular(T(L, grad=True), T(B, grad=True), upper=False),
    lambda T: torch.cholesky_solve(T(B, grad=True), T(L, grad=True)),
    lambda T: torch.cholesky_inverse(T(L, grad=True), upper=True),
    lambda T: torch.linalg.lu_factor(T(A, grad=True)).LU,
    lambda T: torch.linalg.lu_solve(*torch.linalg.lu_factor(T(A, grad=True)), T(B, grad=True)),
], ids=["cov", "cov weights", "corrcoef", "nanmedian", "nanmedian dim", "matrix_exp",
        "solve_triangular", "cholesky_solve", "cholesky_inverse", "lu_factor", "lu_solve"])
def test_output_and_gradients_equal_the_cpus(case):
    assert_cuda_equals_cpu(case, rtol=1e-4, atol=1e-5)



def test_lu_pivots_and_info_on_cuda():
    cpu = torch.linalg.lu_factor_ex(_on("cpu", A))
    gpu = torch.linalg.lu_factor_ex(_on("cuda", A))
    for c, g in zip(cpu, gpu):
        assert g.device.type == "cuda" and g.dtype == c.dtype
        np.testing.assert_allclose(g.cpu().numpy(), c.numpy(), rtol=1e-6)
    P, _, _ = torch.lu_unpack(gpu.LU, gpu.pivots)
    assert P.device.type == "cuda"


def test_memory_questions_on_cuda():
    x = torch.empty_strided((2, 3), (1, 2), device="cuda")
    assert x.device.type == "cuda" and x.stride() == (1, 2) and x.dim_order() == (1, 0)
    y = torch.ones(2, 3, device="cuda")
    assert y.new_empty_strided((3,), (2,)).device.type == "cuda"
    assert y.is_shared() and not y.is_pinned()
    with pytest.raises(RuntimeError, match="only dense CPU tensors can be pinned"):
        y.pin_memory()
    assert y.is_set_to(y.detach()) and not y.is_set_to(y.clone())


@pytest.mark.parametrize("fill", [lambda t: t.cauchy_(), lambda t: t.geometric_(0.3),
                                  lambda t: t.log_normal_(0.0, 0.5)])
def test_random_fills_on_cuda(fill):
    x = torch.zeros(64, device="cuda")
    assert fill(x) is x and x.device.type == "cuda"
    values = x.cpu().numpy()
    assert np.isfinite(values).all() and len(np.unique(values)) > 1
