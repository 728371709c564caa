"""Edge cases of the elementwise layer, against PyTorch: dtypes of ``where`` with numbers,
``pow``'s gradients at 0 and its integer rules, integer division by zero, broadcasting
errors, numpy array operands, bool tensors, and the errors of conversions and comparisons.

Each test runs the same code in nbtorch and in torch and compares values, dtypes,
gradients, or the exception class and message."""

import warnings

import numpy as np
import pytest

import nbtorch

pytestmark = pytest.mark.oracle


def _same(ours, theirs):
    """Equal values (floats to rounding, NaN equal to NaN) and the same dtype name."""
    assert str(ours.dtype).split(".")[-1] == str(theirs.dtype).split(".")[-1]
    a, b = ours.detach().numpy(), theirs.detach().numpy()
    if a.dtype.kind == "f":
        np.testing.assert_allclose(a, b, rtol=1e-12, atol=0)
    else:
        np.testing.assert_array_equal(a, b)


def _raises_alike(torch, fn):
    """``fn(lib)`` raises the same exception class with the same message in both."""
    errors = []
    for lib in (nbtorch, torch):
        with pytest.raises(Exception) as info:
            fn(lib)
        errors.append(info.value)
    ours, theirs = errors
    assert type(ours) is type(theirs), (ours, theirs)
    assert str(ours).splitlines()[0] == str(theirs).splitlines()[0]


