"""Storages, the legacy default-type switch, and operand type errors."""

import numpy as np
import pytest

import nbtorch


def test_views_share_a_storage_and_copies_do_not():
    x = nbtorch.arange(6.0).view(2, 3)
    for view in (x.t(), x[1:], x.view(6), x[:, 1]):
        assert view.storage().data_ptr() == x.storage().data_ptr()
    assert x.clone().storage().data_ptr() != x.storage().data_ptr()
    s = x[1:].storage()
    assert len(s) == 6 and s.tolist() == list(np.arange(6.0))  # the whole block, not the view


def test_storage_repr_lists_elements_then_a_summary():
    text = repr(nbtorch.tensor([1.0, 2.0]).storage())
    lines = text.splitlines()
    assert lines[:2] == [" 1.0", " 2.0"]
    assert "dtype=nbtorch.float32" in lines[2] and "of size 2" in lines[2]


@pytest.mark.oracle
def test_storage_sharing_matches_pytorch(torch):
    for lib in (nbtorch, torch):
        x = lib.arange(6.0).view(2, 3)
        assert (x.t().storage().data_ptr() == x.storage().data_ptr())
        assert x.storage().size() == 6


def test_set_default_tensor_type():
    try:
        nbtorch.set_default_tensor_type("torch.DoubleTensor")
        assert nbtorch.tensor([1.5]).dtype == nbtorch.float64
        nbtorch.set_default_tensor_type(nbtorch.FloatTensor)
        assert nbtorch.zeros(1).dtype == nbtorch.float32
        with pytest.raises(TypeError, match="floating point"):
            nbtorch.set_default_tensor_type("torch.LongTensor")
    finally:
        nbtorch.set_default_dtype(nbtorch.float32)


def test_non_number_operand_is_a_type_error():
    with pytest.raises(TypeError, match="str"):
        nbtorch.tensor([1, 2]) + "a"
    with pytest.raises(TypeError):
        nbtorch.ones(2) * [1, 2]  # a list is not a number (PyTorch: TypeError too)


def test_backward_may_return_extra_trailing_nones():
    class Scale(nbtorch.autograd.Function):
        @staticmethod
        def forward(ctx, x, w, b=None):
            ctx.save_for_backward(w)
            return x * w

        @staticmethod
        def backward(ctx, g):
            (w,) = ctx.saved_tensors
            return g * w, None, None

    x = nbtorch.ones(2, requires_grad=True)
    Scale.apply(x, nbtorch.full((2,), 3.0)).sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), [3.0, 3.0])
