"""NAdam, RAdam, Adamax, Rprop, ASGD and LBFGS: the same parameters and state as PyTorch's
after 30 steps, state_dicts that move between the libraries, and PyTorch's argument errors."""

import numpy as np
import pytest

import nbtorch
from nbtorch import optim

# A small MLP (4 -> 5 -> 3, tanh) on fixed data: both libraries compute their own loss and
# gradients from the same starting weights, so a difference in an update rule accumulates.
RNG = np.random.default_rng(0)
X = RNG.standard_normal((8, 4)).astype(np.float32)
Y = RNG.standard_normal((8, 3)).astype(np.float32)
WEIGHTS = [RNG.standard_normal(shape).astype(np.float32) * 0.5
           for shape in [(5, 4), (5,), (3, 5), (3,)]]
STEPS = 30


def make_params(lib):
    return [lib.tensor(w.copy(), requires_grad=True) for w in WEIGHTS]


def loss_fn(lib, params):
    w1, b1, w2, b2 = params
    hidden = lib.tanh(lib.tensor(X) @ w1.t() + b1)
    return ((hidden @ w2.t() + b2 - lib.tensor(Y)) ** 2).mean()


def make_optimizer(lib, name, params, options, group_options=None):
    """All parameters in one group, or (with ``group_options``) the biases in a second."""
    opt_class = getattr(lib.optim, name)
    if group_options is None:
        return opt_class(params, **options)
    w1, b1, w2, b2 = params
    return opt_class([{"params": [w1, w2]}, {"params": [b1, b2], **group_options}], **options)


def run(lib, opt, params, steps):
    for _ in range(steps):
        opt.zero_grad()
        loss_fn(lib, params).backward()
        opt.step()


def train(lib, name, options, group_options=None, steps=STEPS):
    params = make_params(lib)
    opt = make_optimizer(lib, name, params, options, group_options)
    run(lib, opt, params, steps)
    return params, opt


def numpy_of(params):
    return [p.detach().numpy() for p in params]


def assert_params_close(ours, theirs, rtol=1e-5, atol=1e-6):
    for a, b in zip(numpy_of(ours), numpy_of(theirs)):
        np.testing.assert_allclose(a, b, rtol=rtol, atol=atol)


CASES = [
    ("NAdam", dict(), None),
    ("NAdam", dict(lr=0.01, betas=(0.8, 0.99), eps=1e-3, momentum_decay=0.05), dict(lr=0.03)),
    ("NAdam", dict(lr=0.01, weight_decay=0.1), None),
    ("NAdam", dict(lr=0.01, weight_decay=0.1, decoupled_weight_decay=True), dict(lr=0.002)),
    ("NAdam", dict(lr=0.01, maximize=True), dict(weight_decay=0.2)),
    ("RAdam", dict(), None),  # plain momentum steps first, rectified ones from step 6 on
    ("RAdam", dict(lr=0.01, betas=(0.8, 0.9), eps=1e-3), dict(lr=0.03)),
    ("RAdam", dict(lr=0.01, weight_decay=0.1), None),
    ("RAdam", dict(lr=0.01, weight_decay=0.1, decoupled_weight_decay=True), dict(lr=0.002)),
    ("RAdam", dict(lr=0.01, maximize=True), dict(weight_decay=0.2)),
    ("Adamax", dict(), None),
    ("Adamax", dict(lr=0.01, betas=(0.5, 0.9), eps=1e-3), dict(lr=0.03)),
    ("Adamax", dict(lr=0.01, weight_decay=0.1, maximize=True), dict(weight_decay=0.0)),
    ("Rprop", dict(), None),
    ("Rprop", dict(lr=0.05, etas=(0.3, 1.5), step_sizes=(1e-3, 0.2)), dict(lr=0.002)),
    ("Rprop", dict(lr=0.01, maximize=True, step_sizes=(1e-4, 0.03)), dict(etas=(0.6, 1.1))),
    ("ASGD", dict(), None),
    ("ASGD", dict(lr=0.05, t0=10), dict(lr=0.1)),  # averaging starts at step 11
    ("ASGD", dict(lr=0.05, lambd=0.01, alpha=0.5, t0=3, weight_decay=0.1), None),
    ("ASGD", dict(lr=0.02, t0=0, maximize=True), dict(lambd=0.1)),
]
NAMES = ["NAdam", "RAdam", "Adamax", "Rprop", "ASGD"]


