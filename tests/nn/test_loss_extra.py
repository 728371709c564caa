"""The margin losses and the Poisson and Gaussian negative log-likelihoods against PyTorch:
values and gradients for each reduction (and the legacy size_average/reduce flags), the
module forms, gradcheck and gradgradcheck in float64 (reverse and forward mode), and
PyTorch's exception and message for bad input."""

import warnings

import numpy as np
import pytest

import nbtorch
from nbtorch import nn
from nbtorch.autograd import gradcheck, gradgradcheck
from nbtorch.nn import functional as F

REDUCTIONS = ["none", "mean", "sum"]
rng = np.random.default_rng(0)


def _normal(*shape):
    return rng.standard_normal(shape).astype(np.float32)


def _signs(*shape, zeros=False):
    """Labels +1 / -1 (and 0, which counts as neither, with ``zeros``) as float32."""
    choices = [-1.0, 0.0, 1.0] if zeros else [-1.0, 1.0]
    return rng.choice(choices, shape).astype(np.float32)


X, X2, X3 = _normal(5, 4), _normal(5, 4), _normal(5, 4)
COUNTS = rng.poisson(2.0, (5, 4)).astype(np.float32)
POSITIVE_COUNTS = np.maximum(COUNTS, 1)  # 1 and above: both sides of Stirling's mask
LABEL_LISTS = np.array([[3, 0, -1, 1],  # classes 3 and 0 (what follows -1 is ignored)
                        [1, 2, 3, -1],
                        [0, 0, -1, 2],  # class 0 listed twice: it counts twice
                        [2, 2, 2, 2],
                        [-1, 3, 3, 3]])  # no class at all
CLASSES = np.array([0, 3, 1, 2, 3])


def _distance(F):
    """A distance function other than the default: 1 - cosine similarity."""
    return lambda a, b: 1 - F.cosine_similarity(a, b, dim=-1)


