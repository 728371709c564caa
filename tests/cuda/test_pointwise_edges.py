"""The elementwise layer's edge rules (tests/ops/test_pointwise_edges.py) hold on cuda too:
they live above the backends, but the cuda kernels compute what numpy does."""

import pytest

import nbtorch

pytestmark = pytest.mark.cuda


def test_where_with_two_numbers_is_default_float_on_cuda():
    out = nbtorch.where(nbtorch.tensor([True, False], device="cuda"), 1.0, 0.0)
    assert out.dtype == nbtorch.float32 and out.device.type == "cuda"
    assert out.cpu().tolist() == [1.0, 0.0]


def test_integer_pow_and_division_rules_on_cuda():
    x = nbtorch.tensor([2, 3, 1, -1, -1, 0], device="cuda")
    e = nbtorch.tensor([-1, 2, -3, -3, -2, -1], device="cuda")
    assert (x**e).cpu().tolist() == [0, 9, 1, -1, 1, 0]
    a = nbtorch.tensor([7, -7, 2**40 + 1], device="cuda")
    assert nbtorch.div(a, 2, rounding_mode="trunc").cpu().tolist() == [3, -3, 2**39]
    with pytest.raises(RuntimeError, match="ZeroDivisionError"):
        a // nbtorch.tensor([1, 0, 1], device="cuda")


def test_pow_and_rounded_division_gradients_on_cuda():
    x = nbtorch.tensor([0.0, 2.0], device="cuda", requires_grad=True)
    (x**0 + nbtorch.div(x, 2, rounding_mode="floor")).sum().backward()
    assert x.grad.cpu().tolist() == [0.0, 0.0]
