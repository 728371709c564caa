"""The Tensor itself: attributes, creation, dtypes and type promotion, repr, conversion to
Python and numpy, random-number determinism, and in-place changes with the version counter.
PyTorch (when installed) is the oracle for dtypes, reprs and exception types."""

import numpy as np
import pytest

import nbtorch

# -- attributes ------------------------------------------------------------------------------


def test_attributes():
    x = nbtorch.zeros(2, 3, 4)
    assert x.shape == x.size() == (2, 3, 4)
    assert isinstance(x.shape, nbtorch.Size) and x.shape.numel() == 24
    assert x.size(1) == 3 and x.size(-1) == 4
    assert x.dim() == x.ndim == 3 and x.numel() == 24
    assert x.dtype == nbtorch.float32 and str(x.device) == "cpu"
    assert not x.requires_grad and x.grad is None and x.grad_fn is None and x.is_leaf
    assert x.T.shape == (4, 3, 2) and x.mT.shape == (2, 4, 3)
    w = nbtorch.ones(2, requires_grad=True)
    y = w * 2
    assert y.requires_grad and not y.is_leaf and y.grad_fn is not None
    assert not y.data.requires_grad and np.shares_memory(y.data.numpy(), y.detach().numpy())
    with pytest.raises(IndexError):
        x.size(3)


def test_python_and_numpy_conversion():
    x = nbtorch.tensor([[1.5, 2.0], [3.0, 4.0]])
    assert x.tolist() == [[1.5, 2.0], [3.0, 4.0]]
    assert x[0, 0].item() == 1.5 and isinstance(nbtorch.tensor(3).item(), int)
    assert float(x[1, 1]) == 4.0 and int(nbtorch.tensor([7])) == 7
    with pytest.raises(RuntimeError, match="cannot be converted to Scalar"):
        x.item()
    a = x.numpy()
    a[0, 0] = 9.0  # shares memory on the CPU
    assert x[0, 0].item() == 9.0
    w = nbtorch.ones(2, requires_grad=True)
    with pytest.raises(RuntimeError, match="requires grad"):
        w.numpy()
    assert w.detach().numpy().tolist() == [1.0, 1.0]


def test_from_numpy_and_as_tensor_share_memory_tensor_copies():
    a = np.zeros(3)
    t = nbtorch.from_numpy(a)
    a[0] = 1.0
    assert t[0].item() == 1.0 and t.dtype == nbtorch.float64
    assert nbtorch.as_tensor(a).numpy() is a
    c = nbtorch.tensor(a)
    a[1] = 2.0
    assert c[1].item() == 0.0
    with pytest.raises(TypeError):
        nbtorch.from_numpy(np.zeros(2, dtype=np.complex64))


# -- creation --------------------------------------------------------------------------------


def test_creation_values_against_numpy():
    np.testing.assert_array_equal(nbtorch.zeros(2, 3).numpy(), np.zeros((2, 3)))
    np.testing.assert_array_equal(nbtorch.ones((2,)).numpy(), np.ones(2))
    np.testing.assert_array_equal(nbtorch.full((2, 2), 7).numpy(), np.full((2, 2), 7))
    assert nbtorch.empty(3, 2).shape == (3, 2)
    np.testing.assert_array_equal(nbtorch.arange(5).numpy(), np.arange(5))
    np.testing.assert_allclose(nbtorch.arange(1, 2, 0.25).numpy(), np.arange(1, 2, 0.25))
    np.testing.assert_allclose(nbtorch.linspace(-1, 1, 5).numpy(), np.linspace(-1, 1, 5))
    np.testing.assert_array_equal(nbtorch.eye(3).numpy(), np.eye(3))
    np.testing.assert_array_equal(nbtorch.eye(2, 3).numpy(), np.eye(2, 3))
    like = nbtorch.zeros(2, 3, dtype=nbtorch.int32)
    for fn, value in ((nbtorch.zeros_like, 0), (nbtorch.ones_like, 1)):
        out = fn(like)
        assert out.shape == (2, 3) and out.dtype == nbtorch.int32 and (out == value).all()
    assert nbtorch.full_like(like, 4.7).tolist() == [[4] * 3] * 2
    assert nbtorch.empty_like(like, dtype=nbtorch.float64).dtype == nbtorch.float64
    assert nbtorch.randn_like(nbtorch.zeros(2)).shape == (2,)


