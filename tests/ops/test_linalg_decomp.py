"""Decompositions (svd, eigh, qr, cholesky) and what is built on them (pinv, lstsq, slogdet,
matrix_rank, cond, matrix_power, multi_dot, vecdot, cross): values against numpy,
reconstructions, gradients against finite differences (gradcheck/gradgradcheck with forward
AD, in float64, of gauge-invariant functions of the factors), and PyTorch as the oracle for
values, gradients and errors."""

import math

import numpy as np
import pytest

import nbtorch
from nbtorch.autograd import gradcheck, gradgradcheck

SHAPES = [(4, 3), (3, 5), (3, 3), (2, 4, 3), (2, 2, 3)]


def rng(seed=0):
    return np.random.default_rng(seed)


def leaf(array):
    return nbtorch.tensor(np.asarray(array, dtype=np.float64)).requires_grad_()


def check_grads(fn, *inputs, second=True):
    assert gradcheck(fn, inputs, check_forward_ad=True)
    if second:
        assert gradgradcheck(fn, inputs)


def spd(a):
    """A symmetric positive-definite matrix (batch) from any square one."""
    n = a.shape[-1]
    return a @ np.swapaxes(a, -1, -2) + n * np.eye(n)


def sym(t):
    return (t + t.mT) / 2


# -- svd -------------------------------------------------------------------------------------


@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("full", [True, False])
def test_svd_reconstructs_and_matches_numpy(shape, full):
    a = rng(1).normal(size=shape)
    U, S, Vh = nbtorch.linalg.svd(nbtorch.tensor(a), full_matrices=full)
    u, s, vh = np.linalg.svd(a, full_matrices=full)
    assert U.shape == u.shape and S.shape == s.shape and Vh.shape == vh.shape
    np.testing.assert_allclose(S.numpy(), s, rtol=1e-12)
    k = s.shape[-1]
    rebuilt = (U[..., :k] * S.unsqueeze(-2)) @ Vh[..., :k, :]
    np.testing.assert_allclose(rebuilt.numpy(), a, atol=1e-12)
    eye_u = np.broadcast_to(np.eye(U.shape[-1]), U.shape[:-2] + (U.shape[-1],) * 2)
    np.testing.assert_allclose((U.mT @ U).numpy(), eye_u, atol=1e-12)
    np.testing.assert_allclose(nbtorch.linalg.svdvals(nbtorch.tensor(a)).numpy(), s, rtol=1e-12)


@pytest.mark.parametrize("shape", SHAPES)
def test_svd_gradients_of_gauge_invariant_functions(shape):
    x = leaf(rng(2).normal(size=shape))
    check_grads(nbtorch.linalg.svdvals, x)

    def rebuilt(t):
        U, S, Vh = nbtorch.linalg.svd(t, full_matrices=False)
        return (U * S.unsqueeze(-2)) @ Vh

    def projectors(t):  # U U^T and V V^T do not change when a vector flips sign
        U, S, Vh = nbtorch.linalg.svd(t, full_matrices=False)
        return U[..., :2] @ U[..., :2].mT, Vh[..., :1, :].mT @ Vh[..., :1, :]

    check_grads(rebuilt, x)
    check_grads(projectors, x)


def test_svd_full_matrices_gradient_uses_the_first_k_vectors():
    x = leaf(rng(3).normal(size=(4, 2)))

    def f(t):
        U, S, Vh = nbtorch.linalg.svd(t, full_matrices=True)
        return U[..., :2] @ U[..., :2].mT + S.sum()

    check_grads(f, x)


def test_top_level_svd_returns_v():
    a = rng(4).normal(size=(5, 3))
    U, S, V = nbtorch.svd(nbtorch.tensor(a))
    assert U.shape == (5, 3) and V.shape == (3, 3)
    np.testing.assert_allclose(((U * S) @ V.mT).numpy(), a, atol=1e-12)
    U, S, V = nbtorch.tensor(a).svd(some=False)
    assert U.shape == (5, 5) and V.shape == (3, 3)
    U, S, V = nbtorch.svd(nbtorch.tensor(a), compute_uv=False)
    assert not U.numpy().any() and U.shape == (5, 5) and V.shape == (3, 3)
    np.testing.assert_allclose(S.numpy(), np.linalg.svd(a, compute_uv=False))


