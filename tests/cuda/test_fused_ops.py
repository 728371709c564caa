"""The fused ops of a training step on cuda (linear with its bias, ReLU's backward, the leaf
gradients taken over without a copy): the CPU's numbers, in the fewest kernel launches.

A small training step on a GPU is bound by the Python cost of each launch, so these tests
also count launches (the ``launches`` fixture): a regression to the unfused ops fails."""

import numpy as np
import pytest

import nbtorch as torch
import nbtorch.nn.functional as F

pytestmark = pytest.mark.cuda


def _pair(array, requires_grad=True):
    """The same values as a CPU tensor and a cuda tensor, both leaves."""
    cpu = torch.tensor(array, requires_grad=requires_grad)
    return cpu, cpu.detach().cuda().requires_grad_(requires_grad)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("bias", ["vector", "strided", None])
def test_linear_equals_the_cpu(dtype, bias):
    rng = np.random.default_rng(0)
    x, cx = _pair(rng.standard_normal((5, 7)).astype(dtype))
    w, cw = _pair(rng.standard_normal((3, 7)).astype(dtype))
    b = cb = None
    if bias is not None:
        values = rng.standard_normal(6 if bias == "strided" else 3).astype(dtype)
        b, cb = _pair(values)
    use_b = b if bias != "strided" else b[::2]  # a view with stride 2: read through a copy
    use_cb = cb if bias != "strided" else cb[::2]
    out, cout = F.linear(x, w, use_b), F.linear(cx, cw, use_cb)
    assert cout.is_cuda and cout.dtype == out.dtype
    tol = 1e-5 if dtype == np.float32 else 1e-12
    np.testing.assert_allclose(cout.detach().cpu().numpy(), out.detach().numpy(), rtol=tol,
                               atol=tol)
    g = rng.standard_normal(out.shape).astype(dtype)
    out.backward(torch.tensor(g))
    cout.backward(torch.tensor(g).cuda())
    for cpu, dev in [(x, cx), (w, cw)] + ([] if b is None else [(b, cb)]):
        np.testing.assert_allclose(dev.grad.cpu().numpy(), cpu.grad.numpy(), rtol=tol,
                                   atol=tol)


def test_linear_is_one_launch_forward_and_two_backward(launches):
    rng = np.random.default_rng(1)
    x = torch.tensor(rng.standard_normal((4, 6)).astype(np.float32)).cuda().requires_grad_()
    w = torch.tensor(rng.standard_normal((5, 6)).astype(np.float32)).cuda().requires_grad_()
    b = torch.zeros(5, device="cuda", requires_grad=True)
    g = torch.ones(4, 5, device="cuda")
    launches.clear()
    out = F.linear(x, w, b)
    assert sum(launches.values()) == 1  # the product, with the bias added as it writes
    launches.clear()
    out.backward(g)
    # d input (a product) and d weight with d bias (one product that also sums the rows of
    # grad.T); the three gradients are fresh arrays the leaves take over: no copy kernels
    assert launches == {"tiled_matmul": 2}, dict(launches)
    np.testing.assert_allclose(b.grad.cpu().numpy(), np.full(5, 4.0, np.float32))


def test_leaf_takes_over_a_fresh_cuda_gradient_but_never_the_users():
    w = torch.ones(3, device="cuda", requires_grad=True)
    (w * 2.0).sum().backward()
    np.testing.assert_array_equal(w.grad.cpu().numpy(), [2.0, 2.0, 2.0])
    v = torch.ones(3, device="cuda", requires_grad=True)
    mine = torch.full((3,), 5.0, device="cuda")
    v.backward(mine)  # the gradient the user passed: copied, not aliased
    mine.add_(1.0)
    np.testing.assert_array_equal(v.grad.cpu().numpy(), [5.0, 5.0, 5.0])
    u = torch.ones(4, device="cuda", requires_grad=True)
    g = torch.arange(8.0, device="cuda")
    u.backward(g[::2])  # a view of a buffer someone else holds: copied
    g.zero_()
    np.testing.assert_array_equal(u.grad.cpu().numpy(), [0.0, 2.0, 4.0, 6.0])


def test_relu_backward_is_one_launch_and_equals_the_cpu(launches):
    values = np.array([[-1.0, 0.0, 2.0], [3.0, -0.5, np.nan]], np.float32)
    x, cx = _pair(values)
    y, cy = F.relu(x), F.relu(cx)
    g = np.array([[1.0, 2.0, -3.0], [np.nan, 5.0, 6.0]], np.float32)
    cg = torch.tensor(g).cuda()
    launches.clear()
    cy.backward(cg)
    assert sum(launches.values()) == 1, dict(launches)
    y.backward(torch.tensor(g))
    np.testing.assert_array_equal(cx.grad.cpu().numpy(), x.grad.numpy())


def test_relu_double_backward_on_cuda():
    x, cx = _pair(np.array([-2.0, 1.0, 3.0]))
    for t in (x, cx):
        (gx,) = torch.autograd.grad(F.relu(t).pow(2).sum(), t, create_graph=True)
        gx.sum().backward()
    np.testing.assert_array_equal(cx.grad.cpu().numpy(), x.grad.numpy())


def test_matmul_out_writes_into_a_view_at_an_offset():
    from nbtorch._backend import cuda as B

    rng = np.random.default_rng(2)
    a, b = rng.standard_normal((3, 4)), rng.standard_normal((4, 2))
    whole = B.zeros((5, 3, 2), np.float64)
    B.matmul(B.from_numpy(a), B.from_numpy(b), out=whole[2])
    want = np.zeros((5, 3, 2))
    want[2] = a @ b
    np.testing.assert_allclose(whole.get(), want, rtol=1e-12)


@pytest.mark.parametrize("shape", [(3, 5, 4), (9, 2, 17), (1, 1, 1)])
def test_matmul_and_row_sums_equals_numpy(shape):
    from nbtorch._backend import cuda as B

    M, K, N = shape
    rng = np.random.default_rng(3)
    a, b = rng.standard_normal((K, M)).T, rng.standard_normal((K, N))  # a: a transposed view
    prod, sums = B.matmul_and_row_sums(B.from_numpy(a.T).T, B.from_numpy(b))
    np.testing.assert_allclose(prod.get(), a @ b, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(sums.get(), a.sum(1), rtol=1e-12, atol=1e-12)
