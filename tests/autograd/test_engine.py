"""The reverse-mode engine: accumulation, errors, graph freeing, hooks, higher order."""

import numpy as np
import pytest

import nbtorch
from nbtorch.autograd import Function, gradcheck, gradgradcheck


def leaf(*shape, dtype=nbtorch.float64):
    return nbtorch.randn(*shape, dtype=dtype, requires_grad=True)


def test_gradient_of_polynomial_matches_closed_form():
    x = leaf(5)
    y = (x**3 + 2 * x * x - x).sum()
    y.backward()
    xs = x.detach().numpy()
    np.testing.assert_allclose(x.grad.numpy(), 3 * xs**2 + 4 * xs - 1)


def test_gradients_accumulate_until_zeroed():
    x = leaf(3)
    (x * 2).sum().backward()
    (x * 3).sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), np.full(3, 5.0))
    x.grad.zero_()
    (x * 4).sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), np.full(3, 4.0))


def test_accumulated_grad_keeps_its_identity():
    x = leaf(3)
    (x * 2).sum().backward()
    g = x.grad
    (x * 2).sum().backward()
    assert x.grad is g
    np.testing.assert_allclose(g.numpy(), np.full(3, 4.0))


def test_shared_gradient_is_not_aliased_between_leaves():
    a, b = leaf(3), leaf(3)
    (a + b).sum().backward()
    a.grad.mul_(10)
    np.testing.assert_allclose(b.grad.numpy(), np.ones(3))


def test_reused_input_sums_all_paths():
    x = leaf(4)
    y = x * x + x.exp() + x
    y.sum().backward()
    xs = x.detach().numpy()
    np.testing.assert_allclose(x.grad.numpy(), 2 * xs + np.exp(xs) + 1)


def test_nonscalar_backward_needs_gradient():
    x = leaf(3)
    with pytest.raises(RuntimeError, match="only for scalar outputs"):
        (x * 2).backward()
    v = nbtorch.tensor([1.0, 0.5, -1.0], dtype=nbtorch.float64)
    (x * 2).backward(v)
    np.testing.assert_allclose(x.grad.numpy(), 2 * v.numpy())


def test_gradient_shape_must_match():
    x = leaf(3)
    with pytest.raises(RuntimeError, match="Mismatch in shape"):
        (x * 2).backward(nbtorch.ones(4, dtype=nbtorch.float64))


def test_backward_of_tensor_without_grad_raises():
    x = nbtorch.ones(3)
    with pytest.raises(RuntimeError, match="does not require grad"):
        x.sum().backward()


def test_second_backward_through_freed_graph_raises():
    x = leaf(3)
    y = (x.exp() * x).sum()
    y.backward()
    with pytest.raises(RuntimeError, match="backward through the graph a second time"):
        y.backward()


def test_retain_graph_allows_second_backward():
    x = leaf(3)
    y = (x.exp() * x).sum()
    y.backward(retain_graph=True)
    first = x.grad.clone()
    y.backward()
    np.testing.assert_allclose(x.grad.numpy(), 2 * first.numpy())


def test_no_grad_records_nothing():
    x = leaf(3)
    with nbtorch.no_grad():
        y = x * 2
    assert not y.requires_grad and y.grad_fn is None
    assert nbtorch.is_grad_enabled()

    @nbtorch.no_grad()
    def f(t):
        return t * 2

    assert not f(x).requires_grad
    with nbtorch.no_grad():
        with nbtorch.enable_grad():
            assert (x * 2).requires_grad
    nbtorch.set_grad_enabled(False)
    try:
        assert not (x * 2).requires_grad
    finally:
        nbtorch.set_grad_enabled(True)
    with nbtorch.set_grad_enabled(False):
        assert not (x * 2).requires_grad
    assert (x * 2).requires_grad
    with nbtorch.inference_mode():
        assert not (x * 2).requires_grad


def test_autograd_grad_leaves_dot_grad_untouched():
    x = leaf(3)
    y = (x * x).sum()
    (g,) = nbtorch.autograd.grad(y, x)
    np.testing.assert_allclose(g.numpy(), 2 * x.detach().numpy())
    assert x.grad is None


