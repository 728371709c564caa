"""nbtorch.func: grad, vjp, jvp, jacrev, jacfwd, hessian, vmap, and their compositions.

Closed forms where they exist; PyTorch's torch.func as the oracle on random functions built
from the op set (skipped without torch).
"""

import math

import numpy as np
import pytest

import nbtorch
from nbtorch import func


def t64(*shape, seed=0):
    return nbtorch.tensor(np.random.default_rng(seed).standard_normal(shape), dtype=nbtorch.float64)


def close(a, b, tol=1e-10):
    if isinstance(a, (tuple, list)):
        assert len(a) == len(b)
        for x, y in zip(a, b):
            close(x, y, tol)
        return
    np.testing.assert_allclose(np.asarray(a.detach()), np.asarray(b.detach()), rtol=tol, atol=tol)


# -- closed forms -----------------------------------------------------------------------------


def test_grad_of_course_example():
    def f(x1, x2):
        return nbtorch.log(x1) + x1 * x2 - nbtorch.sin(x2)

    x1, x2 = nbtorch.tensor(2.0, dtype=nbtorch.float64), nbtorch.tensor(5.0, dtype=nbtorch.float64)
    g1, g2 = func.grad(f, argnums=(0, 1))(x1, x2)
    assert g1.item() == pytest.approx(1 / 2 + 5)
    assert g2.item() == pytest.approx(2 - math.cos(5))
    assert not g1.requires_grad


def test_grad_of_grad_is_the_second_derivative():
    def f(x):
        return x * nbtorch.sin(x)

    x = nbtorch.tensor(1.3, dtype=nbtorch.float64)
    d1 = func.grad(f)(x)
    d2 = func.grad(func.grad(f))(x)
    d3 = func.grad(func.grad(func.grad(f)))(x)
    assert d1.item() == pytest.approx(math.sin(1.3) + 1.3 * math.cos(1.3))
    assert d2.item() == pytest.approx(2 * math.cos(1.3) - 1.3 * math.sin(1.3))
    assert d3.item() == pytest.approx(-3 * math.sin(1.3) - 1.3 * math.cos(1.3))


def test_grad_has_aux_and_grad_and_value():
    def f(x):
        y = (x ** 2).sum()
        return y, {"norm": y.sqrt()}

    x = t64(4)
    g, aux = func.grad(f, has_aux=True)(x)
    close(g, 2 * x)
    assert aux["norm"].item() == pytest.approx(float(np.linalg.norm(x.numpy())))
    g2, (value, _) = func.grad_and_value(f, has_aux=True)(x)
    close(g2, 2 * x)
    assert value.item() == pytest.approx(float((x.numpy() ** 2).sum()))


def test_grad_over_a_dict_argument():
    params = {"w": t64(3), "b": t64(1, seed=1)}
    x = t64(3, seed=2)
    g = func.grad(lambda p: ((p["w"] * x).sum() + p["b"]).sum())(params)
    close(g["w"], x)
    close(g["b"], nbtorch.ones(1, dtype=nbtorch.float64))


def test_grad_needs_a_scalar():
    with pytest.raises(RuntimeError, match="Expected f\\(\\*args\\) to return a scalar Tensor"):
        func.grad(lambda x: x * 2)(t64(3))


def test_grad_stays_differentiable_for_an_input_that_requires_grad():
    x = t64(3).requires_grad_()
    g = func.grad(lambda x: (x ** 3).sum())(x)  # 3 x^2
    g.sum().backward()  # d/dx sum(3 x^2) = 6 x
    close(x.grad, 6 * x)


def test_vjp_and_jvp_closed_form():
    A = t64(3, 4)
    x, u, v = t64(4, seed=1), t64(3, seed=2), t64(4, seed=3)
    out, vjp_fn = func.vjp(lambda x: A @ x, x)
    close(out, A @ x)
    close(vjp_fn(u)[0], A.t() @ u)
    out, jv = func.jvp(lambda x: A @ x, (x,), (v,))
    close(jv, A @ v)


def test_jvp_checks_its_arguments():
    with pytest.raises(RuntimeError, match="Expected primals to be a tuple"):
        func.jvp(lambda x: x, t64(2), t64(2))
    with pytest.raises(RuntimeError, match="same python structure"):
        func.jvp(lambda x, y: x, (t64(2), t64(2)), (t64(2),))


def test_jacobians_of_a_linear_map_are_the_matrix():
    A = t64(3, 4)
    close(func.jacrev(lambda x: A @ x)(t64(4)), A)
    close(func.jacfwd(lambda x: A @ x)(t64(4)), A)


def test_hessian_of_quadratic_form():
    A = t64(4, 4)
    H = func.hessian(lambda x: x @ (A @ x))(t64(4, seed=1))
    close(H, A + A.t())


def test_all_second_derivative_compositions_agree():
    def f(x):
        return (nbtorch.sin(x) * nbtorch.exp(x[0])).sum() + (x ** 3).prod()

    x = t64(3, seed=4)
    h = func.hessian(f)(x)
    for transform in (lambda g: func.jacfwd(func.jacfwd(g)), lambda g: func.jacrev(func.jacrev(g)),
                      lambda g: func.jacrev(func.jacfwd(g))):
        close(transform(f)(x), h, 1e-9)


