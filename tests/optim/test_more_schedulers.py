"""ConstantLR, PolynomialLR, CyclicLR and ChainedScheduler: PyTorch's lr (and momentum)
sequences over 40 steps, state_dict round trips, and PyTorch's errors."""

import math

import pytest

import nbtorch
from nbtorch import optim
from nbtorch.optim import lr_scheduler

STEPS = 40


def make_optimizer(lib, name="SGD", **options):
    """An optimizer with two groups (base lrs 0.1 and 0.02)."""
    w, b = lib.zeros(3, requires_grad=True), lib.zeros(2, requires_grad=True)
    opt_class = getattr(lib.optim, name)
    return opt_class([{"params": [w]}, {"params": [b], "lr": 0.02}], lr=0.1, **options)


def settings(opt):
    return [(g["lr"], g.get("momentum"), g.get("betas")) for g in opt.param_groups]


def run(lib, make_scheduler, name="SGD", options=None, steps=STEPS):
    """The lrs (and momenta) of both groups before each step of the schedule."""
    opt = make_optimizer(lib, name, **(options or {}))
    sched = make_scheduler(lib.optim.lr_scheduler, opt)
    seen = []
    for _ in range(steps):
        seen.append(settings(opt))
        assert sched.get_last_lr() == [g["lr"] for g in opt.param_groups]
        opt.step()
        sched.step()
    return seen


def assert_same_schedule(ours, theirs):
    assert len(ours) == len(theirs)
    for step, (a, b) in enumerate(zip(ours, theirs)):
        for (lr, m, betas), (tlr, tm, tbetas) in zip(a, b):
            assert math.isclose(lr, tlr, rel_tol=1e-12, abs_tol=1e-15), (step, lr, tlr)
            assert (m is None) == (tm is None) and (betas is None) == (tbetas is None)
            if m is not None:
                assert math.isclose(m, tm, rel_tol=1e-12), (step, m, tm)
            if betas is not None:
                assert all(math.isclose(x, y, rel_tol=1e-12) for x, y in zip(betas, tbetas))


class HalfEachCycle:
    """A custom ``scale_fn`` (an object, so the test can pass it to both libraries)."""

    def __call__(self, x):
        return 0.5**x


# (scheduler, optimizer name, optimizer options)
SCHEDULES = {
    "ConstantLR": (lambda s, o: s.ConstantLR(o), "SGD", {}),
    "ConstantLR-long": (lambda s, o: s.ConstantLR(o, factor=0.5, total_iters=17), "SGD", {}),
    "ConstantLR-zero-iters": (lambda s, o: s.ConstantLR(o, factor=0.9, total_iters=0),
                              "SGD", {}),
    "PolynomialLR": (lambda s, o: s.PolynomialLR(o), "SGD", {}),
    "PolynomialLR-square": (lambda s, o: s.PolynomialLR(o, total_iters=30, power=2.0),
                            "SGD", {}),
    "PolynomialLR-root": (lambda s, o: s.PolynomialLR(o, total_iters=25, power=0.5),
                          "SGD", {}),
    "CyclicLR-triangular": (lambda s, o: s.CyclicLR(o, base_lr=0.01, max_lr=0.1,
                                                    step_size_up=5), "SGD", {}),
    "CyclicLR-triangular2": (lambda s, o: s.CyclicLR(
        o, base_lr=[0.01, 0.001], max_lr=[0.2, 0.05], step_size_up=4, step_size_down=7,
        mode="triangular2", base_momentum=0.7, max_momentum=[0.95, 0.9]),
        "SGD", dict(momentum=0.5)),
    "CyclicLR-exp_range": (lambda s, o: s.CyclicLR(
        o, base_lr=0.001, max_lr=0.1, step_size_up=3, step_size_down=9, mode="exp_range",
        gamma=0.95), "Adam", {}),
    "CyclicLR-no-momentum": (lambda s, o: s.CyclicLR(
        o, base_lr=0.01, max_lr=0.05, step_size_up=6, cycle_momentum=False), "Adagrad", {}),
    "CyclicLR-scale_fn-cycle": (lambda s, o: s.CyclicLR(
        o, base_lr=0.01, max_lr=0.3, step_size_up=3, scale_fn=HalfEachCycle(),
        mode="ignored"), "RMSprop", dict(momentum=0.9)),
    "CyclicLR-scale_fn-iterations": (lambda s, o: s.CyclicLR(
        o, base_lr=0.01, max_lr=0.3, step_size_up=2, step_size_down=5,
        scale_fn=lambda x: 1 / (1 + x), scale_mode="iterations"), "NAdam", {}),
    "ChainedScheduler": (lambda s, o: s.ChainedScheduler(
        [s.ConstantLR(o, factor=0.1, total_iters=20), s.ExponentialLR(o, gamma=0.9)]),
        "SGD", {}),
    "ChainedScheduler-three": (lambda s, o: s.ChainedScheduler(
        [s.PolynomialLR(o, total_iters=35, power=1.5), s.StepLR(o, step_size=6, gamma=0.7),
         s.LinearLR(o, start_factor=0.2, total_iters=10)], optimizer=o), "SGD", {}),
    "SequentialLR-of-new-ones": (lambda s, o: s.SequentialLR(
        o, [s.ConstantLR(o, factor=0.25, total_iters=4), s.PolynomialLR(o, total_iters=20)],
        milestones=[8]), "SGD", {}),
}