# name: (function, arguments in order as (array or number, requires grad), keyword arguments
# (or a function of the library's functional module that makes them))
CASES = {
    "margin_ranking": ("margin_ranking_loss",
                       [(X[:, 0], True), (X2[:, 0], True), (_signs(5), False)],
                       {"margin": 0.3}),
    "margin_ranking, broadcast": ("margin_ranking_loss",
                                  [(X, True), (X2[:1], True), (_signs(5, 1), False)], {}),
    "hinge_embedding": ("hinge_embedding_loss",
                        [(np.abs(X), True), (_signs(5, 4, zeros=True), False)],
                        {"margin": 0.8}),
    "cosine_embedding": ("cosine_embedding_loss",
                         [(X, True), (X2, True), (_signs(5), False)], {"margin": 0.2}),
    "cosine_embedding, one pair": ("cosine_embedding_loss",
                                   [(X[0], True), (X2[0], True),
                                    (np.array(-1.0, np.float32), False)], {"margin": -0.5}),
    "soft_margin": ("soft_margin_loss", [(X * 3, True), (_signs(5, 4), False)], {}),
    "multilabel_soft_margin": ("multilabel_soft_margin_loss",
                               [(X, True), ((X2 > 0).astype(np.float32), False)], {}),
    "multilabel_soft_margin, weight": ("multilabel_soft_margin_loss",
                                       [(X, True), ((X2 > 0).astype(np.float32), False)],
                                       {"weight": np.abs(X3[0])}),
    "multilabel_margin": ("multilabel_margin_loss", [(X, True), (LABEL_LISTS, False)], {}),
    "multilabel_margin, one sample": ("multilabel_margin_loss",
                                      [(X[0], True), (LABEL_LISTS[0], False)], {}),
    "multi_margin": ("multi_margin_loss", [(X, True), (CLASSES, False)], {}),
    "multi_margin, p=2, weight": ("multi_margin_loss", [(X, True), (CLASSES, False)],
                                  {"p": 2, "margin": 0.7, "weight": np.abs(X3[0]) + 0.5}),
    "multi_margin, one sample": ("multi_margin_loss",
                                 [(X[0], True), (np.array(2), False)], {"margin": 1.5}),
    "triplet_margin": ("triplet_margin_loss", [(X, True), (X2, True), (X3, True)], {}),
    "triplet_margin, p=1, swap": ("triplet_margin_loss", [(X, True), (X2, True), (X3, True)],
                                  {"p": 1, "swap": True, "margin": 2.0}),
    "triplet_margin, p=3, eps": ("triplet_margin_loss", [(X, True), (X2, True), (X3, True)],
                                 {"p": 3, "eps": 1e-2, "swap": True, "margin": 0.5}),
    "triplet_margin_with_distance": ("triplet_margin_with_distance_loss",
                                     [(X, True), (X2, True), (X3, True)], {"swap": True}),
    "triplet_margin_with_distance, cosine": (
        "triplet_margin_with_distance_loss", [(X, True), (X2, True), (X3, True)],
        lambda F: {"distance_function": _distance(F), "margin": 0.4}),
    "poisson_nll": ("poisson_nll_loss", [(X, True), (COUNTS, True)], {}),
    "poisson_nll, full": ("poisson_nll_loss", [(X, True), (POSITIVE_COUNTS, True)],
                          {"full": True}),
    "poisson_nll, full, counts between integers": (
        "poisson_nll_loss", [(X, True), (COUNTS + 0.5, True)], {"full": True}),
    "poisson_nll, rates, full": ("poisson_nll_loss", [(np.abs(X), True), (COUNTS, False)],
                                 {"log_input": False, "full": True, "eps": 1e-3}),
    "gaussian_nll": ("gaussian_nll_loss",
                     [(X, True), (X2, True), (np.abs(X3) + 0.1, True)], {}),
    "gaussian_nll, full, var one dim short": (
        "gaussian_nll_loss", [(X, True), (X2, True), (np.abs(X3[:, 0]), True)],
        {"full": True}),
    "gaussian_nll, var of size 1 along a dim": (
        "gaussian_nll_loss", [(X, True), (X2, True), (np.abs(X3[:1]), True)], {}),
    "gaussian_nll, var clamped at eps": (
        "gaussian_nll_loss", [(X, True), (X2, True), (np.abs(X3) * (X3 > 0), True)],
        {"eps": 0.05}),
    "gaussian_nll, var a number": ("gaussian_nll_loss", [(X, True), (X2, True), (0.7, False)],
                                   {}),
}


def _tensors(lib, args, dtype=None):
    """The arguments as ``lib``'s tensors (numbers stay numbers)."""
    out = []
    for a, grad in args:
        if not isinstance(a, np.ndarray):
            out.append(a)
            continue
        a = a.astype(dtype) if dtype is not None and a.dtype.kind == "f" else a
        out.append(lib.tensor(a, requires_grad=grad))
    return out


def _kwargs(lib, functional, kwargs):
    kwargs = kwargs(functional) if callable(kwargs) else dict(kwargs)
    return {k: lib.tensor(v) if isinstance(v, np.ndarray) else v for k, v in kwargs.items()}


def _loss_and_grads(lib, functional, case, **options):
    name, args, kwargs = CASES[case]
    tensors = _tensors(lib, args)
    out = getattr(functional, name)(*tensors, **_kwargs(lib, functional, kwargs), **options)
    seed = np.linspace(0.5, 1.5, max(out.numel(), 1), dtype=np.float32)
    out.backward(lib.tensor(seed[:out.numel()].reshape(tuple(out.shape))))
    grads = [t.grad.numpy() for t, (_, g) in zip(tensors, args) if g]
    return out.detach().numpy(), grads


def _assert_same(ours, theirs):
    (out, grads), (tout, tgrads) = ours, theirs
    assert out.shape == tout.shape and out.dtype == tout.dtype
    np.testing.assert_allclose(out, tout, rtol=1e-5, atol=1e-6)
    assert len(grads) == len(tgrads)
    for g, tg in zip(grads, tgrads):
        np.testing.assert_allclose(g, tg, rtol=1e-5, atol=1e-6)


