"""PyTorch's second names (greater, multiply_, sgn, fix, split_with_sizes, ...), what complex
functions mean for real tensors (conj, real, imag, adjoint, mH, H), gcd/lcm, bit shifts, and
the memory questions (layout, empty_strided, dim_order, resize, as_strided_, map_, ...):
PyTorch is the oracle for values, dtypes and errors, finite differences for gradients."""

import warnings

import numpy as np
import pytest

import nbtorch
from nbtorch.autograd import gradcheck, gradgradcheck

pytestmark = pytest.mark.oracle

rng = np.random.default_rng(0)
X = rng.standard_normal((3, 4)).round(1)
Y = rng.standard_normal((4,)).round(1)
Y[1] = X[0, 1]  # a tie, so that the comparisons meet equal elements


def to_torch(torch, t):
    return torch.tensor(t.detach().numpy())


def assert_same(torch, ours, theirs):
    """Same values (NaNs in the same places), dtype and shape as PyTorch's result."""
    assert str(ours.dtype).split(".")[1] == str(theirs.dtype).split(".")[1]
    assert tuple(ours.shape) == tuple(theirs.shape)
    np.testing.assert_array_equal(ours.detach().numpy(), theirs.detach().numpy())


def assert_raises_like(torch, call_ours, call_theirs):
    """Both raise, the same exception class, and ours names what torch's names."""
    with pytest.raises(Exception) as theirs:
        call_theirs()
    with pytest.raises(type(theirs.value)) as ours:
        call_ours()
    return str(ours.value), str(theirs.value)


def leaf(values):
    return nbtorch.tensor(np.asarray(values, dtype=np.float64)).requires_grad_()


# -- aliases -----------------------------------------------------------------------------------

COMPARISONS = ["greater", "greater_equal", "less", "less_equal", "not_equal"]


@pytest.mark.parametrize("name", COMPARISONS)
def test_comparison_aliases_and_their_in_place_forms(torch, name):
    x, y = nbtorch.tensor(X), nbtorch.tensor(Y)
    tx, ty = to_torch(torch, x), to_torch(torch, y)
    assert_same(torch, getattr(nbtorch, name)(x, y), getattr(torch, name)(tx, ty))
    assert_same(torch, getattr(x, name)(0.3), getattr(tx, name)(0.3))
    ours, theirs = x.clone(), tx.clone()
    assert getattr(ours, name + "_")(y) is ours  # in place: float 0/1, not bool
    getattr(theirs, name + "_")(ty)
    assert_same(torch, ours, theirs)


@pytest.mark.parametrize("name, args, kwargs", [
    ("multiply_", (2.5,), {}), ("divide_", (-1.5,), {}),
    ("divide_", (0.7,), {"rounding_mode": "floor"}), ("true_divide_", (4.0,), {}),
    ("subtract_", (1.0,), {"alpha": 3}), ("negative_", (), {}), ("sgn_", (), {}),
    ("fix_", (), {}), ("swapaxes_", (0, 1), {}), ("swapdims_", (1, 0), {}),
])
def test_in_place_aliases(torch, name, args, kwargs):
    x = nbtorch.tensor(X * 3)
    tx = to_torch(torch, x)
    out = getattr(x, name)(*args, **kwargs)
    getattr(tx, name)(*args, **kwargs)
    assert out is x
    assert_same(torch, x, tx)
    assert x.stride() == tx.stride()


def test_in_place_aliases_refuse_what_pytorch_refuses(torch):
    ours, theirs = assert_raises_like(torch, lambda: nbtorch.tensor([4, 6]).divide_(4),
                                      lambda: torch.tensor([4, 6]).divide_(4))
    assert "Float" in ours and "Long" in ours
    assert_raises_like(torch, lambda: nbtorch.tensor([True]).negative_(),
                       lambda: torch.tensor([True]).negative_())
    leaf_ = nbtorch.ones(2, requires_grad=True)
    with pytest.raises(RuntimeError, match="leaf Variable"):
        leaf_.multiply_(2)
    with pytest.raises(RuntimeError, match="leaf Variable"):
        leaf_.swapaxes_(0, 0)


def test_in_place_alias_records_the_gradient_like_pytorch(torch):
    a = leaf(X)
    ta = to_torch(torch, a).requires_grad_()
    for t in (a, ta):
        y = t * 1.0
        y.multiply_(t).subtract_(t, alpha=2).true_divide_(3.0).swapaxes_(0, 1)
        y.sum().backward()
    np.testing.assert_allclose(a.grad.numpy(), ta.grad.numpy(), rtol=1e-12)


