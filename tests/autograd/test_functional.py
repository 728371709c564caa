"""autograd.functional: jacobian, hessian, vjp, jvp, hvp, vhp (structure and values)."""

import numpy as np
import pytest

import nbtorch
from nbtorch.autograd import functional as AF


def t64(*shape, seed=0):
    return nbtorch.tensor(np.random.default_rng(seed).standard_normal(shape), dtype=nbtorch.float64)


def close(a, b, tol=1e-10):
    if isinstance(a, tuple):
        assert isinstance(b, tuple) and len(a) == len(b)
        for x, y in zip(a, b):
            close(x, y, tol)
        return
    assert tuple(a.shape) == tuple(b.shape)
    np.testing.assert_allclose(np.asarray(a.detach()), np.asarray(b.detach()), rtol=tol, atol=tol)


def cube_sum(x):
    return (x ** 3).sum()


def test_closed_forms_for_a_cubic():
    x, v = t64(4), t64(4, seed=1)
    close(AF.jacobian(lambda x: x ** 3, x), nbtorch.tensor(np.diag(3 * x.numpy() ** 2)))
    H = nbtorch.tensor(np.diag(6 * x.numpy()))
    close(AF.hessian(cube_sum, x), H)
    value, hv = AF.hvp(cube_sum, x, v)
    close(value, cube_sum(x))
    close(hv, H @ v)
    close(AF.vhp(cube_sum, x, v)[1], v @ H)
    close(AF.jvp(lambda x: x ** 3, x, v)[1], 3 * x ** 2 * v)
    close(AF.vjp(lambda x: x ** 3, x, v)[1], 3 * x ** 2 * v)


def test_results_are_detached_unless_create_graph():
    x = t64(3).requires_grad_()
    assert not AF.jacobian(lambda x: x.exp(), x).requires_grad
    j = AF.jacobian(lambda x: x.exp(), x, create_graph=True)
    j.sum().backward()
    close(x.grad, x.detach().exp())


def test_errors_like_pytorch():
    x = t64(3)
    with pytest.raises(RuntimeError, match="can only be None"):
        AF.vjp(lambda x: x.exp(), x)
    with pytest.raises(RuntimeError, match="should contain a single element"):
        AF.hessian(lambda x: x.exp(), x)
    with pytest.raises(TypeError, match="must be either a Tensor or a tuple of Tensors"):
        AF.jacobian(lambda x: x, [x])
    with pytest.raises(ValueError, match="Expected strategy"):
        AF.jacobian(lambda x: x, x, strategy="sideways")


def two_in_two_out(m):
    return lambda x, y: ((m.sin(x) * x).sum() * y, x * 2 + m.exp(y).sum())


def scalar_of_two(m):
    return lambda x, y: (x.pow(3).sum() * m.exp(y)).sum() + (x[:2] * y).sum()


@pytest.mark.oracle
@pytest.mark.parametrize("strategy", ["reverse-mode", "forward-mode"])
@pytest.mark.parametrize("as_tuple", [False, True])
def test_jacobian_matches_pytorch(strategy, as_tuple):
    torch = pytest.importorskip("torch")
    TF = torch.autograd.functional
    x, y = t64(3), t64(2, seed=1)
    tx, ty = torch.tensor(x.numpy()), torch.tensor(y.numpy())
    close(AF.jacobian(two_in_two_out(nbtorch), (x, y), strategy=strategy),
          TF.jacobian(two_in_two_out(torch), (tx, ty)))
    single = (x,) if as_tuple else x
    tsingle = (tx,) if as_tuple else tx
    close(AF.jacobian(lambda x: x.sin() * x.sum(), single, strategy=strategy),
          TF.jacobian(lambda x: x.sin() * x.sum(), tsingle))
    close(AF.jacobian(lambda x: (x.exp(), x.sum()), single, strategy=strategy),
          TF.jacobian(lambda x: (x.exp(), x.sum()), tsingle))


@pytest.mark.oracle
@pytest.mark.parametrize("strategy", ["reverse-mode", "forward-mode"])
def test_hessian_and_products_match_pytorch(strategy):
    torch = pytest.importorskip("torch")
    TF = torch.autograd.functional
    x, y = t64(3), t64(2, seed=1)
    u, w = t64(3, seed=2), t64(2, seed=3)
    ours_in, their_in = (x, y), (torch.tensor(x.numpy()), torch.tensor(y.numpy()))
    ours_v, their_v = (u, w), (torch.tensor(u.numpy()), torch.tensor(w.numpy()))
    close(AF.hessian(scalar_of_two(nbtorch), ours_in, outer_jacobian_strategy=strategy),
          TF.hessian(scalar_of_two(torch), their_in), 1e-9)
    for ours, theirs in [(AF.hvp, TF.hvp), (AF.vhp, TF.vhp)]:
        close(ours(scalar_of_two(nbtorch), ours_in, ours_v),
              theirs(scalar_of_two(torch), their_in, their_v), 1e-9)
    close(AF.jvp(two_in_two_out(nbtorch), ours_in, ours_v),
          TF.jvp(two_in_two_out(torch), their_in, their_v))
    cot = (t64(2, seed=5), t64(3, seed=6))
    close(AF.vjp(two_in_two_out(nbtorch), ours_in, cot),
          TF.vjp(two_in_two_out(torch), their_in, tuple(torch.tensor(c.numpy()) for c in cot)))
