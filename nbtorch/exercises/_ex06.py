"""Checker of exercise 6 (chapter 07, optimizers): SGD with momentum and weight decay,
compared step by step with ``nbtorch.optim.SGD``."""

from __future__ import annotations

import numpy as np

from ._feedback import expect_close, fail, run_parts


def _trajectory(make_optimizer, steps: int = 5) -> list[list[np.ndarray]]:
    """Parameters after each step on a fixed loss, optimized by ``make_optimizer(params)``."""
    import nbtorch

    w = nbtorch.tensor([[1.0, -2.0], [0.5, 3.0]], requires_grad=True)
    b = nbtorch.tensor([0.5, -1.0], requires_grad=True)
    x = nbtorch.tensor([[1.0, 2.0], [-1.0, 0.5], [3.0, -2.0]])
    opt = make_optimizer([w, b])
    path = []
    for _ in range(steps):
        opt.zero_grad()
        loss = ((x @ w + b).tanh() ** 2).sum() + (w ** 4).sum() * 0.01
        loss.backward()
        opt.step()
        path.append([w.detach().numpy().copy(), b.detach().numpy().copy()])
    return path


def _compare(SGD, what: str, **options) -> None:
    import nbtorch

    mine = _trajectory(lambda ps: SGD(ps, **options))
    reference = _trajectory(lambda ps: nbtorch.optim.SGD(ps, **options))
    for step, (got, expected) in enumerate(zip(mine, reference), 1):
        for name, g, e in zip(("w", "b"), got, expected):
            expect_close(f"{what}: parameter {name} after step {step}", g, e,
                         rtol=1e-5, atol=1e-6)


def _plain(SGD) -> None:
    import nbtorch

    w = nbtorch.tensor([1.0], requires_grad=True)
    opt = SGD([w], lr=0.1)
    if not isinstance(opt, nbtorch.optim.Optimizer):
        fail("your SGD should be a subclass of nbtorch.optim.Optimizer")
    _compare(SGD, "SGD(params, lr=0.1)", lr=0.1)


def _momentum(SGD) -> None:
    _compare(SGD, "SGD(params, lr=0.1, momentum=0.9)", lr=0.1, momentum=0.9)


def _weight_decay(SGD) -> None:
    _compare(SGD, "SGD(params, lr=0.05, weight_decay=0.1)", lr=0.05, weight_decay=0.1)
    _compare(SGD, "SGD(params, lr=0.05, momentum=0.8, weight_decay=0.1)", lr=0.05,
             momentum=0.8, weight_decay=0.1)


def ex6(SGD, part: str | None = None) -> None:
    """Check your SGD optimizer (exercise 6, chapter 07) against ``nbtorch.optim.SGD``.

    Parts: ``plain`` (lr only), ``momentum``, ``weight_decay`` (alone and with momentum).
    """
    parts = {"plain": _plain, "momentum": _momentum, "weight_decay": _weight_decay}
    run_parts("ex6", {name: (lambda f=f: f(SGD)) for name, f in parts.items()}, part)