# -- eigh ------------------------------------------------------------------------------------


@pytest.mark.parametrize("UPLO", ["L", "U"])
def test_eigh_matches_numpy_and_reads_one_triangle(UPLO):
    a = rng(5).normal(size=(2, 4, 4))
    L, V = nbtorch.linalg.eigh(nbtorch.tensor(a), UPLO=UPLO)
    l_np, _ = np.linalg.eigh(a, UPLO=UPLO)
    np.testing.assert_allclose(L.numpy(), l_np, atol=1e-12)
    half = np.tril(a) if UPLO == "L" else np.triu(a)
    symmetric = half + np.swapaxes(half, -1, -2) - np.eye(4) * np.diagonal(a, 0, -2, -1)[
        ..., None, :]
    np.testing.assert_allclose(((V * L.unsqueeze(-2)) @ V.mT).numpy(), symmetric, atol=1e-12)
    np.testing.assert_allclose(nbtorch.linalg.eigvalsh(nbtorch.tensor(a), UPLO).numpy(),
                               l_np, atol=1e-12)


def test_eigh_gradients():
    x = leaf(rng(6).normal(size=(2, 4, 4)))
    check_grads(lambda t: nbtorch.linalg.eigvalsh(sym(t)), x)

    def top_projector(t):
        L, V = nbtorch.linalg.eigh(sym(t))
        return V[..., -1:] @ V[..., -1:].mT, L

    check_grads(top_projector, x)


# -- qr --------------------------------------------------------------------------------------


@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("mode", ["reduced", "complete", "r"])
def test_qr_matches_numpy(shape, mode):
    a = rng(7).normal(size=shape)
    Q, R = nbtorch.linalg.qr(nbtorch.tensor(a), mode=mode)
    if mode == "r":
        assert Q.shape == (0,)
        np.testing.assert_allclose(R.numpy(), np.linalg.qr(a, mode="r"), atol=1e-12)
        return
    q, r = np.linalg.qr(a, mode=mode)
    np.testing.assert_allclose(Q.numpy(), q, atol=1e-12)
    np.testing.assert_allclose(R.numpy(), r, atol=1e-12)
    np.testing.assert_allclose((Q @ R).numpy(), a, atol=1e-12)
    np.testing.assert_array_equal(np.tril(R.numpy(), -1), 0)


@pytest.mark.parametrize("shape", [(4, 3), (3, 3), (3, 5), (2, 4, 2)])
def test_qr_gradients(shape):
    x = leaf(rng(8).normal(size=shape))
    check_grads(lambda t: tuple(nbtorch.linalg.qr(t)), x)
    check_grads(lambda t: nbtorch.linalg.qr(t)[1], x)
    if shape[-2] <= shape[-1]:
        check_grads(lambda t: tuple(nbtorch.linalg.qr(t, mode="complete")), x)


def test_qr_errors():
    x = leaf(rng(9).normal(size=(3, 2)))
    with pytest.raises(RuntimeError, match="not computed when mode='r'"):
        nbtorch.linalg.qr(x, mode="r")[1].sum().backward()
    with pytest.raises(RuntimeError, match="not differentiable when mode='complete'"):
        nbtorch.linalg.qr(x, mode="complete")[0].sum().backward()
    with pytest.raises(RuntimeError, match="unrecognized mode 'x'"):
        nbtorch.linalg.qr(x, mode="x")
    Q, R = nbtorch.qr(x.detach(), some=False)
    assert Q.shape == (3, 3) and R.shape == (3, 2)


# -- cholesky --------------------------------------------------------------------------------