@pytest.mark.oracle
@pytest.mark.parametrize("name, options, group_options", CASES)
def test_thirty_steps_match_pytorch(torch, name, options, group_options):
    ours, opt = train(nbtorch, name, options, group_options)
    theirs, topt = train(torch, name, options, group_options)
    assert_params_close(ours, theirs)
    assert not np.allclose(ours[0].detach().numpy(), WEIGHTS[0], atol=1e-3)  # it moved
    assert_state_close(opt.state_dict(), topt.state_dict())


def assert_state_close(ours, theirs):
    """Same parameter indices, same state keys in the same order, same values."""
    assert ours["state"].keys() == theirs["state"].keys()
    for i, state in theirs["state"].items():
        assert list(ours["state"][i]) == list(state)
        for key, value in state.items():
            np.testing.assert_allclose(ours["state"][i][key].numpy(), value.numpy(),
                                       rtol=1e-5, atol=1e-6, err_msg=key)
    for group, tgroup in zip(ours["param_groups"], theirs["param_groups"]):
        assert group["params"] == tgroup["params"]
        assert {k: v for k, v in tgroup.items() if k in group} == group  # same options


@pytest.mark.parametrize("name", NAMES)
def test_state_dict_round_trip_continues_like_uninterrupted(name):
    options, group_options = dict(lr=0.02), dict(lr=0.005)
    full, _ = train(nbtorch, name, options, group_options, steps=STEPS)

    params, opt = train(nbtorch, name, options, group_options, steps=12)
    saved = opt.state_dict()
    resumed = [nbtorch.tensor(p.detach().numpy().copy(), requires_grad=True) for p in params]
    fresh = make_optimizer(nbtorch, name, resumed, {}, {})  # default options...
    fresh.load_state_dict(saved)  # ...replaced by the saved ones
    assert fresh.param_groups[1]["lr"] == 0.005
    run(nbtorch, fresh, resumed, STEPS - 12)
    for a, b in zip(numpy_of(resumed), numpy_of(full)):
        np.testing.assert_array_equal(a, b)
    for old, new in zip(saved["state"].values(), fresh.state_dict()["state"].values()):
        assert all(old[key]._array is not new[key]._array for key in old)  # copied


def to_lib(value, lib):
    """A state_dict value with its tensors converted to ``lib``'s (lists and dicts too)."""
    if isinstance(value, dict):
        return {k: to_lib(v, lib) for k, v in value.items()}
    if isinstance(value, list):
        return [to_lib(v, lib) for v in value]
    if hasattr(value, "detach"):
        return lib.tensor(value.detach().numpy().copy())
    return value


@pytest.mark.oracle
@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("direction", ["torch->nbtorch", "nbtorch->torch"])
def test_state_dict_moves_between_libraries_mid_run(torch, name, direction):
    """Train 12 steps in one library, load its state_dict into the other (weights copied
    over), train 18 more steps: the same weights as 30 steps in PyTorch alone."""
    options, group_options = dict(lr=0.02), dict(lr=0.005)
    reference, _ = train(torch, name, options, group_options, steps=STEPS)

    source, target = (torch, nbtorch) if direction == "torch->nbtorch" else (nbtorch, torch)
    params, opt = train(source, name, options, group_options, steps=12)
    moved = [target.tensor(p.detach().numpy().copy(), requires_grad=True) for p in params]
    fresh = make_optimizer(target, name, moved, {}, {})
    fresh.load_state_dict(to_lib(opt.state_dict(), target))
    run(target, fresh, moved, STEPS - 12)
    assert_params_close(moved, reference)


