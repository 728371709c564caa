"""Matrix functions and ``nbtorch.linalg``: values against numpy, gradients against finite
differences (gradcheck, gradgradcheck, forward AD), errors, and PyTorch as the oracle."""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import nbtorch
from nbtorch.autograd import gradcheck, gradgradcheck

CHECK_FORWARD_AD = True  # nbtorch.autograd.forward_ad provides forward_jacobian

SETTINGS = settings(max_examples=6, deadline=None)


def check_grads(fn, *inputs):
    assert gradcheck(fn, inputs, check_forward_ad=CHECK_FORWARD_AD)
    assert gradgradcheck(fn, inputs)


def leaf(array, contiguous=True):
    array = np.asarray(array, dtype=np.float64)
    if contiguous:
        return nbtorch.tensor(array).requires_grad_()
    return nbtorch.tensor(np.repeat(array, 2, axis=-1))[..., ::2].requires_grad_()


def well_conditioned(rng, shape):
    """Random square matrices far from singular (diagonally dominant)."""
    n = shape[-1]
    return rng.normal(size=shape) + 3 * n * np.eye(n) * rng.choice([-1, 1], shape[:-1] + (1,))


# -- diagonals, triangles, flips -------------------------------------------------------------


@pytest.mark.parametrize("offset", [-2, -1, 0, 1, 3])
@pytest.mark.parametrize("contiguous", [True, False])
def test_diagonal(offset, contiguous):
    a = np.random.default_rng(0).normal(size=(3, 4))
    x = leaf(a, contiguous)
    np.testing.assert_array_equal(x.diagonal(offset).detach().numpy(), np.diagonal(a, offset))
    np.testing.assert_array_equal(nbtorch.diag(x, offset).detach().numpy(), np.diag(a, offset))
    check_grads(lambda t: t.diagonal(offset), x)
    check_grads(lambda t: nbtorch.diag(t, offset), x)


def test_diagonal_of_a_batch_and_as_a_view():
    a = np.random.default_rng(1).normal(size=(2, 3, 4))
    x = leaf(a)
    out = nbtorch.diagonal(x, 1, dim1=-1, dim2=0)
    np.testing.assert_array_equal(out.detach().numpy(), np.diagonal(a, 1, -1, 0))
    check_grads(lambda t: t.diagonal(-1, 1, 2), x)
    y = nbtorch.zeros(3, 3)
    y.diagonal().fill_(2.0)  # a view: writing into it changes y
    np.testing.assert_array_equal(y.numpy(), 2 * np.eye(3))
    with pytest.raises(RuntimeError, match="cannot be identical"):
        x.diagonal(0, 1, 1)


@pytest.mark.parametrize("offset", [-1, 0, 2])
def test_diag_of_a_vector(offset):
    v = leaf([1.0, -2.0, 3.0])
    np.testing.assert_array_equal(nbtorch.diag(v, offset).detach().numpy(),
                                  np.diag([1.0, -2.0, 3.0], offset))
    check_grads(lambda t: t.diag(offset), v)
    with pytest.raises(RuntimeError, match="1D or 2D"):
        nbtorch.diag(nbtorch.zeros(2, 2, 2))


def test_trace_and_outer():
    a = np.random.default_rng(2).normal(size=(3, 4))
    x = leaf(a, contiguous=False)
    assert math.isclose(x.trace().item(), np.trace(a))
    check_grads(nbtorch.trace, x)
    assert nbtorch.trace(nbtorch.tensor([[1, 2], [3, 4]])).dtype == nbtorch.int64
    u, v = leaf([1.0, 2.0]), leaf([3.0, -1.0, 0.5])
    np.testing.assert_array_equal(nbtorch.outer(u, v).detach().numpy(), np.outer([1, 2],
                                                                                 [3, -1, 0.5]))
    check_grads(nbtorch.outer, u, v)
    with pytest.raises(RuntimeError, match="1-D"):
        nbtorch.outer(x, v)


@pytest.mark.parametrize("k", [-1, 0, 1])
def test_tril_triu(k):
    a = np.random.default_rng(3).normal(size=(2, 3, 4))
    x = leaf(a, contiguous=False)
    np.testing.assert_array_equal(x.tril(k).detach().numpy(), np.tril(a, k))
    np.testing.assert_array_equal(nbtorch.triu(x, k).detach().numpy(), np.triu(a, k))
    check_grads(lambda t: t.tril(k), x)
    check_grads(lambda t: t.triu(diagonal=k), x)
    y = x.detach().clone()
    y.tril_(k)
    np.testing.assert_array_equal(y.numpy(), np.tril(a, k))


@SETTINGS
@given(dims=st.lists(st.integers(-3, 2), min_size=1, max_size=3, unique=True),
       seed=st.integers(0, 2**16))
