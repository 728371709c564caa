"""Lazy modules (nn.LazyLinear, LazyConv*, LazyConvTranspose*, LazyBatchNorm*,
LazyInstanceNorm*) and nn.UninitializedParameter / UninitializedBuffer.

Against PyTorch: the repr before and after the first call, the class it becomes, the
shapes of parameters and buffers, the state_dict keys and the errors. Within nbtorch: a lazy
module draws the same random weights as the non-lazy one built with the inferred size (PyTorch
has that property too, checked below), so training a lazy model equals training the
non-lazy one.
"""

import copy
import pickle

import numpy as np
import pytest

import nbtorch
from nbtorch import nn
from nbtorch.nn.parameter import UninitializedBuffer, UninitializedParameter, is_lazy

# (id, the lazy layer built from a torch.nn-like namespace, the non-lazy one with the size
# the input gives, input shape)
LAZY = [
    ("LazyLinear", lambda n: n.LazyLinear(3), lambda n: n.Linear(5, 3), (2, 5)),
    ("LazyLinear no bias 3-d", lambda n: n.LazyLinear(4, bias=False),
     lambda n: n.Linear(6, 4, bias=False), (2, 3, 6)),
    ("LazyConv1d", lambda n: n.LazyConv1d(4, 3, padding=1),
     lambda n: n.Conv1d(2, 4, 3, padding=1), (2, 2, 7)),
    ("LazyConv1d unbatched", lambda n: n.LazyConv1d(4, 3), lambda n: n.Conv1d(3, 4, 3),
     (3, 7)),
    ("LazyConv2d groups", lambda n: n.LazyConv2d(4, (3, 2), stride=2, groups=2),
     lambda n: n.Conv2d(6, 4, (3, 2), stride=2, groups=2), (2, 6, 7, 6)),
    ("LazyConv2d no bias", lambda n: n.LazyConv2d(5, 3, bias=False),
     lambda n: n.Conv2d(3, 5, 3, bias=False), (1, 3, 5, 5)),
    ("LazyConvTranspose1d", lambda n: n.LazyConvTranspose1d(4, 3, stride=2),
     lambda n: n.ConvTranspose1d(3, 4, 3, stride=2), (2, 3, 5)),
    ("LazyConvTranspose2d groups", lambda n: n.LazyConvTranspose2d(4, 3, groups=2),
     lambda n: n.ConvTranspose2d(2, 4, 3, groups=2), (1, 2, 4, 4)),
    ("LazyBatchNorm1d", lambda n: n.LazyBatchNorm1d(), lambda n: n.BatchNorm1d(3), (4, 3)),
    ("LazyBatchNorm1d no stats", lambda n: n.LazyBatchNorm1d(track_running_stats=False),
     lambda n: n.BatchNorm1d(3, track_running_stats=False), (4, 3, 5)),
    ("LazyBatchNorm2d no bias", lambda n: n.LazyBatchNorm2d(bias=False),
     lambda n: n.BatchNorm2d(2, bias=False), (3, 2, 4, 4)),
    ("LazyInstanceNorm1d", lambda n: n.LazyInstanceNorm1d(),
     lambda n: n.InstanceNorm1d(3, affine=True, track_running_stats=True), (2, 3, 6)),
    ("LazyInstanceNorm2d", lambda n: n.LazyInstanceNorm2d(momentum=0.3),
     lambda n: n.InstanceNorm2d(2, momentum=0.3, affine=True, track_running_stats=True),
     (2, 2, 4, 5)),
]


def _input(T, shape):
    return T.tensor(np.random.default_rng(1).standard_normal(shape).astype(np.float32))


def _shapes(module) -> dict:
    return {name: tuple(t.shape) for name, t in module.state_dict().items()}


@pytest.mark.oracle
@pytest.mark.parametrize("make, make_full, shape", [c[1:] for c in LAZY],
                         ids=[c[0] for c in LAZY])