@pytest.mark.oracle
@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("case", list(CASES))
def test_loss_and_gradients_match_pytorch(torch, case, reduction):
    _assert_same(_loss_and_grads(nbtorch, F, case, reduction=reduction),
                 _loss_and_grads(torch, torch.nn.functional, case, reduction=reduction))


@pytest.mark.oracle
@pytest.mark.parametrize("legacy", [{"size_average": False}, {"reduce": False},
                                    {"size_average": True, "reduce": True}])
@pytest.mark.parametrize("case", ["margin_ranking", "hinge_embedding", "cosine_embedding",
                                  "soft_margin", "multilabel_soft_margin", "multi_margin",
                                  "multilabel_margin", "triplet_margin", "poisson_nll"])
def test_legacy_reduction_flags_match_pytorch(torch, case, legacy):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # PyTorch warns that the flags are deprecated
        theirs = _loss_and_grads(torch, torch.nn.functional, case, **legacy)
    _assert_same(_loss_and_grads(nbtorch, F, case, **legacy), theirs)


# -- gradcheck (float64, reverse and forward mode) --------------------------------------------

SMOOTH = ["cosine_embedding", "soft_margin", "multilabel_soft_margin, weight",
          "triplet_margin", "triplet_margin_with_distance, cosine",
          "poisson_nll, full, counts between integers",
          "poisson_nll, rates, full", "gaussian_nll", "gaussian_nll, full, var one dim short"]


def _differentiable(case, reduction):
    """The loss as a function of the arguments that require grad (float64), and those."""
    name, args, kwargs = CASES[case]
    tensors = _tensors(nbtorch, args, np.float64)
    kwargs = {k: v.double() if isinstance(v, nbtorch.Tensor) else v
              for k, v in _kwargs(nbtorch, F, kwargs).items()}
    free = [i for i, (_, g) in enumerate(args) if g]

    def loss(*xs):
        full = list(tensors)
        for i, x in zip(free, xs):
            full[i] = x
        return getattr(F, name)(*full, reduction=reduction, **kwargs)

    return loss, tuple(tensors[i] for i in free)


# Not these: at a count of 1 the Stirling term jumps (masked below, not above), and the
# clamp of var at eps passes its gradient through (as PyTorch's does) where the loss is flat.
NOT_DIFFERENTIABLE_EVERYWHERE = ["poisson_nll, full", "gaussian_nll, var clamped at eps"]


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("case", [c for c in CASES if c not in NOT_DIFFERENTIABLE_EVERYWHERE])
def test_gradcheck(case, reduction):
    loss, inputs = _differentiable(case, reduction)
    assert gradcheck(loss, inputs, check_forward_ad=True)


@pytest.mark.parametrize("case", SMOOTH)
def test_gradgradcheck(case):
    loss, inputs = _differentiable(case, "sum")
    assert gradgradcheck(loss, inputs)


# -- modules ------------------------------------------------------------------------------------

MODULES = [  # class name, constructor arguments (a function of the library), case
    ("MarginRankingLoss", lambda lib: {"margin": 0.3}, "margin_ranking"),
    ("HingeEmbeddingLoss", lambda lib: {"margin": 0.8}, "hinge_embedding"),
    ("CosineEmbeddingLoss", lambda lib: {"margin": 0.2}, "cosine_embedding"),
    ("SoftMarginLoss", lambda lib: {}, "soft_margin"),
    ("MultiLabelSoftMarginLoss", lambda lib: {"weight": lib.tensor(np.abs(X3[0]))},
     "multilabel_soft_margin"),
    ("MultiLabelMarginLoss", lambda lib: {}, "multilabel_margin"),
    ("MultiMarginLoss", lambda lib: {"p": 2, "margin": 0.7,
                                     "weight": lib.tensor(np.abs(X3[0]) + 0.5)},
     "multi_margin"),
    ("TripletMarginLoss", lambda lib: {"p": 1, "swap": True, "margin": 2.0}, "triplet_margin"),
    ("TripletMarginWithDistanceLoss",
     lambda lib: {"distance_function": _distance(lib.nn.functional), "swap": True},
     "triplet_margin"),
    ("TripletMarginWithDistanceLoss", lambda lib: {}, "triplet_margin"),
    ("PoissonNLLLoss", lambda lib: {"log_input": False, "full": True, "eps": 1e-3},
     "poisson_nll, rates, full"),
    ("GaussianNLLLoss", lambda lib: {"full": True, "eps": 0.05},
     "gaussian_nll, var clamped at eps"),
]