@pytest.mark.parametrize("upper", [False, True])
def test_cholesky_matches_numpy(upper):
    a = spd(rng(10).normal(size=(2, 4, 4)))
    noisy = a + (np.triu(np.ones((4, 4)), 1) if not upper else np.tril(np.ones((4, 4)), -1))
    L = nbtorch.linalg.cholesky(nbtorch.tensor(noisy), upper=upper)  # the other side: unread
    expected = np.linalg.cholesky(a)
    np.testing.assert_allclose(L.numpy(), np.swapaxes(expected, -1, -2) if upper else expected,
                               atol=1e-12)
    rebuilt = L.mT @ L if upper else L @ L.mT
    np.testing.assert_allclose(rebuilt.numpy(), a, atol=1e-12)
    np.testing.assert_allclose(nbtorch.cholesky(nbtorch.tensor(a), upper).numpy(),
                               L.numpy(), atol=1e-12)


@pytest.mark.parametrize("upper", [False, True])
def test_cholesky_gradients(upper):
    x = leaf(rng(11).normal(size=(2, 3, 3)))
    check_grads(lambda t: nbtorch.linalg.cholesky(t @ t.mT + 3 * nbtorch.eye(3, dtype=t.dtype),
                                                  upper=upper), x)


def test_cholesky_errors_and_info():
    bad = nbtorch.tensor([[[1.0, 0.0], [0.0, 1.0]], [[1.0, 2.0], [2.0, 1.0]]])
    with pytest.raises(nbtorch.linalg.LinAlgError,
                       match=r"\(Batch element 1\): .*leading minor of order 2 is not"):
        nbtorch.linalg.cholesky(bad)
    L, info = nbtorch.linalg.cholesky_ex(bad)
    assert info.dtype == nbtorch.int32 and info.tolist() == [0, 2]
    np.testing.assert_array_equal(L[0].numpy(), np.eye(2))
    with pytest.raises(nbtorch.linalg.LinAlgError, match="linalg.cholesky_ex: "):
        nbtorch.linalg.cholesky_ex(bad, check_errors=True)


# -- slogdet, pinv, lstsq, matrix_rank, cond -------------------------------------------------


def test_slogdet_and_logdet():
    a = rng(12).normal(size=(3, 4, 4))
    sign, logabsdet = nbtorch.linalg.slogdet(nbtorch.tensor(a))
    s_np, l_np = np.linalg.slogdet(a)
    np.testing.assert_allclose(sign.numpy(), s_np)
    np.testing.assert_allclose(logabsdet.numpy(), l_np, rtol=1e-12)
    logdet = nbtorch.logdet(nbtorch.tensor(a)).numpy()
    np.testing.assert_allclose(logdet[s_np > 0], l_np[s_np > 0])
    assert np.isnan(logdet[s_np < 0]).all()
    x = leaf(a)
    check_grads(lambda t: nbtorch.linalg.slogdet(t)[1], x)
    check_grads(lambda t: t.slogdet()[1], x)


@pytest.mark.parametrize("shape", [(4, 3), (3, 5), (2, 3, 3)])
def test_pinv(shape):
    a = rng(13).normal(size=shape)
    np.testing.assert_allclose(nbtorch.linalg.pinv(nbtorch.tensor(a)).numpy(),
                               np.linalg.pinv(a), atol=1e-12)
    check_grads(nbtorch.linalg.pinv, leaf(a))
    check_grads(nbtorch.pinverse, leaf(a), second=False)


def test_pinv_hermitian_and_tolerances():
    a = spd(rng(14).normal(size=(3, 3))) - 4 * np.eye(3)
    np.testing.assert_allclose(nbtorch.linalg.pinv(nbtorch.tensor(a), hermitian=True).numpy(),
                               np.linalg.pinv(a, hermitian=True), atol=1e-12)
    check_grads(lambda t: nbtorch.linalg.pinv(sym(t), hermitian=True), leaf(a))
    d = nbtorch.tensor(np.diag([3.0, 1e-3]))
    cut = nbtorch.linalg.pinv(d, atol=1e-2).numpy()
    np.testing.assert_allclose(cut, np.diag([1 / 3, 0.0]))
    np.testing.assert_allclose(nbtorch.linalg.pinv(d, rtol=1e-2).numpy(), cut)