def test_lazy_module_becomes_the_non_lazy_one_as_in_torch(torch, make, make_full, shape):
    ours, theirs = make(nn), make(torch.nn)
    assert type(ours).__name__ == type(theirs).__name__
    assert repr(ours) == repr(theirs)
    assert list(ours.state_dict()) == list(theirs.state_dict())
    assert [type(t).__name__ for t in ours.state_dict().values()] == \
        [type(t).__name__ for t in theirs.state_dict().values()]
    assert ours.has_uninitialized_params() and theirs.has_uninitialized_params()

    out, want = ours(_input(nbtorch, shape)), theirs(_input(torch, shape))
    assert type(ours).__name__ == type(theirs).__name__ == type(make_full(nn)).__name__
    assert repr(ours) == repr(theirs) == repr(make_full(nn))
    assert _shapes(ours) == {k: tuple(v.shape) for k, v in theirs.state_dict().items()}
    assert _shapes(ours) == _shapes(make_full(nn))
    assert tuple(out.shape) == tuple(want.shape)
    assert not ours._forward_pre_hooks  # the fast path of Module.__call__ is back


@pytest.mark.parametrize("make, make_full, shape", [c[1:] for c in LAZY],
                         ids=[c[0] for c in LAZY])
def test_lazy_module_draws_the_weights_of_the_non_lazy_one(make, make_full, shape):
    nbtorch.manual_seed(7)
    lazy = make(nn)
    out = lazy(_input(nbtorch, shape))
    nbtorch.manual_seed(7)
    full = make_full(nn)
    want = full(_input(nbtorch, shape))
    for (name, got), (_, expected) in zip(lazy.state_dict().items(),
                                          full.state_dict().items()):
        np.testing.assert_array_equal(got.numpy(), expected.numpy(), err_msg=name)
    np.testing.assert_array_equal(out.detach().numpy(), want.detach().numpy())
    assert nbtorch.rand(1).item() == pytest.approx(  # the same number of draws
        (nbtorch.manual_seed(7), make_full(nn), nbtorch.rand(1))[2].item())


@pytest.mark.oracle
def test_torch_also_gives_lazy_and_non_lazy_modules_the_same_weights(torch):
    torch.manual_seed(7)
    lazy = torch.nn.LazyConv2d(4, 3)
    lazy(torch.ones(1, 2, 5, 5))
    torch.manual_seed(7)
    full = torch.nn.Conv2d(2, 4, 3)
    assert torch.equal(lazy.weight, full.weight) and torch.equal(lazy.bias, full.bias)


def _sgd_step(model, optimizer, x, y) -> float:
    optimizer.zero_grad()
    loss = nn.functional.cross_entropy(model(x), y)
    loss.backward()
    optimizer.step()
    return loss.item()


def _sgd(model):
    return nbtorch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)


@pytest.mark.parametrize("optimizer_before_first_call", [False, True])
def test_training_a_lazy_model_equals_training_the_non_lazy_one(optimizer_before_first_call):
    x = _input(nbtorch, (8, 6))
    y = nbtorch.tensor([0, 1, 2, 0, 1, 2, 0, 1])
    lazy = nn.Sequential(nn.LazyLinear(10), nn.ReLU(), nn.LazyLinear(3))
    if optimizer_before_first_call:  # the parameters keep their identity when materialized
        lazy_optimizer = _sgd(lazy)
    nbtorch.manual_seed(3)
    lazy(x)  # the dry run draws the weights
    if not optimizer_before_first_call:
        lazy_optimizer = _sgd(lazy)
    nbtorch.manual_seed(3)
    full = nn.Sequential(nn.Linear(6, 10), nn.ReLU(), nn.Linear(10, 3))
    full_optimizer = _sgd(full)
    for _ in range(3):
        assert _sgd_step(lazy, lazy_optimizer, x, y) == _sgd_step(full, full_optimizer, x, y)
    assert [type(m) for m in lazy] == [nn.Linear, nn.ReLU, nn.Linear]
    for (name, got), (_, want) in zip(lazy.state_dict().items(), full.state_dict().items()):
        np.testing.assert_array_equal(got.numpy(), want.numpy(), err_msg=name)


