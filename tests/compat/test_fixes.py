"""Focused tests for the gaps the course snippets found: printing, legacy types, memory layout
queries, median/kthvalue/unique, addmm/cross and friends.

Values are checked against PyTorch (when installed) or numpy, gradients against finite
differences (gradcheck and gradgradcheck in float64, with forward AD).
"""

import re

import numpy as np
import pytest

import nbtorch
from nbtorch.autograd import gradcheck, gradgradcheck


def check_grads(fn, *inputs):
    assert gradcheck(fn, inputs, check_forward_ad=True)
    assert gradgradcheck(fn, inputs)


def leaf(shape, contiguous=True, seed=0):
    a = np.random.default_rng(seed).standard_normal(shape)
    if contiguous:
        return nbtorch.tensor(a).requires_grad_()
    return nbtorch.tensor(np.repeat(a, 2, axis=-1))[..., ::2].requires_grad_()


def same_repr(ours, theirs):
    """Equal reprs, up to the package name (whose length can move a suffix to a new line)."""

    def norm(text):
        return re.sub(r",\s+(dtype|requires_grad|grad_fn|device)=", r", \1=", text)

    assert norm(repr(ours).replace("nbtorch", "torch")) == norm(repr(theirs))


# -- printing ---------------------------------------------------------------------------------

PRINT_CASES = [
    np.arange(2000.0),                       # summarised, whole numbers spanning > 1000x
    np.arange(30.0).reshape(3, 10) / 7,      # 9 elements of width 6 fit in a line
    np.array([5e-5, 1e-4]),                  # tiny values switch to scientific notation
    np.array([0.0, 0.0]),
    np.array([np.inf, np.nan, 2.0]),
    np.array([np.inf, -np.inf]),
    np.linspace(-3, 3, 40).reshape(2, 4, 5),
    np.arange(1200).reshape(40, 30),         # summarised rows and columns
    np.array([[1e8, 1.0]]),
    np.array([123456789.0]),
    np.array([True, False]),
]


@pytest.mark.oracle
@pytest.mark.parametrize("case", range(len(PRINT_CASES)))
@pytest.mark.parametrize("dtype", ["float32", "float64", "int64", "int32"])
def test_repr_matches_pytorch(torch, case, dtype):
    a = PRINT_CASES[case]
    if a.dtype.kind == "b":
        dtype = "bool"
    a = a.astype(dtype) if np.all(np.isfinite(a)) or dtype.startswith("float") else a
    if a.dtype.kind != np.dtype(dtype).kind:
        pytest.skip("non-finite values have no integer form")
    same_repr(nbtorch.from_numpy(a.copy()), torch.from_numpy(a.copy()))


@pytest.mark.oracle
def test_repr_suffixes_wrap_and_empty(torch):
    for make in (lambda m: m.arange(13, dtype=m.float64) / 3,
                 lambda m: m.tensor([], dtype=m.int64),
                 lambda m: m.zeros(0, 2, dtype=m.int32),
                 lambda m: m.ones(9, dtype=m.float64, requires_grad=True),
                 lambda m: (m.ones(2, requires_grad=True) * 2).sum()):
        ours, theirs = make(nbtorch), make(torch)
        if theirs.grad_fn is not None:  # the node names differ; compare the rest
            assert repr(ours).split("grad_fn")[0] == repr(theirs).split("grad_fn")[0]
        else:
            same_repr(ours, theirs)


@pytest.mark.oracle
def test_printoptions_profiles(torch):
    try:
        for kwargs in (dict(precision=2), dict(profile="short"), dict(sci_mode=True),
                       dict(linewidth=40), dict(profile="full")):
            nbtorch.set_printoptions(**kwargs)
            torch.set_printoptions(**kwargs)
            a = np.linspace(0, 1, 1100)
            same_repr(nbtorch.from_numpy(a), torch.from_numpy(a))
    finally:
        nbtorch.set_printoptions(profile="default")
        torch.set_printoptions(profile="default")


@pytest.mark.oracle
def test_return_types_print_like_pytorch(torch):
    data = [[1.0, 5.0, 3.0], [4.0, 2.0, 6.0]]
    same_repr(nbtorch.tensor(data).max(1), torch.tensor(data).max(1))
    same_repr(nbtorch.tensor(data).sort(0), torch.tensor(data).sort(0))
    values, indices = nbtorch.tensor(data).topk(2)
    assert values.shape == indices.shape == (2, 2)


# -- legacy types and conversions -------------------------------------------------------------