def _module_result(lib, name, make_kwargs, case, reduction):
    module = getattr(lib.nn, name)(reduction=reduction, **make_kwargs(lib))
    tensors = _tensors(lib, CASES[case][1])
    out = module(*tensors)
    out.sum().backward()
    return out.detach().numpy(), [t.grad.numpy() for t in tensors
                                  if isinstance(t, lib.Tensor) and t.requires_grad]


@pytest.mark.oracle
@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("name,make_kwargs,case", MODULES)
def test_modules_match_pytorch(torch, name, make_kwargs, case, reduction):
    _assert_same(_module_result(nbtorch, name, make_kwargs, case, reduction),
                 _module_result(torch, name, make_kwargs, case, reduction))


@pytest.mark.oracle
def test_module_reprs_and_weight_buffers_match_pytorch(torch):
    for name in ["MarginRankingLoss", "SoftMarginLoss", "MultiMarginLoss", "GaussianNLLLoss",
                 "TripletMarginLoss", "PoissonNLLLoss", "MultiLabelSoftMarginLoss",
                 "TripletMarginWithDistanceLoss", "HingeEmbeddingLoss"]:
        assert repr(getattr(nn, name)()) == repr(getattr(torch.nn, name)())
    weight = np.abs(X3[0])
    ours = nn.MultiMarginLoss(weight=nbtorch.tensor(weight))
    theirs = torch.nn.MultiMarginLoss(weight=torch.tensor(weight))
    assert list(ours.state_dict()) == list(theirs.state_dict()) == ["weight"]


# -- errors ----------------------------------------------------------------------------------