def test_dtype_and_device_chosen_before_the_first_call_are_kept():
    model = nn.Sequential(nn.LazyLinear(4), nn.LazyBatchNorm1d()).double()
    model(nbtorch.ones(3, 2, dtype=nbtorch.float64))
    assert all(p.dtype == nbtorch.float64 for p in model.parameters())
    assert model[1].running_mean.dtype == nbtorch.float64
    assert model[1].num_batches_tracked.dtype == nbtorch.int64
    made = nn.LazyConv1d(2, 1, dtype=nbtorch.float64)
    made(nbtorch.ones(1, 3, 4, dtype=nbtorch.float64))
    assert made.weight.dtype == nbtorch.float64 and made.bias.dtype == nbtorch.float64


# (id, what to do with an uninitialized parameter, given the library)
MISUSES = [
    ("numel", lambda T, w: w.numel()),
    ("shape", lambda T, w: w.shape),
    ("add", lambda T, w: w + 1),
    ("radd", lambda T, w: 1 + w),
    ("index", lambda T, w: w[0]),
    ("len", lambda T, w: len(w)),
    ("sum", lambda T, w: w.sum()),
    ("detach", lambda T, w: w.detach()),
    ("float()", lambda T, w: float(w)),
    ("requires_grad_", lambda T, w: w.requires_grad_(False)),
    ("eq", lambda T, w: w == w),
    ("count parameters", lambda T, w: sum(p.numel() for p in T.nn.LazyLinear(2).parameters())),
    ("module.requires_grad_", lambda T, w: T.nn.LazyLinear(2).requires_grad_(False)),
    ("load into an initialized module",
     lambda T, w: T.nn.Linear(2, 3).load_state_dict(T.nn.LazyLinear(3).state_dict())),
    ("conv input of wrong rank", lambda T, w: T.nn.LazyConv2d(3, 1)(T.ones(1, 2, 3, 4, 5))),
    ("in_channels not divisible by groups",
     lambda T, w: T.nn.LazyConv1d(4, 1, groups=2)(T.ones(1, 3, 4))),
]


@pytest.mark.oracle
@pytest.mark.parametrize("misuse", [c[1] for c in MISUSES], ids=[c[0] for c in MISUSES])
def test_errors_as_torch(torch, misuse):
    with pytest.raises(Exception) as want:
        misuse(torch, torch.nn.UninitializedParameter())
    with pytest.raises(type(want.value)) as got:
        misuse(nbtorch, nn.UninitializedParameter())
    assert type(got.value) is type(want.value)
    first_words = " ".join(str(want.value).split()[:3])
    assert str(got.value).startswith(first_words)


@pytest.mark.oracle
@pytest.mark.parametrize("use", [
    lambda T, w: w.size(), lambda T, w: w.dtype, lambda T, w: w.device,
    lambda T, w: w.requires_grad, lambda T, w: w.grad, lambda T, w: w.is_leaf,
    lambda T, w: w.is_floating_point(), lambda T, w: repr(w), lambda T, w: w.to(T.float64),
    lambda T, w: T.optim.SGD(T.nn.LazyLinear(2).parameters(), lr=0.1),
    lambda T, w: T.nn.UninitializedBuffer().double(),
    lambda T, w: T.nn.LazyLinear(2).zero_grad(), lambda T, w: T.nn.LazyLinear(2).double(),
    lambda T, w: list(T.nn.LazyLinear(2).state_dict(keep_vars=True)),
])
def test_what_an_uninitialized_parameter_allows_as_torch(torch, use):
    want = use(torch, torch.nn.UninitializedParameter())
    got = use(nbtorch, nn.UninitializedParameter())
    if isinstance(want, (str, bool, list)) or want is None:
        assert got == want
    assert type(got).__name__ == type(want).__name__


