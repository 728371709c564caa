"""Learning-rate schedulers: the same lr sequence as PyTorch's over 30 steps."""

import math

import pytest

import nbtorch
from nbtorch import optim
from nbtorch.optim import lr_scheduler

STEPS = 30


def make_optimizer(lib, name="SGD", **options):
    """An optimizer with two groups (base lrs 0.1 and 0.02)."""
    w, b = lib.zeros(3, requires_grad=True), lib.zeros(2, requires_grad=True)
    opt_class = getattr(lib.optim, name)
    return opt_class([{"params": [w]}, {"params": [b], "lr": 0.02}], lr=0.1, **options)


def run(lib, make_scheduler, name="SGD", options=None, metrics=None):
    """The lrs (and momenta) of both groups before each step of the schedule."""
    opt = make_optimizer(lib, name, **(options or {}))
    sched = make_scheduler(lib.optim.lr_scheduler, opt)
    seen = []
    for i in range(STEPS):
        seen.append([(g["lr"], g.get("momentum"), g.get("betas")) for g in opt.param_groups])
        assert sched.get_last_lr() == [g["lr"] for g in opt.param_groups]
        opt.step()
        sched.step() if metrics is None else sched.step(metrics[i])
    return seen


def assert_same_schedule(ours, theirs):
    for step, (a, b) in enumerate(zip(ours, theirs)):
        for (lr, m, betas), (tlr, tm, tbetas) in zip(a, b):
            assert math.isclose(lr, tlr, rel_tol=1e-12, abs_tol=1e-15), (step, lr, tlr)
            assert (m is None) == (tm is None) and (betas is None) == (tbetas is None)
            if m is not None:
                assert math.isclose(m, tm, rel_tol=1e-12), (step, m, tm)
            if betas is not None:
                assert all(math.isclose(x, y, rel_tol=1e-12) for x, y in zip(betas, tbetas))


SCHEDULES = {
    "StepLR": lambda s, o: s.StepLR(o, step_size=7, gamma=0.5),
    "MultiStepLR": lambda s, o: s.MultiStepLR(o, milestones=[3, 10, 10, 25], gamma=0.3),
    "ExponentialLR": lambda s, o: s.ExponentialLR(o, gamma=0.9),
    "CosineAnnealingLR": lambda s, o: s.CosineAnnealingLR(o, T_max=12, eta_min=0.001),
    "LambdaLR": lambda s, o: s.LambdaLR(o, lambda e: 1 / (1 + e)),
    "LambdaLR-per-group": lambda s, o: s.LambdaLR(o, [lambda e: 0.9**e, lambda e: e % 4 + 1]),
    "MultiplicativeLR": lambda s, o: s.MultiplicativeLR(o, lambda e: 0.95),
    "LinearLR": lambda s, o: s.LinearLR(o, start_factor=0.1, end_factor=0.9, total_iters=12),
    "LinearLR-decay": lambda s, o: s.LinearLR(o, start_factor=1.0, end_factor=0.2),
    "OneCycleLR-cos": lambda s, o: s.OneCycleLR(o, max_lr=1.0, total_steps=STEPS),
    "OneCycleLR-linear": lambda s, o: s.OneCycleLR(
        o, max_lr=[0.5, 2.0], epochs=3, steps_per_epoch=10, anneal_strategy="linear",
        pct_start=0.25, div_factor=10.0, final_div_factor=100.0),
    "OneCycleLR-three-phase": lambda s, o: s.OneCycleLR(
        o, max_lr=0.3, total_steps=STEPS, three_phase=True, cycle_momentum=False),
    "CosineAnnealingWarmRestarts": lambda s, o: s.CosineAnnealingWarmRestarts(o, T_0=4, T_mult=2,
                                                                              eta_min=0.01),
    "SequentialLR": lambda s, o: s.SequentialLR(
        o, [s.LinearLR(o, start_factor=0.1, total_iters=5), s.CosineAnnealingLR(o, T_max=10),
            s.StepLR(o, step_size=3)], milestones=[5, 20]),
}


@pytest.mark.oracle
@pytest.mark.parametrize("name", SCHEDULES)
def test_schedule_matches_pytorch(name):
    torch = pytest.importorskip("torch")
    make = SCHEDULES[name]
    assert_same_schedule(run(nbtorch, make), run(torch, make))


