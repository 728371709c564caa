"""Checker of exercise 3 (chapter 05, reverse mode): custom Functions ``Sigmoid``, ``Hypot``."""

from __future__ import annotations

import numpy as np

from ._feedback import by_name, expect_close, fail, run_parts


def _sigmoid(x):
    return 1 / (1 + np.exp(-x))


# Each op: its inputs, numpy forward, and numpy gradients given the output gradient g.
_OPS = {
    "Sigmoid": ([np.array([[-2.0, 0.0, 1.5], [3.0, -0.5, 0.25]])],
                _sigmoid,
                lambda g, x: [g * _sigmoid(x) * (1 - _sigmoid(x))]),
    "Hypot": ([np.array([[3.0, -1.0], [0.5, 2.0]]), np.array([[4.0, 2.0], [-1.5, 0.5]])],
              np.hypot,
              lambda g, x, y: [g * x / np.hypot(x, y), g * y / np.hypot(x, y)]),
}


def _forward(name, Fn) -> None:
    import nbtorch

    inputs, forward, _ = _OPS[name]
    out = Fn.apply(*[nbtorch.tensor(a) for a in inputs])
    if not isinstance(out, nbtorch.Tensor):
        fail(f"{name}.apply(...) should return a Tensor, got {type(out).__name__}")
    expect_close(f"{name}.apply(...) (the forward value)", out, forward(*inputs))


def _backward(name, Fn) -> None:
    import nbtorch

    inputs, forward, gradients = _OPS[name]
    tensors = [nbtorch.tensor(a, requires_grad=True) for a in inputs]
    out = Fn.apply(*tensors)
    if out.grad_fn is None:
        fail(f"{name}.apply(...) is not recorded for backward (out.grad_fn is None)")
    g = np.random.default_rng(3).uniform(0.5, 2.0, size=forward(*inputs).shape)
    out.backward(nbtorch.tensor(g))
    for k, (t, expected) in enumerate(zip(tensors, gradients(g, *inputs)), 1):
        expect_close(f"{name}: gradient for input {k}", t.grad, expected)


def ex3(*functions, part: str | None = None) -> None:
    """Check your custom Functions (exercise 3, chapter 05): pass ``Sigmoid`` and/or
    ``Hypot``. Parts: ``forward`` (values), ``backward`` (gradients for a random
    grad_output, against the derivative worked out by hand)."""
    parts = {}
    for name, Fn, _ in by_name("ex3", functions, _OPS):
        parts[f"{name}.forward"] = lambda name=name, Fn=Fn: _forward(name, Fn)
        parts[f"{name}.backward"] = lambda name=name, Fn=Fn: _backward(name, Fn)
    run_parts("ex3", parts, part)