def test_flip(dims, seed):
    if len({d % 3 for d in dims}) != len(dims):
        return
    a = np.random.default_rng(seed).normal(size=(2, 3, 2))
    x = leaf(a)
    out = x.flip(dims)
    np.testing.assert_array_equal(out.detach().numpy(), np.flip(a, dims))
    assert out.is_contiguous()  # a copy, as in PyTorch
    check_grads(lambda t: nbtorch.flip(t, dims), x)
    np.testing.assert_array_equal(nbtorch.fliplr(x).detach().numpy(), np.fliplr(a))
    np.testing.assert_array_equal(x.flipud().detach().numpy(), np.flipud(a))


# -- det, inverse, solve ---------------------------------------------------------------------


@pytest.mark.parametrize("shape", [(1, 1), (3, 3), (2, 3, 3)])
def test_det_and_inverse(shape):
    a = well_conditioned(np.random.default_rng(4), shape)
    x = leaf(a)
    np.testing.assert_allclose(nbtorch.det(x).detach().numpy(), np.linalg.det(a))
    np.testing.assert_allclose(nbtorch.linalg.det(x).detach().numpy(), np.linalg.det(a))
    np.testing.assert_allclose(x.inverse().detach().numpy(), np.linalg.inv(a))
    np.testing.assert_allclose(nbtorch.linalg.inv(x).detach().numpy(), np.linalg.inv(a))
    check_grads(nbtorch.det, x)
    check_grads(nbtorch.inverse, x)
    check_grads(nbtorch.det, leaf(a, contiguous=False))


@pytest.mark.parametrize("shapes", [((3, 3), (3,)), ((3, 3), (3, 2)), ((2, 3, 3), (2, 3)),
                                    ((2, 3, 3), (3, 1)), ((3, 3), (2, 3, 2))])
def test_solve(shapes):
    rng = np.random.default_rng(5)
    a, b = well_conditioned(rng, shapes[0]), rng.normal(size=shapes[1])
    A, B = leaf(a), leaf(b)
    X = nbtorch.linalg.solve(A, B)
    vector = b.ndim == 1 or b.shape == a.shape[:-1]
    expected = np.linalg.solve(a, b[..., None])[..., 0] if vector else np.linalg.solve(a, b)
    np.testing.assert_allclose(X.detach().numpy(), expected)
    check_grads(nbtorch.linalg.solve, A, B)


def test_solve_on_the_right():
    rng = np.random.default_rng(6)
    a, b = well_conditioned(rng, (3, 3)), rng.normal(size=(2, 3))
    X = nbtorch.linalg.solve(leaf(a), leaf(b), left=False)
    np.testing.assert_allclose(X.detach().numpy() @ a, b)


def test_linear_algebra_errors():
    singular = nbtorch.tensor([[1.0, 2.0], [2.0, 4.0]])
    for fn in (nbtorch.inverse, nbtorch.linalg.inv,
               lambda m: nbtorch.linalg.solve(m, nbtorch.ones(2))):
        with pytest.raises(nbtorch.linalg.LinAlgError, match="singular"):
            fn(singular)
    assert issubclass(nbtorch.linalg.LinAlgError, RuntimeError)
    assert nbtorch.det(singular).item() == 0
    with pytest.raises(RuntimeError, match="square"):
        nbtorch.det(nbtorch.ones(2, 3))
    with pytest.raises(RuntimeError, match="at least 2 dimensions"):
        nbtorch.inverse(nbtorch.ones(3))
    with pytest.raises(RuntimeError, match="floating point"):
        nbtorch.inverse(nbtorch.tensor([[1, 0], [0, 1]]))
    with pytest.raises(RuntimeError, match="Incompatible shapes"):
        nbtorch.linalg.solve(nbtorch.eye(3), nbtorch.ones(2))


# -- norms -----------------------------------------------------------------------------------


@pytest.mark.parametrize("ord", [2, 1, 3, 0.5, math.inf, -math.inf, 0])
def test_vector_norm(ord):
    a = np.random.default_rng(7).normal(size=(3, 4))
    x = leaf(a, contiguous=False)
    for dim in (None, 1, (0, 1)):
        np_axis = None if dim is None else dim
        flat = a.reshape(-1) if dim is None else a
        expected = np.linalg.norm(flat, ord, axis=np_axis if dim != (0, 1) else None) \
            if dim != (0, 1) else np.linalg.norm(a.reshape(-1), ord)
        np.testing.assert_allclose(nbtorch.linalg.vector_norm(x, ord, dim).detach().numpy(),
                                   expected)
        if ord != 0:
            check_grads(lambda t, dim=dim: nbtorch.linalg.vector_norm(t, ord, dim), x)


