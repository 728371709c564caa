"""The fused ``F.linear`` (one op forward, one op backward) against the composition of Tensor
ops it replaces: same numbers, same gradients, to every order."""

import numpy as np
import pytest

import nbtorch
import nbtorch.nn.functional as F
from nbtorch._ops.nn_linear import Linear
from nbtorch.autograd import gradcheck, gradgradcheck


def _composed(x, w, b=None):
    out = x.matmul(w.t())
    return out if b is None else out + b


def _tensors(n, i, o, dtype=nbtorch.float64, seed=0):
    nbtorch.manual_seed(seed)
    x = nbtorch.randn(n, i, dtype=dtype, requires_grad=True)
    w = nbtorch.randn(o, i, dtype=dtype, requires_grad=True)
    b = nbtorch.randn(o, dtype=dtype, requires_grad=True)
    return x, w, b


def test_fused_path_is_taken_for_a_batch_of_vectors():
    x, w, b = _tensors(4, 3, 2)
    assert F.linear(x, w, b).grad_fn._fn is Linear
    assert F.linear(x[0], w, b).grad_fn._fn is not Linear  # 1-d input: the composition


@pytest.mark.parametrize("shape", [(64, 784, 128), (5, 3, 2), (0, 3, 2)])
def test_float32_values_and_gradients_equal_the_composition_exactly(shape):
    x, w, b = _tensors(*shape, dtype=nbtorch.float32)
    g = nbtorch.randn(shape[0], shape[2])
    results = []
    for fn in (F.linear, _composed):
        x.grad = w.grad = b.grad = None
        out = fn(x, w, b)
        out.backward(g)
        results.append([out, x.grad, w.grad, b.grad])
    for fused, composed in zip(*results):
        assert fused.dtype == composed.dtype
        np.testing.assert_array_equal(fused.detach().numpy(), composed.detach().numpy())


def test_gradcheck_gradgradcheck_and_forward_ad():
    x, w, b = _tensors(4, 3, 2)
    for args in [(x, w, b), (x, w), (x.t().t()[:, ::1], w, None), (x, w.detach(), b),
                 (x.detach(), w, b), (x[:, ::2], w[:, ::2], b)]:
        assert gradcheck(F.linear, args, check_forward_ad=True)
        assert gradgradcheck(F.linear, args)


def test_double_backward_of_each_gradient_alone():
    x, w, b = _tensors(3, 4, 2)
    for pick in range(3):
        grads = nbtorch.autograd.grad((F.linear(x, w, b) ** 2).sum(), (x, w, b),
                                      create_graph=True)
        expected = nbtorch.autograd.grad((_composed(x, w, b) ** 2).sum(), (x, w, b),
                                         create_graph=True)
        second = nbtorch.autograd.grad(grads[pick].sum(), (x, w, b), allow_unused=True)
        want = nbtorch.autograd.grad(expected[pick].sum(), (x, w, b), allow_unused=True)
        for got, ref in zip(second, want):
            if ref is None:
                assert got is None or not got.numpy().any()
            else:
                np.testing.assert_allclose(got.numpy(), ref.numpy(), rtol=1e-12, atol=1e-12)


def test_errors_and_other_dtypes_take_the_composition():
    x = nbtorch.randn(4, 3)
    with pytest.raises(RuntimeError, match="cannot be multiplied"):
        F.linear(x, nbtorch.randn(2, 5))
    with pytest.raises(RuntimeError, match="same dtype"):
        F.linear(x, nbtorch.randn(2, 3, dtype=nbtorch.float64))
    out = F.linear(x, nbtorch.randn(2, 3), nbtorch.randn(2, dtype=nbtorch.float64))
    assert out.dtype == nbtorch.float64  # type promotion of the bias, as in PyTorch
    ints = F.linear(nbtorch.ones(2, 3, dtype=nbtorch.int64), nbtorch.ones(4, 3,
                                                                         dtype=nbtorch.int64))
    assert ints.dtype == nbtorch.int64 and ints.tolist() == [[3] * 4] * 2


@pytest.mark.oracle
def test_matches_pytorch():
    torch = pytest.importorskip("torch")
    x, w, b = _tensors(6, 5, 3, dtype=nbtorch.float32)
    out = F.linear(x, w, b)
    out.sum().backward()
    tx, tw, tb = (torch.tensor(t.detach().numpy(), requires_grad=True) for t in (x, w, b))
    ref = torch.nn.functional.linear(tx, tw, tb)
    ref.sum().backward()
    for mine, theirs in [(out, ref), (x.grad, tx.grad), (w.grad, tw.grad), (b.grad, tb.grad)]:
        np.testing.assert_allclose(mine.detach().numpy(), theirs.detach().numpy(), rtol=1e-5,
                                   atol=1e-6)