@pytest.mark.parametrize("driver", ["gelsy", "gelsd", "gelss", "gels"])
def test_lstsq_matches_numpy(driver):
    a, b = rng(15).normal(size=(5, 3)), rng(16).normal(size=(5, 2))
    out = nbtorch.linalg.lstsq(nbtorch.tensor(a), nbtorch.tensor(b), driver=driver)
    x, residuals, rank, s = np.linalg.lstsq(a, b, rcond=None)
    np.testing.assert_allclose(out.solution.numpy(), x, atol=1e-12)
    if driver == "gelsy":
        assert out.residuals.shape == (0,) and out.singular_values.shape == (0,)
    else:
        np.testing.assert_allclose(out.residuals.numpy(), residuals, rtol=1e-10)
    if driver in ("gelsd", "gelss"):
        np.testing.assert_allclose(out.singular_values.numpy(), s)
    if driver != "gels":
        assert out.rank.item() == rank
    vector = nbtorch.linalg.lstsq(nbtorch.tensor(a), nbtorch.tensor(b[:, 0])).solution
    np.testing.assert_allclose(vector.numpy(), x[:, 0], atol=1e-12)


def test_lstsq_gradients_and_rank_deficient():
    check_grads(lambda A, B: nbtorch.linalg.lstsq(A, B).solution,
                leaf(rng(17).normal(size=(5, 3))), leaf(rng(18).normal(size=(5, 2))))
    a = np.ones((3, 2))
    out = nbtorch.linalg.lstsq(nbtorch.tensor(a), nbtorch.ones(3, 1, dtype=nbtorch.float64))
    np.testing.assert_allclose(out.solution.numpy(), np.linalg.lstsq(a, np.ones((3, 1)))[0])
    assert out.rank.item() == 1


def test_matrix_rank():
    a = rng(19).normal(size=(3, 4, 2)) @ rng(20).normal(size=(3, 2, 5))
    np.testing.assert_array_equal(nbtorch.linalg.matrix_rank(nbtorch.tensor(a)).numpy(),
                                  np.linalg.matrix_rank(a))
    d = nbtorch.tensor(np.diag([3.0, -1e-3, 1.0]))
    assert nbtorch.linalg.matrix_rank(d, atol=1e-2).item() == 2
    assert nbtorch.linalg.matrix_rank(d, hermitian=True).item() == 3
    assert nbtorch.linalg.matrix_rank(d, rtol=0.5).item() == 1


@pytest.mark.parametrize("p", [None, 2, -2, "fro", "nuc", math.inf, -math.inf, 1, -1])
def test_cond(p):
    a = rng(21).normal(size=(2, 3, 3))
    np.testing.assert_allclose(nbtorch.linalg.cond(nbtorch.tensor(a), p).numpy(),
                               np.linalg.cond(a, p), rtol=1e-10)
    singular = nbtorch.tensor([[[1.0, 0.0], [0.0, 0.0]], [[2.0, 0.0], [0.0, 1.0]]])
    out = nbtorch.linalg.cond(singular, p).numpy()
    assert out[0] == (0.0 if p == -2 else math.inf) and np.isfinite(out[1])
    if p in (None, 2, -2):
        check_grads(lambda t: nbtorch.linalg.cond(t, p), leaf(a), second=False)
    with pytest.raises(RuntimeError, match="invalid norm type: 3"):
        nbtorch.linalg.cond(nbtorch.tensor(a), 3)


# -- matrix_power, multi_dot, vecdot, cross --------------------------------------------------


@pytest.mark.parametrize("n", [-3, -1, 0, 1, 2, 5, 6])
def test_matrix_power(n):
    a = rng(22).normal(size=(2, 3, 3)) + 3 * np.eye(3)
    out = nbtorch.linalg.matrix_power(nbtorch.tensor(a), n)
    np.testing.assert_allclose(out.numpy(), np.linalg.matrix_power(a, n), rtol=1e-10)
    np.testing.assert_allclose(nbtorch.tensor(a).matrix_power(n).numpy(), out.numpy())
    if n:
        check_grads(lambda t: nbtorch.matrix_power(t, n), leaf(a), second=abs(n) < 5)
    ints = np.arange(4).reshape(2, 2)
    assert nbtorch.linalg.matrix_power(nbtorch.tensor(ints), 3).tolist() == \
        np.linalg.matrix_power(ints, 3).tolist()