def test_type_accepts_legacy_types_and_names():
    x = nbtorch.tensor([1.7, -2.3])
    assert x.type(nbtorch.LongTensor).dtype == nbtorch.int64
    assert x.type(nbtorch.IntTensor).tolist() == [1, -2]
    assert x.type("torch.ShortTensor").dtype == nbtorch.int16
    assert x.type("torch.CharTensor").dtype == nbtorch.int8
    assert x.type(nbtorch.float64).dtype == nbtorch.float64
    assert x.type() == "torch.FloatTensor"
    with pytest.raises(ValueError):
        x.type("torch.NoSuchTensor")


def test_type_as_and_get_device():
    x = nbtorch.tensor([1, 2])
    assert x.type_as(nbtorch.ones(1, dtype=nbtorch.float64)).dtype == nbtorch.float64
    assert x.get_device() == -1


def test_predicates():
    assert nbtorch.is_tensor(nbtorch.ones(1)) and not nbtorch.is_tensor([1.0])
    assert nbtorch.is_floating_point(nbtorch.ones(1))
    assert not nbtorch.is_floating_point(nbtorch.ones(1, dtype=nbtorch.int64))
    assert nbtorch.numel(nbtorch.ones(3, 4)) == 12
    assert nbtorch.tensor([2]).is_nonzero() and not nbtorch.tensor(0.0).is_nonzero()
    with pytest.raises(RuntimeError):
        nbtorch.tensor([1, 2]).is_nonzero()


# -- memory layout ----------------------------------------------------------------------------


@pytest.mark.oracle
def test_strides_and_offsets_match_pytorch(torch):
    for view in (lambda x: x, lambda x: x.t(), lambda x: x[1], lambda x: x[:, 1],
                 lambda x: x[1:, 2:], lambda x: x[::2, ::3], lambda x: x.view(4, 3)[2],
                 lambda x: x[:, :1].expand(3, 5), lambda x: x.unsqueeze(1)):
        ours, theirs = view(nbtorch.zeros(3, 4)), view(torch.zeros(3, 4))
        assert ours.stride() == theirs.stride()
        assert ours.storage_offset() == theirs.storage_offset()
        assert ours.stride(-1) == theirs.stride(-1)


def test_data_ptr_is_shared_by_views():
    x = nbtorch.zeros(3, 4)
    assert x.data_ptr() == x.view(12).data_ptr() == x.t().data_ptr()
    assert x[1].data_ptr() == x.data_ptr() + 4 * x.element_size()
    assert x.clone().data_ptr() != x.data_ptr()


# -- median, kthvalue, unique -----------------------------------------------------------------


@pytest.mark.oracle
@pytest.mark.parametrize("dim,keepdim", [(None, False), (0, False), (1, True), (-1, False)])
def test_median_matches_pytorch(torch, dim, keepdim):
    a = np.random.default_rng(1).permutation(20).reshape(4, 5).astype(np.float32)
    args = () if dim is None else (dim, keepdim)
    ours, theirs = nbtorch.from_numpy(a).median(*args), torch.from_numpy(a).median(*args)
    if dim is None:
        assert ours.item() == theirs.item() and ours.shape == theirs.shape
    else:
        np.testing.assert_array_equal(ours.values.numpy(), theirs.values.numpy())
        np.testing.assert_array_equal(ours.indices.numpy(), theirs.indices.numpy())


@pytest.mark.oracle
@pytest.mark.parametrize("k", [1, 3, 5])
def test_kthvalue_matches_pytorch(torch, k):
    a = np.random.default_rng(2).permutation(20).reshape(4, 5).astype(np.float64)
    ours, theirs = nbtorch.from_numpy(a).kthvalue(k, 1), torch.from_numpy(a).kthvalue(k, 1)
    np.testing.assert_array_equal(ours.values.numpy(), theirs.values.numpy())
    np.testing.assert_array_equal(ours.indices.numpy(), theirs.indices.numpy())
    with pytest.raises(RuntimeError):
        nbtorch.from_numpy(a).kthvalue(6, 1)


def test_median_and_kthvalue_gradients():
    check_grads(lambda x: x.median(), leaf((3, 4)))
    check_grads(lambda x: x.median(0).values, leaf((3, 4), contiguous=False))
    check_grads(lambda x: x.kthvalue(2, 1, keepdim=True).values, leaf((3, 4)))


@pytest.mark.oracle
@pytest.mark.parametrize("dim", [None, 0, 1])
def test_unique_matches_pytorch(torch, dim):
    a = np.array([[3, 1, 3], [2, 1, 3], [3, 1, 3]])
    ours = nbtorch.unique(nbtorch.from_numpy(a), return_inverse=True, return_counts=True,
                          dim=dim)
    theirs = torch.unique(torch.from_numpy(a), return_inverse=True, return_counts=True, dim=dim)
    for o, t in zip(ours, theirs):
        np.testing.assert_array_equal(o.numpy(), t.numpy())
    assert nbtorch.from_numpy(a).unique().tolist() == [1, 2, 3]


