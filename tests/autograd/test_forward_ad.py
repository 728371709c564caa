"""Forward-mode AD: dual levels, make_dual/unpack_dual, custom jvp, and every op's jvp rule.

Each op's jvp is checked two ways: against finite differences (``gradcheck(...,
check_forward_ad=True)``) and against the reverse-mode Jacobian (J v from forward mode
equals the Jacobian built by backward, times v).
"""

import importlib
import inspect
import math
import pkgutil

import numpy as np
import pytest

import nbtorch
import nbtorch.autograd.forward_ad as fwAD
import nbtorch.nn.functional as F
from nbtorch import func
from nbtorch.autograd import Function, gradcheck
from nbtorch.autograd.gradcheck import analytical_jacobian


def t64(*shape, low=None, high=None, seed=0):
    rng = np.random.default_rng(seed)
    a = rng.standard_normal(shape) if low is None else rng.uniform(low, high, shape)
    return nbtorch.tensor(a, dtype=nbtorch.float64)


# -- the API ----------------------------------------------------------------------------------


def test_course_example_tangent_matches_closed_form():
    x1, x2 = nbtorch.tensor(2.0, dtype=nbtorch.float64), nbtorch.tensor(5.0, dtype=nbtorch.float64)
    for seed, expected in [((1.0, 0.0), 1 / 2 + 5), ((0.0, 1.0), 2 - math.cos(5))]:
        with fwAD.dual_level():
            a = fwAD.make_dual(x1, nbtorch.tensor(seed[0], dtype=nbtorch.float64))
            b = fwAD.make_dual(x2, nbtorch.tensor(seed[1], dtype=nbtorch.float64))
            y = nbtorch.log(a) + a * b - nbtorch.sin(b)
            primal, tangent = fwAD.unpack_dual(y)
        assert primal.item() == pytest.approx(math.log(2) + 10 - math.sin(5))
        assert tangent.item() == pytest.approx(expected)


def test_unpack_dual_outside_level_and_after_exit():
    x = t64(3)
    primal, tangent = fwAD.unpack_dual(x)
    assert primal is x and tangent is None
    with fwAD.dual_level():
        y = fwAD.make_dual(x, t64(3, seed=1)).exp()
        assert fwAD.unpack_dual(y).tangent is not None
        assert fwAD.unpack_dual(fwAD.unpack_dual(y).primal).tangent is None
    assert fwAD.unpack_dual(y).tangent is None
    assert y._tangents in (None, {})  # the level's tangents were released


def test_make_dual_errors_like_pytorch():
    x = t64(3)
    with pytest.raises(RuntimeError, match="no level exists"):
        fwAD.make_dual(x, x)
    with fwAD.dual_level():
        with pytest.raises(RuntimeError, match=r"Tensor is of size \[3\] while the given "
                                               r"forward gradient is of size \[2\]"):
            fwAD.make_dual(x, t64(2))
        with pytest.raises(ValueError, match="floating point"):
            fwAD.make_dual(nbtorch.arange(3), nbtorch.arange(3))
        with pytest.raises(RuntimeError, match="Nested forward mode AD"):
            fwAD.enter_dual_level()


def test_exit_wrong_level_raises():
    level = fwAD.enter_dual_level()
    try:
        with pytest.raises(RuntimeError, match="not the last one"):
            fwAD.exit_dual_level(level=level + 100)
    finally:
        fwAD.exit_dual_level(level=level)


def test_dual_shares_memory_and_backward_reaches_primal():
    x = t64(3).requires_grad_()
    with fwAD.dual_level():
        d = fwAD.make_dual(x, t64(3, seed=2))
        (d * d).sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), 2 * x.detach().numpy())


def test_forward_over_reverse_gives_hessian_vector_product():
    x, v = t64(4), t64(4, seed=3)
    with fwAD.dual_level():
        xd = fwAD.make_dual(x.requires_grad_(), v)
        y = (xd.sin() * xd.exp()).sum()
        (g,) = nbtorch.autograd.grad(y, xd, create_graph=True)
        hv = fwAD.unpack_dual(g).tangent
    a = x.detach().numpy()
    # d2/dx2 (sin x e^x) = 2 cos(x) e^x (diagonal Hessian)
    np.testing.assert_allclose(hv.detach().numpy(), 2 * np.cos(a) * np.exp(a) * v.numpy())