def test_addmv_and_baddbmm_in_place(torch):
    a, m, v = (rng.standard_normal(shape) for shape in ((3,), (3, 4), (4,)))
    ours, theirs = nbtorch.tensor(a), torch.tensor(a)
    assert ours.addmv_(nbtorch.tensor(m), nbtorch.tensor(v), beta=0.5, alpha=2) is ours
    theirs.addmv_(torch.tensor(m), torch.tensor(v), beta=0.5, alpha=2)
    np.testing.assert_allclose(ours.numpy(), theirs.numpy(), rtol=1e-12)
    b, p, q = (rng.standard_normal(shape) for shape in ((2, 3, 5), (2, 3, 4), (2, 4, 5)))
    ours, theirs = nbtorch.tensor(b), torch.tensor(b)
    ours.baddbmm_(nbtorch.tensor(p), nbtorch.tensor(q), alpha=-1)
    theirs.baddbmm_(torch.tensor(p), torch.tensor(q), alpha=-1)
    np.testing.assert_allclose(ours.numpy(), theirs.numpy(), rtol=1e-12)


def test_torch_level_in_place_functions(torch):
    x = nbtorch.tensor(X * 3)
    tx = to_torch(torch, x)
    assert nbtorch.negative_(x) is x and nbtorch.fix_(x) is x
    torch.negative_(tx), torch.fix_(tx)
    assert_same(torch, x, tx)


@pytest.mark.parametrize("values", [[-2.5, -0.0, 0.0, 1.5, np.nan, -np.inf], [-3, 0, 4]])
def test_sgn_fix_and_positive(torch, values):
    x = nbtorch.tensor(values)
    tx = to_torch(torch, x)
    for name in ("sgn", "fix", "positive"):
        assert_same(torch, getattr(nbtorch, name)(x), getattr(torch, name)(tx))
    assert nbtorch.positive(x) is x


@pytest.mark.parametrize("name", ["fix", "positive"])
def test_fix_and_positive_refuse_bools(torch, name):
    ours, theirs = assert_raises_like(torch,
                                      lambda: getattr(nbtorch, name)(nbtorch.tensor([True])),
                                      lambda: getattr(torch, name)(torch.tensor([True])))
    assert ours == theirs


def test_sgn_and_positive_need_a_tensor(torch):
    assert_raises_like(torch, lambda: nbtorch.sgn(3), lambda: torch.sgn(3))
    assert_raises_like(torch, lambda: nbtorch.positive(3), lambda: torch.positive(3))


def test_sgn_and_fix_gradients_are_zero_and_positive_passes_them():
    for fn in (nbtorch.sgn, nbtorch.fix, nbtorch.positive):
        assert gradcheck(fn, (leaf([-2.3, 0.4, 1.7]),), check_forward_ad=True)
    x = leaf([-2.3, 0.4])
    nbtorch.sgn(x * 2).sum().backward()
    assert x.grad.tolist() == [0.0, 0.0]


def test_float_power_in_place_needs_a_double_base(torch):
    x = nbtorch.tensor([1.5, 2.0, -3.0], dtype=nbtorch.float64)
    tx = to_torch(torch, x)
    assert x.float_power_(nbtorch.tensor([2, 3, 2])) is x
    assert_same(torch, x, tx.float_power_(torch.tensor([2, 3, 2])))
    for ours, theirs in ((nbtorch.ones(2), torch.ones(2)),
                         (nbtorch.ones(2, dtype=nbtorch.int64), torch.ones(2, dtype=torch.int64))):
        with pytest.raises(RuntimeError) as theirs_error:
            theirs.float_power_(2)
        with pytest.raises(RuntimeError) as ours_error:
            ours.float_power_(2)
        assert str(ours_error.value) == str(theirs_error.value)
    assert_raises_like(torch, lambda: x.float_power_(nbtorch.ones(2, 3)),
                       lambda: tx.float_power_(torch.ones(2, 3)))


@pytest.mark.parametrize("shape, sizes, dim", [((5, 2), [2, 3], 0), ((3, 4), (1, 0, 3), 1),
                                               ((3, 4), [4], -1)])
