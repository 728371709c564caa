"""Contractions (einsum, tensordot, kron) and cdist: values against numpy, gradients against
finite differences (gradcheck, gradgradcheck, forward AD), and dtypes, gradients and errors
against PyTorch."""

import itertools
import math

import numpy as np
import pytest
from _data_helpers import leaf

import nbtorch
from nbtorch.autograd import gradcheck, gradgradcheck


def check_grads(fn, *inputs):
    assert gradcheck(fn, inputs, check_forward_ad=True)
    assert gradgradcheck(fn, inputs)


def arrays(shapes, seed=0):
    rng = np.random.default_rng(seed)
    return [rng.standard_normal(s) for s in shapes]


def like_torch(torch, fn, exact: bool = True, match: str | None = None):
    """``fn(module)`` raises the same exception class in nbtorch as in PyTorch, with the
    same message (``exact``) or one that contains ``match``."""
    with pytest.raises(Exception) as expected:
        fn(torch)
    with pytest.raises(Exception) as got:
        fn(nbtorch)
    assert type(got.value) is type(expected.value), (got.value, expected.value)
    if exact:
        assert str(got.value) == str(expected.value)
    if match is not None:
        assert match in str(got.value)


# -- einsum --------------------------------------------------------------------------------

EQUATIONS = [
    ("ij,jk->ik", [(2, 3), (3, 4)]),
    ("ij,jk", [(2, 3), (3, 4)]),
    ("bij,bjk->bik", [(2, 3, 4), (2, 4, 5)]),
    ("i,i->", [(3,), (3,)]),
    ("i,i", [(3,), (3,)]),
    ("i,j->ij", [(3,), (4,)]),
    ("ij,ij->ij", [(2, 3), (2, 3)]),
    ("ij->ji", [(2, 3)]),
    ("ji", [(2, 3)]),
    ("ij->", [(2, 3)]),
    ("ijk->kj", [(2, 3, 4)]),
    ("ii->i", [(3, 3)]),
    ("ii", [(3, 3)]),
    ("iij->ji", [(3, 3, 2)]),
    ("iji,jk->k", [(3, 2, 3), (2, 4)]),
    ("ijk,kji->", [(2, 3, 4), (4, 3, 2)]),
    ("ij,jk,kl->il", [(2, 3), (3, 4), (4, 2)]),
    ("ab,bc,cd,de->ea", [(2, 3), (3, 2), (2, 4), (4, 3)]),
    ("bn,anm,bm->ba", [(2, 3), (4, 3, 5), (2, 5)]),
    ("i,j,k->", [(2,), (3,), (4,)]),
    ("aab,bc,ca->", [(3, 3, 2), (2, 4), (4, 3)]),
    ("ij,kl->ijkl", [(2, 3), (1, 2)]),
    ("i,,i", [(3,), (), (3,)]),
    (",->", [(), ()]),
    ("Ab,bA", [(2, 3), (3, 2)]),
    ("...ij,...jk->...ik", [(2, 1, 3, 4), (5, 4, 2)]),
    ("...ij,...jk", [(2, 3, 4), (4, 2)]),
    ("...i,i", [(2, 3, 4), (4,)]),
    ("i...->...", [(3, 2, 2)]),
    ("...ii->...i", [(2, 3, 3)]),
    ("i...i", [(3, 2, 3)]),
    ("ij,jk->ik", [(2, 0), (0, 3)]),
    (" i j , j k -> i k ", [(2, 3), (3, 4)]),
]