# -- addmm, addmv, baddbmm, cross -------------------------------------------------------------


def test_addmm_family_values_and_gradients():
    c, a, b = leaf((2, 4)), leaf((2, 3), seed=1), leaf((3, 4), contiguous=False, seed=2)
    expected = 0.5 * c.detach().numpy() + 2 * a.detach().numpy() @ b.detach().numpy()
    np.testing.assert_allclose(nbtorch.addmm(c, a, b, beta=0.5, alpha=2).detach().numpy(),
                               expected)
    check_grads(lambda c, a, b: nbtorch.addmm(c, a, b, beta=0.5, alpha=2), c, a, b)
    check_grads(lambda c, a, b: c.addmm(a, b), leaf((4,)), a, b)  # broadcast bias
    check_grads(lambda v, m, x: nbtorch.addmv(v, m, x), leaf((2,)), a, leaf((3,), seed=3))
    check_grads(lambda c, a, b: nbtorch.baddbmm(c, a, b, alpha=3),
                leaf((2, 2, 4)), leaf((2, 2, 3), seed=4), leaf((2, 3, 4), seed=5))
    nan = nbtorch.full((2, 4), float("nan"))
    assert not nbtorch.addmm(nan, a, b, beta=0).isnan().any()


def test_cross_values_gradients_and_errors():
    a, b = leaf((2, 3)), leaf((2, 3), contiguous=False, seed=1)
    np.testing.assert_allclose(nbtorch.cross(a, b, dim=1).detach().numpy(),
                               np.cross(a.detach().numpy(), b.detach().numpy()))
    np.testing.assert_allclose(nbtorch.cross(a.t(), b.t()).detach().numpy(),
                               np.cross(a.detach().numpy(), b.detach().numpy()).T)
    check_grads(lambda a, b: nbtorch.cross(a, b, dim=-1), a, b)
    with pytest.raises(RuntimeError):
        nbtorch.cross(nbtorch.ones(2, 2), nbtorch.ones(2, 2))


# -- optimizer printout -----------------------------------------------------------------------


@pytest.mark.oracle
def test_optimizer_repr_separates_groups_like_pytorch(torch):
    def printout(lib):
        w, v = lib.zeros(1, requires_grad=True), lib.zeros(1, requires_grad=True)
        opt = lib.optim.SGD([{"params": [w]}, {"params": [v], "lr": 1.0}], lr=0.1, momentum=0.5)
        flags = ("foreach", "fused", "differentiable")  # PyTorch's implementation switches
        return [line for line in repr(opt).splitlines() if not line.strip().startswith(flags)]

    assert printout(nbtorch) == printout(torch)


# -- in-place shape changes -------------------------------------------------------------------


@pytest.mark.oracle
def test_resize_shrinks_and_grows_over_the_storage_like_pytorch(torch):
    def steps(lib):
        b = lib.arange(6)
        view = b.view(2, 3)
        b.resize_(1, 3)
        first = (b.tolist(), b.data_ptr() == view.data_ptr())
        b.resize_(2, 3)  # grows back within the storage: the old elements reappear
        second = b.tolist()
        b.resize_(3, 3)  # past the storage's end: new memory, the known elements copied
        return first, second, b[:2].tolist(), tuple(b.shape)

    assert steps(nbtorch) == steps(torch)
    with pytest.raises(RuntimeError):
        nbtorch.ones(2, requires_grad=True).resize_(3)


@pytest.mark.oracle
def test_inplace_view_ops_match_pytorch(torch):
    def steps(lib):
        m = lib.arange(6.0).view(2, 3)
        m.t_()
        a = (tuple(m.shape), m.stride())
        m.transpose_(0, 1)
        m.unsqueeze_(1)
        b = tuple(m.shape)
        m.squeeze_()
        return a, b, tuple(m.shape), m.tolist()

    assert steps(nbtorch) == steps(torch)
    with pytest.raises(RuntimeError):
        nbtorch.ones(2, requires_grad=True).unsqueeze_(0)


def test_inplace_view_ops_stay_in_the_graph():
    def f(x):
        y = x * 1
        y.unsqueeze_(0)
        y.t_()
        return y * y.sum()

    check_grads(f, leaf((3,)))
    check_grads(lambda x: (x * 1).transpose_(0, 1).squeeze_(), leaf((2, 1), seed=3))


# -- bincount ---------------------------------------------------------------------------------