def test_legacy_constructors():
    assert nbtorch.FloatTensor(2, 3).shape == (2, 3)
    assert nbtorch.FloatTensor([1, 2]).dtype == nbtorch.float32
    assert nbtorch.DoubleTensor([1]).dtype == nbtorch.float64
    assert nbtorch.LongTensor([1.7]).tolist() == [1]
    assert nbtorch.IntTensor([1]).dtype == nbtorch.int32
    assert nbtorch.ByteTensor([255]).dtype == nbtorch.uint8
    assert nbtorch.BoolTensor([1, 0]).tolist() == [True, False]
    assert nbtorch.Tensor(2).dtype == nbtorch.float32
    assert nbtorch.zeros(2).type() == "torch.FloatTensor"
    assert nbtorch.zeros(2).type("torch.LongTensor").dtype == nbtorch.int64


# -- dtypes and promotion --------------------------------------------------------------------

DTYPES = ["float16", "float32", "float64", "int8", "int16", "int32", "int64", "uint8", "bool"]


@pytest.mark.parametrize("name", DTYPES)
def test_casts(name):
    d = getattr(nbtorch, name if name != "bool" else "bool")
    x = nbtorch.tensor([0.0, 1.0, 2.5]).to(d)
    assert x.dtype == d and x.dtype.name == name
    assert x.numpy().dtype == np.dtype(name)
    assert x.float().dtype == nbtorch.float32 and x.double().dtype == nbtorch.float64
    assert x.half().dtype == nbtorch.float16 and x.long().dtype == nbtorch.int64
    assert x.int().dtype == nbtorch.int32 and x.bool().dtype == nbtorch.bool


def test_default_dtype():
    assert nbtorch.get_default_dtype() == nbtorch.float32
    assert nbtorch.tensor([1.0]).dtype == nbtorch.float32
    assert nbtorch.tensor([1]).dtype == nbtorch.int64 and nbtorch.tensor(True).dtype == nbtorch.bool
    assert nbtorch.arange(3).dtype == nbtorch.int64 and nbtorch.arange(3.0).dtype == nbtorch.float32
    nbtorch.set_default_dtype(nbtorch.float64)
    try:
        assert nbtorch.tensor([1.0]).dtype == nbtorch.float64
        assert nbtorch.zeros(1).dtype == nbtorch.float64
        assert (nbtorch.tensor([1]) / 2).dtype == nbtorch.float64
    finally:
        nbtorch.set_default_dtype(nbtorch.float32)


PROMOTION = [
    lambda m: m.tensor([1, 2]) / 2,
    lambda m: m.tensor([1, 2]) / m.tensor([2, 2]),
    lambda m: m.tensor([1, 2]) + 0.5,
    lambda m: m.tensor([1, 2], dtype=m.int8) + 100,
    lambda m: m.tensor([1, 100], dtype=m.int8) + 1000,  # wraps around, as in C
    lambda m: m.tensor([250], dtype=m.uint8) + 10,
    lambda m: m.tensor([1, 2], dtype=m.int8) + m.tensor(1000),
    lambda m: m.tensor([1, 2], dtype=m.int8) + m.tensor([1000]),
    lambda m: m.tensor([True]) + 1,
    lambda m: m.tensor([True]) + True,
    lambda m: m.tensor([True]) * 1.5,
    lambda m: m.tensor(2.5) * m.tensor([1, 2]),
    lambda m: m.tensor(2.5, dtype=m.float64) * m.tensor([1.0, 2.0]),
    lambda m: m.tensor([1.0], dtype=m.float16) * 2.5,
    lambda m: m.tensor([1.0], dtype=m.float16) * m.tensor([2.0]),
    lambda m: m.tensor([3], dtype=m.uint8) + m.tensor([3], dtype=m.int8),
    lambda m: m.tensor([3], dtype=m.uint8) - 5,
    lambda m: m.tensor([3], dtype=m.int32) * m.tensor([3]),
    lambda m: m.tensor([1, 2]) // 2,
    lambda m: m.tensor([1.5]).long() + m.tensor([1], dtype=m.int16),
]