def test_asgd_ax_is_the_average_of_the_iterates():
    """``state['ax']`` follows ``p`` until step ``t0 + 2``, then is the mean of the iterates
    from there on (numpy's mean of the recorded parameters)."""
    t0, steps = 5, 15
    params = make_params(nbtorch)
    opt = optim.ASGD(params, lr=0.05, t0=t0)
    iterates = []
    for _ in range(steps):
        opt.zero_grad()
        loss_fn(nbtorch, params).backward()
        opt.step()
        iterates.append([a.copy() for a in numpy_of(params)])
    for i, p in enumerate(params):
        mean = np.mean([it[i] for it in iterates[t0 + 1:]], axis=0, dtype=np.float64)
        np.testing.assert_allclose(opt.state[p]["ax"].numpy(), mean, rtol=1e-5, atol=1e-6)
        assert not np.allclose(mean, iterates[-1][i])  # the average is not the last iterate


# -- L-BFGS on the Rosenbrock function (float64) -------------------------------------------
X0 = np.array([-1.5, 2.0, -0.5, 1.2])


def rosenbrock(x):
    return ((1 - x[:-1]) ** 2 + 100 * (x[1:] - x[:-1] ** 2) ** 2).sum()


def lbfgs_run(lib, options, steps, x=None, opt=None):
    """``steps`` calls of ``step(closure)``; the losses they return, the point and the
    optimizer."""
    x = lib.tensor(X0.copy(), requires_grad=True) if x is None else x
    opt = lib.optim.LBFGS([x], **options) if opt is None else opt

    def closure():
        opt.zero_grad()
        loss = rosenbrock(x)
        loss.backward()
        return loss

    losses = [opt.step(closure).item() for _ in range(steps)]
    return losses, x, opt


# L-BFGS on Rosenbrock amplifies rounding differences (dot products summed in another
# order): plain L-BFGS with lr=1 from this start is chaotic (a 1e-15 change of x0 moves
# the 5th step by 1e-2, in PyTorch alone), so the fixed-step cases take smaller steps, and
# the tolerances are those of float64 after a few hundred such amplifying iterations.
LBFGS_CASES = [
    (dict(line_search_fn="strong_wolfe"), 4),
    (dict(line_search_fn="strong_wolfe", history_size=2, max_iter=10, max_eval=12), 5),
    (dict(line_search_fn="strong_wolfe", lr=0.5, tolerance_change=1e-6), 3),
    (dict(lr=0.1, history_size=3, max_iter=7), 5),
    (dict(lr=0.2, max_iter=5, max_eval=4), 6),
    (dict(lr=0.3, tolerance_grad=1e-3, tolerance_change=1e-4), 3),
]


@pytest.mark.oracle
@pytest.mark.parametrize("options, steps", LBFGS_CASES)
def test_lbfgs_on_rosenbrock_matches_pytorch(torch, options, steps):
    ours, x, opt = lbfgs_run(nbtorch, options, steps)
    theirs, tx, topt = lbfgs_run(torch, options, steps)
    np.testing.assert_allclose(x.detach().numpy(), tx.detach().numpy(), rtol=1e-7, atol=1e-9)
    np.testing.assert_allclose(ours, theirs, rtol=1e-6, atol=1e-9)
    state, tstate = opt.state[x], topt.state[tx]
    assert list(state) == list(tstate)
    assert (state["func_evals"], state["n_iter"]) == (tstate["func_evals"], tstate["n_iter"])
    assert len(state["old_dirs"]) == len(tstate["old_dirs"]) <= options.get("history_size", 100)


def test_lbfgs_with_strong_wolfe_finds_the_minimum():
    losses, x, _ = lbfgs_run(nbtorch, dict(line_search_fn="strong_wolfe"), 5)
    np.testing.assert_allclose(x.detach().numpy(), np.ones(4), atol=1e-5)
    assert losses[0] > losses[-1] and losses[-1] < 1e-8


@pytest.mark.oracle
@pytest.mark.parametrize("options", [dict(line_search_fn="strong_wolfe", history_size=3),
                                     dict(lr=0.1, history_size=3, max_iter=7)])