@pytest.mark.parametrize("contiguous", [True, False])
@pytest.mark.parametrize("equation, shapes", EQUATIONS)
def test_einsum_matches_numpy(equation, shapes, contiguous):
    data = arrays(shapes)
    got = nbtorch.einsum(equation, *[leaf(a, contiguous) for a in data])
    want = np.einsum(equation.replace(" ", ""), *data)
    assert tuple(got.shape) == want.shape
    np.testing.assert_allclose(got.detach().numpy(), want, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("equation, shapes", [
    ("i,i->i", [(1,), (3,)]),
    ("ij,jk->ik", [(2, 1), (3, 4)]),
    ("ij,jk->ik", [(2, 3), (1, 4)]),
    ("bij,bjk->bik", [(1, 2, 3), (4, 3, 2)]),
    ("ij,kj,k->ik", [(2, 1), (4, 3), (1,)]),
])
def test_einsum_broadcasts_size_one_letters(equation, shapes):
    """A letter of size 1 in one operand stretches to its size in another (as PyTorch
    does, and numpy does not): the same as einsum of the operands broadcast first."""
    data = arrays(shapes, seed=1)
    inputs, outputs = equation.split("->")
    sizes = {}
    for term, a in zip(inputs.split(","), data):
        for c, s in zip(term, a.shape):
            sizes[c] = max(sizes.get(c, 1), s)
    broadcast = [np.broadcast_to(a, [sizes[c] for c in term])
                 for term, a in zip(inputs.split(","), data)]
    got = nbtorch.einsum(equation, *[nbtorch.tensor(a) for a in data])
    np.testing.assert_allclose(got.numpy(), np.einsum(equation, *broadcast), rtol=1e-12)


def test_einsum_argument_forms_agree():
    a, b, c = (nbtorch.tensor(x) for x in arrays([(2, 3), (3, 4), (4,)]))
    want = nbtorch.einsum("ij,jk,k->i", a, b, c).numpy()
    np.testing.assert_array_equal(nbtorch.einsum("ij,jk,k->i", [a, b, c]).numpy(), want)
    np.testing.assert_array_equal(nbtorch.einsum("ij,jk,k->i", (a, b, c)).numpy(), want)
    np.testing.assert_array_equal(nbtorch.einsum(a, [0, 1], b, [1, 2], c, [2], [0]).numpy(),
                                  want)
    implicit = nbtorch.einsum(a, [30, 1], b, [1, 2])  # 30 is 'e', 1 is 'B': 'B' sorts first
    np.testing.assert_array_equal(implicit.numpy(), nbtorch.einsum("eB,BC", a, b).numpy())
    batch = nbtorch.tensor(arrays([(5, 2, 3)])[0])
    np.testing.assert_array_equal(nbtorch.einsum(batch, [Ellipsis, 0, 1], [Ellipsis]).numpy(),
                                  nbtorch.einsum("...ij->...", batch).numpy())


def test_einsum_integer_dtypes_and_views():
    data = [np.arange(9).reshape(3, 3), np.arange(3)]
    x, v = nbtorch.tensor(data[0]), nbtorch.tensor(data[1])
    out = nbtorch.einsum("ij,j->i", x, v)
    assert out.dtype == nbtorch.int64
    np.testing.assert_array_equal(out.numpy(), data[0] @ data[1])
    transposed = nbtorch.einsum("ij->ji", x)  # nothing to add up: a view, as in PyTorch
    assert transposed.data_ptr() == x.data_ptr() and not transposed.is_contiguous()
    np.testing.assert_array_equal(transposed.numpy(), data[0].T)


@pytest.mark.parametrize("equation, shapes", [
    ("ij,jk->ik", [(2, 3), (3, 4)]),
    ("bij,bjk->bik", [(2, 2, 3), (2, 3, 2)]),
    ("ii->i", [(3, 3)]),
    ("iij->j", [(2, 2, 3)]),
    ("ij,jk,kl->il", [(2, 3), (3, 2), (2, 2)]),
    ("...ij,...j->...i", [(2, 1, 2, 3), (3, 3)]),
    ("i,j->ij", [(2,), (3,)]),
    ("ij,kj,k->ik", [(2, 1), (2, 3), (1,)]),
    ("i,,i", [(3,), (), (3,)]),
])
def test_einsum_gradients(equation, shapes):
    inputs = [leaf(a, contiguous=False) for a in arrays(shapes, seed=2)]
    check_grads(lambda *ts: nbtorch.einsum(equation, *ts), *inputs)


def test_einsum_gradient_against_the_matmul_it_spells():
    """``'bij,bjk->bik'`` is ``bmm``: the same output and the same gradients."""
    data = arrays([(2, 3, 4), (2, 4, 5)], seed=3)
    a, b = (leaf(x) for x in data)
    c, d = (leaf(x) for x in data)
    w = nbtorch.tensor(arrays([(2, 3, 5)], seed=4)[0])
    (nbtorch.einsum("bij,bjk->bik", a, b) * w).sum().backward()
    (nbtorch.bmm(c, d) * w).sum().backward()
    np.testing.assert_allclose(a.grad.numpy(), c.grad.numpy(), rtol=1e-12)
    np.testing.assert_allclose(b.grad.numpy(), d.grad.numpy(), rtol=1e-12)


@pytest.mark.oracle
@pytest.mark.parametrize("equation, shapes, dtype", [
    ("ij,jk->ik", [(2, 3), (3, 4)], "float32"),
    ("ii", [(3, 3)], "int32"),
    ("i,i", [(3,), (3,)], "int32"),
    ("ij->j", [(2, 3)], "bool"),
    ("ij->ji", [(2, 3)], "bool"),
    ("i...->...", [(3, 2)], "int64"),
])
def test_einsum_dtypes_like_torch(torch, equation, shapes, dtype):
    data = [(a * 3).astype(dtype) for a in arrays(shapes, seed=5)]
    got = nbtorch.einsum(equation, *[nbtorch.tensor(a) for a in data])
    want = torch.einsum(equation, *[torch.tensor(a) for a in data])
    assert str(got.dtype) == str(want.dtype).replace("torch.", "nbtorch.")
    np.testing.assert_allclose(got.numpy(), want.numpy(), rtol=1e-6)


@pytest.mark.oracle
@pytest.mark.parametrize("fn", [
    lambda m: m.einsum("ij,jk->ik", m.ones(2, 3)),
    lambda m: m.einsum("ij", m.ones(2, 3), m.ones(2, 3)),
    lambda m: m.einsum("ijk", m.ones(2, 3)),
    lambda m: m.einsum("...ijk", m.ones(2, 3)),
    lambda m: m.einsum("i$j", m.ones(2, 3)),
    lambda m: m.einsum("ij->i->j", m.ones(2, 3)),
    lambda m: m.einsum("ij->kj", m.ones(2, 3)),
    lambda m: m.einsum("ij->jj", m.ones(2, 3)),
    lambda m: m.einsum("ii", m.ones(2, 3)),
    lambda m: m.einsum("ij,jk->ik", m.ones(2, 3), m.ones(4, 4)),
    lambda m: m.einsum("i..j", m.ones(2, 3)),
    lambda m: m.einsum("i...j...", m.ones(2, 3)),
    lambda m: m.einsum("i,i", m.ones(3, dtype=m.int64), m.ones(3)),
    lambda m: m.einsum("i,i", m.ones(3, dtype=m.float64), m.ones(3)),
    lambda m: m.einsum("i,i", m.ones(3, dtype=m.bool), m.ones(3, dtype=m.bool)),
    lambda m: m.einsum("ij", 3),
    lambda m: m.einsum("ij"),
    lambda m: m.einsum(m.ones(2), [60]),
])
def test_einsum_errors_like_torch(torch, fn):
    like_torch(torch, fn)


@pytest.mark.oracle
def test_einsum_ellipsis_broadcast_error_like_torch(torch):
    like_torch(torch, lambda m: m.einsum("...i,...i->...", m.ones(2, 3), m.ones(4, 3)),
               exact=False, match="does not broadcast with previously seen ellipsis")


def test_einsum_error_leaves_no_trace():
    x = leaf(np.ones((2, 3)))
    with pytest.raises(RuntimeError, match="subscript j has size 4"):
        nbtorch.einsum("ij,jk->ik", x, nbtorch.ones(4, 4, dtype=nbtorch.float64))
    assert x.grad is None and x.grad_fn is None


# -- tensordot ------------------------------------------------------------------------------


@pytest.mark.parametrize("contiguous", [True, False])
@pytest.mark.parametrize("shapes, dims", [
    ([(2, 3, 4), (3, 4, 5)], 2),
    ([(2, 3), (3, 4)], 1),
    ([(2, 3), (4,)], 0),
    ([(2, 3, 4), (4, 3, 5)], ([1, 2], [1, 0])),
    ([(2, 3, 4), (5, 3)], ([1], [1])),
    ([(2, 3, 4), (3, 4, 5)], [[-2, -1], [0, 1]]),
    ([(2, 3), (2, 3)], ([], [])),
])
def test_tensordot_matches_numpy(shapes, dims, contiguous):
    a, b = arrays(shapes, seed=6)
    got = nbtorch.tensordot(leaf(a, contiguous), leaf(b, contiguous), dims)
    np.testing.assert_allclose(got.detach().numpy(), np.tensordot(a, b, dims), rtol=1e-12,
                               atol=1e-12)


def test_tensordot_dims_as_a_tensor_and_out():
    a, b = arrays([(2, 3, 4), (3, 4, 5)], seed=7)
    x, y = nbtorch.tensor(a), nbtorch.tensor(b)
    want = np.tensordot(a, b, 2)
    np.testing.assert_allclose(nbtorch.tensordot(x, y, nbtorch.tensor(2)).numpy(), want)
    pairs = nbtorch.tensor([[1, 2], [0, 1]])
    np.testing.assert_allclose(nbtorch.tensordot(x, y, pairs).numpy(), want)
    out = nbtorch.empty(2, 5, dtype=nbtorch.float64)
    assert nbtorch.tensordot(x, y, out=out) is out
    np.testing.assert_allclose(out.numpy(), want)


@pytest.mark.parametrize("shapes, dims", [
    ([(2, 3, 4), (3, 4, 2)], 2),
    ([(2, 3), (3, 2)], ([0, 1], [1, 0])),
    ([(2, 1), (3, 2)], ([1], [0])),
])
def test_tensordot_gradients(shapes, dims):
    a, b = (leaf(x, contiguous=False) for x in arrays(shapes, seed=8))
    check_grads(lambda x, y: nbtorch.tensordot(x, y, dims), a, b)


@pytest.mark.oracle
@pytest.mark.parametrize("shapes, dims", [([(2, 1), (3, 2)], ([1], [0])),
                                          ([(2, 3), (1, 2)], ([1], [0]))])
def test_tensordot_broadcasts_size_one_like_torch(torch, shapes, dims):
    a, b = arrays(shapes, seed=9)
    got = nbtorch.tensordot(nbtorch.tensor(a), nbtorch.tensor(b), dims)
    want = torch.tensordot(torch.tensor(a), torch.tensor(b), dims)
    np.testing.assert_allclose(got.numpy(), want.numpy(), rtol=1e-12)


@pytest.mark.oracle
@pytest.mark.parametrize("fn", [
    lambda m: m.tensordot(m.ones(2, 3, 4), m.ones(3, 4, 5), 1),
    lambda m: m.tensordot(m.ones(2, 3, 4), m.ones(3, 4, 5), -1),
    lambda m: m.tensordot(m.ones(2, 3, 4), m.ones(3, 4, 5), 4),
    lambda m: m.tensordot(m.ones(2, 3, 4), m.ones(3, 4, 5), ([1], [0, 1])),
    lambda m: m.tensordot(m.ones(2, 3, 4), m.ones(3, 4, 5), ([0], [0])),
    lambda m: m.tensordot(m.ones(2, 3, 4), m.ones(3, 4, 5), ([1, 1], [0, 0])),
    lambda m: m.tensordot(m.ones(2, 3, 4), m.ones(3, 4, 5), ([5], [0])),
    lambda m: m.tensordot(m.ones(2, 3, 4), m.ones(3, 4, 5), 2.0),
    lambda m: m.tensordot(m.ones(2, 3, 4), m.ones(3, 4, 5, dtype=m.float64), 2),
])
def test_tensordot_errors_like_torch(torch, fn):
    like_torch(torch, fn)


@pytest.mark.oracle
def test_tensordot_dims_of_two_ints_is_a_type_error(torch):
    like_torch(torch, lambda m: m.tensordot(m.ones(2, 3), m.ones(3, 2), ([1, 0])),
               exact=False, match="must be tuple of ints")


# -- kron --------------------------------------------------------------------------------


@pytest.mark.parametrize("shapes", [[(2, 3), (4, 5)], [(3,), (2,)], [(2,), (3, 4)],
                                    [(2, 1, 3), (2, 2)], [(), (2,)], [(), ()], [(0, 2), (3, 1)]])
def test_kron_matches_numpy(shapes):
    a, b = arrays(shapes, seed=10)
    got = nbtorch.kron(leaf(a, contiguous=False), nbtorch.tensor(b))
    np.testing.assert_allclose(got.detach().numpy(), np.kron(a, b), rtol=1e-12)
    np.testing.assert_allclose(leaf(a).kron(nbtorch.tensor(b)).detach().numpy(), np.kron(a, b))


def test_kron_gradients():
    a, b = (leaf(x, contiguous=False) for x in arrays([(2, 3), (2, 2)], seed=11))
    check_grads(nbtorch.kron, a, b)
    check_grads(nbtorch.kron, leaf(arrays([(3,)])[0]), leaf(arrays([(2, 2)])[0]))


@pytest.mark.oracle
@pytest.mark.parametrize("dtypes", [("int64", "float32"), ("bool", "bool"), ("int32", "int64"),
                                    ("float32", "float64")])
def test_kron_dtypes_like_torch(torch, dtypes):
    data = [(a * 3).astype(d) for a, d in zip(arrays([(2, 2), (3,)], seed=12), dtypes)]
    got = nbtorch.kron(*[nbtorch.tensor(a) for a in data])
    want = torch.kron(*[torch.tensor(a) for a in data])
    assert str(got.dtype) == str(want.dtype).replace("torch.", "nbtorch.")
    np.testing.assert_allclose(got.numpy(), want.numpy(), rtol=1e-6)


@pytest.mark.oracle
def test_kron_error_like_torch(torch):
    like_torch(torch, lambda m: m.kron(m.ones(2, 3), 2))


# -- cdist ----------------------------------------------------------------------------------

P_VALUES = [0.0, 0.5, 1.0, 1.5, 2.0, 3.0, math.inf]


def numpy_cdist(x1, x2, p):
    diff = x1[..., :, None, :] - x2[..., None, :, :]
    return np.linalg.norm(diff, ord=p, axis=-1)


@pytest.mark.parametrize("p", P_VALUES)
@pytest.mark.parametrize("shapes", [[(3, 4), (5, 4)], [(2, 3, 4), (5, 4)],
                                    [(3, 1, 2, 4), (2, 5, 4)], [(2, 3), (2, 3)]])
def test_cdist_matches_numpy(shapes, p):
    x1, x2 = arrays(shapes, seed=13)
    x2[..., 0, :] = x1.reshape(-1, x1.shape[-1])[0]  # a pair at distance zero
    got = nbtorch.cdist(leaf(x1, contiguous=False), leaf(x2), p=p)
    np.testing.assert_allclose(got.detach().numpy(), numpy_cdist(x1, x2, p), rtol=1e-12,
                               atol=1e-12)


@pytest.mark.parametrize("p", [0.5, 1.0, 1.5, 2.0, 3.0, math.inf])
def test_cdist_gradients(p):
    x1, x2 = (leaf(a, contiguous=False) for a in arrays([(2, 2, 3), (3, 3)], seed=14))
    check_grads(lambda a, b: nbtorch.cdist(a, b, p), x1, x2)


@pytest.mark.parametrize("p", P_VALUES)
def test_cdist_gradient_at_zero_distance_is_finite(p):
    """Points at distance zero: the norm has no derivative there, and the gradient is taken
    as 0 (as in PyTorch), not nan. With only such pairs the whole gradient is 0."""
    x = leaf(arrays([(3, 2)], seed=15)[0])
    y = nbtorch.tensor(x.detach().numpy()[::-1].copy())
    nbtorch.cdist(x, x, p).diagonal().sum().backward()
    assert not x.grad.numpy().any()
    x.grad = None
    nbtorch.cdist(x, y, p).sum().backward()
    assert np.isfinite(x.grad.numpy()).all()


@pytest.mark.oracle
@pytest.mark.parametrize("p", P_VALUES)
def test_cdist_gradients_like_torch(torch, p):
    """Including pairs at distance zero and differences with zero coordinates (where only
    PyTorch's p = inf rule for ties differs, and the data below has no ties)."""
    x1, x2 = arrays([(2, 3, 4), (5, 4)], seed=16)
    x2[0] = x1[0, 0]
    x2[1, :2] = x1[1, 1, :2]
    w = arrays([(2, 3, 5)], seed=17)[0]
    grads = []
    for m in (nbtorch, torch):
        a, b = m.tensor(x1, requires_grad=True), m.tensor(x2, requires_grad=True)
        out = m.cdist(a, b, p=p)
        (out * m.tensor(w)).sum().backward()
        grads.append([out.detach().numpy(), a.grad.numpy(), b.grad.numpy()])
    for got, want in zip(*grads):
        np.testing.assert_allclose(got, want, rtol=1e-10, atol=1e-12)


@pytest.mark.oracle
@pytest.mark.parametrize("fn", [
    lambda m: m.cdist(m.ones(4), m.ones(5, 4)),
    lambda m: m.cdist(m.ones(3, 4), m.ones(5)),
    lambda m: m.cdist(m.ones(3, 4), m.ones(5, 3)),
    lambda m: m.cdist(m.ones(3, 4), m.ones(5, 4), p=-1),
    lambda m: m.cdist(m.ones(3, 4, dtype=m.int64), m.ones(5, 4, dtype=m.int64)),
    lambda m: m.cdist(m.ones(3, 4), m.ones(5, 4, dtype=m.float64)),
    lambda m: m.cdist(m.ones(2, 3, 4), m.ones(3, 5, 4)),
])
def test_cdist_errors_like_torch(torch, fn):
    like_torch(torch, fn)


def test_cdist_is_the_norm_of_every_difference():
    """Each entry is ``vector_norm`` of one difference (for every p)."""
    x1, x2 = (nbtorch.tensor(a) for a in arrays([(3, 4), (2, 4)], seed=18))
    for p in P_VALUES:
        d = nbtorch.cdist(x1, x2, p)
        for i, j in itertools.product(range(3), range(2)):
            want = nbtorch.linalg.vector_norm(x1[i] - x2[j], p)
            assert math.isclose(d[i, j].item(), want.item(), rel_tol=1e-12)
