"""Optimizers: the same parameters as PyTorch's after 10 steps, state_dict, closures, errors."""

import numpy as np
import pytest

import nbtorch
from nbtorch import optim

# A small regression problem: both libraries compute their own loss and gradients from the
# same starting values, so any difference in an update rule accumulates over the steps.
RNG = np.random.default_rng(0)
X = RNG.standard_normal((6, 4)).astype(np.float32)
Y = RNG.standard_normal((6, 3)).astype(np.float32)
W0 = RNG.standard_normal((3, 4)).astype(np.float32)
B0 = RNG.standard_normal(3).astype(np.float32)


def loss_fn(lib, w, b):
    x, y = lib.tensor(X), lib.tensor(Y)
    return ((lib.tanh(x @ w.t() + b) - y) ** 2).mean()


def make_params(lib):
    return (lib.tensor(W0.copy(), requires_grad=True), lib.tensor(B0.copy(), requires_grad=True))


def train(lib, opt_class, options, group_options=None, steps=10):
    """Run ``steps`` steps; ``group_options`` puts the bias in a group of its own."""
    w, b = make_params(lib)
    if group_options is None:
        opt = opt_class([w, b], **options)
    else:
        opt = opt_class([{"params": [w]}, {"params": [b], **group_options}], **options)
    for _ in range(steps):
        opt.zero_grad()
        loss_fn(lib, w, b).backward()
        opt.step()
    return w, b, opt


CASES = [
    ("SGD", dict(lr=0.1), None),
    ("SGD", dict(lr=0.1, momentum=0.9), None),
    ("SGD", dict(lr=0.05, momentum=0.9, dampening=0.2, weight_decay=0.01), None),
    ("SGD", dict(lr=0.05, momentum=0.8, nesterov=True), dict(lr=0.2)),
    ("SGD", dict(lr=0.01, momentum=0.5, maximize=True), dict(momentum=0.0)),
    ("Adam", dict(lr=0.01), None),
    ("Adam", dict(lr=0.02, betas=(0.8, 0.99), eps=1e-2, amsgrad=True), dict(lr=0.05)),
    ("Adam", dict(lr=0.01, weight_decay=0.1, maximize=True), dict(amsgrad=True)),
    ("AdamW", dict(lr=0.01), None),
    ("AdamW", dict(lr=0.05, weight_decay=0.3, amsgrad=True), dict(weight_decay=0.0)),
    ("RMSprop", dict(lr=0.01), None),
    ("RMSprop", dict(lr=0.01, centered=True, momentum=0.9), dict(lr=0.003)),
    ("RMSprop", dict(lr=0.005, alpha=0.9, weight_decay=0.1, maximize=True), dict(centered=True)),
    ("Adagrad", dict(lr=0.1), None),
    ("Adagrad", dict(lr=0.1, lr_decay=0.05, initial_accumulator_value=0.2), dict(lr=0.3)),
    ("Adagrad", dict(lr=0.1, weight_decay=0.2, maximize=True), None),
    ("Adadelta", dict(), None),
    ("Adadelta", dict(lr=0.5, rho=0.6, weight_decay=0.1), dict(lr=2.0)),
    ("Adadelta", dict(maximize=True, eps=1e-4), None),
]