def test_autograd_grad_allow_unused():
    x, z = leaf(3), leaf(3)
    y = (x * 2).sum()
    with pytest.raises(RuntimeError, match="appears to not have been used"):
        nbtorch.autograd.grad(y, [x, z], retain_graph=True)
    gx, gz = nbtorch.autograd.grad(y, [x, z], allow_unused=True)
    assert gz is None
    np.testing.assert_allclose(gx.numpy(), np.full(3, 2.0))


def test_autograd_grad_wrt_intermediate():
    x = leaf(3)
    h = x * 3
    y = (h * h).sum()
    (gh,) = nbtorch.autograd.grad(y, h)
    np.testing.assert_allclose(gh.numpy(), 2 * h.detach().numpy())


def test_second_derivative_of_cube_is_6x():
    x = nbtorch.tensor([1.0, -2.0, 3.0], dtype=nbtorch.float64, requires_grad=True)
    (g,) = nbtorch.autograd.grad((x**3).sum(), x, create_graph=True)
    np.testing.assert_allclose(g.detach().numpy(), 3 * x.detach().numpy() ** 2)
    (h,) = nbtorch.autograd.grad(g.sum(), x)
    np.testing.assert_allclose(h.numpy(), 6 * x.detach().numpy())


def test_third_derivative_through_backward_with_create_graph():
    x = nbtorch.tensor(0.7, dtype=nbtorch.float64, requires_grad=True)
    y = x.tanh()
    (d1,) = nbtorch.autograd.grad(y, x, create_graph=True)
    (d2,) = nbtorch.autograd.grad(d1, x, create_graph=True)
    (d3,) = nbtorch.autograd.grad(d2, x)
    t = np.tanh(0.7)
    np.testing.assert_allclose(d1.item(), 1 - t**2)
    np.testing.assert_allclose(d2.item(), -2 * t * (1 - t**2))
    np.testing.assert_allclose(d3.item(), (-2 + 6 * t**2) * (1 - t**2))


def test_long_chain_has_no_recursion_limit():
    x = nbtorch.tensor([1.0], requires_grad=True)
    y = x
    for _ in range(100_000):
        y = y + 0.0
    y.sum().backward()
    assert x.grad.item() == 1.0


def test_inplace_change_of_saved_tensor_is_detected():
    x = leaf(3)
    y = x * 1
    z = y.exp()  # saves its output
    w = (y * y).sum()  # saves y
    y.add_(1)
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        w.backward()
    z.sum()  # no error: forward values are still usable


def test_inplace_on_saved_output_is_detected():
    x = leaf(3)
    y = x.exp()
    y.mul_(2)
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        y.sum().backward()


def test_inplace_on_leaf_requiring_grad_raises():
    x = leaf(3)
    with pytest.raises(RuntimeError, match="leaf Variable that requires grad"):
        x.add_(1)
    with nbtorch.no_grad():
        x.add_(1)  # allowed: this is how optimizers update parameters


def test_inplace_op_joins_the_graph():
    x = leaf(3)
    y = x * 2
    y.mul_(x)  # y = 2x * x
    y.sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), 4 * x.detach().numpy())


OVERWRITES = {  # in-place ops whose new values do not depend on the old ones
    "zero_": lambda L, y: y.zero_(),
    "fill_": lambda L, y: y.fill_(2.5),
    "copy_ from a constant": lambda L, y: y.copy_(L.tensor([[5.0, 6.0, 7.0]])),
    "normal_": lambda L, y: y.normal_(),
    "uniform_": lambda L, y: y.uniform_(),
    "fill_ with a tensor": lambda L, y: y.fill_(L.tensor(1.5)),
}


@pytest.mark.oracle
@pytest.mark.parametrize("name", list(OVERWRITES))
def test_overwriting_a_non_leaf_cuts_its_old_history(torch, name):
    """PyTorch: y = x * 3; y.zero_() leaves y requiring grad, and x gets a zero gradient
    through it (not the gradient of the old y = x * 3)."""
    grads = []
    for L in (nbtorch, torch):
        x = L.tensor([[1.0, -2.0, 3.0], [0.5, 4.0, -1.0]], requires_grad=True)
        y = x * 3
        OVERWRITES[name](L, y)
        assert y.requires_grad
        ((y * y).sum() + (x * x).sum()).backward()
        grads.append(x.grad.numpy())
    np.testing.assert_allclose(*grads)