def test_split_with_sizes_and_unsafe_aliases(torch, shape, sizes, dim):
    x = nbtorch.tensor(rng.standard_normal(shape))
    tx = to_torch(torch, x)
    ours = nbtorch.split_with_sizes(x, sizes, dim)
    theirs = torch.split_with_sizes(tx, sizes, dim)
    assert len(ours) == len(theirs)
    for o, t in zip(ours, theirs):
        assert_same(torch, o, t)
    assert all(a.data_ptr() == b.data_ptr() for a, b in zip(
        ours, x.unsafe_split_with_sizes(sizes, dim)))
    for name, arg in (("unsafe_split", 2), ("unsafe_chunk", 2)):
        for o, t in zip(getattr(x, name)(arg, dim), getattr(tx, name)(arg, dim)):
            assert_same(torch, o, t)


def test_split_with_sizes_gradient():
    assert gradcheck(lambda x: nbtorch.split_with_sizes(x, [1, 3], 1)[1] * 2, (leaf(X),),
                     check_forward_ad=True)


@pytest.mark.parametrize("call", [
    lambda lib, x: x.split_with_sizes([2, 2]),
    lambda lib, x: x.split_with_sizes([6, -1]),
    lambda lib, x: x.split_with_sizes([-1, 6]),
    lambda lib, x: x.split_with_sizes(2),
    lambda lib, x: x.split_with_sizes([2, 3], dim=1),
    lambda lib, x: lib.split_with_sizes(lib.tensor(1.0), [1]),
])
def test_split_with_sizes_errors(torch, call):
    ours, theirs = assert_raises_like(torch, lambda: call(nbtorch, nbtorch.arange(5)),
                                      lambda: call(torch, torch.arange(5)))
    assert ours == theirs


def test_is_same_size_and_is_signed(torch):
    x = nbtorch.tensor(X)
    for other in (nbtorch.ones(3, 4, dtype=nbtorch.int64), nbtorch.ones(4, 3), nbtorch.ones(12)):
        assert x.is_same_size(other) == to_torch(torch, x).is_same_size(to_torch(torch, other))
    assert nbtorch.is_same_size(x, x)
    assert_raises_like(torch, lambda: x.is_same_size(3), lambda: to_torch(torch, x).is_same_size(3))
    for name in ("bool", "uint8", "int8", "int16", "int32", "int64", "float16", "float32",
                 "float64"):
        ours = nbtorch.ones(1, dtype=getattr(nbtorch, name))
        assert ours.is_signed() == nbtorch.is_signed(ours) == \
            torch.ones(1, dtype=getattr(torch, name)).is_signed()
    assert_raises_like(torch, lambda: nbtorch.is_signed(3), lambda: torch.is_signed(3))


@pytest.mark.parametrize("values, dtype", [
    ([np.inf, -np.inf, np.nan, 0.0, -1e308, 3.0], "float64"), ([-np.inf, 1.0], "float32"),
    ([-3, 0, 7], "int64"), ([True, False], "bool"), ([5], "uint8"),
])
def test_isposinf_and_isneginf(torch, values, dtype):
    x = nbtorch.tensor(values, dtype=getattr(nbtorch, dtype))
    tx = torch.tensor(values, dtype=getattr(torch, dtype))
    for name in ("isposinf", "isneginf"):
        assert_same(torch, getattr(nbtorch, name)(x), getattr(torch, name)(tx))
        assert_same(torch, getattr(x, name)(), getattr(tx, name)())
    assert_raises_like(torch, lambda: nbtorch.isposinf(3.0), lambda: torch.isposinf(3.0))


# -- real tensors seen as complex ones --------------------------------------------------------


@pytest.mark.parametrize("name", ["conj", "conj_physical", "resolve_conj", "resolve_neg",
                                  "real"])
def test_conjugates_of_a_real_tensor_are_the_tensor_itself(torch, name):
    x = nbtorch.tensor(X)
    tx = to_torch(torch, x)
    assert (getattr(torch, name)(tx) is tx) == (getattr(nbtorch, name)(x) is x) is True
    assert_raises_like(torch, lambda: getattr(nbtorch, name)(3), lambda: getattr(torch, name)(3))