@pytest.mark.oracle
@pytest.mark.parametrize("name, options, group_options", CASES)
def test_ten_steps_match_pytorch(name, options, group_options):
    torch = pytest.importorskip("torch")
    w, b, _ = train(nbtorch, getattr(optim, name), options, group_options)
    tw, tb, _ = train(torch, getattr(torch.optim, name), options, group_options)
    np.testing.assert_allclose(w.detach().numpy(), tw.detach().numpy(), rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(b.detach().numpy(), tb.detach().numpy(), rtol=1e-5, atol=1e-6)


@pytest.mark.oracle
@pytest.mark.parametrize("name, options", [("Adam", dict(lr=0.01)), ("RMSprop", dict(lr=0.01)),
                                           ("SGD", dict(lr=0.1, momentum=0.9))])
def test_state_matches_pytorch(name, options):
    torch = pytest.importorskip("torch")
    *_, opt = train(nbtorch, getattr(optim, name), options)
    *_, topt = train(torch, getattr(torch.optim, name), options)
    ours, theirs = opt.state_dict(), topt.state_dict()
    assert ours["state"].keys() == theirs["state"].keys()
    for i, state in theirs["state"].items():
        assert list(ours["state"][i]) == list(state)
        for key, value in state.items():
            np.testing.assert_allclose(ours["state"][i][key].numpy(), value.numpy(),
                                       rtol=1e-5, atol=1e-6)
    assert [g["params"] for g in ours["param_groups"]] == [
        g["params"] for g in theirs["param_groups"]]


@pytest.mark.oracle
def test_changing_group_lr_takes_effect_at_next_step():
    torch = pytest.importorskip("torch")
    results = []
    for lib, opt_class in [(nbtorch, optim.SGD), (torch, torch.optim.SGD)]:
        w, b = make_params(lib)
        opt = opt_class([{"params": [w]}, {"params": [b], "lr": 0.5}], lr=0.1, momentum=0.9)
        for i in range(6):
            if i == 3:
                for group in opt.param_groups:
                    group["lr"] *= 0.1
            opt.zero_grad()
            loss_fn(lib, w, b).backward()
            opt.step()
        results.append((w.detach().numpy().copy(), b.detach().numpy().copy()))
    for ours, theirs in zip(*results):
        np.testing.assert_allclose(ours, theirs, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("name, options", [("SGD", dict(lr=0.1, momentum=0.9)),
                                           ("Adam", dict(lr=0.01, amsgrad=True)),
                                           ("RMSprop", dict(centered=True, momentum=0.5)),
                                           ("Adagrad", dict(lr_decay=0.1)), ("Adadelta", {})])
def test_state_dict_round_trip_continues_like_uninterrupted(name, options):
    opt_class = getattr(optim, name)
    w_full, b_full, _ = train(nbtorch, opt_class, options, dict(lr=0.02), steps=8)

    w, b, opt = train(nbtorch, opt_class, options, dict(lr=0.02), steps=5)
    saved = opt.state_dict()
    w2 = nbtorch.tensor(w.detach().numpy().copy(), requires_grad=True)
    b2 = nbtorch.tensor(b.detach().numpy().copy(), requires_grad=True)
    fresh = opt_class([{"params": [w2]}, {"params": [b2]}])  # default options...
    fresh.load_state_dict(saved)  # ...replaced by the saved ones
    assert fresh.param_groups[1]["lr"] == 0.02
    for _ in range(3):
        fresh.zero_grad()
        loss_fn(nbtorch, w2, b2).backward()
        fresh.step()
    np.testing.assert_allclose(w2.detach().numpy(), w_full.detach().numpy(), rtol=1e-6)
    np.testing.assert_allclose(b2.detach().numpy(), b_full.detach().numpy(), rtol=1e-6)
    # the loaded state is a copy: the old optimizer's buffers were left alone
    for old, new in zip(saved["state"].values(), fresh.state_dict()["state"].values()):
        for key in old:
            assert old[key]._array is not new[key]._array


def test_state_dict_structure():
    w, b = make_params(nbtorch)
    c = nbtorch.zeros(2, requires_grad=True)
    opt = optim.SGD([{"params": [w, b]}, {"params": [c], "lr": 0.5}], lr=0.1, momentum=0.9)
    opt.zero_grad()
    loss_fn(nbtorch, w, b).backward()
    opt.step()
    sd = opt.state_dict()
    assert sd["param_groups"][0]["params"] == [0, 1]
    assert sd["param_groups"][1]["params"] == [2]
    assert sd["param_groups"][1]["lr"] == 0.5 and sd["param_groups"][0]["lr"] == 0.1
    assert set(sd["state"]) == {0, 1}  # c got no gradient, so it has no state
    assert isinstance(sd["state"][0]["momentum_buffer"], nbtorch.Tensor)


def test_load_state_dict_checks_group_sizes():
    w, b = make_params(nbtorch)
    saved = optim.SGD([w, b], lr=0.1).state_dict()
    with pytest.raises(ValueError, match="different number of parameter groups"):
        optim.SGD([{"params": [w]}, {"params": [b]}], lr=0.1).load_state_dict(saved)
    with pytest.raises(ValueError, match="doesn't match the size"):
        optim.SGD([w], lr=0.1).load_state_dict(saved)


def test_sgd_momentum_by_hand_numpy():
    """SGD with momentum, dampening and weight decay against the formula written in numpy."""
    rng = np.random.default_rng(1)
    p0 = rng.standard_normal(5).astype(np.float32)
    target = rng.standard_normal(5).astype(np.float32)
    lr, mu, damp, wd = 0.1, 0.9, 0.1, 0.01

    p = nbtorch.tensor(p0.copy(), requires_grad=True)
    opt = optim.SGD([p], lr=lr, momentum=mu, dampening=damp, weight_decay=wd)
    q, buf = p0.astype(np.float64), None
    for _ in range(10):
        opt.zero_grad()
        ((p - nbtorch.tensor(target)) ** 2).sum().backward()
        opt.step()
        g = 2 * (q - target) + wd * q  # d/dq sum((q - t)^2), plus the L2 term
        buf = g if buf is None else mu * buf + (1 - damp) * g
        q = q - lr * buf
    np.testing.assert_allclose(p.detach().numpy(), q, rtol=1e-5, atol=1e-6)


def test_closure_runs_with_grad_enabled_and_returns_loss():
    w, b = make_params(nbtorch)
    opt = optim.SGD([w, b], lr=0.1)

    def closure():
        opt.zero_grad()
        loss = loss_fn(nbtorch, w, b)
        loss.backward()
        return loss

    with nbtorch.no_grad():
        first = opt.step(closure)
    second = opt.step(closure)
    assert float(second) < float(first)


def test_step_skips_params_without_grad_and_bumps_version():
    w, b = make_params(nbtorch)
    opt = optim.Adam([w, b], lr=0.1)
    w.grad = nbtorch.ones(3, 4)
    version_w, version_b = w._version, b._version
    opt.step()
    assert w._version > version_w and b._version == version_b
    np.testing.assert_array_equal(b.detach().numpy(), B0)
    assert b not in opt.state and len(opt.state[w]) == 3


def test_zero_grad():
    w, b = make_params(nbtorch)
    opt = optim.SGD([w, b], lr=0.1)
    loss_fn(nbtorch, w, b).backward()
    grad = w.grad
    opt.zero_grad(set_to_none=False)
    np.testing.assert_array_equal(w.grad.numpy(), np.zeros((3, 4), np.float32))
    np.testing.assert_array_equal(grad.numpy(), np.zeros((3, 4), np.float32))  # in place
    opt.zero_grad()
    assert w.grad is None and b.grad is None


def test_params_as_generator_list_or_dicts():
    w, b = make_params(nbtorch)
    assert optim.SGD((p for p in [w, b]), lr=0.1).param_groups[0]["params"] == [w, b]
    assert optim.SGD([w], lr=0.1).param_groups[0]["params"] == [w]
    groups = optim.SGD([{"params": w}, {"params": [b], "momentum": 0.9}], lr=0.1).param_groups
    assert groups[0]["params"] == [w] and groups[0]["momentum"] == 0
    assert groups[1]["momentum"] == 0.9 and groups[1]["lr"] == 0.1


def test_add_param_group():
    w, b = make_params(nbtorch)
    opt = optim.SGD([w], lr=0.1)
    opt.add_param_group({"params": [b], "lr": 0.01})
    assert len(opt.param_groups) == 2 and opt.param_groups[1]["momentum"] == 0
    with pytest.raises(ValueError, match="some parameters appear in more than one parameter group"):
        opt.add_param_group({"params": [w]})
    with pytest.raises(ValueError, match="some parameters appear in more than one parameter group"):
        optim.Adam([{"params": [w, b]}, {"params": [b]}])


def test_misspelled_params_key_names_the_key():
    w = nbtorch.zeros(3, requires_grad=True)
    with pytest.raises(KeyError, match=r"'param' instead of 'params'"):
        optim.SGD([{"param": [w], "lr": 0.1}], lr=0.1)


@pytest.mark.parametrize("make, message", [
    (lambda p: optim.SGD([p], lr=-0.1), "Invalid learning rate: -0.1"),
    (lambda p: optim.Adam([p], lr=-0.1), "Invalid learning rate: -0.1"),
    (lambda p: optim.SGD([p], lr=0.1, momentum=-1), "Invalid momentum value: -1"),
    (lambda p: optim.SGD([p], lr=0.1, nesterov=True), "Nesterov momentum requires a momentum"),
    (lambda p: optim.Adam([p], betas=(1.0, 0.9)), "Invalid beta parameter at index 0: 1.0"),
    (lambda p: optim.RMSprop([p], alpha=-0.5), "Invalid alpha value: -0.5"),
    (lambda p: optim.Adadelta([p], rho=1.5), "Invalid rho value: 1.5"),
    (lambda p: optim.SGD([], lr=0.1), "optimizer got an empty parameter list"),
])
def test_bad_options_raise_value_error(make, message):
    with pytest.raises(ValueError, match=message):
        make(nbtorch.zeros(3, requires_grad=True))


def test_bad_params_raise():
    w = nbtorch.zeros(3, requires_grad=True)
    with pytest.raises(ValueError, match="can't optimize a non-leaf Tensor"):
        optim.SGD([w * 2], lr=0.1)
    with pytest.raises(ValueError, match="int64"):
        optim.SGD([nbtorch.tensor([1, 2])], lr=0.1)
    with pytest.raises(TypeError, match="iterable of Tensors or dicts"):
        optim.SGD(w, lr=0.1)
    with pytest.raises(TypeError, match="can only optimize Tensors"):
        optim.SGD([1.0], lr=0.1)


def test_repr_lists_each_group():
    w, b = make_params(nbtorch)
    text = repr(optim.SGD([{"params": [w]}, {"params": [b], "lr": 0.5}], lr=0.1))
    assert text.startswith("SGD (\nParameter Group 0\n") and "Parameter Group 1" in text
    assert "    lr: 0.5" in text and "    momentum: 0" in text
