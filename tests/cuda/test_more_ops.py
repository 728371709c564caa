"""scatter_reduce, index_reduce, index_put(accumulate), masked_scatter, the *_scatter ops,
as_strided (a view on the device too), quantile, mode, logcumsumexp, cumulative_trapezoid,
renorm and addbmm on cuda give the CPU's outputs and gradients. Tiny sizes: the simulator
is slow."""

import numpy as np
import pytest

import nbtorch as torch

from ._compare import assert_cuda_equals_cpu

pytestmark = pytest.mark.cuda

rng = np.random.default_rng(0)
SELF = rng.standard_normal((2, 3)).astype(np.float32)
SRC = rng.standard_normal((2, 4)).astype(np.float32)
SRC[0, 1] = SRC[0, 3]  # a tie: amax/amin share the gradient
INDEX = np.array([[0, 1, 0, 2], [2, 2, 1, 2]])
ROWS = rng.standard_normal((2, 5)).astype(np.float32)
VEC = rng.standard_normal(3).astype(np.float32)
BATCH1 = rng.standard_normal((2, 2, 3)).astype(np.float32)
BATCH2 = rng.standard_normal((2, 3, 2)).astype(np.float32)


def _reduce(reduce, include_self=True):
    return lambda T: T(SELF, True).scatter_reduce(1, T(INDEX), T(SRC, True), reduce,
                                                  include_self=include_self)


CASES = {
    "scatter_reduce sum": _reduce("sum"),
    "scatter_reduce mean, without self": _reduce("mean", False),
    "scatter_reduce amax": _reduce("amax"),
    "scatter_reduce amin, without self": _reduce("amin", False),
    "scatter_reduce prod": _reduce("prod"),
    "index_reduce amax": lambda T: T(SELF, True).index_reduce(
        1, T(np.array([2, 0, 2])), T(ROWS[:, :3], True), "amax"),
    "index_put accumulate": lambda T: T(SELF, True).index_put(
        (T(np.array([1, 0, 1])),), T(VEC, True), accumulate=True),
    "masked_scatter": lambda T: T(SELF, True).masked_scatter(
        T(np.array([True, False, True])), T(ROWS, True)),
    "slice_scatter": lambda T: torch.slice_scatter(T(ROWS, True), T(SELF[:, :2], True), 1, 1,
                                                   None, 2),
    "diagonal_scatter": lambda T: torch.diagonal_scatter(T(SELF, True), T(VEC[:2], True), 1),
    "as_strided": lambda T: T(ROWS, True).as_strided((3, 2), (2, 3), 1),
    "quantile": lambda T: T(ROWS, True).quantile(T(np.array([0.25, 0.5], np.float32)), dim=1),
    "mode": lambda T: T(np.array([[1.0, 2, 1], [3, 3, 0]], np.float32), True).mode(1).values,
    "logcumsumexp": lambda T: (T(ROWS, True) * 5).logcumsumexp(1),
    "cumulative_trapezoid": lambda T: torch.cumulative_trapezoid(T(ROWS, True), dx=0.5),
    "renorm": lambda T: T(ROWS, True).renorm(2, 0, 1.0),
    "addbmm": lambda T: torch.addbmm(T(VEC[:2], True), T(BATCH1, True), T(BATCH2, True)),
}


@pytest.mark.parametrize("case", list(CASES))
def test_output_and_gradients_equal_the_cpus(case):
    assert_cuda_equals_cpu(CASES[case])


def test_as_strided_is_a_view_on_the_device():
    x = torch.tensor(ROWS).to("cuda")
    windows = x.as_strided((4, 2), (1, 1))
    np.testing.assert_array_equal(windows.cpu().numpy(),
                                  np.lib.stride_tricks.sliding_window_view(ROWS[0], 2)[:4])
    x[0, 1] = 7.0
    assert windows[0, 1].item() == 7.0 and windows[1, 0].item() == 7.0


def test_integer_scatter_reduce_on_the_device():
    x = torch.tensor([0, 4, -1]).to("cuda")
    index = torch.tensor([0, 1, 0, 1, 2]).to("cuda")
    src = torch.tensor([1, -2, 4, -3, 5]).to("cuda")
    for reduce in ("mean", "amin", "prod"):
        ours = x.scatter_reduce(0, index, src, reduce).cpu().numpy()
        cpu = x.cpu().scatter_reduce(0, index.cpu(), src.cpu(), reduce).numpy()
        np.testing.assert_array_equal(ours, cpu)