@pytest.mark.oracle
def test_bincount_matches_pytorch(torch):
    x = np.array([2, 0, 1, 2, 5])
    for kwargs in ({}, {"minlength": 8}):
        assert (nbtorch.bincount(nbtorch.from_numpy(x), **kwargs).tolist()
                == torch.bincount(torch.from_numpy(x), **kwargs).tolist())
    w = np.linspace(0, 1, 5)
    for dtype in (np.float32, np.float64):
        ours = nbtorch.from_numpy(x).bincount(nbtorch.from_numpy(w.astype(dtype)))
        theirs = torch.from_numpy(x).bincount(torch.from_numpy(w.astype(dtype)))
        np.testing.assert_allclose(ours.numpy(), theirs.numpy())
        assert ours.dtype.name == str(theirs.dtype).split(".")[1]
    assert nbtorch.bincount(nbtorch.tensor([], dtype=nbtorch.int64)).shape == (0,)
    with pytest.raises(RuntimeError):
        nbtorch.bincount(nbtorch.tensor([-1, 2]))
    with pytest.raises(NotImplementedError):
        nbtorch.bincount(nbtorch.tensor([1.0]))


# -- reductions of no elements ----------------------------------------------------------------


@pytest.mark.oracle
def test_empty_reductions_raise_like_pytorch(torch):
    cases = [lambda m: m.empty(0).max(), lambda m: m.empty(0).min(),
             lambda m: m.empty(0).argmax(), lambda m: m.empty(0, 3).max(0),
             lambda m: m.empty(0).amax(), lambda m: m.empty(0, 3).amin(0),
             lambda m: m.empty(0, 3).argmin(0), lambda m: m.empty(0, 3).amax((0, 1))]
    for case in cases:
        with pytest.raises(Exception) as theirs:
            case(torch)
        with pytest.raises(type(theirs.value)):
            case(nbtorch)
    assert nbtorch.empty(0, 3).amax(1).shape == torch.empty(0, 3).amax(1).shape


# -- index_fill, fill_diagonal_, apply_, new --------------------------------------------------


@pytest.mark.oracle
def test_index_fill_matches_pytorch(torch):
    a = np.arange(12.0).reshape(3, 4)
    for dim, idx, value in ((1, [0, 2], -1.0), (0, [1], 5.0), (1, [-1], 7.0), (0, [], 1.0)):
        ours = nbtorch.from_numpy(a).index_fill(dim, nbtorch.tensor(idx, dtype=nbtorch.int64),
                                                 value)
        theirs = torch.from_numpy(a).index_fill(dim, torch.tensor(idx, dtype=torch.int64), value)
        np.testing.assert_array_equal(ours.numpy(), theirs.numpy())
    z = nbtorch.zeros(3)
    assert z.index_fill_(0, nbtorch.tensor([0, 2]), -1) is z and z.tolist() == [-1, 0, -1]
    with pytest.raises(IndexError):
        nbtorch.zeros(2, 3).index_fill(1, nbtorch.tensor([3]), 1)
    with pytest.raises(RuntimeError):
        nbtorch.zeros(2, 3).index_fill(1, nbtorch.tensor([[0]]), 1)
    check_grads(lambda x: x.index_fill(1, nbtorch.tensor([0, 2]), 0.5), leaf((2, 3), False))


@pytest.mark.oracle
@pytest.mark.parametrize("shape,wrap", [((3, 3), False), ((3, 2), False), ((7, 3), True),
                                        ((7, 3), False), ((2, 2, 2), False)])
def test_fill_diagonal_matches_pytorch(torch, shape, wrap):
    ours = nbtorch.zeros(*shape).fill_diagonal_(5, wrap=wrap)
    theirs = torch.zeros(*shape).fill_diagonal_(5, wrap=wrap)
    np.testing.assert_array_equal(ours.numpy(), theirs.numpy())


def test_fill_diagonal_gradient_and_errors():
    check_grads(lambda x: (x * 1).fill_diagonal_(2.0), leaf((3, 4)))
    with pytest.raises(RuntimeError):
        nbtorch.zeros(3).fill_diagonal_(1)
    with pytest.raises(RuntimeError):
        nbtorch.zeros(2, 3, 4).fill_diagonal_(1)


def test_apply_calls_a_python_function_per_element():
    x = nbtorch.arange(6.0).view(2, 3).t()  # not contiguous
    expected = x.numpy() ** 2 + 1
    assert x.apply_(lambda v: v * v + 1) is x
    np.testing.assert_array_equal(x.numpy(), expected)
    with pytest.raises(RuntimeError):
        nbtorch.ones(2, requires_grad=True).apply_(abs)


def test_legacy_new_keeps_dtype():
    x = nbtorch.ones(2, 3, dtype=nbtorch.int32)
    assert x.new(2, 2).shape == (2, 2) and x.new(2, 2).dtype == nbtorch.int32
    assert x.new([1, 2]).tolist() == [1, 2] and x.new().shape == (0,)