@pytest.mark.oracle
@pytest.mark.parametrize("name", SCHEDULES)
def test_schedule_matches_pytorch(torch, name):
    make, opt_name, options = SCHEDULES[name]
    ours = run(nbtorch, make, opt_name, options)
    theirs = run(torch, make, opt_name, options)
    assert_same_schedule(ours, theirs)
    assert {lr for step in ours for lr, _, _ in step} != {0.1, 0.02}  # the lr did change


def test_constant_and_polynomial_closed_forms_without_oracle():
    for make, closed_form in [
        (lambda o: lr_scheduler.ConstantLR(o, factor=0.5, total_iters=4),
         lambda base, e: base * (0.5 if e < 4 else 1.0)),
        (lambda o: lr_scheduler.PolynomialLR(o, total_iters=8, power=2.0),
         lambda base, e: base * (1 - min(e, 8) / 8) ** 2),
    ]:
        opt = make_optimizer(nbtorch)
        sched = make(opt)
        for epoch in range(12):
            for lr, base in zip(sched.get_last_lr(), [0.1, 0.02]):
                assert lr == pytest.approx(closed_form(base, epoch), abs=1e-15)
            assert sched._get_closed_form_lr() == pytest.approx(sched.get_last_lr(), abs=1e-15)
            sched.step()


def test_cyclic_lr_is_a_triangle_without_oracle():
    """Up from base_lr to max_lr in 4 steps, down in 4, again; momentum the other way."""
    opt = make_optimizer(nbtorch, momentum=0.9)
    sched = lr_scheduler.CyclicLR(opt, base_lr=0.1, max_lr=0.5, step_size_up=4)
    for i in range(20):
        position = i % 8 if i % 8 <= 4 else 8 - i % 8  # 0 1 2 3 4 3 2 1 0 1 ...
        assert sched.get_last_lr()[0] == pytest.approx(0.1 + 0.1 * position)
        assert opt.param_groups[0]["momentum"] == pytest.approx(0.9 - 0.025 * position)
        sched.step()


@pytest.mark.parametrize("name", ["ConstantLR-long", "PolynomialLR-square",
                                  "CyclicLR-triangular2", "CyclicLR-exp_range",
                                  "ChainedScheduler-three"])
def test_state_dict_round_trip(name):
    make, opt_name, options = SCHEDULES[name]
    full = run(nbtorch, make, opt_name, options)

    opt = make_optimizer(nbtorch, opt_name, **options)
    sched = make(lr_scheduler, opt)
    for _ in range(13):
        opt.step()
        sched.step()
    saved_sched, saved_opt = sched.state_dict(), opt.state_dict()
    assert "optimizer" not in saved_sched

    opt2 = make_optimizer(nbtorch, opt_name, **options)
    sched2 = make(lr_scheduler, opt2)  # construct first, then load both (as in PyTorch)
    opt2.load_state_dict(saved_opt)
    sched2.load_state_dict(saved_sched)
    rest = []
    for _ in range(13, STEPS):
        rest.append(settings(opt2))
        assert sched2.get_last_lr() == [g["lr"] for g in opt2.param_groups]
        opt2.step()
        sched2.step()
    assert_same_schedule(rest, full[13:])


