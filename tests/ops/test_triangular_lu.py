"""Triangular solves, Cholesky solves and inverses, the LU factorization and its solves, and
the matrix exponential: numpy checks of the defining equations, PyTorch as the oracle for
values, pivots, gradients and errors, finite differences (float64, reverse, forward and
second order) for the gradients."""

import warnings

import numpy as np
import pytest

import nbtorch
from nbtorch.autograd import gradcheck, gradgradcheck

rng = np.random.default_rng(0)


def leaf(values):
    return nbtorch.tensor(np.asarray(values, dtype=np.float64)).requires_grad_()


def check_grads(fn, *inputs):
    assert gradcheck(fn, inputs, check_forward_ad=True)
    assert gradgradcheck(fn, inputs)


def lower(n, batch=()):
    """A well-conditioned lower triangular matrix, with garbage above the diagonal (a
    triangular solve must not read it)."""
    a = rng.standard_normal((*batch, n, n))
    return np.tril(a, -1) + np.diag(rng.uniform(1.5, 3.0, n)) + 50 * np.triu(np.ones((n, n)), 1)


def torch_of(torch, *tensors):
    return [torch.tensor(t.detach().numpy()) for t in tensors]


def assert_raises_like(torch, call_ours, call_theirs):
    """Both raise the same exception class (``linalg.LinAlgError`` for PyTorch's)."""
    with pytest.raises(Exception) as theirs:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            call_theirs()
    expected = type(theirs.value)
    if issubclass(expected, torch.linalg.LinAlgError):
        expected = nbtorch.linalg.LinAlgError
    with pytest.raises(expected) as ours:
        call_ours()
    return str(ours.value), str(theirs.value)


# -- solve_triangular --------------------------------------------------------------------------


@pytest.mark.parametrize("upper", [False, True])
@pytest.mark.parametrize("left", [True, False])
@pytest.mark.parametrize("unitriangular", [False, True])
def test_solve_triangular_solves_the_system(upper, left, unitriangular):
    A = lower(4, (2,))
    A = np.swapaxes(A, -1, -2) if upper else A
    B = rng.standard_normal((2, 4, 3) if left else (2, 3, 4))
    X = nbtorch.linalg.solve_triangular(nbtorch.tensor(A), nbtorch.tensor(B), upper=upper,
                                        left=left, unitriangular=unitriangular).numpy()
    T = np.triu(A) if upper else np.tril(A)  # the triangle that is read
    if unitriangular:  # ... without its diagonal, taken as ones
        T = (np.triu(A, 1) if upper else np.tril(A, -1)) + np.eye(4)
    np.testing.assert_allclose(T @ X if left else X @ T, B, atol=1e-12)


def test_solve_triangular_gradients():
    A, B = leaf(lower(3)), leaf(rng.standard_normal((2, 3, 2)))  # batch dims broadcast
    check_grads(lambda a, b: nbtorch.linalg.solve_triangular(a, b, upper=False), A, B)
    check_grads(lambda a, b: nbtorch.linalg.solve_triangular(a.mT, b.mT, upper=True,
                                                             left=False, unitriangular=True),
                A, B)