class _CubeWithJvp(Function):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        ctx.save_for_forward(x)
        return x._array ** 3

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        return 3 * x * x * g

    @staticmethod
    def jvp(ctx, t):
        (x,) = ctx.saved_tensors
        return 3 * x * x * t


class _CubeWithoutJvp(_CubeWithJvp):
    jvp = Function.jvp


def test_custom_function_jvp_with_save_for_forward():
    x = t64(5).requires_grad_()
    assert gradcheck(_CubeWithJvp.apply, (x,), check_forward_ad=True)


def test_custom_function_without_jvp_raises():
    with fwAD.dual_level():
        d = fwAD.make_dual(t64(2), t64(2))
        with pytest.raises(NotImplementedError, match="implement the jvp function"):
            _CubeWithoutJvp.apply(d)


def test_builtin_op_without_rule_names_the_op():
    class Frobnicate(_CubeWithoutJvp):
        pass

    Frobnicate.__module__ = "nbtorch._ops.example"
    with fwAD.dual_level():
        d = fwAD.make_dual(t64(2), t64(2))
        with pytest.raises(NotImplementedError, match="forward AD with Frobnicate that does "
                                                      "not support it"):
            Frobnicate.apply(d)


def test_tangent_of_a_broadcast_operand_has_the_output_shape():
    with fwAD.dual_level():
        a = fwAD.make_dual(t64(3, 1), nbtorch.ones(3, 1, dtype=nbtorch.float64))
        y = a + t64(3, 4)
        assert fwAD.unpack_dual(y).tangent.shape == (3, 4)


def test_cast_casts_the_tangent():
    with fwAD.dual_level():
        d = fwAD.make_dual(t64(3), t64(3, seed=1))
        tangent = fwAD.unpack_dual(d.float()).tangent
    assert tangent.dtype == nbtorch.float32
    np.testing.assert_allclose(tangent.numpy(), t64(3, seed=1).numpy(), rtol=1e-6)


def test_inplace_ops_update_the_tangent():
    x, v = t64(3), t64(3, seed=1)
    with fwAD.dual_level():
        y = fwAD.make_dual(x, v).clone()
        y.mul_(2.0)
        y[0] = 7.0
        tangent = fwAD.unpack_dual(y).tangent
    np.testing.assert_allclose(tangent.numpy(), [0.0, *(2 * v.numpy()[1:])])


def test_integer_outputs_get_no_tangent():
    with fwAD.dual_level():
        d = fwAD.make_dual(t64(4), t64(4, seed=1))
        assert fwAD.unpack_dual(d.argmax()).tangent is None
        assert fwAD.unpack_dual(d > 0).tangent is None


# -- every op's jvp rule ---------------------------------------------------------------------

POS = dict(low=0.5, high=2.0)
UNIT = dict(low=-0.9, high=0.9)
AWAY = dict(low=0.2, high=0.8)  # away from 0 and 1 (kinks, integers)


def _idx(*values):
    return nbtorch.tensor(values, dtype=nbtorch.int64)


def _setitem(x, v):
    y = x.clone()
    y[0] = v
    return y