def test_lbfgs_state_dict_round_trips_and_moves_from_torch(torch, options):
    """Two steps, save, two more steps in a fresh optimizer (ours, or PyTorch's state
    converted): the same as four steps in PyTorch."""
    _, reference, _ = lbfgs_run(torch, options, 4)
    for lib in (nbtorch, torch):
        _, x, opt = lbfgs_run(lib, options, 2)
        saved = to_lib(opt.state_dict(), nbtorch)
        x2 = nbtorch.tensor(x.detach().numpy().copy(), requires_grad=True)
        fresh = optim.LBFGS([x2])
        fresh.load_state_dict(saved)
        lbfgs_run(nbtorch, options, 2, x2, fresh)
        np.testing.assert_allclose(x2.detach().numpy(), reference.detach().numpy(),
                                   rtol=1e-7, atol=1e-9)


def test_lbfgs_returns_at_once_at_a_minimum():
    x = nbtorch.ones(4, dtype=nbtorch.float64, requires_grad=True)
    losses, _, opt = lbfgs_run(nbtorch, {}, 1, x=x)
    assert losses == [0.0] and opt.state[x]["func_evals"] == 1
    np.testing.assert_array_equal(x.detach().numpy(), np.ones(4))


# -- errors -------------------------------------------------------------------------------
BAD_OPTIONS = [
    ("NAdam", dict(lr=-1)), ("NAdam", dict(eps=-1e-8)), ("NAdam", dict(betas=(1.0, 0.9))),
    ("NAdam", dict(betas=(0.9, -0.1))), ("NAdam", dict(weight_decay=-0.1)),
    ("NAdam", dict(momentum_decay=-1)),
    ("RAdam", dict(lr=-1)), ("RAdam", dict(eps=-1)), ("RAdam", dict(betas=(-0.5, 0.9))),
    ("RAdam", dict(betas=(0.9, 1.0))), ("RAdam", dict(weight_decay=-1)),
    ("Adamax", dict(lr=-0.5)), ("Adamax", dict(eps=-1)), ("Adamax", dict(betas=(1.5, 0.9))),
    ("Adamax", dict(betas=(0.9, 1.0))), ("Adamax", dict(weight_decay=-1)),
    ("Rprop", dict(lr=-1)), ("Rprop", dict(etas=(1.0, 1.2))), ("Rprop", dict(etas=(0.5, 0.9))),
    ("Rprop", dict(etas=(0.0, 1.2))),
    ("ASGD", dict(lr=-1)), ("ASGD", dict(weight_decay=-0.01)),
    ("LBFGS", dict(lr=-1)),
]


@pytest.mark.oracle
@pytest.mark.parametrize("name, options", BAD_OPTIONS)
def test_bad_options_raise_like_pytorch(torch, name, options):
    with pytest.raises(ValueError) as theirs:
        getattr(torch.optim, name)([torch.zeros(3, requires_grad=True)], **options)
    with pytest.raises(ValueError) as ours:
        getattr(optim, name)([nbtorch.zeros(3, requires_grad=True)], **options)
    assert str(ours.value) == str(theirs.value)


@pytest.mark.oracle
def test_lbfgs_errors_like_pytorch(torch):
    for lib in (torch, nbtorch):
        a, b = lib.zeros(2, requires_grad=True), lib.zeros(3, requires_grad=True)
        with pytest.raises(ValueError, match=r"LBFGS doesn't support per-parameter options"):
            lib.optim.LBFGS([{"params": [a]}, {"params": [b]}])
        with pytest.raises(TypeError):
            lib.optim.LBFGS([a]).step()  # a closure is required
        opt = lib.optim.LBFGS([a], line_search_fn="wolfe")

        def closure(a=a, opt=opt):
            opt.zero_grad()
            loss = ((a - 1) ** 2).sum()
            loss.backward()
            return loss

        with pytest.raises(RuntimeError, match="only 'strong_wolfe' is supported"):
            opt.step(closure)


@pytest.mark.oracle
@pytest.mark.parametrize("name", NAMES + ["LBFGS"])
def test_defaults_match_pytorch(torch, name):
    ours = getattr(optim, name)([nbtorch.zeros(2, requires_grad=True)]).defaults
    theirs = getattr(torch.optim, name)([torch.zeros(2, requires_grad=True)]).defaults
    assert ours == {k: v for k, v in theirs.items() if k in ours}
    assert set(theirs) - set(ours) <= {"foreach", "capturable", "differentiable"}