def test_conj_physical_in_place_and_the_real_property(torch):
    x = nbtorch.tensor(X)
    assert x.conj_physical_() is x and nbtorch.conj_physical_(x) is x and x.real is x
    assert x.conj() is x and x.resolve_conj() is x
    with pytest.raises(RuntimeError, match="leaf Variable"):
        nbtorch.ones(2, requires_grad=True).conj_physical_()
    tx = to_torch(torch, x)
    x.real, tx.real = nbtorch.tensor(Y), torch.tensor(Y)  # writes into the tensor
    assert_same(torch, x, tx)


def test_questions_about_complex_dtypes(torch):
    for values in (X, [1, 2], [True]):
        x = nbtorch.tensor(values)
        tx = to_torch(torch, x)
        for name in ("is_complex", "is_conj", "is_neg"):
            assert getattr(nbtorch, name)(x) is getattr(x, name)() is getattr(tx, name)()
        assert_same(torch, nbtorch.isreal(x), torch.isreal(tx))
    assert_raises_like(torch, lambda: nbtorch.is_complex(3), lambda: torch.is_complex(3))


def test_imag_of_a_real_tensor_is_pytorchs_error(torch):
    x = nbtorch.tensor(X)
    tx = to_torch(torch, x)
    assert (assert_raises_like(torch, lambda: x.imag, lambda: tx.imag)
            == assert_raises_like(torch, lambda: nbtorch.imag(x), lambda: torch.imag(tx)))


@pytest.mark.parametrize("shape", [(3, 4), (2, 3, 4), (1, 1)])
def test_adjoint_mH_and_H_transpose(torch, shape):
    x = nbtorch.tensor(rng.standard_normal(shape))
    tx = to_torch(torch, x)
    assert_same(torch, x.mH, tx.mH)
    assert_same(torch, x.adjoint(), tx.adjoint())
    assert_same(torch, nbtorch.adjoint(x), torch.adjoint(tx))
    assert x.mH.data_ptr() == x.data_ptr()  # a view
    if len(shape) == 2:
        assert_same(torch, x.H, tx.H)
    else:
        ours, theirs = assert_raises_like(torch, lambda: x.H, lambda: tx.H)
        assert ours == theirs


@pytest.mark.parametrize("get", [lambda x: x.H, lambda x: x.mH, lambda x: x.adjoint()])
def test_adjoint_family_refuses_vectors(torch, get):
    ours, theirs = assert_raises_like(torch, lambda: get(nbtorch.ones(3)),
                                      lambda: get(torch.ones(3)))
    assert ours == theirs


@pytest.mark.parametrize("get", [lambda x: x.H, lambda x: x.mH, lambda x: x.adjoint()])
def test_adjoint_family_of_a_scalar_warns_and_returns_it(torch, get):
    theirs, ours = torch.tensor(2.0), nbtorch.tensor(2.0)
    with pytest.warns(UserWarning, match="deprecated on 0-D tensors") as caught:
        theirs_out = get(theirs)
    with pytest.warns(UserWarning) as ours_caught:
        ours_out = get(ours)
    assert str(ours_caught[0].message) == str(caught[0].message).split(" (Triggered")[0]
    assert (ours_out is ours) == (theirs_out is theirs) is True


@pytest.mark.parametrize("values", [[-1.5, 0.0, -0.0, 2.0, np.nan, -np.inf, np.inf],
                                    [-3, 0, 4], [True, False]])
def test_angle(torch, values):
    x = nbtorch.tensor(values)
    tx = to_torch(torch, x)
    assert_same(torch, nbtorch.angle(x), torch.angle(tx))
    assert_same(torch, x.double().angle(), tx.double().angle())
    if x.is_floating_point():
        a, ta = x.double().requires_grad_(), tx.double().requires_grad_()
        (nbtorch.angle(a) * 3).sum().backward()
        (torch.angle(ta) * 3).sum().backward()
        assert_same(torch, a.grad, ta.grad)  # zero: a step function
    assert gradcheck(nbtorch.angle, (leaf([-2.0, 0.5, 3.0]),), check_forward_ad=True)


def test_adjoint_gradients():
    assert gradcheck(lambda a: (a.mH @ a).sum(-1), (leaf(X),), check_forward_ad=True)
    assert gradgradcheck(lambda a: a.adjoint() @ a.H.mH, (leaf(X),))


# -- gcd, lcm, shifts -------------------------------------------------------------------------

INT_DTYPES = ["uint8", "int8", "int16", "int32", "int64"]