@pytest.mark.oracle
def test_solve_triangular_matches_pytorch_values_and_gradients(torch):
    A, B = leaf(lower(3, (2,))), leaf(rng.standard_normal((3, 4)))
    tA, tB = (t.requires_grad_() for t in torch_of(torch, A, B))
    ours = nbtorch.linalg.solve_triangular(A, B, upper=False)
    theirs = torch.linalg.solve_triangular(tA, tB, upper=False)
    np.testing.assert_allclose(ours.detach().numpy(), theirs.detach().numpy(), rtol=1e-12)
    weights = rng.standard_normal(ours.shape)
    (ours * nbtorch.tensor(weights)).sum().backward()
    (theirs * torch.tensor(weights)).sum().backward()
    np.testing.assert_allclose(A.grad.numpy(), tA.grad.numpy(), rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(B.grad.numpy(), tB.grad.numpy(), rtol=1e-10)
    mixed = nbtorch.linalg.solve_triangular(nbtorch.tensor(lower(2), dtype=nbtorch.float32),
                                            nbtorch.ones(2, 1, dtype=nbtorch.float64),
                                            upper=False)
    assert mixed.dtype == nbtorch.float64  # promoted, as in PyTorch


@pytest.mark.oracle
@pytest.mark.parametrize("call", [
    lambda lib: lib.linalg.solve_triangular(lib.ones(3, 3), lib.ones(3), upper=True),
    lambda lib: lib.linalg.solve_triangular(lib.ones(3), lib.ones(3, 2), upper=True),
    lambda lib: lib.linalg.solve_triangular(lib.ones(3, 2), lib.ones(3, 2), upper=True),
    lambda lib: lib.linalg.solve_triangular(lib.ones(3, 3), lib.ones(4, 2), upper=True),
    lambda lib: lib.linalg.solve_triangular(lib.ones(3, 3), lib.ones(2, 4), upper=True,
                                            left=False),
    lambda lib: lib.linalg.solve_triangular(lib.ones(3, 3, dtype=lib.int64),
                                            lib.ones(3, 2, dtype=lib.int64), upper=True),
    lambda lib: lib.linalg.solve_triangular(lib.ones(5, 3, 3), lib.ones(2, 3, 2), upper=True),
])
def test_solve_triangular_errors(torch, call):
    ours, theirs = assert_raises_like(torch, lambda: call(nbtorch), lambda: call(torch))
    assert ours == theirs


@pytest.mark.oracle
def test_solve_triangular_needs_upper(torch):
    ours, theirs = assert_raises_like(
        torch, lambda: nbtorch.linalg.solve_triangular(nbtorch.eye(2), nbtorch.ones(2, 1)),
        lambda: torch.linalg.solve_triangular(torch.eye(2), torch.ones(2, 1)))
    assert "upper" in ours and "upper" in theirs


@pytest.mark.oracle
def test_a_zero_on_the_diagonal_gives_inf_and_nan_like_pytorch(torch):
    ours = nbtorch.linalg.solve_triangular(nbtorch.zeros(2, 2), nbtorch.ones(2, 1), upper=True)
    theirs = torch.linalg.solve_triangular(torch.zeros(2, 2), torch.ones(2, 1), upper=True)
    np.testing.assert_array_equal(ours.numpy(), theirs.numpy())


@pytest.mark.oracle
@pytest.mark.parametrize("upper, transpose, unitriangular", [
    (True, False, False), (False, True, False), (True, True, True), (False, False, True)])
def test_triangular_solve(torch, upper, transpose, unitriangular):
    A = lower(3, (2,))
    A = np.swapaxes(A, -1, -2) if upper else A
    B = rng.standard_normal((3, 2))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        theirs = torch.triangular_solve(torch.tensor(B), torch.tensor(A), upper, transpose,
                                        unitriangular)
    ours = nbtorch.tensor(B).triangular_solve(nbtorch.tensor(A), upper, transpose, unitriangular)
    for o, t in zip(ours, theirs):
        np.testing.assert_allclose(o.numpy(), t.numpy(), rtol=1e-12)
    assert ours.cloned_coefficient.data_ptr() != 0 and type(ours).__name__ == "triangular_solve"
    check_grads(lambda a, b: nbtorch.triangular_solve(b, a, upper, transpose, unitriangular)[0],
                leaf(A), leaf(B))


@pytest.mark.oracle
@pytest.mark.parametrize("call", [
    lambda lib: lib.triangular_solve(lib.ones(3), lib.ones(3, 3)),
    lambda lib: lib.triangular_solve(lib.ones(4, 2), lib.ones(3, 3)),
    lambda lib: lib.triangular_solve(lib.ones(3, 2), lib.ones(3, 2)),
    lambda lib: lib.triangular_solve(lib.ones(3, 2), lib.ones(3, 3, dtype=lib.float64)),
])
def test_triangular_solve_errors(torch, call):
    ours, theirs = assert_raises_like(torch, lambda: call(nbtorch), lambda: call(torch))
    assert ours == theirs


# -- Cholesky ----------------------------------------------------------------------------------


@pytest.mark.oracle
@pytest.mark.parametrize("upper", [False, True])
def test_cholesky_solve_and_inverse(torch, upper):
    S = rng.standard_normal((2, 4, 4))
    A = S @ np.swapaxes(S, -1, -2) + 4 * np.eye(4)
    L = np.linalg.cholesky(A)
    F = np.swapaxes(L, -1, -2) if upper else L
    F = F + (np.tril(np.ones((4, 4)), -1) if upper else np.triu(np.ones((4, 4)), 1))  # unread
    B = rng.standard_normal((4, 3))
    X = nbtorch.cholesky_solve(nbtorch.tensor(B), nbtorch.tensor(F), upper)
    np.testing.assert_allclose(A @ X.numpy(), np.broadcast_to(B, (2, 4, 3)), atol=1e-10)
    np.testing.assert_allclose(X.numpy(), torch.cholesky_solve(torch.tensor(B), torch.tensor(F),
                                                               upper).numpy(), rtol=1e-10)
    inverse = nbtorch.tensor(F).cholesky_inverse(upper)
    np.testing.assert_allclose(inverse.numpy(), np.linalg.inv(A), rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(inverse.numpy(), torch.cholesky_inverse(torch.tensor(F),
                                                                       upper).numpy(), rtol=1e-10)
    check_grads(lambda b, f: nbtorch.cholesky_solve(b, f, upper), leaf(B), leaf(F))
    check_grads(lambda f: nbtorch.cholesky_inverse(f, upper), leaf(F[0]))


@pytest.mark.oracle
@pytest.mark.parametrize("upper", [False, True])
def test_cholesky_gradients_match_pytorch(torch, upper):
    L, B = leaf(np.tril(lower(3))), leaf(rng.standard_normal((3, 2)))
    tL, tB = (t.requires_grad_() for t in torch_of(torch, L, B))
    (nbtorch.cholesky_solve(B, L) ** 2).sum().backward()
    (torch.cholesky_solve(tB, tL) ** 2).sum().backward()
    # PyTorch also fills the other triangle of the factor's gradient, with entries that the
    # solve never reads; nbtorch gives those 0, their true derivative (see test above)
    np.testing.assert_allclose(L.grad.numpy(), np.tril(tL.grad.numpy()), rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(B.grad.numpy(), tB.grad.numpy(), rtol=1e-9)
    S = rng.standard_normal((3, 3))
    A = leaf(S @ S.T + 3 * np.eye(3))
    (tA,) = (t.requires_grad_() for t in torch_of(torch, A))
    for lib, a, b in ((nbtorch, A, B.detach()), (torch, tA, tB.detach())):
        factor = lib.linalg.cholesky(a, upper=upper)
        ((lib.cholesky_solve(b, factor, upper) ** 2).sum()
         + (lib.cholesky_inverse(factor, upper) ** 3).sum()).backward()
    np.testing.assert_allclose(A.grad.numpy(), tA.grad.numpy(), rtol=1e-9, atol=1e-12)


@pytest.mark.oracle
@pytest.mark.parametrize("call", [
    lambda lib: lib.cholesky_solve(lib.ones(3), lib.eye(3)),
    lambda lib: lib.cholesky_solve(lib.ones(3, 2), lib.ones(3)),
    lambda lib: lib.cholesky_solve(lib.ones(4, 2), lib.eye(3)),
    lambda lib: lib.cholesky_solve(lib.ones(3, 2), lib.ones(3, 2)),
    lambda lib: lib.cholesky_solve(lib.ones(3, 2, dtype=lib.int64), lib.eye(3)),
    lambda lib: lib.cholesky_solve(lib.ones(3, 2, dtype=lib.int64),
                                   lib.eye(3, dtype=lib.int64)),
    lambda lib: lib.cholesky_solve(lib.ones(2, 3, 2), lib.ones(5, 3, 3)),
    lambda lib: lib.cholesky_inverse(lib.ones(3)),
    lambda lib: lib.cholesky_inverse(lib.ones(2, 3)),
    lambda lib: lib.cholesky_inverse(lib.ones(2, 2, dtype=lib.int64)),
    lambda lib: lib.cholesky_inverse(lib.eye(2) * lib.tensor([1.0, 0.0])),
    lambda lib: lib.cholesky_inverse(lib.stack([lib.eye(2), lib.eye(2) * lib.tensor([1.0, 0])])),
])
def test_cholesky_errors(torch, call):
    ours, theirs = assert_raises_like(torch, lambda: call(nbtorch), lambda: call(torch))
    assert ours == theirs


# -- LU ----------------------------------------------------------------------------------------

SHAPES = [(4, 4), (2, 3, 3), (3, 5), (5, 3), (1, 1), (0, 0), (2, 0, 3)]


@pytest.mark.parametrize("shape", SHAPES)
def test_lu_reconstructs_the_matrix(shape):
    A = rng.standard_normal(shape)
    P, L, U = nbtorch.linalg.lu(nbtorch.tensor(A))
    k = min(shape[-2:])
    assert L.shape[-2:] == (shape[-2], k) and U.shape[-2:] == (k, shape[-1])
    np.testing.assert_allclose((P @ L @ U).numpy(), A, atol=1e-12)
    assert (np.abs(np.tril(L.numpy(), -1)) <= 1 + 1e-12).all()  # partial pivoting
    np.testing.assert_array_equal(np.triu(L.numpy(), 1), 0)
    np.testing.assert_array_equal(np.tril(U.numpy(), -1), 0)


@pytest.mark.oracle
@pytest.mark.parametrize("shape", SHAPES + [(2, 2)])
def test_lu_factor_matches_pytorch(torch, shape):
    A = rng.standard_normal(shape)
    if shape == (2, 2):
        A[:] = 0  # singular: info marks the zero pivot
    ours = nbtorch.linalg.lu_factor_ex(nbtorch.tensor(A))
    theirs = torch.linalg.lu_factor_ex(torch.tensor(A))
    for o, t in zip(ours, theirs):
        assert str(o.dtype)[8:] == str(t.dtype)[6:]
        np.testing.assert_allclose(o.numpy(), t.numpy(), rtol=1e-12, atol=1e-14)
    for o, t in zip(nbtorch.lu_unpack(*ours[:2]), torch.lu_unpack(*theirs[:2])):
        np.testing.assert_allclose(o.numpy(), t.numpy(), rtol=1e-12, atol=1e-14)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        old = torch.lu(torch.tensor(A), get_infos=True)
    for o, t in zip(nbtorch.tensor(A).lu(get_infos=True), old):
        np.testing.assert_allclose(o.numpy(), t.numpy(), rtol=1e-12, atol=1e-14)
    assert len(nbtorch.lu(nbtorch.tensor(A))) == 2


@pytest.mark.parametrize("shape", [(3, 3), (2, 4), (4, 2), (2, 3, 3)])
def test_lu_factor_gradients(shape):
    check_grads(lambda a: nbtorch.linalg.lu_factor(a).LU, leaf(rng.standard_normal(shape)))


@pytest.mark.oracle
@pytest.mark.parametrize("shape", [(3, 3), (2, 4), (4, 2)])
def test_lu_gradients_match_pytorch(torch, shape):
    A = leaf(rng.standard_normal(shape))
    (tA,) = (t.requires_grad_() for t in torch_of(torch, A))
    weights = rng.standard_normal(3)
    for lib, a in ((nbtorch, A), (torch, tA)):
        P, L, U = lib.linalg.lu(a)
        (weights[0] * L.sum() + weights[1] * (U ** 2).sum() + weights[2] * (L @ U).sum()
         ).backward()
    np.testing.assert_allclose(A.grad.numpy(), tA.grad.numpy(), rtol=1e-9, atol=1e-12)


@pytest.mark.oracle
@pytest.mark.parametrize("left", [True, False])
@pytest.mark.parametrize("adjoint", [False, True])
def test_lu_solve(torch, left, adjoint):
    A = rng.standard_normal((2, 3, 3))
    B = rng.standard_normal((3, 2) if left else (2, 3))
    LU, pivots = nbtorch.linalg.lu_factor(nbtorch.tensor(A))
    X = nbtorch.linalg.lu_solve(LU, pivots, nbtorch.tensor(B), left=left, adjoint=adjoint)
    M = np.swapaxes(A, -1, -2) if adjoint else A
    np.testing.assert_allclose(M @ X.numpy() if left else X.numpy() @ M,
                               np.broadcast_to(B, X.shape), atol=1e-12)
    tLU, tp = torch.linalg.lu_factor(torch.tensor(A))
    theirs = torch.linalg.lu_solve(tLU, tp, torch.tensor(B), left=left, adjoint=adjoint)
    np.testing.assert_allclose(X.numpy(), theirs.numpy(), rtol=1e-10)
    check_grads(lambda lu, b: nbtorch.linalg.lu_solve(lu, pivots, b, left=left,
                                                      adjoint=adjoint),
                leaf(LU.numpy()), leaf(B))


@pytest.mark.oracle
def test_old_lu_solve_and_its_gradient_through_the_factorization(torch):
    A, B = leaf(rng.standard_normal((3, 3))), leaf(rng.standard_normal((3, 2)))
    tA, tB = (t.requires_grad_() for t in torch_of(torch, A, B))
    X = B.lu_solve(*nbtorch.lu(A))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        tX = torch.lu_solve(tB, *torch.lu(tA))
    np.testing.assert_allclose(X.detach().numpy(), tX.detach().numpy(), rtol=1e-10)
    (X ** 3).sum().backward()
    (tX ** 3).sum().backward()
    np.testing.assert_allclose(A.grad.numpy(), tA.grad.numpy(), rtol=1e-8)
    np.testing.assert_allclose(B.grad.numpy(), tB.grad.numpy(), rtol=1e-8)


@pytest.mark.oracle
@pytest.mark.parametrize("call", [
    lambda lib: lib.linalg.lu_factor(lib.ones(3)),
    lambda lib: lib.linalg.lu_factor(lib.ones(2, 2, dtype=lib.int64)),
    lambda lib: lib.linalg.lu_factor(lib.zeros(2, 2)),
    lambda lib: lib.linalg.lu_factor(lib.zeros(3, 2, 2)),
    lambda lib: lib.linalg.lu_factor_ex(lib.zeros(2, 2), check_errors=True),
    lambda lib: lib.linalg.lu_factor(lib.eye(2), pivot=False),
    lambda lib: lib.lu_unpack(lib.eye(2), lib.tensor([1, 2])),
    lambda lib: lib.linalg.lu_solve(lib.eye(3), lib.tensor([1, 2, 3], dtype=lib.int32),
                                    lib.ones(3)),
    lambda lib: lib.linalg.lu_solve(lib.eye(3)[:2], lib.tensor([1, 2, 3], dtype=lib.int32),
                                    lib.ones(3, 2)),
    lambda lib: lib.linalg.lu_solve(lib.eye(3), lib.tensor([1, 2], dtype=lib.int32),
                                    lib.ones(3, 2)),
    lambda lib: lib.linalg.lu_solve(lib.eye(3), lib.tensor([1, 2, 3]), lib.ones(3, 2)),
    lambda lib: lib.linalg.lu_solve(lib.eye(3), lib.tensor([1, 2, 3], dtype=lib.int32),
                                    lib.ones(4, 2)),
    lambda lib: lib.linalg.lu_solve(lib.eye(3), lib.tensor([1, 2, 3], dtype=lib.int32),
                                    lib.ones(3, 2, dtype=lib.float64)),
])
def test_lu_errors(torch, call):
    ours, theirs = assert_raises_like(torch, lambda: call(nbtorch), lambda: call(torch))
    assert ours == theirs


# -- matrix_exp --------------------------------------------------------------------------------


def _exp_by_eigen(A):
    """e^A of a symmetric matrix from its eigendecomposition (an independent reference)."""
    w, V = np.linalg.eigh(A)
    return (V * np.exp(w)[..., None, :]) @ np.swapaxes(V, -1, -2)


@pytest.mark.parametrize("scale", [0.1, 1.0, 30.0])
def test_matrix_exp_of_symmetric_matrices(scale):
    S = rng.standard_normal((2, 4, 4))
    A = scale * (S + np.swapaxes(S, -1, -2)) / 4
    ours = nbtorch.matrix_exp(nbtorch.tensor(A)).numpy()
    np.testing.assert_allclose(ours, _exp_by_eigen(A), rtol=1e-10, atol=1e-12)


def test_matrix_exp_identities():
    theta = 0.7  # the exponential of a rotation generator is a rotation
    R = nbtorch.tensor([[0.0, -theta], [theta, 0.0]]).matrix_exp().numpy()
    np.testing.assert_allclose(R, [[np.cos(theta), -np.sin(theta)],
                                   [np.sin(theta), np.cos(theta)]], atol=1e-7)
    N = np.triu(rng.standard_normal((4, 4)), 1)  # nilpotent: the series ends at N^3 / 3!
    expected = np.eye(4) + N + N @ N / 2 + N @ N @ N / 6
    np.testing.assert_allclose(nbtorch.linalg.matrix_exp(nbtorch.tensor(N)).numpy(), expected,
                               rtol=1e-12, atol=1e-14)
    assert nbtorch.matrix_exp(nbtorch.ones(2, 0, 0)).shape == (2, 0, 0)


@pytest.mark.parametrize("scale", [0.5, 5.0])
def test_matrix_exp_gradients(scale):
    check_grads(nbtorch.matrix_exp, leaf(scale * rng.standard_normal((2, 3, 3))))


@pytest.mark.oracle
def test_matrix_exp_matches_pytorch(torch):
    A = leaf(3 * rng.standard_normal((3, 3)))
    (tA,) = (t.requires_grad_() for t in torch_of(torch, A))
    ours, theirs = nbtorch.matrix_exp(A), torch.matrix_exp(tA)
    np.testing.assert_allclose(ours.detach().numpy(), theirs.detach().numpy(), rtol=1e-10)
    weights = rng.standard_normal((3, 3))
    (ours * nbtorch.tensor(weights)).sum().backward()
    (theirs * torch.tensor(weights)).sum().backward()
    np.testing.assert_allclose(A.grad.numpy(), tA.grad.numpy(), rtol=1e-8)
    for values in ([[np.nan, 0.0], [0.0, 1.0]], [[np.inf, 0.0], [0.0, 1.0]]):
        np.testing.assert_array_equal(nbtorch.matrix_exp(nbtorch.tensor(values)).numpy(),
                                      torch.matrix_exp(torch.tensor(values)).numpy())


@pytest.mark.oracle
@pytest.mark.parametrize("call", [
    lambda lib: lib.matrix_exp(lib.ones(3)),
    lambda lib: lib.matrix_exp(lib.ones(2, 3)),
    lambda lib: lib.matrix_exp(lib.ones(2, 2, dtype=lib.int64)),
    lambda lib: lib.matrix_exp(3.0),
])
def test_matrix_exp_errors(torch, call):
    ours, theirs = assert_raises_like(torch, lambda: call(nbtorch), lambda: call(torch))
    assert ours == theirs