@pytest.mark.parametrize("ord", ["fro", 1, -1, math.inf, -math.inf, 2, -2, "nuc"])
def test_matrix_norm(ord):
    a = np.random.default_rng(8).normal(size=(2, 3, 4))
    x = leaf(a)
    expected = np.stack([np.linalg.norm(m, ord) for m in a])
    np.testing.assert_allclose(nbtorch.linalg.matrix_norm(x, ord).detach().numpy(), expected)
    np.testing.assert_allclose(nbtorch.linalg.norm(x, ord, dim=(1, 2)).detach().numpy(),
                               expected)
    check_grads(lambda t: nbtorch.linalg.matrix_norm(t, ord, keepdim=True), x)
    with pytest.raises(RuntimeError, match="Order 3 not supported"):
        nbtorch.linalg.matrix_norm(x, 3)


def test_linalg_norm_chooses_vector_or_matrix():
    a = np.random.default_rng(9).normal(size=(3, 4))
    x = nbtorch.tensor(a)
    assert math.isclose(nbtorch.linalg.norm(x).item(), np.linalg.norm(a))
    assert math.isclose(nbtorch.linalg.norm(x, 1).item(), np.linalg.norm(a, 1))
    np.testing.assert_allclose(nbtorch.linalg.norm(x, 1, dim=1).numpy(),
                               np.linalg.norm(a, 1, axis=1))
    assert math.isclose(nbtorch.linalg.norm(x[0], math.inf).item(),
                        np.linalg.norm(a[0], math.inf))


# -- PyTorch as the oracle -------------------------------------------------------------------


@pytest.fixture(scope="module")
def torch():
    return pytest.importorskip("torch")


def _run(lib, call, arrays):
    ts = [lib.tensor(a, requires_grad=a.dtype.kind == "f") for a in arrays]
    try:
        out = call(lib, *ts)
    except Exception as e:  # noqa: BLE001 - the exception type is what is compared
        return type(e)
    grads = []
    if out.requires_grad:
        w = lib.tensor(np.linspace(-1, 2, out.numel()).reshape(tuple(out.shape)),
                       dtype=out.dtype)
        (out * w).sum().backward()
        grads = [t.grad for t in ts if t.requires_grad]
    return [out] + grads


ORACLE_CALLS = {
    "diagonal": lambda L, x: x.diagonal(1),
    "diag": lambda L, x: L.diag(x, -1),
    "diag_vector": lambda L, x: L.diag(x[0], 1),
    "trace": lambda L, x: L.trace(x),
    "tril": lambda L, x: x.tril(-1),
    "triu": lambda L, x: L.triu(x, 1),
    "flip": lambda L, x: x.flip(0, 1) if L is not nbtorch else x.flip((0, 1)),
    "fliplr": lambda L, x: L.fliplr(x),
    "outer": lambda L, x: L.outer(x[0], x[1]),
    "det": lambda L, x: L.det(x),
    "inverse": lambda L, x: L.inverse(x),
    "linalg_inv": lambda L, x: L.linalg.inv(x),
    "linalg_det": lambda L, x: L.linalg.det(x),
    "solve": lambda L, x: L.linalg.solve(x, x[:, :1] + 1),
    "solve_vector": lambda L, x: L.linalg.solve(x, x[0]),
    "norm": lambda L, x: L.linalg.norm(x),
    "norm_inf": lambda L, x: L.linalg.norm(x, float("inf")),
    "vector_norm": lambda L, x: L.linalg.vector_norm(x, 3, dim=1),
    "matrix_norm": lambda L, x: L.linalg.matrix_norm(x, 1),
}


@pytest.mark.oracle
@pytest.mark.parametrize("call", sorted(ORACLE_CALLS))
@pytest.mark.parametrize("dtype", ["float32", "float64", "int64"])
def test_matches_torch(torch, call, dtype):
    a = np.array([[4.0, 1.0, -2.0], [0.5, 3.0, 1.0], [2.0, -1.0, 5.0]]).astype(dtype)
    ours, theirs = _run(nbtorch, ORACLE_CALLS[call], [a]), _run(torch, ORACLE_CALLS[call], [a])
    if isinstance(theirs, type):
        assert isinstance(ours, type) and issubclass(ours, theirs), (ours, theirs)
        return
    assert not isinstance(ours, type), ours
    assert len(ours) == len(theirs)
    for o, t in zip(ours, theirs):
        assert str(o.dtype).split(".")[-1] == str(t.dtype).split(".")[-1]
        np.testing.assert_allclose(o.detach().numpy(), t.detach().numpy(), rtol=1e-5,
                                   atol=1e-6)


@pytest.mark.oracle
def test_singular_matrix_errors_match_torch(torch):
    singular = [[1.0, 2.0], [2.0, 4.0]]
    for lib in (nbtorch, torch):
        with pytest.raises(lib.linalg.LinAlgError):
            lib.linalg.inv(lib.tensor(singular))
        with pytest.raises(RuntimeError):
            lib.linalg.solve(lib.tensor(singular), lib.ones(2))
        with pytest.raises(RuntimeError):
            lib.det(lib.ones(2, 3))