@pytest.mark.oracle
@pytest.mark.parametrize("fn", PROMOTION, ids=range(len(PROMOTION)))
def test_oracle_promotion(fn):
    torch = pytest.importorskip("torch")
    got, expected = fn(nbtorch), fn(torch)
    assert got.dtype.name == str(expected.dtype).replace("torch.", "")
    np.testing.assert_array_equal(got.numpy(), expected.numpy())


# -- repr ------------------------------------------------------------------------------------

REPRS = [
    lambda m: m.tensor([[1.0, 2.0], [3.0, 4.0]]),
    lambda m: m.tensor([1.5, 2.25, -3.0]),
    lambda m: m.tensor(3.0),
    lambda m: m.tensor([1e-5, 1.0]),
    lambda m: m.tensor([123456789.0]),
    lambda m: m.tensor([1.0, float("nan"), float("inf")]),
    lambda m: m.tensor([1.0, float("nan"), 100.0]),
    lambda m: m.tensor([1, -2, 30]),
    lambda m: m.tensor([1, 2], dtype=m.int32),
    lambda m: m.tensor([True, False]),
    lambda m: m.tensor([True, True]),
    lambda m: m.tensor([1.0, 2.0], dtype=m.float64),
    lambda m: m.tensor([1.0, 2.0], requires_grad=True),
    lambda m: m.tensor([1.0, 2.0], requires_grad=True) * 2,
    lambda m: m.zeros(2, 0),
    lambda m: m.tensor([]),
    lambda m: m.arange(12.0).view(3, 4) / 7,
]


@pytest.mark.oracle
@pytest.mark.parametrize("fn", REPRS, ids=range(len(REPRS)))
def test_oracle_repr(fn):
    torch = pytest.importorskip("torch")
    assert repr(fn(nbtorch)).replace("nbtorch", "torch") == repr(fn(torch))


# -- random numbers --------------------------------------------------------------------------


def test_manual_seed_gives_identical_streams():
    streams = []
    for _ in range(2):
        nbtorch.manual_seed(123)
        streams.append([nbtorch.rand(3).tolist(), nbtorch.randn(2, 2).tolist(),
                        nbtorch.randint(0, 10, (4,)).tolist(), nbtorch.randperm(5).tolist(),
                        nbtorch.normal(1.0, 2.0, (3,)).tolist(),
                        nbtorch.empty(3).uniform_(-1, 1).tolist(),
                        nbtorch.empty(3).normal_(0, 3).tolist()])
    assert streams[0] == streams[1]
    nbtorch.manual_seed(124)
    assert nbtorch.rand(3).tolist() != streams[0][0]


def test_generators_and_rng_state():
    g1, g2 = nbtorch.Generator().manual_seed(7), nbtorch.Generator().manual_seed(7)
    nbtorch.manual_seed(0)
    a = nbtorch.randn(4, generator=g1)
    nbtorch.randn(10)  # the default generator does not disturb g2
    assert a.tolist() == nbtorch.randn(4, generator=g2).tolist()
    state = nbtorch.get_rng_state()
    first = nbtorch.rand(5)
    nbtorch.set_rng_state(state)
    assert nbtorch.rand(5).tolist() == first.tolist()
    assert isinstance(nbtorch.seed(), int)


def test_random_ranges_and_dtypes():
    nbtorch.manual_seed(0)
    u = nbtorch.rand(1000)
    assert u.dtype == nbtorch.float32 and 0 <= u.min().item() and u.max().item() < 1
    r = nbtorch.randint(3, 7, (1000,))
    assert r.dtype == nbtorch.int64 and set(r.tolist()) == {3, 4, 5, 6}
    assert sorted(nbtorch.randperm(6).tolist()) == list(range(6))
    n = nbtorch.randn(20000, dtype=nbtorch.float64)
    assert abs(n.mean().item()) < 0.05 and abs(n.numpy().std() - 1) < 0.05