def test_cyclic_lr_state_dict_leaves_out_a_custom_scale_fn():
    opt = make_optimizer(nbtorch)
    sched = lr_scheduler.CyclicLR(opt, 0.01, 0.1, scale_fn=lambda x: 1.0)
    state = sched.state_dict()
    assert "_scale_fn_custom" not in state and "optimizer" not in state
    assert state["max_lrs"] == [0.1, 0.1] and state["base_lrs"] == [0.01, 0.01]


# -- errors -------------------------------------------------------------------------------
def _bad_chain_of_two_optimizers(s, o):
    other = type(o)([o.param_groups[0]["params"][0].detach().clone().requires_grad_()], lr=0.1)
    return s.ChainedScheduler([s.StepLR(o, 2), s.StepLR(other, 2)])


BAD = {
    "ConstantLR-factor-above-1": (lambda s, o: s.ConstantLR(o, factor=1.5), "SGD"),
    "ConstantLR-negative-factor": (lambda s, o: s.ConstantLR(o, factor=-0.1), "SGD"),
    "CyclicLR-mode": (lambda s, o: s.CyclicLR(o, 0.01, 0.1, mode="square"), "SGD"),
    "CyclicLR-no-momentum": (lambda s, o: s.CyclicLR(o, 0.01, 0.1), "Adagrad"),
    "CyclicLR-base_lr-list": (lambda s, o: s.CyclicLR(o, [0.01] * 3, 0.1), "SGD"),
    "CyclicLR-max_lr-list": (lambda s, o: s.CyclicLR(o, 0.01, [0.1]), "SGD"),
    "CyclicLR-momentum-list": (lambda s, o: s.CyclicLR(o, 0.01, 0.1, max_momentum=[0.9]),
                               "SGD"),
    "ChainedScheduler-empty": (lambda s, o: s.ChainedScheduler([]), "SGD"),
    "ChainedScheduler-plateau": (lambda s, o: s.ChainedScheduler(
        [s.StepLR(o, 2), s.ReduceLROnPlateau(o)]), "SGD"),
    "ChainedScheduler-two-optimizers": (_bad_chain_of_two_optimizers, "SGD"),
}
# the messages name the same thing in other words
OWN_WORDING = {"CyclicLR-base_lr-list": "base_lr", "CyclicLR-max_lr-list": "max_lr",
               "CyclicLR-momentum-list": "max_momentum",
               "ChainedScheduler-two-optimizers": "same optimizer"}


@pytest.mark.oracle
@pytest.mark.parametrize("name", BAD)
def test_errors_match_pytorch(torch, name):
    make, opt_name = BAD[name]
    with pytest.raises(Exception) as theirs:
        make(torch.optim.lr_scheduler, make_optimizer(torch, opt_name))
    with pytest.raises(type(theirs.value)) as ours:
        make(lr_scheduler, make_optimizer(nbtorch, opt_name))
    assert type(ours.value) is type(theirs.value)
    if name in OWN_WORDING:
        assert OWN_WORDING[name] in str(ours.value) and OWN_WORDING[name] in str(theirs.value)
    else:
        assert str(ours.value) == str(theirs.value)


def test_cyclic_lr_needs_an_optimizer():
    with pytest.raises(TypeError, match="is not an Optimizer"):
        lr_scheduler.CyclicLR(object(), 0.01, 0.1)
    with pytest.raises(TypeError, match="should have `optimizer`"):
        lr_scheduler.ChainedScheduler([object()], optimizer=make_optimizer(nbtorch))


def test_names_are_exported():
    for name in ["ConstantLR", "PolynomialLR", "CyclicLR", "ChainedScheduler"]:
        assert issubclass(getattr(lr_scheduler, name), lr_scheduler.LRScheduler)
    assert optim.lr_scheduler is lr_scheduler