# (name, function of the tensors, list of input specs: (shape, kwargs of t64))
OPS = [
    ("add_broadcast", lambda a, b: a + b, [((3, 4), {}), ((4,), {})]),
    ("sub", lambda a, b: a - b, [((3, 4), {}), ((3, 1), {})]),
    ("mul_broadcast", lambda a, b: a * b, [((3, 1), {}), ((1, 4), {})]),
    ("div", lambda a, b: a / b, [((3, 4), {}), ((3, 4), POS)]),
    ("scalar_ops", lambda a: 2.0 / (a * 3.0 + 1.0) - 2.0, [((5,), POS)]),
    ("pow_scalar", lambda a: a ** 3, [((5,), {})]),
    ("pow_tensor", lambda a, b: a ** b, [((5,), POS), ((5,), {})]),
    ("rpow", lambda a: 2.0 ** a, [((5,), {})]),
    ("neg", lambda a: -a, [((5,), {})]),
    ("exp", nbtorch.exp, [((5,), {})]),
    ("expm1", "expm1", [((5,), {})]),
    ("log", nbtorch.log, [((5,), POS)]),
    ("log1p", "log1p", [((5,), POS)]),
    ("log2", "log2", [((5,), POS)]),
    ("log10", "log10", [((5,), POS)]),
    ("sqrt", nbtorch.sqrt, [((5,), POS)]),
    ("rsqrt", "rsqrt", [((5,), POS)]),
    ("reciprocal", "reciprocal", [((5,), POS)]),
    ("square", "square", [((5,), {})]),
    ("sin", "sin", [((5,), {})]),
    ("cos", "cos", [((5,), {})]),
    ("tan", "tan", [((5,), UNIT)]),
    ("asin", "asin", [((5,), UNIT)]),
    ("acos", "acos", [((5,), UNIT)]),
    ("atan", "atan", [((5,), {})]),
    ("sinh", "sinh", [((5,), {})]),
    ("cosh", "cosh", [((5,), {})]),
    ("tanh", nbtorch.tanh, [((5,), {})]),
    ("sigmoid", nbtorch.sigmoid, [((5,), {})]),
    ("relu", nbtorch.relu, [((5,), AWAY)]),
    ("erf", "erf", [((5,), {})]),
    ("abs", "abs", [((5,), AWAY)]),
    ("frac", "frac", [((5,), AWAY)]),
    ("floor", "floor", [((5,), AWAY)]),
    ("round", "round", [((5,), AWAY)]),
    ("nan_to_num", "nan_to_num", [((5,), {})]),
    ("where", lambda a, b: nbtorch.where(a > 0, a, b), [((3, 4), {}), ((4,), {})]),
    ("clamp", lambda a: nbtorch.clamp(a, -0.5, 0.5), [((8,), {})]),
    ("maximum", "maximum", [((6,), {}), ((6,), dict(low=5.0, high=6.0))]),
    ("minimum", "minimum", [((6,), {}), ((6,), dict(low=5.0, high=6.0))]),
    ("atan2", "atan2", [((5,), {}), ((5,), POS)]),
    ("remainder", lambda a: nbtorch.remainder(a, 1.5), [((5,), AWAY)]),
    ("fmod", lambda a: nbtorch.fmod(a, 1.5), [((5,), AWAY)]),
    ("lerp", lambda a, b, w: nbtorch.lerp(a, b, w), [((4,), {}), ((4,), {}), ((4,), {})]),
    ("addcmul", "addcmul", [((4,), {}), ((4,), {}), ((4,), {})]),
    ("addcdiv", "addcdiv", [((4,), {}), ((4,), {}), ((4,), POS)]),
    ("sum_all", lambda a: a.sum(), [((3, 4), {})]),
    ("sum_dim", lambda a: a.sum(1, keepdim=True), [((3, 4), {})]),
    ("mean_dim", lambda a: a.mean(0), [((3, 4), {})]),
    ("prod", lambda a: a.prod(1), [((3, 4), POS)]),
    ("amax", lambda a: nbtorch.amax(a, 1), [((3, 4), {})]),
    ("amin", lambda a: nbtorch.amin(a, 0), [((3, 4), {})]),
    ("max_dim", lambda a: a.max(1)[0], [((3, 4), {})]),
    ("min_all", lambda a: a.min(), [((3, 4), {})]),
    ("var", lambda a: a.var(1), [((3, 4), {})]),
    ("std", lambda a: a.std(), [((3, 4), {})]),
    ("norm", lambda a: a.norm(), [((3, 4), {})]),
    ("logsumexp", lambda a: nbtorch.logsumexp(a, 1), [((3, 4), {})]),
    ("softmax", lambda a: nbtorch.softmax(a, 1), [((3, 4), {})]),
    ("log_softmax", lambda a: nbtorch.log_softmax(a, 0), [((3, 4), {})]),
    ("view", lambda a: a.view(4, 3), [((3, 4), {})]),
    ("reshape_noncontig", lambda a: a.t().reshape(12), [((3, 4), {})]),
    ("permute", lambda a: a.permute(2, 0, 1), [((2, 3, 4), {})]),
    ("transpose", lambda a: a.transpose(0, 1) * 1.0, [((3, 4), {})]),
    ("expand", lambda a: a.expand(3, 4), [((3, 1), {})]),
    ("unsqueeze_squeeze", lambda a: a.unsqueeze(1).squeeze(), [((3, 4), {})]),
    ("flatten", lambda a: a.flatten(), [((2, 3, 2), {})]),
    ("clone_contiguous", lambda a: a.t().contiguous(), [((3, 4), {})]),
    ("repeat", lambda a: a.repeat(2, 1), [((2, 3), {})]),
    ("repeat_interleave", lambda a: nbtorch.repeat_interleave(a, 2), [((3,), {})]),
    ("tile", lambda a: nbtorch.tile(a, (2,)), [((3,), {})]),
    ("roll", lambda a: nbtorch.roll(a, 1, 0), [((3, 4), {})]),
    ("movedim", lambda a: nbtorch.movedim(a, 0, 2), [((2, 3, 4), {})]),
    ("narrow", lambda a: nbtorch.narrow(a, 1, 1, 2), [((3, 4), {})]),
    ("select", lambda a: nbtorch.select(a, 0, 1), [((3, 4), {})]),
    ("broadcast_to", lambda a: nbtorch.broadcast_to(a, (2, 3)), [((3,), {})]),
    ("cat", lambda a, b: nbtorch.cat([a, b], 1), [((2, 3), {}), ((2, 2), {})]),
    ("stack", lambda a, b: nbtorch.stack([a, b], 0), [((2, 3), {}), ((2, 3), {})]),
    ("split", lambda a: nbtorch.split(a, 2, 1), [((2, 5), {})]),
    ("chunk", lambda a: nbtorch.chunk(a, 2, 0), [((4, 2), {})]),
    ("unbind", lambda a: nbtorch.unbind(a, 1), [((2, 3), {})]),
    ("getitem_basic", lambda a: a[1:, ::2], [((3, 4), {})]),
    ("getitem_advanced", lambda a: a[[0, 2, 0]], [((3, 4), {})]),
    ("getitem_mask", lambda a: a[a > 0], [((3, 4), {})]),
    ("setitem", _setitem, [((3, 4), {}), ((4,), {})]),
    ("gather", lambda a: nbtorch.gather(a, 1, _idx([0, 0], [1, 3], [2, 2])), [((3, 4), {})]),
    ("scatter", lambda a, s: nbtorch.scatter(a, 1, _idx([0, 1], [1, 3], [2, 0]), s),
     [((3, 4), {}), ((3, 2), {})]),
    ("scatter_add", lambda a, s: nbtorch.scatter_add(a, 0, _idx([0, 1, 2, 0]), s),
     [((3, 4), {}), ((1, 4), {})]),
    ("index_select", lambda a: nbtorch.index_select(a, 0, _idx(2, 0, 2)), [((3, 4), {})]),
    ("index_add", lambda a, s: nbtorch.index_add(a, 0, _idx(2, 0), s),
     [((3, 4), {}), ((2, 4), {})]),
    ("masked_fill", lambda a: nbtorch.masked_fill(a, a > 0, 0.5), [((3, 4), {})]),
    ("masked_select", lambda a: nbtorch.masked_select(a, a > 0), [((3, 4), {})]),
    ("take", lambda a: nbtorch.take(a, _idx(0, 5, 11)), [((3, 4), {})]),
    ("take_along_dim", lambda a: nbtorch.take_along_dim(a, _idx([0], [2], [1]), 1),
     [((3, 4), {})]),
    ("mm", nbtorch.mm, [((3, 4), {}), ((4, 2), {})]),
    ("bmm", nbtorch.bmm, [((2, 3, 4), {}), ((2, 4, 2), {})]),
    ("mv", nbtorch.mv, [((3, 4), {}), ((4,), {})]),
    ("dot", nbtorch.dot, [((4,), {}), ((4,), {})]),
    ("matmul_broadcast", nbtorch.matmul, [((2, 3, 4), {}), ((4, 2), {})]),
    ("matmul_vec_mat", nbtorch.matmul, [((3,), {}), ((3, 2), {})]),
    ("leaky_relu", lambda a: F.leaky_relu(a, 0.1), [((5,), AWAY)]),
    ("elu", F.elu, [((6,), {})]),
    ("gelu", F.gelu, [((6,), {})]),
    ("silu", F.silu, [((6,), {})]),
    ("softplus", F.softplus, [((6,), {})]),
    ("hardtanh", F.hardtanh, [((6,), UNIT)]),
    ("relu6", F.relu6, [((6,), AWAY)]),
    ("linear", F.linear, [((2, 3), {}), ((4, 3), {}), ((4,), {})]),
    ("mse_loss", F.mse_loss, [((3, 4), {}), ((3, 4), {})]),
    ("l1_loss", F.l1_loss, [((3, 4), {}), ((3, 4), dict(low=5.0, high=6.0))]),
    ("smooth_l1_loss", F.smooth_l1_loss, [((3, 4), {}), ((3, 4), {})]),
    ("binary_cross_entropy", F.binary_cross_entropy, [((4,), AWAY), ((4,), AWAY)]),
    ("bce_with_logits", F.binary_cross_entropy_with_logits, [((4,), {}), ((4,), AWAY)]),
    ("kl_div", lambda a, b: F.kl_div(a, b, reduction="sum"), [((4,), {}), ((4,), POS)]),
    ("cross_entropy", lambda a: F.cross_entropy(a, _idx(0, 2, 1)), [((3, 4), {})]),
    ("nll_loss", lambda a: F.nll_loss(a, _idx(0, 2, 1)), [((3, 4), {})]),
    ("normalize", F.normalize, [((3, 4), {})]),
    ("cosine_similarity", F.cosine_similarity, [((3, 4), {}), ((3, 4), {})]),
    ("pairwise_distance", F.pairwise_distance, [((3, 4), {}), ((3, 4), {})]),
]