def test_multi_dot_order_and_values():
    shapes = [(2, 30), (30, 3), (3, 40), (40, 5)]
    mats = [rng(i).normal(size=s) for i, s in enumerate(shapes)]
    out = nbtorch.linalg.multi_dot([nbtorch.tensor(m) for m in mats])
    np.testing.assert_allclose(out.numpy(), np.linalg.multi_dot(mats), rtol=1e-12)
    v, w = rng(5).normal(size=2), rng(6).normal(size=5)
    out = nbtorch.linalg.multi_dot([nbtorch.tensor(v)] + [nbtorch.tensor(m) for m in mats]
                                   + [nbtorch.tensor(w)])
    np.testing.assert_allclose(out.numpy(), np.linalg.multi_dot([v, *mats, w]), rtol=1e-12)
    check_grads(lambda *ts: nbtorch.linalg.multi_dot(ts),
                *[leaf(rng(i).normal(size=s)) for i, s in enumerate([(2, 3), (3, 4), (4, 2)])])


def test_vecdot_and_cross():
    x, y = rng(23).normal(size=(2, 4, 3)), rng(24).normal(size=(4, 3))
    np.testing.assert_allclose(nbtorch.linalg.vecdot(nbtorch.tensor(x), nbtorch.tensor(y))
                               .numpy(), (x * y).sum(-1))
    np.testing.assert_allclose(nbtorch.linalg.vecdot(nbtorch.tensor(x), nbtorch.tensor(x),
                                                     dim=0).numpy(), (x * x).sum(0))
    np.testing.assert_allclose(
        nbtorch.linalg.cross(nbtorch.tensor(x), nbtorch.tensor(y[None])).numpy(),
        np.cross(x, y[None]))
    check_grads(nbtorch.linalg.vecdot, leaf(x), leaf(y))


# -- PyTorch as the oracle -------------------------------------------------------------------

ORACLE_CASES = {
    "svdvals": (lambda lib, t: lib.linalg.svdvals(t), (4, 3)),
    "svd rebuilt": (lambda lib, t: (lambda U, S, Vh: (U[..., :1] * S[..., :1]) @ Vh[..., :1, :])(
        *lib.linalg.svd(t, full_matrices=False)), (3, 5)),
    "svd U projector": (lambda lib, t: (lambda U: U[..., :2] @ U[..., :2].mT)(
        lib.svd(t)[0]), (2, 4, 3)),
    "eigh": (lambda lib, t: (lambda L, V: (V[..., :1] @ V[..., :1].mT, L))(
        *lib.linalg.eigh(t)), (2, 3, 3)),
    "eigh upper": (lambda lib, t: lib.linalg.eigvalsh(t, UPLO="U"), (3, 3)),
    "qr": (lambda lib, t: tuple(lib.linalg.qr(t)), (4, 3)),
    "qr wide": (lambda lib, t: tuple(lib.linalg.qr(t)), (3, 5)),
    "cholesky": (lambda lib, t: lib.linalg.cholesky(t @ t.mT + 3 * lib.eye(3,
                                                    dtype=t.dtype)), (2, 3, 3)),
    "cholesky upper": (lambda lib, t: lib.cholesky(t @ t.mT + 3 * lib.eye(3, dtype=t.dtype),
                                                   upper=True), (3, 3)),
    "pinv": (lambda lib, t: lib.linalg.pinv(t), (4, 3)),
    "pinv wide": (lambda lib, t: t.pinverse(), (2, 3, 5)),
    "pinv hermitian": (lambda lib, t: lib.linalg.pinv(t, hermitian=True), (3, 3)),
    "slogdet": (lambda lib, t: tuple(lib.linalg.slogdet(t)), (2, 3, 3)),
    "logdet": (lambda lib, t: (t @ t.mT).logdet(), (3, 3)),
    "lstsq": (lambda lib, t: lib.linalg.lstsq(t, t[..., :2] + 1).solution, (5, 3)),
    "matrix_power": (lambda lib, t: lib.linalg.matrix_power(t, -2), (3, 3)),
    "cond": (lambda lib, t: lib.linalg.cond(t), (3, 3)),
    "matrix_norm nuc": (lambda lib, t: lib.linalg.matrix_norm(t, "nuc"), (3, 4)),
}