@pytest.mark.oracle
def test_fill_with_a_tensor_requiring_grad_passes_it_gradient(torch):
    grads = []
    for L in (nbtorch, torch):
        w = L.tensor(2.0, requires_grad=True)
        x = L.tensor([1.0, 2.0, 4.0], requires_grad=True)
        y = x * 3
        y.fill_(w)
        (y * x).sum().backward()
        grads.append((w.grad.numpy(), x.grad.numpy()))
    for ours, theirs in zip(*grads):
        np.testing.assert_allclose(ours, theirs)


@pytest.mark.oracle
def test_times_or_over_a_number_keeps_no_tensor_for_backward(torch):
    """y * 2, 2 * y and y / 4 need only the number for their gradient: like PyTorch, they
    keep no tensor, so changing y in place afterwards does not stop their backward. 2 / y
    needs y (d/dy = -2 / y^2): both libraries refuse (their messages differ: the first
    backward freed the graph nbtorch's reciprocal reaches first)."""
    grads = []
    for L in (nbtorch, torch):
        x = L.tensor([1.0, 2.0, 3.0], requires_grad=True)
        y = x * 1
        products = [y * 2, 2 * y, y / 4]
        reciprocal = 2 / y
        y.add_(1)
        sum(p.sum() for p in products).backward()
        grads.append(x.grad.numpy().copy())
        with pytest.raises(RuntimeError):
            reciprocal.sum().backward()
    np.testing.assert_allclose(*grads)


def test_views_share_version_counter():
    x = nbtorch.zeros(4)
    v = x[1:3]
    x.add_(1)
    assert v._version == x._version == 1
    np.testing.assert_allclose(v.numpy(), [1.0, 1.0])


def test_tensor_hooks_see_and_replace_gradients():
    x = leaf(3)
    seen = []
    x.register_hook(lambda g: seen.append(g.clone()))
    h = x * 2
    handle = h.register_hook(lambda g: g * 10)
    h.sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), np.full(3, 20.0))
    np.testing.assert_allclose(seen[0].numpy(), np.full(3, 20.0))
    handle.remove()
    x.grad = None
    (x * 2).sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), np.full(3, 2.0))


def test_retain_grad_keeps_intermediate_gradient():
    x = leaf(3)
    h = x * 2
    h.retain_grad()
    (h * h).sum().backward()
    np.testing.assert_allclose(h.grad.numpy(), 2 * h.detach().numpy())
    assert h.retains_grad


def test_detach_cuts_the_graph():
    x = leaf(3)
    y = x.detach() * x
    y.sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), x.detach().numpy())


def test_requires_grad_rules():
    with pytest.raises(RuntimeError, match="floating point"):
        nbtorch.tensor([1, 2]).requires_grad_()
    y = leaf(2) * 2
    with pytest.raises(RuntimeError, match="leaf variables"):
        y.requires_grad = False
    assert y.is_leaf is False and leaf(1).is_leaf


def test_numpy_refuses_tensor_requiring_grad():
    with pytest.raises(RuntimeError, match="detach"):
        leaf(2).numpy()


class Cube(Function):
    @staticmethod
    def forward(ctx, x, scale):
        ctx.save_for_backward(x)
        ctx.scale = scale
        return scale * x**3

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return grad * 3 * ctx.scale * x**2, None


def test_custom_function_with_non_tensor_argument():
    x = leaf(4)
    y = Cube.apply(x, 2.0)
    assert y.grad_fn.name() == "CubeBackward"
    y.sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), 6 * x.detach().numpy() ** 2)
    assert gradcheck(lambda t: Cube.apply(t, 0.5), (leaf(3),))
    assert gradgradcheck(lambda t: Cube.apply(t, 0.5), (leaf(3),))


class SplitSign(Function):
    @staticmethod
    def forward(ctx, x):
        sign = x.sign() if hasattr(x, "sign") else (x > 0).double() * 2 - 1
        mag = x * sign
        ctx.mark_non_differentiable(sign)
        ctx.save_for_backward(sign)
        return mag, sign

    @staticmethod
    def backward(ctx, grad_mag, grad_sign):
        (sign,) = ctx.saved_tensors
        assert ctx.needs_input_grad == (True,)
        return grad_mag * sign


def test_custom_function_non_differentiable_output():
    x = leaf(5)
    mag, sign = SplitSign.apply(x)
    assert mag.requires_grad and not sign.requires_grad
    mag.sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), np.sign(x.detach().numpy()))