def test_jacobian_argnums_and_multiple_outputs():
    def f(x, y):
        return x * y, (x ** 2).sum() + y.sum()

    x, y = t64(3), t64(3, seed=1)
    for transform in (func.jacrev, func.jacfwd):
        (j_xy_x, j_xy_y), (j_s_x, j_s_y) = transform(f, argnums=(0, 1))(x, y)
        close(j_xy_x, nbtorch.tensor(np.diag(y.numpy())))
        close(j_xy_y, nbtorch.tensor(np.diag(x.numpy())))
        close(j_s_x, 2 * x)
        close(j_s_y, nbtorch.ones(3, dtype=nbtorch.float64))


def test_vmap_equals_a_loop():
    W = t64(3, 5)

    def f(x, b):
        return nbtorch.tanh(x @ W) + b

    xs, b = t64(4, 3, seed=1), t64(5, seed=2)
    out = func.vmap(f, in_dims=(0, None))(xs, b)
    close(out, nbtorch.stack([f(xs[i], b) for i in range(4)]))
    out_t = func.vmap(f, in_dims=(1, None), out_dims=1)(xs.t(), b)
    close(out_t, out.t())


def test_vmap_of_grad_gives_per_sample_gradients():
    w = t64(3)
    xs = t64(6, 3, seed=1)
    per_sample = func.vmap(func.grad(lambda w, x: nbtorch.tanh(w @ x)), in_dims=(None, 0))(w, xs)
    expected = [(1 - np.tanh(w.numpy() @ x) ** 2) * x for x in xs.numpy()]
    close(per_sample, nbtorch.tensor(np.array(expected)))


def test_vmap_size_mismatch():
    with pytest.raises(ValueError, match="same size in the mapped dimension"):
        func.vmap(lambda a, b: a + b)(t64(3, 2), t64(4, 2))


# -- PyTorch as the oracle on random functions -------------------------------------------------

UNARY = [lambda m, x: m.sin(x), lambda m, x: m.tanh(x), lambda m, x: m.sigmoid(x),
         lambda m, x: m.exp(0.3 * x), lambda m, x: m.log(1 + x * x), lambda m, x: x * x,
         lambda m, x: m.sqrt(x * x + 1), lambda m, x: x / 2]
BINARY = [lambda m, x, y: x + y, lambda m, x, y: x * y, lambda m, x, y: x - 2 * y,
          lambda m, x, y: x / (1 + y * y)]


def random_function(seed: int):
    """A random composition of ops from R^4 x R^4 to R^3, written once for both libraries."""
    rng = np.random.default_rng(seed)
    steps = [(rng.integers(len(UNARY)), rng.integers(len(BINARY)), rng.integers(2))
             for _ in range(4)]
    W = rng.standard_normal((3, 4))

    def make(m):
        Wm = m.tensor(W, dtype=m.float64)

        def f(x, y):
            vs = [x, y]
            for u, b, other in steps:
                vs.append(BINARY[b](m, UNARY[u](m, vs[-1]), vs[other]))
            return Wm @ vs[-1] + (vs[-2] * x).sum()

        return f

    return make


@pytest.mark.oracle
@pytest.mark.parametrize("seed", range(6))
def test_jacfwd_jacrev_agree_with_each_other_and_pytorch(seed):
    torch = pytest.importorskip("torch")
    make = random_function(seed)
    x, y = t64(4, seed=seed), t64(4, seed=seed + 100)
    tx, ty = torch.tensor(x.numpy()), torch.tensor(y.numpy())
    rev = func.jacrev(make(nbtorch), argnums=(0, 1))(x, y)
    fwd = func.jacfwd(make(nbtorch), argnums=(0, 1))(x, y)
    close(rev, fwd)
    close(rev, torch.func.jacrev(make(torch), argnums=(0, 1))(tx, ty))


@pytest.mark.oracle
@pytest.mark.parametrize("seed", range(4))
def test_hessian_agrees_with_pytorch(seed):
    torch = pytest.importorskip("torch")
    make = random_function(seed)
    y = t64(4, seed=seed + 100)
    ty = torch.tensor(y.numpy())
    x = t64(4, seed=seed)
    ours = func.hessian(lambda x: make(nbtorch)(x, y).sum())(x)
    theirs = torch.func.hessian(lambda x: make(torch)(x, ty).sum())(torch.tensor(x.numpy()))
    close(ours, theirs, 1e-9)


@pytest.mark.oracle
def test_vjp_jvp_vmap_agree_with_pytorch():
    torch = pytest.importorskip("torch")
    make = random_function(7)
    x, y, u, v = t64(4), t64(4, seed=1), t64(3, seed=2), t64(4, seed=3)
    tx, ty, tu, tv = (torch.tensor(a.numpy()) for a in (x, y, u, v))
    out, fn = func.vjp(make(nbtorch), x, y)
    tout, tfn = torch.func.vjp(make(torch), tx, ty)
    close(out, tout)
    close(fn(u), tfn(tu))
    close(func.jvp(make(nbtorch), (x, y), (v, v)), torch.func.jvp(make(torch), (tx, ty), (tv, tv)))
    xs = t64(5, 4, seed=9)
    close(func.vmap(make(nbtorch), in_dims=(0, None))(xs, y),
          torch.func.vmap(make(torch), in_dims=(0, None))(torch.tensor(xs.numpy()), ty))