@pytest.mark.oracle
@pytest.mark.parametrize("case", list(ORACLE_CASES))
def test_values_and_gradients_against_pytorch(torch, case):
    fn, shape = ORACLE_CASES[case]
    a = rng(25).normal(size=shape) + 2 * np.eye(*shape[-2:])
    outs = []
    for lib, make in ((torch, torch.tensor), (nbtorch, nbtorch.tensor)):
        x = make(a).requires_grad_()
        out = fn(lib, x)
        out = out if isinstance(out, tuple) else (out,)
        weights = [make(rng(26 + i).normal(size=tuple(o.shape))) for i, o in enumerate(out)]
        sum(((o * w).sum() for o, w in zip(out, weights) if o.requires_grad)).backward()
        outs.append(([o.detach().numpy() for o in out], x.grad.numpy()))
    (t_out, t_grad), (n_out, n_grad) = outs
    for t_o, n_o in zip(t_out, n_out):
        np.testing.assert_allclose(n_o, t_o, rtol=1e-9, atol=1e-10)
    np.testing.assert_allclose(n_grad, t_grad, rtol=1e-8, atol=1e-10)


@pytest.mark.oracle
def test_lstsq_outputs_against_pytorch(torch):
    a, b = rng(27).normal(size=(2, 5, 3)), rng(28).normal(size=(2, 5, 2))
    for driver in ("gelsy", "gelsd", "gelss", "gels"):
        t = torch.linalg.lstsq(torch.tensor(a), torch.tensor(b), driver=driver)
        n = nbtorch.linalg.lstsq(nbtorch.tensor(a), nbtorch.tensor(b), driver=driver)
        for t_field, n_field in zip(t, n):
            assert tuple(n_field.shape) == tuple(t_field.shape), driver
            np.testing.assert_allclose(n_field.numpy(), t_field.numpy(), rtol=1e-9, atol=1e-12)


@pytest.mark.oracle
def test_cholesky_ex_info_against_pytorch(torch):
    a = np.stack([np.eye(3), -np.eye(3), np.diag([1.0, 1.0, -1.0]), spd(np.ones((3, 3)))])
    t_L, t_info = torch.linalg.cholesky_ex(torch.tensor(a))
    n_L, n_info = nbtorch.linalg.cholesky_ex(nbtorch.tensor(a))
    assert n_info.tolist() == t_info.tolist()
    ok = t_info.numpy() == 0
    np.testing.assert_allclose(n_L.numpy()[ok], t_L.numpy()[ok], atol=1e-12)