ERRORS = {  # name: a call of the library's functional module F or nn, with tensors made by L
    "margin_ranking, dims": lambda L, F: F.margin_ranking_loss(L.ones(3), L.ones(3, 1),
                                                               L.ones(3)),
    "margin_ranking, reduction": lambda L, F: F.margin_ranking_loss(
        L.ones(3), L.ones(3), L.ones(3), reduction="bad"),
    "hinge_embedding, reduction": lambda L, F: F.hinge_embedding_loss(
        L.ones(3), L.ones(3), reduction="batchmean"),
    "cosine_embedding, 2-d target": lambda L, F: F.cosine_embedding_loss(
        L.ones(3, 4), L.ones(3, 4), L.ones(3, 1)),
    "cosine_embedding, 0-d target, 2-d inputs": lambda L, F: F.cosine_embedding_loss(
        L.ones(3, 4), L.ones(3, 4), L.ones(())),
    "cosine_embedding, 1-d target, 1-d inputs": lambda L, F: F.cosine_embedding_loss(
        L.ones(4), L.ones(4), L.ones(3)),
    "soft_margin, reduction": lambda L, F: F.soft_margin_loss(L.ones(3), L.ones(3),
                                                             reduction="bad"),
    "multilabel_soft_margin, reduction": lambda L, F: F.multilabel_soft_margin_loss(
        L.ones(3, 2), L.ones(3, 2), reduction="bad"),
    "multi_margin, p": lambda L, F: F.multi_margin_loss(L.ones(3, 4), L.zeros(3).long(), p=3),
    "multi_margin, 2-d weight": lambda L, F: F.multi_margin_loss(
        L.ones(3, 4), L.zeros(3).long(), weight=L.ones(2, 2)),
    "multi_margin, weight size": lambda L, F: F.multi_margin_loss(
        L.ones(3, 4), L.zeros(3).long(), weight=L.ones(3)),
    "multi_margin, weight dtype": lambda L, F: F.multi_margin_loss(
        L.ones(3, 4), L.zeros(3).long(), weight=L.ones(4, dtype=L.float64)),
    "multi_margin, target size": lambda L, F: F.multi_margin_loss(L.ones(3, 4),
                                                                  L.zeros(2).long()),
    "multi_margin, 2-d target": lambda L, F: F.multi_margin_loss(L.ones(3, 4),
                                                                 L.zeros(3, 1).long()),
    "multi_margin, target too large": lambda L, F: F.multi_margin_loss(
        L.ones(3, 4), L.tensor([0, 4, 1])),
    "multi_margin, negative target": lambda L, F: F.multi_margin_loss(
        L.ones(3, 4), L.tensor([0, -1, 1])),
    "multi_margin, float target": lambda L, F: F.multi_margin_loss(L.ones(3, 4), L.zeros(3)),
    "multi_margin, int32 target": lambda L, F: F.multi_margin_loss(
        L.ones(3, 4), L.zeros(3, dtype=L.int32)),
    "multi_margin, 3-d input": lambda L, F: F.multi_margin_loss(L.ones(2, 3, 4),
                                                                L.zeros(2).long()),
    "multi_margin, no classes": lambda L, F: F.multi_margin_loss(L.ones(3, 0),
                                                                 L.zeros(3).long()),
    "multi_margin, integer input": lambda L, F: F.multi_margin_loss(L.ones(3, 4).long(),
                                                                    L.zeros(3).long()),
    "multi_margin, reduction": lambda L, F: F.multi_margin_loss(
        L.ones(3, 4), L.zeros(3).long(), reduction="bad"),
    "multilabel_margin, target size": lambda L, F: F.multilabel_margin_loss(
        L.ones(3, 4), L.zeros(2, 4).long()),
    "multilabel_margin, 1-d target size": lambda L, F: F.multilabel_margin_loss(
        L.ones(4), L.zeros(3).long()),
    "multilabel_margin, 2-d target of one sample": lambda L, F: F.multilabel_margin_loss(
        L.ones(4), L.zeros(1, 4).long()),
    "multilabel_margin, target too large after -1": lambda L, F: F.multilabel_margin_loss(
        L.ones(2, 4), L.tensor([[0, -1, 7, 1], [1, 2, -1, 0]])),
    "multilabel_margin, target below -1": lambda L, F: F.multilabel_margin_loss(
        L.ones(2, 4), L.tensor([[-2, 0, -1, 1], [1, 2, -1, 0]])),
    "multilabel_margin, float target": lambda L, F: F.multilabel_margin_loss(L.ones(3, 4),
                                                                             L.zeros(3, 4)),
    "multilabel_margin, no classes": lambda L, F: F.multilabel_margin_loss(
        L.ones(3, 0), L.zeros(3, 0).long()),
    "multilabel_margin, 3-d input": lambda L, F: F.multilabel_margin_loss(
        L.ones(2, 3, 4), L.zeros(2, 3, 4).long()),
    "triplet_margin, margin": lambda L, F: F.triplet_margin_loss(
        L.ones(3, 4), L.ones(3, 4), L.ones(3, 4), margin=0),
    "triplet_margin, dims": lambda L, F: F.triplet_margin_loss(L.ones(3, 4), L.ones(3, 4),
                                                               L.ones(4)),
    "triplet_margin, reduction": lambda L, F: F.triplet_margin_loss(
        L.ones(3, 4), L.ones(3, 4), L.ones(3, 4), reduction="bad"),
    "triplet_margin_with_distance, reduction": lambda L, F: (
        F.triplet_margin_with_distance_loss(L.ones(3, 4), L.ones(3, 4), L.ones(3, 4),
                                            reduction="bad")),
    "triplet_margin_with_distance, margin": lambda L, F: F.triplet_margin_with_distance_loss(
        L.ones(3, 4), L.ones(3, 4), L.ones(3, 4), margin=-1.0),
    "triplet_margin_with_distance, dims": lambda L, F: F.triplet_margin_with_distance_loss(
        L.ones(3, 4), L.ones(4), L.ones(3, 4)),
    "poisson_nll, reduction": lambda L, F: F.poisson_nll_loss(L.ones(3), L.ones(3),
                                                              reduction="bad"),
    "gaussian_nll, negative number var": lambda L, F: F.gaussian_nll_loss(
        L.ones(3, 4), L.ones(3, 4), -1.0),
    "gaussian_nll, negative var": lambda L, F: F.gaussian_nll_loss(
        L.ones(3, 4), L.ones(3, 4), -L.ones(3, 4)),
    "gaussian_nll, var (1, 1)": lambda L, F: F.gaussian_nll_loss(L.ones(3, 4), L.ones(3, 4),
                                                                 L.ones(1, 1)),
    "gaussian_nll, var (4,)": lambda L, F: F.gaussian_nll_loss(L.ones(3, 4), L.ones(3, 4),
                                                               L.ones(4)),
    "gaussian_nll, var (3, 2)": lambda L, F: F.gaussian_nll_loss(L.ones(3, 4), L.ones(3, 4),
                                                                 L.ones(3, 2)),
    "gaussian_nll, reduction": lambda L, F: F.gaussian_nll_loss(
        L.ones(3, 4), L.ones(3, 4), L.ones(3, 4), reduction="bad"),
    "MultiMarginLoss, p": lambda L, F: L.nn.MultiMarginLoss(p=0),
    "MultiMarginLoss, 2-d weight": lambda L, F: L.nn.MultiMarginLoss(weight=L.ones(2, 2)),
    "TripletMarginLoss, margin": lambda L, F: L.nn.TripletMarginLoss(margin=0.0),
    "TripletMarginWithDistanceLoss, margin": lambda L, F: L.nn.TripletMarginWithDistanceLoss(
        margin=-0.5),
}