# -- in place and the version counter --------------------------------------------------------


def test_in_place_fills_and_copy():
    x = nbtorch.zeros(2, 3)
    assert x.fill_(2.0) is x and x.sum().item() == 12
    assert x.zero_().sum().item() == 0
    x.copy_(nbtorch.tensor([1, 2, 3]))  # broadcast and converted
    assert x.tolist() == [[1.0, 2.0, 3.0]] * 2
    assert x._version == 3
    with pytest.raises(RuntimeError):
        x.copy_(nbtorch.zeros(2))


def test_views_share_the_version_counter():
    x = nbtorch.zeros(4)
    v = x[1:3]
    v.add_(1)
    assert x._version == v._version == 1
    x.mul_(2)
    assert v._version == 2 and v.tolist() == [2.0, 2.0]
    d = x.detach()
    d.zero_()
    assert x._version == 3  # detach shares memory and counter
    c = x.clone()
    c.add_(1)
    assert x._version == 3


def test_in_place_on_leaf_requiring_grad_raises():
    w = nbtorch.ones(3, requires_grad=True)
    for change in (lambda: w.add_(1), lambda: w.mul_(2), lambda: w.zero_(),
                   lambda: w.fill_(1.0), lambda: w.uniform_(), lambda: w.copy_(w.detach())):
        with pytest.raises(RuntimeError, match="leaf Variable that requires grad"):
            change()
    with nbtorch.no_grad():
        w.add_(1)  # fine: not recorded (an optimizer step)
    assert w.tolist() == [2.0, 2.0, 2.0]


def test_modified_saved_tensor_breaks_backward():
    x = nbtorch.ones(3, requires_grad=True)
    y = x * 1
    z = y.exp()  # exp saves its output
    z.add_(1)
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        z.sum().backward()
    a = nbtorch.ones(3)
    z2 = x * a  # saves a
    a[:2].mul_(2)  # changed through a view: the view shares a's version counter
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        z2.sum().backward()


def test_in_place_on_non_saved_tensor_keeps_gradients_right():
    x = nbtorch.ones(3, requires_grad=True)
    y = x * 3
    y.add_(1)  # add does not need y's old value
    y.mul_(x)  # mul saves both: the current y
    y.sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), [7.0, 7.0, 7.0])  # d/dx (3x + 1) x = 6x + 1


@pytest.mark.oracle
@pytest.mark.parametrize("fn", [
    lambda m: m.ones(3, requires_grad=True).add_(1),
    lambda m: m.tensor([1, 2], requires_grad=True),
    lambda m: m.ones(2, 3).view(4),
    lambda m: m.ones(3, requires_grad=True).numpy(),
    lambda m: m.ones(3).item(),
    lambda m: m.zeros(-1),
    lambda m: m.zeros(2, 2).copy_(m.zeros(3)),
    lambda m: m.tensor([1, 2]).mean(),
    lambda m: m.from_numpy([1, 2]),
])
def test_oracle_tensor_errors(fn):
    torch = pytest.importorskip("torch")
    with pytest.raises(Exception) as expected:
        fn(torch)
    with pytest.raises(type(expected.value)):
        fn(nbtorch)


@pytest.mark.oracle
def test_oracle_version_error_and_inplace_grads():
    torch = pytest.importorskip("torch")
    grads = []
    for m in (nbtorch, torch):
        x = m.tensor([1.0, 2.0, 3.0], requires_grad=True)
        y = x * 2
        y.sub_(x ** 2)
        y[0] = x[1] * 5
        (y * m.tensor([1.0, 2.0, 3.0])).sum().backward()
        grads.append(x.grad.numpy().copy())
        z = x.sigmoid() if hasattr(x, "sigmoid") else x.exp()
        z.mul_(2)
        with pytest.raises(RuntimeError, match="modified by an inplace operation"):
            z.sum().backward()
    np.testing.assert_allclose(grads[0], grads[1])