ERROR_CASES = {
    "cholesky not PD": lambda lib: lib.linalg.cholesky(lib.tensor([[1.0, 2.0], [2.0, 1.0]])),
    "cholesky batch": lambda lib: lib.linalg.cholesky(
        lib.stack([lib.eye(3), lib.diag(lib.tensor([1.0, 1.0, -1.0]))])),
    "cholesky upper reads upper": lambda lib: lib.linalg.cholesky(
        lib.tensor([[4.0, 100.0], [1.0, 3.0]]), upper=True),
    "cholesky_ex check": lambda lib: lib.linalg.cholesky_ex(
        lib.tensor([[1.0, 2.0], [2.0, 1.0]]), check_errors=True),
    "torch.cholesky": lambda lib: lib.cholesky(lib.tensor([[1.0, 2.0], [2.0, 1.0]])),
    "cholesky not square": lambda lib: lib.linalg.cholesky(lib.ones(2, 3)),
    "cholesky 1d": lambda lib: lib.linalg.cholesky(lib.ones(3)),
    "cholesky int": lambda lib: lib.linalg.cholesky(lib.ones(2, 2, dtype=lib.int64)),
    "svd int": lambda lib: lib.linalg.svd(lib.ones(2, 2, dtype=lib.int64)),
    "svdvals 1d": lambda lib: lib.linalg.svdvals(lib.ones(2)),
    "qr mode": lambda lib: lib.linalg.qr(lib.ones(3, 2), mode="x"),
    "eigh not square": lambda lib: lib.linalg.eigh(lib.ones(2, 3)),
    "eigh UPLO": lambda lib: lib.linalg.eigh(lib.eye(2), UPLO="X"),
    "pinv int": lambda lib: lib.linalg.pinv(lib.ones(3, 3, dtype=lib.int64)),
    "pinv 1d": lambda lib: lib.linalg.pinv(lib.ones(3)),
    "slogdet int": lambda lib: lib.linalg.slogdet(lib.eye(2, dtype=lib.int64)),
    "logdet int": lambda lib: lib.logdet(lib.eye(2, dtype=lib.int64)),
    "lstsq rows": lambda lib: lib.linalg.lstsq(lib.ones(4, 2), lib.ones(3, 3)),
    "lstsq driver": lambda lib: lib.linalg.lstsq(lib.ones(4, 2), lib.ones(4, 3), driver="xx"),
    "lstsq dtype": lambda lib: lib.linalg.lstsq(lib.ones(3, 2), lib.ones(3, 2,
                                                dtype=lib.float64)),
    "lstsq 1d": lambda lib: lib.linalg.lstsq(lib.ones(3), lib.ones(3)),
    "matrix_power not square": lambda lib: lib.linalg.matrix_power(lib.ones(2, 3), 2),
    "matrix_power int inverse": lambda lib: lib.linalg.matrix_power(
        lib.eye(2, dtype=lib.int64), -1),
    "matrix_power float n": lambda lib: lib.linalg.matrix_power(lib.eye(2), 1.5),
    "multi_dot one": lambda lib: lib.linalg.multi_dot([lib.ones(2, 2)]),
    "multi_dot 3d": lambda lib: lib.linalg.multi_dot([lib.ones(2, 2, 2), lib.ones(2, 2)]),
    "multi_dot middle 1d": lambda lib: lib.linalg.multi_dot([lib.ones(2, 2), lib.ones(2),
                                                            lib.ones(2, 2)]),
    "multi_dot shapes": lambda lib: lib.linalg.multi_dot([lib.ones(2, 3), lib.ones(4, 2)]),
    "multi_dot dtypes": lambda lib: lib.linalg.multi_dot([lib.ones(2, 3),
                                                         lib.ones(3, 2, dtype=lib.float64)]),
    "cond invalid": lambda lib: lib.linalg.cond(lib.eye(2), 3),
    "cond fro not square": lambda lib: lib.linalg.cond(lib.ones(2, 3), "fro"),
    "vecdot dtypes": lambda lib: lib.linalg.vecdot(lib.ones(3), lib.ones(3, dtype=lib.float64)),
    "vecdot int": lambda lib: lib.linalg.vecdot(lib.ones(3, dtype=lib.int64),
                                                lib.ones(3, dtype=lib.int64)),
    "cross dims": lambda lib: lib.linalg.cross(lib.ones(2, 3), lib.ones(3)),
    "cross size": lambda lib: lib.linalg.cross(lib.ones(4), lib.ones(4)),
}


@pytest.mark.oracle
@pytest.mark.parametrize("case", list(ERROR_CASES))
def test_errors_against_pytorch(torch, case):
    with pytest.raises(Exception) as expected:
        ERROR_CASES[case](torch)
    with pytest.raises(Exception) as got:
        ERROR_CASES[case](nbtorch)
    if isinstance(expected.value, torch.linalg.LinAlgError):
        assert isinstance(got.value, nbtorch.linalg.LinAlgError)
    else:
        assert type(got.value) is type(expected.value)
    assert str(got.value) == str(expected.value)