def _resolve(fn):
    if isinstance(fn, str):
        if not hasattr(nbtorch, fn):
            pytest.skip(f"nbtorch.{fn} does not exist yet")
        return getattr(nbtorch, fn)
    return fn


def _inputs(specs, seed=0):
    return tuple(t64(*shape, seed=seed + i, **kw).requires_grad_()
                 for i, (shape, kw) in enumerate(specs))


# Cases whose op has no jvp rule yet (see NO_JVP_YET below): strict, so a new rule shows up.
MISSING_JVP: dict = {}
CASES = [pytest.param(*c, id=c[0], marks=[pytest.mark.xfail(
    raises=NotImplementedError, strict=True, reason=MISSING_JVP[c[0]])]
    if c[0] in MISSING_JVP else []) for c in OPS]


@pytest.mark.parametrize("name, fn, specs", CASES)
def test_op_jvp_matches_finite_differences(name, fn, specs):
    fn = _resolve(fn)
    assert gradcheck(fn, _inputs(specs), check_forward_ad=True, check_backward_ad=False)


@pytest.mark.parametrize("name, fn, specs", CASES)
def test_op_jvp_equals_reverse_jacobian_times_v(name, fn, specs):
    fn = _resolve(fn)
    xs = _inputs(specs)
    vs = tuple(t64(*x.shape, seed=10 + i) for i, x in enumerate(xs))
    _, tangents = func.jvp(fn, tuple(x.detach() for x in xs), vs)
    tangents = tangents if isinstance(tangents, tuple) else (tangents,)
    jac = analytical_jacobian(fn, xs)  # jac[input][output], rows from backward
    for m, t in enumerate(tangents):
        expected = sum(jac[k][m] @ v.numpy().reshape(-1) for k, v in enumerate(vs))
        np.testing.assert_allclose(t.numpy().reshape(-1), expected, rtol=1e-10, atol=1e-12)


def _op_classes():
    import nbtorch._ops as ops

    for info in pkgutil.iter_modules(ops.__path__):
        module = importlib.import_module(f"nbtorch._ops.{info.name}")
        for name, cls in vars(module).items():
            if (inspect.isclass(cls) and issubclass(cls, Function) and not name.startswith("_")
                    and cls.__module__ == module.__name__):
                yield cls


# Built-in Functions still without a jvp rule (shrink this list; never grow it).
NO_JVP_YET: set = set()


def test_every_builtin_function_has_a_jvp_rule():
    missing = {c.__name__ for c in _op_classes() if c.jvp is Function.jvp}
    assert missing <= NO_JVP_YET, f"ops without a jvp rule: {sorted(missing - NO_JVP_YET)}"