@pytest.mark.oracle
@pytest.mark.parametrize("name, options", [("SGD", dict(momentum=0.9)), ("Adam", {})])
def test_one_cycle_cycles_momentum_like_pytorch(name, options):
    torch = pytest.importorskip("torch")

    def make(s, o):
        return s.OneCycleLR(o, max_lr=0.5, total_steps=STEPS, base_momentum=0.8)

    assert_same_schedule(run(nbtorch, make, name, options), run(torch, make, name, options))


PLATEAU_METRICS = [1.0, 0.9, 0.9, 0.9, 0.9, 0.85, 0.85, 0.85, 0.85, 0.85, 0.849995] + [0.8] * 19


@pytest.mark.oracle
@pytest.mark.parametrize("options", [
    dict(patience=2),
    dict(mode="max", factor=0.5, patience=1, cooldown=2),
    dict(factor=0.5, patience=0, threshold=0.01, threshold_mode="abs", min_lr=[0.01, 0.005]),
    dict(factor=0.2, patience=1, min_lr=0.019),
])
def test_reduce_lr_on_plateau_matches_pytorch(options):
    torch = pytest.importorskip("torch")

    def make(s, o):
        return s.ReduceLROnPlateau(o, **options)

    ours = run(nbtorch, make, metrics=PLATEAU_METRICS)
    theirs = run(torch, make, metrics=PLATEAU_METRICS)
    assert_same_schedule(ours, theirs)


def test_step_lr_closed_form_without_oracle():
    opt = make_optimizer(nbtorch)
    sched = lr_scheduler.StepLR(opt, step_size=3, gamma=0.5)
    for epoch in range(10):
        assert sched.get_last_lr()[0] == pytest.approx(0.1 * 0.5 ** (epoch // 3))
        assert sched.last_epoch == epoch
        sched.step()
    assert sched.base_lrs == [0.1, 0.02]


@pytest.mark.parametrize("name", ["StepLR", "CosineAnnealingLR", "OneCycleLR-cos",
                                  "CosineAnnealingWarmRestarts", "SequentialLR"])
def test_state_dict_round_trip(name):
    make = SCHEDULES[name]
    full = run(nbtorch, make)

    opt = make_optimizer(nbtorch)
    sched = make(lr_scheduler, opt)
    for _ in range(10):
        opt.step()
        sched.step()
    saved_sched, saved_opt = sched.state_dict(), opt.state_dict()
    assert "optimizer" not in saved_sched

    opt2 = make_optimizer(nbtorch)
    sched2 = make(lr_scheduler, opt2)  # construct first, then load both (as in PyTorch)
    opt2.load_state_dict(saved_opt)
    sched2.load_state_dict(saved_sched)
    rest = []
    for _ in range(10, STEPS):
        rest.append([(g["lr"], g.get("momentum"), g.get("betas")) for g in opt2.param_groups])
        opt2.step()
        sched2.step()
    assert_same_schedule(rest, full[10:])


def test_scheduler_needs_an_optimizer():
    with pytest.raises(TypeError, match="is not an Optimizer"):
        lr_scheduler.StepLR(object(), step_size=2)


def test_resuming_needs_initial_lr():
    opt = make_optimizer(nbtorch)
    with pytest.raises(KeyError, match="initial_lr"):
        lr_scheduler.StepLR(opt, step_size=2, last_epoch=5)


def test_one_cycle_refuses_to_step_past_the_end():
    opt = make_optimizer(nbtorch)
    sched = lr_scheduler.OneCycleLR(opt, max_lr=1.0, total_steps=3, cycle_momentum=False)
    for _ in range(2):
        sched.step()
    sched.step()  # step number 3 == total_steps is still allowed, as in PyTorch
    with pytest.raises(ValueError, match="Tried to step 4 times"):
        sched.step()


def test_one_cycle_needs_momentum():
    opt = optim.Adagrad([nbtorch.zeros(2, requires_grad=True)])
    with pytest.raises(ValueError, match="optimizer must support momentum"):
        lr_scheduler.OneCycleLR(opt, max_lr=1.0, total_steps=10)