def _int_values(dtype):
    info = np.iinfo(dtype)
    values = np.array([0, 1, 2, 3, 6, 9, 12, 15, 35, 77, 100, -1, -4, -6, -21, -100,
                       info.max, info.max - 1, info.min + 1])
    return values[(values >= info.min) & (values <= info.max)].astype(dtype)


@pytest.mark.parametrize("dtype", INT_DTYPES)
@pytest.mark.parametrize("name", ["gcd", "lcm"])
def test_gcd_and_lcm_match_pytorch(torch, dtype, name):
    values = _int_values(dtype)
    a, b = np.meshgrid(values, values)
    x, y = nbtorch.tensor(a), nbtorch.tensor(b)
    tx, ty = torch.tensor(a), torch.tensor(b)
    assert_same(torch, getattr(nbtorch, name)(x, y), getattr(torch, name)(tx, ty))
    assert_same(torch, getattr(x, name)(y[:1]), getattr(tx, name)(ty[:1]))  # broadcast
    ours, theirs = x.clone(), tx.clone()
    assert getattr(ours, name + "_")(y) is ours
    getattr(theirs, name + "_")(ty)
    assert_same(torch, ours, theirs)
    ours, theirs = x.clone(), tx.clone()
    assert getattr(nbtorch, name + "_")(ours, y) is ours
    getattr(torch, name + "_")(theirs, ty)
    assert_same(torch, ours, theirs)


def test_gcd_promotes_dtypes(torch):
    a8, b64 = np.array([12, -18], dtype=np.int8), np.array([8, 27])
    assert_same(torch, nbtorch.gcd(nbtorch.tensor(a8), nbtorch.tensor(b64)),
                torch.gcd(torch.tensor(a8), torch.tensor(b64)))


@pytest.mark.parametrize("call", [
    lambda lib: lib.gcd(lib.tensor([1.0]), lib.tensor([2.0])),
    lambda lib: lib.lcm(lib.tensor([4]), lib.tensor([6.0])),
    lambda lib: lib.gcd(lib.tensor([True]), lib.tensor([True])),
    lambda lib: lib.gcd(lib.tensor([1]), 2),
    lambda lib: lib.lcm(3, lib.tensor([1])),
    lambda lib: lib.gcd(lib.tensor([1, 2, 3]), lib.tensor([6, 5])),
    lambda lib: lib.tensor([4]).gcd_(lib.tensor([[6]])),
])
def test_gcd_and_lcm_errors(torch, call):
    ours, theirs = assert_raises_like(torch, lambda: call(nbtorch), lambda: call(torch))
    assert ours == theirs


@pytest.mark.parametrize("dtype", INT_DTYPES)
def test_shifts_by_every_amount_match_pytorch(torch, dtype):
    bits = np.dtype(dtype).itemsize * 8
    values = _int_values(dtype)
    info = np.iinfo(dtype)
    values = np.append(values, np.array(info.min, dtype=dtype))
    shifts = np.arange(-2, bits + 3)
    a = np.repeat(values[:, None], len(shifts), 1)
    s = np.broadcast_to(shifts, a.shape).astype(np.int64)
    for name in ("bitwise_left_shift", "bitwise_right_shift"):
        assert_same(torch, getattr(nbtorch, name)(nbtorch.tensor(a), nbtorch.tensor(s)),
                    getattr(torch, name)(torch.tensor(a), torch.tensor(s)))
    small = shifts[(shifts >= 0) & (shifts < min(bits, 8))].astype(dtype)  # same dtype
    a, s = np.repeat(values[:, None], len(small), 1), np.broadcast_to(small, (len(values),
                                                                             len(small)))
    assert_same(torch, nbtorch.tensor(a) << nbtorch.tensor(s.copy()),
                torch.tensor(a) << torch.tensor(s.copy()))
    assert_same(torch, nbtorch.tensor(a) >> nbtorch.tensor(s.copy()),
                torch.tensor(a) >> torch.tensor(s.copy()))