def _quietly(fn):
    """``fn()``, failing on any numpy warning (PyTorch warns about none of these)."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        return fn()


@pytest.mark.parametrize("a, b", [(1.0, 0.0), (1, 0.0), (1, 0), (True, False), (1.5, 0)])
def test_where_with_two_numbers_has_pytorchs_dtype(torch, a, b):
    for cond in ([True, False], True):
        _same(nbtorch.where(nbtorch.tensor(cond), a, b), torch.where(torch.tensor(cond), a, b))


def test_where_names_the_dtype_of_a_non_bool_condition(torch):
    _raises_alike(torch, lambda lib: lib.where(lib.tensor([1, 0]), 1.0, 0.0))


@pytest.mark.parametrize("exponent", [0, 0.0, 1, 0.5, 2, 3, -1, -2, 2.5])
@pytest.mark.parametrize("as_tensor", [False, True])
def test_pow_gradients_at_zero_and_negative_bases(torch, exponent, as_tensor):
    grads = []
    for lib in (nbtorch, torch):
        x = lib.tensor([0.0, -2.0, 2.0, -0.5], dtype=lib.float64, requires_grad=True)
        e = lib.full((4,), float(exponent), dtype=lib.float64,
                     requires_grad=True) if as_tensor else exponent
        y = x**e
        (y * lib.tensor([1.0, 2.0, 3.0, 4.0], dtype=lib.float64)).sum().backward()
        grads.append((y, x.grad, e.grad if as_tensor else None))
    for ours, theirs in zip(*grads):
        if theirs is not None:
            _same(ours, theirs)


def test_pow_base_gradient_at_zero_exponent_is_zero_without_warnings(torch):
    x = nbtorch.tensor([0.0, 1.0, -3.0], requires_grad=True)
    _quietly(lambda: (x**0).sum().backward())
    assert x.grad.tolist() == [0.0, 0.0, 0.0]


@pytest.mark.parametrize("base", [0.0, -2.0, 2.0])
def test_pow_of_a_number_base_gradient(torch, base):
    grads = []
    for lib in (nbtorch, torch):
        e = lib.tensor([-1.0, 0.0, 1.0, 2.5], dtype=lib.float64, requires_grad=True)
        (base**e).sum().backward()
        grads.append(e.grad)
    _same(*grads)


@pytest.mark.parametrize("fn", [
    lambda lib: lib.tensor([2, 3, 1, -1, -1, 0, 5]) ** lib.tensor([-1, 2, -3, -3, -2, -1, 0]),
    lambda lib: lib.tensor([2, 1, -1], dtype=lib.int32) ** lib.tensor([-1, -5, -5],
                                                                     dtype=lib.int32),
    lambda lib: lib.tensor([2, 1], dtype=lib.int8) ** lib.tensor([-1, -1], dtype=lib.int8),
    lambda lib: lib.tensor([2, 3], dtype=lib.uint8) ** lib.tensor([-1, 2]),
    lambda lib: lib.tensor(2) ** lib.tensor(-1),
    lambda lib: 2 ** lib.tensor([-1, 2]),
    lambda lib: 1 ** lib.tensor([-1, 2]),
    lambda lib: lib.tensor([True, False]) ** lib.tensor([-1, -1]),
    lambda lib: lib.tensor([True, False]) ** True,
    lambda lib: lib.tensor([True, False]) ** False,
    lambda lib: lib.tensor([2, 3]) ** 2,
])
def test_integer_pow_follows_pytorch(torch, fn):
    _same(fn(nbtorch), fn(torch))


@pytest.mark.parametrize("fn", [
    lambda lib: lib.tensor([2, 3]) ** -1,
    lambda lib: lib.tensor([True, False]) ** lib.tensor([True, True]),
    lambda lib: True ** lib.tensor([True, False]),
])
def test_integer_pow_errors_follow_pytorch(torch, fn):
    _raises_alike(torch, fn)


@pytest.mark.parametrize("fn", [
    lambda lib: lib.tensor([5, -5]) // 0,
    lambda lib: lib.tensor([5, -5]) // lib.tensor([0, 1]),
    lambda lib: 5 // lib.tensor([0, 1]),
    lambda lib: lib.tensor([5, -5]) // False,
    lambda lib: lib.tensor([5], dtype=lib.uint8) // 0,
    lambda lib: lib.div(lib.tensor([5, -5]), 0, rounding_mode="trunc"),
    lambda lib: lib.div(lib.tensor([5, -5]), 0, rounding_mode="floor"),
    lambda lib: lib.div(lib.tensor([5, -5]), lib.tensor([1, 0]), rounding_mode="trunc"),
    lambda lib: lib.tensor([5, -5]).__ifloordiv__(0),
])
def test_integer_division_by_zero_raises(torch, fn):
    _raises_alike(torch, lambda lib: _quietly(lambda: fn(lib)))


@pytest.mark.parametrize("mode", ["floor", "trunc"])
def test_rounded_integer_division_is_exact(torch, mode):
    a = [7, -7, 2**62 + 1, -(2**62) - 3, 0]
    b = [2, 2, 1, 3, -4]
    for divisor in (b, 3, -2):
        _same(nbtorch.div(nbtorch.tensor(a), divisor if isinstance(divisor, int) else
                          nbtorch.tensor(divisor), rounding_mode=mode),
              torch.div(torch.tensor(a), divisor if isinstance(divisor, int) else
                        torch.tensor(divisor), rounding_mode=mode))


@pytest.mark.parametrize("fn", [
    lambda lib: lib.tensor([True, False]) // lib.tensor([True, True]),
    lambda lib: lib.tensor([True, False]) // True,
    lambda lib: lib.div(lib.tensor([True]), lib.tensor([True]), rounding_mode="trunc"),
    lambda lib: lib.tensor([True, False]) % lib.tensor([True, True]),
    lambda lib: lib.fmod(lib.tensor([True, False]), lib.tensor([True, True])),
    lambda lib: lib.tensor([True, False]) - 1,
    lambda lib: 1.0 - lib.tensor([True, False]),
    lambda lib: lib.tensor([3, 4]) - True,
    lambda lib: lib.ones(2) - lib.tensor(True),
    lambda lib: lib.sub(lib.tensor([3, 4]), lib.tensor([True, False]), alpha=2),
    lambda lib: lib.tensor([True, False]) - lib.tensor([True, True]),
    lambda lib: lib.tensor([True, False]).abs(),
    lambda lib: lib.tensor([True, False]).abs_(),
    lambda lib: lib.tensor([True, False]).floor(),
    lambda lib: lib.tensor([True, False]).ceil(),
    lambda lib: lib.tensor([True, False]).trunc(),
    lambda lib: lib.tensor([True, False]).round(),
    lambda lib: lib.tensor([True, False]).round(decimals=1),
    lambda lib: lib.tensor([15, 25]).round(decimals=-1),
    lambda lib: lib.relu(lib.tensor([True, False])),
    lambda lib: lib.nn.functional.relu(lib.tensor([True, False]), inplace=True),
])
def test_ops_pytorch_refuses_on_bool_tensors(torch, fn):
    _raises_alike(torch, fn)


@pytest.mark.parametrize("fn", [
    lambda lib: lib.sign(lib.tensor([True, False])),
    lambda lib: lib.tensor([True, False]) // 2,
    lambda lib: lib.tensor([True, False]) % 2,
    lambda lib: lib.tensor([True, False]) ** 2,
    lambda lib: lib.tensor([True, False]) * lib.tensor([True, True]),
    lambda lib: lib.tensor([-1, 2]).abs(),
    lambda lib: lib.tensor([-1, 2]).round(),
    lambda lib: lib.relu(lib.tensor([-1, 2])),
    lambda lib: lib.sign(lib.tensor([0, 2], dtype=lib.uint8)),
])
def test_ops_pytorch_allows_on_bool_and_integer_tensors(torch, fn):
    _same(fn(nbtorch), fn(torch))


@pytest.mark.parametrize("fn", [
    lambda lib, a, b: a == b, lambda lib, a, b: a != b, lambda lib, a, b: a < b,
    lambda lib, a, b: a >= b, lambda lib, a, b: a // b,
    lambda lib, a, b: lib.div(a, b, rounding_mode="trunc"),
    lambda lib, a, b: a.eq(b), lambda lib, a, b: lib.lt(a, b),
    lambda lib, a, b: lib.logical_and(a, b), lambda lib, a, b: a.bool() & b.bool(),
    lambda lib, a, b: lib.isclose(a, b), lambda lib, a, b: lib.allclose(a, b),
])
@pytest.mark.parametrize("shapes", [((3,), (4,)), ((2, 3), (4, 1, 2))])
def test_broadcast_errors_of_comparisons_are_pytorchs(torch, fn, shapes):
    _raises_alike(torch, lambda lib: fn(lib, lib.ones(shapes[0]), lib.ones(shapes[1])))


@pytest.mark.parametrize("fn", [
    lambda t: t + np.ones(3), lambda t: t - np.ones(3), lambda t: t * np.array(2.0),
    lambda t: t / np.ones(3), lambda t: t**np.ones(3), lambda t: t // np.ones(3),
    lambda t: t % np.ones(3), lambda t: t + np.ones(3, dtype=np.float32),
    lambda t: t + np.array([1, 2, 3]), lambda t: t.int() + np.array([1.0, 2.0, 3.0]),
    lambda t: t.int() + np.array(2.0), lambda t: t.int() / np.array([1, 2, 3]),
    lambda t: t == np.ones(3), lambda t: t.half() * np.float32(2),
])
def test_numpy_array_operands_are_computed_as_pytorch_does(torch, fn):
    t = nbtorch.tensor([1.0, 2.0, 3.0])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)  # torch's __array_wrap__
        _same(fn(t), fn(torch.tensor([1.0, 2.0, 3.0])))


def test_numpy_array_operand_refuses_a_tensor_that_requires_grad(torch):
    _raises_alike(torch, lambda lib: lib.ones(3, requires_grad=True) * np.ones(3))


@pytest.mark.parametrize("other", [None, "x", [1.0, 1.0], (1.0, 1.0), object()])
def test_equality_with_a_non_tensor_is_false(torch, other):
    for lib in (nbtorch, torch):
        assert (lib.ones(2) == other) is False
        assert (lib.ones(2) != other) is True
    assert nbtorch.ones(2) not in [None]


def test_comparison_functions_refuse_non_tensors(torch):
    _raises_alike(torch, lambda lib: lib.isclose(lib.ones(2), 1.0))
    _raises_alike(torch, lambda lib: lib.allclose(lib.ones(2), 1.0))
    _raises_alike(torch, lambda lib: lib.isclose(1.0, lib.ones(2)))
    for lib in (nbtorch, torch):
        with pytest.raises(TypeError):
            lib.eq(lib.ones(2), None)


@pytest.mark.parametrize("convert", [int, float, complex, bool])
@pytest.mark.parametrize("n", [0, 2])
def test_converting_a_tensor_without_exactly_one_element(torch, convert, n):
    _raises_alike(torch, lambda lib: convert(lib.ones(n)))


@pytest.mark.parametrize("mode", ["floor", "trunc"])
def test_rounded_division_has_zero_gradient(torch, mode):
    grads = []
    for lib in (nbtorch, torch):
        x = lib.tensor([1.5, -2.5, 3.0], requires_grad=True)
        y = lib.tensor([2.0, 2.0, -1.5], requires_grad=True)
        out = lib.div(x, y, rounding_mode=mode)
        assert out.requires_grad
        (out * 3).sum().backward()
        grads.append((out, x.grad, y.grad))
    for ours, theirs in zip(*grads):
        _same(ours, theirs)
    assert nbtorch.autograd.gradcheck(
        lambda a: nbtorch.div(a, 2, rounding_mode=mode),
        (nbtorch.tensor([1.25, -2.75], dtype=nbtorch.float64, requires_grad=True),),
        check_forward_ad=True)


def test_floor_divide_operator_has_no_derivative(torch):
    for lib in (nbtorch, torch):
        x = lib.tensor([1.5, -2.5], requires_grad=True)
        out = x // 2
        assert out.requires_grad
        with pytest.raises(RuntimeError, match="derivative for aten::floor_divide is not"):
            out.sum().backward()
    # % differentiates its rounded quotient (whose derivative is zero) in backward: that
    # must not be the underivable //
    a = nbtorch.tensor([5.5, -3.25], dtype=nbtorch.float64, requires_grad=True)
    b = nbtorch.tensor([2.0, 1.5], dtype=nbtorch.float64, requires_grad=True)
    assert nbtorch.autograd.gradgradcheck(lambda a, b: a % b, (a, b))