@pytest.mark.oracle
def test_loading_a_state_dict_materializes_as_torch(torch):
    full = nn.Linear(2, 3)
    lazy, theirs = nn.LazyLinear(3), torch.nn.LazyLinear(3)
    lazy.load_state_dict(full.state_dict())
    theirs.load_state_dict(torch.nn.Linear(2, 3).state_dict())
    assert type(lazy).__name__ == type(theirs).__name__ == "LazyLinear"  # until its first call
    assert not lazy.has_uninitialized_params() and not theirs.has_uninitialized_params()
    assert type(lazy.weight) is nn.Parameter
    np.testing.assert_array_equal(lazy.weight.detach().numpy(), full.weight.detach().numpy())
    x = _input(nbtorch, (4, 2))
    np.testing.assert_array_equal(lazy(x).detach().numpy(), full(x).detach().numpy())
    assert type(lazy) is nn.Linear and lazy.in_features == 2

    mismatched, theirs = nn.LazyLinear(3), torch.nn.LazyLinear(3)
    mismatched.load_state_dict(full.state_dict())
    theirs.load_state_dict(torch.nn.Linear(2, 3).state_dict())
    with pytest.raises(AssertionError, match="in_features inferred from input: 5"):
        theirs(torch.ones(1, 5))
    with pytest.raises(AssertionError, match="in_features inferred from input: 5"):
        mismatched(nbtorch.ones(1, 5))


def test_loading_a_batch_norm_state_dict_materializes_the_buffers():
    full = nn.BatchNorm2d(3)
    full(_input(nbtorch, (4, 3, 2, 2)))
    lazy = nn.LazyBatchNorm2d()
    lazy.load_state_dict(full.state_dict())
    for name, t in full.state_dict().items():
        np.testing.assert_array_equal(lazy.state_dict()[name].numpy(), t.numpy(), err_msg=name)


def test_materialize_keeps_identity_device_dtype_and_requires_grad():
    w = UninitializedParameter(requires_grad=False, dtype=nbtorch.float64)
    same = w
    w.materialize((2, 3))
    assert same is w and type(w) is nn.Parameter and not is_lazy(w)
    assert tuple(w.shape) == (2, 3) and w.dtype == nbtorch.float64 and not w.requires_grad
    b = UninitializedBuffer()
    b.materialize((4,), dtype=nbtorch.float16)
    assert type(b) is nbtorch.Tensor and b.dtype == nbtorch.float16 and tuple(b.shape) == (4,)


def test_copies_of_a_lazy_module_stay_lazy_and_independent():
    lazy = nn.LazyLinear(3)
    copied = copy.deepcopy(lazy)
    pickled = pickle.loads(pickle.dumps(nn.UninitializedParameter(requires_grad=False)))
    assert is_lazy(pickled) and not pickled.requires_grad
    copied(nbtorch.ones(2, 4))
    assert type(copied) is nn.Linear and copied.in_features == 4
    assert type(lazy) is nn.LazyLinear and lazy.has_uninitialized_params()
    lazy(nbtorch.ones(2, 5))
    assert lazy.in_features == 5


def test_unbatched_instance_norm_takes_its_channels_from_dim_0():
    # PyTorch reads input.shape[1] even for one (C, L) sample, which then fails; the
    # channels of an unbatched sample are its dim 0.
    lazy = nn.LazyInstanceNorm1d()
    out = lazy(_input(nbtorch, (3, 7)))
    assert lazy.num_features == 3 and tuple(out.shape) == (3, 7)


def test_initialize_parameters_must_be_defined():
    class Incomplete(nn.modules.lazy.LazyModuleMixin, nn.Module):
        def forward(self, x):
            return x

    with pytest.raises(NotImplementedError, match="Incomplete"):
        Incomplete()(nbtorch.ones(1))