def test_shift_operators_numbers_and_in_place_forms(torch):
    a = np.array([-9, -1, 0, 5, 100], dtype=np.int16)
    x, tx = nbtorch.tensor(a), torch.tensor(a)
    assert_same(torch, x << 3, tx << 3)
    assert_same(torch, x >> 2, tx >> 2)
    assert_same(torch, 3 << nbtorch.tensor([1, 2]), 3 << torch.tensor([1, 2]))
    assert_same(torch, 100 >> nbtorch.tensor([1, 2]), 100 >> torch.tensor([1, 2]))
    assert_same(torch, nbtorch.bitwise_left_shift(3, nbtorch.tensor([2], dtype=nbtorch.int8)),
                torch.bitwise_left_shift(3, torch.tensor([2], dtype=torch.int8)))
    ours, theirs = x.clone(), tx.clone()
    ours <<= 2
    theirs <<= 2
    assert_same(torch, ours, theirs)
    ours >>= 1
    theirs >>= 1
    assert_same(torch, ours, theirs)
    assert x.clone().bitwise_left_shift_(1).tolist() == (tx << 1).tolist()
    assert x.clone().bitwise_right_shift_(1).tolist() == (tx >> 1).tolist()


@pytest.mark.parametrize("call", [
    lambda lib: lib.tensor([1.5]).bitwise_left_shift(1),
    lambda lib: lib.tensor([1]) >> lib.tensor([1.0]),
    lambda lib: lib.bitwise_left_shift(lib.tensor([True]), lib.tensor([True])),
    lambda lib: lib.tensor([1, 2, 3]) << lib.tensor([1, 2]),
    lambda lib: lib.tensor([1]).bitwise_right_shift_(lib.tensor([[1]])),
])
def test_shift_errors(torch, call):
    ours, theirs = assert_raises_like(torch, lambda: call(nbtorch), lambda: call(torch))
    assert ours == theirs


# -- memory, layout, strides ------------------------------------------------------------------


@pytest.mark.parametrize("size, stride", [((2, 3), (1, 2)), ((2, 3), (3, 1)), ((4,), (0,)),
                                          ((2, 0, 3), (5, 7, 1)), ((), ())])
def test_empty_strided(torch, size, stride):
    ours = nbtorch.empty_strided(size, stride, dtype=nbtorch.int64)
    theirs = torch.empty_strided(size, stride, dtype=torch.int64)
    assert ours.shape == theirs.shape and ours.stride() == theirs.stride()
    assert ours.dtype == nbtorch.int64 and ours.is_contiguous() == theirs.is_contiguous()
    x = nbtorch.ones(2, dtype=nbtorch.float64)
    made = x.new_empty_strided(size, stride, requires_grad=True)
    assert made.dtype == nbtorch.float64 and made.stride() == theirs.stride()
    assert made.requires_grad and made.is_leaf


@pytest.mark.parametrize("size, stride", [((2, 3), (3,)), ((2, -3), (3, 1)), ((2, 3), (-3, 1))])
def test_empty_strided_errors(torch, size, stride):
    ours, theirs = assert_raises_like(
        torch, lambda: nbtorch.ones(1).new_empty_strided(size, stride),
        lambda: torch.ones(1).new_empty_strided(size, stride))
    assert ours == theirs


def test_layout_dim_order_and_is_set_to(torch):
    assert nbtorch.ones(2).layout is nbtorch.strided
    assert isinstance(nbtorch.strided, nbtorch.layout)
    assert repr(nbtorch.strided) == "nbtorch.strided"
    x = nbtorch.tensor(rng.standard_normal((2, 3, 4)))
    tx = to_torch(torch, x)
    for perm in ((0, 1, 2), (2, 0, 1), (1, 2, 0)):
        assert x.permute(perm).dim_order() == tx.permute(perm).dim_order()
    for other, their_other in ((x.detach(), tx.detach()), (x.view(6, 4), tx.view(6, 4)),
                               (x[1:], tx[1:]), (x.clone(), tx.clone())):
        assert x.is_set_to(other) == tx.is_set_to(their_other)


def test_memory_hints_have_nothing_to_do(torch):
    x = nbtorch.tensor(X)
    assert x.is_pinned() is False and x.is_shared() is False
    assert x.share_memory_() is x and x.is_shared() is False
    pinned = x.pin_memory()
    assert pinned is not x and pinned.data_ptr() != x.data_ptr()
    np.testing.assert_array_equal(pinned.numpy(), X)
    a = leaf(X)
    a.pin_memory().sum().backward()  # a copy that autograd follows
    assert (a.grad.numpy() == 1).all()