def test_wrong_number_of_gradients_is_reported():
    class Bad(Function):
        @staticmethod
        def forward(ctx, x, y):
            return x + y

        @staticmethod
        def backward(ctx, grad):
            return grad

    x = leaf(2)
    with pytest.raises(RuntimeError, match="incorrect number of gradients"):
        Bad.apply(x, x).sum().backward()


def test_detect_anomaly_names_the_function():
    x = nbtorch.tensor([0.0], dtype=nbtorch.float64, requires_grad=True)
    with nbtorch.autograd.detect_anomaly():
        y = x.sqrt() * 0  # d sqrt at 0 is inf, times 0 -> nan
        with pytest.raises(RuntimeError, match="returned nan values"):
            y.sum().backward()


def test_broadcast_error_names_the_sizes():
    with pytest.raises(RuntimeError, match=r"tensor a \(4\) must match the size of tensor b \(2\)"):
        nbtorch.ones(3, 4) + nbtorch.ones(4, 2)


def test_variable_is_a_tensor():
    v = nbtorch.autograd.Variable(nbtorch.ones(2), requires_grad=True)
    (v * 3).sum().backward()
    np.testing.assert_allclose(v.grad.numpy(), [3.0, 3.0])


def test_next_functions_describe_the_graph():
    x = leaf(2)
    y = x * 2 + 1
    names = [f.name() for f, _ in y.grad_fn.next_functions if f is not None]
    assert names == ["MulBackward0"]
    ((acc, _),) = y.grad_fn.next_functions[0][0].next_functions
    assert acc.name() == "AccumulateGrad" and acc.variable is x


@pytest.mark.oracle
def test_gradients_match_pytorch(torch):
    rng = np.random.default_rng(1)
    a0, b0 = rng.standard_normal((3, 4)), rng.standard_normal((4, 2))

    def f(lib, a, b):
        h = (a @ b).tanh() * a.sum() - (a.exp() / (b.sigmoid().sum() + 1)).mean()
        return (h**2).sum()

    a, b = (nbtorch.tensor(v, requires_grad=True) for v in (a0, b0))
    ta, tb = (torch.tensor(v, requires_grad=True) for v in (a0, b0))
    f(nbtorch, a, b).backward()
    f(torch, ta, tb).backward()
    np.testing.assert_allclose(a.grad.numpy(), ta.grad.numpy(), rtol=1e-10)
    np.testing.assert_allclose(b.grad.numpy(), tb.grad.numpy(), rtol=1e-10)


class _Twice(Function):
    """Doubles; its backward records the identity of each gradient array it makes."""

    made: list = []
    kept: list = []

    @staticmethod
    def forward(ctx, x):
        return x * 2

    @staticmethod
    def backward(ctx, grad):
        out = grad * 2
        _Twice.made.append(id(out._array))  # an int: no reference to the array
        if _Twice.keep:
            _Twice.kept.append(out)
        return out


def test_fresh_gradient_is_taken_over_without_a_copy():
    _Twice.made, _Twice.keep = [], False
    x = leaf(3)
    _Twice.apply(x).sum().backward()
    assert id(x.grad._array) == _Twice.made[0]  # .grad owns the array backward made
    np.testing.assert_allclose(x.grad.numpy(), np.full(3, 2.0))


def test_gradient_held_elsewhere_is_copied():
    _Twice.made, _Twice.kept, _Twice.keep = [], [], True
    x = leaf(3)
    _Twice.apply(x).sum().backward()
    assert id(x.grad._array) != _Twice.made[0]
    x.grad.add_(1)
    np.testing.assert_allclose(_Twice.kept[0].numpy(), np.full(3, 2.0))  # untouched


def test_user_gradient_is_never_aliased():
    x = leaf(2, 2)
    g = nbtorch.ones(4, dtype=nbtorch.float64)
    x.view(4).backward(g)  # the gradient reaching x is a view of g
    x.grad.add_(5)
    np.testing.assert_allclose(g.numpy(), np.ones(4))
    z = leaf(3)
    gz = nbtorch.ones(3, dtype=nbtorch.float64)
    z.backward(gz)  # a leaf as the root: its gradient is the user's tensor itself
    z.grad.add_(1)
    np.testing.assert_allclose(gz.numpy(), np.ones(3))