@pytest.mark.oracle
@pytest.mark.parametrize("case", list(ERRORS))
def test_errors_match_pytorch(torch, case):
    with pytest.raises(Exception) as theirs:
        ERRORS[case](torch, torch.nn.functional)
    with pytest.raises(type(theirs.value)) as ours:
        ERRORS[case](nbtorch, F)
    assert str(ours.value).replace("nbtorch.", "torch.") == str(theirs.value)


@pytest.mark.oracle
def test_poisson_stirling_term_has_a_finite_target_gradient_at_zero_counts(torch):
    """Below 2 counts the Stirling term is masked off, so d loss / d target there is that of
    the loss without it. PyTorch's is nan at a count of 0 (the masked target log(target)
    still meets 0 * -inf in its backward); ours is the finite value."""
    assert (COUNTS == 0).any()
    grads = {}
    for full in (False, True):
        target = nbtorch.tensor(COUNTS, requires_grad=True)
        F.poisson_nll_loss(nbtorch.tensor(X), target, full=full, reduction="sum").backward()
        grads[full] = target.grad.numpy()
    masked = COUNTS <= 1
    np.testing.assert_allclose(grads[True][masked], grads[False][masked], rtol=1e-6)
    target = torch.tensor(COUNTS, requires_grad=True)
    torch.nn.functional.poisson_nll_loss(torch.tensor(X), target, full=True,
                                         reduction="sum").backward()
    theirs = target.grad.numpy()
    counted = COUNTS > 0
    np.testing.assert_allclose(grads[True][counted], theirs[counted], rtol=1e-5, atol=1e-6)


def test_bad_input_leaves_the_inputs_as_they_were():
    x = nbtorch.tensor(X, requires_grad=True)
    target = nbtorch.tensor([0, 9, 1, 2, 3])
    with pytest.raises(RuntimeError, match="target out of range"):
        F.multi_margin_loss(x, target)
    np.testing.assert_array_equal(x.detach().numpy(), X)
    np.testing.assert_array_equal(target.numpy(), [0, 9, 1, 2, 3])
    assert x.grad is None