def test_resize_family(torch):
    x, tx = nbtorch.arange(6.0), torch.arange(6.0)
    assert_same(torch, x.resize_as_(nbtorch.ones(2, 2)), tx.resize_as_(torch.ones(2, 2)))
    assert_same(torch, nbtorch.resize_as_(x, nbtorch.ones(3)), torch.resize_as_(tx,
                                                                                torch.ones(3)))
    assert_raises_like(torch, lambda: x.resize_as_(3), lambda: tx.resize_as_(3))
    with pytest.warns(UserWarning, match="non-inplace resize is deprecated"):
        assert_same(torch, nbtorch.arange(6.0).resize(2, 3), torch.arange(6.0).resize(2, 3))
    with pytest.warns(UserWarning, match="non-inplace resize_as is deprecated"):
        assert_same(torch, nbtorch.arange(4.0).resize_as(nbtorch.ones(2, 2)),
                    torch.arange(4.0).resize_as(torch.ones(2, 2)))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ours, theirs = assert_raises_like(torch, lambda: nbtorch.arange(6.0).resize(3, 3),
                                          lambda: torch.arange(6.0).resize(3, 3))
        assert ours == theirs
        assert gradcheck(lambda a: a.resize(4, 3), (leaf(X),), check_forward_ad=True)


def test_as_strided_in_place(torch):
    x = nbtorch.arange(6.0)
    tx = torch.arange(6.0)
    for args in (((3, 2), (1, 3)), ((2,), (2,), 1)):
        ours, theirs = x.clone(), tx.clone()
        assert ours.as_strided_(*args) is ours
        theirs.as_strided_(*args)
        assert_same(torch, ours, theirs)
        assert ours.stride() == theirs.stride()
    assert_same(torch, nbtorch.as_strided_(x.clone(), (2,), (3,)),
                torch.as_strided_(tx.clone(), (2,), (3,)))
    ours, theirs = assert_raises_like(torch, lambda: x.clone().as_strided_((3, 2), (1, 3), 1),
                                      lambda: tx.clone().as_strided_((3, 2), (1, 3), 1))
    assert ours == theirs
    assert_raises_like(torch, lambda: x.clone().requires_grad_().as_strided_((2,), (1,)),
                       lambda: tx.clone().requires_grad_().as_strided_((2,), (1,)))
    a = leaf(X)
    b = a * 2
    b.as_strided_((2, 2), (1, 4))
    b.sum().backward()
    ta = to_torch(torch, a).requires_grad_()
    tb = ta * 2
    tb.as_strided_((2, 2), (1, 4))
    tb.sum().backward()
    np.testing.assert_array_equal(a.grad.numpy(), ta.grad.numpy())


def test_map_and_map2(torch):
    x, tx = nbtorch.tensor(X), torch.tensor(X)
    ours, theirs = x.clone(), tx.clone()
    assert ours.map_(nbtorch.tensor(Y), lambda a, b: a * 10 + b) is ours
    theirs.map_(torch.tensor(Y), lambda a, b: a * 10 + b)
    assert_same(torch, ours, theirs)
    ours, theirs = x.clone(), tx.clone()
    ours.map2_(nbtorch.tensor(Y), x[:, :1], lambda a, b, c: a - b * c)
    theirs.map2_(torch.tensor(Y), tx[:, :1], lambda a, b, c: a - b * c)
    assert_same(torch, ours, theirs)


@pytest.mark.parametrize("call", [
    lambda lib, x: x.map_(lib.ones(3, dtype=lib.int64), lambda a, b: a),
    lambda lib, x: x.map_(3, lambda a, b: a),
    lambda lib, x: x.requires_grad_().map_(lib.ones(4), lambda a, b: a),
    lambda lib, x: x.map_(lib.ones(4, requires_grad=True), lambda a, b: a),
    lambda lib, x: x.map_(lib.ones(5), lambda a, b: a),
])
def test_map_errors(torch, call):
    assert_raises_like(torch, lambda: call(nbtorch, nbtorch.tensor(X)),
                       lambda: call(torch, torch.tensor(X)))


def test_output_nr_and_is_inference(torch):
    a = leaf(rng.standard_normal((3, 3)))
    ta = to_torch(torch, a).requires_grad_()
    assert a.output_nr == ta.output_nr == 0
    assert [t.output_nr for t in nbtorch.linalg.qr(a)] == \
        [t.output_nr for t in torch.linalg.qr(ta)]
    assert [t.output_nr for t in nbtorch.linalg.eigh(a + a.mT)] == \
        [t.output_nr for t in torch.linalg.eigh(ta + ta.mT)]
    assert a.is_inference() is nbtorch.is_inference(a) is ta.is_inference() is False
